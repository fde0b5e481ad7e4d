/* power.h - sleepy mode's shell: the radio off, the RP2040 asleep until a button
 * (or a timer), then back. The engine decides when (cb_device_sleep_plan); this
 * only does it. */
#ifndef CALLBELL_PICO_POWER_H
#define CALLBELL_PICO_POWER_H

#include <stdint.h>

#include "callbell/settings.h"

/* Sleeps now: call with the Wi-Fi chip already off (cyw43_arch_deinit). wake_in_ms
 * 0: dormant until a button's active edge (pico-extras' sleep when the build has
 * it, PICO_EXTRAS_PATH); otherwise, or with a timer, a light sleep that wakes on
 * the buttons' interrupt or after wake_in_ms, feeding the watchdog. Dormant turns
 * the watchdog off and on again (watchdog_ms). Returns after the wake, clocks
 * restored. */
void power_sleep(const cb_settings *s, uint32_t wake_in_ms, uint32_t watchdog_ms);

#endif
