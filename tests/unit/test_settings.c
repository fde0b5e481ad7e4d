/* test_settings.c - settings: keys, validation, the flash record and its two copies. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "callbell/settings.h"

static cb_settings defaults(void)
{
    cb_settings s;
    assert_int_equal(cb_settings_defaults(&s), CB_OK);
    return s;
}

static void expect_get(const cb_settings *s, const char *key, const char *want)
{
    char buf[CB_SETTINGS_VALUE_MAX + 1];
    assert_int_equal(cb_settings_get(s, key, true, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, want);
}

static void test_defaults_are_the_seed(void **state)
{
    (void)state;
    cb_settings s = defaults();
    expect_get(&s, "buttons", "16=1:call,17=2:call,18=3:call,19=4:call");
    expect_get(&s, "pull", "down");
    expect_get(&s, "site", "demo");
    expect_get(&s, "power", "connected");
    expect_get(&s, "debounce_ms", "30");
    expect_get(&s, "leds", "");
    assert_int_equal(cb_settings_check(&s, NULL), CB_OK);
    assert_int_equal(cb_settings_defaults(NULL), CB_E_ARG);
    assert_int_equal(cb_settings_key_count(), 13);
    assert_string_equal(cb_settings_key_name(0), "wifi_ssid");
    assert_null(cb_settings_key_name(13));
}

static void test_set_and_get_every_key(void **state)
{
    (void)state;
    cb_settings s = defaults();
    static const char *const kv[][2] = {
        {"wifi_ssid", "Trattoria Guest 5G"},
        {"wifi_password", "correct horse"},
        {"wifi_country", "GB"},
        {"wifi_pm", "aggressive"},
        {"broker", "mqtts://abc.s1.eu.hivemq.cloud:8883"},
        {"mqtt_user", "table-7"},
        {"mqtt_password", "s3cret"},
        {"site", "trattoria"},
        {"buttons", "16=7:call,17=7:bill,18=7:water,19=7:cancel"},
        {"pull", "up"},
        {"leds", "20=7"},
        {"power", "sleepy"},
        {"debounce_ms", "50"},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        const char *why = NULL;
        assert_int_equal(cb_settings_set(&s, kv[i][0], kv[i][1], &why), CB_OK);
        expect_get(&s, kv[i][0], kv[i][1]);
    }
    assert_int_equal(cb_settings_check(&s, NULL), CB_OK);
    char buf[64];
    assert_int_equal(cb_settings_get(&s, "wifi_password", false, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, "********");
    assert_int_equal(cb_settings_get(&s, "mqtt_password", false, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, "********");
    assert_int_equal(cb_settings_set(&s, "mqtt_password", "", NULL), CB_OK);
    assert_int_equal(cb_settings_get(&s, "mqtt_password", false, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, ""); /* unset reads as unset */
    assert_int_equal(cb_settings_set(&s, "wifi_country", "de", NULL), CB_OK);
    expect_get(&s, "wifi_country", "DE");

    cb_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(cb_settings_device_config(&s, &cfg), CB_OK);
    assert_string_equal(cfg.site, "trattoria");
    assert_int_equal(cfg.button_count, 4);
    assert_string_equal(cfg.buttons[1].table, "7");
    assert_int_equal(cfg.buttons[1].kind, CB_KIND_BILL);
    assert_false(cfg.active_high);
    assert_int_equal(cfg.debounce_ms, 50);

    char host[64];
    uint16_t port = 0;
    bool tls = false;
    assert_int_equal(cb_settings_broker(&s, host, sizeof host, &port, &tls), CB_OK);
    assert_string_equal(host, "abc.s1.eu.hivemq.cloud");
    assert_int_equal(port, 8883);
    assert_true(tls);
    assert_int_equal(cb_settings_set(&s, "broker", "mqtt://10.0.0.5", NULL), CB_OK);
    assert_int_equal(cb_settings_broker(&s, host, sizeof host, &port, &tls), CB_OK);
    assert_string_equal(host, "10.0.0.5");
    assert_int_equal(port, 1883);
    assert_false(tls);
    assert_int_equal(cb_settings_broker(&s, host, 4, &port, &tls), CB_E_BUFFER);
}

/* Every bad value is refused with a reason, and leaves the settings as they were. */
static void test_bad_values_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"wifi_ssid", "123456789012345678901234567890123"},
        {"wifi_ssid", "tab\there"},
        {"wifi_password", "short"},
        {"wifi_password", "1234567890123456789012345678901234567890123456789012345678901234"},
        {"wifi_country", "G"},
        {"wifi_country", "G1"},
        {"wifi_pm", "max"},
        {"broker", "http://x"},
        {"broker", "mqtt://"},
        {"broker", "mqtt://host:0"},
        {"broker", "mqtt://host:65536"},
        {"broker", "mqtt://ho st"},
        {"broker", "mqtt://user:pw@host"},
        {"site", "Demo"},
        {"site", ""},
        {"buttons", ""},
        {"buttons", "16"},
        {"buttons", "16=1"},
        {"buttons", "16=1:dance"},
        {"buttons", "16=:call"},
        {"buttons", "24=1:call"}, /* the Wi-Fi chip's pin */
        {"buttons", "29=1:call"},
        {"buttons", "16=1:call,16=2:call"},
        {"buttons", "1=1:call,2=1:call,3=1:call,4=1:call,5=1:call,6=1:call,7=1:call,8=1:call,9=1:call"},
        {"mqtt_user", "12345678901234567890123456789012345678901234567890123456789012345"},
        {"buttons", "16=1:call,"},
        {"buttons", "-1=1:call"},
        {"buttons", "99999999999=1:call"},
        {"pull", "sideways"},
        {"leds", "20"},
        {"leds", "25=1"},
        {"leds", "20=UPPER"},
        {"power", "turbo"},
        {"debounce_ms", "0"},
        {"debounce_ms", "1001"},
        {"debounce_ms", "3x"},
        {"debounce_ms", ""},
    };
    cb_settings s = defaults();
    cb_settings before = s;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        cb_status st = cb_settings_set(&s, bad[i][0], bad[i][1], &why);
        if (st == CB_OK) {
            fail_msg("accepted %s=%s", bad[i][0], bad[i][1]);
        }
        assert_non_null(why);
        assert_memory_equal(&s, &before, sizeof s);
    }
    const char *why = NULL;
    assert_int_equal(cb_settings_set(&s, "colour", "red", &why), CB_E_MISSING);
    assert_int_equal(cb_settings_set(NULL, "site", "x", &why), CB_E_ARG);
    char buf[8];
    assert_int_equal(cb_settings_get(&s, "colour", true, buf, sizeof buf), CB_E_MISSING);
    assert_int_equal(cb_settings_get(&s, "buttons", true, buf, sizeof buf), CB_E_BUFFER);
}

static void test_check_whole(void **state)
{
    (void)state;
    cb_settings s = defaults();
    const char *why = NULL;
    assert_int_equal(cb_settings_set(&s, "leds", "16=1", NULL), CB_OK);
    assert_int_equal(cb_settings_check(&s, &why), CB_E_RANGE); /* a button's pin */
    assert_non_null(why);
    assert_int_equal(cb_settings_set(&s, "leds", "20=9", NULL), CB_OK);
    assert_int_equal(cb_settings_check(&s, &why), CB_E_RANGE); /* no button for table 9 */
    assert_int_equal(cb_settings_set(&s, "leds", "20=1,20=2", NULL), CB_OK);
    assert_int_equal(cb_settings_check(&s, &why), CB_E_RANGE);
    assert_int_equal(cb_settings_set(&s, "leds", "20=1,21=2", NULL), CB_OK);
    assert_int_equal(cb_settings_check(&s, &why), CB_OK);
}

static void test_crc32_check_value(void **state)
{
    (void)state;
    assert_int_equal(cb_crc32(0, "123456789", 9), 0xCBF43926u); /* the CRC-32/IEEE check value */
    assert_int_equal(cb_crc32(cb_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static cb_settings custom(void)
{
    cb_settings s = defaults();
    assert_int_equal(cb_settings_set(&s, "wifi_ssid", "Cafe", NULL), CB_OK);
    assert_int_equal(cb_settings_set(&s, "wifi_password", "longenough", NULL), CB_OK);
    assert_int_equal(cb_settings_set(&s, "site", "cafe", NULL), CB_OK);
    assert_int_equal(cb_settings_set(&s, "buttons", "16=12:call,17=12:bill", NULL), CB_OK);
    return s;
}

static void test_record_round_trip(void **state)
{
    (void)state;
    cb_settings s = custom(), base = defaults(), out;
    uint8_t rec[CB_SETTINGS_RECORD_SIZE];
    assert_int_equal(cb_settings_encode(&s, 41, rec, sizeof rec), CB_OK);
    assert_memory_equal(rec, "CBST", 4);
    assert_int_equal(rec[CB_SETTINGS_RECORD_SIZE - 1], 0xFF); /* erased flash after the text */
    uint32_t seq = 0;
    assert_int_equal(cb_settings_decode(rec, sizeof rec, &base, &out, &seq), CB_OK);
    assert_int_equal(seq, 41);
    assert_memory_equal(&out, &s, sizeof s);
    assert_int_equal(cb_settings_encode(&s, 1, rec, sizeof rec - 1), CB_E_ARG);

    /* The longest values of every key still fit a record. */
    cb_settings big = defaults();
    assert_int_equal(cb_settings_set(&big, "wifi_ssid", "12345678901234567890123456789012", NULL), CB_OK);
    assert_int_equal(
        cb_settings_set(&big, "wifi_password", "123456789012345678901234567890123456789012345678901234567890123", NULL),
        CB_OK);
    char many[CB_SETTINGS_VALUE_MAX + 1];
    char leds[CB_SETTINGS_VALUE_MAX + 1];
    many[0] = leds[0] = '\0';
    for (int i = 0; i < 8; i++) {
        char item[64];
        /* GP20-GP22, GP26-GP28 and GP0-GP1: two digits where they can be */
        static const int button_gpio[] = {20, 21, 22, 26, 27, 28, 10, 11};
        static const int led_gpio[] = {12, 13, 14, 15, 16, 17, 18, 19};
        snprintf(item, sizeof item, "%s%d=tttttttttttttttttttttttttttttt-%d:cancel", i ? "," : "", button_gpio[i], i);
        strcat(many, item);
        snprintf(item, sizeof item, "%s%d=tttttttttttttttttttttttttttttt-%d", i ? "," : "", led_gpio[i], i);
        strcat(leds, item);
    }
    assert_int_equal(cb_settings_set(&big, "buttons", many, NULL), CB_OK);
    assert_int_equal(cb_settings_set(&big, "leds", leds, NULL), CB_OK);
    assert_int_equal(cb_settings_set(&big, "broker",
                                     "mqtts://a23456789012345678901234567890123456789012345678901234567890123:65535",
                                     NULL),
                     CB_OK);
    assert_int_equal(
        cb_settings_set(&big, "mqtt_user", "1234567890123456789012345678901234567890123456789012345678901234", NULL),
        CB_OK);
    assert_int_equal(cb_settings_set(&big, "mqtt_password",
                                     "1234567890123456789012345678901234567890123456789012345678901234", NULL),
                     CB_OK);
    assert_int_equal(cb_settings_set(&big, "site", "12345678901234567890123456789012", NULL), CB_OK);
    assert_int_equal(cb_settings_check(&big, NULL), CB_OK);
    assert_int_equal(cb_settings_encode(&big, 2, rec, sizeof rec), CB_OK);
    assert_int_equal(cb_settings_decode(rec, sizeof rec, &base, &out, &seq), CB_OK);
    assert_memory_equal(&out, &big, sizeof big);
}

static void test_record_damage_detected(void **state)
{
    (void)state;
    cb_settings s = custom(), base = defaults(), out;
    uint8_t rec[CB_SETTINGS_RECORD_SIZE], bad[CB_SETTINGS_RECORD_SIZE];
    uint32_t seq = 0;
    assert_int_equal(cb_settings_encode(&s, 7, rec, sizeof rec), CB_OK);
    uint16_t text_len = (uint16_t)(rec[6] | (rec[7] << 8));
    /* Every single-bit flip in the header and text is caught. */
    for (size_t byte = 0; byte < (size_t)CB_SETTINGS_HEADER_SIZE + text_len; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, rec, sizeof rec);
            bad[byte] ^= (uint8_t)(1u << bit);
            assert_int_not_equal(cb_settings_decode(bad, sizeof bad, &base, &out, &seq), CB_OK);
        }
    }
    /* A save cut short: the tail still erased. */
    memcpy(bad, rec, sizeof rec);
    memset(bad + CB_SETTINGS_HEADER_SIZE + text_len / 2u, 0xFF, sizeof bad - CB_SETTINGS_HEADER_SIZE - text_len / 2u);
    assert_int_equal(cb_settings_decode(bad, sizeof bad, &base, &out, &seq), CB_E_RANGE);
    memset(bad, 0xFF, sizeof bad); /* erased */
    assert_int_equal(cb_settings_decode(bad, sizeof bad, &base, &out, &seq), CB_E_MISSING);
    memcpy(bad, rec, sizeof rec);
    bad[4] = 2; /* a newer format */
    assert_int_equal(cb_settings_decode(bad, sizeof bad, &base, &out, &seq), CB_E_VERSION);
    assert_int_equal(cb_settings_decode(rec, 10, &base, &out, &seq), CB_E_MISSING);
    assert_int_equal(cb_settings_decode(rec, 100, &base, &out, &seq), CB_E_RANGE); /* text past len */
    assert_int_equal(cb_settings_decode(NULL, 10, &base, &out, &seq), CB_E_ARG);
}

static void test_two_copies(void **state)
{
    (void)state;
    cb_settings base = defaults(), a = custom(), b = custom(), out;
    assert_int_equal(cb_settings_set(&b, "site", "newer", NULL), CB_OK);
    uint8_t s0[CB_SETTINGS_RECORD_SIZE], s1[CB_SETTINGS_RECORD_SIZE], erased[CB_SETTINGS_RECORD_SIZE];
    memset(erased, 0xFF, sizeof erased);
    cb_settings_origin o;
    uint8_t slot = 9;
    uint32_t seq = 0;

    /* Fresh board: defaults, first save to copy 0 with sequence 1. */
    assert_int_equal(cb_settings_load(erased, erased, &base, &out, &o), CB_OK);
    assert_false(o.from_flash);
    assert_memory_equal(&out, &base, sizeof out);
    assert_int_equal(cb_settings_next_save(&o, &slot, &seq), CB_OK);
    assert_int_equal(slot, 0);
    assert_int_equal(seq, 1);

    /* Both valid: the newer wins, the next save overwrites the older. */
    assert_int_equal(cb_settings_encode(&a, 1, s0, sizeof s0), CB_OK);
    assert_int_equal(cb_settings_encode(&b, 2, s1, sizeof s1), CB_OK);
    assert_int_equal(cb_settings_load(s0, s1, &base, &out, &o), CB_OK);
    assert_string_equal(out.site, "newer");
    assert_int_equal(o.slot, 1);
    assert_false(o.other_invalid);
    assert_int_equal(cb_settings_next_save(&o, &slot, &seq), CB_OK);
    assert_int_equal(slot, 0);
    assert_int_equal(seq, 3);

    /* Power cut while writing copy 0 (sequence 3): copy 1 still loads. */
    assert_int_equal(cb_settings_encode(&a, 3, s0, sizeof s0), CB_OK);
    memset(s0 + 100, 0xFF, sizeof s0 - 100);
    assert_int_equal(cb_settings_load(s0, s1, &base, &out, &o), CB_OK);
    assert_string_equal(out.site, "newer");
    assert_true(o.other_invalid);
    /* Erase done, nothing written yet: the same. */
    assert_int_equal(cb_settings_load(erased, s1, &base, &out, &o), CB_OK);
    assert_string_equal(out.site, "newer");

    /* The sequence wraps: 0 is newer than 0xFFFFFFFF. */
    assert_int_equal(cb_settings_encode(&a, 0xFFFFFFFFu, s0, sizeof s0), CB_OK);
    assert_int_equal(cb_settings_encode(&b, 0, s1, sizeof s1), CB_OK);
    assert_int_equal(cb_settings_load(s0, s1, &base, &out, &o), CB_OK);
    assert_int_equal(o.slot, 1);
    assert_int_equal(cb_settings_load(NULL, s1, &base, &out, &o), CB_OK);
    assert_int_equal(o.slot, 1);
    assert_int_equal(cb_settings_load(s0, s1, &base, &out, NULL), CB_E_ARG);
}

/* Keys a record lacks keep the defaults (a record from an older build). */
static void test_missing_keys_keep_defaults(void **state)
{
    (void)state;
    cb_settings base = defaults(), out;
    uint8_t rec[CB_SETTINGS_RECORD_SIZE];
    memset(rec, 0xFF, sizeof rec);
    const char text[] = "site=old\nretired_key=1\n";
    size_t n = sizeof text - 1;
    memcpy(rec, "CBST", 4);
    rec[4] = 1;
    rec[5] = 0;
    rec[6] = (uint8_t)n;
    rec[7] = 0;
    memset(rec + 8, 0, 4);
    memcpy(rec + CB_SETTINGS_HEADER_SIZE, text, n);
    uint32_t crc = cb_crc32(cb_crc32(0, rec, 12), text, n);
    for (int i = 0; i < 4; i++) {
        rec[12 + i] = (uint8_t)(crc >> (8 * i));
    }
    uint32_t seq = 99;
    assert_int_equal(cb_settings_decode(rec, sizeof rec, &base, &out, &seq), CB_OK);
    assert_string_equal(out.site, "old");
    assert_int_equal(out.button_count, 4);
    assert_int_equal(seq, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_seed),      cmocka_unit_test(test_set_and_get_every_key),
        cmocka_unit_test(test_bad_values_refused),         cmocka_unit_test(test_check_whole),
        cmocka_unit_test(test_crc32_check_value),          cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_record_damage_detected),     cmocka_unit_test(test_two_copies),
        cmocka_unit_test(test_missing_keys_keep_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
