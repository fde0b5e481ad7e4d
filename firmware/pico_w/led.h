/* led.h - the table's answer to the guest (docs/protocol.md, "Device LED").
 *
 * The on-board LED (CYW43_WL_GPIO_LED_PIN, on the Wi-Fi chip) shows the most urgent
 * state of all the device's tables; an optional external LED per table
 * (CALLBELL_TABLE_LED_GPIOS) shows that table alone. The core decides the mode:
 *   fast blink (5 Hz)  not connected to the broker
 *   slow blink (1 Hz)  a press waiting in the outbox, or the table is calling
 *   on                 acknowledged (the first 5 s after the ack)
 *   off                idle
 * Call with the cyw43 lock held (main loop). */
#ifndef CALLBELL_PICO_LED_H
#define CALLBELL_PICO_LED_H

#include <stdint.h>

#include "callbell/device.h"
#include "callbell/settings.h"

/* Sets up the external LED pins (if any) and matches them to dev's tables. */
void led_init(const cb_device *dev, const cb_settings *settings);

/* Drives the LEDs for time now_ms. Writes the on-board LED only when it changes:
 * each write is an SPI transaction to the Wi-Fi chip. */
void led_update(const cb_device *dev, uint32_t now_ms);

#endif
