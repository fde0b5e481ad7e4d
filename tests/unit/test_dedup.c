/* test_dedup.c - the per-device (boot, seq) window that drops QoS 1 copies. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "callbell/call.h"

static void test_init(void **state)
{
    (void)state;
    cb_dedup d;
    assert_int_equal(cb_dedup_init(&d), CB_OK);
    assert_int_equal(d.max_seq, 0);
    assert_int_equal(cb_dedup_init(NULL), CB_E_ARG);
    assert_int_equal(cb_dedup_check(NULL, 1, 1), CB_E_ARG);
}

static void test_duplicates(void **state)
{
    (void)state;
    cb_dedup d;
    assert_int_equal(cb_dedup_init(&d), CB_OK);
    /* boot 0 is a valid boot, even on a fresh window */
    assert_int_equal(cb_dedup_check(&d, 0, 1), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 0, 1), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 0, 2), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 0, 3), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 0, 2), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 0, 3), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 0, 0), CB_E_RANGE);
}

static void test_new_boot(void **state)
{
    (void)state;
    cb_dedup d;
    assert_int_equal(cb_dedup_init(&d), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 7, 1), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 7, 2), CB_OK);
    /* reboot: seq starts at 1 again and is new */
    assert_int_equal(cb_dedup_check(&d, 8, 1), CB_OK);
    assert_int_equal(d.boot, 8);
    assert_int_equal(cb_dedup_check(&d, 8, 1), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 8, 2), CB_OK);
    /* a random boot id that is smaller is just as new */
    assert_int_equal(cb_dedup_check(&d, 3, 1), CB_OK);
}

static void test_out_of_order_window(void **state)
{
    (void)state;
    cb_dedup d;
    assert_int_equal(cb_dedup_init(&d), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 10), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 5), CB_OK); /* late but unseen: apply */
    assert_int_equal(cb_dedup_check(&d, 1, 5), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, 7), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 100), CB_OK);
    /* window: max - 63 is inside, max - 64 is too old */
    assert_int_equal(cb_dedup_check(&d, 1, 37), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 37), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, 36), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, 10), CB_E_DUPLICATE);
    /* seen bits shift with the window */
    assert_int_equal(cb_dedup_check(&d, 1, 101), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 100), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, 99), CB_OK);
    /* a jump of 64 or more clears the window */
    assert_int_equal(cb_dedup_check(&d, 1, 200), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 137), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, 136), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, UINT32_MAX), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, UINT32_MAX), CB_E_DUPLICATE);
    assert_int_equal(cb_dedup_check(&d, 1, UINT32_MAX - 63), CB_OK);
    assert_int_equal(cb_dedup_check(&d, 1, UINT32_MAX - 64), CB_E_DUPLICATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_new_boot),
        cmocka_unit_test(test_out_of_order_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
