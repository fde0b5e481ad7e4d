/* ha_discovery.c - Home Assistant MQTT discovery (`callbell hub --ha-discovery`).
 *
 * Per table, retained under <prefix>/<component>/callbell_<site>/<table>_<what>/config
 * (docs/home-assistant.md has the payloads):
 *   event          "Request": event_types call, bill, water; fed from
 *                  callbell/<site>/ha/<table>/event {"event_type":...} on each new
 *                  request and escalation (the notify rule, callbell/notify.h)
 *   binary_sensor  "Calling": from the table's retained state (status == calling)
 *   sensor         "Waiting": seconds the oldest calling request has waited, retained on
 *                  callbell/<site>/ha/<table>/waiting, every 10 s while calling
 *   button         "Acknowledge": publishes an ack cmd for all the table's requests
 * All are available while hub/status says online. Unique ids are built from site and
 * table alone, so they are the same after every restart. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAITING_EVERY_MS 10000

static const char *const kind_names[] = {"call", "bill", "water"};

/* Publishes at QoS 1 (counted in the hub's window like its states). */
static void publish(cb_hub *hub, const char *topic, const char *payload, bool retain)
{
    if (cb_mqtt_publish(hub->mqtt, topic, payload, strlen(payload), 1, retain, NULL) == 0)
        hub->outstanding++;
}

static void ha_topic(cb_hub *hub, const char *table, const char *what, char *buf, size_t cap)
{
    snprintf(buf, cap, "callbell/%s/ha/%s/%s", hub->opt->site, table, what);
}

/* What every entity of a table shares: unique id, availability, device, origin. */
static cJSON *entity(cb_hub *hub, const char *table, const char *what, const char *name)
{
    const char *site = hub->opt->site;
    char buf[160];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    snprintf(buf, sizeof buf, "callbell_%s_%s_%s", site, table, what);
    cJSON_AddStringToObject(o, "unique_id", buf);
    cJSON *avail = cJSON_AddArrayToObject(o, "availability");
    cJSON *a = cJSON_CreateObject();
    cb_topic_build(CB_TOPIC_HUB_STATUS, site, NULL, buf, sizeof buf);
    cJSON_AddStringToObject(a, "topic", buf);
    cJSON_AddStringToObject(a, "payload_available", "online");
    cJSON_AddStringToObject(a, "payload_not_available", "offline");
    cJSON_AddItemToArray(avail, a);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    cJSON *ids = cJSON_AddArrayToObject(dev, "identifiers");
    snprintf(buf, sizeof buf, "callbell_%s_table_%s", site, table);
    cJSON_AddItemToArray(ids, cJSON_CreateString(buf));
    snprintf(buf, sizeof buf, "Table %s (%s)", table, site);
    cJSON_AddStringToObject(dev, "name", buf);
    cJSON_AddStringToObject(dev, "manufacturer", "callbell");
    cJSON_AddStringToObject(dev, "model", "service-call table");
    cJSON_AddStringToObject(dev, "sw_version", CALLBELL_VERSION);
    cJSON *origin = cJSON_AddObjectToObject(o, "origin");
    cJSON_AddStringToObject(origin, "name", "callbell");
    cJSON_AddStringToObject(origin, "sw_version", CALLBELL_VERSION);
    return o;
}

static void publish_config(cb_hub *hub, const char *component, const char *table, const char *what, cJSON *o)
{
    char topic[256];
    snprintf(topic, sizeof topic, "%s/%s/callbell_%s/%s_%s/config", hub->opt->ha_prefix, component, hub->opt->site,
             table, what);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text)
        publish(hub, topic, text, true);
    free(text);
}

static void table_configs(cb_hub *hub, const char *table)
{
    char topic[CB_TOPIC_SIZE], payload[160];
    cJSON *o = entity(hub, table, "request", "Request");
    ha_topic(hub, table, "event", topic, sizeof topic);
    cJSON_AddStringToObject(o, "state_topic", topic);
    cJSON_AddItemToObject(o, "event_types", cJSON_CreateStringArray(kind_names, 3));
    cJSON_AddStringToObject(o, "device_class", "button");
    publish_config(hub, "event", table, "request", o);

    o = entity(hub, table, "calling", "Calling");
    cb_topic_build(CB_TOPIC_STATE, hub->opt->site, table, topic, sizeof topic);
    cJSON_AddStringToObject(o, "state_topic", topic);
    cJSON_AddStringToObject(o, "value_template", "{{ 'ON' if value_json.status == 'calling' else 'OFF' }}");
    cJSON_AddStringToObject(o, "payload_on", "ON");
    cJSON_AddStringToObject(o, "payload_off", "OFF");
    publish_config(hub, "binary_sensor", table, "calling", o);

    o = entity(hub, table, "waiting", "Waiting");
    ha_topic(hub, table, "waiting", topic, sizeof topic);
    cJSON_AddStringToObject(o, "state_topic", topic);
    cJSON_AddStringToObject(o, "unit_of_measurement", "s");
    cJSON_AddStringToObject(o, "device_class", "duration");
    cJSON_AddStringToObject(o, "state_class", "measurement");
    publish_config(hub, "sensor", table, "waiting", o);

    o = entity(hub, table, "acknowledge", "Acknowledge");
    cb_topic_build(CB_TOPIC_CMD, hub->opt->site, table, topic, sizeof topic);
    cJSON_AddStringToObject(o, "command_topic", topic);
    /* a cmd without call or kind: every open request of the table (docs/protocol.md) */
    snprintf(payload, sizeof payload, "{\"v\":1,\"action\":\"ack\",\"by\":\"%s\"}", CB_HA_STAFF_NAME);
    cJSON_AddStringToObject(o, "payload_press", payload);
    publish_config(hub, "button", table, "acknowledge", o);
}

/* The seconds the table's oldest calling request has waited, 0 when none calls. */
static uint64_t waiting_s(const cb_state *st, uint64_t now)
{
    uint64_t w = 0, oldest = 0;
    for (uint32_t i = 0; i < st->n_requests; i++)
        if (st->requests[i].status == CB_CALLING && (oldest == 0 || st->requests[i].pressed_at < oldest))
            oldest = st->requests[i].pressed_at;
    if (oldest)
        cb_waiting_s(oldest, now, &w);
    return w;
}

static void publish_waiting(cb_hub *hub, const cb_state *st, uint64_t now)
{
    char topic[CB_TOPIC_SIZE], payload[24];
    ha_topic(hub, st->table, "waiting", topic, sizeof topic);
    snprintf(payload, sizeof payload, "%llu", (unsigned long long)waiting_s(st, now));
    publish(hub, topic, payload, true);
}

int cb_ha_start(cb_hub *hub)
{
    if (!hub->opt->ha_prefix)
        return 0;
    hub->ha_memory = malloc(sizeof *hub->ha_memory);
    if (!hub->ha_memory)
        return -1;
    cb_notify_init(hub->ha_memory);
    /* what is open now was announced before this start: only what changes from here on
     * is an event (a hub restart must not ring every waiting table again) */
    for (uint32_t k = 0; k < hub->tables.open_count; k++) {
        cb_notification out[CB_REQUEST_MAX];
        uint32_t n;
        cb_notify_state(hub->ha_memory, &hub->tables.open[k].state, out, CB_REQUEST_MAX, &n);
    }
    return 0;
}

void cb_ha_stop(cb_hub *hub)
{
    free(hub->ha_memory);
    hub->ha_memory = NULL;
}

void cb_ha_connected(cb_hub *hub)
{
    hub->ha_configs_due = hub->ha_memory != NULL;
}

/* On every connect: the broker may have lost its retained store meanwhile. */
static void publish_configs(cb_hub *hub)
{
    hub->ha_configs_due = false;
    for (uint32_t i = 0; i < hub->tables.count; i++)
        if (!hub->tables.heads[i].retiring)
            table_configs(hub, hub->tables.heads[i].id);
    cb_log("Home Assistant discovery: %u tables under %s/", hub->tables.count, hub->opt->ha_prefix);
}

void cb_ha_state(cb_hub *hub, const cb_state *st)
{
    if (!hub->ha_memory)
        return;
    cb_notification out[CB_REQUEST_MAX];
    uint32_t n = 0;
    if (cb_notify_state(hub->ha_memory, st, out, CB_REQUEST_MAX, &n) == CB_E_FULL)
        cb_log("Home Assistant: too many open requests remembered; an event was not sent");
    char topic[CB_TOPIC_SIZE], payload[128];
    ha_topic(hub, st->table, "event", topic, sizeof topic);
    for (uint32_t i = 0; i < n; i++) {
        const char *kind = "call";
        cb_kind_name(out[i].request.kind, &kind);
        snprintf(payload, sizeof payload, "{\"event_type\":\"%s\",\"call\":%llu,\"level\":%u}", kind,
                 (unsigned long long)out[i].request.call, out[i].level);
        publish(hub, topic, payload, false); /* an event is news, never retained */
    }
    publish_waiting(hub, st, cb_wall_ms());
}

void cb_ha_tick(cb_hub *hub)
{
    uint64_t now = cb_mono_ms();
    if (!hub->ha_memory || !cb_mqtt_connected(hub->mqtt))
        return;
    if (hub->ha_configs_due)
        publish_configs(hub);
    if (now - hub->ha_waiting_ms < WAITING_EVERY_MS)
        return;
    hub->ha_waiting_ms = now;
    uint64_t wall = cb_wall_ms();
    for (uint32_t k = 0; k < hub->tables.open_count; k++)
        if (waiting_s(&hub->tables.open[k].state, wall) > 0)
            publish_waiting(hub, &hub->tables.open[k].state, wall);
}
