/* test_call.c - every transition of docs/protocol.md "Call lifecycle",
 * including escalation timing. */
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

static cb_cmd make_cmd(cb_action a, const char *by)
{
    cb_cmd c;
    memset(&c, 0, sizeof c);
    c.action = a;
    strcpy(c.by, by);
    return c;
}

static cb_effect press(cb_table *t, cb_kind k, uint64_t now, uint64_t id)
{
    cb_effect e = (cb_effect)99;
    assert_int_equal(cb_table_press(t, k, now - 100, now, id, &e), CB_OK);
    return e;
}

static cb_effect cmd(cb_table *t, cb_action a, const char *by, uint64_t now, cb_status want)
{
    cb_cmd c = make_cmd(a, by);
    cb_effect e = (cb_effect)99;
    assert_int_equal(cb_table_cmd(t, &c, now, &e), want);
    return e;
}

static cb_effect tick(cb_table *t, uint64_t now)
{
    cb_call_config cfg;
    cb_effect e = (cb_effect)99;
    assert_int_equal(cb_call_config_default(&cfg), CB_OK);
    assert_int_equal(cb_table_tick(t, &cfg, now, &e), CB_OK);
    return e;
}

static void assert_idle(const cb_table *t, uint64_t updated)
{
    assert_int_equal(t->state.status, CB_IDLE);
    assert_int_equal(t->state.call, 0);
    assert_int_equal(t->state.count, 0);
    assert_int_equal(t->state.repeats, 0);
    assert_int_equal(t->state.pressed_at, 0);
    assert_string_equal(t->state.acked_by, "");
    assert_int_equal(t->state.acked_at, 0);
    assert_int_equal(t->state.updated_at, updated);
}

/* The state after every transition must be encodable (hub publishes it). */
static void assert_publishable(const cb_table *t)
{
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_state back;
    assert_int_equal(cb_state_encode(&t->state, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
}

static void test_names_and_defaults(void **state)
{
    (void)state;
    static const char *const names[] = {"none",  "opened", "counted", "changed", "cancelled",
                                        "acked", "done",   "realert", "reopened"};
    for (int i = 0; i < 9; i++) {
        const char *n = NULL;
        assert_int_equal(cb_effect_name((cb_effect)i, &n), CB_OK);
        assert_string_equal(n, names[i]);
    }
    const char *n = NULL;
    assert_int_equal(cb_effect_name((cb_effect)9, &n), CB_E_RANGE);
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
    assert_publishable(&t);
    assert_int_equal(cb_table_init(&t, "Patio", T0), CB_E_BAD_ID);
    assert_int_equal(cb_table_init(&t, "", T0), CB_E_BAD_ID);
    assert_int_equal(cb_table_init(NULL, "3", T0), CB_E_ARG);
    assert_int_equal(cb_table_init(&t, NULL, T0), CB_E_ARG);
}

static void test_open_count_change(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    /* idle --press call--> calling, count 1, new id */
    assert_int_equal(press(&t, CB_KIND_CALL, T0 + SEC, 17), CB_EFFECT_OPENED);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.kind, CB_KIND_CALL);
    assert_int_equal(t.state.call, 17);
    assert_int_equal(t.state.count, 1);
    assert_int_equal(t.state.repeats, 0);
    assert_int_equal(t.state.pressed_at, T0 + SEC - 100);
    assert_int_equal(t.state.updated_at, T0 + SEC);
    assert_publishable(&t);
    /* same kind: count +1, same call; new_call_id is not used */
    assert_int_equal(press(&t, CB_KIND_CALL, T0 + 2 * SEC, 99), CB_EFFECT_COUNTED);
    assert_int_equal(t.state.call, 17);
    assert_int_equal(t.state.count, 2);
    assert_int_equal(t.state.pressed_at, T0 + SEC - 100); /* first press of the call */
    assert_int_equal(t.state.updated_at, T0 + 2 * SEC);
    /* different kind: kind changes, count +1 */
    assert_int_equal(press(&t, CB_KIND_BILL, T0 + 3 * SEC, 99), CB_EFFECT_CHANGED);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.kind, CB_KIND_BILL);
    assert_int_equal(t.state.call, 17);
    assert_int_equal(t.state.count, 3);
    assert_publishable(&t);
    /* every opening kind works */
    cb_table w;
    assert_int_equal(cb_table_init(&w, "4", T0), CB_OK);
    assert_int_equal(press(&w, CB_KIND_WATER, T0, 1), CB_EFFECT_OPENED);
    assert_int_equal(w.state.kind, CB_KIND_WATER);
    assert_int_equal(cb_table_init(&w, "4", T0), CB_OK);
    assert_int_equal(press(&w, CB_KIND_BILL, T0, 1), CB_EFFECT_OPENED);
}

static void test_cancel(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    /* cancel on idle: ignored, nothing changes */
    cb_table before = t;
    assert_int_equal(press(&t, CB_KIND_CANCEL, T0 + SEC, 5), CB_EFFECT_NONE);
    assert_memory_equal(&t, &before, sizeof t);
    /* cancel on calling: closed */
    assert_int_equal(press(&t, CB_KIND_CALL, T0 + SEC, 5), CB_EFFECT_OPENED);
    assert_int_equal(press(&t, CB_KIND_CANCEL, T0 + 2 * SEC, 6), CB_EFFECT_CANCELLED);
    assert_idle(&t, T0 + 2 * SEC);
    /* cancel on acknowledged: closed */
    assert_int_equal(press(&t, CB_KIND_WATER, T0 + 3 * SEC, 7), CB_EFFECT_OPENED);
    assert_int_equal(t.state.call, 7);
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Ana", T0 + 4 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(press(&t, CB_KIND_CANCEL, T0 + 5 * SEC, 8), CB_EFFECT_CANCELLED);
    assert_idle(&t, T0 + 5 * SEC);
    assert_publishable(&t);
}

static void test_ack_done(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    /* ack / done on idle: no_call, unchanged */
    cb_table before = t;
    cmd(&t, CB_ACTION_ACK, "Ana", T0 + SEC, CB_E_NO_CALL);
    cmd(&t, CB_ACTION_DONE, "Ana", T0 + SEC, CB_E_NO_CALL);
    assert_memory_equal(&t, &before, sizeof t);

    assert_int_equal(press(&t, CB_KIND_CALL, T0 + SEC, 17), CB_EFFECT_OPENED);
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Ana", T0 + 10 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    assert_string_equal(t.state.acked_by, "Ana");
    assert_int_equal(t.state.acked_at, T0 + 10 * SEC);
    assert_int_equal(t.state.updated_at, T0 + 10 * SEC);
    assert_publishable(&t);
    /* repeated ack: only acked_by changes */
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Bo", T0 + 20 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_string_equal(t.state.acked_by, "Bo");
    assert_int_equal(t.state.acked_at, T0 + 10 * SEC);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    /* same kind on acknowledged: counted, stays acknowledged */
    assert_int_equal(press(&t, CB_KIND_CALL, T0 + 25 * SEC, 0), CB_EFFECT_COUNTED);
    assert_int_equal(t.state.status, CB_ACKNOWLEDGED);
    assert_int_equal(t.state.count, 2);
    /* done on acknowledged: closed */
    assert_int_equal(cmd(&t, CB_ACTION_DONE, "Bo", T0 + 30 * SEC, CB_OK), CB_EFFECT_DONE);
    assert_idle(&t, T0 + 30 * SEC);
    /* done on calling (without ack): closed */
    assert_int_equal(press(&t, CB_KIND_BILL, T0 + 40 * SEC, 18), CB_EFFECT_OPENED);
    assert_int_equal(cmd(&t, CB_ACTION_DONE, "Cy", T0 + 41 * SEC, CB_OK), CB_EFFECT_DONE);
    assert_idle(&t, T0 + 41 * SEC);
}

static void test_changed_kind_unacks(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 17), CB_EFFECT_OPENED);
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Ana", T0 + SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(press(&t, CB_KIND_BILL, T0 + 2 * SEC, 0), CB_EFFECT_CHANGED);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.kind, CB_KIND_BILL);
    assert_int_equal(t.state.count, 2);
    assert_string_equal(t.state.acked_by, "");
    assert_int_equal(t.state.acked_at, 0);
    assert_int_equal(t.state.call, 17);
    assert_publishable(&t);
}

static void test_stale_and_bad_cmd(void **state)
{
    (void)state;
    cb_table t;
    cb_effect e;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 17), CB_EFFECT_OPENED);
    cb_cmd c = make_cmd(CB_ACTION_ACK, "Ana");
    c.has_call = true;
    c.call = 16;
    cb_table before = t;
    assert_int_equal(cb_table_cmd(&t, &c, T0 + SEC, &e), CB_E_STALE);
    c.action = CB_ACTION_DONE;
    assert_int_equal(cb_table_cmd(&t, &c, T0 + SEC, &e), CB_E_STALE);
    assert_memory_equal(&t, &before, sizeof t);
    c.call = 17;
    assert_int_equal(cb_table_cmd(&t, &c, T0 + SEC, &e), CB_OK);
    assert_int_equal(e, CB_EFFECT_DONE);
    /* idle beats stale: a command for a closed call on an idle table is no_call */
    c.call = 17;
    assert_int_equal(cb_table_cmd(&t, &c, T0 + SEC, &e), CB_E_NO_CALL);
    /* malformed commands and arguments */
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 18), CB_EFFECT_OPENED);
    c = make_cmd(CB_ACTION_ACK, "");
    assert_int_equal(cb_table_cmd(&t, &c, T0, &e), CB_E_ARG);
    c = make_cmd((cb_action)7, "Ana");
    assert_int_equal(cb_table_cmd(&t, &c, T0, &e), CB_E_ARG);
    c = make_cmd(CB_ACTION_ACK, "Ana");
    assert_int_equal(cb_table_cmd(NULL, &c, T0, &e), CB_E_ARG);
    assert_int_equal(cb_table_cmd(&t, NULL, T0, &e), CB_E_ARG);
    assert_int_equal(cb_table_cmd(&t, &c, T0, NULL), CB_E_ARG);
    assert_int_equal(cb_table_press(&t, CB_KIND_COUNT, T0, T0, 1, &e), CB_E_BAD_KIND);
    assert_int_equal(cb_table_press(NULL, CB_KIND_CALL, T0, T0, 1, &e), CB_E_ARG);
    assert_int_equal(cb_table_press(&t, CB_KIND_CALL, T0, T0, 1, NULL), CB_E_ARG);
    cb_table idle;
    assert_int_equal(cb_table_init(&idle, "3", T0), CB_OK);
    assert_int_equal(cb_table_press(&idle, CB_KIND_CALL, T0, T0, 0, &e), CB_E_ARG); /* id 0 */
    assert_int_equal(idle.state.status, CB_IDLE);
}

static void test_realert_timing(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(tick(&t, T0 + 1000 * SEC), CB_EFFECT_NONE); /* idle never escalates */
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 17), CB_EFFECT_OPENED);
    /* Pressing again does not postpone the re-alert. */
    assert_int_equal(press(&t, CB_KIND_CALL, T0 + 30 * SEC, 0), CB_EFFECT_COUNTED);
    assert_int_equal(tick(&t, T0 + 59 * SEC), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 60 * SEC - 1), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 60 * SEC), CB_EFFECT_REALERT);
    assert_int_equal(t.state.repeats, 1);
    assert_int_equal(t.state.updated_at, T0 + 60 * SEC);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_publishable(&t);
    /* The next one is realert_s after the last alert. */
    assert_int_equal(tick(&t, T0 + 61 * SEC), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 119 * SEC), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 120 * SEC), CB_EFFECT_REALERT);
    assert_int_equal(t.state.repeats, 2);
    /* A kind change is a new alert: the clock restarts. */
    assert_int_equal(press(&t, CB_KIND_BILL, T0 + 150 * SEC, 0), CB_EFFECT_CHANGED);
    assert_int_equal(tick(&t, T0 + 180 * SEC), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 210 * SEC), CB_EFFECT_REALERT);
    assert_int_equal(t.state.repeats, 3);
    /* A clock going backwards does not fire. */
    assert_int_equal(tick(&t, T0), CB_EFFECT_NONE);
}

static void test_ack_timeout_reopens(void **state)
{
    (void)state;
    cb_table t;
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 17), CB_EFFECT_OPENED);
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Ana", T0 + 10 * SEC, CB_OK), CB_EFFECT_ACKED);
    /* No re-alert while acknowledged, even past realert_s. */
    assert_int_equal(tick(&t, T0 + 100 * SEC), CB_EFFECT_NONE);
    /* A repeated ack does not restart the timeout. */
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Bo", T0 + 200 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(tick(&t, T0 + 310 * SEC - 1), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 310 * SEC), CB_EFFECT_REOPENED);
    assert_int_equal(t.state.status, CB_CALLING);
    assert_int_equal(t.state.repeats, 1);
    assert_string_equal(t.state.acked_by, "");
    assert_int_equal(t.state.acked_at, 0);
    assert_int_equal(t.state.call, 17);
    assert_int_equal(t.state.updated_at, T0 + 310 * SEC);
    assert_publishable(&t);
    /* Back to calling: it re-alerts realert_s after the reopen. */
    assert_int_equal(tick(&t, T0 + 369 * SEC), CB_EFFECT_NONE);
    assert_int_equal(tick(&t, T0 + 370 * SEC), CB_EFFECT_REALERT);
    assert_int_equal(t.state.repeats, 2);
    /* ack again, then done before the timeout */
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Cy", T0 + 371 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(cmd(&t, CB_ACTION_DONE, "Cy", T0 + 400 * SEC, CB_OK), CB_EFFECT_DONE);
    assert_int_equal(tick(&t, T0 + 2000 * SEC), CB_EFFECT_NONE);
}

static void test_tick_config(void **state)
{
    (void)state;
    cb_table t;
    cb_effect e;
    cb_call_config cfg = {.realert_s = 0, .ack_timeout_s = 0}; /* both off */
    assert_int_equal(cb_table_init(&t, "3", T0), CB_OK);
    assert_int_equal(press(&t, CB_KIND_CALL, T0, 17), CB_EFFECT_OPENED);
    assert_int_equal(cb_table_tick(&t, &cfg, T0 + 100000 * SEC, &e), CB_OK);
    assert_int_equal(e, CB_EFFECT_NONE);
    cfg.realert_s = 5;
    assert_int_equal(cb_table_tick(&t, &cfg, T0 + 5 * SEC, &e), CB_OK);
    assert_int_equal(e, CB_EFFECT_REALERT);
    cfg.ack_timeout_s = 2;
    assert_int_equal(cmd(&t, CB_ACTION_ACK, "Ana", T0 + 6 * SEC, CB_OK), CB_EFFECT_ACKED);
    assert_int_equal(cb_table_tick(&t, &cfg, T0 + 8 * SEC, &e), CB_OK);
    assert_int_equal(e, CB_EFFECT_REOPENED);
    assert_int_equal(cb_table_tick(NULL, &cfg, T0, &e), CB_E_ARG);
    assert_int_equal(cb_table_tick(&t, NULL, T0, &e), CB_E_ARG);
    assert_int_equal(cb_table_tick(&t, &cfg, T0, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_open_count_change),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_ack_done),
        cmocka_unit_test(test_changed_kind_unacks),
        cmocka_unit_test(test_stale_and_bad_cmd),
        cmocka_unit_test(test_realert_timing),
        cmocka_unit_test(test_ack_timeout_reopens),
        cmocka_unit_test(test_tick_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
