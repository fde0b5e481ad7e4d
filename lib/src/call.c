/* call.c - one table's call lifecycle (docs/protocol.md "Call lifecycle").
 *
 * Pure functions of (table, event, now): the hub persists the result and publishes
 * the state; nothing here knows about storage or MQTT. Choices the protocol leaves
 * open, made here once:
 * - The re-alert clock (last_alert_at) restarts whenever boards are alerted: a call
 *   opening, a kind change, a re-alert, a reopen. A press of the same kind does not
 *   restart it, so a guest pressing again cannot postpone the escalation.
 * - realert_s / ack_timeout_s of 0 switch that escalation off.
 * - A kind change on an acknowledged call clears acked_by/acked_at (it is calling
 *   again, and only acknowledged states carry them). */
#include "callbell/call.h"

#include <stddef.h>
#include <string.h>

static const char *const effect_names[] = {
    [CB_EFFECT_NONE] = "none",       [CB_EFFECT_OPENED] = "opened",       [CB_EFFECT_COUNTED] = "counted",
    [CB_EFFECT_CHANGED] = "changed", [CB_EFFECT_CANCELLED] = "cancelled", [CB_EFFECT_ACKED] = "acked",
    [CB_EFFECT_DONE] = "done",       [CB_EFFECT_REALERT] = "realert",     [CB_EFFECT_REOPENED] = "reopened",
};

#define EFFECT_COUNT (sizeof effect_names / sizeof effect_names[0])
#define DEFAULT_REALERT_S 60u
#define DEFAULT_ACK_TIMEOUT_S 300u
#define MAX_CALL_ID ((uint64_t)INT64_MAX) /* must fit a JSON integer */

cb_status cb_effect_name(cb_effect effect, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)effect >= EFFECT_COUNT) {
        return CB_E_RANGE;
    }
    *name = effect_names[effect];
    return CB_OK;
}

cb_status cb_call_config_default(cb_call_config *cfg)
{
    if (cfg == NULL) {
        return CB_E_ARG;
    }
    cfg->realert_s = DEFAULT_REALERT_S;
    cfg->ack_timeout_s = DEFAULT_ACK_TIMEOUT_S;
    return CB_OK;
}

/* Back to idle, keeping the table id: every per-call field is 0 / "". */
static void make_idle(cb_table *t, uint64_t now)
{
    cb_state *s = &t->state;
    s->status = CB_IDLE;
    s->kind = CB_KIND_CALL;
    s->call = 0;
    s->count = 0;
    s->repeats = 0;
    s->pressed_at = 0;
    s->acked_by[0] = '\0';
    s->acked_at = 0;
    s->updated_at = now;
    t->last_alert_at = 0;
}

/* Acknowledged -> calling: the ack no longer holds. */
static void make_calling(cb_table *t, uint64_t now)
{
    t->state.status = CB_CALLING;
    t->state.acked_by[0] = '\0';
    t->state.acked_at = 0;
    t->last_alert_at = now;
}

cb_status cb_table_init(cb_table *t, const char *table_id, uint64_t now)
{
    if (t == NULL || table_id == NULL) {
        return CB_E_ARG;
    }
    if (cb_id_check(table_id) != CB_OK) {
        return CB_E_BAD_ID;
    }
    memset(t, 0, sizeof *t);
    memcpy(t->state.table, table_id, strlen(table_id) + 1u);
    make_idle(t, now);
    return CB_OK;
}

cb_status cb_table_press(cb_table *t, cb_kind kind, uint64_t pressed_at, uint64_t now, uint64_t new_call_id,
                         cb_effect *effect)
{
    if (t == NULL || effect == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)kind >= (unsigned)CB_KIND_COUNT) {
        return CB_E_BAD_KIND;
    }
    cb_state *s = &t->state;
    bool open = (s->status != CB_IDLE);

    if (kind == CB_KIND_CANCEL) {
        if (!open) {
            *effect = CB_EFFECT_NONE; /* nothing to cancel */
            return CB_OK;
        }
        make_idle(t, now);
        *effect = CB_EFFECT_CANCELLED;
        return CB_OK;
    }
    if (!open) {
        if (new_call_id == 0 || new_call_id > MAX_CALL_ID) {
            return CB_E_ARG; /* call ids are >= 1 and must fit a JSON integer */
        }
        s->status = CB_CALLING;
        s->kind = kind;
        s->call = new_call_id;
        s->count = 1;
        s->repeats = 0;
        s->pressed_at = pressed_at;
        s->acked_by[0] = '\0';
        s->acked_at = 0;
        s->updated_at = now;
        t->last_alert_at = now;
        *effect = CB_EFFECT_OPENED;
        return CB_OK;
    }
    if (s->count < UINT32_MAX) {
        s->count++;
    }
    s->updated_at = now;
    if (kind == s->kind) {
        *effect = CB_EFFECT_COUNTED; /* same call; an acknowledged call stays so */
        return CB_OK;
    }
    s->kind = kind;
    if (s->status == CB_ACKNOWLEDGED) {
        make_calling(t, now); /* the guest wants something new */
    } else {
        t->last_alert_at = now;
    }
    *effect = CB_EFFECT_CHANGED;
    return CB_OK;
}

cb_status cb_table_cmd(cb_table *t, const cb_cmd *cmd, uint64_t now, cb_effect *effect)
{
    if (t == NULL || cmd == NULL || effect == NULL) {
        return CB_E_ARG;
    }
    /* A command the decoder could not have produced is a caller bug. */
    if ((cmd->action != CB_ACTION_ACK && cmd->action != CB_ACTION_DONE) ||
        memchr(cmd->by, '\0', sizeof cmd->by) == NULL || cmd->by[0] == '\0') {
        return CB_E_ARG;
    }
    cb_state *s = &t->state;
    if (s->status == CB_IDLE) {
        return CB_E_NO_CALL;
    }
    if (cmd->has_call && cmd->call != s->call) {
        return CB_E_STALE; /* aimed at a call that has since closed */
    }
    if (cmd->action == CB_ACTION_DONE) {
        make_idle(t, now);
        *effect = CB_EFFECT_DONE;
        return CB_OK;
    }
    if (s->status == CB_CALLING) {
        s->status = CB_ACKNOWLEDGED;
        s->acked_at = now;
    }
    /* A repeated ack only changes who is coming; the ack timeout still runs from
     * the first ack. */
    memcpy(s->acked_by, cmd->by, strlen(cmd->by) + 1u);
    s->updated_at = now;
    *effect = CB_EFFECT_ACKED;
    return CB_OK;
}

/* Whether `seconds` (0 = never) have passed from `since` to `now`. */
static bool elapsed(uint64_t since, uint64_t now, uint32_t seconds)
{
    return seconds != 0u && now >= since && now - since >= (uint64_t)seconds * 1000u;
}

cb_status cb_table_tick(cb_table *t, const cb_call_config *cfg, uint64_t now, cb_effect *effect)
{
    if (t == NULL || cfg == NULL || effect == NULL) {
        return CB_E_ARG;
    }
    cb_state *s = &t->state;
    *effect = CB_EFFECT_NONE;
    if (s->status == CB_CALLING && elapsed(t->last_alert_at, now, cfg->realert_s)) {
        t->last_alert_at = now;
        *effect = CB_EFFECT_REALERT;
    } else if (s->status == CB_ACKNOWLEDGED && elapsed(s->acked_at, now, cfg->ack_timeout_s)) {
        make_calling(t, now);
        *effect = CB_EFFECT_REOPENED;
    } else {
        return CB_OK;
    }
    if (s->repeats < UINT32_MAX) {
        s->repeats++;
    }
    s->updated_at = now;
    return CB_OK;
}
