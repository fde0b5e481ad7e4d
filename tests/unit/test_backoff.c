/* test_backoff.c - exponential reconnect delays with full jitter. */
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
    assert_int_equal(cb_backoff_init(&b, 0, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(&b, 200, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(NULL, 1, 100, 1), CB_E_ARG);
    assert_int_equal(cb_backoff_init(&b, 100, 100, 7), CB_OK);
}

static void test_bounds_grow_then_cap(void **state)
{
    (void)state;
    cb_backoff b;
    assert_int_equal(cb_backoff_init(&b, 500, 30000, 12345), CB_OK);
    uint32_t d = 0;
    assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
    assert_int_equal(d, 500); /* first retry: min exactly */
    uint32_t ceiling = 500;
    uint32_t max_seen = 0;
    for (int n = 1; n < 200; n++) {
        ceiling = (ceiling * 2u > 30000u) ? 30000u : ceiling * 2u;
        assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
        assert_in_range(d, 500, ceiling);
        if (d > max_seen) {
            max_seen = d;
        }
    }
    assert_true(max_seen > 15000); /* jitter reaches the upper part of the range */
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
    assert_true(differ >= 5); /* two devices do not retry in lockstep */
    assert_int_equal(cb_backoff_reset(&a), CB_OK);
    assert_int_equal(cb_backoff_next(&a, &da), CB_OK);
    assert_int_equal(da, 100);
    assert_int_equal(cb_backoff_reset(NULL), CB_E_ARG);
    assert_int_equal(cb_backoff_next(NULL, &da), CB_E_ARG);
    assert_int_equal(cb_backoff_next(&a, NULL), CB_E_ARG);
}

static void test_extremes(void **state)
{
    (void)state;
    cb_backoff b;
    uint32_t d = 0;
    assert_int_equal(cb_backoff_init(&b, 1, UINT32_MAX, 99), CB_OK);
    b.attempt = UINT32_MAX; /* saturated: no overflow, ceiling = max */
    assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
    assert_true(d >= 1);
    assert_int_equal(b.attempt, UINT32_MAX);
    assert_int_equal(cb_backoff_init(&b, 100, 100, 99), CB_OK);
    for (int n = 0; n < 5; n++) {
        assert_int_equal(cb_backoff_next(&b, &d), CB_OK);
        assert_int_equal(d, 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_bounds_grow_then_cap),
        cmocka_unit_test(test_reset_and_jitter_differs),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
