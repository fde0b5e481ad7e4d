/* debounce.h - turns raw button edges into presses.
 *
 * The interrupt only records (level, time); this runs later, in the main loop, so a
 * bouncing contact never becomes several calls (the seed published once per bounce).
 * Rule: an edge to the active level is a press when at least `quiet_ms` passed since
 * the previous edge of any direction and since the previous press. Bounces come
 * closer together than that; a real press follows a quiet contact. Works with
 * rising-edge-only interrupts too (every edge is then an active edge). */
#ifndef CALLBELL_DEBOUNCE_H
#define CALLBELL_DEBOUNCE_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

#define CB_DEBOUNCE_DEFAULT_MS 30

typedef struct cb_debounce {
    uint32_t quiet_ms;
    bool active_high; /* true: pull-down wiring (seed); false: pull-up */
    bool seen_edge;
    uint32_t last_edge_ms;
    bool pressed_once;
    uint32_t last_press_ms;
} cb_debounce;

/* Initialises *d. quiet_ms 1..1000. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_init(cb_debounce *d, uint32_t quiet_ms, bool active_high);

/* Feeds one edge: the pin's level after the edge (true = high) at t_ms (a wrapping
 * millisecond counter; differences are taken modulo 2^32). *pressed is set true when
 * this edge is a press. Returns CB_OK or CB_E_ARG. */
cb_status cb_debounce_edge(cb_debounce *d, bool level_high, uint32_t t_ms, bool *pressed);

#endif
