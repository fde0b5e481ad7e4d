/* test_backoff.c - reconnect delays: full jitter from the first retry, and a reset
 * only by a connection that held. The loops below play the firmware's Wi-Fi and
 * MQTT policies (CB_RETRY_*) against a broker or access point that misbehaves. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "callbell/backoff.h"

static void test_init(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, 500, 30000, 0), CB_OK);
    assert_int_not_equal(b.rng, 0);
    assert_int_equal(b.attempt, 0);
    assert_int_equal(b.stable_ms, CB_BACKOFF_STABLE_MS);
    assert_int_equal(cb_backoff_init(&b, 0, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(&b, 200, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(NULL, 1, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(&b, 100, 100, 7), CB_OK);
    assert_int_equal(cb_backoff_set_stable(&b, 0), CB_E_ARG);
    assert_int_equal(cb_backoff_set_stable(NULL, 10), CB_E_ARG);
    assert_int_equal(cb_backoff_set_stable(&b, 10), CB_OK);
    assert_int_equal(b.stable_ms, 10);
}

static void test_bounds_grow_then_cap(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, 500, 30000, 12345), CB_OK);
    uint32_t d = 0;
    uint32_t ceiling = 500;
    uint32_t max_seen = 0, min_seen = UINT32_MAX;
    for (int n = 0; n < 200; n++) {
        assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
        assert_in_range(d, 0, ceiling);
        max_seen = d > max_seen ? d : max_seen;
        min_seen = d < min_seen ? d : min_seen;
        ceiling = (ceiling * 2u > 30000u) ? 30000u : ceiling * 2u;
    }
    assert_true(max_seen > 25000); /* jitter reaches the top of the range */
    assert_true(min_seen < 2000);  /* and the bottom: full jitter, no floor */
}

/* The issue: three seeds gave a first retry of 1000, 1000, 1000 ms. Forty devices
 * that lose the same access point must spread their first retry over [0, 1 s]. */
static void test_first_retry_is_jittered(void **state)
{
    (void)state;
    uint32_t firsts[40];
    int distinct = 0, early = 0, late = 0;
    for (uint32_t dev = 0; dev < 40; dev++) {
        cb_backoff b;
        assert_int_equal(cb_backoff_init(&b, CB_RETRY_WIFI_MIN_MS, CB_RETRY_WIFI_MAX_MS, 0x1000u + dev * 7919u), CB_OK);
        assert_int_equal(cb_backoff_next(&b, &firsts[dev]), CB_OK);
        assert_in_range(firsts[dev], 0, CB_RETRY_WIFI_MIN_MS);
        bool seen = false;
        for (uint32_t k = 0; k < dev; k++) {
            seen = seen || firsts[k] == firsts[dev];
        }
        distinct += !seen;
        early += firsts[dev] < CB_RETRY_WIFI_MIN_MS / 3u;
        late += firsts[dev] > 2u * CB_RETRY_WIFI_MIN_MS / 3u;
    }
    assert_true(distinct >= 36);
    assert_true(early >= 5 && late >= 5);
}

/* A broker that accepts every connection and drops it 200 ms later (an ACL kick, a
 * takeover). The old code reset on every CONNACK: a reconnect each second, forever.
 * Now the delays grow as for refused connects: over 30 cycles the device waits
 * minutes, not seconds, and the later cycles average well above 10 s. */
static void test_mqtt_accept_then_drop_backs_off(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, CB_RETRY_MQTT_MIN_MS, CB_RETRY_MQTT_MAX_MS, 42), CB_OK);
    uint32_t now = 0, total = 0, late_total = 0;
    for (int cycle = 0; cycle < 30; cycle++) {
        assert_int_equal(cb_backoff_up(&b, now), CB_OK); /* CONNACK */
        now += 200;
        uint32_t d = 0;
        assert_int_equal(cb_backoff_down(&b, now, &d), CB_OK); /* dropped */
        assert_in_range(d, 0, CB_RETRY_MQTT_MAX_MS);
        now += d;
        total += d;
        if (cycle >= 10) {
            late_total += d;
        }
    }
    assert_int_equal(b.attempt, 30);
    assert_true(total > 5u * 60000u);       /* more than 5 minutes over 30 cycles */
    assert_true(late_total / 20u > 10000u); /* cycles 10-29: mean delay over 10 s */
}

/* A connection that held 30 s and then drops is news: the next retry is quick. One
 * that held 29.9 s is still the loop. */
static void test_mqtt_reset_only_after_stable(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, CB_RETRY_MQTT_MIN_MS, CB_RETRY_MQTT_MAX_MS, 9), CB_OK);
    uint32_t d = 0;
    for (int n = 0; n < 8; n++) {
        assert_int_equal(cb_backoff_next(&b, &d), CB_OK); /* refused 8 times */
    }
    assert_int_equal(cb_backoff_up(&b, 1000000), CB_OK);
    assert_int_equal(cb_backoff_down(&b, 1000000 + CB_BACKOFF_STABLE_MS - 100, &d), CB_OK);
    assert_int_equal(b.attempt, 9); /* not reset */
    assert_int_equal(cb_backoff_up(&b, 2000000), CB_OK);
    assert_int_equal(cb_backoff_down(&b, 2000000 + CB_BACKOFF_STABLE_MS, &d), CB_OK);
    assert_int_equal(b.attempt, 1); /* reset, then this loss counted */
    assert_in_range(d, 0, CB_RETRY_MQTT_MIN_MS);
    /* Across the counter's wrap. */
    assert_int_equal(cb_backoff_up(&b, UINT32_MAX - 1000), CB_OK);
    assert_int_equal(cb_backoff_down(&b, CB_BACKOFF_STABLE_MS, &d), CB_OK);
    assert_int_equal(b.attempt, 1);
    /* A failed attempt after an up (the next connect refused) clears it: a later
     * down without a new up is just another failure. */
    assert_int_equal(cb_backoff_up(&b, 0), CB_OK);
    assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
    assert_int_equal(cb_backoff_down(&b, 100000, &d), CB_OK);
    assert_int_equal(b.attempt, 3);
}

/* Wi-Fi: an access point that lets the device associate and then deauthenticates
 * it after 5 s (MAC filter, a full AP), and a wrong password (join fails at once).
 * Both back off to the cap; an association that then holds 10 minutes resets. */
static void test_wifi_flapping_and_failing_joins(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, CB_RETRY_WIFI_MIN_MS, CB_RETRY_WIFI_MAX_MS, 77), CB_OK);
    uint32_t now = 0, d = 0, joins = 0;
    while (now < 3600000u) { /* an hour of a flapping AP */
        assert_int_equal(cb_backoff_up(&b, now), CB_OK);
        now += 5000;
        assert_int_equal(cb_backoff_down(&b, now, &d), CB_OK);
        now += d;
        joins++;
    }
    assert_true(joins < 200); /* at 1 Hz (the old reset) it was over 600 */
    cb_backoff w;
    assert_int_equal(cb_backoff_init(&w, CB_RETRY_WIFI_MIN_MS, CB_RETRY_WIFI_MAX_MS, 78), CB_OK);
    now = 0;
    joins = 0;
    while (now < 3600000u) { /* an hour of a wrong password */
        assert_int_equal(cb_backoff_next(&w, &d), CB_OK);
        now += 3000 + d; /* a failed join takes about 3 s */
        joins++;
    }
    assert_true(joins < 200);
    assert_int_equal(cb_backoff_up(&b, now), CB_OK);
    assert_int_equal(cb_backoff_down(&b, now + 600000u, &d), CB_OK);
    assert_in_range(d, 0, CB_RETRY_WIFI_MIN_MS);
}

static void test_reset_and_jitter_differs(void **state)
{
    (void)state;
    cb_backoff a, b;
    assert_int_equal(cb_backoff_init(&a, 100, 100000, 1), CB_OK);
    assert_int_equal(cb_backoff_init(&b, 100, 100000, 2), CB_OK);
    uint32_t da = 0, db = 0;
    int differ = 0;
    for (int n = 0; n < 10; n++) {
        assert_int_equal(cb_backoff_next(&a, &da), CB_OK);
        assert_int_equal(cb_backoff_next(&b, &db), CB_OK);
        differ += (da != db);
    }
    assert_true(differ >= 8); /* two devices do not retry in lockstep, from the first retry */
    assert_int_equal(cb_backoff_reset(&a), CB_OK);
    assert_int_equal(a.attempt, 0);
    assert_int_equal(cb_backoff_next(&a, &da), CB_OK);
    assert_in_range(da, 0, 100);
    assert_int_equal(cb_backoff_reset(NULL), CB_E_ARG);
    assert_int_equal(cb_backoff_next(NULL, &da), CB_E_ARG);
    assert_int_equal(cb_backoff_next(&a, NULL), CB_E_ARG);
    assert_int_equal(cb_backoff_up(NULL, 0), CB_E_ARG);
    assert_int_equal(cb_backoff_down(NULL, 0, &da), CB_E_ARG);
    assert_int_equal(cb_backoff_down(&a, 0, NULL), CB_E_ARG);
}

static void test_extremes(void **state)
{
    (void)state;
    cb_backoff b;
    uint32_t d = 0;
    assert_int_equal(cb_backoff_init(&b, 1, UINT32_MAX, 99), CB_OK);
    b.attempt = UINT32_MAX; /* saturated: no overflow, ceiling = max */
    assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
    assert_int_equal(b.attempt, UINT32_MAX);
    assert_int_equal(cb_backoff_init(&b, 100, 100, 99), CB_OK);
    for (int n = 0; n < 50; n++) {
        assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
        assert_in_range(d, 0, 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_bounds_grow_then_cap),
        cmocka_unit_test(test_first_retry_is_jittered),
        cmocka_unit_test(test_mqtt_accept_then_drop_backs_off),
        cmocka_unit_test(test_mqtt_reset_only_after_stable),
        cmocka_unit_test(test_wifi_flapping_and_failing_joins),
        cmocka_unit_test(test_reset_and_jitter_differs),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
