/* buttons.h - button GPIOs: the interrupt records edges, the main loop reads them.
 *
 * The interrupt handler does nothing but store (button, level, time) in a ring; the
 * main loop pops them and feeds the core's debouncer (cb_device_edge). No network
 * I/O and no core call ever happens in the interrupt (the seed published from it). */
#ifndef CALLBELL_PICO_BUTTONS_H
#define CALLBELL_PICO_BUTTONS_H

#include <stdbool.h>
#include <stdint.h>

#define BUTTONS_MAX 8

typedef struct button_edge {
    uint8_t button;  /* index into the pins given to buttons_init */
    bool level_high; /* pin level after the edge */
    uint32_t t_ms;   /* ms since boot (wrapping), taken in the interrupt */
} button_edge;

/* Configures the pins as inputs and enables their edge interrupts.
 * pull_up: internal pull-ups, button to GND (press = falling edge); otherwise the
 * seed's external pull-downs, button to 3V3 (press = rising edge). */
void buttons_init(const uint8_t *gpios, uint8_t count, bool pull_up);

/* Oldest recorded edge into *out; false when there is none. Main loop only. */
bool buttons_pop(button_edge *out);

/* Edges recorded since boot (the ring's head): a change means a button moved. */
uint32_t buttons_recorded(void);

/* Edges lost because the ring was full (a long bounce storm while the main loop was
 * blocked). The first edge of a press is kept; later bounces are what is lost. */
uint32_t buttons_dropped(void);

#endif
