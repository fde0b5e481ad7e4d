/* hub_site.c - the site as the hub runs it: the retained site message, reloading the
 * site file (SIGHUP, `systemctl reload`) and the tables that leave it.
 *
 * A reload is all or nothing: the new file is parsed in full before anything
 * changes, so a bad file leaves the running site exactly as it was. A table that
 * leaves the file with open requests keeps being served (staff can still close them;
 * guests' new presses are refused) and goes once the last one is closed: forgotten by
 * the database in the burst's transaction, then its retained state cleared. Whether a
 * table is kept, retired or dropped is the core's decision (cb_hub_reconcile). */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANGES_TEXT_MAX 900 /* the reload's log line */

/* The buttons each table offers, from the file (when the file chose the tables). */
static void set_kinds(cb_hub *hub, const cb_site_config *cfg)
{
    if (!cfg || !hub->opt->tables_from_file)
        return;
    for (size_t k = 0; k < cfg->table_count; k++) {
        uint32_t i = cb_table_index_find(&hub->tables, cfg->tables[k].id);
        if (i != CB_NO_TABLE)
            hub->tables.heads[i].kinds = (uint8_t)(cfg->tables[k].kinds & CB_KINDS_ALL);
    }
}

/* A reload may move tables between sections: a moved table's state is published
 * again with its new section (boards ring by it). */
static void set_sections(cb_hub *hub, const cb_site_config *cfg)
{
    for (size_t k = 0; k < cfg->table_count; k++) {
        uint32_t i = cb_table_index_find(&hub->tables, cfg->tables[k].id);
        if (i == CB_NO_TABLE || strcmp(cb_table_index_section(&hub->tables, i), cfg->tables[k].section) == 0)
            continue;
        if (cb_table_index_set_section(&hub->tables, i, cfg->tables[k].section) != 0) {
            cb_log("table %s: out of memory: it stays in section '%s'", cfg->tables[k].id,
                   cb_table_index_section(&hub->tables, i));
            continue;
        }
        cb_table_index_mark_changed(&hub->tables, i);
    }
}

const char *cb_hub_section_of(const cb_hub *hub, const char *table)
{
    const cb_site_table *t = hub->site ? cb_site_config_table(hub->site, table) : NULL;
    return t ? t->section : "";
}

void cb_hub_site_init(cb_hub *hub)
{
    hub->site = hub->opt->site_config;
    hub->site_reloaded = NULL;
    hub->site_dirty = true;
    set_kinds(hub, hub->site);
}

void cb_hub_site_free(cb_hub *hub)
{
    if (hub->site_reloaded) {
        cb_site_config_free(hub->site_reloaded);
        free(hub->site_reloaded);
    }
    hub->site_reloaded = NULL;
    hub->site = NULL;
}

/* ---- the site message ------------------------------------------------------- */

/* The tables the message lists: the file's, in its order, when the hub serves them;
 * none when --tables chose the tables (the boards show ids). */
static uint32_t listed_tables(const cb_hub *hub, cb_site_entry *out, uint32_t cap)
{
    if (!hub->site || !hub->opt->tables_from_file)
        return 0;
    uint32_t n = 0;
    for (size_t i = 0; i < hub->site->table_count && n < cap; i++, n++) {
        const cb_site_table *t = &hub->site->tables[i];
        memset(&out[n], 0, sizeof out[n]);
        memcpy(out[n].id, t->id, sizeof out[n].id);
        snprintf(out[n].name, sizeof out[n].name, "%s", t->name);
        out[n].kinds = (uint8_t)(t->kinds & CB_KINDS_ALL);
    }
    return n;
}

static uint32_t served_tables(const cb_hub *hub)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < hub->tables.count; i++)
        n += !hub->tables.heads[i].gone && !hub->tables.heads[i].retiring;
    return n;
}

/* Encodes the site into buf; lists fewer tables until it fits in 64 KiB. */
static int encode_site(cb_hub *hub, char *buf, size_t cap, size_t *len)
{
    static cb_site_entry entries[CB_SITE_LIST_MAX];
    cb_site s;
    memset(&s, 0, sizeof s);
    snprintf(s.site, sizeof s.site, "%s", hub->opt->site);
    snprintf(s.name, sizeof s.name, "%s", hub->site ? hub->site->name : hub->opt->site);
    cb_age_thresholds t;
    cb_age_thresholds_default(&t);
    s.warn_s = hub->site ? hub->site->board_warn_s : t.warn_s;
    s.late_s = hub->site ? hub->site->board_late_s : t.late_s;
    s.realert_s = hub->engine.cfg.call.realert_s;
    s.ack_timeout_s = hub->engine.cfg.call.ack_timeout_s;
    s.tables = entries;
    s.tables_cap = CB_SITE_LIST_MAX;
    s.n_tables = listed_tables(hub, entries, CB_SITE_LIST_MAX);
    s.table_count = served_tables(hub);
    if (s.table_count < s.n_tables)
        s.table_count = s.n_tables;
    uint32_t all = s.n_tables;
    cb_status st;
    while ((st = cb_site_encode(&s, buf, cap, len)) == CB_E_BUFFER && s.n_tables > 0)
        s.n_tables = s.n_tables * 9 / 10;
    if (st != CB_OK) {
        cb_log("cannot encode the site message: %s (bug)", cb_status_str(st));
        return -1;
    }
    if (s.n_tables < all || s.table_count > s.n_tables)
        cb_log("the site message names %u of %u tables (at most %d, in 64 KiB); boards show the others by id",
               s.n_tables, s.table_count, CB_SITE_LIST_MAX);
    return 0;
}

void cb_hub_publish_site(cb_hub *hub)
{
    if (!hub->site_dirty || !cb_mqtt_connected(hub->mqtt))
        return;
    static char buf[CB_SITE_PAYLOAD_MAX + 1];
    char topic[CB_TOPIC_SIZE];
    size_t len = 0;
    if (cb_topic_build(CB_TOPIC_HUB_SITE, hub->opt->site, NULL, topic, sizeof topic) != CB_OK ||
        encode_site(hub, buf, sizeof buf, &len) != 0) {
        hub->site_dirty = false; /* a bug, logged: trying again every burst would not fix it */
        return;
    }
    if (cb_mqtt_publish(hub->mqtt, topic, buf, len, 1, true, NULL) == 0) {
        hub->site_dirty = false;
        hub->outstanding++;
    }
}

/* ---- tables leaving and coming back ---------------------------------------- */

/* Forgets an idle table that left the file: the database in the open transaction,
 * then (published after the commit) an empty retained state clears it for the boards. */
static int drop_table(cb_hub *hub, uint32_t i, char *err, size_t err_cap)
{
    cb_table_head *h = &hub->tables.heads[i];
    if (cb_store_begin(hub->store, err, err_cap) != 0 ||
        cb_store_drop_table(hub->store, cb_table_index_id(&hub->tables, i), err, err_cap) != 0)
        return -1;
    h->retiring = false;
    h->gone = true;
    cb_table_index_mark_changed(&hub->tables, i);
    hub->site_dirty = true; /* table_count */
    return 0;
}

int cb_hub_retire_idle(cb_hub *hub, char *err, size_t err_cap)
{
    if (!hub->retire_pending)
        return 0;
    hub->retire_pending = false;
    for (uint32_t i = 0; i < hub->tables.count; i++) {
        const cb_table_head *h = &hub->tables.heads[i];
        if (!h->retiring || h->open != CB_NO_TABLE)
            continue;
        cb_log("table %s: its last open request is closed; it has left the site", cb_table_index_id(&hub->tables, i));
        if (drop_table(hub, i, err, err_cap) != 0)
            return -1;
    }
    return 0;
}

/* A table the new file names: new, back before it left, or back after. */
static int add_table(cb_hub *hub, const char *id, char *err, size_t err_cap)
{
    uint32_t i = cb_table_index_find(&hub->tables, id);
    if (i != CB_NO_TABLE && !hub->tables.heads[i].gone) {
        hub->tables.heads[i].retiring = false; /* back before its requests closed */
        return 0;
    }
    cb_table t;
    if (cb_table_init(&t, id, cb_wall_ms()) != CB_OK) {
        snprintf(err, err_cap, "bad table id '%s' (bug)", id);
        return -1;
    }
    if (cb_store_begin(hub->store, err, err_cap) != 0 || cb_store_put_table(hub->store, &t, err, err_cap) != 0)
        return -1;
    if (i == CB_NO_TABLE)
        i = cb_table_index_add(&hub->tables, &t);
    else if (cb_table_index_put(&hub->tables, i, &t) != 0)
        i = CB_NO_TABLE;
    if (i == CB_NO_TABLE) {
        snprintf(err, err_cap, "out of memory for the tables");
        return -1;
    }
    hub->tables.heads[i].gone = false;
    hub->tables.heads[i].retiring = false;
    cb_table_index_mark_changed(&hub->tables, i); /* the boards see it, idle */
    return 0;
}

/* A table the new file no longer names: the core says whether it goes now. */
static int remove_table(cb_hub *hub, const char *id, unsigned *open_requests, char *err, size_t err_cap)
{
    *open_requests = 0;
    uint32_t i = cb_table_index_find(&hub->tables, id);
    if (i == CB_NO_TABLE || hub->tables.heads[i].gone)
        return 0;
    cb_table t;
    cb_table_index_get(&hub->tables, i, &t);
    cb_reconcile what = CB_RECONCILE_KEEP;
    cb_hub_reconcile(false, &t, &what);
    if (what == CB_RECONCILE_RETIRING) {
        hub->tables.heads[i].retiring = true;
        *open_requests = t.state.n_requests;
        return 0;
    }
    return drop_table(hub, i, err, err_cap);
}

/* ---- reload ---------------------------------------------------------------- */

typedef struct reload_ctx {
    cb_hub *hub;
    bool apply_tables;
    int rc;
    char err[512];
    char added[CHANGES_TEXT_MAX], removed[CHANGES_TEXT_MAX], renamed[CHANGES_TEXT_MAX];
} reload_ctx;

static void append(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char *buf, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 4 >= CHANGES_TEXT_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + n, CHANGES_TEXT_MAX - n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= CHANGES_TEXT_MAX - n)
        snprintf(buf + CHANGES_TEXT_MAX - 4, 4, "...");
}

static void on_change(void *vctx, const cb_site_change *c)
{
    reload_ctx *x = vctx;
    if (x->rc != 0)
        return;
    const char *sep;
    switch (c->kind) {
    case CB_SITE_TABLE_ADDED:
        sep = x->added[0] ? ", " : "";
        append(x->added, "%s%s '%s'", sep, c->new_table->id, c->new_table->name);
        if (x->apply_tables)
            x->rc = add_table(x->hub, c->new_table->id, x->err, sizeof x->err);
        break;
    case CB_SITE_TABLE_REMOVED: {
        unsigned open = 0;
        if (x->apply_tables)
            x->rc = remove_table(x->hub, c->old_table->id, &open, x->err, sizeof x->err);
        sep = x->removed[0] ? ", " : "";
        if (open)
            append(x->removed, "%s%s (served until its %u open request%s closed)", sep, c->old_table->id, open,
                   open == 1 ? " is" : "s are");
        else
            append(x->removed, "%s%s", sep, c->old_table->id);
        break;
    }
    case CB_SITE_TABLE_CHANGED:
        sep = x->renamed[0] ? ", " : "";
        if (strcmp(c->old_table->name, c->new_table->name) != 0)
            append(x->renamed, "%s%s '%s' -> '%s'", sep, c->old_table->id, c->old_table->name, c->new_table->name);
        else if (strcmp(c->old_table->section, c->new_table->section) != 0)
            append(x->renamed, "%s%s (section '%s' -> '%s')", sep, c->old_table->id, c->old_table->section,
                   c->new_table->section);
        else
            append(x->renamed, "%s%s (its buttons)", sep, c->old_table->id);
        break;
    }
}

/* "1,2,bar" for the engine's refusals ("table 9 is not one of this site's tables: ..."). */
static void set_tables_text(cb_hub *hub, const cb_site_config *cfg)
{
    char *buf = hub->engine.cfg.tables_text;
    size_t cap = sizeof hub->engine.cfg.tables_text, n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cfg->table_count; i++) {
        size_t k = strlen(cfg->tables[i].id) + (i > 0);
        if (n + k + 4 > cap) {
            snprintf(buf + n, cap - n, "...");
            return;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i > 0 ? "," : "", cfg->tables[i].id);
    }
}

/* Adds one part to the reload's log line ("reloaded F: part; part"). */
static void add_part(char *line, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_part(char *line, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(line);
    if (n + 3 >= cap)
        return;
    if (line[n - 1] != ':')
        line[n++] = ';';
    line[n++] = ' ';
    line[n] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, cap - n, fmt, ap);
    va_end(ap);
}

/* The settings besides the tables; what flags gave stays. */
static void apply_settings(cb_hub *hub, const cb_site_config *old_cfg, const cb_site_config *cfg, char *line,
                           size_t cap)
{
    cb_call_config *call = &hub->engine.cfg.call;
    if (hub->opt->realert_from_file && call->realert_s != cfg->realert_s) {
        add_part(line, cap, "re-alert %u -> %u s", call->realert_s, cfg->realert_s);
        call->realert_s = cfg->realert_s;
    }
    if (hub->opt->ack_timeout_from_file && call->ack_timeout_s != cfg->ack_timeout_s) {
        add_part(line, cap, "ack timeout %u -> %u s", call->ack_timeout_s, cfg->ack_timeout_s);
        call->ack_timeout_s = cfg->ack_timeout_s;
    }
    if (old_cfg->board_warn_s != cfg->board_warn_s || old_cfg->board_late_s != cfg->board_late_s)
        add_part(line, cap, "board colours %u/%u -> %u/%u s", old_cfg->board_warn_s, old_cfg->board_late_s,
                 cfg->board_warn_s, cfg->board_late_s);
    if (strcmp(old_cfg->name, cfg->name) != 0)
        add_part(line, cap, "site name '%s' -> '%s'", old_cfg->name, cfg->name);
}

static void refuse(const char *path, const char *why)
{
    cb_log("reload of %s refused: %s; the site keeps running unchanged", path, why);
}

void cb_hub_reload(cb_hub *hub)
{
    if (!hub->site) {
        cb_log("reload: the hub was started without a site file (--config FILE); nothing to re-read");
        return;
    }
    if (hub->opt->notify)
        hub->opt->notify("RELOADING=1");
    const char *path = hub->site->path;
    cb_site_config *cfg = calloc(1, sizeof *cfg);
    char err[600];
    reload_ctx *x = calloc(1, sizeof *x);
    if (!cfg || !x) {
        refuse(path, "out of memory");
        goto out;
    }
    if (cb_site_config_load(path, cfg, err, sizeof err) != 0) {
        refuse(path, err);
        goto out;
    }
    if (strcmp(cfg->id, hub->site->id) != 0) {
        snprintf(err, sizeof err, "[site] id changed from '%s' to '%s' (restart the hub to serve another site)",
                 hub->site->id, cfg->id);
        refuse(path, err);
        goto out;
    }
    x->hub = hub;
    x->apply_tables = hub->opt->tables_from_file;
    size_t changes = cb_site_config_diff(hub->site, cfg, on_change, x);
    if (x->rc != 0) {
        /* the database failed half way: the burst's transaction is rolled back */
        snprintf(hub->store_error, sizeof hub->store_error, "reload: %.480s", x->err);
        hub->store_failed = true; /* the main loop rides it out (degraded) and rolls back */
        goto out;
    }
    char line[4 * CHANGES_TEXT_MAX];
    snprintf(line, sizeof line, "reloaded %.512s:", path);
    if (x->added[0])
        add_part(line, sizeof line, "added %s", x->added);
    if (x->removed[0])
        add_part(line, sizeof line, "removed %s", x->removed);
    if (x->renamed[0])
        add_part(line, sizeof line, "changed %s", x->renamed);
    if (changes && !x->apply_tables)
        add_part(line, sizeof line, "names only: --tables chose the tables");
    apply_settings(hub, hub->site, cfg, line, sizeof line);
    if (line[strlen(line) - 1] == ':')
        add_part(line, sizeof line, "nothing changed");
    if (x->apply_tables)
        set_tables_text(hub, cfg);
    set_kinds(hub, cfg);
    set_sections(hub, cfg);
    cb_log("%s", line);
    cb_hub_site_free(hub);
    hub->site = hub->site_reloaded = cfg;
    hub->site_dirty = true;
    hub->retire_pending = true; /* a table may have come back, or left idle meanwhile */
    cfg = NULL;
out:
    if (cfg) {
        cb_site_config_free(cfg);
        free(cfg);
    }
    free(x);
    if (hub->opt->notify)
        hub->opt->notify("READY=1");
}
