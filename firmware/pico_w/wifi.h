/* wifi.h - join the configured network and stay joined, forever.
 *
 * A state machine stepped from the main loop (never blocking: the watchdog is
 * watching). A failed or lost join is retried after the core's backoff with jitter
 * (1 s doubling to 60 s), so forty tables that lose the same access point do not
 * come back in lockstep. All calls with the cyw43 lock held (main loop). */
#ifndef CALLBELL_PICO_WIFI_H
#define CALLBELL_PICO_WIFI_H

#include <stdbool.h>
#include <stdint.h>

#include "callbell/settings.h"

/* Station mode, power-save mode; the first join starts on the next wifi_poll. */
void wifi_init(uint32_t seed, uint32_t now_ms, const cb_settings *settings);

/* Steps the state machine: join, watch the link, rejoin. */
void wifi_poll(uint32_t now_ms);

/* Joined with an IP address. */
bool wifi_is_up(void);

/* Signal strength in dBm (-127..0) into *rssi; false when not joined. */
bool wifi_rssi(int8_t *rssi);

/* Sleepy mode: leave the network before the chip is turned off... */
void wifi_stop(void);
/* ...and after it is on again, join at once (the last access point first). */
void wifi_restart(uint32_t now_ms);

#endif
