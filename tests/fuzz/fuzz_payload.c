/* fuzz_payload.c - libFuzzer target for every decoder of untrusted input.
 *
 * The hub and the devices decode whatever the broker delivers, so each decoder must
 * be safe on any bytes. Besides "no crash / no sanitizer report", the target checks
 * these properties: whatever a decoder accepts (press, press reply, state with its
 * requests, cmd, info, sign-in), its encoder re-encodes and the decoder reads back identically;
 * every accepted topic rebuilds to the same bytes; array walks stay inside their
 * array; a staff name the check accepts is one the cmd encoder writes; and the hub
 * engine, fed each line as a press and a command, only ever hands its ports states and
 * replies that encode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "callbell/hub_engine.h"
#include "callbell/json.h"
#include "callbell/notify.h"
#include "callbell/protocol.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

static void fuzz_json(const char *s, size_t len)
{
    cb_json_object obj;
    cb_status st = cb_json_parse(s, len, &obj);
    CHECK(st == CB_OK || st == CB_E_JSON || st == CB_E_DUPLICATE_KEY || st == CB_E_FULL);
    if (st != CB_OK) {
        return;
    }
    CHECK(obj.count <= CB_JSON_MAX_MEMBERS);
    for (size_t i = 0; i < obj.count; i++) {
        const cb_json_member *m = &obj.m[i];
        CHECK(m->key >= s && m->key + m->key_len <= s + len);
        CHECK(m->str >= s && m->str + m->str_len <= s + len);
        char out[CB_PAYLOAD_SIZE];
        cb_status ss = cb_json_string(m, out, sizeof out);
        CHECK(m->type == CB_JSON_STRING ? (ss == CB_OK || ss == CB_E_TOO_LONG) : ss == CB_E_TYPE);
    }
    const cb_json_member *m = NULL;
    (void)cb_json_find(&obj, "v", &m);
}

static void fuzz_topic(const char *s, size_t len)
{
    cb_topic t;
    if (cb_topic_parse(s, len, &t) != CB_OK) {
        return;
    }
    char built[CB_TOPIC_SIZE];
    CHECK(cb_topic_build(t.type, t.site, t.id, built, sizeof built) == CB_OK);
    CHECK(strlen(built) == len && memcmp(built, s, len) == 0);
}

/* Walks every array member with cb_json_array_next: elements stay inside the member,
 * move forward, and end in CB_E_EMPTY. */
static void fuzz_arrays(const char *s, size_t len)
{
    cb_json_object obj;
    if (cb_json_parse(s, len, &obj) != CB_OK) {
        return;
    }
    for (size_t i = 0; i < obj.count; i++) {
        const cb_json_member *m = &obj.m[i];
        size_t pos = 0, elen = 0, last = 0;
        const char *elem = NULL;
        cb_status st;
        while ((st = cb_json_array_next(m, &pos, &elem, &elen)) == CB_OK) {
            CHECK(elem >= m->str && elem + elen <= m->str + m->str_len);
            CHECK(pos > last && pos <= m->str_len);
            last = pos;
        }
        CHECK(st == CB_E_EMPTY || (st == CB_E_TYPE && (m->type != CB_JSON_NESTED || m->str[0] != '[')));
    }
}

/* The notify rule on a decoded state: one notification per calling request (when
 * their ids differ: the decoder does not require it, the hub never repeats one), none
 * the second time, one memory entry per request id. */
static void fuzz_notify(const cb_state *st)
{
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    uint32_t n = 99, calling = 0, ids = 0;
    CHECK(cb_notify_init(&m) == CB_OK);
    for (uint32_t i = 0; i < st->n_requests; i++) {
        bool repeated = false;
        for (uint32_t j = 0; j < i; j++)
            repeated = repeated || st->requests[j].call == st->requests[i].call;
        ids += !repeated;
        calling += st->requests[i].status == CB_CALLING;
    }
    CHECK(cb_notify_state(&m, st, out, CB_REQUEST_MAX, &n) == CB_OK && n <= calling);
    CHECK(ids < st->n_requests || n == calling);
    for (uint32_t i = 0; i < n; i++)
        CHECK(strcmp(out[i].table, st->table) == 0 && out[i].level == out[i].request.repeats);
    CHECK(m.n == ids);
    CHECK(cb_notify_state(&m, st, out, CB_REQUEST_MAX, &n) == CB_OK && n == 0);
}

static void fuzz_payloads(const char *s, size_t len)
{
    char buf[CB_STATE_PAYLOAD_SIZE]; /* the largest payload an encoder writes */
    size_t n = 0;
    cb_press p, p2;
    if (cb_press_decode(s, len, &p) == CB_OK) {
        CHECK(cb_press_encode(&p, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_press_decode(buf, n, &p2) == CB_OK && memcmp(&p, &p2, sizeof p) == 0);
    }
    cb_press_reply r, r2;
    if (cb_press_reply_decode(s, len, &r) == CB_OK) {
        CHECK(cb_press_reply_encode(&r, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_press_reply_decode(buf, n, &r2) == CB_OK && memcmp(&r, &r2, sizeof r) == 0);
    }
    cb_state st, st2;
    if (cb_state_decode(s, len, &st) == CB_OK) {
        CHECK(st.n_requests <= CB_REQUEST_MAX);
        cb_table_status derived;
        CHECK(cb_state_status(&st, &derived) == CB_OK && derived == st.status);
        CHECK(cb_state_encode(&st, buf, sizeof buf, &n) == CB_OK);
        CHECK(cb_state_decode(buf, n, &st2) == CB_OK && memcmp(&st, &st2, sizeof st) == 0);
        fuzz_notify(&st);
    }
    cb_cmd c, c2;
    if (cb_cmd_decode(s, len, &c) == CB_OK) {
        CHECK(cb_name_check(c.by, strlen(c.by)) == CB_OK);
        CHECK(cb_cmd_encode(&c, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_cmd_decode(buf, n, &c2) == CB_OK && memcmp(&c, &c2, sizeof c) == 0);
    }
    cb_cmd_reply cr, cr2;
    if (cb_cmd_reply_decode(s, len, &cr) == CB_OK) {
        CHECK(cb_cmd_reply_encode(&cr, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_cmd_reply_decode(buf, n, &cr2) == CB_OK && memcmp(&cr, &cr2, sizeof cr) == 0);
    }
    cb_query q, q2;
    if (cb_query_decode(s, len, &q) == CB_OK) {
        CHECK(cb_query_encode(&q, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_query_decode(buf, n, &q2) == CB_OK && memcmp(&q, &q2, sizeof q) == 0);
    }
    cb_info in, in2;
    if (cb_info_decode(s, len, &in) == CB_OK) {
        CHECK(cb_info_encode(&in, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_info_decode(buf, n, &in2) == CB_OK && memcmp(&in, &in2, sizeof in) == 0);
    }
    cb_signin g, g2;
    if (cb_signin_decode(s, len, &g) == CB_OK) {
        CHECK(cb_signin_encode(&g, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_signin_decode(buf, n, &g2) == CB_OK && memcmp(&g, &g2, sizeof g) == 0);
        bool rings = false;
        for (int level = 0; level < CB_LEVEL_COUNT; level++) /* a manager-level call rings every board */
            CHECK(cb_rings((cb_level)level, g.n_sections ? g.sections[0] : "", &g, &rings) == CB_OK &&
                  (level != CB_LEVEL_MANAGER || rings));
    }
    cb_hub_info h, h2;
    if (cb_hub_info_decode(s, len, &h) == CB_OK) {
        CHECK(cb_hub_info_encode(&h, buf, CB_PAYLOAD_SIZE, &n) == CB_OK);
        CHECK(cb_hub_info_decode(buf, n, &h2) == CB_OK && memcmp(&h, &h2, sizeof h) == 0);
    }
}

/* The site message: whatever decodes re-encodes (within its 64 KiB) and reads back the same. */
static void fuzz_site(const char *s, size_t len)
{
    static cb_site_entry t1[CB_SITE_LIST_MAX], t2[CB_SITE_LIST_MAX];
    static char buf[CB_SITE_PAYLOAD_MAX + 1];
    cb_site a = {.tables = t1, .tables_cap = CB_SITE_LIST_MAX}, b = {.tables = t2, .tables_cap = CB_SITE_LIST_MAX};
    if (cb_site_decode(s, len, &a) != CB_OK) {
        return;
    }
    CHECK(a.n_tables <= CB_SITE_LIST_MAX && a.n_tables <= a.table_count && a.warn_s <= a.late_s);
    size_t n = 0;
    CHECK(cb_site_encode(&a, buf, sizeof buf, &n) == CB_OK && n <= CB_SITE_PAYLOAD_MAX);
    CHECK(cb_site_decode(buf, n, &b) == CB_OK && b.n_tables == a.n_tables && strcmp(a.name, b.name) == 0);
    for (uint32_t i = 0; i < a.n_tables; i++) {
        CHECK(strcmp(t1[i].id, t2[i].id) == 0 && strcmp(t1[i].name, t2[i].name) == 0 && t1[i].kinds == t2[i].kinds);
    }
}

/* The staff name rule on raw bytes: a name it accepts is one the cmd encoder writes. */
static void fuzz_name(const char *s, size_t len)
{
    cb_status st = cb_name_check(s, len);
    CHECK(st == CB_OK || st == CB_E_TOO_LONG || st == CB_E_JSON || st == CB_E_RANGE);
    if (st != CB_OK) {
        return;
    }
    cb_cmd c;
    memset(&c, 0, sizeof c);
    memcpy(c.by, s, len);
    char buf[CB_PAYLOAD_SIZE];
    size_t n = 0;
    CHECK(cb_cmd_encode(&c, buf, sizeof buf, &n) == CB_OK);
}

/* ---- the hub engine on whatever arrives ------------------------------------ */

#define FUZZ_T0 1764140000000ull
#define FUZZ_DEVICES 4

static struct {
    cb_table tables[2];
    cb_hub_device devices[FUZZ_DEVICES];
    uint32_t ndevices;
} fz;

static cb_table *fz_table(void *ctx, const char *id)
{
    (void)ctx;
    for (int i = 0; i < 2; i++) {
        if (strcmp(fz.tables[i].state.table, id) == 0) {
            return &fz.tables[i];
        }
    }
    return NULL;
}

static cb_hub_device *fz_device(void *ctx, const char *id, bool create)
{
    (void)ctx;
    for (uint32_t i = 0; i < fz.ndevices; i++) {
        if (strcmp(fz.devices[i].id, id) == 0) {
            return &fz.devices[i];
        }
    }
    if (!create || fz.ndevices == FUZZ_DEVICES) {
        return NULL;
    }
    cb_hub_device *d = &fz.devices[fz.ndevices++];
    memset(d, 0, sizeof *d);
    CHECK(strlen(id) < sizeof d->id);
    strcpy(d->id, id);
    return d;
}

static uint32_t fz_device_count(void *ctx)
{
    (void)ctx;
    return fz.ndevices;
}

static cb_status fz_forget(void *ctx, uint32_t keep)
{
    (void)ctx;
    CHECK(keep < fz.ndevices);
    fz.ndevices = keep; /* which ones does not matter here */
    return CB_OK;
}

/* Every state the engine hands over is one the hub can publish. */
static cb_status fz_changed(void *ctx, const cb_table *t, const cb_changes *ch, const char *who, uint32_t boot,
                            uint32_t seq, uint64_t now)
{
    (void)ctx, (void)boot, (void)seq, (void)now;
    CHECK(ch->n >= 1 && ch->n <= CB_REQUEST_MAX && who != NULL);
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t n = 0;
    CHECK(cb_state_encode(&t->state, buf, sizeof buf, &n) == CB_OK);
    return CB_OK;
}

static cb_status fz_device_changed(void *ctx, const cb_hub_device *d)
{
    (void)ctx;
    CHECK(d->dedup.max_seq != 0);
    return CB_OK;
}

/* Every answer is one the hub can send. */
static cb_status fz_reply(void *ctx, const char *device, const cb_press_reply *r)
{
    (void)ctx;
    CHECK(cb_id_check(device) == CB_OK);
    char buf[CB_PAYLOAD_SIZE];
    size_t n = 0;
    CHECK(cb_press_reply_encode(r, buf, sizeof buf, &n) == CB_OK);
    return CB_OK;
}

static cb_status fz_cmd_reply(void *ctx, const char *client, const cb_cmd_reply *r)
{
    (void)ctx;
    CHECK(cb_id_check(client) == CB_OK);
    char buf[CB_PAYLOAD_SIZE];
    size_t n = 0;
    CHECK(cb_cmd_reply_encode(r, buf, sizeof buf, &n) == CB_OK);
    return CB_OK;
}

static void fz_reject(void *ctx, const char *reason)
{
    (void)ctx;
    CHECK(strlen(reason) < CB_HUB_REJECT_MAX);
}

/* Each line of the input, as a press and as a command, on a served table and one that
 * is not; then escalation. */
static void fuzz_engine(const char *s, size_t len)
{
    memset(&fz, 0, sizeof fz);
    CHECK(cb_table_init(&fz.tables[0], "3", FUZZ_T0) == CB_OK);
    CHECK(cb_table_init(&fz.tables[1], "4", FUZZ_T0) == CB_OK);
    cb_hub_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.site, "demo");
    CHECK(cb_call_config_default(&cfg.call) == CB_OK);
    cfg.max_devices = 2;
    strcpy(cfg.tables_text, "3-4");
    cb_hub_ports ports = {.table = fz_table,
                          .device = fz_device,
                          .device_count = fz_device_count,
                          .forget_devices = fz_forget,
                          .changed = fz_changed,
                          .device_changed = fz_device_changed,
                          .reply = fz_reply,
                          .cmd_reply = fz_cmd_reply,
                          .reject = fz_reject};
    cb_hub_engine e;
    CHECK(cb_hub_engine_init(&e, &cfg, &ports, 0) == CB_OK);
    uint64_t now = FUZZ_T0;
    for (size_t start = 0, line = 0; start < len && line < 16; line++) {
        const char *nl = memchr(s + start, '\n', len - start);
        size_t end = nl != NULL ? (size_t)(nl - s) : len;
        now += 7000u * line;
        CHECK(cb_hub_on_press(&e, line % 2 ? "4" : "3", s + start, end - start, now) == CB_OK);
        CHECK(cb_hub_on_cmd(&e, line % 2 ? "3" : "4", s + start, end - start, now) == CB_OK);
        CHECK(cb_hub_on_press(&e, "9", s + start, end - start, now) == CB_OK);
        start = end + 1;
    }
    for (int i = 0; i < 2; i++) {
        CHECK(cb_hub_tick(&e, &fz.tables[i], now + 400000u) == CB_OK);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy into an exact-size heap buffer so ASan sees any read past the end
     * (the decoders take a length, never a NUL terminator). */
    char *s = malloc(size ? size : 1);
    if (s == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(s, data, size);
    }
    fuzz_json(s, size);
    fuzz_topic(s, size);
    fuzz_arrays(s, size);
    fuzz_payloads(s, size);
    fuzz_site(s, size);
    fuzz_name(s, size);
    fuzz_engine(s, size);
    free(s);
    return 0;
}
