/* test_debounce.c - raw button edges to presses. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "callbell/debounce.h"

static int feed(cb_debounce *d, bool level, uint32_t t)
{
    bool pressed = false;
    assert_int_equal(cb_debounce_edge(d, level, t, &pressed), CB_OK);
    return pressed ? 1 : 0;
}

static void test_init(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(d.quiet_ms, 30);
    assert_int_equal(cb_debounce_init(&d, 1, false), CB_OK);
    assert_int_equal(cb_debounce_init(&d, 1000, false), CB_OK);
    assert_int_equal(cb_debounce_init(&d, 0, true), CB_E_ARG);
    assert_int_equal(cb_debounce_init(&d, 1001, true), CB_E_ARG);
    assert_int_equal(cb_debounce_init(NULL, 30, true), CB_E_ARG);
}

static void test_bouncing_press_is_one(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    int presses = 0;
    /* Press at 1000 with 6 bounces 1-3 ms apart, release at 1300 with bounces. */
    presses += feed(&d, true, 1000);
    presses += feed(&d, false, 1001);
    presses += feed(&d, true, 1003);
    presses += feed(&d, false, 1004);
    presses += feed(&d, true, 1006);
    presses += feed(&d, false, 1300);
    presses += feed(&d, true, 1301);
    presses += feed(&d, false, 1302);
    assert_int_equal(presses, 1);
    /* The next real press after a quiet contact counts. */
    assert_int_equal(feed(&d, true, 2000), 1);
    assert_int_equal(feed(&d, false, 2100), 0);
}

static void test_active_low(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, false), CB_OK);
    assert_int_equal(feed(&d, true, 0), 0); /* release edge of a pull-up button */
    assert_int_equal(feed(&d, false, 100), 1);
    assert_int_equal(feed(&d, true, 200), 0);
}

static void test_rising_only_and_quiet_rule(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(feed(&d, true, 100), 1);
    assert_int_equal(feed(&d, true, 110), 0); /* bounce */
    assert_int_equal(feed(&d, true, 135), 0); /* only 25 ms after the last bounce */
    assert_int_equal(feed(&d, true, 165), 1); /* 30 ms quiet */
    assert_int_equal(feed(&d, true, 194), 0);
}

static void test_wraparound(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(feed(&d, true, UINT32_MAX - 10), 1);
    assert_int_equal(feed(&d, false, UINT32_MAX - 5), 0);
    assert_int_equal(feed(&d, true, 5), 0);  /* 16 ms later across the wrap: bounce */
    assert_int_equal(feed(&d, true, 60), 1); /* 55 ms quiet */
}

static void test_args(void **state)
{
    (void)state;
    cb_debounce d;
    bool p;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(cb_debounce_edge(NULL, true, 0, &p), CB_E_ARG);
    assert_int_equal(cb_debounce_edge(&d, true, 0, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),       cmocka_unit_test(test_bouncing_press_is_one),
        cmocka_unit_test(test_active_low), cmocka_unit_test(test_rising_only_and_quiet_rule),
        cmocka_unit_test(test_wraparound), cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
