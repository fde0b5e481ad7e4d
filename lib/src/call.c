/* call.c - one table's request lifecycle (docs/protocol.md "Request lifecycle").
 *
 * Pure functions of (table, event, now): the hub persists the result and publishes
 * the state; nothing here knows about storage or MQTT. Invariants kept after every
 * call, and relied on by the state encoder:
 * - requests[0..n_requests) are open (calling or acknowledged), at most one per kind,
 *   ordered by (pressed_at, call);
 * - state.status is what cb_state_status derives from them.
 * Choices the protocol leaves open, made here once:
 * - The re-alert clock (last_alert_at) restarts whenever boards are alerted about a
 *   request: its opening, a re-alert, a reopen. A press of the same kind does not
 *   restart it, so a guest pressing again cannot postpone the escalation.
 * - realert_s / ack_timeout_s of 0 switch that escalation off.
 * - A command naming a `call` of this table that is closed is stale, whatever else it
 *   names: it was meant for a request that no longer exists.
 * - A press counted into an open request dated earlier than it moves the request's
 *   pressed_at back: presses may arrive out of order, the guest waited since the first. */
#include "callbell/call.h"

#include <stddef.h>
#include <string.h>

static const char *const effect_names[] = {
    [CB_EFFECT_NONE] = "none",           [CB_EFFECT_OPENED] = "opened",     [CB_EFFECT_COUNTED] = "counted",
    [CB_EFFECT_CANCELLED] = "cancelled", [CB_EFFECT_ACKED] = "acked",       [CB_EFFECT_DONE] = "done",
    [CB_EFFECT_REALERT] = "realert",     [CB_EFFECT_REOPENED] = "reopened",
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

bool cb_effect_closes(cb_effect effect)
{
    return effect == CB_EFFECT_DONE || effect == CB_EFFECT_CANCELLED;
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
    t->state.status = CB_IDLE;
    t->state.updated_at = now;
    return CB_OK;
}

const cb_request *cb_table_request(const cb_table *t, cb_kind kind)
{
    if (t == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < t->state.n_requests && i < CB_REQUEST_MAX; i++) {
        if (t->state.requests[i].kind == kind) {
            return &t->state.requests[i];
        }
    }
    return NULL;
}

static void record(cb_changes *out, cb_effect effect, const cb_request *r)
{
    if (out->n < CB_REQUEST_MAX) {
        out->c[out->n].effect = effect;
        out->c[out->n].request = *r;
        out->n++;
    }
}

/* Re-derives the table's status and dates the change: every change ends here. */
static void touched(cb_table *t, uint64_t now)
{
    (void)cb_state_status(&t->state, &t->state.status);
    t->state.updated_at = now;
}

/* Whether request a goes before b: the guest who asked first is served first. */
static bool before(const cb_request *a, const cb_request *b)
{
    return a->pressed_at < b->pressed_at || (a->pressed_at == b->pressed_at && a->call < b->call);
}

/* Inserts r in order. The caller has checked that its kind is not open (so n < 3). */
static void insert_request(cb_state *s, const cb_request *r)
{
    uint32_t i = s->n_requests;
    while (i > 0 && before(r, &s->requests[i - 1])) {
        s->requests[i] = s->requests[i - 1];
        i--;
    }
    s->requests[i] = *r;
    s->n_requests++;
}

static void remove_request(cb_state *s, uint32_t i)
{
    for (uint32_t j = i + 1; j < s->n_requests; j++) {
        s->requests[j - 1] = s->requests[j];
    }
    s->n_requests--;
    memset(&s->requests[s->n_requests], 0, sizeof s->requests[0]);
}

static cb_status cancel_all(cb_table *t, uint64_t now, cb_changes *out)
{
    if (t->state.n_requests == 0) {
        return CB_OK; /* nothing to cancel */
    }
    while (t->state.n_requests > 0) {
        record(out, CB_EFFECT_CANCELLED, &t->state.requests[0]);
        remove_request(&t->state, 0);
    }
    touched(t, now);
    return CB_OK;
}

cb_status cb_table_press(cb_table *t, cb_kind kind, uint64_t pressed_at, uint64_t now, uint64_t new_call_id,
                         cb_changes *out)
{
    if (t == NULL || out == NULL || t->state.n_requests > CB_REQUEST_MAX) {
        return CB_E_ARG;
    }
    if ((unsigned)kind >= (unsigned)CB_KIND_COUNT) {
        return CB_E_BAD_KIND;
    }
    out->n = 0;
    if (kind == CB_KIND_CANCEL) {
        return cancel_all(t, now, out);
    }
    cb_request *open = (cb_request *)cb_table_request(t, kind);
    if (open != NULL) {
        if (open->count < UINT32_MAX) {
            open->count++; /* same request; an acknowledged one stays so */
        }
        if (pressed_at < open->pressed_at) {
            /* a press that arrived after a later one (a client that resends out of
             * order): the guest asked at the earlier moment */
            open->pressed_at = pressed_at;
            cb_request r = *open;
            uint32_t i = (uint32_t)(open - t->state.requests);
            remove_request(&t->state, i);
            insert_request(&t->state, &r); /* the order is by pressed_at */
            open = (cb_request *)cb_table_request(t, kind);
        }
        record(out, CB_EFFECT_COUNTED, open);
        touched(t, now);
        return CB_OK;
    }
    if (new_call_id == 0 || new_call_id > MAX_CALL_ID) {
        return CB_E_ARG; /* request ids are >= 1 and must fit a JSON integer */
    }
    cb_request r;
    memset(&r, 0, sizeof r);
    r.call = new_call_id;
    r.kind = kind;
    r.status = CB_CALLING;
    r.count = 1;
    r.pressed_at = pressed_at;
    r.last_alert_at = now;
    insert_request(&t->state, &r);
    record(out, CB_EFFECT_OPENED, &r);
    touched(t, now);
    return CB_OK;
}

/* Whether request r is one the command names (docs/protocol.md "cmd"). */
static bool named(const cb_cmd *cmd, const cb_request *r)
{
    if (cmd->has_call && cmd->call != r->call) {
        return false;
    }
    return !cmd->has_kind || cmd->kind == r->kind;
}

static void apply_cmd(cb_table *t, uint32_t i, const cb_cmd *cmd, uint64_t now, cb_changes *out)
{
    cb_request *r = &t->state.requests[i];
    if (cmd->action == CB_ACTION_DONE) {
        record(out, CB_EFFECT_DONE, r);
        remove_request(&t->state, i);
        return;
    }
    if (r->status == CB_CALLING) {
        r->status = CB_ACKNOWLEDGED;
        r->acked_at = now;
    }
    /* A repeated ack only changes who is coming; the ack timeout still runs from
     * the first ack. */
    memcpy(r->acked_by, cmd->by, strlen(cmd->by) + 1u);
    record(out, CB_EFFECT_ACKED, r);
}

cb_status cb_table_cmd(cb_table *t, const cb_cmd *cmd, uint64_t now, cb_changes *out)
{
    if (t == NULL || cmd == NULL || out == NULL || t->state.n_requests > CB_REQUEST_MAX) {
        return CB_E_ARG;
    }
    /* A command the decoder could not have produced is a caller bug. */
    if ((cmd->action != CB_ACTION_ACK && cmd->action != CB_ACTION_DONE) ||
        memchr(cmd->by, '\0', sizeof cmd->by) == NULL || cb_name_check(cmd->by, strlen(cmd->by)) != CB_OK ||
        (cmd->has_kind && (cmd->kind == CB_KIND_CANCEL || (unsigned)cmd->kind >= CB_KIND_COUNT))) {
        return CB_E_ARG;
    }
    out->n = 0;
    uint32_t hits = 0;
    for (uint32_t i = 0; i < t->state.n_requests; i++) {
        hits += named(cmd, &t->state.requests[i]);
    }
    if (hits == 0) {
        /* a named call that is not open was closed meanwhile: stale, not an error */
        return cmd->has_call ? CB_E_STALE : CB_E_NO_CALL;
    }
    for (uint32_t i = 0; i < t->state.n_requests;) {
        uint32_t n = t->state.n_requests;
        if (named(cmd, &t->state.requests[i])) {
            apply_cmd(t, i, cmd, now, out);
        }
        i += (t->state.n_requests == n); /* a done request left index i to the next one */
    }
    touched(t, now);
    return CB_OK;
}

/* Whether `seconds` (0 = never) have passed from `since` to `now`. */
static bool elapsed(uint64_t since, uint64_t now, uint32_t seconds)
{
    return seconds != 0u && now >= since && now - since >= (uint64_t)seconds * 1000u;
}

/* One request's escalation: REALERT, REOPENED or NONE. */
static cb_effect tick_request(cb_request *r, const cb_call_config *cfg, uint64_t now)
{
    cb_effect effect = CB_EFFECT_NONE;
    if (r->status == CB_CALLING && elapsed(r->last_alert_at, now, cfg->realert_s)) {
        effect = CB_EFFECT_REALERT;
    } else if (r->status == CB_ACKNOWLEDGED && elapsed(r->acked_at, now, cfg->ack_timeout_s)) {
        r->status = CB_CALLING; /* the ack no longer holds */
        /* no byte of the name is left: the request reads as if never acked */
        memset(r->acked_by, 0, sizeof r->acked_by);
        r->acked_at = 0;
        effect = CB_EFFECT_REOPENED;
    } else {
        return CB_EFFECT_NONE;
    }
    r->last_alert_at = now;
    if (r->repeats < UINT32_MAX) {
        r->repeats++;
    }
    return effect;
}

cb_status cb_table_tick(cb_table *t, const cb_call_config *cfg, uint64_t now, cb_changes *out)
{
    if (t == NULL || cfg == NULL || out == NULL || t->state.n_requests > CB_REQUEST_MAX) {
        return CB_E_ARG;
    }
    out->n = 0;
    for (uint32_t i = 0; i < t->state.n_requests; i++) {
        cb_effect effect = tick_request(&t->state.requests[i], cfg, now);
        if (effect != CB_EFFECT_NONE) {
            record(out, effect, &t->state.requests[i]);
        }
    }
    if (out->n > 0) {
        touched(t, now);
    }
    return CB_OK;
}
