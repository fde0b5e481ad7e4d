/* debounce.h - turns raw button levels into presses.
 *
 * The interrupt only records (level, time); this runs later, in the main loop, so a
 * bouncing contact never becomes several calls (the seed published once per bounce)
 * and a glitch never becomes one (long button wires in a dining room pick up pulses
 * of microseconds). Rule: the button's debounced state changes only when its raw
 * level has stayed the same for `quiet_ms`; a press is the debounced state turning
 * active. So a press counts only if the button is still pressed quiet_ms after its
 * last bounce, and a 20 us, 1 ms or 5 ms pulse is nothing.
 *
 * Three inputs, all with the shell's wrapping ms counter:
 *   cb_debounce_edge    an edge the interrupt saw (level after it, its time)
 *   cb_debounce_sample  the pin read now (catches edges the interrupt missed)
 *   cb_debounce_poll    time passes: a level that has now held quiet_ms settles
 * Each reports at most one press, with the time of the first edge that began it. */
#ifndef CALLBELL_DEBOUNCE_H
#define CALLBELL_DEBOUNCE_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

#define CB_DEBOUNCE_DEFAULT_MS 30

typedef struct cb_debounce {
    uint32_t quiet_ms;
    bool active_high;      /* true: pull-down wiring (seed); false: pull-up */
    bool level_active;     /* the last raw level seen, as pressed / not pressed */
    bool stable_active;    /* the debounced state */
    bool settling;         /* the raw level moved since the state was last stable */
    uint32_t changed_ms;   /* when the raw level last moved (the quiet time starts) */
    uint32_t run_start_ms; /* the first move away from the stable state */
} cb_debounce;

/* What one input produced: pressed true once per press, pressed_ms its start. */
typedef struct cb_debounce_result {
    bool pressed;
    uint32_t pressed_ms;
} cb_debounce_result;

/* Initialises *d: not pressed. quiet_ms 1..1000. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_init(cb_debounce *d, uint32_t quiet_ms, bool active_high);

/* An edge: the pin's level after it (true = high) at t_ms. A level that had held
 * quiet_ms before t_ms settles first (that may be the press *out reports). Every
 * edge, even one to the same level (rising-only interrupts, a bounce seen half),
 * restarts the quiet time. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_edge(cb_debounce *d, bool level_high, uint32_t t_ms, cb_debounce_result *out);

/* The pin's level read at t_ms. A level different from the last one seen counts as
 * an edge at t_ms; then as cb_debounce_poll. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_sample(cb_debounce *d, bool level_high, uint32_t t_ms, cb_debounce_result *out);

/* Settles a level that has held quiet_ms by t_ms. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_poll(cb_debounce *d, uint32_t t_ms, cb_debounce_result *out);

/* True while the raw level has moved and not yet settled: the shell must keep
 * polling (and must not sleep) until it is false. */
bool cb_debounce_busy(const cb_debounce *d);

#endif
