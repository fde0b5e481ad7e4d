/* backoff.c - reconnect delays, exponential with full jitter (callbell/backoff.h).
 *
 * xorshift32 is enough: the jitter only has to differ between devices (seeded from
 * the board id or a random source), not resist prediction. */
#include "callbell/backoff.h"

#include <stddef.h>

#define DEFAULT_SEED 0x9E3779B9u /* any non-zero constant; xorshift never leaves 0 */

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

cb_status cb_backoff_init(cb_backoff *b, uint32_t min_ms, uint32_t max_ms, uint32_t seed)
{
    if (b == NULL || min_ms < 1u || max_ms < min_ms) {
        return CB_E_ARG;
    }
    b->min_ms = min_ms;
    b->max_ms = max_ms;
    b->attempt = 0;
    b->rng = (seed != 0u) ? seed : DEFAULT_SEED;
    return CB_OK;
}

cb_status cb_backoff_next(cb_backoff *b, uint32_t *delay_ms)
{
    if (b == NULL || delay_ms == NULL || b->min_ms < 1u || b->max_ms < b->min_ms) {
        return CB_E_ARG;
    }
    if (b->rng == 0u) {
        b->rng = DEFAULT_SEED;
    }
    /* ceiling = min(max, min * 2^attempt), doubled step by step so it never
     * overflows and stops growing once it reaches max. */
    uint32_t ceiling = b->min_ms;
    for (uint32_t i = 0; i < b->attempt && ceiling < b->max_ms; i++) {
        ceiling = (ceiling > b->max_ms / 2u) ? b->max_ms : ceiling * 2u;
    }
    uint32_t span = ceiling - b->min_ms; /* the delay is min + [0, span] */
    uint32_t r = xorshift32(&b->rng);
    *delay_ms = b->min_ms + ((span == UINT32_MAX) ? r : r % (span + 1u));
    if (b->attempt < UINT32_MAX) {
        b->attempt++;
    }
    return CB_OK;
}

cb_status cb_backoff_reset(cb_backoff *b)
{
    if (b == NULL) {
        return CB_E_ARG;
    }
    b->attempt = 0;
    return CB_OK;
}
