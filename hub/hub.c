/* hub.c - the hub's shell: MQTT in, the core's hub engine (callbell/hub_engine.h)
 * decides, SQLite keeps, MQTT out.
 *
 * One burst of messages is one transaction. Order inside a burst, kept so that
 * nothing a board or a presser has heard can be forgotten:
 *   read & apply (engine) -> save device windows -> COMMIT -> publish changed states
 *   -> flush (PUBACKs, press answers and states leave together).
 * A database failure anywhere rolls the burst back and drops the connection without
 * flushing: the broker keeps the unacknowledged messages for the next hub. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "db_lock.h"
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

/* ---- rejections ------------------------------------------------------------- */

/* Logs why a message was rejected, at most REJECT_LOG_PER_S lines a second: a broken
 * or hostile device sending thousands of bad messages must not drown the log (or the
 * disk) -- the lines it suppresses are counted and reported. */
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

/* ---- events ----------------------------------------------------------------- */

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    cb_hub *hub = ctx;
    if (hub->store_failed || cb_ha_message(hub, msg))
        return;
    cb_topic tp;
    cb_status st = cb_topic_parse(msg->topic, strlen(msg->topic), &tp);
    if (st != CB_OK) {
        hub->engine.count.rejected++;
        cb_hub_reject(hub, "message on '%.128s': %s", msg->topic, cb_status_str(st));
        return;
    }
    if (strcmp(tp.site, hub->opt->site) != 0)
        return;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    const char *payload = msg->payload ? msg->payload : "";
    uint64_t now = cb_wall_ms();
    hub->topic = msg->topic;
    switch (tp.type) {
    case CB_TOPIC_PRESS:
        hub->pressing = true;
        st = cb_hub_on_press(&hub->engine, tp.id, payload, len, now);
        hub->pressing = false;
        break;
    case CB_TOPIC_CMD:
        st = cb_hub_on_cmd(&hub->engine, tp.id, payload, len, now);
        break;
    case CB_TOPIC_HUB_REQUEST:
        cb_hub_handle_request(hub, payload, len);
        break;
    case CB_TOPIC_SIGNIN:
        st = cb_hub_on_signin(&hub->engine, tp.id, payload, len, now);
        break;
    default:
        break;
    }
    hub->topic = NULL;
    if (hub->store_failed)
        fail_db(hub, hub->store_error);
    else if (st != CB_OK)
        fail_db(hub, "out of memory for the device table");
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
    hub->connected_once = true;
    cb_hub_publish_info(hub); /* right behind "online": who is online */
    /* the broker may have lost its retained store while we were away: say it again */
    mark_all_dirty(hub);
    cb_ha_connected(hub);
    hub->site_dirty = true;
}

/* ---- publishing ------------------------------------------------------------ */

/* Publishes changed states, up to `window` in flight. */
static void publish_dirty(cb_hub *hub, int window)
{
    while (hub->outstanding < window && cb_mqtt_connected(hub->mqtt)) {
        uint32_t i = cb_table_index_pop_dirty(&hub->tables);
        if (i == CB_NO_TABLE)
            return;
        cb_table t;
        cb_table_index_get(&hub->tables, i, &t);
        char topic[CB_TOPIC_SIZE], payload[CB_STATE_PAYLOAD_SIZE];
        size_t len = 0;
        bool gone = hub->tables.heads[i].gone; /* left the site: an empty retained message clears it */
        if (cb_topic_build(CB_TOPIC_STATE, hub->opt->site, t.state.table, topic, sizeof topic) != CB_OK ||
            (!gone && cb_state_encode(&t.state, payload, sizeof payload, &len) != CB_OK)) {
            cb_log("cannot encode state of table %s (bug)", t.state.table);
            continue;
        }
        if (cb_mqtt_publish(hub->mqtt, topic, payload, len, 1, true, NULL) != 0) {
            cb_table_index_mark_dirty(&hub->tables, i); /* retried after reconnect */
            return;
        }
        hub->outstanding++;
        hub->published_since_trim++;
        cb_ha_state(hub, &t.state);
    }
}

/* A burst of publishes (the 100,000 states of a reconnect, a flood of presses) leaves
 * megabytes of freed message buffers in the heap, which glibc keeps for later: at
 * 100,000 tables that was a fifth of the hub's memory. Given back once the burst is
 * over (nothing to publish, nothing in flight), at most once a second: a trim walks
 * the heap, which a press must not wait behind while presses keep coming. */
#define TRIM_AFTER_PUBLISHES 10000
static void give_back_heap(cb_hub *hub)
{
    if (hub->published_since_trim < TRIM_AFTER_PUBLISHES || hub->tables.dirty_count || hub->outstanding)
        return;
    uint64_t now = cb_mono_ms();
    if (now - hub->trimmed_at_ms < 1000)
        return;
    hub->published_since_trim = 0;
    hub->trimmed_at_ms = now;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Escalation: only tables with open requests can change (the dense open array). */
static void escalate(cb_hub *hub)
{
    uint64_t now = cb_wall_ms();
    cb_hub_expire_signins(&hub->engine, now);
    /* a tick never closes a request, so the open array keeps its order while walked */
    for (uint32_t k = 0; k < hub->tables.open_count && !hub->store_failed; k++) {
        cb_table t;
        cb_table_index_get(&hub->tables, hub->tables.open[k].owner, &t);
        if (cb_hub_tick(&hub->engine, &t, now) != CB_OK && !hub->store_failed)
            fail_db(hub, "escalation failed (bug)");
    }
    if (hub->store_failed)
        fail_db(hub, hub->store_error);
}

/* ---- start-up ------------------------------------------------------------ */

static void load_table(void *ctx, const cb_table *t)
{
    cb_table_index *stored = ctx;
    if (cb_table_index_find(stored, t->state.table) == CB_NO_TABLE)
        cb_table_index_add(stored, t);
}

static void load_device(void *ctx, const cb_hub_device *d)
{
    cb_hub_device_slot *s = cb_hub_device_add(ctx, d->id);
    if (s)
        s->d = *d;
}

/* Applies the engine's reconciliation to one stored or configured table. */
static int reconcile(cb_hub *hub, const char *id, bool configured, const cb_table_index *stored, uint64_t now,
                     char *err, size_t err_cap)
{
    uint32_t j = cb_table_index_find(stored, id);
    cb_table t;
    if (j != CB_NO_TABLE)
        cb_table_index_get(stored, j, &t);
    cb_reconcile what;
    cb_hub_reconcile(configured, j != CB_NO_TABLE ? &t : NULL, &what);
    /* the section comes from the site file, never from storage; a stored request
     * keeps its stored level, raised to what its repeats reach under the thresholds
     * of now (a reload may have lowered them): a level never falls while open */
    const char *section = cb_hub_section_of(hub, id);
    if (what != CB_RECONCILE_DROP) {
        if (what == CB_RECONCILE_ADD)
            cb_table_init(&t, id, now);
        snprintf(t.state.section, sizeof t.state.section, "%s", section);
        cb_table_relevel(&t, &hub->opt->call);
    }
    switch (what) {
    case CB_RECONCILE_ADD:
        if (cb_store_put_table(hub->store, &t, err, err_cap) != 0)
            return -1;
        break;
    case CB_RECONCILE_KEEP:
        break;
    case CB_RECONCILE_RETIRING:
        cb_log("table %s is not in --tables but has open requests; serving it until they are closed", id);
        break;
    case CB_RECONCILE_DROP:
        cb_log("table %s is no longer configured: forgotten, its retained state cleared", id);
        if (cb_store_drop_table(hub->store, id, err, err_cap) != 0)
            return -1;
        break; /* kept as a gone head: every connect clears its retained state */
    }
    if (cb_table_index_find(&hub->tables, id) != CB_NO_TABLE)
        return 0; /* listed twice */
    uint32_t i = cb_table_index_add(&hub->tables, &t);
    if (i == CB_NO_TABLE) {
        snprintf(err, err_cap, "out of memory for the tables");
        return -1;
    }
    hub->tables.heads[i].retiring = what == CB_RECONCILE_RETIRING;
    hub->tables.heads[i].gone = what == CB_RECONCILE_DROP;
    return 0;
}

static int load(cb_hub *hub, char *err, size_t err_cap)
{
    const cb_table_list *list = hub->opt->tables;
    cb_table_index stored; /* what the database had, before the configuration is applied */
    if (cb_table_index_init(&hub->tables) != 0 || cb_table_index_init(&stored) != 0) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    uint64_t last_call_id = 0;
    if (cb_store_load_tables(hub->store, load_table, &stored, err, err_cap) != 0 ||
        cb_store_load_devices(hub->store, load_device, hub, err, err_cap) != 0 ||
        cb_store_max_call_id(hub->store, &last_call_id, err, err_cap) != 0) {
        cb_table_index_free(&stored);
        return -1;
    }
    if (hub->device_count > hub->opt->max_devices && /* --max-devices was lowered */
        cb_hub_forget_devices(hub, hub->opt->max_devices, err, err_cap) != 0) {
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
    for (size_t k = 0; k < list->count && rc == 0; k++)
        rc = reconcile(hub, list->ids[k], true, &stored, now, err, err_cap);
    for (uint32_t j = 0; j < stored.count && rc == 0; j++)
        if (cb_table_index_find(&hub->tables, cb_table_index_id(&stored, j)) == CB_NO_TABLE)
            rc = reconcile(hub, cb_table_index_id(&stored, j), false, &stored, now, err, err_cap);
    if (rc == 0)
        rc = cb_store_commit(hub->store, err, err_cap);
    cb_table_index_free(&stored);
    if (rc != 0)
        return -1;

    cb_hub_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.site, sizeof cfg.site, "%s", hub->opt->site);
    snprintf(cfg.tables_text, sizeof cfg.tables_text, "%s", hub->opt->tables_text ? hub->opt->tables_text : "");
    cfg.call = hub->opt->call;
    cfg.max_devices = (uint32_t)hub->opt->max_devices;
    cfg.signin_ttl_s = hub->opt->signin_ttl_s;
    cb_hub_ports ports;
    cb_hub_ports_init(hub, &ports);
    if (cb_hub_engine_init(&hub->engine, &cfg, &ports, last_call_id) != CB_OK) {
        snprintf(err, err_cap, "cannot start the hub engine (bad site, options or request ids)");
        return -1;
    }
    return 0;
}

/* ---- the loop --------------------------------------------------------------- */

/* The hub's own session: a fixed id and a persistent session, so presses sent while
 * the hub is down (or cannot store) wait in the broker's queue for it. NULL with err
 * if it cannot be made. */
static cb_mqtt *connect_broker(cb_hub *hub, char *err, size_t err_cap)
{
    const char *site = hub->opt->site;
    static char status_topic[CB_TOPIC_SIZE], client_id[64];
    cb_topic_build(CB_TOPIC_HUB_STATUS, site, NULL, status_topic, sizeof status_topic);
    /* a fixed id and a persistent session: presses sent while the hub is down wait in
     * the broker's queue for it. A second hub would take that session over: every
     * connect is preceded by the check of hub_authority.c (before_connect). */
    snprintf(client_id, sizeof client_id, "callbell-hub-%s", site);
    cb_mqtt_options mo = {.client_id = client_id,
                          .clean_session = false,
                          .keepalive_s = 30,
                          .will_topic = status_topic,
                          .will_payload = "offline",
                          .birth_payload = "online",
                          /* a press is acknowledged to the broker only once it is committed */
                          .hold_writes = true};
    cb_mqtt_handlers mh = {.ctx = hub,
                           .on_message = on_message,
                           .on_publish = on_publish,
                           .on_connect = on_connect,
                           .before_connect = cb_hub_before_connect};
    cb_mqtt *m = cb_mqtt_open(hub->broker, &mo, &mh, err, err_cap);
    if (!m)
        return NULL;
    hub->mqtt = m; /* on_connect publishes with it */
    char filter[CB_TOPIC_SIZE];
    snprintf(filter, sizeof filter, "callbell/%s/table/+/press", site);
    cb_mqtt_subscribe(m, filter, 1);
    snprintf(filter, sizeof filter, "callbell/%s/table/+/cmd", site);
    cb_mqtt_subscribe(m, filter, 1);
    cb_topic_build(CB_TOPIC_HUB_REQUEST, site, NULL, filter, sizeof filter);
    cb_mqtt_subscribe(m, filter, 1);
    /* QoS 0: a sign-in the broker held while the hub was away is stale; the boards
     * sign in again when hub/status turns online */
    snprintf(filter, sizeof filter, "callbell/%s/staff/+/signin", site);
    cb_mqtt_subscribe(m, filter, 0);
    cb_ha_subscribe(hub, m);
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

static int while_degraded(cb_hub *hub, volatile sig_atomic_t *stop, cb_store_retry retry, const char *why)
{
    char topic[CB_TOPIC_SIZE], client_id[64], err[600];
    cb_topic_build(CB_TOPIC_HUB_STATUS, hub->opt->site, NULL, topic, sizeof topic);
    snprintf(client_id, sizeof client_id, "callbell-hub-%s-degraded", hub->opt->site);
    cb_mqtt_options mo = {.client_id = client_id,
                          .clean_session = true,
                          .keepalive_s = 30,
                          .will_topic = topic,
                          .will_payload = "offline",
                          .birth_payload = "degraded",
                          .quiet = true};
    cb_mqtt *status = cb_mqtt_open(hub->broker, &mo, NULL, err, sizeof err);
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
    if (i != CB_NO_TABLE && cb_table_index_put(&hub->tables, i, t) == 0)
        cb_table_index_mark_dirty(&hub->tables, i);
}

/* Back to what the database holds: the rolled-back burst had changed tables, windows
 * and the request counter in memory only. */
static int reload(cb_hub *hub, char *err, size_t err_cap)
{
    if (hub->devices)
        memset(hub->devices, 0, hub->device_slots * sizeof *hub->devices);
    hub->device_count = hub->devices_unsaved = 0;
    uint64_t last_call_id = 0;
    if (cb_store_load_tables(hub->store, reload_table, hub, err, err_cap) != 0 ||
        cb_store_load_devices(hub->store, load_device, hub, err, err_cap) != 0 ||
        cb_store_max_call_id(hub->store, &last_call_id, err, err_cap) != 0)
        return -1;
    hub->engine.next_call_id = last_call_id + 1;
    return 0;
}

static int resume_storing(cb_hub *hub, char *err, size_t err_cap)
{
    if (cb_store_check_writable(hub->store, err, err_cap) != 0 || reload(hub, err, err_cap) != 0)
        return -1;
    cb_log("the database takes writes again: catching up on what the broker kept");
    hub->mqtt = connect_broker(hub, err, err_cap);
    if (!hub->mqtt)
        return -1;
    hub->store_failed = false;
    return 0;
}

/* After fail_db: drops the burst (its PUBACKs never leave), then waits for the disk. */
static int ride_out_store_failure(cb_hub *hub, volatile sig_atomic_t *stop)
{
    cb_store_rollback(hub->store);
    cb_mqtt_abort(hub->mqtt);
    hub->mqtt = NULL;
    return while_degraded(hub, stop, resume_storing, "the database takes no writes");
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

static void run(cb_hub *hub, volatile sig_atomic_t *stop)
{
    char err[600];
    uint64_t next_tick = cb_mono_ms() + 1000;
    while (!*stop && !hub->taken_over) {
        if (hub->store_failed && ride_out_store_failure(hub, stop) != 0)
            break; /* stopped while degraded: what it could not store waits at the broker */
        uint64_t now = cb_mono_ms();
        int wait = next_tick > now ? (int)(next_tick - now) : 0;
        if (hub->tables.dirty_count && hub->outstanding < PUBLISH_WINDOW && cb_mqtt_connected(hub->mqtt))
            wait = 0;
        cb_mqtt_run_burst(hub->mqtt, wait, BURST_PACKETS);
        if (cb_mono_ms() >= next_tick) {
            next_tick = cb_mono_ms() + 1000;
            escalate(hub);
            cb_hub_registry_watch(hub);
            reject_window(hub, false); /* report what a flood suppressed */
            cb_ha_tick(hub);
        }
        if (hub->opt->reload && *hub->opt->reload) {
            *hub->opt->reload = 0;
            cb_hub_reload(hub); /* its writes join this burst's transaction */
        }
        if (!hub->store_failed && cb_hub_retire_idle(hub, err, sizeof err) != 0)
            fail_db(hub, err);
        if (hub->store_failed)
            continue; /* a half-applied burst is rolled back, never committed */
        /* commit before publishing: a board never sees a state the hub could forget */
        if (cb_hub_save_devices(hub, err, sizeof err) != 0 || cb_store_commit(hub->store, err, sizeof err) != 0) {
            fail_db(hub, err);
            continue;
        }
        cb_hub_publish_site(hub);
        publish_dirty(hub, PUBLISH_WINDOW);
        give_back_heap(hub);
        if (hub->stats_changed && cb_mono_ms() - hub->stats_published_ms >= 10000 && cb_mqtt_connected(hub->mqtt))
            cb_hub_publish_stats(hub);
        /* PUBACKs, answers and states for the burst leave together, after the commit */
        cb_mqtt_flush(hub->mqtt);
    }
}

static void shut_down(cb_hub *hub)
{
    char err[600];
    if (!hub->store_failed) {
        /* every committed state the window held back: boards keep the last word */
        publish_dirty(hub, INT32_MAX);
        if (hub->stats_changed && cb_mqtt_connected(hub->mqtt))
            cb_hub_publish_stats(hub); /* boards keep today's figures while the hub is away */
    }
    reject_window(hub, true);
    const cb_hub_counters *c = &hub->engine.count;
    cb_log("stopping: %llu events accepted, %llu messages rejected, %llu duplicates dropped",
           (unsigned long long)c->accepted, (unsigned long long)c->rejected, (unsigned long long)c->duplicates);
    if (hub->store_failed) {
        cb_store_rollback(hub->store);
        /* no PUBACK for the rolled-back burst may leave: drop the connection, the broker
         * publishes the will ("offline") and keeps those presses for the next hub */
        cb_mqtt_abort(hub->mqtt);
    } else {
        if (cb_hub_save_devices(hub, err, sizeof err) != 0 || cb_store_commit(hub->store, err, sizeof err) != 0)
            cb_log("FATAL %s", err);
        cb_mqtt_close(hub->mqtt, "offline");
    }
}

int cb_hub_main(const cb_hub_options *opt, const cb_url *broker, volatile sig_atomic_t *stop)
{
    cb_hub hub;
    memset(&hub, 0, sizeof hub);
    hub.opt = opt;
    hub.site = opt->site_config; /* load() reconciles with its sections */
    hub.broker = broker;
    hub.scratch_i = CB_NO_TABLE;
    cb_log_set_prefix("hub");
    char err[800];
    int rc = 1;
    hub.db_lock = -1;
    /* one hub per database, then one per site (a standby waits for both): a refusal
     * leaves the other hub and its database untouched */
    if (cb_hub_take_authority(&hub, stop, err, sizeof err) != 0) {
        cb_table_list_free(opt->tables);
        if (!*stop)
            goto err;
        cb_log("stopped while standing by"); /* asked to: not a failure */
        rc = 0;
        goto out;
    }
    if (cb_hub_registry_open(&hub, err, sizeof err) != 0) {
        cb_table_list_free(opt->tables);
        goto err;
    }
    if (open_store(&hub, err, sizeof err) == -1) {
        cb_log("cannot open the database: %s", err);
        if (while_degraded(&hub, stop, reopen_store, "the database cannot be opened for writing") != 0) {
            rc = 0; /* stopped while waiting: nothing was taken, nothing is lost */
            cb_table_list_free(opt->tables);
            goto out;
        }
    }
    if (!hub.store) {
        cb_table_list_free(opt->tables);
        goto err;
    }
    int loaded = load(&hub, err, sizeof err);
    cb_table_list_free(opt->tables); /* the index has the tables now */
    if (loaded != 0)
        goto err;
#ifdef __GLIBC__
    /* load() leaves megabytes of freed heap behind at 100,000 tables (the id list, the
     * stored-table index, SQLite's scratch for the first big transaction): give them back */
    malloc_trim(0);
#endif
    uint32_t gone = 0;
    for (uint32_t i = 0; i < hub.tables.count; i++)
        gone += hub.tables.heads[i].gone;
    cb_log("site %s: %u tables, %u with open requests, database %s", opt->site, hub.tables.count - gone,
           hub.tables.open_count, opt->db_path);
    cb_hub_site_init(&hub);
    if (cb_ha_start(&hub) != 0) {
        snprintf(err, sizeof err, "out of memory");
        goto err;
    }
    hub.mqtt = connect_broker(&hub, err, sizeof err);
    if (!hub.mqtt)
        goto err;
    if (opt->notify)
        opt->notify("READY=1"); /* loaded, and trying the broker: presses wait there meanwhile */
    run(&hub, stop);
    shut_down(&hub);
    rc = hub.taken_over ? 1 : 0;
    goto out;
err:
    fprintf(stderr, "callbell hub: %s\n", err);
out:
    cb_hub_site_free(&hub);
    cb_store_close(hub.store);
    cb_db_unlock(hub.db_lock);
    cb_table_index_free(&hub.tables);
    cb_ha_stop(&hub);
    free(hub.devices);
    cb_hub_registry_close(&hub);
    return rc;
}
