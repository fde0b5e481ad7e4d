/* device_port.h - the PC's cb_mqtt_port: the device engine (callbell/device.h) over
 * cb_mqtt (libmosquitto), the twin of the firmware's lwIP adapter.
 *
 * The link owns the wiring both ways: the engine publishes and subscribes through the
 * port, and cb_mqtt's connect / disconnect / PUBACK / message callbacks go back into
 * the engine. The engine reads no clock, so the link passes cb_device_link_now().
 *
 * Use: cb_device_link_port() → cb_device_init(dev, cfg, &port) → cb_device_link_open()
 * → drive cb_mqtt_run() and cb_device_poll() from the main loop. */
#ifndef CALLBELL_PC_DEVICE_PORT_H
#define CALLBELL_PC_DEVICE_PORT_H

#include "callbell/device.h"
#include "callbell/mqtt_port.h"
#include "mqtt_client.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cb_device_link {
    cb_device *dev;
    cb_mqtt *mqtt;          /* NULL until cb_device_link_open */
    cb_mqtt_handlers after; /* the app's own handlers, called after the engine's (optional) */
    char will_topic[CB_TOPIC_SIZE];
} cb_device_link;

/* The device's millisecond clock (wraps every 49 days, as on the Pico). */
uint32_t cb_device_link_now(void);

/* Zeroes *link and returns a port that publishes through it. Pass the port to
 * cb_device_init before the link is opened: until then publishes report CB_E_FULL
 * (the engine retries them), as while the broker is away. */
cb_mqtt_port cb_device_link_port(cb_device_link *link);

/* Opens the MQTT client for dev: the will is the device's (cb_device_will) and no
 * birth payload, because the engine publishes "online" itself on every connect.
 * opt's will and birth fields are overridden. `after` (optional) gets the same
 * events once the engine has seen them. Returns 0, or -1 with err filled. */
int cb_device_link_open(cb_device_link *link, cb_device *dev, const cb_url *url, const cb_mqtt_options *opt,
                        const cb_mqtt_handlers *after, char *err, size_t err_cap);

/* Closes the client; when connected, "offline" is published first so a clean exit
 * looks like the will would. NULL-safe on link->mqtt. */
void cb_device_link_close(cb_device_link *link);

#endif
