/* hub_engine.h - the hub's decisions, the counterpart of cb_device for the hub.
 *
 * A pure engine: a message or a tick and the time in, effects out through injected
 * ports. It owns what a hub decides: decoding and rejecting, which table a message is
 * for, de-duplication and when duplicate windows are evicted, dating a press,
 * request-id allocation, the request lifecycle (call.h), the answer to every press,
 * escalation and the reconciliation of stored and configured tables. The shell
 * (hub/hub.c) owns the memory and moves bytes: SQLite, MQTT.
 *
 * Port contract (all called synchronously, from inside the engine's calls):
 * - table(): the shell's table with this id, or NULL if the hub does not serve it.
 *   The engine changes it in place and then calls changed() for it.
 * - device(): the shell's record of a device; with create, a new zeroed record with
 *   the id set (NULL when out of memory). device_count() counts them.
 * - forget_devices(keep): keep the `keep` most recently seen devices, forget the rest
 *   (memory and storage). Called before a new device when device_count() reached
 *   max_devices.
 * - changed(): the table changed as `ch` says; store it with its history rows in the
 *   open transaction and queue its state for publishing after the commit.
 * - device_changed(): the device's window or boot time changed; save it with the
 *   same transaction.
 * - reply(): the answer to a press, to be sent after the commit (so a presser never
 *   hears "stored" for a press the hub could still lose).
 * - cmd_reply() (optional, may be NULL): the answer to a command that names a client
 *   ("from"), sent after the commit like reply().
 * - reject(): a message was refused; `reason` is a line for the log.
 * - kinds() (optional, may be NULL: every table offers all four): the buttons table
 *   `t` offers, a bit (1u << cb_kind) each (the site file's [kinds]). A press of
 *   another kind is refused (bad_kind) and answered; 0 counts as all four.
 * A port returning anything but CB_OK stops the event: the engine returns that status
 * and the shell must not commit (its transaction holds half an event). */
#ifndef CALLBELL_HUB_ENGINE_H
#define CALLBELL_HUB_ENGINE_H

#include "callbell/call.h"
#include "callbell/protocol.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_HUB_MAX_AGE_S 86400u /* a press is never dated more than a day back */
#define CB_HUB_REJECT_MAX 200   /* a rejection line, bytes with NUL */

/* What the hub keeps per device. */
typedef struct cb_hub_device {
    char id[CB_ID_SIZE];
    cb_dedup dedup;
    uint64_t boot_at;   /* hub clock ms at which the current boot started (0: unknown) */
    uint64_t last_seen; /* hub clock ms of the last accepted press */
} cb_hub_device;

typedef struct cb_hub_config {
    char site[CB_ID_SIZE];
    cb_call_config call;
    uint32_t max_devices; /* duplicate windows kept, >= 2 */
    char tables_text[64]; /* the served tables as a person reads them ("1-4,bar") */
} cb_hub_config;

typedef struct cb_hub_ports {
    void *ctx;
    cb_table *(*table)(void *ctx, const char *id);
    cb_hub_device *(*device)(void *ctx, const char *id, bool create);
    uint32_t (*device_count)(void *ctx);
    cb_status (*forget_devices)(void *ctx, uint32_t keep);
    cb_status (*changed)(void *ctx, const cb_table *t, const cb_changes *ch, const char *who, uint32_t boot,
                         uint32_t seq, uint64_t now);
    cb_status (*device_changed)(void *ctx, const cb_hub_device *d);
    cb_status (*reply)(void *ctx, const char *device, const cb_press_reply *r);
    cb_status (*cmd_reply)(void *ctx, const char *client, const cb_cmd_reply *r);
    void (*reject)(void *ctx, const char *reason);
    uint8_t (*kinds)(void *ctx, const cb_table *t);
} cb_hub_ports;

typedef struct cb_hub_counters {
    uint64_t accepted;   /* events that changed a table */
    uint64_t rejected;   /* messages refused */
    uint64_t duplicates; /* press copies dropped */
} cb_hub_counters;

typedef struct cb_hub_engine {
    cb_hub_config cfg;
    cb_hub_ports port;
    uint64_t next_call_id; /* the id the next request gets */
    cb_hub_counters count;
} cb_hub_engine;

/* Sets the engine up. `last_call_id` is the highest request id ever given (from
 * storage). CB_E_ARG for NULL, a port missing, max_devices < 2, or a bad site. */
cb_status cb_hub_engine_init(cb_hub_engine *e, const cb_hub_config *cfg, const cb_hub_ports *ports,
                             uint64_t last_call_id);

/* A press payload on table `table` (the topic's id) received at `now` (hub clock ms).
 * CB_OK when handled, also when the press was refused, answered or a duplicate (the
 * counters say which); a port's error otherwise. */
cb_status cb_hub_on_press(cb_hub_engine *e, const char *table, const char *payload, size_t len, uint64_t now);

/* A staff command payload on table `table`. CB_OK when handled (applied, stale or
 * refused); a port's error otherwise. */
cb_status cb_hub_on_cmd(cb_hub_engine *e, const char *table, const char *payload, size_t len, uint64_t now);

/* Escalation of one table at `now` (the shell calls it for tables with open
 * requests, at least once a second). CB_OK or a port's error. */
cb_status cb_hub_tick(cb_hub_engine *e, cb_table *t, uint64_t now);

/* Dates a press received at `now` (docs/protocol.md "Dating a press") and keeps the
 * device's boot time up to date: call after the dedup check of this press, which has
 * set d->dedup.boot; `new_boot` says the check started a new boot. *changed tells
 * whether d->boot_at moved. CB_E_ARG for NULL. */
cb_status cb_hub_date_press(cb_hub_device *d, const cb_press *p, bool new_boot, uint64_t now, uint64_t *pressed_at,
                            bool *changed);

/* What start-up does with a table, from whether the configuration names it and what
 * storage holds (stored NULL: nothing). */
typedef enum cb_reconcile {
    CB_RECONCILE_KEEP = 0, /* configured and stored: serve the stored state */
    CB_RECONCILE_ADD,      /* configured, not stored: a new idle table */
    CB_RECONCILE_RETIRING, /* stored with open requests, no longer configured: serve it until they close */
    CB_RECONCILE_DROP      /* stored idle, no longer configured: forget it and clear its retained state */
} cb_reconcile;
cb_status cb_hub_reconcile(bool configured, const cb_table *stored, cb_reconcile *out);

/* One active hub per site (docs/protocol.md "hub info"): what a hub does before it
 * connects with the site's hub client id. */
typedef enum cb_claim {
    CB_CLAIM_FREE = 0,     /* no other hub: connect */
    CB_CLAIM_ASK,          /* another hub may be serving: ask it ("info", QoS 0) and wait */
    CB_CLAIM_OTHER_ACTIVE, /* it answered: refuse to start / stop, never take its session */
    CB_CLAIM_STALE         /* it did not answer: it died without its will, take over */
} cb_claim;
/* From the retained hub/status (`online`) and the instance hub/info names ("" when
 * none), this hub's own instance `mine`, and whether it has been connected before
 * (`reconnect`): FREE or ASK. CB_E_ARG for NULL. */
cb_status cb_hub_claim_start(bool online, const char *info_instance, const char *mine, bool reconnect, cb_claim *out);
/* After ASK: OTHER_ACTIVE when an answer came, else STALE. CB_E_ARG for NULL. */
cb_status cb_hub_claim_answer(bool answered, cb_claim *out);

#endif
