/* test_url.c - broker URLs (pc/url.c): schemes, default ports, user and password with
 * %XX escapes, IPv6 literals, and an error naming each problem. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "url.h"

#include <stdio.h>
#include <string.h>

static cb_url parse_ok(const char *text)
{
    cb_url u;
    char err[300] = "";
    if (cb_url_parse(text, &u, err, sizeof err) != 0)
        fail_msg("'%s' refused: %s", text, err);
    return u;
}

static void expect_error(const char *text, const char *why)
{
    cb_url u;
    char err[300] = "";
    assert_int_equal(cb_url_parse(text, &u, err, sizeof err), -1);
    if (!strstr(err, why))
        fail_msg("'%s': error '%s' does not say '%s'", text, err, why);
}

static void test_schemes_and_ports(void **state)
{
    (void)state;
    cb_url u = parse_ok("mqtt://broker.hivemq.com");
    assert_string_equal(u.host, "broker.hivemq.com");
    assert_int_equal(u.port, 1883);
    assert_false(u.tls);
    u = parse_ok("mqtts://x.s1.eu.hivemq.cloud");
    assert_int_equal(u.port, 8883);
    assert_true(u.tls);
    u = parse_ok("127.0.0.1:1884/");
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 1884);
    u = parse_ok("mqtt://[::1]:2883");
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 2883);
}

static void test_user_and_password(void **state)
{
    (void)state;
    cb_url u = parse_ok("mqtts://staff:secret@host:8883");
    assert_string_equal(u.user, "staff");
    assert_string_equal(u.pass, "secret");
    u = parse_ok("mqtt://only-user@host");
    assert_string_equal(u.user, "only-user");
    assert_string_equal(u.pass, "");
    /* '@', ':', ' ' and '%' in a password are written as escapes */
    u = parse_ok("mqtts://me%40cafe:p%40ss%3Aw%20rd%25@host");
    assert_string_equal(u.user, "me@cafe");
    assert_string_equal(u.pass, "p@ss:w rd%");
    /* the last '@' ends the user part, so a raw '@' in the password still works */
    u = parse_ok("mqtt://u:a@b@host");
    assert_string_equal(u.pass, "a@b");
    assert_string_equal(u.host, "host");
}

static void test_errors_name_the_problem(void **state)
{
    (void)state;
    expect_error("ws://host", "scheme must be mqtt:// or mqtts://");
    expect_error("mqtt://", "no host");
    expect_error("mqtt://host:0", "port must be 1-65535");
    expect_error("mqtt://host:65536", "port must be 1-65535");
    expect_error("mqtt://host:1883/x", "unexpected text after host:port");
    expect_error("mqtt://[::1", "missing ']'");
    expect_error("mqtt://u:p%zz@host", "bad %XX escape");
    expect_error("mqtt://u:p%4@host", "bad %XX escape");
    expect_error("mqtt://u:p%00@host", "bad %XX escape");
    char long_user[300];
    memset(long_user, 'a', 200);
    strcpy(long_user + 200, "@host");
    char text[320];
    snprintf(text, sizeof text, "mqtt://%s", long_user);
    expect_error(text, "user name too long");
}

static void test_format_hides_the_password(void **state)
{
    (void)state;
    cb_url u = parse_ok("mqtts://staff:secret@[::1]:8883");
    char shown[400];
    cb_url_format(&u, shown, sizeof shown);
    assert_string_equal(shown, "mqtts://staff@[::1]:8883");
}

/* --mqtt: 3 (or 3.1.1), 5, auto; a parsed URL asks for auto. */
static void test_mqtt_version(void **state)
{
    (void)state;
    cb_mqtt_version v = CB_MQTT_AUTO;
    assert_int_equal(cb_mqtt_version_parse("3", &v), 0);
    assert_int_equal(v, CB_MQTT_3);
    assert_int_equal(cb_mqtt_version_parse("3.1.1", &v), 0);
    assert_int_equal(v, CB_MQTT_3);
    assert_int_equal(cb_mqtt_version_parse("5", &v), 0);
    assert_int_equal(v, CB_MQTT_5);
    assert_int_equal(cb_mqtt_version_parse("auto", &v), 0);
    assert_int_equal(v, CB_MQTT_AUTO);
    v = CB_MQTT_5;
    assert_int_equal(cb_mqtt_version_parse("4", &v), -1);
    assert_int_equal(cb_mqtt_version_parse("", &v), -1);
    assert_int_equal(cb_mqtt_version_parse("5 ", &v), -1);
    assert_int_equal(v, CB_MQTT_5);
    cb_url u;
    char err[200];
    assert_int_equal(cb_url_parse("mqtt://h", &u, err, sizeof err), 0);
    assert_int_equal(u.mqtt, CB_MQTT_AUTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemes_and_ports),
        cmocka_unit_test(test_user_and_password),
        cmocka_unit_test(test_errors_name_the_problem),
        cmocka_unit_test(test_format_hides_the_password),
        cmocka_unit_test(test_mqtt_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
