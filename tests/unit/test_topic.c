/* test_topic.c - cb_topic_build / cb_topic_parse beyond the shared vectors. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "callbell/protocol.h"

static void test_build_every_type(void **state)
{
    (void)state;
    struct {
        cb_topic_type type;
        const char *id;
        const char *want;
    } cases[] = {
        {CB_TOPIC_PRESS, "3", "callbell/demo/table/3/press"},
        {CB_TOPIC_STATE, "3", "callbell/demo/table/3/state"},
        {CB_TOPIC_CMD, "3", "callbell/demo/table/3/cmd"},
        {CB_TOPIC_DEVICE_STATUS, "d1", "callbell/demo/device/d1/status"},
        {CB_TOPIC_DEVICE_INFO, "d1", "callbell/demo/device/d1/info"},
        {CB_TOPIC_HUB_STATUS, NULL, "callbell/demo/hub/status"},
        {CB_TOPIC_HUB_STATS, "ignored!", "callbell/demo/hub/stats"},
        {CB_TOPIC_HUB_REQUEST, NULL, "callbell/demo/hub/request"},
        {CB_TOPIC_REPLY, "cli-1", "callbell/demo/reply/cli-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[CB_TOPIC_SIZE];
        cb_topic t;
        assert_int_equal(cb_topic_build(cases[i].type, "demo", cases[i].id, buf, sizeof buf), CB_OK);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(cb_topic_parse(buf, strlen(buf), &t), CB_OK);
        assert_int_equal(t.type, cases[i].type);
        assert_string_equal(t.site, "demo");
    }
}

static void test_build_errors(void **state)
{
    (void)state;
    char buf[CB_TOPIC_SIZE];
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "Demo", "3", buf, sizeof buf), CB_E_BAD_ID);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "", buf, sizeof buf), CB_E_BAD_ID);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "+", buf, sizeof buf), CB_E_BAD_ID);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", NULL, buf, sizeof buf), CB_E_ARG);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, NULL, "3", buf, sizeof buf), CB_E_ARG);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "3", NULL, 10), CB_E_ARG);
    assert_int_equal(cb_topic_build((cb_topic_type)99, "demo", "3", buf, sizeof buf), CB_E_BAD_TOPIC);
    /* "callbell/demo/table/3/press" is 27 bytes: needs 28 with the NUL. */
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "3", buf, 27), CB_E_BUFFER);
    assert_string_equal(buf, "");
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "3", buf, 28), CB_OK);
    assert_int_equal(cb_topic_build(CB_TOPIC_PRESS, "demo", "3", buf, 0), CB_E_BUFFER);
    /* Longest possible topic fits CB_TOPIC_SIZE. */
    const char *id32 = "abcdefghijklmnopqrstuvwxyz012345";
    assert_int_equal(cb_topic_build(CB_TOPIC_DEVICE_STATUS, id32, id32, buf, sizeof buf), CB_OK);
    assert_true(strlen(buf) <= CB_TOPIC_MAX);
}

static void test_parse_edges(void **state)
{
    (void)state;
    cb_topic t;
    const char *s = "callbell/demo/table/3/press";
    /* Not NUL-terminated: only len bytes count. */
    assert_int_equal(cb_topic_parse(s, strlen(s) - 1, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("", 0, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell", 8, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/table/+/state", 27, &t), CB_E_BAD_ID);
    assert_int_equal(cb_topic_parse("callbell/demo/table/#", 21, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/reply/", 20, &t), CB_E_BAD_ID);
    assert_int_equal(cb_topic_parse("callbell/demo/reply/a/b", 23, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/hub", 17, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell//hub/status", 20, &t), CB_E_BAD_ID);
    assert_int_equal(cb_topic_parse("/callbell/demo/hub/status", 25, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/hub/status/", 25, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("Callbell/demo/hub/status", 24, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/device/d/press", 28, &t), CB_E_BAD_TOPIC);
    assert_int_equal(cb_topic_parse("callbell/demo/table/3/info", 26, &t), CB_E_BAD_TOPIC);
    const char nul[] = "callbell/demo/table/a\0b/press";
    assert_int_equal(cb_topic_parse(nul, sizeof nul - 1, &t), CB_E_BAD_ID);
    assert_int_equal(cb_topic_parse(NULL, 0, &t), CB_E_ARG);
    assert_int_equal(cb_topic_parse(s, strlen(s), NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_every_type),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_parse_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
