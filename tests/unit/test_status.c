/* test_status.c - cb_status_name / cb_status_str: the stable error names. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "callbell/status.h"

static void test_status_name_every_value(void **state)
{
    (void)state;
    /* docs/protocol.md "Error names", in enum order after CB_OK. */
    static const char *const want[] = {"ok",        "json",       "too_long",      "version", "missing",
                                       "type",      "range",      "duplicate_key", "bad_id",  "bad_kind",
                                       "bad_topic", "bad_action", "duplicate",     "no_call", "stale",
                                       "full",      "buffer",     "arg",           "empty"};
    assert_int_equal(sizeof want / sizeof want[0], CB_STATUS_COUNT);
    for (int s = 0; s < CB_STATUS_COUNT; s++) {
        const char *name = NULL;
        assert_int_equal(cb_status_name((cb_status)s, &name), CB_OK);
        assert_string_equal(name, want[s]);
    }
}

static void test_status_name_rejects(void **state)
{
    (void)state;
    const char *name = NULL;
    assert_int_equal(cb_status_name(CB_OK, NULL), CB_E_ARG);
    assert_int_equal(cb_status_name(CB_STATUS_COUNT, &name), CB_E_ARG);
    assert_string_equal(name, "unknown");
    assert_int_equal(cb_status_name((cb_status)-1, &name), CB_E_ARG);
    assert_string_equal(name, "unknown");
}

static void test_status_str(void **state)
{
    (void)state;
    assert_string_equal(cb_status_str(CB_E_TOO_LONG), "too_long");
    assert_string_equal(cb_status_str(CB_OK), "ok");
    assert_string_equal(cb_status_str((cb_status)999), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_name_every_value),
        cmocka_unit_test(test_status_name_rejects),
        cmocka_unit_test(test_status_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
