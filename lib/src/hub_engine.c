/* hub_engine.c - the hub's decisions (callbell/hub_engine.h).
 *
 * Every message ends in exactly one of: applied (changed() and, for a press, an ok
 * reply), a duplicate (an ok reply, nothing stored), or refused (reject(), and for a
 * press whose sender is known, a refusal reply). Decisions recorded here:
 * - A duplicate press is answered ok again: its first answer may have been lost with a
 *   connection, and the device keeps a press until it hears one.
 * - A press for a table the hub does not serve is refused and answered; its device's
 *   window is not touched (the press never happened as far as storage goes).
 * - Eviction: when max_devices windows are kept and a new device speaks, the least
 *   recently heard half is forgotten, so a flood of made-up ids costs one sort per
 *   max_devices/2 new ids, not one per press. */
#include "callbell/hub_engine.h"

#include <stdarg.h>
#include <string.h>

#define MS_PER_S 1000u

/* A bounded, dependency-free formatter for the few reasons the engine words: copies
 * the pieces in order into dst[cap], cutting at cap-1. */
static void words(char *dst, size_t cap, size_t n, ...)
{
    size_t len = 0;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *part = va_arg(ap, const char *);
        for (size_t k = 0; part != NULL && part[k] != '\0' && len + 1 < cap; k++) {
            dst[len++] = part[k];
        }
    }
    va_end(ap);
    if (cap > 0) {
        dst[len] = '\0';
    }
}

static void refuse(cb_hub_engine *e, const char *reason)
{
    e->count.rejected++;
    e->port.reject(e->port.ctx, reason);
}

cb_status cb_hub_engine_init(cb_hub_engine *e, const cb_hub_config *cfg, const cb_hub_ports *ports,
                             uint64_t last_call_id)
{
    if (e == NULL || cfg == NULL || ports == NULL) {
        return CB_E_ARG;
    }
    if (ports->table == NULL || ports->device == NULL || ports->device_count == NULL || ports->forget_devices == NULL ||
        ports->changed == NULL || ports->device_changed == NULL || ports->reply == NULL || ports->reject == NULL) {
        return CB_E_ARG;
    }
    if (cfg->max_devices < 2 || memchr(cfg->site, '\0', sizeof cfg->site) == NULL || cb_id_check(cfg->site) != CB_OK ||
        memchr(cfg->tables_text, '\0', sizeof cfg->tables_text) == NULL || last_call_id >= (uint64_t)INT64_MAX) {
        return CB_E_ARG;
    }
    memset(e, 0, sizeof *e);
    e->cfg = *cfg;
    e->port = *ports;
    e->next_call_id = last_call_id + 1u;
    return CB_OK;
}

cb_status cb_hub_reconcile(bool configured, const cb_table *stored, cb_reconcile *out)
{
    if (out == NULL) {
        return CB_E_ARG;
    }
    if (configured) {
        *out = stored != NULL ? CB_RECONCILE_KEEP : CB_RECONCILE_ADD;
    } else if (stored != NULL && stored->state.n_requests > 0) {
        *out = CB_RECONCILE_RETIRING; /* an open request is never dropped */
    } else {
        *out = CB_RECONCILE_DROP;
    }
    return CB_OK;
}

/* ---- dating ---------------------------------------------------------------- */

cb_status cb_hub_date_press(cb_hub_device *d, const cb_press *p, bool new_boot, uint64_t now, uint64_t *pressed_at,
                            bool *changed)
{
    if (d == NULL || p == NULL || pressed_at == NULL || changed == NULL) {
        return CB_E_ARG;
    }
    *changed = false;
    if (new_boot && d->boot_at != 0) {
        d->boot_at = 0; /* another boot: its clock starts anew */
        *changed = true;
    }
    uint64_t sent; /* when this copy left the presser, on the hub's clock */
    if (p->has_up_ms && p->up_ms <= now) {
        /* every copy arrives after it was sent: now - up_ms is at or after the real boot
         * moment, and the smallest such sample is the closest to it */
        uint64_t sample = now - p->up_ms;
        if (d->boot_at == 0 || sample < d->boot_at) {
            d->boot_at = sample;
            *changed = true;
        }
        sent = d->boot_at + p->up_ms;
    } else if (p->has_sent_at) {
        sent = p->sent_at;
    } else {
        sent = now;
    }
    uint64_t at = sent > p->age_ms ? sent - p->age_ms : 0;
    uint64_t floor = now > (uint64_t)CB_HUB_MAX_AGE_S * MS_PER_S ? now - (uint64_t)CB_HUB_MAX_AGE_S * MS_PER_S : 0;
    /* never in the future, never more than a day back: a wrong clock cannot misdate more */
    *pressed_at = at > now ? now : at < floor ? floor : at;
    return CB_OK;
}

/* ---- presses ---------------------------------------------------------------- */

static cb_status answer(cb_hub_engine *e, const cb_press *p, const char *table, uint64_t call, const char *error,
                        const char *reason)
{
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    r.boot = p->boot;
    r.seq = p->seq;
    r.kind = p->kind;
    r.ok = (error == NULL);
    r.call = call;
    words(r.table, sizeof r.table, 1, table);
    if (error != NULL) {
        words(r.error, sizeof r.error, 1, error);
        words(r.reason, sizeof r.reason, 1, reason);
    }
    return e->port.reply(e->port.ctx, p->device, &r);
}

/* The device's record, making room first when a new device would pass max_devices. */
static cb_status device_for(cb_hub_engine *e, const char *id, cb_hub_device **out)
{
    cb_hub_device *d = e->port.device(e->port.ctx, id, false);
    if (d == NULL) {
        if (e->port.device_count(e->port.ctx) >= e->cfg.max_devices) {
            cb_status st = e->port.forget_devices(e->port.ctx, e->cfg.max_devices / 2u);
            if (st != CB_OK) {
                return st;
            }
        }
        d = e->port.device(e->port.ctx, id, true);
    }
    if (d == NULL) {
        return CB_E_FULL;
    }
    *out = d;
    return CB_OK;
}

/* The request a press went into, for its answer (0 for a cancel). */
static uint64_t press_call(const cb_table *t, cb_kind kind)
{
    const cb_request *r = kind == CB_KIND_CANCEL ? NULL : cb_table_request(t, kind);
    return r != NULL ? r->call : 0u;
}

static cb_status apply_press(cb_hub_engine *e, cb_table *t, cb_hub_device *d, const cb_press *p, bool new_boot,
                             uint64_t now)
{
    uint64_t pressed_at = now;
    bool boot_moved = false;
    (void)cb_hub_date_press(d, p, new_boot, now, &pressed_at, &boot_moved);
    d->last_seen = now;
    cb_status st = e->port.device_changed(e->port.ctx, d); /* the window, saved with the event */
    if (st != CB_OK) {
        return st;
    }
    cb_changes ch;
    st = cb_table_press(t, p->kind, pressed_at, now, e->next_call_id, &ch);
    if (st != CB_OK) {
        return st;
    }
    if (ch.n > 0 && ch.c[0].effect == CB_EFFECT_OPENED) {
        e->next_call_id++;
    }
    if (ch.n > 0) {
        e->count.accepted++;
        if ((st = e->port.changed(e->port.ctx, t, &ch, p->device, p->boot, p->seq, now)) != CB_OK) {
            return st;
        }
    }
    return answer(e, p, t->state.table, press_call(t, p->kind), NULL, NULL);
}

/* Whether table t has a button of this kind; if not, reason says which it has. */
static bool offers(cb_hub_engine *e, const cb_table *t, cb_kind kind, char *reason, size_t cap)
{
    uint8_t kinds = e->port.kinds != NULL ? e->port.kinds(e->port.ctx, t) : 0;
    if (kinds == 0 || (kinds & (1u << kind)) != 0) {
        return true;
    }
    const char *name = "?";
    (void)cb_kind_name(kind, &name);
    words(reason, cap, 5, "table ", t->state.table, " has no ", name, " button (it offers");
    const char *sep = " ";
    for (unsigned k = 0; k < CB_KIND_COUNT; k++) {
        const char *other = NULL;
        if ((kinds & (1u << k)) != 0 && cb_kind_name((cb_kind)k, &other) == CB_OK) {
            size_t n = strlen(reason);
            words(reason + n, cap - n, 2, sep, other);
            sep = ", ";
        }
    }
    size_t n = strlen(reason);
    words(reason + n, cap - n, 1, ")");
    return false;
}

cb_status cb_hub_on_press(cb_hub_engine *e, const char *table, const char *payload, size_t len, uint64_t now)
{
    if (e == NULL || table == NULL || payload == NULL) {
        return CB_E_ARG;
    }
    char reason[CB_HUB_REJECT_MAX];
    cb_press p;
    cb_status st = cb_press_decode(payload, len, &p);
    if (st != CB_OK) {
        words(reason, sizeof reason, 2, "press: ", cb_status_str(st));
        refuse(e, reason); /* no device id to answer */
        return CB_OK;
    }
    cb_table *t = e->port.table(e->port.ctx, table);
    if (t == NULL) {
        words(reason, sizeof reason, 5, "table ", table, " is not one of this site's tables: ", e->cfg.tables_text, "");
        refuse(e, reason);
        return answer(e, &p, table, 0, "unknown_table", reason);
    }
    if (!offers(e, t, p.kind, reason, sizeof reason)) {
        refuse(e, reason);
        return answer(e, &p, t->state.table, 0, "bad_kind", reason);
    }
    cb_hub_device *d = NULL;
    if ((st = device_for(e, p.device, &d)) != CB_OK) {
        return st;
    }
    uint32_t old_boot = d->dedup.boot;
    bool had_window = d->dedup.max_seq != 0;
    st = cb_dedup_check(&d->dedup, p.boot, p.seq);
    if (st == CB_E_DUPLICATE) {
        e->count.duplicates++;
        /* which request the first copy went into is not kept: 0 says "already had it" */
        return answer(e, &p, t->state.table, 0, NULL, NULL);
    }
    if (st != CB_OK) {
        words(reason, sizeof reason, 2, "press: ", cb_status_str(st));
        refuse(e, reason);
        return answer(e, &p, table, 0, cb_status_str(st), reason);
    }
    return apply_press(e, t, d, &p, !had_window || old_boot != p.boot, now);
}

/* ---- commands --------------------------------------------------------------- */

/* Answers a command that names its client; `error` NULL when it applied. */
static cb_status answer_cmd(cb_hub_engine *e, const cb_cmd *cmd, const char *table, const char *error,
                            const char *reason)
{
    if (cmd->from[0] == '\0' || e->port.cmd_reply == NULL) {
        return CB_OK;
    }
    cb_cmd_reply r;
    memset(&r, 0, sizeof r);
    words(r.table, sizeof r.table, 1, table);
    r.action = cmd->action;
    r.call = cmd->has_call ? cmd->call : 0u;
    r.ok = (error == NULL);
    if (error != NULL) {
        words(r.error, sizeof r.error, 1, error);
        words(r.reason, sizeof r.reason, 1, reason);
    }
    return e->port.cmd_reply(e->port.ctx, cmd->from, &r);
}

cb_status cb_hub_on_cmd(cb_hub_engine *e, const char *table, const char *payload, size_t len, uint64_t now)
{
    if (e == NULL || table == NULL || payload == NULL) {
        return CB_E_ARG;
    }
    char reason[CB_HUB_REJECT_MAX];
    cb_cmd cmd;
    cb_status st = cb_cmd_decode(payload, len, &cmd);
    if (st != CB_OK) {
        words(reason, sizeof reason, 2, "command: ", cb_status_str(st));
        refuse(e, reason); /* no client to answer */
        return CB_OK;
    }
    const char *action = "?";
    (void)cb_action_name(cmd.action, &action);
    cb_table *t = e->port.table(e->port.ctx, table);
    if (t == NULL) {
        words(reason, sizeof reason, 7, action, " by ", cmd.by, ": table ", table,
              " is not one of this site's tables: ", e->cfg.tables_text);
        refuse(e, reason);
        return answer_cmd(e, &cmd, table, "unknown_table", reason);
    }
    cb_changes ch;
    st = cb_table_cmd(t, &cmd, now, &ch);
    if (st != CB_OK) {
        words(reason, sizeof reason, 4, action, " by ", cmd.by,
              st == CB_E_NO_CALL ? ": no open request"
              : st == CB_E_STALE ? ": names a request that is no longer open (stale)"
                                 : ": refused");
        refuse(e, reason);
        return answer_cmd(e, &cmd, table, cb_status_str(st), reason);
    }
    e->count.accepted++;
    if ((st = e->port.changed(e->port.ctx, t, &ch, cmd.by, 0, 0, now)) != CB_OK) {
        return st;
    }
    return answer_cmd(e, &cmd, t->state.table, NULL, NULL);
}

/* ---- escalation ------------------------------------------------------------- */

cb_status cb_hub_tick(cb_hub_engine *e, cb_table *t, uint64_t now)
{
    if (e == NULL || t == NULL) {
        return CB_E_ARG;
    }
    if (t->state.n_requests == 0) {
        return CB_OK;
    }
    cb_changes ch;
    cb_status st = cb_table_tick(t, &e->cfg.call, now, &ch);
    if (st != CB_OK || ch.n == 0) {
        return st;
    }
    e->count.accepted++;
    return e->port.changed(e->port.ctx, t, &ch, "", 0, 0, now);
}
