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
 * Per button device: sensor "Battery" (mV, from its info) and binary_sensor
 * "Connected" (its status), for each device that publishes info. All are available
 * while hub/status says online. Unique ids are built from site and table or device
 * alone: the same after every restart. The hub follows its own configs (retained):
 * one whose table left the site is removed (an empty retained message), and a
 * device's go when its retained info is cleared. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"
#include "site_config.h"

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

/* The entities of a table end in these, a device's in the next two: the object id
 * "<id>_<suffix>" says whose it is (cb_ha_message). */
static const char *const table_entities[] = {"request", "calling", "waiting", "acknowledge"};
static const char *const device_entities[] = {"battery", "connectivity"};

static void add_availability(cJSON *o, const char *topic)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "topic", topic);
    cJSON_AddStringToObject(a, "payload_available", "online");
    cJSON_AddStringToObject(a, "payload_not_available", "offline");
    cJSON_AddItemToArray(cJSON_GetObjectItem(o, "availability"), a);
}

/* The table's entry in the site file, NULL without one. */
static const cb_site_table *site_table(cb_hub *hub, const char *id)
{
    return hub->site ? cb_site_config_table(hub->site, id) : NULL;
}

/* What every entity shares: unique id, availability (the hub's status), device
 * (a table or a button device: `kind`), origin. */
static cJSON *entity_of(cb_hub *hub, const char *kind, const char *id, const char *what, const char *name)
{
    const char *site = hub->opt->site;
    bool table = strcmp(kind, "table") == 0;
    char buf[160];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    snprintf(buf, sizeof buf, "callbell_%s_%s%s_%s", site, table ? "" : "device_", id, what);
    cJSON_AddStringToObject(o, "unique_id", buf);
    cJSON_AddArrayToObject(o, "availability");
    cb_topic_build(CB_TOPIC_HUB_STATUS, site, NULL, buf, sizeof buf);
    add_availability(o, buf);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    cJSON *ids = cJSON_AddArrayToObject(dev, "identifiers");
    snprintf(buf, sizeof buf, "callbell_%s_%s_%s", site, kind, id);
    cJSON_AddItemToArray(ids, cJSON_CreateString(buf));
    const cb_site_table *st = table ? site_table(hub, id) : NULL;
    if (st) /* what the staff call it, in the site they call it */
        snprintf(buf, sizeof buf, "%s (%s)", st->name, hub->site->name);
    else
        snprintf(buf, sizeof buf, "%s %s (%s)", table ? "Table" : "Button device", id, site);
    cJSON_AddStringToObject(dev, "name", buf);
    cJSON_AddStringToObject(dev, "manufacturer", "callbell");
    cJSON_AddStringToObject(dev, "model", table ? "service-call table" : "Pico W table buttons");
    if (table)
        cJSON_AddStringToObject(dev, "sw_version", CALLBELL_VERSION);
    cJSON *origin = cJSON_AddObjectToObject(o, "origin");
    cJSON_AddStringToObject(origin, "name", "callbell");
    cJSON_AddStringToObject(origin, "sw_version", CALLBELL_VERSION);
    return o;
}

static cJSON *entity(cb_hub *hub, const char *table, const char *what, const char *name)
{
    return entity_of(hub, "table", table, what, name);
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

/* The device registry's firmware version, from the device's info ("" unknown). */
static cJSON *with_firmware(cJSON *o, const char *fw)
{
    if (fw[0])
        cJSON_AddStringToObject(cJSON_GetObjectItem(o, "device"), "sw_version", fw);
    return o;
}

/* A button device: its battery (from its retained info) and whether it is connected
 * (its retained status, online / offline, its will). */
static void device_configs(cb_hub *hub, const char *device, const char *fw)
{
    char topic[CB_TOPIC_SIZE], obj[CB_ID_SIZE + 16];
    snprintf(obj, sizeof obj, "%s", device);
    cJSON *o = with_firmware(entity_of(hub, "device", device, "battery", "Battery"), fw);
    cb_topic_build(CB_TOPIC_DEVICE_INFO, hub->opt->site, device, topic, sizeof topic);
    cJSON_AddStringToObject(o, "state_topic", topic);
    cJSON_AddStringToObject(o, "value_template", "{{ value_json.battery_mv }}");
    cJSON_AddStringToObject(o, "unit_of_measurement", "mV");
    cJSON_AddStringToObject(o, "device_class", "voltage");
    cJSON_AddStringToObject(o, "state_class", "measurement");
    cb_topic_build(CB_TOPIC_DEVICE_STATUS, hub->opt->site, device, topic, sizeof topic);
    add_availability(o, topic); /* a device away has no battery reading */
    cJSON_AddStringToObject(o, "availability_mode", "all");
    publish_config(hub, "sensor", obj, "battery", o);

    o = with_firmware(entity_of(hub, "device", device, "connectivity", "Connected"), fw);
    cJSON_AddStringToObject(o, "state_topic", topic);
    cJSON_AddStringToObject(o, "payload_on", "online");
    cJSON_AddStringToObject(o, "payload_off", "offline");
    cJSON_AddStringToObject(o, "device_class", "connectivity");
    publish_config(hub, "binary_sensor", obj, "connectivity", o);
}

static void table_configs(cb_hub *hub, const char *table)
{
    char topic[CB_TOPIC_SIZE], payload[160];
    cJSON *o = entity(hub, table, "request", "Request");
    ha_topic(hub, table, "event", topic, sizeof topic);
    cJSON_AddStringToObject(o, "state_topic", topic);
    /* the kinds the table offers (the site file), call, bill and water without one */
    const cb_site_table *st = site_table(hub, table);
    const char *kinds[3];
    int n = 0;
    for (int k = CB_KIND_CALL; k <= CB_KIND_WATER; k++)
        if (!st || (st->kinds & (1u << k)))
            kinds[n++] = kind_names[k];
    if (n == 0) /* a table with only a cancel button: keep the list valid */
        kinds[n++] = kind_names[CB_KIND_CALL];
    cJSON_AddItemToObject(o, "event_types", cJSON_CreateStringArray(kinds, n));
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
        cb_table t;
        cb_table_index_get(&hub->tables, hub->tables.open[k].owner, &t);
        cb_notify_state(hub->ha_memory, &t.state, out, CB_REQUEST_MAX, &n);
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
    hub->ha_site = hub->site;
    for (uint32_t i = 0; i < hub->tables.count; i++)
        if (!hub->tables.heads[i].retiring && !hub->tables.heads[i].gone)
            table_configs(hub, cb_table_index_id(&hub->tables, i));
    cb_log("Home Assistant discovery: %u tables under %s/", hub->tables.count, hub->opt->ha_prefix);
}

void cb_ha_subscribe(cb_hub *hub, cb_mqtt *m)
{
    if (!hub->ha_memory)
        return;
    char filter[256];
    snprintf(filter, sizeof filter, "%s/+/callbell_%s/+/config", hub->opt->ha_prefix, hub->opt->site);
    cb_mqtt_subscribe(m, filter, 0);
    snprintf(filter, sizeof filter, "callbell/%s/device/+/info", hub->opt->site);
    cb_mqtt_subscribe(m, filter, 0);
}

static void remove_config(cb_hub *hub, const char *topic)
{
    if (hub->mqtt && cb_mqtt_publish(hub->mqtt, topic, "", 0, 1, true, NULL) == 0)
        hub->outstanding++;
}

/* A device that publishes info (firmware, simulated tables; not `callbell press`) is a
 * device in Home Assistant; retired (its info cleared), it leaves. */
static bool device_info(cb_hub *hub, const struct mosquitto_message *msg)
{
    cb_topic t;
    if (cb_topic_parse(msg->topic, strlen(msg->topic), &t) != CB_OK || t.type != CB_TOPIC_DEVICE_INFO)
        return false;
    if (strcmp(t.site, hub->opt->site) != 0 || !hub->mqtt)
        return true; /* NULL: still connecting; the info comes again on the next connect */
    if (msg->payloadlen > 0) {
        cb_info info;
        if (cb_info_decode(msg->payload, (size_t)msg->payloadlen, &info) != CB_OK)
            info.fw[0] = '\0'; /* the hub does not judge a device's info: no version then */
        device_configs(hub, t.id, info.fw);
        return true;
    }
    static const char *const components[] = {"sensor", "binary_sensor"};
    for (int k = 0; k < 2; k++) {
        char topic[256];
        snprintf(topic, sizeof topic, "%s/%s/callbell_%s/%s_%s/config", hub->opt->ha_prefix, components[k],
                 hub->opt->site, t.id, device_entities[k]);
        remove_config(hub, topic);
    }
    cb_log("Home Assistant: removed device %s (its info was cleared)", t.id);
    return true;
}

/* The table whose entity `object` ("<table>_<suffix>") is; false for a device's. */
static bool table_of(const char *object, char *id, size_t cap)
{
    const char *us = strrchr(object, '_');
    if (!us || (size_t)(us - object) >= cap)
        return false;
    for (size_t k = 0; k < sizeof table_entities / sizeof table_entities[0]; k++) {
        if (strcmp(us + 1, table_entities[k]) == 0) {
            memcpy(id, object, (size_t)(us - object));
            id[us - object] = '\0';
            return cb_id_check(id) == CB_OK;
        }
    }
    return false;
}

bool cb_ha_message(cb_hub *hub, const struct mosquitto_message *msg)
{
    const char *prefix = hub->opt->ha_prefix;
    size_t plen = prefix ? strlen(prefix) : 0;
    if (!hub->ha_memory)
        return false;
    if (strncmp(msg->topic, prefix, plen) != 0 || msg->topic[plen] != '/')
        return device_info(hub, msg);
    char component[32], node[64], object[96], id[CB_ID_SIZE], expect_node[64];
    snprintf(expect_node, sizeof expect_node, "callbell_%s", hub->opt->site);
    if (msg->payloadlen <= 0 ||
        sscanf(msg->topic + plen + 1, "%31[^/]/%63[^/]/%95[^/]/config", component, node, object) != 3 ||
        strcmp(node, expect_node) != 0 || !table_of(object, id, sizeof id))
        return true; /* already removed, a device's (removed with its info), or not ours */
    uint32_t i = cb_table_index_find(&hub->tables, id);
    if ((i == CB_NO_TABLE || hub->tables.heads[i].retiring || hub->tables.heads[i].gone) && hub->mqtt) {
        cb_log("Home Assistant: removing %s (table %s left the site)", msg->topic, id);
        remove_config(hub, msg->topic);
    }
    return true;
}

void cb_ha_state(cb_hub *hub, const cb_state *st)
{
    if (!hub->ha_memory)
        return;
    cb_notification out[CB_REQUEST_MAX];
    uint32_t n = 0;
    (void)cb_notify_state(hub->ha_memory, st, out, CB_REQUEST_MAX, &n); /* room for a state's all */
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
    if (hub->ha_configs_due || hub->ha_site != hub->site) /* a reload: names, kinds, tables */
        publish_configs(hub);
    if (now - hub->ha_waiting_ms < WAITING_EVERY_MS)
        return;
    hub->ha_waiting_ms = now;
    uint64_t wall = cb_wall_ms();
    for (uint32_t k = 0; k < hub->tables.open_count; k++) {
        cb_table t;
        cb_table_index_get(&hub->tables, hub->tables.open[k].owner, &t);
        if (waiting_s(&t.state, wall) > 0)
            publish_waiting(hub, &t.state, wall);
    }
}
