/* call.h - the request lifecycle of one table, and press de-duplication.
 *
 * The hub owns the storage (SQLite, a hash of tables); this file owns the rules of
 * docs/protocol.md "Request lifecycle", as pure functions of (table, event, now), so
 * the rules are unit-tested without a database or a broker. A table holds at most one
 * open request per kind (call, bill, water), oldest first.
 *
 * Decided here where docs/protocol.md is open:
 * - "Last alert" (request.last_alert_at) is when boards were last alerted about a
 *   request: its opening (receive time, not pressed_at), a re-alert, a reopen. A press
 *   of the same kind does not restart it, so pressing again cannot postpone
 *   escalation.
 * - A press of the same kind on an acknowledged request is COUNTED and stays
 *   acknowledged (staff are on the way); a press of another kind opens its own request.
 * - realert_s / ack_timeout_s of 0 switch that escalation off. A repeated ack does
 *   not restart the ack timeout.
 * - Every change sets state.updated_at = now and re-derives state.status; an event
 *   that changes nothing leaves the table as it was (0 changes). */
#ifndef CALLBELL_CALL_H
#define CALLBELL_CALL_H

#include "callbell/protocol.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

/* What an event did to one request, for the history log and for boards (bell or not). */
typedef enum cb_effect {
    CB_EFFECT_NONE = 0,  /* nothing changed */
    CB_EFFECT_OPENED,    /* new request: request.call = the new id */
    CB_EFFECT_COUNTED,   /* same kind pressed again */
    CB_EFFECT_CANCELLED, /* guest cancelled: request closed */
    CB_EFFECT_ACKED,
    CB_EFFECT_DONE,    /* staff closed the request */
    CB_EFFECT_REALERT, /* still calling after realert_s */
    CB_EFFECT_REOPENED /* acknowledged but not done after ack_timeout_s */
} cb_effect;

typedef struct cb_call_config {
    uint32_t realert_s;     /* default 60 */
    uint32_t ack_timeout_s; /* default 300 */
    uint32_t floor_after;   /* repeats at which a request rings the floor, default 1 */
    uint32_t manager_after; /* repeats at which it rings the managers, default 3 (>= floor_after) */
} cb_call_config;

/* One table: its state (requests carry the hub-only last_alert_at). */
typedef struct cb_table {
    cb_state state;
} cb_table;

/* What one event changed: one entry per request it touched, in table order. A closed
 * request is given as it was when it closed. */
typedef struct cb_change {
    cb_effect effect;
    cb_request request;
} cb_change;

typedef struct cb_changes {
    uint32_t n;
    cb_change c[CB_REQUEST_MAX];
} cb_changes;

/* Name of an effect ("opened", "counted", ...). CB_E_RANGE if unknown. */
cb_status cb_effect_name(cb_effect effect, const char **name);
/* Whether the effect closes its request (done, cancelled). */
bool cb_effect_closes(cb_effect effect);

/* Fills *cfg with the defaults (60 s, 300 s, floor after 1, manager after 3). */
cb_status cb_call_config_default(cb_call_config *cfg);

/* Makes *t the idle table `table_id` (validated: CB_E_BAD_ID) at time now. */
cb_status cb_table_init(cb_table *t, const char *table_id, uint64_t now);

/* The open request of `kind`, or NULL. */
const cb_request *cb_table_request(const cb_table *t, cb_kind kind);

/* Applies a press of `kind` first pressed at `pressed_at` (hub clock ms), received at
 * `now`. `new_call_id` is used only when a request opens (then it must be
 * 1..INT64_MAX, else CB_E_ARG): the caller advances its counter when out holds an
 * OPENED change. Returns CB_OK or CB_E_ARG / CB_E_BAD_KIND. */
cb_status cb_table_press(cb_table *t, cb_kind kind, uint64_t pressed_at, uint64_t now, uint64_t new_call_id,
                         cb_changes *out);

/* Applies a staff command at `now` to the requests it names (docs/protocol.md "cmd"):
 * CB_OK (one ACKED or DONE change per request), CB_E_STALE if cmd names a call that is
 * not open at this table (or not of cmd's kind), CB_E_NO_CALL if nothing it names is
 * open, CB_E_ARG (also for a cmd no decoder would produce). Unchanged on error. */
cb_status cb_table_cmd(cb_table *t, const cb_cmd *cmd, uint64_t now, cb_changes *out);

/* The level `repeats` re-alerts alone reach (docs/protocol.md "Escalation chain"):
 * floor from floor_after, manager from manager_after, else section. */
cb_level cb_level_for_repeats(uint32_t repeats, const cb_call_config *cfg);

/* Raises each open request's level to what its repeats reach (never lowers it): for
 * requests loaded from storage, whose thresholds may have been lowered since (a reload
 * of the site file), and from a schema-2 database, which kept no level. CB_E_ARG. */
cb_status cb_table_relevel(cb_table *t, const cb_call_config *cfg);

/* Escalation at `now`: one REALERT or REOPENED change per request that is due; its
 * level rises as cb_level_for_repeats says. Returns CB_OK or CB_E_ARG. */
cb_status cb_table_tick(cb_table *t, const cb_call_config *cfg, uint64_t now, cb_changes *out);

/* De-duplication of at-least-once presses from one device: the current boot, the
 * highest seq seen and a 64-bit window of the seqs below it. */
typedef struct cb_dedup {
    uint32_t boot;
    uint32_t max_seq; /* 0 = nothing seen this boot */
    uint64_t window;  /* bit i set: max_seq - i was seen */
} cb_dedup;

cb_status cb_dedup_init(cb_dedup *d);

/* Checks (boot, seq) and records it. A new boot restarts the window.
 * Returns CB_OK (first time: apply it), CB_E_DUPLICATE (seen, or older than the
 * window: drop it), CB_E_RANGE (seq 0), CB_E_ARG. */
cb_status cb_dedup_check(cb_dedup *d, uint32_t boot, uint32_t seq);

#endif
