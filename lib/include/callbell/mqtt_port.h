/* mqtt_port.h - how MQTT reaches the core: a tiny injected interface.
 *
 * Like coreMQTT takes its transport, the device engine takes an MQTT client through
 * these two callbacks: libmosquitto plugs in on the PC (pc/mqtt_client.c), lwIP's
 * MQTT client on the Pico W (firmware/pico_w/mqtt_lwip.c). The shell calls back into
 * the engine for connection changes, PUBACKs and incoming messages (device.h). */
#ifndef CALLBELL_MQTT_PORT_H
#define CALLBELL_MQTT_PORT_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cb_mqtt_port {
    void *ctx;
    /* Queue one message. For qos 1 the client stores a message id in *mid; the shell
     * later calls cb_device_puback() with it. Return CB_OK when queued, CB_E_FULL when
     * the client cannot take it now (the engine retries on a later poll), anything
     * else on failure (also retried). */
    cb_status (*publish)(void *ctx, const char *topic, const void *payload, size_t len, int qos, bool retain,
                         uint16_t *mid);
    /* Subscribe to a topic filter. Same return convention. */
    cb_status (*subscribe)(void *ctx, const char *filter, int qos);
} cb_mqtt_port;

#endif
