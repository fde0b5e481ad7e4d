/* vsys.h - the battery: VSYS measured on ADC3 (GPIO29).
 *
 * On the Pico W, GPIO29 is also the Wi-Fi chip's SPI clock, so the reading is taken
 * with the cyw43 lock held, as pico-examples adc/read_vsys (power_status.c) does. */
#ifndef CALLBELL_PICO_VSYS_H
#define CALLBELL_PICO_VSYS_H

#include <stdbool.h>
#include <stdint.h>

/* Once, at start-up (adc_init). */
void vsys_init(void);

/* VSYS in millivolts (the cell voltage minus the diode when on battery, ~5 V on USB). */
uint16_t vsys_read_mv(void);

/* Whether USB power (VBUS) is present, read through the Wi-Fi chip's GPIO. */
bool vsys_on_usb(void);

#endif
