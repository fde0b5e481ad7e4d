/* test_site_view.c - the boards' model of a site (pc/site_view.c): one queue entry per
 * open request in queue order, the news of each state message (what rings the bell),
 * and colours by the core's age classes. States are built with the core's encoder, so
 * the view reads exactly what a hub publishes. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "site_view.h"

#include <stdio.h>
#include <string.h>

#define T0 1764140000000ull /* a hub clock, ms */

static cb_request calling(cb_kind kind, uint64_t call, uint64_t pressed_at)
{
    /* a table in no section: the hub rings the floor from the start */
    return (cb_request){.kind = kind,
                        .call = call,
                        .status = CB_CALLING,
                        .count = 1,
                        .pressed_at = pressed_at,
                        .level = CB_LEVEL_FLOOR};
}

static cb_request acked(cb_kind kind, uint64_t call, uint64_t pressed_at, const char *by)
{
    cb_request r = calling(kind, call, pressed_at);
    r.status = CB_ACKNOWLEDGED;
    r.acked_at = pressed_at + 5000;
    snprintf(r.acked_by, sizeof r.acked_by, "%s", by);
    return r;
}

/* Publishes table's state with requests[0..n) (given oldest first) to the view. */
static cb_view_change feed(cb_site_view *v, const char *table, const cb_request *requests, uint32_t n)
{
    cb_state s = {.updated_at = T0 + 100000, .n_requests = n};
    snprintf(s.table, sizeof s.table, "%s", table);
    for (uint32_t i = 0; i < n; i++)
        s.requests[i] = requests[i];
    assert_int_equal(cb_state_status(&s, &s.status), CB_OK);
    char topic[CB_TOPIC_SIZE], payload[CB_STATE_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_topic_build(CB_TOPIC_STATE, "demo", table, topic, sizeof topic), CB_OK);
    assert_int_equal(cb_state_encode(&s, payload, sizeof payload, &len), CB_OK);
    return cb_site_view_message(v, topic, payload, len);
}

/* A state of table `table` in section `section` with one calling request. */
static cb_view_change feed_section(cb_site_view *v, const char *table, const char *section, cb_request r)
{
    cb_state s = {.updated_at = T0 + 100000, .n_requests = 1, .status = CB_CALLING};
    snprintf(s.table, sizeof s.table, "%s", table);
    snprintf(s.section, sizeof s.section, "%s", section);
    s.requests[0] = r;
    char topic[CB_TOPIC_SIZE], payload[CB_STATE_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_topic_build(CB_TOPIC_STATE, "demo", table, topic, sizeof topic), CB_OK);
    assert_int_equal(cb_state_encode(&s, payload, sizeof payload, &len), CB_OK);
    return cb_site_view_message(v, topic, payload, len);
}

static int setup(void **state)
{
    static cb_site_view v;
    assert_int_equal(cb_site_view_init(&v, "demo"), 0);
    *state = &v;
    return 0;
}

static int teardown(void **state)
{
    cb_site_view_free(*state);
    return 0;
}

static void assert_entry(const cb_view_request *e, const char *table, cb_kind kind, uint64_t call)
{
    assert_string_equal(e->table, table);
    assert_int_equal(e->req.kind, kind);
    assert_int_equal(e->req.call, call);
}

static void test_one_entry_per_request(void **state)
{
    cb_site_view *v = *state;
    size_t n = 99;
    assert_null(cb_site_view_requests(v, &n));
    assert_int_equal(n, 0);
    feed(v, "1", NULL, 0);
    cb_request seven[] = {calling(CB_KIND_WATER, 11, T0), calling(CB_KIND_BILL, 12, T0 + 1000)};
    feed(v, "7", seven, 2);
    const cb_view_request *q = cb_site_view_requests(v, &n);
    assert_int_equal(n, 2);
    assert_entry(&q[0], "7", CB_KIND_WATER, 11);
    assert_entry(&q[1], "7", CB_KIND_BILL, 12);
    assert_int_equal(q[1].req.count, 1);
    assert_int_equal(q[1].req.pressed_at, T0 + 1000);
}

/* Calling first, oldest first; then acknowledged, oldest first; ties by table then id. */
static void test_queue_order(void **state)
{
    cb_site_view *v = *state;
    cb_request t2[] = {acked(CB_KIND_CALL, 1, T0, "Ana"), calling(CB_KIND_WATER, 5, T0 + 9000)};
    cb_request t10[] = {calling(CB_KIND_BILL, 3, T0 + 2000)};
    cb_request t3[] = {acked(CB_KIND_BILL, 2, T0 + 1000, "Bo"), calling(CB_KIND_CALL, 4, T0 + 2000)};
    feed(v, "2", t2, 2);
    feed(v, "10", t10, 1);
    feed(v, "3", t3, 2);
    size_t n;
    const cb_view_request *q = cb_site_view_requests(v, &n);
    assert_int_equal(n, 5);
    assert_entry(&q[0], "3", CB_KIND_CALL, 4);  /* calling, T0+2s, table 3 < 10 */
    assert_entry(&q[1], "10", CB_KIND_BILL, 3); /* calling, T0+2s */
    assert_entry(&q[2], "2", CB_KIND_WATER, 5); /* calling, T0+9s */
    assert_entry(&q[3], "2", CB_KIND_CALL, 1);  /* acknowledged, T0 */
    assert_entry(&q[4], "3", CB_KIND_BILL, 2);  /* acknowledged, T0+1s */
    assert_string_equal(q[3].req.acked_by, "Ana");

    /* done of table 2's call: the queue follows */
    cb_request t2b[] = {calling(CB_KIND_WATER, 5, T0 + 9000)};
    feed(v, "2", t2b, 1);
    q = cb_site_view_requests(v, &n);
    assert_int_equal(n, 4);
    assert_entry(&q[3], "3", CB_KIND_BILL, 2);
}

/* Water then bill: each one rings; an ack, a count and a closed request do not. */
static void test_news_and_bell(void **state)
{
    cb_site_view *v = *state;
    assert_int_equal(feed(v, "7", NULL, 0), CB_VIEW_CHANGED);
    assert_int_equal(v->news_count, 0);

    cb_request water[] = {calling(CB_KIND_WATER, 11, T0)};
    assert_int_equal(feed(v, "7", water, 1), CB_VIEW_ALERT);
    assert_int_equal(v->news_count, 1);
    assert_int_equal(v->news[0].type, CB_NEWS_NEW);
    assert_int_equal(v->news[0].req.kind, CB_KIND_WATER);
    assert_string_equal(v->news_table, "7");

    cb_request both[] = {calling(CB_KIND_WATER, 11, T0), calling(CB_KIND_BILL, 12, T0 + 1000)};
    assert_int_equal(feed(v, "7", both, 2), CB_VIEW_ALERT);
    assert_int_equal(v->news_count, 1);
    assert_int_equal(v->news[0].type, CB_NEWS_NEW);
    assert_int_equal(v->news[0].req.call, 12);

    both[1].count = 2; /* the guest pressed bill again: counted, no new alert */
    assert_int_equal(feed(v, "7", both, 2), CB_VIEW_CHANGED);
    assert_int_equal(v->news_count, 0);

    both[0] = acked(CB_KIND_WATER, 11, T0, "Tess");
    assert_int_equal(feed(v, "7", both, 2), CB_VIEW_CHANGED);
    assert_int_equal(v->news_count, 1);
    assert_int_equal(v->news[0].type, CB_NEWS_ACKED);
    assert_string_equal(v->news[0].req.acked_by, "Tess");

    cb_request bill[] = {both[1]};
    assert_int_equal(feed(v, "7", bill, 1), CB_VIEW_CHANGED);
    assert_int_equal(v->news_count, 1);
    assert_int_equal(v->news[0].type, CB_NEWS_CLOSED);
    assert_int_equal(v->news[0].req.kind, CB_KIND_WATER);

    /* not a state: no news */
    cb_site_view_message(v, "callbell/demo/hub/status", "online", 6);
    assert_int_equal(v->news_count, 0);
}

/* A re-alert (repeats grew) rings; an acknowledged request timing out rings again. */
static void test_realert(void **state)
{
    cb_site_view *v = *state;
    cb_request r[] = {calling(CB_KIND_CALL, 4, T0)};
    assert_int_equal(feed(v, "3", r, 1), CB_VIEW_ALERT);
    assert_int_equal(feed(v, "3", r, 1), CB_VIEW_CHANGED); /* the same state again */
    r[0].repeats = 1;
    assert_int_equal(feed(v, "3", r, 1), CB_VIEW_ALERT);
    assert_int_equal(v->news[0].type, CB_NEWS_REALERT);
    r[0] = acked(CB_KIND_CALL, 4, T0, "Ana");
    r[0].repeats = 1;
    assert_int_equal(feed(v, "3", r, 1), CB_VIEW_CHANGED);
    r[0] = calling(CB_KIND_CALL, 4, T0);
    r[0].repeats = 2;
    assert_int_equal(feed(v, "3", r, 1), CB_VIEW_ALERT);
    assert_int_equal(v->news[0].type, CB_NEWS_REALERT);
    /* a new request of the same kind after the old one closed is new, not a re-alert */
    cb_request again[] = {calling(CB_KIND_CALL, 9, T0 + 60000)};
    assert_int_equal(feed(v, "3", again, 1), CB_VIEW_ALERT);
    assert_int_equal(v->news_count, 2);
    assert_int_equal(v->news[0].type, CB_NEWS_CLOSED);
    assert_int_equal(v->news[1].type, CB_NEWS_NEW);
}

/* A bad or foreign message changes nothing and is counted when it is bad. */
static void test_bad_input(void **state)
{
    cb_site_view *v = *state;
    const char *bad = "{\"v\":1,\"table\":\"3\",\"status\":\"calling\",\"requests\":[],\"updated_at\":1}";
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/3/state", bad, strlen(bad)), CB_VIEW_NOTHING);
    assert_int_equal(v->rejected, 1);
    const char *other = "{\"v\":1,\"table\":\"4\",\"status\":\"idle\",\"requests\":[],\"updated_at\":1}";
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/3/state", other, strlen(other)), CB_VIEW_NOTHING);
    assert_int_equal(v->rejected, 2);
    assert_int_equal(cb_site_view_message(v, "callbell/other/table/3/state", other, strlen(other)), CB_VIEW_NOTHING);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/3/state", "", 0), CB_VIEW_NOTHING);
    assert_int_equal(v->table_count, 0);
}

/* Colours are the core's age classes; a table takes its most urgent request's. */
static void test_age_classes(void **state)
{
    cb_site_view *v = *state;
    cb_age_class c;
    cb_request r = calling(CB_KIND_CALL, 1, T0);
    assert_int_equal(cb_site_view_age(v, &r, T0 + 59999, &c), CB_OK);
    assert_int_equal(c, CB_AGE_NEW);
    assert_int_equal(cb_site_view_age(v, &r, T0 + 60000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_WARN);
    assert_int_equal(cb_site_view_age(v, &r, T0 + 180000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_LATE);
    assert_int_equal(cb_site_view_age(v, &r, T0 - 5000, &c), CB_OK); /* clock behind */
    assert_int_equal(c, CB_AGE_NEW);
    cb_request a = acked(CB_KIND_BILL, 2, T0, "Ana");
    assert_int_equal(cb_site_view_age(v, &a, T0 + 600000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_ACKED);

    cb_state s = {.n_requests = 0};
    assert_int_equal(cb_site_view_table_age(v, &s, T0, &c), CB_E_RANGE);
    s.n_requests = 2;
    s.requests[0] = a;
    s.requests[1] = calling(CB_KIND_WATER, 3, T0 + 100000);
    assert_int_equal(cb_site_view_table_age(v, &s, T0 + 110000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_NEW); /* the acknowledged bill is older, but the water waits */
    assert_int_equal(cb_site_view_table_age(v, &s, T0 + 200000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_WARN);
    s.n_requests = 1;
    assert_int_equal(cb_site_view_table_age(v, &s, T0 + 200000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_ACKED);

    v->ages.warn_s = 200; /* thresholds the core refuses */
    v->ages.late_s = 100;
    assert_int_equal(cb_site_view_age(v, &r, T0, &c), CB_E_RANGE);
}

/* The site message names the tables and sets the thresholds; a cleared state removes
 * a table from the view. */
static void test_site_message(void **state)
{
    cb_site_view *v = *state;
    assert_string_equal(cb_site_view_table_name(v, "1"), "1"); /* no site message yet */
    const char *site =
        "{\"v\":1,\"site\":\"demo\",\"name\":\"Trattoria\",\"warn_s\":2,\"late_s\":4,\"realert_s\":60,"
        "\"ack_timeout_s\":300,\"table_count\":3,\"tables\":[{\"id\":\"patio\",\"name\":\"Patio \u00e9\"},"
        "{\"id\":\"1\",\"name\":\"Window 1\"}]}";
    assert_int_equal(cb_site_view_message(v, "callbell/demo/hub/site", site, strlen(site)), CB_VIEW_CHANGED);
    assert_true(v->has_site);
    assert_string_equal(v->site_name, "Trattoria");
    assert_string_equal(cb_site_view_table_name(v, "1"), "Window 1");
    assert_string_equal(cb_site_view_table_name(v, "patio"), "Patio \xc3\xa9");
    assert_string_equal(cb_site_view_table_name(v, "7"), "7"); /* not listed: its id */
    cb_request r = calling(CB_KIND_CALL, 1, T0);
    cb_age_class c;
    assert_int_equal(cb_site_view_age(v, &r, T0 + 2000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_WARN);
    assert_int_equal(cb_site_view_age(v, &r, T0 + 4000, &c), CB_OK);
    assert_int_equal(c, CB_AGE_LATE);
    /* another site's message, or a bad one, changes nothing */
    const char *bad = "{\"v\":1,\"site\":\"demo\"}";
    assert_int_equal(cb_site_view_message(v, "callbell/demo/hub/site", bad, strlen(bad)), CB_VIEW_NOTHING);
    assert_int_equal(v->rejected, 1);
    assert_string_equal(cb_site_view_table_name(v, "1"), "Window 1");
    /* a table whose retained state is cleared leaves the view */
    feed(v, "1", NULL, 0);
    feed(v, "patio", NULL, 0);
    assert_int_equal(v->table_count, 2);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/patio/state", "", 0), CB_VIEW_CHANGED);
    assert_int_equal(v->table_count, 1);
    assert_string_equal(v->tables[0].table, "1");
}

static void test_table_id_order(void **state)
{
    (void)state;
    assert_true(cb_table_id_cmp("2", "10") < 0);
    assert_true(cb_table_id_cmp("10", "bar") < 0);
    assert_true(cb_table_id_cmp("bar", "patio-2") < 0);
    assert_int_equal(cb_table_id_cmp("7", "7"), 0);
}

/* An empty retained state (the hub retired the table) removes the table. */
static void test_retired_table(void **state)
{
    cb_site_view *v = *state;
    feed(v, "1", NULL, 0);
    feed(v, "2", NULL, 0);
    feed(v, "3", NULL, 0);
    assert_int_equal(v->table_count, 3);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/2/state", "", 0), CB_VIEW_CHANGED);
    assert_int_equal(v->table_count, 2);
    assert_string_equal(v->tables[0].table, "1");
    assert_string_equal(v->tables[1].table, "3");
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/2/state", "", 0), CB_VIEW_NOTHING);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/table/3/state", "", 0), CB_VIEW_CHANGED);
    assert_int_equal(v->table_count, 1);
    assert_int_equal(v->rejected, 0);
}

/* The bell follows the escalation chain: a section's call rings the board signed in
 * there, not a board of another section, until it reaches the floor. */
static void test_bell_by_section(void **state)
{
    cb_site_view *v = *state;
    cb_request r = calling(CB_KIND_CALL, 21, T0);
    r.level = CB_LEVEL_SECTION;
    v->signed_in = true;
    memset(&v->me, 0, sizeof v->me);
    strcpy(v->me.by, "Bo");
    v->me.role = CB_ROLE_STAFF;
    v->me.n_sections = 1;
    strcpy(v->me.sections[0], "bar");
    assert_int_equal(feed_section(v, "1", "patio", r), CB_VIEW_CHANGED); /* not ours: shown, silent */
    assert_int_equal(v->news[0].type, CB_NEWS_NEW);
    r.repeats = 1;
    r.level = CB_LEVEL_FLOOR;
    assert_int_equal(feed_section(v, "1", "patio", r), CB_VIEW_ALERT); /* the floor: every waiter */
    strcpy(v->me.sections[0], "patio");
    r.call = 22;
    r.repeats = 0;
    r.level = CB_LEVEL_SECTION;
    assert_int_equal(feed_section(v, "2", "patio", r), CB_VIEW_ALERT); /* ours */
    /* a manager hears the floor only at manager level */
    v->me.role = CB_ROLE_MANAGER;
    strcpy(v->me.sections[0], "bar");
    r.call = 23;
    r.level = CB_LEVEL_FLOOR;
    assert_int_equal(feed_section(v, "3", "patio", r), CB_VIEW_CHANGED);
    r.repeats = 3;
    r.level = CB_LEVEL_MANAGER;
    assert_int_equal(feed_section(v, "3", "patio", r), CB_VIEW_ALERT);
    v->signed_in = false;
}

/* A device's cleared retained status (`callbell device remove`) takes it off the
 * board: no "offline" warning for a retired device. */
static void test_device_retired(void **state)
{
    cb_site_view *v = *state;
    assert_int_equal(cb_site_view_message(v, "callbell/demo/device/d1/status", "offline", 7), CB_VIEW_CHANGED);
    assert_int_equal(v->device_count, 1);
    assert_false(v->devices[0].online);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/device/d1/status", "", 0), CB_VIEW_CHANGED);
    assert_int_equal(v->device_count, 0);
    assert_int_equal(cb_site_view_message(v, "callbell/demo/device/d1/status", "", 0), CB_VIEW_NOTHING);
}

/* A state of `table` dated `at` with requests[0..n). */
static cb_view_change feed_at(cb_site_view *v, const char *table, uint64_t at, const cb_request *requests, uint32_t n)
{
    cb_state s = {.updated_at = at, .n_requests = n};
    snprintf(s.table, sizeof s.table, "%s", table);
    for (uint32_t i = 0; i < n; i++)
        s.requests[i] = requests[i];
    assert_int_equal(cb_state_status(&s, &s.status), CB_OK);
    char topic[CB_TOPIC_SIZE], payload[CB_STATE_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_topic_build(CB_TOPIC_STATE, "demo", table, topic, sizeof topic), CB_OK);
    assert_int_equal(cb_state_encode(&s, payload, sizeof payload, &len), CB_OK);
    return cb_site_view_message(v, topic, payload, len);
}

static bool answer(cb_site_view *v, const char *id, const char *text, cb_view_change *ch)
{
    return cb_site_view_snapshot(v, id, text, strlen(text), ch);
}

/* docs/protocol.md "Boards' start-up view": the hub's answer to `calls` fills the
 * view; a stale retained state, before or after it, does not win over it; a live
 * state newer than it does. */
static void test_snapshot_orders_with_states(void **state)
{
    cb_site_view *v = *state;
    cb_view_change ch;
    size_t n;
    cb_request r3 = calling(CB_KIND_CALL, 3, T0);
    cb_request r5 = calling(CB_KIND_WATER, 5, T0 + 100);
    /* a stale retained state: table 3 calling, long done on the hub */
    assert_int_not_equal(feed_at(v, "3", T0 + 1000, &r3, 1), CB_VIEW_NOTHING);
    assert_false(answer(v, "view-1", "{\"v\":1,\"id\":\"r9\",\"ok\":true,\"at\":1,\"result\":[]}", &ch));
    assert_false(answer(v, "view-1", "{\"v\":1,\"table\":\"3\",\"action\":\"ack\",\"call\":1,\"ok\":true}", &ch));
    /* the answer at T0+5000: table 5 calls (in patio, rung at section), table 3 nothing */
    assert_true(answer(v, "view-1",
                       "{\"v\":1,\"id\":\"view-1\",\"at\":1764140005000,\"ok\":true,\"result\":[{\"table\":\"5\","
                       "\"kind\":\"water\",\"call\":5,\"status\":\"calling\",\"count\":2,\"repeats\":1,\"level\":"
                       "\"section\",\"section\":\"patio\",\"pressed_at\":1764140000100,\"waiting_s\":4,\"acked_by\":"
                       "\"\",\"acked_at\":0}]}",
                       &ch));
    assert_int_equal(ch, CB_VIEW_CHANGED);
    const cb_view_request *q = cb_site_view_requests(v, &n);
    assert_int_equal(n, 1);
    assert_string_equal(q[0].table, "5");
    assert_string_equal(q[0].section, "patio");
    assert_int_equal(q[0].req.count, 2);
    assert_int_equal(q[0].req.level, CB_LEVEL_SECTION);
    assert_int_equal(v->table_count, 2); /* table 3 is still shown, idle */
    /* table 3's retained state arrives late (aedes mixes them): older, ignored */
    assert_int_equal(feed_at(v, "3", T0 + 2000, &r3, 1), CB_VIEW_NOTHING);
    cb_site_view_requests(v, &n);
    assert_int_equal(n, 1);
    /* a stale state of a table the board did not know (RabbitMQ delivers no retained
     * idle states): the table is learnt, idle, as the answer had it */
    cb_request r6 = calling(CB_KIND_BILL, 99, T0);
    assert_int_equal(feed_at(v, "6", T0 + 1000, &r6, 1), CB_VIEW_CHANGED);
    cb_site_view_requests(v, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v->table_count, 3);
    /* a live state of the answer's very millisecond is taken; a later one too */
    assert_int_equal(feed_at(v, "5", T0 + 5000, &r5, 1), CB_VIEW_CHANGED);
    assert_int_equal(feed_at(v, "5", T0 + 6000, NULL, 0), CB_VIEW_CHANGED);
    cb_site_view_requests(v, &n);
    assert_int_equal(n, 0);
    /* an answer older than that (or of the same ms) leaves table 5 as the state said */
    assert_true(answer(v, "view-2",
                       "{\"v\":1,\"id\":\"view-2\",\"at\":1764140006000,\"ok\":true,\"result\":[{\"table\":\"5\","
                       "\"kind\":\"water\",\"call\":5,\"status\":\"calling\",\"count\":2,\"repeats\":1,\"level\":"
                       "\"floor\",\"pressed_at\":1764140000100,\"waiting_s\":4,\"acked_by\":\"\",\"acked_at\":0}]}",
                       &ch));
    cb_site_view_requests(v, &n);
    assert_int_equal(n, 0);
    /* a refusal or a broken answer is counted and changes nothing */
    unsigned rejected = v->rejected;
    assert_true(
        answer(v, "view-3", "{\"v\":1,\"id\":\"view-3\",\"at\":1764140009000,\"ok\":false,\"error\":\"x\"}", &ch));
    assert_true(answer(v, "view-3",
                       "{\"v\":1,\"id\":\"view-3\",\"at\":1764140009000,\"ok\":true,\"result\":[{\"table\":\"5\","
                       "\"kind\":\"water\",\"call\":5,\"status\":\"calling\",\"repeats\":1,\"pressed_at\":1,"
                       "\"acked_by\":\"\",\"acked_at\":0}]}",
                       &ch)); /* no count */
    assert_true(
        answer(v, "view-3",
               "{\"v\":1,\"id\":\"view-3\",\"at\":1764140009000,\"ok\":true,\"result\":[{\"table\":\"5\","
               "\"kind\":\"water\",\"call\":5,\"status\":\"calling\",\"count\":1,\"repeats\":0,\"pressed_at\":1,"
               "\"acked_by\":\"\",\"acked_at\":0},{\"table\":\"5\",\"kind\":\"water\",\"call\":6,\"status\":"
               "\"calling\",\"count\":1,\"repeats\":0,\"pressed_at\":2,\"acked_by\":\"\",\"acked_at\":0}]}",
               &ch)); /* two water requests at one table */
    assert_int_equal(v->rejected, rejected + 3);
    assert_int_equal(ch, CB_VIEW_NOTHING);
    cb_site_view_requests(v, &n);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_entry_per_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_news_and_bell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bell_by_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_age_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_site_message, setup, teardown),
        cmocka_unit_test(test_table_id_order),
        cmocka_unit_test_setup_teardown(test_retired_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_retired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_orders_with_states, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
