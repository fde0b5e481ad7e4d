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

static bool valid(const cb_backoff *b)
{
    return b != NULL && b->min_ms >= 1u && b->max_ms >= b->min_ms;
}

cb_status cb_backoff_init(cb_backoff *b, uint32_t min_ms, uint32_t max_ms, uint32_t seed)
{
    if (b == NULL || min_ms < 1u || max_ms < min_ms) {
        return CB_E_ARG;
    }
    b->min_ms = min_ms;
    b->max_ms = max_ms;
    b->stable_ms = CB_BACKOFF_STABLE_MS;
    b->attempt = 0;
    b->rng = (seed != 0u) ? seed : DEFAULT_SEED;
    b->up = false;
    b->up_since_ms = 0;
    return CB_OK;
}

cb_status cb_backoff_set_stable(cb_backoff *b, uint32_t stable_ms)
{
    if (b == NULL || stable_ms < 1u) {
        return CB_E_ARG;
    }
    b->stable_ms = stable_ms;
    return CB_OK;
}

cb_status cb_backoff_next(cb_backoff *b, uint32_t *delay_ms)
{
    if (!valid(b) || delay_ms == NULL) {
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
    uint32_t r = xorshift32(&b->rng);
    *delay_ms = (ceiling == UINT32_MAX) ? r : r % (ceiling + 1u); /* full jitter: [0, ceiling] */
    if (b->attempt < UINT32_MAX) {
        b->attempt++;
    }
    b->up = false;
    return CB_OK;
}

cb_status cb_backoff_up(cb_backoff *b, uint32_t now_ms)
{
    if (!valid(b)) {
        return CB_E_ARG;
    }
    b->up = true;
    b->up_since_ms = now_ms;
    return CB_OK;
}

cb_status cb_backoff_down(cb_backoff *b, uint32_t now_ms, uint32_t *delay_ms)
{
    if (!valid(b) || delay_ms == NULL) {
        return CB_E_ARG;
    }
    if (b->up && (uint32_t)(now_ms - b->up_since_ms) >= b->stable_ms) {
        b->attempt = 0; /* it held: this loss is news, not a loop */
    }
    return cb_backoff_next(b, delay_ms);
}

cb_status cb_backoff_reset(cb_backoff *b)
{
    if (b == NULL) {
        return CB_E_ARG;
    }
    b->attempt = 0;
    b->up = false;
    return CB_OK;
}
