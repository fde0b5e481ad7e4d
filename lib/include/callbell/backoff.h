/* backoff.h - reconnect delays: exponential with full jitter, reset only by a
 * connection that held.
 *
 * Forty tables that lose the same Wi-Fi must not reconnect in lockstep, and a
 * broker that is down, or that accepts and then drops the device (an ACL kick, a
 * client-id takeover), must not be hammered. So:
 *   delay(n) = uniform random in [0, min(max_ms, min_ms * 2^n)]   (full jitter,
 *              from the first retry on: devices never share a schedule)
 *   n        = failures since the last connection that stayed up stable_ms.
 * A connection that comes up and drops again within stable_ms counts as a
 * failure: the accept-then-drop loop backs off like a refused connect. */
#ifndef CALLBELL_BACKOFF_H
#define CALLBELL_BACKOFF_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

#define CB_BACKOFF_STABLE_MS 30000u /* a connection up this long resets the delays */

/* The firmware's policies, here so the unit tests check the numbers it runs. */
#define CB_RETRY_WIFI_MIN_MS 1000u
#define CB_RETRY_WIFI_MAX_MS 60000u
#define CB_RETRY_MQTT_MIN_MS 1000u
#define CB_RETRY_MQTT_MAX_MS 60000u

typedef struct cb_backoff {
    uint32_t min_ms;
    uint32_t max_ms;
    uint32_t stable_ms;
    uint32_t attempt; /* failures since the last connection that held */
    uint32_t rng;     /* xorshift32 state, never 0 */
    bool up;          /* cb_backoff_up was called and no failure since */
    uint32_t up_since_ms;
} cb_backoff;

/* min_ms >= 1, max_ms >= min_ms; seed any value (0 is replaced); stable_ms is
 * CB_BACKOFF_STABLE_MS. CB_OK or CB_E_ARG. */
cb_status cb_backoff_init(cb_backoff *b, uint32_t min_ms, uint32_t max_ms, uint32_t seed);

/* How long a connection must stay up to reset the delays (>= 1). CB_OK or CB_E_ARG. */
cb_status cb_backoff_set_stable(cb_backoff *b, uint32_t stable_ms);

/* An attempt failed (never came up): the delay before the next one into *delay_ms;
 * counts the failure. CB_OK or CB_E_ARG. */
cb_status cb_backoff_next(cb_backoff *b, uint32_t *delay_ms);

/* The connection came up at now_ms. Resets nothing yet: see cb_backoff_down. */
cb_status cb_backoff_up(cb_backoff *b, uint32_t now_ms);

/* The connection that came up went down at now_ms. If it stayed up stable_ms, the
 * failures are forgotten first; either way the delay before the next attempt goes
 * into *delay_ms, as cb_backoff_next. (A connection up for a multiple of 2^32 ms
 * plus less than stable_ms counts as short: one slower retry, 49.7 days apart.)
 * Without a cb_backoff_up before, the same as cb_backoff_next. CB_OK or CB_E_ARG. */
cb_status cb_backoff_down(cb_backoff *b, uint32_t now_ms, uint32_t *delay_ms);

/* Forgets the failures now (e.g. new settings: the old failures say nothing). */
cb_status cb_backoff_reset(cb_backoff *b);

#endif
