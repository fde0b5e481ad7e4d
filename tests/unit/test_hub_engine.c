/* test_hub_engine.c - the hub's decisions (callbell/hub_engine.h) against fake ports:
 * in-memory tables and devices, and a record of every effect, in order. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "callbell/hub_engine.h"

#define T0 1764140000000ull
#define SEC 1000ull
#define HOUR (3600ull * SEC)
#define DAY (24ull * HOUR)
#define NONE UINT64_MAX /* press(): no up_ms / sent_at */
#define MAX_TABLES 4
#define MAX_DEVICES 8
#define MAX_RECORDS 16

typedef struct changed_rec {
    char table[CB_ID_SIZE];
    cb_changes ch;
    cb_state state; /* the table as changed() saw it */
    char who[CB_ID_SIZE];
    uint32_t boot, seq;
    uint64_t now;
} changed_rec;

typedef struct reply_rec {
    char device[CB_ID_SIZE];
    cb_press_reply r;
} reply_rec;

typedef struct fake {
    cb_table tables[MAX_TABLES];
    uint32_t ntables;
    cb_hub_device devices[MAX_DEVICES];
    uint32_t ndevices;
    char trace[64]; /* one letter per port call: n new device, f forget, d device_changed,
                       c changed, r reply, x reject */
    uint32_t forget_keep;
    changed_rec changed[MAX_RECORDS];
    uint32_t nchanged;
    cb_hub_device saved; /* the last device_changed() */
    uint32_t nsaved;
    reply_rec replies[MAX_RECORDS];
    uint32_t nreplies;
    char rejects[MAX_RECORDS][CB_HUB_REJECT_MAX];
    uint32_t nrejects;
    /* failures to inject */
    cb_status fail_changed, fail_device_changed, fail_reply, fail_forget;
    bool out_of_memory;
} fake;

static fake F;
static cb_hub_engine E;

static void trace(char c)
{
    size_t n = strlen(F.trace);
    assert_true(n + 1 < sizeof F.trace);
    F.trace[n] = c;
}

static cb_table *port_table(void *ctx, const char *id)
{
    assert_ptr_equal(ctx, &F);
    for (uint32_t i = 0; i < F.ntables; i++) {
        if (strcmp(F.tables[i].state.table, id) == 0) {
            return &F.tables[i];
        }
    }
    return NULL;
}

static cb_hub_device *port_device(void *ctx, const char *id, bool create)
{
    assert_ptr_equal(ctx, &F);
    for (uint32_t i = 0; i < F.ndevices; i++) {
        if (strcmp(F.devices[i].id, id) == 0) {
            return &F.devices[i];
        }
    }
    if (!create || F.out_of_memory || F.ndevices == MAX_DEVICES) {
        return NULL;
    }
    trace('n');
    cb_hub_device *d = &F.devices[F.ndevices++];
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    return d;
}

static uint32_t port_device_count(void *ctx)
{
    assert_ptr_equal(ctx, &F);
    return F.ndevices;
}

/* Keeps the `keep` most recently seen devices. */
static cb_status port_forget_devices(void *ctx, uint32_t keep)
{
    assert_ptr_equal(ctx, &F);
    trace('f');
    F.forget_keep = keep;
    if (F.fail_forget != CB_OK) {
        return F.fail_forget;
    }
    for (uint32_t i = 1; i < F.ndevices; i++) { /* newest first */
        for (uint32_t j = i; j > 0 && F.devices[j].last_seen > F.devices[j - 1].last_seen; j--) {
            cb_hub_device tmp = F.devices[j];
            F.devices[j] = F.devices[j - 1];
            F.devices[j - 1] = tmp;
        }
    }
    if (F.ndevices > keep) {
        F.ndevices = keep;
    }
    return CB_OK;
}

static cb_status port_changed(void *ctx, const cb_table *t, const cb_changes *ch, const char *who, uint32_t boot,
                              uint32_t seq, uint64_t now)
{
    assert_ptr_equal(ctx, &F);
    trace('c');
    assert_true(ch->n >= 1 && ch->n <= CB_REQUEST_MAX);
    /* every state the engine hands over must be publishable */
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_state_encode(&t->state, buf, sizeof buf, &len), CB_OK);
    assert_true(F.nchanged < MAX_RECORDS);
    changed_rec *c = &F.changed[F.nchanged++];
    snprintf(c->table, sizeof c->table, "%s", t->state.table);
    c->ch = *ch;
    c->state = t->state;
    snprintf(c->who, sizeof c->who, "%s", who);
    c->boot = boot;
    c->seq = seq;
    c->now = now;
    return F.fail_changed;
}

static cb_status port_device_changed(void *ctx, const cb_hub_device *d)
{
    assert_ptr_equal(ctx, &F);
    trace('d');
    F.saved = *d;
    F.nsaved++;
    return F.fail_device_changed;
}

static cb_status port_reply(void *ctx, const char *device, const cb_press_reply *r)
{
    assert_ptr_equal(ctx, &F);
    trace('r');
    /* every answer must be one the shell can send */
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_press_reply_encode(r, buf, sizeof buf, &len), CB_OK);
    assert_true(F.nreplies < MAX_RECORDS);
    reply_rec *rec = &F.replies[F.nreplies++];
    snprintf(rec->device, sizeof rec->device, "%s", device);
    rec->r = *r;
    return F.fail_reply;
}

static void port_reject(void *ctx, const char *reason)
{
    assert_ptr_equal(ctx, &F);
    trace('x');
    assert_true(F.nrejects < MAX_RECORDS);
    assert_true(strlen(reason) < CB_HUB_REJECT_MAX);
    snprintf(F.rejects[F.nrejects++], CB_HUB_REJECT_MAX, "%s", reason);
}

static cb_hub_ports ports(void)
{
    cb_hub_ports p = {
        .ctx = &F,
        .table = port_table,
        .device = port_device,
        .device_count = port_device_count,
        .forget_devices = port_forget_devices,
        .changed = port_changed,
        .device_changed = port_device_changed,
        .reply = port_reply,
        .reject = port_reject,
    };
    return p;
}

static cb_hub_config config(void)
{
    cb_hub_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.site, "demo");
    assert_int_equal(cb_call_config_default(&cfg.call), CB_OK);
    cfg.max_devices = 4;
    strcpy(cfg.tables_text, "1-4");
    return cfg;
}

/* Tables 1-4, no devices, the last request id ever given 10. */
static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    static const char *const ids[MAX_TABLES] = {"1", "2", "3", "4"};
    for (uint32_t i = 0; i < MAX_TABLES; i++) {
        assert_int_equal(cb_table_init(&F.tables[i], ids[i], T0 - HOUR), CB_OK);
    }
    F.ntables = MAX_TABLES;
    cb_hub_config cfg = config();
    cb_hub_ports p = ports();
    assert_int_equal(cb_hub_engine_init(&E, &cfg, &p, 10), CB_OK);
    return 0;
}

/* Table 3 offers call and water only (the site file's [kinds]). */
static uint8_t port_kinds(void *ctx, const cb_table *t)
{
    assert_ptr_equal(ctx, &F);
    return strcmp(t->state.table, "3") == 0 ? (uint8_t)((1u << CB_KIND_CALL) | (1u << CB_KIND_WATER)) : 0;
}

/* Forgets what the ports recorded so far (not the tables and devices). */
static void clear_records(void)
{
    memset(F.trace, 0, sizeof F.trace);
    F.nchanged = F.nsaved = F.nreplies = F.nrejects = 0;
}

static cb_table *table(const char *id)
{
    cb_table *t = port_table(&F, id);
    assert_non_null(t);
    return t;
}

static cb_hub_device *device(const char *id)
{
    return port_device(&F, id, false);
}

static cb_press make_press(const char *dev, uint32_t boot, uint32_t seq, cb_kind kind, uint32_t age_ms, uint64_t up_ms,
                           uint64_t sent_at)
{
    cb_press p;
    memset(&p, 0, sizeof p);
    snprintf(p.device, sizeof p.device, "%s", dev);
    p.boot = boot;
    p.seq = seq;
    p.kind = kind;
    p.age_ms = age_ms;
    p.has_up_ms = up_ms != NONE;
    p.up_ms = p.has_up_ms ? up_ms : 0;
    p.has_sent_at = sent_at != NONE;
    p.sent_at = p.has_sent_at ? sent_at : 0;
    return p;
}

/* A press payload, encoded as a device would, handed to the engine at `now`. */
static cb_status on_press_full(const char *tbl, const char *dev, uint32_t boot, uint32_t seq, cb_kind kind,
                               uint32_t age_ms, uint64_t up_ms, uint64_t sent_at, uint64_t now)
{
    cb_press p = make_press(dev, boot, seq, kind, age_ms, up_ms, sent_at);
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    return cb_hub_on_press(&E, tbl, buf, len, now);
}

static void on_press(const char *tbl, const char *dev, uint32_t boot, uint32_t seq, cb_kind kind, uint64_t now)
{
    assert_int_equal(on_press_full(tbl, dev, boot, seq, kind, 0, NONE, NONE, now), CB_OK);
}

static cb_status on_cmd(const char *tbl, cb_action action, const char *by, cb_kind kind, uint64_t call, uint64_t now)
{
    cb_cmd c;
    memset(&c, 0, sizeof c);
    c.action = action;
    snprintf(c.by, sizeof c.by, "%s", by);
    c.has_kind = kind != CB_KIND_COUNT;
    c.kind = c.has_kind ? kind : CB_KIND_CALL;
    c.has_call = call != 0;
    c.call = call;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    return cb_hub_on_cmd(&E, tbl, buf, len, now);
}

static const reply_rec *last_reply(void)
{
    assert_true(F.nreplies > 0);
    return &F.replies[F.nreplies - 1];
}

static void assert_ok_reply(const char *dev, uint32_t boot, uint32_t seq, const char *tbl, cb_kind kind, uint64_t call)
{
    const reply_rec *rec = last_reply();
    assert_string_equal(rec->device, dev);
    assert_true(rec->r.ok);
    assert_int_equal(rec->r.boot, boot);
    assert_int_equal(rec->r.seq, seq);
    assert_string_equal(rec->r.table, tbl);
    assert_int_equal(rec->r.kind, kind);
    assert_int_equal(rec->r.call, call);
    assert_string_equal(rec->r.error, "");
    assert_string_equal(rec->r.reason, "");
}

/* ---- set-up ---------------------------------------------------------------- */

static void test_init(void **state)
{
    (void)state;
    assert_int_equal(E.next_call_id, 11);
    assert_int_equal(E.count.accepted + E.count.rejected + E.count.duplicates, 0);
    cb_hub_engine e;
    cb_hub_config cfg = config();
    cb_hub_ports p = ports();
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_OK);
    assert_int_equal(e.next_call_id, 1);
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, (uint64_t)INT64_MAX - 1u), CB_OK);
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, (uint64_t)INT64_MAX), CB_E_ARG);
    assert_int_equal(cb_hub_engine_init(NULL, &cfg, &p, 0), CB_E_ARG);
    assert_int_equal(cb_hub_engine_init(&e, NULL, &p, 0), CB_E_ARG);
    assert_int_equal(cb_hub_engine_init(&e, &cfg, NULL, 0), CB_E_ARG);
    /* every port is required */
    for (int i = 0; i < 8; i++) {
        cb_hub_ports q = ports();
        switch (i) {
        case 0:
            q.table = NULL;
            break;
        case 1:
            q.device = NULL;
            break;
        case 2:
            q.device_count = NULL;
            break;
        case 3:
            q.forget_devices = NULL;
            break;
        case 4:
            q.changed = NULL;
            break;
        case 5:
            q.device_changed = NULL;
            break;
        case 6:
            q.reply = NULL;
            break;
        default:
            q.reject = NULL;
            break;
        }
        assert_int_equal(cb_hub_engine_init(&e, &cfg, &q, 0), CB_E_ARG);
    }
    cfg.max_devices = 1;
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_E_ARG);
    cfg.max_devices = 2;
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_OK);
    strcpy(cfg.site, "De mo");
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_E_ARG);
    memset(cfg.site, 'a', sizeof cfg.site); /* not terminated */
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_E_ARG);
    cfg = config();
    memset(cfg.tables_text, '1', sizeof cfg.tables_text);
    assert_int_equal(cb_hub_engine_init(&e, &cfg, &p, 0), CB_E_ARG);
    /* NULL arguments to the event calls */
    assert_int_equal(cb_hub_on_press(NULL, "3", "{}", 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_on_press(&E, NULL, "{}", 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_on_press(&E, "3", NULL, 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_on_cmd(NULL, "3", "{}", 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_on_cmd(&E, NULL, "{}", 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_on_cmd(&E, "3", NULL, 2, T0), CB_E_ARG);
    assert_int_equal(cb_hub_tick(NULL, table("3"), T0), CB_E_ARG);
    assert_int_equal(cb_hub_tick(&E, NULL, T0), CB_E_ARG);
    assert_string_equal(F.trace, "");
}

/* ---- presses ---------------------------------------------------------------- */

static void test_press_applied(void **state)
{
    (void)state;
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 100, NONE, NONE, T0), CB_OK);
    /* a new device, its window saved, the table changed, then the answer */
    assert_string_equal(F.trace, "ndcr");
    assert_int_equal(F.nchanged, 1);
    const changed_rec *c = &F.changed[0];
    assert_string_equal(c->table, "3");
    assert_int_equal(c->ch.n, 1);
    assert_int_equal(c->ch.c[0].effect, CB_EFFECT_OPENED);
    assert_int_equal(c->ch.c[0].request.call, 11);
    assert_int_equal(c->ch.c[0].request.pressed_at, T0 - 100); /* received - age_ms */
    assert_string_equal(c->who, "d1");
    assert_int_equal(c->boot, 7);
    assert_int_equal(c->seq, 1);
    assert_int_equal(c->now, T0);
    assert_int_equal(c->state.n_requests, 1);
    assert_int_equal(c->state.status, CB_CALLING);
    assert_ok_reply("d1", 7, 1, "3", CB_KIND_CALL, 11);
    assert_int_equal(F.saved.dedup.boot, 7);
    assert_int_equal(F.saved.dedup.max_seq, 1);
    assert_int_equal(F.saved.last_seen, T0);
    assert_int_equal(E.next_call_id, 12);
    assert_int_equal(E.count.accepted, 1);

    /* another kind: its own request, the next id */
    clear_records();
    on_press("3", "d1", 7, 2, CB_KIND_BILL, T0 + SEC);
    assert_string_equal(F.trace, "dcr");
    assert_int_equal(F.changed[0].ch.c[0].effect, CB_EFFECT_OPENED);
    assert_ok_reply("d1", 7, 2, "3", CB_KIND_BILL, 12);
    assert_int_equal(table("3")->state.n_requests, 2);
    assert_int_equal(E.next_call_id, 13);

    /* the same kind again: counted into the open request, no id spent */
    clear_records();
    on_press("3", "d1", 7, 3, CB_KIND_CALL, T0 + 2 * SEC);
    assert_string_equal(F.trace, "dcr");
    assert_int_equal(F.changed[0].ch.c[0].effect, CB_EFFECT_COUNTED);
    assert_int_equal(F.changed[0].ch.c[0].request.count, 2);
    assert_ok_reply("d1", 7, 3, "3", CB_KIND_CALL, 11);
    assert_int_equal(E.next_call_id, 13);
    assert_int_equal(E.count.accepted, 3);
    assert_int_equal(E.count.rejected + E.count.duplicates, 0);
}

static void test_press_cancel(void **state)
{
    (void)state;
    /* cancel on an idle table: nothing stored but the window, answered with call 0 */
    on_press("2", "d1", 7, 1, CB_KIND_CANCEL, T0);
    assert_string_equal(F.trace, "ndr");
    assert_ok_reply("d1", 7, 1, "2", CB_KIND_CANCEL, 0);
    assert_int_equal(E.count.accepted, 0);
    on_press("2", "d1", 7, 2, CB_KIND_WATER, T0 + SEC);
    on_press("2", "d1", 7, 3, CB_KIND_CALL, T0 + 2 * SEC);
    clear_records();
    on_press("2", "d1", 7, 4, CB_KIND_CANCEL, T0 + 3 * SEC);
    assert_string_equal(F.trace, "dcr");
    assert_int_equal(F.changed[0].ch.n, 2);
    assert_int_equal(F.changed[0].ch.c[0].effect, CB_EFFECT_CANCELLED);
    assert_int_equal(F.changed[0].ch.c[1].effect, CB_EFFECT_CANCELLED);
    assert_int_equal(F.changed[0].state.status, CB_IDLE);
    assert_ok_reply("d1", 7, 4, "2", CB_KIND_CANCEL, 0);
}

static void test_press_duplicate(void **state)
{
    (void)state;
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    cb_table before = *table("3");
    cb_hub_device dev_before = *device("d1");
    clear_records();
    /* the same press again (QoS 1 copy): answered ok again (call 0: "already had it"),
     * nothing stored */
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0 + 5 * SEC);
    assert_string_equal(F.trace, "r");
    assert_ok_reply("d1", 7, 1, "3", CB_KIND_CALL, 0);
    assert_memory_equal(table("3"), &before, sizeof before);
    assert_memory_equal(device("d1"), &dev_before, sizeof dev_before);
    assert_int_equal(E.count.duplicates, 1);
    assert_int_equal(E.count.accepted, 1);
    assert_int_equal(E.next_call_id, 12);
    /* a copy of a press whose request has closed since: still ok, call 0 */
    assert_int_equal(on_cmd("3", CB_ACTION_DONE, "Ana", CB_KIND_COUNT, 0, T0 + 6 * SEC), CB_OK);
    clear_records();
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0 + 7 * SEC);
    assert_string_equal(F.trace, "r");
    assert_ok_reply("d1", 7, 1, "3", CB_KIND_CALL, 0);
    assert_int_equal(E.count.duplicates, 2);
}

static void test_press_unknown_table(void **state)
{
    (void)state;
    on_press("9", "d1", 7, 1, CB_KIND_CALL, T0);
    assert_string_equal(F.trace, "xr"); /* no device record, nothing stored */
    assert_int_equal(F.ndevices, 0);
    assert_string_equal(F.rejects[0], "table 9 is not one of this site's tables: 1-4");
    const reply_rec *rec = last_reply();
    assert_string_equal(rec->device, "d1");
    assert_false(rec->r.ok);
    assert_int_equal(rec->r.boot, 7);
    assert_int_equal(rec->r.seq, 1);
    assert_string_equal(rec->r.table, "9");
    assert_int_equal(rec->r.kind, CB_KIND_CALL);
    assert_int_equal(rec->r.call, 0);
    assert_string_equal(rec->r.error, "unknown_table");
    assert_string_equal(rec->r.reason, "table 9 is not one of this site's tables: 1-4");
    assert_int_equal(E.count.rejected, 1);
    assert_int_equal(E.count.accepted, 0);
    assert_int_equal(E.next_call_id, 11);
    /* the device's window was not touched: its seq 1 still applies to a served table */
    clear_records();
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0 + SEC);
    assert_string_equal(F.trace, "ndcr");
    assert_ok_reply("d1", 7, 1, "3", CB_KIND_CALL, 11);
}

/* A table offers the buttons its site file gives it: another kind is refused and
 * answered (bad_kind, naming the buttons it has), before the device's window. */
static void test_press_kind_not_offered(void **state)
{
    (void)state;
    cb_hub_ports p = ports();
    p.kinds = port_kinds;
    cb_hub_config cfg = config();
    assert_int_equal(cb_hub_engine_init(&E, &cfg, &p, 10), CB_OK);
    on_press("3", "d1", 7, 1, CB_KIND_BILL, T0);
    assert_string_equal(F.rejects[0], "table 3 has no bill button (it offers call, water)");
    const reply_rec *rec = last_reply();
    assert_false(rec->r.ok);
    assert_string_equal(rec->r.error, "bad_kind");
    assert_string_equal(rec->r.reason, "table 3 has no bill button (it offers call, water)");
    assert_int_equal(rec->r.call, 0);
    assert_int_equal(F.nchanged, 0);
    assert_int_equal(F.ndevices, 0);
    assert_int_equal(E.count.rejected, 1);
    /* the kinds it offers, and every kind elsewhere (0: all four), are taken */
    clear_records();
    on_press("3", "d1", 7, 1, CB_KIND_WATER, T0 + SEC);
    assert_ok_reply("d1", 7, 1, "3", CB_KIND_WATER, 11);
    on_press("2", "d1", 7, 2, CB_KIND_BILL, T0 + 2 * SEC);
    assert_ok_reply("d1", 7, 2, "2", CB_KIND_BILL, 12);
    on_press("3", "d1", 7, 3, CB_KIND_CANCEL, T0 + 3 * SEC);
    assert_string_equal(last_reply()->r.error, "bad_kind");
}

/* The longest table id and tables text still give the whole reason, in the log
 * line and in the reply. */
static void test_press_unknown_table_long_reason(void **state)
{
    (void)state;
    cb_hub_config cfg = config();
    memset(cfg.tables_text, 'x', sizeof cfg.tables_text - 1);
    cfg.tables_text[sizeof cfg.tables_text - 1] = '\0';
    cb_hub_ports p = ports();
    assert_int_equal(cb_hub_engine_init(&E, &cfg, &p, 10), CB_OK);
    const char *tbl = "abcdefghijklmnopqrstuvwxyz012345"; /* 32 bytes */
    on_press(tbl, "d1", 7, 1, CB_KIND_CALL, T0);
    assert_string_equal(F.trace, "xr");
    char want[CB_HUB_REJECT_MAX];
    snprintf(want, sizeof want, "table %s is not one of this site's tables: %s", tbl, cfg.tables_text);
    assert_string_equal(F.rejects[0], want);
    const reply_rec *rec = last_reply();
    assert_string_equal(rec->r.reason, want);
}

static void test_press_bad_payload(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{bad",
        "{\"v\":2}",
        "{\"v\":1,\"device\":\"d1\",\"boot\":7,\"seq\":0,\"kind\":\"call\",\"age_ms\":0}",
        "{\"v\":1,\"device\":\"d1\",\"boot\":7,\"seq\":1,\"kind\":\"beer\",\"age_ms\":0}",
        "{\"v\":1,\"device\":\"D1\",\"boot\":7,\"seq\":1,\"kind\":\"call\",\"age_ms\":0}",
    };
    static const char *const reasons[] = {
        "press: json", "press: version", "press: range", "press: bad_kind", "press: bad_id",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_records();
        assert_int_equal(cb_hub_on_press(&E, "3", bad[i], strlen(bad[i]), T0), CB_OK);
        assert_string_equal(F.trace, "x"); /* no device to answer */
        assert_string_equal(F.rejects[0], reasons[i]);
    }
    assert_int_equal(E.count.rejected, sizeof bad / sizeof bad[0]);
    assert_int_equal(F.ndevices, 0);
    assert_int_equal(table("3")->state.n_requests, 0);
    /* also for a table the hub does not serve: the payload is judged first */
    clear_records();
    assert_int_equal(cb_hub_on_press(&E, "9", "{bad", 4, T0), CB_OK);
    assert_string_equal(F.trace, "x");
    assert_string_equal(F.rejects[0], "press: json");
}

/* max_devices windows kept: a new device first makes room, keeping the newest half. */
static void test_device_eviction(void **state)
{
    (void)state;
    on_press("1", "d1", 1, 1, CB_KIND_CALL, T0 + 1 * SEC);
    on_press("1", "d2", 1, 1, CB_KIND_CALL, T0 + 2 * SEC);
    on_press("1", "d3", 1, 1, CB_KIND_CALL, T0 + 3 * SEC);
    on_press("1", "d4", 1, 1, CB_KIND_CALL, T0 + 4 * SEC);
    on_press("1", "d1", 1, 2, CB_KIND_CALL, T0 + 5 * SEC); /* d1 heard again: newest */
    assert_int_equal(F.ndevices, 4);
    assert_true(strchr(F.trace, 'f') == NULL); /* a known device at the limit: no eviction */
    clear_records();
    on_press("1", "d5", 1, 1, CB_KIND_CALL, T0 + 6 * SEC);
    assert_string_equal(F.trace, "fndcr"); /* forget before the new device */
    assert_int_equal(F.forget_keep, 2);
    assert_int_equal(F.ndevices, 3);
    assert_non_null(device("d1"));
    assert_non_null(device("d4"));
    assert_non_null(device("d5"));
    assert_null(device("d2"));
    assert_null(device("d3"));
    /* below the limit again: no eviction */
    clear_records();
    on_press("1", "d6", 1, 1, CB_KIND_CALL, T0 + 7 * SEC);
    assert_string_equal(F.trace, "ndcr");
    /* a forgotten device starts a fresh window */
    clear_records();
    on_press("1", "d2", 1, 2, CB_KIND_CALL, T0 + 8 * SEC);
    assert_string_equal(F.trace, "fndcr");
    assert_int_equal(device("d2")->dedup.max_seq, 2);
}

static void test_device_eviction_failures(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        on_press("1", id, 1, 1, CB_KIND_CALL, T0 + (uint64_t)i);
    }
    cb_table before = *table("1");
    clear_records();
    F.fail_forget = CB_E_FULL;
    assert_int_equal(on_press_full("1", "d9", 1, 1, CB_KIND_CALL, 0, NONE, NONE, T0 + SEC), CB_E_FULL);
    assert_string_equal(F.trace, "f");
    assert_memory_equal(table("1"), &before, sizeof before);
    /* no memory for a new record: full, nothing done */
    F.fail_forget = CB_OK;
    F.out_of_memory = true;
    clear_records();
    assert_int_equal(on_press_full("1", "d9", 1, 1, CB_KIND_CALL, 0, NONE, NONE, T0 + SEC), CB_E_FULL);
    assert_string_equal(F.trace, "f");
    assert_memory_equal(table("1"), &before, sizeof before);
}

/* The window follows the device across reboots. */
static void test_dedup_across_reboots(void **state)
{
    (void)state;
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    on_press("3", "d1", 7, 2, CB_KIND_CALL, T0 + SEC);
    assert_int_equal(table("3")->state.requests[0].count, 2);
    /* a new boot numbers from 1 again: applied, and the window restarts */
    clear_records();
    on_press("3", "d1", 8, 1, CB_KIND_CALL, T0 + 2 * SEC);
    assert_string_equal(F.trace, "dcr");
    assert_int_equal(device("d1")->dedup.boot, 8);
    assert_int_equal(device("d1")->dedup.max_seq, 1);
    assert_int_equal(table("3")->state.requests[0].count, 3);
    /* copies of the new boot's presses are dropped, new ones applied */
    clear_records();
    on_press("3", "d1", 8, 1, CB_KIND_CALL, T0 + 3 * SEC);
    assert_string_equal(F.trace, "r");
    on_press("3", "d1", 8, 2, CB_KIND_CALL, T0 + 4 * SEC);
    assert_string_equal(F.trace, "rdcr");
    assert_int_equal(table("3")->state.requests[0].count, 4);
    assert_int_equal(E.count.duplicates, 1);
    /* A copy from the previous boot arriving after the new boot's presses: the hub
     * keeps one boot per device (docs/protocol.md "press"), and boot ids are random,
     * so it cannot tell an old boot from a newer one: the copy is applied as another
     * boot, and the window moves to it. (MQTT keeps one sender's messages in order,
     * so this needs a copy re-sent out of order.) */
    clear_records();
    on_press("3", "d1", 7, 2, CB_KIND_CALL, T0 + 5 * SEC);
    assert_string_equal(F.trace, "dcr");
    assert_int_equal(device("d1")->dedup.boot, 7);
    assert_int_equal(table("3")->state.requests[0].count, 5);
    /* devices have windows of their own */
    clear_records();
    on_press("3", "d2", 7, 2, CB_KIND_CALL, T0 + 6 * SEC);
    assert_string_equal(F.trace, "ndcr");
}

/* ---- dating ---------------------------------------------------------------- */

static uint64_t date(cb_hub_device *d, const cb_press *p, bool new_boot, uint64_t now, bool want_changed)
{
    uint64_t at = 0;
    bool changed = !want_changed;
    assert_int_equal(cb_hub_date_press(d, p, new_boot, now, &at, &changed), CB_OK);
    assert_int_equal(changed, want_changed);
    return at;
}

static void test_date_up_ms(void **state)
{
    (void)state;
    cb_hub_device d;
    memset(&d, 0, sizeof d);
    /* first sample: boot_at = received - up_ms; pressed = boot_at + up_ms - age */
    cb_press p = make_press("d1", 7, 1, CB_KIND_CALL, 200, 5 * SEC, NONE);
    assert_int_equal(date(&d, &p, true, T0 + 5 * SEC + 300, true), T0 + 5 * SEC + 100);
    assert_int_equal(d.boot_at, T0 + 300);
    /* a slower delivery does not move boot_at, and is dated by it */
    p = make_press("d1", 7, 2, CB_KIND_CALL, 0, 10 * SEC, NONE);
    assert_int_equal(date(&d, &p, false, T0 + 10 * SEC + 900, false), T0 + 10 * SEC + 300);
    assert_int_equal(d.boot_at, T0 + 300);
    /* a quicker one does: the smallest sample wins */
    p = make_press("d1", 7, 3, CB_KIND_CALL, 0, 20 * SEC, NONE);
    assert_int_equal(date(&d, &p, false, T0 + 20 * SEC + 50, true), T0 + 20 * SEC + 50);
    assert_int_equal(d.boot_at, T0 + 50);
    /* a copy the broker held for an hour: dated by the boot time, not the receipt */
    p = make_press("d1", 7, 4, CB_KIND_CALL, 0, 30 * SEC, NONE);
    assert_int_equal(date(&d, &p, false, T0 + 30 * SEC + HOUR, false), T0 + 30 * SEC + 50);
    /* ... also when re-sent later, with its age: the moment of the press is the same */
    p = make_press("d1", 7, 4, CB_KIND_CALL, 40 * SEC, 70 * SEC, NONE);
    assert_int_equal(date(&d, &p, false, T0 + 2 * HOUR, false), T0 + 30 * SEC + 50);
    /* a new boot starts its clock anew, even from a later sample */
    p = make_press("d1", 8, 1, CB_KIND_CALL, 0, 1 * SEC, NONE);
    assert_int_equal(date(&d, &p, true, T0 + 3 * HOUR + SEC + 400, true), T0 + 3 * HOUR + SEC + 400);
    assert_int_equal(d.boot_at, T0 + 3 * HOUR + 400);
    /* up_ms larger than the hub's clock cannot be a sample: received - age */
    memset(&d, 0, sizeof d);
    p = make_press("d1", 7, 1, CB_KIND_CALL, 100, T0 + 1, NONE);
    assert_int_equal(date(&d, &p, true, T0, false), T0 - 100);
    assert_int_equal(d.boot_at, 0);
}

static void test_date_new_boot_without_up_ms(void **state)
{
    (void)state;
    cb_hub_device d;
    memset(&d, 0, sizeof d);
    d.boot_at = T0 - HOUR;
    /* a new boot forgets the old boot's time, even when this press has no up_ms */
    cb_press p = make_press("d1", 8, 1, CB_KIND_CALL, 100, NONE, NONE);
    assert_int_equal(date(&d, &p, true, T0, true), T0 - 100);
    assert_int_equal(d.boot_at, 0);
    /* unknown boot time, first sample: learnt */
    p = make_press("d1", 8, 2, CB_KIND_CALL, 0, 2 * SEC, NONE);
    assert_int_equal(date(&d, &p, false, T0 + 3 * SEC, true), T0 + 3 * SEC);
    assert_int_equal(d.boot_at, T0 + SEC);
}

static void test_date_sent_at_and_clamp(void **state)
{
    (void)state;
    cb_hub_device d;
    memset(&d, 0, sizeof d);
    /* sent_at: the sender's clock, minus the age */
    cb_press p = make_press("cli", 1, 1, CB_KIND_CALL, 500, NONE, T0 - 10 * 60 * SEC);
    assert_int_equal(date(&d, &p, true, T0, false), T0 - 10 * 60 * SEC - 500);
    assert_int_equal(d.boot_at, 0);
    /* up_ms wins over sent_at */
    p = make_press("cli", 1, 2, CB_KIND_CALL, 0, 5 * SEC, T0 - HOUR);
    assert_int_equal(date(&d, &p, false, T0 + 6 * SEC, true), T0 + 6 * SEC);
    memset(&d, 0, sizeof d);
    /* neither: received - age */
    p = make_press("d1", 1, 1, CB_KIND_CALL, 1500, NONE, NONE);
    assert_int_equal(date(&d, &p, false, T0, false), T0 - 1500);
    /* never in the future */
    p = make_press("cli", 1, 1, CB_KIND_CALL, 0, NONE, T0 + HOUR);
    assert_int_equal(date(&d, &p, false, T0, false), T0);
    /* never more than a day back */
    p = make_press("cli", 1, 1, CB_KIND_CALL, 0, NONE, T0 - 2 * DAY);
    assert_int_equal(date(&d, &p, false, T0, false), T0 - DAY);
    p = make_press("cli", 1, 1, CB_KIND_CALL, 0, NONE, T0 - DAY);
    assert_int_equal(date(&d, &p, false, T0, false), T0 - DAY);
    p = make_press("cli", 1, 1, CB_KIND_CALL, 0, NONE, 0);
    assert_int_equal(date(&d, &p, false, T0, false), T0 - DAY);
    p = make_press("d1", 1, 1, CB_KIND_CALL, UINT32_MAX, NONE, NONE); /* 49 days old */
    assert_int_equal(date(&d, &p, false, T0, false), T0 - DAY);
    p = make_press("d1", 1, 1, CB_KIND_CALL, UINT32_MAX, 2 * DAY, NONE);
    assert_int_equal(date(&d, &p, false, T0, true), T0 - DAY);
    /* a hub clock near its start: nothing before 0 */
    memset(&d, 0, sizeof d);
    p = make_press("d1", 1, 1, CB_KIND_CALL, 5000, NONE, NONE);
    assert_int_equal(date(&d, &p, false, 1000, false), 0);
    uint64_t at = 0;
    bool changed = false;
    assert_int_equal(cb_hub_date_press(NULL, &p, false, T0, &at, &changed), CB_E_ARG);
    assert_int_equal(cb_hub_date_press(&d, NULL, false, T0, &at, &changed), CB_E_ARG);
    assert_int_equal(cb_hub_date_press(&d, &p, false, T0, NULL, &changed), CB_E_ARG);
    assert_int_equal(cb_hub_date_press(&d, &p, false, T0, &at, NULL), CB_E_ARG);
}

/* Dating through the engine: the boot time is learnt, saved, and dates a press the
 * broker held while the hub was down. */
static void test_date_through_engine(void **state)
{
    (void)state;
    /* seq 1: pressed at boot + 5 s, delivered in 100 ms */
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 0, 5 * SEC, NONE, T0 + 5 * SEC + 100), CB_OK);
    assert_int_equal(F.saved.boot_at, T0 + 100);
    assert_int_equal(table("3")->state.requests[0].pressed_at, T0 + 5 * SEC + 100);
    /* seq 2: water at boot + 65 s, held by the broker for 20 minutes */
    assert_int_equal(on_press_full("3", "d1", 7, 2, CB_KIND_WATER, 0, 65 * SEC, NONE, T0 + 20 * 60 * SEC), CB_OK);
    assert_int_equal(F.saved.boot_at, T0 + 100);
    const cb_request *w = cb_table_request(table("3"), CB_KIND_WATER);
    assert_int_equal(w->pressed_at, T0 + 65 * SEC + 100);
    assert_int_equal(F.changed[F.nchanged - 1].ch.c[0].request.pressed_at, T0 + 65 * SEC + 100);
    /* the boot time survives in the device's record: a stored device dates the same */
    cb_hub_device stored = *device("d1");
    memset(&F.devices, 0, sizeof F.devices);
    F.devices[0] = stored;
    F.ndevices = 1;
    assert_int_equal(on_press_full("3", "d1", 7, 3, CB_KIND_BILL, 0, 70 * SEC, NONE, T0 + HOUR), CB_OK);
    assert_int_equal(cb_table_request(table("3"), CB_KIND_BILL)->pressed_at, T0 + 70 * SEC + 100);
    /* a new boot: its own boot time */
    assert_int_equal(on_press_full("2", "d1", 8, 1, CB_KIND_CALL, 0, 2 * SEC, NONE, T0 + 2 * HOUR), CB_OK);
    assert_int_equal(F.saved.boot_at, T0 + 2 * HOUR - 2 * SEC);
    assert_int_equal(table("2")->state.requests[0].pressed_at, T0 + 2 * HOUR);
    /* `callbell press` with sent_at, held 10 minutes */
    assert_int_equal(on_press_full("1", "cli-1", 1, 1, CB_KIND_CALL, 0, NONE, T0 - 10 * 60 * SEC, T0), CB_OK);
    assert_int_equal(table("1")->state.requests[0].pressed_at, T0 - 10 * 60 * SEC);
}

/* ---- commands --------------------------------------------------------------- */

static void test_cmd_applied(void **state)
{
    (void)state;
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    on_press("3", "d1", 7, 2, CB_KIND_BILL, T0 + SEC);
    clear_records();
    assert_int_equal(on_cmd("3", CB_ACTION_ACK, "Ana", CB_KIND_COUNT, 12, T0 + 10 * SEC), CB_OK);
    assert_string_equal(F.trace, "c"); /* no reply to a command */
    const changed_rec *c = &F.changed[0];
    assert_int_equal(c->ch.n, 1);
    assert_int_equal(c->ch.c[0].effect, CB_EFFECT_ACKED);
    assert_int_equal(c->ch.c[0].request.call, 12);
    assert_string_equal(c->who, "Ana");
    assert_int_equal(c->boot, 0);
    assert_int_equal(c->seq, 0);
    assert_int_equal(c->now, T0 + 10 * SEC);
    assert_int_equal(E.count.accepted, 3);
    /* by kind */
    clear_records();
    assert_int_equal(on_cmd("3", CB_ACTION_DONE, "Bo", CB_KIND_CALL, 0, T0 + 20 * SEC), CB_OK);
    assert_string_equal(F.trace, "c");
    assert_int_equal(F.changed[0].ch.c[0].effect, CB_EFFECT_DONE);
    assert_int_equal(F.changed[0].ch.c[0].request.call, 11);
    /* all */
    on_press("3", "d1", 7, 3, CB_KIND_WATER, T0 + 21 * SEC);
    clear_records();
    assert_int_equal(on_cmd("3", CB_ACTION_DONE, "Bo", CB_KIND_COUNT, 0, T0 + 30 * SEC), CB_OK);
    assert_int_equal(F.changed[0].ch.n, 2);
    assert_int_equal(F.changed[0].state.status, CB_IDLE);
    assert_int_equal(E.count.rejected, 0);
}

static void test_cmd_refused(void **state)
{
    (void)state;
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    cb_table before = *table("3");
    clear_records();
    /* stale: the call named was closed meanwhile */
    assert_int_equal(on_cmd("3", CB_ACTION_ACK, "Ana", CB_KIND_COUNT, 99, T0 + SEC), CB_OK);
    assert_string_equal(F.trace, "x");
    assert_string_equal(F.rejects[0], "ack by Ana: names a request that is no longer open (stale)");
    /* no_call: nothing of that kind open */
    assert_int_equal(on_cmd("3", CB_ACTION_DONE, "Ana", CB_KIND_BILL, 0, T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[1], "done by Ana: no open request");
    assert_int_equal(on_cmd("4", CB_ACTION_DONE, "Ana", CB_KIND_COUNT, 0, T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[2], "done by Ana: no open request");
    /* a table the hub does not serve */
    assert_int_equal(on_cmd("9", CB_ACTION_ACK, "Ana", CB_KIND_COUNT, 11, T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[3], "ack by Ana: table 9 is not one of this site's tables: 1-4");
    /* payloads no decoder accepts */
    const char *cancel = "{\"v\":1,\"action\":\"ack\",\"by\":\"Ana\",\"kind\":\"cancel\"}";
    assert_int_equal(cb_hub_on_cmd(&E, "3", cancel, strlen(cancel), T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[4], "command: bad_kind");
    const char *blank = "{\"v\":1,\"action\":\"ack\",\"by\":\" \"}";
    assert_int_equal(cb_hub_on_cmd(&E, "3", blank, strlen(blank), T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[5], "command: range");
    assert_int_equal(cb_hub_on_cmd(&E, "3", "{", 1, T0 + SEC), CB_OK);
    assert_string_equal(F.rejects[6], "command: json");
    assert_string_equal(F.trace, "xxxxxxx");
    assert_int_equal(E.count.rejected, 7);
    assert_int_equal(E.count.accepted, 1);
    assert_memory_equal(table("3"), &before, sizeof before);
}

/* ---- escalation ------------------------------------------------------------- */

static void test_tick(void **state)
{
    (void)state;
    /* an idle table: nothing */
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + DAY), CB_OK);
    assert_string_equal(F.trace, "");
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    on_press("3", "d1", 7, 2, CB_KIND_BILL, T0 + 10 * SEC);
    clear_records();
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + 60 * SEC - 1), CB_OK);
    assert_string_equal(F.trace, "");
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + 60 * SEC), CB_OK);
    assert_string_equal(F.trace, "c");
    assert_int_equal(F.changed[0].ch.n, 1);
    assert_int_equal(F.changed[0].ch.c[0].effect, CB_EFFECT_REALERT);
    assert_int_equal(F.changed[0].ch.c[0].request.call, 11);
    assert_int_equal(F.changed[0].ch.c[0].request.repeats, 1);
    assert_string_equal(F.changed[0].who, "");
    assert_int_equal(F.changed[0].now, T0 + 60 * SEC);
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + 70 * SEC), CB_OK);
    assert_int_equal(F.changed[1].ch.c[0].request.call, 12);
    /* an ack holds ack_timeout_s, then the request calls again */
    assert_int_equal(on_cmd("3", CB_ACTION_ACK, "Ana", CB_KIND_CALL, 11, T0 + 100 * SEC), CB_OK);
    clear_records();
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + 400 * SEC - 1), CB_OK);
    assert_int_equal(F.nchanged, 1); /* the bill re-alerts; the acked call does not */
    assert_int_equal(F.changed[0].ch.c[0].request.call, 12);
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + 400 * SEC), CB_OK);
    assert_int_equal(F.nchanged, 2);
    assert_int_equal(F.changed[1].ch.c[0].effect, CB_EFFECT_REOPENED);
    assert_int_equal(F.changed[1].ch.c[0].request.call, 11);
    assert_int_equal(cb_table_request(table("3"), CB_KIND_CALL)->status, CB_CALLING);
}

static void test_tick_off(void **state)
{
    (void)state;
    cb_hub_config cfg = config();
    cfg.call.realert_s = 0;
    cfg.call.ack_timeout_s = 0;
    cb_hub_ports p = ports();
    assert_int_equal(cb_hub_engine_init(&E, &cfg, &p, 10), CB_OK);
    on_press("3", "d1", 7, 1, CB_KIND_CALL, T0);
    on_press("3", "d1", 7, 2, CB_KIND_BILL, T0);
    assert_int_equal(on_cmd("3", CB_ACTION_ACK, "Ana", CB_KIND_BILL, 0, T0), CB_OK);
    clear_records();
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + DAY), CB_OK);
    assert_string_equal(F.trace, "");
}

/* ---- reconciliation ----------------------------------------------------------- */

static void test_reconcile(void **state)
{
    (void)state;
    cb_table idle, open;
    assert_int_equal(cb_table_init(&idle, "5", T0), CB_OK);
    assert_int_equal(cb_table_init(&open, "6", T0), CB_OK);
    cb_changes ch;
    assert_int_equal(cb_table_press(&open, CB_KIND_WATER, T0, T0, 1, &ch), CB_OK);
    cb_reconcile r = (cb_reconcile)99;
    assert_int_equal(cb_hub_reconcile(true, &open, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_KEEP);
    assert_int_equal(cb_hub_reconcile(true, &idle, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_KEEP);
    assert_int_equal(cb_hub_reconcile(true, NULL, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_ADD);
    assert_int_equal(cb_hub_reconcile(false, &open, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_RETIRING);
    assert_int_equal(cb_hub_reconcile(false, &idle, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_DROP);
    assert_int_equal(cb_hub_reconcile(false, NULL, &r), CB_OK);
    assert_int_equal(r, CB_RECONCILE_DROP);
    assert_int_equal(cb_hub_reconcile(true, NULL, NULL), CB_E_ARG);
}

/* ---- port errors ---------------------------------------------------------------- */

/* A port that fails stops the event and its status comes back: the shell then
 * rolls back and leaves the message with the broker. */
static void test_port_errors(void **state)
{
    (void)state;
    F.fail_device_changed = CB_E_FULL;
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 0, NONE, NONE, T0), CB_E_FULL);
    assert_string_equal(F.trace, "nd"); /* nothing changed, nothing answered */
    F.fail_device_changed = CB_OK;
    setup(NULL);

    F.fail_changed = CB_E_BUFFER;
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 0, NONE, NONE, T0), CB_E_BUFFER);
    assert_string_equal(F.trace, "ndc"); /* no answer for a press that was not stored */
    setup(NULL);

    F.fail_reply = CB_E_FULL;
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 0, NONE, NONE, T0), CB_E_FULL);
    assert_int_equal(on_press_full("3", "d1", 7, 1, CB_KIND_CALL, 0, NONE, NONE, T0), CB_E_FULL); /* duplicate */
    assert_int_equal(on_press_full("9", "d1", 7, 2, CB_KIND_CALL, 0, NONE, NONE, T0), CB_E_FULL); /* unknown */
    F.fail_reply = CB_OK;

    F.fail_changed = CB_E_FULL;
    assert_int_equal(on_cmd("3", CB_ACTION_ACK, "Ana", CB_KIND_COUNT, 0, T0 + SEC), CB_E_FULL);
    assert_int_equal(cb_hub_tick(&E, table("3"), T0 + HOUR), CB_E_FULL);
}

/* One active hub per site: who is asked, and what an answer (or none) means. */
static void test_claim(void **state)
{
    (void)state;
    cb_claim c = (cb_claim)99;
    /* start-up: only "online" makes a hub ask; no instance of its own yet */
    assert_int_equal(cb_hub_claim_start(false, "", "", false, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_FREE);
    assert_int_equal(cb_hub_claim_start(false, "old", "", false, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_FREE);
    assert_int_equal(cb_hub_claim_start(true, "old", "", false, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_ASK);
    assert_int_equal(cb_hub_claim_start(true, "", "", false, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_ASK); /* "online" without info (an older hub): ask */
    /* reconnect: our own "online" or "offline" is free; another instance is asked */
    assert_int_equal(cb_hub_claim_start(true, "me", "me", true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_FREE);
    assert_int_equal(cb_hub_claim_start(false, "me", "me", true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_FREE);
    assert_int_equal(cb_hub_claim_start(true, "other", "me", true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_ASK);
    assert_int_equal(cb_hub_claim_start(false, "other", "me", true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_ASK); /* its "online" may still be on its way */
    assert_int_equal(cb_hub_claim_start(false, "", "me", true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_FREE);
    assert_int_equal(cb_hub_claim_answer(true, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_OTHER_ACTIVE);
    assert_int_equal(cb_hub_claim_answer(false, &c), CB_OK);
    assert_int_equal(c, CB_CLAIM_STALE);
    assert_int_equal(cb_hub_claim_start(true, NULL, "", false, &c), CB_E_ARG);
    assert_int_equal(cb_hub_claim_start(true, "", NULL, false, &c), CB_E_ARG);
    assert_int_equal(cb_hub_claim_start(true, "", "", false, NULL), CB_E_ARG);
    assert_int_equal(cb_hub_claim_answer(true, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_press_applied, setup),
        cmocka_unit_test_setup(test_press_cancel, setup),
        cmocka_unit_test_setup(test_press_duplicate, setup),
        cmocka_unit_test_setup(test_press_unknown_table, setup),
        cmocka_unit_test_setup(test_press_unknown_table_long_reason, setup),
        cmocka_unit_test_setup(test_press_kind_not_offered, setup),
        cmocka_unit_test_setup(test_press_bad_payload, setup),
        cmocka_unit_test_setup(test_device_eviction, setup),
        cmocka_unit_test_setup(test_device_eviction_failures, setup),
        cmocka_unit_test_setup(test_dedup_across_reboots, setup),
        cmocka_unit_test_setup(test_date_up_ms, setup),
        cmocka_unit_test_setup(test_date_new_boot_without_up_ms, setup),
        cmocka_unit_test_setup(test_date_sent_at_and_clamp, setup),
        cmocka_unit_test_setup(test_date_through_engine, setup),
        cmocka_unit_test_setup(test_cmd_applied, setup),
        cmocka_unit_test_setup(test_cmd_refused, setup),
        cmocka_unit_test_setup(test_tick, setup),
        cmocka_unit_test_setup(test_tick_off, setup),
        cmocka_unit_test_setup(test_reconcile, setup),
        cmocka_unit_test_setup(test_port_errors, setup),
        cmocka_unit_test(test_claim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
