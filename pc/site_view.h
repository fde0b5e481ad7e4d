/* site_view.h - what staff see of one site, rebuilt from retained MQTT messages:
 * every table's state, device availability and battery, the hub's status.
 * Shared by `callbell board` and `callbell calls`, so both read the same truth. */
#ifndef CALLBELL_PC_SITE_VIEW_H
#define CALLBELL_PC_SITE_VIEW_H

#include "callbell/protocol.h"
#include "mqtt_client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cb_view_device {
    char id[CB_ID_SIZE];
    bool online;
    bool has_info;
    cb_info info;
} cb_view_device;

typedef enum cb_view_change {
    CB_VIEW_NOTHING = 0,
    CB_VIEW_CHANGED, /* something to redraw */
    CB_VIEW_ALERT    /* a new call, or a re-alert: ring the bell */
} cb_view_change;

typedef struct cb_site_view {
    char site[CB_ID_SIZE];
    cb_state *tables; /* sorted by table id (numbers in numeric order) */
    size_t table_count, table_cap;
    cb_view_device *devices;
    size_t device_count, device_cap;
    bool hub_known; /* a hub/status message was seen */
    bool hub_online;
    bool hub_degraded;           /* "degraded": up, but its database takes no writes (calls wait) */
    char stats[CB_PAYLOAD_SIZE]; /* raw retained stats JSON, "" if none */
    unsigned rejected;           /* messages that failed to decode */
} cb_site_view;

int cb_site_view_init(cb_site_view *v, const char *site);
void cb_site_view_free(cb_site_view *v);
/* Subscribes m to everything the view needs (re-subscribed on reconnect). */
int cb_site_view_subscribe(cb_site_view *v, cb_mqtt *m);
/* Feeds one message; returns what changed. Bad payloads are counted, not fatal. */
cb_view_change cb_site_view_message(cb_site_view *v, const char *topic, const void *payload, size_t len);
/* Open calls (calling or acknowledged), oldest pressed_at first, into out[cap]
 * (pointers into the view, valid until the next message). Returns the count. */
size_t cb_site_view_open_calls(const cb_site_view *v, const cb_state **out, size_t cap);
/* Compares table ids as people do: "2" < "10" < "bar". */
int cb_table_id_cmp(const char *a, const char *b);

#endif
