/* hub_internal.h - the hub's running state, shared by hub.c (events) and
 * hub_reports.c (statistics and request/reply). Not for other directories. */
#ifndef CALLBELL_HUB_INTERNAL_H
#define CALLBELL_HUB_INTERNAL_H

#include "hub.h"
#include "mqtt_client.h"
#include "table_index.h"

#include <mosquitto.h>

typedef struct cb_hub_device {
    char id[CB_ID_SIZE];
    cb_dedup dedup;
    uint64_t last_seen; /* hub clock ms of the last accepted press */
    bool unsaved;       /* window changed in the open transaction; saved before COMMIT */
} cb_hub_device;

typedef struct cb_hub {
    const cb_hub_options *opt;
    const cb_url *broker;
    cb_store *store;
    cb_mqtt *mqtt;
    cb_table_index tables;
    cb_hub_device *devices; /* open addressing by id; id[0] == 0 = empty */
    size_t device_slots, device_count, devices_unsaved;
    uint64_t next_call_id;
    int outstanding; /* state publishes not yet acknowledged by the broker */
    bool stats_changed;
    uint64_t stats_published_ms; /* monotonic */
    bool store_failed;           /* the database took no write: acknowledge and publish nothing
                                  * more until it does again (ride_out_store_failure) */
    unsigned long accepted, rejected, duplicates;
    uint64_t reject_window_ms; /* rate limit of rejection log lines (cb_hub_reject) */
    unsigned reject_logged, reject_suppressed;
} cb_hub;

/* hub.c: counts a rejected message and logs "rejected <fmt...>" (rate-limited) */
void cb_hub_reject(cb_hub *hub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* hub_reports.c */
void cb_hub_publish_stats(cb_hub *hub);
void cb_hub_handle_request(cb_hub *hub, const char *payload, size_t len);

#endif
