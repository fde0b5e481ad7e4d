/* device_port.c - cb_mqtt_port over cb_mqtt, and cb_mqtt's events back into the engine. */
#include "device_port.h"

#include "clock.h"

#include <stdio.h>
#include <string.h>

uint32_t cb_device_link_now(void)
{
    return (uint32_t)cb_mono_ms();
}

static cb_status port_publish(void *ctx, const char *topic, const void *payload, size_t len, int qos, bool retain,
                              uint16_t *mid)
{
    cb_device_link *link = ctx;
    /* Offline is "busy", not failure: the engine keeps the press and retries on a
     * later poll, after the reconnect. */
    if (!link->mqtt || !cb_mqtt_connected(link->mqtt))
        return CB_E_FULL;
    int m = 0;
    if (cb_mqtt_publish(link->mqtt, topic, payload, len, qos, retain, &m) != 0)
        return CB_E_FULL;
    if (mid)
        *mid = (uint16_t)m; /* MQTT packet ids are 16 bits; libmosquitto's int never exceeds that */
    return CB_OK;
}

static cb_status port_subscribe(void *ctx, const char *filter, int qos)
{
    cb_device_link *link = ctx;
    if (!link->mqtt)
        return CB_E_FULL;
    /* cb_mqtt remembers the filter and subscribes again after every reconnect. */
    return cb_mqtt_subscribe(link->mqtt, filter, qos) == 0 ? CB_OK : CB_E_FULL;
}

cb_mqtt_port cb_device_link_port(cb_device_link *link)
{
    memset(link, 0, sizeof *link);
    return (cb_mqtt_port){.ctx = link, .publish = port_publish, .subscribe = port_subscribe};
}

static void on_connect(void *ctx)
{
    cb_device_link *link = ctx;
    cb_device_connected(link->dev, cb_device_link_now());
    if (link->after.on_connect)
        link->after.on_connect(link->after.ctx);
}

static void on_disconnect(void *ctx)
{
    cb_device_link *link = ctx;
    cb_device_disconnected(link->dev);
    if (link->after.on_disconnect)
        link->after.on_disconnect(link->after.ctx);
}

static void on_publish(void *ctx, int mid)
{
    cb_device_link *link = ctx;
    cb_device_puback(link->dev, (uint16_t)mid);
    if (link->after.on_publish)
        link->after.on_publish(link->after.ctx, mid);
}

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    cb_device_link *link = ctx;
    /* A rejected payload is reported through the engine's log callback; the return
     * value adds nothing here. */
    (void)cb_device_message(link->dev, msg->topic, strlen(msg->topic), msg->payload,
                            msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, cb_device_link_now());
    if (link->after.on_message)
        link->after.on_message(link->after.ctx, msg);
}

int cb_device_link_open(cb_device_link *link, cb_device *dev, const cb_url *url, const cb_mqtt_options *opt,
                        const cb_mqtt_handlers *after, char *err, size_t err_cap)
{
    link->dev = dev;
    if (after)
        link->after = *after;
    const char *will_payload = NULL;
    cb_status st = cb_device_will(dev, link->will_topic, sizeof link->will_topic, &will_payload);
    if (st != CB_OK) {
        snprintf(err, err_cap, "cannot build the device's will: %s", cb_status_str(st));
        return -1;
    }
    cb_mqtt_options o = *opt;
    o.will_topic = link->will_topic;
    o.will_payload = will_payload;
    o.birth_payload = NULL;
    cb_mqtt_handlers h = {.ctx = link,
                          .on_connect = on_connect,
                          .on_disconnect = on_disconnect,
                          .on_message = on_message,
                          .on_publish = on_publish};
    link->mqtt = cb_mqtt_open(url, &o, &h, err, err_cap);
    return link->mqtt ? 0 : -1;
}

void cb_device_link_close(cb_device_link *link)
{
    /* Our own goodbye is no lost connection: the app should not report one. */
    link->after.on_disconnect = NULL;
    cb_mqtt_close(link->mqtt, "offline");
    link->mqtt = NULL;
}
