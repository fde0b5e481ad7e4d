/* dedup.c - drops at-least-once copies of a device's presses (callbell/call.h).
 *
 * The same sliding-window idea as IPsec/DTLS anti-replay: the highest seq seen and
 * a 64-bit mask of the 64 seqs at and below it. A device resends in order after a
 * reconnect, so copies arrive close to the top of the window. */
#include "callbell/call.h"

#include <stddef.h>

#define WINDOW_BITS 64u

cb_status cb_dedup_init(cb_dedup *d)
{
    if (d == NULL) {
        return CB_E_ARG;
    }
    d->boot = 0;
    d->max_seq = 0;
    d->window = 0;
    return CB_OK;
}

cb_status cb_dedup_check(cb_dedup *d, uint32_t boot, uint32_t seq)
{
    if (d == NULL) {
        return CB_E_ARG;
    }
    if (seq == 0u) {
        return CB_E_RANGE;
    }
    if (boot != d->boot || d->max_seq == 0u) {
        /* A new boot numbers its presses from 1 again: nothing seen applies. */
        d->boot = boot;
        d->max_seq = seq;
        d->window = 1u;
        return CB_OK;
    }
    if (seq > d->max_seq) {
        uint32_t shift = seq - d->max_seq;
        d->window = (shift >= WINDOW_BITS) ? 0u : d->window << shift;
        d->window |= 1u;
        d->max_seq = seq;
        return CB_OK;
    }
    uint32_t back = d->max_seq - seq;
    if (back >= WINDOW_BITS) {
        return CB_E_DUPLICATE; /* too old to tell: dropping is the safe side */
    }
    uint64_t bit = (uint64_t)1u << back;
    if ((d->window & bit) != 0u) {
        return CB_E_DUPLICATE;
    }
    d->window |= bit;
    return CB_OK;
}
