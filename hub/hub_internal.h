/* hub_internal.h - the hub's running state, shared by hub.c (events), hub_ports.c
 * (the engine's ports) and hub_reports.c (statistics and request/reply). Not for
 * other directories. */
#ifndef CALLBELL_HUB_INTERNAL_H
#define CALLBELL_HUB_INTERNAL_H

#include "callbell/hub_engine.h"
#include "callbell/notify.h"
#include "hub.h"
#include "mqtt_client.h"
#include "registry.h"
#include "table_index.h"

#include <mosquitto.h>
#include <sys/stat.h>

/* A device as the shell keeps it: the engine's record first (the ports hand out a
 * pointer to it and get the slot back by a cast). */
typedef struct cb_hub_device_slot {
    cb_hub_device d;
    bool unsaved; /* changed in the open transaction; saved before COMMIT */
} cb_hub_device_slot;

typedef struct cb_hub {
    const cb_hub_options *opt;
    const cb_url *broker;
    cb_hub_engine engine;
    cb_store *store;
    cb_mqtt *mqtt;
    cb_table_index tables;
    cb_table scratch;            /* the table the engine is working on (ports.table) */
    uint32_t scratch_i;          /* its index, CB_NO_TABLE when none */
    cb_hub_device_slot *devices; /* open addressing by id; d.id[0] == 0 = empty */
    size_t device_slots, device_count, devices_unsaved;
    int outstanding;               /* publishes not yet acknowledged by the broker */
    uint32_t published_since_trim; /* give_back_heap */
    uint64_t trimmed_at_ms;
    bool stats_changed;
    uint64_t stats_published_ms; /* monotonic */
    bool store_failed;           /* the database took no write: acknowledge and publish nothing
                                  * more until it does again (ride_out_store_failure) */
    char store_error[512];       /* why, for the log */
    const char *topic;           /* of the message being handled, for rejection lines */
    uint64_t reject_window_ms;   /* rate limit of rejection log lines (cb_hub_reject) */
    unsigned reject_logged, reject_suppressed;
    cb_notify_memory *ha_memory;   /* Home Assistant discovery on: what its events announced */
    uint64_t ha_waiting_ms;        /* monotonic: the last round of waiting times */
    bool ha_configs_due;           /* connected since the configs last went out */
    const cb_site_config *ha_site; /* the site the configs last went out for (a reload changes it) */
    /* one active hub per site (hub_authority.c) */
    cb_hub_info info;    /* who this hub is: retained hub/info, the "info" answer */
    bool connected_once; /* a later connect is a reconnect: the session may have been taken */
    bool taken_over;     /* another hub serves the site now: stop, never take it back */
    int db_lock;         /* flock on <db>.lock, -1 when not held */
    /* the site file (hub_site.c) */
    const cb_site_config *site;    /* as running: opt->site_config, or site_reloaded */
    cb_site_config *site_reloaded; /* the last file a reload read (hub_site.c frees it) */
    bool site_dirty;               /* the site message must be (re)published */
    bool retire_pending;           /* a retiring table may have closed its last request */
    bool pressing;                 /* handling a press (retiring tables refuse new presses) */
    cb_registry registry;          /* the site's devices, when opt->registry_path names one */
    bool registry_on;              /* presses are checked against it (engine's permit port) */
    struct stat registry_seen;     /* the file when last read, to notice changes */
} cb_hub;

/* hub.c: counts nothing, logs "rejected <fmt...>" (rate-limited) */
void cb_hub_reject(cb_hub *hub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* hub_ports.c: the engine's ports over the table index, the device map, SQLite and
 * MQTT. cb_hub_save_devices writes the windows changed in the open transaction. */
void cb_hub_ports_init(cb_hub *hub, cb_hub_ports *ports);
cb_hub_device_slot *cb_hub_device_add(cb_hub *hub, const char *id);
int cb_hub_forget_devices(cb_hub *hub, size_t keep, char *err, size_t err_cap);
int cb_hub_save_devices(cb_hub *hub, char *err, size_t err_cap);

/* hub_authority.c: exactly one active hub per site (docs/protocol.md "hub info").
 * cb_hub_identity_init fills hub->info. cb_hub_claim asks whether another hub serves
 * the site: 0 go ahead (none, or a stale one), 1 another hub is active (err says
 * which), -1 the broker could not be asked (err). cb_hub_before_connect is the MQTT
 * client's reconnect hook: it stops the hub (taken_over) when another hub serves.
 * cb_hub_publish_info announces the hub (retained), on every connect. */
void cb_hub_identity_init(cb_hub *hub);
/* Start-up: fills hub->info, takes the database lock, then checks the site. 0: go
 * ahead; -1 with err: refused (or, for a standby, stopped while waiting). */
int cb_hub_take_authority(cb_hub *hub, volatile sig_atomic_t *stop, char *err, size_t err_cap);
int cb_hub_claim(cb_hub *hub, bool reconnect, char *err, size_t err_cap);
int cb_hub_before_connect(void *ctx, char *why, size_t why_cap);
void cb_hub_publish_info(cb_hub *hub);
/* The info object as cJSON (the "info" query's result); NULL when out of memory. */
struct cJSON *cb_hub_info_json(const cb_hub *hub);
/* hub_site.c: the site message, reloading the site file, retiring removed tables */
void cb_hub_site_init(cb_hub *hub);
/* The table's section in the site file the hub runs now (a reload may have moved it):
 * where boards ring, reports group and stored tables are reconciled. "" when it is in
 * none or there is no site file. Never NULL. */
const char *cb_hub_section_of(const cb_hub *hub, const char *table);
void cb_hub_site_free(cb_hub *hub);
/* Publishes the retained site message when it is due (after start, reconnect, reload). */
void cb_hub_publish_site(cb_hub *hub);
/* Re-reads the site file: applies a good one, logs what changed; refuses a bad one
 * (logged) and keeps the running site. Writes go to the open transaction. */
void cb_hub_reload(cb_hub *hub);
/* Drops the retiring tables whose requests are all closed (store, then their retained
 * state is cleared by the next publish). 0 or -1 (database) with err. */
int cb_hub_retire_idle(cb_hub *hub, char *err, size_t err_cap);
/* hub_registry.c: the site's registry of devices, read at start and again when the
 * file changes (checked every second); a broken file keeps the last good one. */
int cb_hub_registry_open(cb_hub *hub, char *err, size_t err_cap);
void cb_hub_registry_watch(cb_hub *hub);
void cb_hub_registry_close(cb_hub *hub);
cb_hub_permit cb_hub_registry_permit(void *ctx, const char *device, const char *table, const char **tables);
/* ha_discovery.c: Home Assistant MQTT discovery, when opt->ha_prefix is set (else
 * every call does nothing). start: 0 or -1 (out of memory). connected: on each
 * connect (the configs go out with the next tick). state: after a table's state went
 * out (events, waiting time). tick: every second (configs when due, waiting times
 * every 10 s). */
#define CB_HA_STAFF_NAME "Home Assistant"
int cb_ha_start(cb_hub *hub);
void cb_ha_stop(cb_hub *hub);
void cb_ha_connected(cb_hub *hub);
/* Subscribes m to this site's discovery configs and devices' info (QoS 0: not queued
 * while away). */
void cb_ha_subscribe(cb_hub *hub, cb_mqtt *m);
/* A retained config of this site's: removed when its table is gone. A device's info:
 * its configs (an empty info, a retired device: removed). true if msg was one of
 * these (the hub does nothing else with them). */
bool cb_ha_message(cb_hub *hub, const struct mosquitto_message *msg);
void cb_ha_state(cb_hub *hub, const cb_state *st);
void cb_ha_tick(cb_hub *hub);

/* hub_reports.c */
void cb_hub_publish_stats(cb_hub *hub);
void cb_hub_handle_request(cb_hub *hub, const char *payload, size_t len);

#endif
