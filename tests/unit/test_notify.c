/* test_notify.c - the notify bridge's rule (callbell/notify.h): one notification per
 * request and escalation level, none for what was already announced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "callbell/notify.h"

static cb_state table_state(const char *table)
{
    cb_state st;
    memset(&st, 0, sizeof st);
    strcpy(st.table, table);
    return st;
}

static void add(cb_state *st, cb_kind kind, uint64_t call, cb_table_status status, uint32_t repeats)
{
    cb_request *r = &st->requests[st->n_requests++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->call = call;
    r->status = status;
    r->count = 1;
    r->repeats = repeats;
    r->pressed_at = 1000 + call;
}

static uint32_t notes(cb_notify_memory *m, const cb_state *st, cb_notification *out)
{
    uint32_t n = 99;
    assert_int_equal(cb_notify_state(m, st, out, CB_REQUEST_MAX, &n), CB_OK);
    return n;
}

static void test_new_request_once(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    assert_int_equal(cb_notify_init(&m), CB_OK);
    cb_state st = table_state("3");
    add(&st, CB_KIND_BILL, 17, CB_CALLING, 0);
    assert_int_equal(notes(&m, &st, out), 1);
    assert_string_equal(out[0].table, "3");
    assert_int_equal(out[0].request.call, 17);
    assert_int_equal(out[0].request.kind, CB_KIND_BILL);
    assert_int_equal(out[0].level, 0);
    /* the same state again (a reconnect's retained copy): nothing */
    assert_int_equal(notes(&m, &st, out), 0);
    /* a second kind at the same table: only it */
    add(&st, CB_KIND_WATER, 18, CB_CALLING, 0);
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].request.call, 18);
    /* more presses merged into it: not a new notification */
    st.requests[1].count = 4;
    assert_int_equal(notes(&m, &st, out), 0);
}

static void test_escalation_levels(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    cb_state st = table_state("1");
    add(&st, CB_KIND_CALL, 5, CB_CALLING, 0);
    assert_int_equal(notes(&m, &st, out), 1);
    st.requests[0].repeats = 1; /* re-alert */
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].level, 1);
    assert_int_equal(notes(&m, &st, out), 0);
    /* acknowledged: nothing; back to calling after the ack timeout (repeats 2): level 2 */
    st.requests[0].status = CB_ACKNOWLEDGED;
    assert_int_equal(notes(&m, &st, out), 0);
    st.requests[0].status = CB_CALLING;
    st.requests[0].repeats = 2;
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].level, 2);
    /* a level skipped while away (3 and 4 happened): one notification, for 4 */
    st.requests[0].repeats = 4;
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].level, 4);
}

static void test_first_seen_acknowledged(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    cb_state st = table_state("2");
    add(&st, CB_KIND_CALL, 9, CB_ACKNOWLEDGED, 0);
    assert_int_equal(notes(&m, &st, out), 0);
    st.requests[0].status = CB_CALLING; /* the ack timed out */
    st.requests[0].repeats = 1;
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].level, 1);
}

static void test_closed_requests_are_forgotten(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    cb_state st = table_state("2");
    add(&st, CB_KIND_CALL, 9, CB_CALLING, 0);
    cb_state other = table_state("4");
    add(&other, CB_KIND_CALL, 10, CB_CALLING, 0);
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(notes(&m, &other, out), 1);
    assert_int_equal(m.n, 2);
    cb_state idle = table_state("2");
    assert_int_equal(notes(&m, &idle, out), 0);
    assert_int_equal(m.n, 1); /* table 4's request stays */
    assert_int_equal(m.e[0].call, 10);
}

static void test_remembered_across_restart(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    assert_int_equal(cb_notify_remember(&m, "3", 17, 1), CB_OK);
    assert_int_equal(cb_notify_remember(&m, "3", 17, 0), CB_OK); /* lower: no change */
    assert_int_equal(m.e[0].level, 1);
    cb_state st = table_state("3");
    add(&st, CB_KIND_BILL, 17, CB_CALLING, 1);
    add(&st, CB_KIND_CALL, 19, CB_CALLING, 0); /* pressed while the bridge was down */
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(out[0].request.call, 19);
    assert_int_equal(cb_notify_remember(&m, "Bad id", 1, 0), CB_E_BAD_ID);
    assert_int_equal(cb_notify_remember(&m, "3", 0, 0), CB_E_RANGE);
    assert_int_equal(cb_notify_remember(NULL, "3", 1, 0), CB_E_ARG);
}

static void test_bounds(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    for (uint64_t c = 1; c <= CB_NOTIFY_MEMORY; c++)
        assert_int_equal(cb_notify_remember(&m, "9", c, 0), CB_OK);
    /* full: the one remembered longest ago (call 1) makes room; the others stay */
    assert_int_equal(cb_notify_remember(&m, "1", CB_NOTIFY_MEMORY + 1, 0), CB_OK);
    assert_int_equal(m.n, CB_NOTIFY_MEMORY);
    cb_state st = table_state("9");
    add(&st, CB_KIND_CALL, 1, CB_CALLING, 0);
    add(&st, CB_KIND_BILL, 2, CB_CALLING, 0);
    uint32_t n = 0;
    assert_int_equal(cb_notify_state(&m, &st, out, CB_REQUEST_MAX, &n), CB_OK);
    assert_int_equal(n, 1); /* call 1 was forgotten: announced again; call 2 was not */
    assert_int_equal(out[0].request.call, 1);
    st = table_state("2");
    add(&st, CB_KIND_CALL, 5000, CB_CALLING, 0);
    /* no room in out: full, and not remembered (announced once there is room) */
    cb_notify_init(&m);
    assert_int_equal(cb_notify_state(&m, &st, out, 0, &n), CB_E_FULL);
    assert_int_equal(n, 0);
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(cb_notify_state(&m, &st, NULL, 1, &n), CB_E_ARG);
}

static cb_notification note_at(uint32_t level, cb_level request_level)
{
    cb_notification n;
    memset(&n, 0, sizeof n);
    strcpy(n.table, "p1");
    n.request.call = 7;
    n.request.status = CB_CALLING;
    n.request.repeats = level;
    n.request.level = request_level;
    n.level = level;
    return n;
}

#define BIT(r) CB_ROUTE_BIT(CB_ROUTE_##r)
#define ALL (BIT(DEFAULT) | BIT(SECTION) | BIT(FLOOR) | BIT(MANAGER))

static void test_routes(void **state)
{
    (void)state;
    cb_notification n = note_at(0, CB_LEVEL_SECTION);
    /* a new request: its section's destination, else the default, else nowhere */
    assert_int_equal(cb_notify_route_for(&n, ALL), CB_ROUTE_SECTION);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(FLOOR) | BIT(MANAGER)), CB_ROUTE_DEFAULT);
    assert_int_equal(cb_notify_route_for(&n, BIT(FLOOR) | BIT(MANAGER)), CB_ROUTE_NONE);
    assert_int_equal(cb_notify_route_for(&n, 0), CB_ROUTE_NONE);
    /* opened at floor (nobody signed in to its section), even at manager: still new */
    n = note_at(0, CB_LEVEL_FLOOR);
    assert_int_equal(cb_notify_route_for(&n, ALL), CB_ROUTE_SECTION);
    n = note_at(0, CB_LEVEL_MANAGER);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(MANAGER)), CB_ROUTE_DEFAULT);
    /* a re-alert still at level section (floor_after > 1): like a new one */
    n = note_at(1, CB_LEVEL_SECTION);
    assert_int_equal(cb_notify_route_for(&n, ALL), CB_ROUTE_SECTION);
    /* escalated to the floor: the floor's destination, else the section's, the default */
    n = note_at(1, CB_LEVEL_FLOOR);
    assert_int_equal(cb_notify_route_for(&n, ALL), CB_ROUTE_FLOOR);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(SECTION) | BIT(MANAGER)), CB_ROUTE_SECTION);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(MANAGER)), CB_ROUTE_DEFAULT);
    assert_int_equal(cb_notify_route_for(&n, BIT(MANAGER)), CB_ROUTE_NONE);
    /* at manager: the managers', else down the chain: the floor's, the section's, ... */
    n = note_at(3, CB_LEVEL_MANAGER);
    assert_int_equal(cb_notify_route_for(&n, ALL), CB_ROUTE_MANAGER);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(SECTION) | BIT(FLOOR)), CB_ROUTE_FLOOR);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT) | BIT(SECTION)), CB_ROUTE_SECTION);
    assert_int_equal(cb_notify_route_for(&n, BIT(DEFAULT)), CB_ROUTE_DEFAULT);
    assert_int_equal(cb_notify_route_for(NULL, ALL), CB_ROUTE_NONE);
}

/* Several destinations of one kind share one memory: what the section's topic got
 * (level 0) does not hold back the escalations, which go elsewhere. */
static void test_routes_with_memory(void **state)
{
    (void)state;
    static cb_notify_memory m;
    cb_notification out[CB_REQUEST_MAX];
    cb_notify_init(&m);
    cb_state st = table_state("p1");
    strcpy(st.section, "patio");
    add(&st, CB_KIND_CALL, 7, CB_CALLING, 0);
    st.requests[0].level = CB_LEVEL_FLOOR; /* nobody signed in to patio */
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(cb_notify_route_for(&out[0], ALL), CB_ROUTE_SECTION);
    st.requests[0].repeats = 1;
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(cb_notify_route_for(&out[0], ALL), CB_ROUTE_FLOOR);
    st.requests[0].repeats = 2;
    st.requests[0].level = CB_LEVEL_MANAGER;
    assert_int_equal(notes(&m, &st, out), 1);
    assert_int_equal(cb_notify_route_for(&out[0], ALL), CB_ROUTE_MANAGER);
    assert_int_equal(notes(&m, &st, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_request_once),
        cmocka_unit_test(test_escalation_levels),
        cmocka_unit_test(test_first_seen_acknowledged),
        cmocka_unit_test(test_closed_requests_are_forgotten),
        cmocka_unit_test(test_remembered_across_restart),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_routes_with_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
