/* mqtt_lwip.h - the core's MQTT port (callbell/mqtt_port.h) over lwIP's MQTT client.
 *
 * The Pico W counterpart of the PC's libmosquitto adapter: the same two calls
 * (publish, subscribe) into the client, the same events back into the engine
 * (cb_device_connected / _disconnected / _puback / _message). It also owns the
 * broker connection: DNS lookup (names and IP literals), TCP or TLS, CONNECT with
 * the engine's last will, keepalive 60 s (lwIP sends the PINGREQs), and reconnect
 * forever with the core's backoff + jitter.
 *
 * Locking (pico_cyw43_arch_lwip_threadsafe_background): lwIP runs its callbacks from
 * a low-priority interrupt while holding the cyw43 lock. The main loop takes the
 * same lock (cyw43_arch_lwip_begin) around everything it does, so the engine is only
 * ever touched by one side at a time: callbacks call into the engine directly, and
 * every function here is called with the lock held. */
#ifndef CALLBELL_PICO_MQTT_LWIP_H
#define CALLBELL_PICO_MQTT_LWIP_H

#include <stdbool.h>
#include <stdint.h>

#include "callbell/device.h"
#include "callbell/mqtt_port.h"
#include "callbell/settings.h"

/* The port to give cb_device_init. */
const cb_mqtt_port *mqtt_lwip_port(void);

/* Binds the adapter to the engine (for the will and the events) and prepares the
 * client: client id "cb-<device id>", credentials, TLS config when built with a CA.
 * Returns false if the will does not fit or TLS cannot be set up (logged). */
bool mqtt_lwip_init(cb_device *dev, uint32_t seed, const cb_settings *settings);

/* Steps the connection: connect when Wi-Fi is up and the backoff allows, drop the
 * connection when Wi-Fi is gone or the broker stopped answering. */
void mqtt_lwip_poll(bool wifi_up, uint32_t now_ms);

/* True once after each accepted connection (the main loop then publishes info). */
bool mqtt_lwip_take_connected(void);

/* Sleepy mode: a clean disconnect before the radio goes off; the next poll after
 * the wake connects at once. */
void mqtt_lwip_stop(void);

#endif
