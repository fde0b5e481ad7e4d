/* debounce.c - button edges to presses (rule in callbell/debounce.h).
 *
 * Times are a wrapping 32-bit ms counter, so every interval is an unsigned
 * difference: correct across the wrap at 49.7 days. */
#include "callbell/debounce.h"

#include <stddef.h>

#define QUIET_MAX_MS 1000u

cb_status cb_debounce_init(cb_debounce *d, uint32_t quiet_ms, bool active_high)
{
    if (d == NULL || quiet_ms < 1u || quiet_ms > QUIET_MAX_MS) {
        return CB_E_ARG;
    }
    d->quiet_ms = quiet_ms;
    d->active_high = active_high;
    d->seen_edge = false;
    d->last_edge_ms = 0;
    d->pressed_once = false;
    d->last_press_ms = 0;
    return CB_OK;
}

cb_status cb_debounce_edge(cb_debounce *d, bool level_high, uint32_t t_ms, bool *pressed)
{
    if (d == NULL || pressed == NULL) {
        return CB_E_ARG;
    }
    bool active = (level_high == d->active_high);
    bool quiet_edge = !d->seen_edge || (uint32_t)(t_ms - d->last_edge_ms) >= d->quiet_ms;
    bool quiet_press = !d->pressed_once || (uint32_t)(t_ms - d->last_press_ms) >= d->quiet_ms;
    *pressed = active && quiet_edge && quiet_press;
    /* Every edge, bounce or not, restarts the quiet interval: a contact still
     * bouncing is not quiet. */
    d->seen_edge = true;
    d->last_edge_ms = t_ms;
    if (*pressed) {
        d->pressed_once = true;
        d->last_press_ms = t_ms;
    }
    return CB_OK;
}
