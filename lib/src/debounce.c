/* debounce.c - button levels to presses (rule in callbell/debounce.h).
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
    d->level_active = false;
    d->stable_active = false;
    d->settling = false;
    d->changed_ms = 0;
    d->run_start_ms = 0;
    return CB_OK;
}

/* Time since `since`; 0 for a time before it (an edge from the interrupt's ring can
 * be older than a sample already taken). */
static uint32_t elapsed(uint32_t since, uint32_t t_ms)
{
    uint32_t d = t_ms - since;
    return (d > UINT32_MAX / 2u) ? 0u : d;
}

/* The level has held quiet_ms: it becomes the state. Only a change to active is a
 * press; a release just ends the press. */
static void settle(cb_debounce *d, uint32_t t_ms, cb_debounce_result *out)
{
    if (!d->settling || elapsed(d->changed_ms, t_ms) < d->quiet_ms) {
        return;
    }
    d->settling = false;
    if (d->level_active == d->stable_active) {
        return; /* a glitch: it went and came back */
    }
    d->stable_active = d->level_active;
    if (d->stable_active) {
        out->pressed = true;
        out->pressed_ms = d->run_start_ms;
    }
}

/* The raw level moved (or an edge said so) at t_ms: the quiet time starts again. */
static void record(cb_debounce *d, bool active, uint32_t t_ms)
{
    if (!d->settling) {
        d->run_start_ms = t_ms;
        d->changed_ms = t_ms;
    } else if (elapsed(d->changed_ms, t_ms) > 0u) {
        d->changed_ms = t_ms; /* never back in time */
    }
    d->settling = true;
    d->level_active = active;
}

static bool check(const cb_debounce *d, cb_debounce_result *out)
{
    if (d == NULL || out == NULL) {
        return false;
    }
    out->pressed = false;
    out->pressed_ms = 0;
    return true;
}

cb_status cb_debounce_edge(cb_debounce *d, bool level_high, uint32_t t_ms, cb_debounce_result *out)
{
    if (!check(d, out)) {
        return CB_E_ARG;
    }
    settle(d, t_ms, out);
    record(d, level_high == d->active_high, t_ms);
    return CB_OK;
}

cb_status cb_debounce_sample(cb_debounce *d, bool level_high, uint32_t t_ms, cb_debounce_result *out)
{
    if (!check(d, out)) {
        return CB_E_ARG;
    }
    bool active = (level_high == d->active_high);
    if (active != d->level_active) {
        settle(d, t_ms, out); /* what held until now counts first */
        record(d, active, t_ms);
    }
    settle(d, t_ms, out);
    return CB_OK;
}

cb_status cb_debounce_poll(cb_debounce *d, uint32_t t_ms, cb_debounce_result *out)
{
    if (!check(d, out)) {
        return CB_E_ARG;
    }
    settle(d, t_ms, out);
    return CB_OK;
}

bool cb_debounce_busy(const cb_debounce *d)
{
    return d != NULL && d->settling;
}
