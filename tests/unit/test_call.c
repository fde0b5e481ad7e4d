/* test_call.c - every transition of docs/protocol.md "Request lifecycle", per
 * request: open, count, cancel, ack / done by call id, by kind and of all, stale and
 * no_call, the order of the requests, and escalation timing. (The de-duplication
 * window of call.h is tested in test_dedup.c.) */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "callbell/call.h"

#define T0 1764140000000ull
#define SEC 1000ull
#define NO_KIND CB_KIND_COUNT /* cmd() without a kind */

/* A press received at `now`, pressed 100 ms earlier. */
static cb_changes press(cb_table *t, cb_kind k, uint64_t now, uint64_t new_id)
{
    cb_changes ch;
    memset(&ch, 0xa5, sizeof ch);
    assert_int_equal(cb_table_press(t, k, now - 100, now, new_id, &ch), CB_OK);
    return ch;
}

static cb_cmd make_cmd(cb_action a, const char *by, cb_kind kind, uint64_t call)
{
    cb_cmd c;
    memset(&c, 0, sizeof c);
    c.action = a;
    strcpy(c.by, by);
    c.has_kind = kind != NO_KIND;
    c.kind = c.has_kind ? kind : CB_KIND_CALL;
    c.has_call = call != 0;
    c.call = call;
    return c;
}

/* A command that must succeed; a failing one must leave the table as it was. */
static cb_changes cmd(cb_table *t, cb_action a, const char *by, cb_kind kind, uint64_t call, uint64_t now,
                      cb_status want)
{
    cb_cmd c = make_cmd(a, by, kind, call);
    cb_changes ch;
    memset(&ch, 0, sizeof ch);
    cb_table before = *t;
    assert_int_equal(cb_table_cmd(t, &c, now, &ch), want);
    if (want != CB_OK) {
        assert_memory_equal(t, &before, sizeof *t);
    }
    return ch;
}

static cb_changes tick_with(cb_table *t, uint32_t realert_s, uint32_t ack_timeout_s, uint64_t now)
{
    cb_call_config cfg = {.realert_s = realert_s, .ack_timeout_s = ack_timeout_s};
    cb_changes ch;
    memset(&ch, 0xa5, sizeof ch);
    assert_int_equal(cb_table_tick(t, &cfg, now, &ch), CB_OK);
    return ch;
}

static cb_changes tick(cb_table *t, uint64_t now)
{
    return tick_with(t, 60, 300, now);
}

static const cb_request *req(const cb_table *t, uint32_t i)
{
    assert_true(i < t->state.n_requests);
    return &t->state.requests[i];
}

static void assert_one(const cb_changes *ch, cb_effect effect, uint64_t call)
{
    assert_int_equal(ch->n, 1);
    assert_int_equal(ch->c[0].effect, effect);
    assert_int_equal(ch->c[0].request.call, call);
}

/* The open requests, in order, by call id: assert_calls(t, 17, 18). */
static void assert_calls_are(const cb_table *t, const uint64_t *want, uint32_t n)
{
    assert_int_equal(t->state.n_requests, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(req(t, i)->call, want[i]);
    }
}
#define assert_calls(t, ...)                                                                                           \
    assert_calls_are((t), (const uint64_t[]){__VA_ARGS__},                                                             \
                     (uint32_t)(sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)))

/* The state after every transition must be one the hub can publish, and reads back
 * the same (last_alert_at is hub-only: not encoded). */
static void assert_publishable(const cb_table *t)
{
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    cb_state back;
    assert_int_equal(cb_state_encode(&t->state, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
    cb_state want = t->state;
    for (uint32_t i = 0; i < want.n_requests; i++) {
        want.requests[i].last_alert_at = 0;
    }
    assert_memory_equal(&back, &want, sizeof want);
}

static void assert_idle(const cb_table *t, uint64_t updated)
{
    assert_int_equal(t->state.status, CB_IDLE);
    assert_int_equal(t->state.n_requests, 0);
    assert_int_equal(t->state.updated_at, updated);
    for (int k = 0; k < CB_KIND_COUNT; k++) {
        assert_null(cb_table_request(t, (cb_kind)k));
    }
    assert_publishable(t);
}

/* Table "3" with call (id 1, T0), bill (id 2, T0 + 1 s), water (id 3, T0 + 2 s). */
static void three_open(cb_table *t)
{
    assert_int_equal(cb_table_init(t, "3", T0), CB_OK);
    press(t, CB_KIND_CALL, T0, 1);
    press(t, CB_KIND_BILL, T0 + SEC, 2);
    press(t, CB_KIND_WATER, T0 + 2 * SEC, 3);
    assert_calls(t, 1, 2, 3);
}

static void test_names_and_defaults(void **state)
{
    (void)state;
    static const char *const names[] = {"none",  "opened", "counted", "cancelled",
                                        "acked", "done",   "realert", "reopened"};
    for (int i = 0; i < 8; i++) {
        const char *n = NULL;
        assert_int_equal(cb_effect_name((cb_effect)i, &n), CB_OK);
        assert_string_equal(n, names[i]);
        assert_int_equal(cb_effect_closes((cb_effect)i), i == CB_EFFECT_CANCELLED || i == CB_EFFECT_DONE);
    }
    const char *n = NULL;
    assert_int_equal(cb_effect_name((cb_effect)8, &n), CB_E_RANGE);
    assert_int_equal(cb_effect_name(CB_EFFECT_NONE, NULL), CB_E_ARG);
    cb_call_config cfg;
    assert_int_equal(cb_call_config_default(&cfg), CB_OK);
    assert_int_equal(cfg.realert_s, 60);
    assert_int_equal(cfg.ack_timeout_s, 300);
    assert_int_equal(cb_call_config_default(NULL), CB_E_ARG);
}

static void test_init(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "patio-2", T0), CB_OK);
    assert_string_equal(t.state.table, "patio-2");
    assert_idle(&t, T0);
    assert_int_equal(cb_table_init(&t, "Patio", T0), CB_E_BAD_ID);
    assert_int_equal(cb_table_init(&t, "", T0), CB_E_BAD_ID);
    assert_int_equal(cb_table_init(NULL, "3", T0), CB_E_ARG);
    assert_int_equal(cb_table_init(&t, NULL, T0), CB_E_ARG);
    assert_null(cb_table_request(NULL, CB_KIND_CALL));
}

/* none --press(kind)--> calling, one request per kind; other kinds untouched. */
static void test_open_per_kind(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    cb_changes ch = press(&t, CB_KIND_WATER, T0 + SEC, 17);
    assert_one(&ch, CB_EFFECT_OPENED, 17);
    const cb_request *w = cb_table_request(&t, CB_KIND_WATER);
    assert_non_null(w);
    assert_int_equal(w->kind, CB_KIND_WATER);
    assert_int_equal(w->status, CB_CALLING);
    assert_int_equal(w->count, 1);
    assert_int_equal(w->repeats, 0);
    assert_int_equal(w->pressed_at, T0 + SEC - 100);
    assert_int_equal(w->last_alert_at, T0 + SEC); /* received, not pressed */
    assert_string_equal(w->acked_by, "");
    assert_int_equal(w->acked_at, 0);
    assert_memory_equal(&ch.c[0].request, w, sizeof *w);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.updated_at, T0 + SEC);
    assert_publishable(&t);

    /* water then bill: two requests, the water one untouched */
    cb_request water = *w;
    ch = press(&t, CB_KIND_BILL, T0 + 2 * SEC, 18);
    assert_one(&ch, CB_EFFECT_OPENED, 18);
    assert_int_equal(ch.c[0].request.kind, CB_KIND_BILL);
    assert_calls(&t, 17, 18);
    assert_memory_equal(req(&t, 0), &water, sizeof water);
    assert_null(cb_table_request(&t, CB_KIND_CALL));
    assert_null(cb_table_request(&t, CB_KIND_CANCEL));
    assert_publishable(&t);

    /* and a call: all three kinds open at once */
    ch = press(&t, CB_KIND_CALL, T0 + 3 * SEC, 19);
    assert_one(&ch, CB_EFFECT_OPENED, 19);
    assert_calls(&t, 17, 18, 19);
    assert_int_equal(t.state.updated_at, T0 + 3 * SEC);
    assert_publishable(&t);
}

/* calling --press(same kind)--> calling, count +1; the new id is not used. */
static void test_count(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    press(&t, CB_KIND_BILL, T0, 17);
    press(&t, CB_KIND_CALL, T0 + SEC, 18);
    cb_changes ch = press(&t, CB_KIND_BILL, T0 + 5 * SEC, 0); /* 0: proves it is unused */
    assert_one(&ch, CB_EFFECT_COUNTED, 17);
    assert_int_equal(ch.c[0].request.count, 2);
    const cb_request *b = cb_table_request(&t, CB_KIND_BILL);
    assert_int_equal(b->count, 2);
    assert_int_equal(b->pressed_at, T0 - 100); /* the first press */
    assert_int_equal(b->last_alert_at, T0);    /* a press does not re-arm escalation */
    assert_int_equal(cb_table_request(&t, CB_KIND_CALL)->count, 1);
    assert_int_equal(t.state.updated_at, T0 + 5 * SEC);
    assert_calls(&t, 17, 18);
    assert_publishable(&t);
    /* the count stops at its maximum rather than wrapping to 0 */
    t.state.requests[0].count = UINT32_MAX;
    ch = press(&t, CB_KIND_BILL, T0 + 6 * SEC, 0);
    assert_one(&ch, CB_EFFECT_COUNTED, 17);
    assert_int_equal(req(&t, 0)->count, UINT32_MAX);
    assert_publishable(&t);
}

/* Oldest pressed_at first, then the lower call: a press held in the broker that was
 * pressed before an open request goes before it. */
static void test_order(void **state)
{
    (void)state;
    cb_table t;
    cb_changes ch;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(cb_table_press(&t, CB_KIND_BILL, T0 + 10 * SEC, T0 + 20 * SEC, 5, &ch), CB_OK);
    assert_int_equal(cb_table_press(&t, CB_KIND_WATER, T0 + 5 * SEC, T0 + 21 * SEC, 6, &ch), CB_OK);
    assert_calls(&t, 6, 5);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0 + 10 * SEC, T0 + 22 * SEC, 4, &ch), CB_OK);
    assert_calls(&t, 6, 4, 5); /* same pressed_at as bill: the lower call first */
    assert_publishable(&t);
    /* closing one keeps the others' order */
    cmd(&t, CB_ACTION_DONE, "Ana", NO_KIND, 4, T0 + 23 * SEC, CB_OK);
    assert_calls(&t, 6, 5);
    assert_publishable(&t);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0 + 30 * SEC, T0 + 30 * SEC, 7, &ch), CB_OK);
    assert_calls(&t, 6, 5, 7);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0 + 31 * SEC, T0 + 31 * SEC, 8, &ch), CB_OK); /* counted */
    assert_calls(&t, 6, 5, 7); /* a newer press of an open kind does not move it */
    /* a press that arrives late but was made earlier (out of order): the request dates
     * from it, and moves up */
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0, T0 + 32 * SEC, 9, &ch), CB_OK);
    assert_int_equal(ch.n, 1);
    assert_int_equal(ch.c[0].effect, CB_EFFECT_COUNTED);
    assert_int_equal(ch.c[0].request.pressed_at, T0);
    assert_int_equal(ch.c[0].request.call, 7);
    assert_calls(&t, 7, 6, 5);
    assert_publishable(&t);
}

/* press cancel: every open request closes, whatever its status; ignored when idle. */
static void test_cancel(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    cb_table before = t;
    cb_changes ch = press(&t, CB_KIND_CANCEL, T0 + SEC, 5);
    assert_int_equal(ch.n, 0);
    assert_memory_equal(&t, &before, sizeof t);

    three_open(&t);
    cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_BILL, 0, T0 + 5 * SEC, CB_OK);
    ch = press(&t, CB_KIND_CANCEL, T0 + 6 * SEC, 0);
    assert_int_equal(ch.n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ch.c[i].effect, CB_EFFECT_CANCELLED);
        assert_int_equal(ch.c[i].request.call, i + 1);
    }
    /* each closed request as it was when it closed */
    assert_int_equal(ch.c[1].request.status, CB_ACKNOWLEDGED);
    assert_string_equal(ch.c[1].request.acked_by, "Ana");
    assert_int_equal(ch.c[1].request.acked_at, T0 + 5 * SEC);
    assert_int_equal(ch.c[0].request.status, CB_CALLING);
    assert_idle(&t, T0 + 6 * SEC);
    /* a new press after a cancel opens a new request */
    ch = press(&t, CB_KIND_CALL, T0 + 7 * SEC, 4);
    assert_one(&ch, CB_EFFECT_OPENED, 4);
}

/* cmd with call: only that request. */
static void test_cmd_by_call(void **state)
{
    (void)state;
    cb_table t;
    three_open(&t);
    cb_changes ch = cmd(&t, CB_ACTION_ACK, "Ana", NO_KIND, 2, T0 + 10 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_ACKED, 2);
    assert_int_equal(ch.c[0].request.status, CB_ACKNOWLEDGED);
    assert_int_equal(req(&t, 1)->status, CB_ACKNOWLEDGED);
    assert_string_equal(req(&t, 1)->acked_by, "Ana");
    assert_int_equal(req(&t, 1)->acked_at, T0 + 10 * SEC);
    assert_int_equal(req(&t, 0)->status, CB_CALLING);
    assert_int_equal(req(&t, 2)->status, CB_CALLING);
    assert_int_equal(t.state.status, CB_CALLING); /* others still call */
    assert_int_equal(t.state.updated_at, T0 + 10 * SEC);
    assert_publishable(&t);
    /* call and kind together: only if the request is of that kind */
    cmd(&t, CB_ACTION_DONE, "Ana", CB_KIND_WATER, 2, T0 + 11 * SEC, CB_E_STALE);
    ch = cmd(&t, CB_ACTION_DONE, "Ana", CB_KIND_BILL, 2, T0 + 11 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_DONE, 2);
    assert_int_equal(ch.c[0].request.status, CB_ACKNOWLEDGED); /* as it was */
    assert_calls(&t, 1, 3);
    assert_null(cb_table_request(&t, CB_KIND_BILL));
    assert_int_equal(t.state.updated_at, T0 + 11 * SEC);
    assert_publishable(&t);
    /* the closed request's id is stale now, for ack and done */
    cmd(&t, CB_ACTION_ACK, "Ana", NO_KIND, 2, T0 + 12 * SEC, CB_E_STALE);
    cmd(&t, CB_ACTION_DONE, "Ana", NO_KIND, 2, T0 + 12 * SEC, CB_E_STALE);
    cmd(&t, CB_ACTION_ACK, "Ana", NO_KIND, 99, T0 + 12 * SEC, CB_E_STALE);
    /* done on a calling request, without an ack, closes it */
    ch = cmd(&t, CB_ACTION_DONE, "Bo", NO_KIND, 3, T0 + 13 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_DONE, 3);
    assert_int_equal(ch.c[0].request.status, CB_CALLING);
    assert_calls(&t, 1);
    ch = cmd(&t, CB_ACTION_DONE, "Bo", NO_KIND, 1, T0 + 14 * SEC, CB_OK);
    assert_idle(&t, T0 + 14 * SEC);
    /* a command naming a call on an idle table: the call was closed meanwhile */
    cmd(&t, CB_ACTION_ACK, "Bo", NO_KIND, 1, T0 + 15 * SEC, CB_E_STALE);
}

/* cmd with kind: the open request of that kind; none of that kind is no_call. */
static void test_cmd_by_kind(void **state)
{
    (void)state;
    cb_table t;
    three_open(&t);
    cb_changes ch = cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_WATER, 0, T0 + 10 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_ACKED, 3);
    assert_int_equal(cb_table_request(&t, CB_KIND_WATER)->status, CB_ACKNOWLEDGED);
    ch = cmd(&t, CB_ACTION_DONE, "Ana", CB_KIND_CALL, 0, T0 + 11 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_DONE, 1);
    assert_calls(&t, 2, 3);
    assert_publishable(&t);
    cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_CALL, 0, T0 + 12 * SEC, CB_E_NO_CALL);
    cmd(&t, CB_ACTION_DONE, "Ana", CB_KIND_CALL, 0, T0 + 12 * SEC, CB_E_NO_CALL);
}

/* cmd without call and kind: every open request. */
static void test_cmd_all(void **state)
{
    (void)state;
    cb_table t;
    three_open(&t);
    cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_BILL, 0, T0 + 10 * SEC, CB_OK);
    cb_changes ch = cmd(&t, CB_ACTION_ACK, "Bo", NO_KIND, 0, T0 + 20 * SEC, CB_OK);
    assert_int_equal(ch.n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ch.c[i].effect, CB_EFFECT_ACKED);
        assert_int_equal(ch.c[i].request.call, i + 1);
        assert_int_equal(req(&t, i)->status, CB_ACKNOWLEDGED);
        assert_string_equal(req(&t, i)->acked_by, "Bo");
    }
    /* the bill was acked before: only who is coming changed, not when */
    assert_int_equal(req(&t, 1)->acked_at, T0 + 10 * SEC);
    assert_int_equal(req(&t, 0)->acked_at, T0 + 20 * SEC);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    assert_publishable(&t);

    ch = cmd(&t, CB_ACTION_DONE, "Cy", NO_KIND, 0, T0 + 30 * SEC, CB_OK);
    assert_int_equal(ch.n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ch.c[i].effect, CB_EFFECT_DONE);
        assert_int_equal(ch.c[i].request.call, i + 1);
        assert_string_equal(ch.c[i].request.acked_by, "Bo");
    }
    assert_idle(&t, T0 + 30 * SEC);
    /* nothing open: no_call, for ack and done */
    cmd(&t, CB_ACTION_ACK, "Cy", NO_KIND, 0, T0 + 31 * SEC, CB_E_NO_CALL);
    cmd(&t, CB_ACTION_DONE, "Cy", NO_KIND, 0, T0 + 31 * SEC, CB_E_NO_CALL);
}

/* acknowledged --press(same kind)--> acknowledged, counted; repeated ack. */
static void test_acked_request_stays_acked(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    press(&t, CB_KIND_CALL, T0, 17);
    cmd(&t, CB_ACTION_ACK, "Ana", NO_KIND, 17, T0 + 10 * SEC, CB_OK);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    cb_changes ch = press(&t, CB_KIND_CALL, T0 + 20 * SEC, 0);
    assert_one(&ch, CB_EFFECT_COUNTED, 17);
    assert_int_equal(req(&t, 0)->status, CB_ACKNOWLEDGED);
    assert_string_equal(req(&t, 0)->acked_by, "Ana");
    assert_int_equal(req(&t, 0)->acked_at, T0 + 10 * SEC);
    assert_int_equal(req(&t, 0)->count, 2);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    assert_publishable(&t);
    /* repeated ack: acked_by changes, acked_at does not */
    ch = cmd(&t, CB_ACTION_ACK, "Bo", NO_KIND, 17, T0 + 30 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_ACKED, 17);
    assert_string_equal(req(&t, 0)->acked_by, "Bo");
    assert_int_equal(req(&t, 0)->acked_at, T0 + 10 * SEC);
    assert_int_equal(t.state.updated_at, T0 + 30 * SEC);
    /* another kind opens its own request: the table calls again */
    ch = press(&t, CB_KIND_WATER, T0 + 40 * SEC, 18);
    assert_one(&ch, CB_EFFECT_OPENED, 18);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(req(&t, 0)->status, CB_ACKNOWLEDGED);
    assert_publishable(&t);
    /* done of the acknowledged one: the water one still calls */
    ch = cmd(&t, CB_ACTION_DONE, "Bo", CB_KIND_CALL, 0, T0 + 50 * SEC, CB_OK);
    assert_one(&ch, CB_EFFECT_DONE, 17);
    assert_calls(&t, 18);
    assert_int_equal(t.state.status, CB_CALLING);
    /* after done, a press of that kind is a new request */
    ch = press(&t, CB_KIND_CALL, T0 + 60 * SEC, 19);
    assert_one(&ch, CB_EFFECT_OPENED, 19);
    assert_publishable(&t);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    cb_table t;
    cb_changes ch;
    three_open(&t);
    cb_table before = t;
    cb_cmd c = make_cmd(CB_ACTION_ACK, "Ana", NO_KIND, 0);
    assert_int_equal(cb_table_cmd(NULL, &c, T0, &ch), CB_E_ARG);
    assert_int_equal(cb_table_cmd(&t, NULL, T0, &ch), CB_E_ARG);
    assert_int_equal(cb_table_cmd(&t, &c, T0, NULL), CB_E_ARG);
    /* commands no decoder would produce */
    static const char *const bad_names[] = {"", " Ana", "Ana ", "   ", "A\tna", "A\x7f"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        c = make_cmd(CB_ACTION_ACK, bad_names[i], NO_KIND, 0);
        assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    }
    c = make_cmd(CB_ACTION_ACK, "Ana", NO_KIND, 0);
    memset(c.by, 'a', sizeof c.by); /* not terminated */
    assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    c = make_cmd((cb_action)7, "Ana", NO_KIND, 0);
    assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    c = make_cmd(CB_ACTION_ACK, "Ana", CB_KIND_CANCEL, 0);
    assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    c = make_cmd(CB_ACTION_ACK, "Ana", NO_KIND, 0);
    c.has_kind = true;
    c.kind = (cb_kind)9;
    assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    /* presses */
    assert_int_equal(cb_table_press(&t, CB_KIND_COUNT, T0, T0, 4, &ch), CB_E_BAD_KIND);
    assert_int_equal(cb_table_press(NULL, CB_KIND_CALL, T0, T0, 4, &ch), CB_E_ARG);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0, T0, 4, NULL), CB_E_ARG);
    assert_memory_equal(&t, &before, sizeof t);
    cb_table idle;
    assert_int_equal(cb_table_init(&idle, "3", T0), CB_OK);
    before = idle;
    assert_int_equal(cb_table_press(&idle, CB_KIND_CALL, T0, T0 + 1, 0, &ch), CB_E_ARG); /* id 0 */
    assert_int_equal(cb_table_press(&idle, CB_KIND_CALL, T0, T0 + 1, (uint64_t)INT64_MAX + 1u, &ch), CB_E_ARG);
    assert_memory_equal(&idle, &before, sizeof idle);
    assert_int_equal(cb_table_press(&idle, CB_KIND_CALL, T0, T0 + 1, (uint64_t)INT64_MAX, &ch), CB_OK);
    assert_publishable(&idle);
    /* a corrupt table is refused, not walked past its array */
    t.state.n_requests = CB_REQUEST_MAX + 1;
    c = make_cmd(CB_ACTION_ACK, "Ana", NO_KIND, 0);
    assert_int_equal(cb_table_cmd(&t, &c, T0, &ch), CB_E_ARG);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0, T0, 4, &ch), CB_E_ARG);
    cb_call_config cfg = {60, 300};
    assert_int_equal(cb_table_tick(&t, &cfg, T0, &ch), CB_E_ARG);
    t.state.n_requests = 3;
    assert_int_equal(cb_table_tick(NULL, &cfg, T0, &ch), CB_E_ARG);
    assert_int_equal(cb_table_tick(&t, NULL, T0, &ch), CB_E_ARG);
    assert_int_equal(cb_table_tick(&t, &cfg, T0, NULL), CB_E_ARG);
}

/* calling --realert_s after its last alert--> calling, repeats +1; per request. */
static void test_realert_timing(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    cb_changes ch = tick(&t, T0 + 1000 * SEC); /* idle never escalates */
    assert_int_equal(ch.n, 0);
    assert_int_equal(t.state.updated_at, T0);
    press(&t, CB_KIND_CALL, T0, 17);
    press(&t, CB_KIND_BILL, T0 + 30 * SEC, 18);
    /* pressing again does not postpone the re-alert */
    press(&t, CB_KIND_CALL, T0 + 40 * SEC, 0);
    assert_int_equal(tick(&t, T0 + 59 * SEC).n, 0);
    assert_int_equal(tick(&t, T0 + 60 * SEC - 1).n, 0);
    assert_int_equal(t.state.updated_at, T0 + 40 * SEC); /* a tick that did nothing */
    ch = tick(&t, T0 + 60 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 17);
    assert_int_equal(ch.c[0].request.repeats, 1);
    assert_int_equal(req(&t, 0)->repeats, 1);
    assert_int_equal(req(&t, 0)->last_alert_at, T0 + 60 * SEC);
    assert_int_equal(req(&t, 0)->status, CB_CALLING);
    assert_int_equal(req(&t, 1)->repeats, 0);
    assert_int_equal(t.state.updated_at, T0 + 60 * SEC);
    assert_publishable(&t);
    /* the bill re-alerts realert_s after its own opening */
    assert_int_equal(tick(&t, T0 + 90 * SEC - 1).n, 0);
    ch = tick(&t, T0 + 90 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 18);
    /* the next one is realert_s after the last alert */
    assert_int_equal(tick(&t, T0 + 119 * SEC).n, 0);
    ch = tick(&t, T0 + 120 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 17);
    assert_int_equal(req(&t, 0)->repeats, 2);
    /* both due in one tick: one change each, in table order */
    ch = tick(&t, T0 + 1000 * SEC);
    assert_int_equal(ch.n, 2);
    assert_int_equal(ch.c[0].request.call, 17);
    assert_int_equal(ch.c[1].request.call, 18);
    assert_int_equal(ch.c[0].effect, CB_EFFECT_REALERT);
    assert_int_equal(ch.c[1].effect, CB_EFFECT_REALERT);
    /* a clock going backwards does not fire */
    assert_int_equal(tick(&t, T0).n, 0);
    /* repeats stop at their maximum rather than wrapping */
    t.state.requests[0].repeats = UINT32_MAX;
    ch = tick(&t, T0 + 2000 * SEC);
    assert_int_equal(req(&t, 0)->repeats, UINT32_MAX);
    assert_publishable(&t);
}

/* acknowledged --ack_timeout_s after the first ack--> calling, repeats +1. */
static void test_ack_timeout_reopens(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    press(&t, CB_KIND_CALL, T0, 17);
    press(&t, CB_KIND_WATER, T0 + SEC, 18);
    cmd(&t, CB_ACTION_ACK, "Ana", NO_KIND, 17, T0 + 10 * SEC, CB_OK);
    /* no re-alert while acknowledged, even past realert_s; the water one does */
    cb_changes ch = tick(&t, T0 + 100 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 18);
    /* a repeated ack does not restart the timeout */
    cmd(&t, CB_ACTION_ACK, "Bo", NO_KIND, 17, T0 + 200 * SEC, CB_OK);
    cmd(&t, CB_ACTION_ACK, "Bo", CB_KIND_WATER, 0, T0 + 200 * SEC, CB_OK);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    assert_int_equal(tick(&t, T0 + 310 * SEC - 1).n, 0);
    ch = tick(&t, T0 + 310 * SEC);
    assert_one(&ch, CB_EFFECT_REOPENED, 17);
    assert_int_equal(ch.c[0].request.status, CB_CALLING);
    const cb_request *r = cb_table_request(&t, CB_KIND_CALL);
    assert_int_equal(r->status, CB_CALLING);
    assert_int_equal(r->repeats, 1);
    assert_string_equal(r->acked_by, "");
    assert_int_equal(r->acked_at, 0);
    assert_int_equal(r->count, 1);
    assert_int_equal(r->last_alert_at, T0 + 310 * SEC);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.updated_at, T0 + 310 * SEC);
    assert_int_equal(cb_table_request(&t, CB_KIND_WATER)->status, CB_ACKNOWLEDGED);
    assert_publishable(&t);
    /* back to calling: it re-alerts realert_s after the reopen */
    assert_int_equal(tick(&t, T0 + 369 * SEC).n, 0);
    ch = tick(&t, T0 + 370 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 17);
    assert_int_equal(cb_table_request(&t, CB_KIND_CALL)->repeats, 2);
    /* the water one times out 300 s after its own ack */
    ch = tick(&t, T0 + 500 * SEC);
    assert_int_equal(ch.n, 2);
    assert_int_equal(ch.c[0].effect, CB_EFFECT_REALERT);
    assert_int_equal(ch.c[1].effect, CB_EFFECT_REOPENED);
    assert_int_equal(ch.c[1].request.call, 18);
    /* ack again, then done before the timeout: nothing left to escalate */
    cmd(&t, CB_ACTION_ACK, "Cy", NO_KIND, 0, T0 + 501 * SEC, CB_OK);
    cmd(&t, CB_ACTION_DONE, "Cy", NO_KIND, 0, T0 + 502 * SEC, CB_OK);
    assert_int_equal(tick(&t, T0 + 2000 * SEC).n, 0);
    assert_idle(&t, T0 + 502 * SEC);
}

/* realert_s / ack_timeout_s of 0 switch that escalation off, and only that one. */
static void test_escalation_off(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    press(&t, CB_KIND_CALL, T0, 17);
    press(&t, CB_KIND_BILL, T0, 18);
    cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_BILL, 0, T0, CB_OK);
    cb_table before = t;
    assert_int_equal(tick_with(&t, 0, 0, T0 + 100000 * SEC).n, 0);
    assert_memory_equal(&t, &before, sizeof t);
    /* re-alert off, ack timeout on */
    cb_changes ch = tick_with(&t, 0, 2, T0 + 2 * SEC);
    assert_one(&ch, CB_EFFECT_REOPENED, 18);
    assert_int_equal(tick_with(&t, 0, 2, T0 + 100000 * SEC).n, 0);
    /* re-alert on, ack timeout off */
    cmd(&t, CB_ACTION_ACK, "Ana", CB_KIND_BILL, 0, T0 + 3 * SEC, CB_OK);
    ch = tick_with(&t, 5, 0, T0 + 100000 * SEC);
    assert_one(&ch, CB_EFFECT_REALERT, 17);
    assert_int_equal(cb_table_request(&t, CB_KIND_BILL)->status, CB_ACKNOWLEDGED);
    /* a large setting does not overflow */
    assert_int_equal(tick_with(&t, UINT32_MAX, UINT32_MAX, UINT64_MAX).n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_open_per_kind),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cmd_by_call),
        cmocka_unit_test(test_cmd_by_kind),
        cmocka_unit_test(test_cmd_all),
        cmocka_unit_test(test_acked_request_stays_acked),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_realert_timing),
        cmocka_unit_test(test_ack_timeout_reopens),
        cmocka_unit_test(test_escalation_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
