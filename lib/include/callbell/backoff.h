/* backoff.h - reconnect delays: exponential with full jitter.
 *
 * Forty tables that lose the same Wi-Fi must not reconnect in lockstep, and a
 * broker that is down must not be hammered; but the first retry should be quick.
 * delay(n) = uniform random in [min_ms, min(max_ms, min_ms * 2^n)]. */
#ifndef CALLBELL_BACKOFF_H
#define CALLBELL_BACKOFF_H

#include "callbell/status.h"
#include <stdint.h>

typedef struct cb_backoff {
    uint32_t min_ms;
    uint32_t max_ms;
    uint32_t attempt;
    uint32_t rng; /* xorshift32 state, never 0 */
} cb_backoff;

/* min_ms >= 1, max_ms >= min_ms; seed any value (0 is replaced). CB_OK or CB_E_ARG. */
cb_status cb_backoff_init(cb_backoff *b, uint32_t min_ms, uint32_t max_ms, uint32_t seed);
/* Delay before the next attempt into *delay_ms; counts the attempt. CB_OK or CB_E_ARG. */
cb_status cb_backoff_next(cb_backoff *b, uint32_t *delay_ms);
/* After a successful connection: the next failure starts from min_ms again. */
cb_status cb_backoff_reset(cb_backoff *b);

#endif
