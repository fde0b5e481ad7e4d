/* hub_ports.c - the hub engine's ports (callbell/hub_engine.h) over the shell's
 * memory (table index, device map), SQLite and MQTT. They only move bytes: every
 * decision is the engine's. A port that fails marks the store failed; the main loop
 * then rolls the burst back, leaves it with the broker and waits for the disk (hub.c). */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cb_status fail(cb_hub *hub, const char *err)
{
    snprintf(hub->store_error, sizeof hub->store_error, "%s", err);
    hub->store_failed = true;
    return CB_E_FULL;
}

/* ---- devices: de-duplication windows ------------------------------------ */

static cb_hub_device_slot *device_slot(cb_hub_device_slot *slots, size_t n, const char *id)
{
    for (size_t i = cb_id_hash(id) & (n - 1);; i = (i + 1) & (n - 1))
        if (slots[i].d.id[0] == '\0' || strcmp(slots[i].d.id, id) == 0)
            return &slots[i];
}

static int newest_first(const void *a, const void *b)
{
    uint64_t x = ((const cb_hub_device_slot *)a)->d.last_seen, y = ((const cb_hub_device_slot *)b)->d.last_seen;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Keeps the `keep` most recently heard devices and forgets the rest, in memory and in
 * the database (the engine decides when; this is how). */
int cb_hub_forget_devices(cb_hub *hub, size_t keep, char *err, size_t err_cap)
{
    size_t n = hub->device_count, k = 0;
    if (keep >= n)
        return 0;
    cb_hub_device_slot *live = malloc(n * sizeof *live);
    if (!live) {
        snprintf(err, err_cap, "out of memory for the device table");
        return -1;
    }
    for (size_t i = 0; i < hub->device_slots; i++)
        if (hub->devices[i].d.id[0])
            live[k++] = hub->devices[i];
    qsort(live, n, sizeof *live, newest_first);
    int rc = cb_store_begin(hub->store, err, err_cap);
    for (size_t i = keep; i < n && rc == 0; i++)
        rc = cb_store_forget_device(hub->store, live[i].d.id, err, err_cap);
    if (rc == 0) {
        memset(hub->devices, 0, hub->device_slots * sizeof *hub->devices);
        hub->device_count = hub->devices_unsaved = 0;
        for (size_t i = 0; i < keep; i++) {
            *device_slot(hub->devices, hub->device_slots, live[i].d.id) = live[i];
            hub->device_count++;
            hub->devices_unsaved += live[i].unsaved;
        }
        uint64_t now = cb_wall_ms(), newest = live[keep].d.last_seen;
        cb_log("device limit (--max-devices %zu) reached: forgot the duplicate windows of %zu devices, "
               "the latest of them heard from %llu s ago",
               hub->opt->max_devices, n - keep, (unsigned long long)(now > newest ? (now - newest) / 1000 : 0));
    }
    free(live);
    return rc;
}

static cb_hub_device_slot *device_find(cb_hub *hub, const char *id)
{
    if (!hub->device_slots)
        return NULL;
    cb_hub_device_slot *s = device_slot(hub->devices, hub->device_slots, id);
    return s->d.id[0] ? s : NULL;
}

/* A new zeroed slot for `id` (not present), growing the map; NULL when out of memory. */
cb_hub_device_slot *cb_hub_device_add(cb_hub *hub, const char *id)
{
    if ((hub->device_count + 1) * 2 > hub->device_slots) {
        size_t n = hub->device_slots ? hub->device_slots * 2 : 64;
        cb_hub_device_slot *slots = calloc(n, sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < hub->device_slots; i++)
            if (hub->devices[i].d.id[0])
                *device_slot(slots, n, hub->devices[i].d.id) = hub->devices[i];
        free(hub->devices);
        hub->devices = slots;
        hub->device_slots = n;
    }
    cb_hub_device_slot *s = device_slot(hub->devices, hub->device_slots, id);
    snprintf(s->d.id, sizeof s->d.id, "%s", id);
    cb_dedup_init(&s->d.dedup);
    hub->device_count++;
    return s;
}

/* Writes the windows changed in the open transaction; called before every COMMIT, so
 * a device's window is saved once a burst however many presses it sent. */
int cb_hub_save_devices(cb_hub *hub, char *err, size_t err_cap)
{
    for (size_t i = 0; i < hub->device_slots && hub->devices_unsaved > 0; i++) {
        cb_hub_device_slot *s = &hub->devices[i];
        if (!s->unsaved)
            continue;
        if (cb_store_put_device(hub->store, &s->d, err, err_cap) != 0)
            return -1;
        s->unsaved = false;
        hub->devices_unsaved--;
    }
    return 0;
}

/* ---- the ports -------------------------------------------------------------- */

/* Who is signed in where: one log line per sign-in, renewal excepted. */
static void port_signin(void *ctx, const char *client, const cb_signin *s, bool expired)
{
    (void)ctx;
    char sections[CB_SIGNIN_SECTIONS_MAX * CB_ID_SIZE + 1] = "";
    size_t n = 0;
    for (uint32_t i = 0; i < s->n_sections && n < sizeof sections; i++)
        n += (size_t)snprintf(sections + n, sizeof sections - n, "%s%s", i ? "," : "", s->sections[i]);
    const char *role = "?";
    cb_role_name(s->role, &role);
    if (expired)
        cb_log("sign-in of %s (%s) on %s expired: no heartbeat", s->by, sections[0] ? sections : "no section", client);
    else if (s->role == CB_ROLE_OFF)
        cb_log("%s signed out on %s", s->by, client);
    else
        cb_log("sign-in: %s as %s for %s on %s", s->by, role, sections[0] ? sections : "no section", client);
}

static cb_table *port_table(void *ctx, const char *id)
{
    cb_hub *hub = ctx;
    uint32_t i = cb_table_index_find(&hub->tables, id);
    /* a table that left the site file takes no new presses; staff may still close
     * its open requests, after which it goes (hub_site.c) */
    if (i != CB_NO_TABLE && (hub->tables.heads[i].gone || (hub->tables.heads[i].retiring && hub->pressing)))
        i = CB_NO_TABLE;
    hub->scratch_i = i;
    if (i == CB_NO_TABLE)
        return NULL;
    cb_table_index_get(&hub->tables, i, &hub->scratch);
    return &hub->scratch;
}

static uint8_t port_kinds(void *ctx, const cb_table *t)
{
    cb_hub *hub = ctx;
    uint32_t i = t == &hub->scratch ? hub->scratch_i : cb_table_index_find(&hub->tables, t->state.table);
    return i == CB_NO_TABLE ? 0 : hub->tables.heads[i].kinds;
}

static cb_hub_device *port_device(void *ctx, const char *id, bool create)
{
    cb_hub *hub = ctx;
    cb_hub_device_slot *s = device_find(hub, id);
    if (!s && create)
        s = cb_hub_device_add(hub, id);
    return s ? &s->d : NULL;
}

static uint32_t port_device_count(void *ctx)
{
    return (uint32_t)((cb_hub *)ctx)->device_count;
}

static cb_status port_forget_devices(void *ctx, uint32_t keep)
{
    cb_hub *hub = ctx;
    char err[512];
    return cb_hub_forget_devices(hub, keep, err, sizeof err) == 0 ? CB_OK : fail(hub, err);
}

static void log_change(const char *table, const cb_change *c, const char *who)
{
    const char *effect = "?", *kind = "?";
    cb_effect_name(c->effect, &effect);
    cb_kind_name(c->request.kind, &kind);
    cb_log("table %s: %s request %llu (%s) by %s", table, kind, (unsigned long long)c->request.call, effect,
           who && who[0] ? who : "hub");
}

static cb_status port_changed(void *ctx, const cb_table *t, const cb_changes *ch, const char *who, uint32_t boot,
                              uint32_t seq, uint64_t now)
{
    cb_hub *hub = ctx;
    char err[512];
    uint32_t i = t == &hub->scratch ? hub->scratch_i : cb_table_index_find(&hub->tables, t->state.table);
    if (i == CB_NO_TABLE)
        return fail(hub, "a changed table is not in the index (bug)");
    if (cb_store_begin(hub->store, err, sizeof err) != 0 || cb_store_put_table(hub->store, t, err, sizeof err) != 0)
        return fail(hub, err);
    for (uint32_t k = 0; k < ch->n; k++) {
        if (cb_store_record(hub->store, t->state.table, &ch->c[k], who, boot, seq, now, err, sizeof err) != 0)
            return fail(hub, err);
        if (hub->opt->log_events)
            log_change(t->state.table, &ch->c[k], who);
    }
    if (cb_table_index_put(&hub->tables, i, t) != 0)
        return fail(hub, "out of memory for open requests");
    cb_table_index_mark_changed(&hub->tables, i);
    hub->stats_changed = true;
    if (hub->tables.heads[i].retiring && t->state.n_requests == 0)
        hub->retire_pending = true; /* its last request closed: it leaves before the commit */
    return CB_OK;
}

static cb_status port_device_changed(void *ctx, const cb_hub_device *d)
{
    cb_hub *hub = ctx;
    cb_hub_device_slot *s = (cb_hub_device_slot *)d; /* d is the slot's first member */
    char err[512];
    if (cb_store_begin(hub->store, err, sizeof err) != 0)
        return fail(hub, err);
    if (!s->unsaved) {
        s->unsaved = true;
        hub->devices_unsaved++;
    }
    return CB_OK;
}

static cb_status port_reply(void *ctx, const char *device, const cb_press_reply *r)
{
    cb_hub *hub = ctx;
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_topic_build(CB_TOPIC_REPLY, hub->opt->site, device, topic, sizeof topic) != CB_OK ||
        cb_press_reply_encode(r, payload, sizeof payload, &len) != CB_OK) {
        cb_log("cannot encode the answer to %s's press %u/%u (bug)", device, r->boot, r->seq);
        return CB_OK;
    }
    /* Held with the burst's PUBACKs: it leaves after the commit (hold_writes). QoS 0:
     * an answer is lost only with the connection, and a device resends every press
     * the hub has not answered when it reconnects; tracking a PUBACK for each would
     * cost the hub (and the broker) more than the press itself. */
    /* counted like every publish: on_publish fires for QoS 0 too (once written), and
     * an uncounted one would open the state window wider than the states in flight */
    if (cb_mqtt_publish(hub->mqtt, topic, payload, len, 0, false, NULL) == 0)
        hub->outstanding++;
    return CB_OK; /* not connected: the device resends and hears the answer then */
}

static cb_status port_cmd_reply(void *ctx, const char *client, const cb_cmd_reply *r)
{
    cb_hub *hub = ctx;
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_topic_build(CB_TOPIC_REPLY, hub->opt->site, client, topic, sizeof topic) != CB_OK ||
        cb_cmd_reply_encode(r, payload, sizeof payload, &len) != CB_OK) {
        cb_log("cannot encode the answer to %s's command (bug)", client);
        return CB_OK;
    }
    /* after the commit (hold_writes); QoS 0 as the press answers */
    if (cb_mqtt_publish(hub->mqtt, topic, payload, len, 0, false, NULL) == 0)
        hub->outstanding++; /* on_publish counts it back (see port_reply) */
    return CB_OK;
}

static void port_reject(void *ctx, const char *reason)
{
    cb_hub *hub = ctx;
    cb_hub_reject(hub, "on '%.128s': %s", hub->topic ? hub->topic : "?", reason);
}

void cb_hub_ports_init(cb_hub *hub, cb_hub_ports *p)
{
    memset(p, 0, sizeof *p);
    p->ctx = hub;
    p->table = port_table;
    p->device = port_device;
    p->device_count = port_device_count;
    p->forget_devices = port_forget_devices;
    p->changed = port_changed;
    p->kinds = port_kinds;
    p->device_changed = port_device_changed;
    p->reply = port_reply;
    p->cmd_reply = port_cmd_reply;
    p->reject = port_reject;
    p->signin = port_signin;
    p->permit = hub->registry_on ? cb_hub_registry_permit : NULL;
}
