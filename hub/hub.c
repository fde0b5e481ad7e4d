/* hub.c - the hub's event loop: MQTT in, rules, SQLite, MQTT out. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define PUBLISH_WINDOW 1000 /* QoS 1 states in flight at once; bounds the client's memory */
#define BURST_PACKETS 512   /* messages handled in one transaction at most */
#define REJECT_LOG_PER_S 20 /* rejection log lines a second at most */
#define STORE_RETRY_MS 2000 /* how often a hub that cannot store tries the disk again */

static void fail_db(cb_hub *hub, const char *err)
{
    cb_log("cannot store: %s; acknowledging and publishing nothing until the database takes writes again", err);
    hub->store_failed = true;
    /* nothing read from here on can be kept: leave it unacknowledged with the broker,
     * which delivers it again once the hub can store it */
    if (hub->mqtt)
        cb_mqtt_stop_reading(hub->mqtt);
}

/* ---- devices: de-duplication windows ------------------------------------ */

static cb_hub_device *device_slot(cb_hub_device *slots, size_t n, const char *id)
{
    for (size_t i = cb_id_hash(id) & (n - 1);; i = (i + 1) & (n - 1))
        if (slots[i].id[0] == '\0' || strcmp(slots[i].id, id) == 0)
            return &slots[i];
}

static int newest_first(const void *a, const void *b)
{
    uint64_t x = ((const cb_hub_device *)a)->last_seen, y = ((const cb_hub_device *)b)->last_seen;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Keeps the `keep` most recently heard devices and forgets the rest, in memory and in
 * the database. Their windows only guard against late copies of presses long since
 * applied, while a flood of made-up device ids must not grow the hub without bound. */
static int forget_devices(cb_hub *hub, size_t keep, char *err, size_t err_cap)
{
    size_t n = hub->device_count, k = 0;
    cb_hub_device *live = malloc(n * sizeof *live);
    if (!live) {
        snprintf(err, err_cap, "out of memory for the device table");
        return -1;
    }
    for (size_t i = 0; i < hub->device_slots; i++)
        if (hub->devices[i].id[0])
            live[k++] = hub->devices[i];
    qsort(live, n, sizeof *live, newest_first);
    int rc = cb_store_begin(hub->store, err, err_cap);
    for (size_t i = keep; i < n && rc == 0; i++)
        rc = cb_store_forget_device(hub->store, live[i].id, err, err_cap);
    if (rc == 0) {
        memset(hub->devices, 0, hub->device_slots * sizeof *hub->devices);
        hub->device_count = hub->devices_unsaved = 0;
        for (size_t i = 0; i < keep; i++) {
            *device_slot(hub->devices, hub->device_slots, live[i].id) = live[i];
            hub->device_count++;
            hub->devices_unsaved += live[i].unsaved;
        }
        uint64_t now = cb_wall_ms(), newest = live[keep].last_seen;
        cb_log("device limit (--max-devices %zu) reached: forgot the duplicate windows of %zu devices, "
               "the latest of them heard from %llu s ago",
               hub->opt->max_devices, n - keep, (unsigned long long)(now > newest ? (now - newest) / 1000 : 0));
    }
    free(live);
    return rc;
}

/* The device's slot, added if new. NULL with err filled when memory or the database
 * fails. A new device beyond --max-devices first makes room (forget_devices) unless
 * `loading`: the hub is reading the database, which it trims afterwards. */
static cb_hub_device *device_get(cb_hub *hub, const char *id, bool loading, char *err, size_t err_cap)
{
    cb_hub_device *d = hub->device_slots ? device_slot(hub->devices, hub->device_slots, id) : NULL;
    if (d && d->id[0])
        return d;
    if (!loading && hub->device_count >= hub->opt->max_devices &&
        forget_devices(hub, hub->opt->max_devices / 2, err, err_cap) != 0)
        return NULL;
    if ((hub->device_count + 1) * 2 > hub->device_slots) {
        size_t n = hub->device_slots ? hub->device_slots * 2 : 64;
        cb_hub_device *slots = calloc(n, sizeof *slots);
        if (!slots) {
            snprintf(err, err_cap, "out of memory for the device table");
            return NULL;
        }
        for (size_t i = 0; i < hub->device_slots; i++)
            if (hub->devices[i].id[0])
                *device_slot(slots, n, hub->devices[i].id) = hub->devices[i];
        free(hub->devices);
        hub->devices = slots;
        hub->device_slots = n;
    }
    d = device_slot(hub->devices, hub->device_slots, id);
    snprintf(d->id, sizeof d->id, "%s", id);
    cb_dedup_init(&d->dedup);
    hub->device_count++;
    return d;
}

/* Writes the windows changed in the open transaction; called before every COMMIT. */
static int save_devices(cb_hub *hub, char *err, size_t err_cap)
{
    for (size_t i = 0; i < hub->device_slots && hub->devices_unsaved > 0; i++) {
        cb_hub_device *d = &hub->devices[i];
        if (!d->unsaved)
            continue;
        if (cb_store_put_device(hub->store, d->id, &d->dedup, d->last_seen, err, err_cap) != 0)
            return -1;
        d->unsaved = false;
        hub->devices_unsaved--;
    }
    return 0;
}

/* ---- events ---------------------------------------------------------------- */

/* Counts a rejected message and logs why, at most REJECT_LOG_PER_S lines a second:
 * a broken or hostile device sending thousands of bad messages must not drown the log
 * (or the disk) -- the lines it suppresses are counted and reported. */
static void reject_window(cb_hub *hub, bool force)
{
    uint64_t now = cb_mono_ms();
    if (!force && now - hub->reject_window_ms < 1000)
        return;
    if (hub->reject_suppressed)
        cb_log("%u more messages rejected in the last second (not logged)", hub->reject_suppressed);
    hub->reject_window_ms = now;
    hub->reject_logged = 0;
    hub->reject_suppressed = 0;
}

void cb_hub_reject(cb_hub *hub, const char *fmt, ...)
{
    hub->rejected++;
    reject_window(hub, false);
    if (hub->reject_logged >= REJECT_LOG_PER_S) {
        hub->reject_suppressed++;
        return;
    }
    hub->reject_logged++;
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cb_log("rejected %s", line);
}

static void reject(cb_hub *hub, const char *topic, const char *what, cb_status why)
{
    cb_hub_reject(hub, "%s on '%.128s': %s", what, topic, cb_status_str(why));
}

/* Stores the change from `before` to the table's state and queues its publish. */
static void commit_change(cb_hub *hub, uint32_t i, const cb_table *before, cb_effect effect, const char *who,
                          uint32_t boot, uint32_t seq, uint64_t now)
{
    cb_table *t = &hub->tables.tables[i];
    char err[512];
    if (cb_store_begin(hub->store, err, sizeof err) != 0 || cb_store_put_table(hub->store, t, err, sizeof err) != 0 ||
        cb_store_record(hub->store, before, t, effect, who, boot, seq, now, err, sizeof err) != 0) {
        fail_db(hub, err);
        return;
    }
    cb_table_index_mark_changed(&hub->tables, i);
    hub->stats_changed = true;
    hub->accepted++;
    if (hub->opt->log_events) {
        const char *effect_name = "?", *kind = "?";
        cb_effect_name(effect, &effect_name);
        const cb_state *call = effect == CB_EFFECT_DONE || effect == CB_EFFECT_CANCELLED ? &before->state : &t->state;
        cb_kind_name(call->kind, &kind);
        cb_log("table %s: %s call %llu (%s) by %s", t->state.table, effect_name, (unsigned long long)call->call, kind,
               who && who[0] ? who : "hub");
    }
}

/* The table a message's topic names, or CB_NO_TABLE (logged) if this hub does not
 * serve it. */
static uint32_t known_table(cb_hub *hub, const char *topic, const cb_topic *tp, const char *what)
{
    uint32_t i = cb_table_index_find(&hub->tables, tp->id);
    if (i == CB_NO_TABLE) {
        cb_hub_reject(hub, "%s on '%s': unknown table '%s' (not in this hub's --tables)", what, topic, tp->id);
    }
    return i;
}

static void handle_press(cb_hub *hub, const char *topic, const cb_topic *tp, const void *payload, size_t len)
{
    cb_press press;
    cb_status st = cb_press_decode(payload, len, &press);
    if (st != CB_OK) {
        reject(hub, topic, "press", st);
        return;
    }
    uint32_t i = known_table(hub, topic, tp, "press");
    if (i == CB_NO_TABLE)
        return;
    char err[512];
    cb_hub_device *dev = device_get(hub, press.device, false, err, sizeof err);
    if (!dev) {
        fail_db(hub, err);
        return;
    }
    st = cb_dedup_check(&dev->dedup, press.boot, press.seq);
    if (st == CB_E_DUPLICATE) {
        hub->duplicates++;
        if (hub->opt->log_events)
            cb_log("table %s: duplicate press %s/%u/%u dropped", tp->id, press.device, press.boot, press.seq);
        return;
    }
    if (st != CB_OK) {
        reject(hub, topic, "press", st);
        return;
    }
    uint64_t now = cb_wall_ms();
    uint64_t pressed_at = press.age_ms < now ? now - press.age_ms : now;
    cb_table before = hub->tables.tables[i];
    cb_effect effect = CB_EFFECT_NONE;
    cb_table_press(&hub->tables.tables[i], press.kind, pressed_at, now, hub->next_call_id, &effect);
    if (effect == CB_EFFECT_OPENED)
        hub->next_call_id++;
    /* the window is saved with the event in the same transaction (a replay after a
     * restart is still recognised), once per device and burst: save_devices() */
    if (cb_store_begin(hub->store, err, sizeof err) != 0) {
        fail_db(hub, err);
        return;
    }
    dev->last_seen = now;
    if (!dev->unsaved) {
        dev->unsaved = true;
        hub->devices_unsaved++;
    }
    if (effect != CB_EFFECT_NONE)
        commit_change(hub, i, &before, effect, press.device, press.boot, press.seq, now);
}

static void handle_cmd(cb_hub *hub, const char *topic, const cb_topic *tp, const void *payload, size_t len)
{
    cb_cmd cmd;
    cb_status st = cb_cmd_decode(payload, len, &cmd);
    if (st != CB_OK) {
        reject(hub, topic, "command", st);
        return;
    }
    uint32_t i = known_table(hub, topic, tp, "command");
    if (i == CB_NO_TABLE)
        return;
    uint64_t now = cb_wall_ms();
    cb_table before = hub->tables.tables[i];
    cb_effect effect;
    st = cb_table_cmd(&hub->tables.tables[i], &cmd, now, &effect);
    if (st != CB_OK) {
        const char *action = "?";
        cb_action_name(cmd.action, &action);
        cb_hub_reject(hub, "%s for table %s by %s: %s", action, tp->id, cmd.by,
                      st == CB_E_NO_CALL ? "no open call"
                      : st == CB_E_STALE ? "names a call that is not open"
                                         : cb_status_str(st));
        return;
    }
    commit_change(hub, i, &before, effect, cmd.by, 0, 0, now);
}

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    cb_hub *hub = ctx;
    if (hub->store_failed)
        return;
    cb_topic tp;
    cb_status st = cb_topic_parse(msg->topic, strlen(msg->topic), &tp);
    if (st != CB_OK) {
        reject(hub, msg->topic, "message", st);
        return;
    }
    if (strcmp(tp.site, hub->opt->site) != 0)
        return;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    switch (tp.type) {
    case CB_TOPIC_PRESS:
        handle_press(hub, msg->topic, &tp, msg->payload, len);
        break;
    case CB_TOPIC_CMD:
        handle_cmd(hub, msg->topic, &tp, msg->payload, len);
        break;
    case CB_TOPIC_HUB_REQUEST:
        cb_hub_handle_request(hub, msg->payload, len);
        break;
    default:
        break;
    }
}

static void on_publish(void *ctx, int mid)
{
    (void)mid;
    cb_hub *hub = ctx;
    if (hub->outstanding > 0)
        hub->outstanding--;
}

static void mark_all_dirty(cb_hub *hub)
{
    for (uint32_t i = 0; i < hub->tables.count; i++)
        cb_table_index_mark_dirty(&hub->tables, i);
    hub->stats_changed = true;
}

static void on_connect(void *ctx)
{
    cb_hub *hub = ctx;
    hub->outstanding = 0;
    /* the broker may have lost its retained store while we were away: say it again */
    mark_all_dirty(hub);
}

/* ---- publishing ------------------------------------------------------------ */

static void publish_dirty(cb_hub *hub)
{
    while (hub->outstanding < PUBLISH_WINDOW && cb_mqtt_connected(hub->mqtt)) {
        uint32_t i = cb_table_index_pop_dirty(&hub->tables);
        if (i == CB_NO_TABLE)
            return;
        const cb_state *st = &hub->tables.tables[i].state;
        char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
        size_t len;
        if (cb_topic_build(CB_TOPIC_STATE, hub->opt->site, st->table, topic, sizeof topic) != CB_OK ||
            cb_state_encode(st, payload, sizeof payload, &len) != CB_OK) {
            cb_log("cannot encode state of table %s (bug)", st->table);
            continue;
        }
        if (cb_mqtt_publish(hub->mqtt, topic, payload, len, 1, true, NULL) != 0) {
            cb_table_index_mark_dirty(&hub->tables, i); /* retried after reconnect */
            return;
        }
        hub->outstanding++;
    }
}

static void escalate(cb_hub *hub)
{
    uint64_t now = cb_wall_ms();
    for (uint32_t i = 0; i < hub->tables.count && !hub->store_failed; i++) {
        cb_table *t = &hub->tables.tables[i];
        if (t->state.status == CB_IDLE)
            continue;
        cb_table before = *t;
        cb_effect effect;
        if (cb_table_tick(t, &hub->opt->call, now, &effect) == CB_OK && effect != CB_EFFECT_NONE)
            commit_change(hub, i, &before, effect, "", 0, 0, now);
    }
}

/* ---- start-up ------------------------------------------------------------ */

static void load_table(void *ctx, const cb_table *t)
{
    cb_table_index *stored = ctx;
    if (cb_table_index_find(stored, t->state.table) == CB_NO_TABLE)
        cb_table_index_add(stored, t);
}

static void load_device(void *ctx, const char *id, const cb_dedup *d, uint64_t last_seen)
{
    char err[128];
    cb_hub_device *dev = device_get(ctx, id, true, err, sizeof err);
    if (dev) {
        dev->dedup = *d;
        dev->last_seen = last_seen;
    }
}

static int load(cb_hub *hub, char *err, size_t err_cap)
{
    const cb_table_list *list = hub->opt->tables;
    cb_table_index stored; /* what the database had, before the configuration is applied */
    if (cb_table_index_init(&hub->tables) != 0 || cb_table_index_init(&stored) != 0) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    if (cb_store_load_tables(hub->store, load_table, &stored, err, err_cap) != 0 ||
        cb_store_load_devices(hub->store, load_device, hub, err, err_cap) != 0 ||
        cb_store_max_call_id(hub->store, &hub->next_call_id, err, err_cap) != 0) {
        cb_table_index_free(&stored);
        return -1;
    }
    hub->next_call_id++;
    if (hub->device_count > hub->opt->max_devices &&
        forget_devices(hub, hub->opt->max_devices, err, err_cap) != 0) { /* --max-devices was lowered */
        cb_table_index_free(&stored);
        return -1;
    }
    if (cb_table_index_reserve(&hub->tables, (uint32_t)list->count) != 0) {
        snprintf(err, err_cap, "out of memory for %zu tables", list->count);
        cb_table_index_free(&stored);
        return -1;
    }
    uint64_t now = cb_wall_ms();
    int rc = cb_store_begin(hub->store, err, err_cap);
    for (size_t k = 0; k < list->count && rc == 0; k++) {
        uint32_t j = cb_table_index_find(&stored, list->ids[k]);
        cb_table t;
        if (j != CB_NO_TABLE) {
            t = stored.tables[j];
        } else {
            cb_table_init(&t, list->ids[k], now);
            rc = cb_store_put_table(hub->store, &t, err, err_cap);
        }
        if (rc == 0 && cb_table_index_find(&hub->tables, t.state.table) == CB_NO_TABLE &&
            cb_table_index_add(&hub->tables, &t) == CB_NO_TABLE) {
            snprintf(err, err_cap, "out of memory for %zu tables", list->count);
            rc = -1;
        }
    }
    /* an open call is never dropped, even if its table left the configuration */
    uint32_t extra = 0;
    for (uint32_t j = 0; j < stored.count; j++)
        extra += stored.tables[j].state.status != CB_IDLE &&
                 cb_table_index_find(&hub->tables, stored.tables[j].state.table) == CB_NO_TABLE;
    if (rc == 0 && extra && cb_table_index_reserve(&hub->tables, hub->tables.count + extra) != 0) {
        snprintf(err, err_cap, "out of memory");
        rc = -1;
    }
    for (uint32_t j = 0; j < stored.count && rc == 0; j++) {
        const cb_table *t = &stored.tables[j];
        if (t->state.status != CB_IDLE && cb_table_index_find(&hub->tables, t->state.table) == CB_NO_TABLE) {
            cb_log("table %s is not in --tables but has an open call; keeping it until it is done", t->state.table);
            cb_table_index_add(&hub->tables, t);
        }
    }
    if (rc == 0)
        rc = cb_store_commit(hub->store, err, err_cap);
    cb_table_index_free(&stored);
    return rc;
}

/* ---- the broker session ------------------------------------------------------ */

static void status_topic_of(const cb_hub *hub, char *topic)
{
    cb_topic_build(CB_TOPIC_HUB_STATUS, hub->opt->site, NULL, topic, CB_TOPIC_SIZE);
}

/* The hub's own session: a fixed id and a persistent session, so presses sent while
 * the hub is down (or cannot store) wait in the broker's queue for it. A second hub
 * for the same site takes over the session. NULL with err if it cannot be made. */
static cb_mqtt *open_session(cb_hub *hub, const cb_url *broker, char *err, size_t err_cap)
{
    char status_topic[CB_TOPIC_SIZE], client_id[64], filter[CB_TOPIC_SIZE];
    status_topic_of(hub, status_topic);
    snprintf(client_id, sizeof client_id, "callbell-hub-%s", hub->opt->site);
    cb_mqtt_options mo = {.client_id = client_id,
                          .clean_session = false,
                          .keepalive_s = 30,
                          .will_topic = status_topic,
                          .will_payload = "offline",
                          .birth_payload = "online",
                          /* a press is acknowledged to the broker only once it is committed */
                          .hold_writes = true};
    cb_mqtt_handlers mh = {.ctx = hub, .on_message = on_message, .on_publish = on_publish, .on_connect = on_connect};
    cb_mqtt *m = cb_mqtt_open(broker, &mo, &mh, err, err_cap);
    if (!m)
        return NULL;
    snprintf(filter, sizeof filter, "callbell/%s/table/+/press", hub->opt->site);
    cb_mqtt_subscribe(m, filter, 1);
    snprintf(filter, sizeof filter, "callbell/%s/table/+/cmd", hub->opt->site);
    cb_mqtt_subscribe(m, filter, 1);
    cb_topic_build(CB_TOPIC_HUB_REQUEST, hub->opt->site, NULL, filter, sizeof filter);
    cb_mqtt_subscribe(m, filter, 1);
    char why[512];
    if (cb_mqtt_connect(m, 5000, why, sizeof why) != 0)
        cb_log("%s; will keep trying", why); /* the hub outlives broker restarts */
    else
        cb_log("connected to the broker as %s", client_id);
    return m;
}

/* ---- a database that takes no writes --------------------------------------------
 * A full or read-only disk must not stop call handling for good, nor make the hub
 * restart in a loop. The hub leaves its session (nothing it could not store is
 * acknowledged: the broker keeps it, and with it every press made meanwhile), says
 * "degraded" on hub/status from a connection of its own, tries the disk again every
 * STORE_RETRY_MS and, once a write goes through, takes its session back and catches up
 * on what the broker kept. */

typedef int (*cb_store_retry)(cb_hub *hub, char *err, size_t err_cap); /* 0 = storing again */

static int while_degraded(cb_hub *hub, const cb_url *broker, volatile sig_atomic_t *stop, cb_store_retry retry,
                          const char *why)
{
    char topic[CB_TOPIC_SIZE], client_id[64], err[600];
    status_topic_of(hub, topic);
    snprintf(client_id, sizeof client_id, "callbell-hub-%s-degraded", hub->opt->site);
    cb_mqtt_options mo = {.client_id = client_id,
                          .clean_session = true,
                          .keepalive_s = 30,
                          .will_topic = topic,
                          .will_payload = "offline",
                          .birth_payload = "degraded",
                          .quiet = true};
    cb_mqtt *status = cb_mqtt_open(broker, &mo, NULL, err, sizeof err);
    if (!status)
        cb_log("cannot report the degraded state: %s", err);
    cb_log("degraded (%s): calls wait at the broker; trying the database again every %d s", why, STORE_RETRY_MS / 1000);
    uint64_t next_try = cb_mono_ms() + STORE_RETRY_MS;
    while (!*stop) {
        if (status)
            cb_mqtt_run(status, 200);
        else
            cb_sleep_ms(200);
        if (cb_mono_ms() < next_try)
            continue;
        next_try = cb_mono_ms() + STORE_RETRY_MS;
        if (retry(hub, err, sizeof err) == 0) {
            cb_mqtt_close(status, NULL);
            return 0;
        }
        /* again: the will of the session we left may have landed after our "degraded" */
        if (status)
            cb_mqtt_publish(status, topic, "degraded", 8, 1, true, NULL);
    }
    cb_mqtt_close(status, "offline");
    return -1;
}

static void reload_table(void *ctx, const cb_table *t)
{
    cb_hub *hub = ctx;
    uint32_t i = cb_table_index_find(&hub->tables, t->state.table);
    if (i != CB_NO_TABLE) {
        hub->tables.tables[i] = *t;
        cb_table_index_mark_dirty(&hub->tables, i);
    }
}

/* Back to what the database holds: the rolled-back burst had changed tables, windows
 * and the call counter in memory only. */
static int reload(cb_hub *hub, char *err, size_t err_cap)
{
    if (hub->devices)
        memset(hub->devices, 0, hub->device_slots * sizeof *hub->devices);
    hub->device_count = hub->devices_unsaved = 0;
    if (cb_store_load_tables(hub->store, reload_table, hub, err, err_cap) != 0 ||
        cb_store_load_devices(hub->store, load_device, hub, err, err_cap) != 0 ||
        cb_store_max_call_id(hub->store, &hub->next_call_id, err, err_cap) != 0)
        return -1;
    hub->next_call_id++;
    return 0;
}

static int resume_storing(cb_hub *hub, char *err, size_t err_cap)
{
    if (cb_store_check_writable(hub->store, err, err_cap) != 0 || reload(hub, err, err_cap) != 0)
        return -1;
    cb_log("the database takes writes again: catching up on what the broker kept");
    hub->mqtt = open_session(hub, hub->broker, err, err_cap);
    if (!hub->mqtt)
        return -1;
    hub->store_failed = false;
    return 0;
}

/* After fail_db: drops the burst (its PUBACKs never leave), then waits for the disk. */
static int ride_out_store_failure(cb_hub *hub, const cb_url *broker, volatile sig_atomic_t *stop)
{
    cb_store_rollback(hub->store);
    cb_mqtt_abort(hub->mqtt);
    hub->mqtt = NULL;
    return while_degraded(hub, broker, stop, resume_storing, "the database takes no writes");
}

static int open_store(cb_hub *hub, char *err, size_t err_cap)
{
    bool disk;
    hub->store = cb_store_open(hub->opt->db_path, hub->opt->site, hub->opt->sync, &disk, err, err_cap);
    return hub->store ? 0 : disk ? -1 : -2;
}

static int reopen_store(cb_hub *hub, char *err, size_t err_cap)
{
    int rc = open_store(hub, err, err_cap);
    if (rc == 0)
        cb_log("the database opens for writing again");
    return rc == -2 ? 0 : rc; /* not the disk's fault: stop waiting, the caller reports it */
}

int cb_hub_main(const cb_hub_options *opt, const cb_url *broker, volatile sig_atomic_t *stop)
{
    cb_hub hub;
    memset(&hub, 0, sizeof hub);
    hub.opt = opt;
    hub.broker = broker;
    cb_log_set_prefix("hub");
    char err[600];
    if (open_store(&hub, err, sizeof err) == -1) {
        cb_log("cannot open the database: %s", err);
        if (while_degraded(&hub, broker, stop, reopen_store, "the database cannot be opened for writing") != 0)
            return 0; /* stopped while waiting: nothing was taken, nothing is lost */
    }
    if (!hub.store) {
        fprintf(stderr, "callbell hub: %s\n", err);
        return 1;
    }
    int loaded = load(&hub, err, sizeof err);
    cb_table_list_free(opt->tables); /* the index has the tables now */
    if (loaded != 0) {
        fprintf(stderr, "callbell hub: %s\n", err);
        cb_store_close(hub.store);
        return 1;
    }
#ifdef __GLIBC__
    /* load() leaves megabytes of freed heap behind at 100,000 tables (the id list, the
     * stored-table index, SQLite's scratch for the first big transaction): give them back */
    malloc_trim(0);
#endif
    unsigned open_calls = 0;
    for (uint32_t i = 0; i < hub.tables.count; i++)
        open_calls += hub.tables.tables[i].state.status != CB_IDLE;
    cb_log("site %s: %u tables, %u open calls, database %s", opt->site, hub.tables.count, open_calls, opt->db_path);

    hub.mqtt = open_session(&hub, broker, err, sizeof err);
    if (!hub.mqtt) {
        fprintf(stderr, "callbell hub: %s\n", err);
        cb_store_close(hub.store);
        return 1;
    }

    uint64_t next_tick = cb_mono_ms() + 1000;
    while (!*stop) {
        if (hub.store_failed && ride_out_store_failure(&hub, broker, stop) != 0)
            break; /* stopped while degraded: what it could not store waits at the broker */
        uint64_t now = cb_mono_ms();
        int wait = next_tick > now ? (int)(next_tick - now) : 0;
        if (hub.tables.dirty_count && hub.outstanding < PUBLISH_WINDOW && cb_mqtt_connected(hub.mqtt))
            wait = 0;
        cb_mqtt_run_burst(hub.mqtt, wait, BURST_PACKETS);
        if (cb_mono_ms() >= next_tick) {
            next_tick = cb_mono_ms() + 1000;
            escalate(&hub);
            reject_window(&hub, false); /* report what a flood suppressed */
        }
        if (hub.store_failed)
            continue; /* a half-applied burst is rolled back, never committed */
        /* commit before publishing: a board never sees a state the hub could forget */
        if (save_devices(&hub, err, sizeof err) != 0 || cb_store_commit(hub.store, err, sizeof err) != 0) {
            fail_db(&hub, err);
            continue;
        }
        publish_dirty(&hub);
        if (hub.stats_changed && cb_mono_ms() - hub.stats_published_ms >= 10000 && cb_mqtt_connected(hub.mqtt))
            cb_hub_publish_stats(&hub);
        /* PUBACKs for the burst and its states leave together, after the commit */
        cb_mqtt_flush(hub.mqtt);
    }
    if (!hub.store_failed && hub.stats_changed && cb_mqtt_connected(hub.mqtt))
        cb_hub_publish_stats(&hub); /* boards keep today's figures while the hub is away */
    reject_window(&hub, true);
    cb_log("stopping: %lu events accepted, %lu messages rejected, %lu duplicates dropped", hub.accepted, hub.rejected,
           hub.duplicates);
    if (hub.store_failed) {
        cb_store_rollback(hub.store);
        /* no PUBACK for the rolled-back burst may leave: drop the connection, the broker
         * publishes the will ("offline") and keeps those presses for the next hub */
        cb_mqtt_abort(hub.mqtt);
    } else {
        if (save_devices(&hub, err, sizeof err) != 0 || cb_store_commit(hub.store, err, sizeof err) != 0)
            cb_log("FATAL %s", err);
        cb_mqtt_close(hub.mqtt, "offline");
    }
    cb_store_close(hub.store);
    cb_table_index_free(&hub.tables);
    free(hub.devices);
    return 0;
}
