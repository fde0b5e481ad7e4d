/* call.h - the call lifecycle of one table, and press de-duplication.
 *
 * The hub owns the storage (SQLite, a hash of tables); this file owns the rules of
 * docs/protocol.md "Call lifecycle", as pure functions of (state, event, now), so the
 * rules are unit-tested without a database or a broker.
 *
 * Decided here where docs/protocol.md is open:
 * - "Last alert" (last_alert_at) is when boards were last alerted: the call opening
 *   (receive time, not pressed_at), a kind change, a re-alert, a reopen. A press of
 *   the same kind does not restart it, so pressing again cannot postpone escalation.
 * - A press of the same kind on an acknowledged call is COUNTED and stays
 *   acknowledged; a different kind goes back to calling and clears acked_by/_at.
 * - realert_s / ack_timeout_s of 0 switch that escalation off. A repeated ack does
 *   not restart the ack timeout.
 * - Every change sets state.updated_at = now; a NONE effect changes nothing. */
#ifndef CALLBELL_CALL_H
#define CALLBELL_CALL_H

#include "callbell/protocol.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

/* What an event did, for the history log and for boards (bell or not). */
typedef enum cb_effect {
    CB_EFFECT_NONE = 0,  /* nothing changed (e.g. cancel on idle table) */
    CB_EFFECT_OPENED,    /* new call: state.call = the new id */
    CB_EFFECT_COUNTED,   /* same kind pressed again */
    CB_EFFECT_CHANGED,   /* kind changed on an open call */
    CB_EFFECT_CANCELLED, /* guest cancelled: call closed */
    CB_EFFECT_ACKED,
    CB_EFFECT_DONE,    /* staff closed the call */
    CB_EFFECT_REALERT, /* still calling after realert_s */
    CB_EFFECT_REOPENED /* acknowledged but not done after ack_timeout_s */
} cb_effect;

typedef struct cb_call_config {
    uint32_t realert_s;     /* default 60 */
    uint32_t ack_timeout_s; /* default 300 */
} cb_call_config;

/* Extra per-table bookkeeping the state topic does not carry. */
typedef struct cb_table {
    cb_state state;
    uint64_t last_alert_at; /* when the current calling period last alerted (ms) */
} cb_table;

/* Name of an effect ("opened", "counted", ...). CB_E_RANGE if unknown. */
cb_status cb_effect_name(cb_effect effect, const char **name);

/* Fills *cfg with the defaults (60 s, 300 s). */
cb_status cb_call_config_default(cb_call_config *cfg);

/* Makes *t the idle table `table_id` (validated: CB_E_BAD_ID) at time now. */
cb_status cb_table_init(cb_table *t, const char *table_id, uint64_t now);

/* Applies a press of `kind` first pressed at `pressed_at` (hub clock ms), received at
 * `now`. `new_call_id` is used only when a call opens (then it must be 1..INT64_MAX,
 * else CB_E_ARG). *effect says what happened. Returns CB_OK or CB_E_ARG /
 * CB_E_BAD_KIND. */
cb_status cb_table_press(cb_table *t, cb_kind kind, uint64_t pressed_at, uint64_t now, uint64_t new_call_id,
                         cb_effect *effect);

/* Applies a staff command at `now`. Returns CB_OK (with *effect ACKED or DONE),
 * CB_E_NO_CALL if the table is idle, CB_E_STALE if cmd names another call,
 * CB_E_ARG (also for a cmd no decoder would produce: unknown action, empty or
 * unterminated by). An idle table is NO_CALL even if cmd names a call. The state is
 * unchanged on error. */
cb_status cb_table_cmd(cb_table *t, const cb_cmd *cmd, uint64_t now, cb_effect *effect);

/* Escalation at `now`: REALERT or REOPENED per the config, else NONE.
 * Returns CB_OK or CB_E_ARG. */
cb_status cb_table_tick(cb_table *t, const cb_call_config *cfg, uint64_t now, cb_effect *effect);

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
