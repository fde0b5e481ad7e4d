/* test_ids.c - identifiers and the enumerated names of protocol.h. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "callbell/protocol.h"

static void test_id_check(void **state)
{
    (void)state;
    assert_int_equal(cb_id_check("3"), CB_OK);
    assert_int_equal(cb_id_check("patio-2"), CB_OK);
    assert_int_equal(cb_id_check("a_b-c0"), CB_OK);
    assert_int_equal(cb_id_check("12345678901234567890123456789012"), CB_OK); /* 32 */
    assert_int_equal(cb_id_check("123456789012345678901234567890123"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check(""), CB_E_BAD_ID);
    assert_int_equal(cb_id_check("Demo"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check("a b"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check("a/b"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check("a+"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check("caf\xc3\xa9"), CB_E_BAD_ID);
    assert_int_equal(cb_id_check(NULL), CB_E_ARG);
}

static void test_kind_names(void **state)
{
    (void)state;
    static const char *const names[] = {"call", "bill", "water", "cancel"};
    for (int k = 0; k < CB_KIND_COUNT; k++) {
        const char *n = NULL;
        cb_kind back = CB_KIND_COUNT;
        assert_int_equal(cb_kind_name((cb_kind)k, &n), CB_OK);
        assert_string_equal(n, names[k]);
        assert_int_equal(cb_kind_parse(n, strlen(n), &back), CB_OK);
        assert_int_equal(back, k);
    }
    const char *n = NULL;
    cb_kind k;
    assert_int_equal(cb_kind_name(CB_KIND_COUNT, &n), CB_E_BAD_KIND);
    assert_int_equal(cb_kind_name(CB_KIND_CALL, NULL), CB_E_ARG);
    assert_int_equal(cb_kind_parse("beer", 4, &k), CB_E_BAD_KIND);
    assert_int_equal(cb_kind_parse("bill", 3, &k), CB_E_BAD_KIND); /* "bil" */
    assert_int_equal(cb_kind_parse("billx", 5, &k), CB_E_BAD_KIND);
    assert_int_equal(cb_kind_parse("", 0, &k), CB_E_BAD_KIND);
    assert_int_equal(cb_kind_parse("CALL", 4, &k), CB_E_BAD_KIND);
    assert_int_equal(cb_kind_parse(NULL, 0, &k), CB_E_ARG);
    assert_int_equal(cb_kind_parse("call", 4, NULL), CB_E_ARG);
}

static void test_status_names(void **state)
{
    (void)state;
    static const char *const names[] = {"idle", "calling", "acknowledged"};
    for (int s = 0; s < 3; s++) {
        const char *n = NULL;
        cb_table_status back;
        assert_int_equal(cb_table_status_name((cb_table_status)s, &n), CB_OK);
        assert_string_equal(n, names[s]);
        assert_int_equal(cb_table_status_parse(n, strlen(n), &back), CB_OK);
        assert_int_equal(back, s);
    }
    const char *n = NULL;
    cb_table_status s;
    assert_int_equal(cb_table_status_name((cb_table_status)3, &n), CB_E_RANGE);
    assert_int_equal(cb_table_status_name(CB_IDLE, NULL), CB_E_ARG);
    assert_int_equal(cb_table_status_parse("asleep", 6, &s), CB_E_RANGE);
    assert_int_equal(cb_table_status_parse(NULL, 0, &s), CB_E_ARG);
    assert_int_equal(cb_table_status_parse("idle", 4, NULL), CB_E_ARG);
}

static void test_action_names(void **state)
{
    (void)state;
    const char *n = NULL;
    cb_action a;
    assert_int_equal(cb_action_name(CB_ACTION_ACK, &n), CB_OK);
    assert_string_equal(n, "ack");
    assert_int_equal(cb_action_name(CB_ACTION_DONE, &n), CB_OK);
    assert_string_equal(n, "done");
    assert_int_equal(cb_action_name((cb_action)2, &n), CB_E_BAD_ACTION);
    assert_int_equal(cb_action_name(CB_ACTION_ACK, NULL), CB_E_ARG);
    assert_int_equal(cb_action_parse("ack", 3, &a), CB_OK);
    assert_int_equal(a, CB_ACTION_ACK);
    assert_int_equal(cb_action_parse("done", 4, &a), CB_OK);
    assert_int_equal(a, CB_ACTION_DONE);
    assert_int_equal(cb_action_parse("eat", 3, &a), CB_E_BAD_ACTION);
    assert_int_equal(cb_action_parse(NULL, 0, &a), CB_E_ARG);
    assert_int_equal(cb_action_parse("ack", 3, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_check),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_action_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
