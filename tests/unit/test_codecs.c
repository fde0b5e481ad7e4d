/* test_codecs.c - press/state/cmd/info encoders and decoders beyond the shared
 * vectors: validation order, boundaries, encoder checks and round trips. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "callbell/protocol.h"

#define P(s) (s), strlen(s)

/* ---- press ---------------------------------------------------------------- */

static cb_press sample_press(void)
{
    cb_press p;
    memset(&p, 0, sizeof p);
    strcpy(p.device, "e6614103e7452d2f");
    p.boot = 7;
    p.seq = 42;
    p.kind = CB_KIND_BILL;
    p.age_ms = 120;
    strcpy(p.text, "Table 3: bill");
    p.has_battery = true;
    p.battery_mv = 3910;
    p.has_rssi = true;
    p.rssi = -61;
    return p;
}

static void test_press_encode_exact(void **state)
{
    (void)state;
    cb_press p = sample_press();
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"device\":\"e6614103e7452d2f\",\"boot\":7,\"seq\":42,\"kind\":\"bill\","
                             "\"age_ms\":120,\"text\":\"Table 3: bill\",\"battery_mv\":3910,\"rssi\":-61}");
    assert_int_equal(len, strlen(buf));
    /* Optional fields are left out when absent. */
    p.text[0] = '\0';
    p.has_battery = false;
    p.has_rssi = false;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(
        buf, "{\"v\":1,\"device\":\"e6614103e7452d2f\",\"boot\":7,\"seq\":42,\"kind\":\"bill\",\"age_ms\":120}");
}

static void test_press_round_trip_extremes(void **state)
{
    (void)state;
    cb_press p = sample_press();
    p.boot = UINT32_MAX;
    p.seq = UINT32_MAX;
    p.age_ms = CB_PRESS_AGE_MAX_MS; /* the largest age a press keeps (larger ones are clamped) */
    p.battery_mv = 10000;
    p.rssi = -127;
    p.kind = CB_KIND_CANCEL;
    strcpy(p.text, "quote\" back\\ tab\t caf\xc3\xa9 1234567890123456789012345678901234567890");
    assert_true(strlen(p.text) <= CB_TEXT_MAX);
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_press back;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_press_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&p, &back, sizeof p);
    p.battery_mv = 0;
    p.rssi = 0;
    p.boot = 0;
    p.seq = 1;
    p.age_ms = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_press_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&p, &back, sizeof p);
}

static void test_press_encode_rejects(void **state)
{
    (void)state;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_press p = sample_press();
    strcpy(p.device, "Bad");
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_BAD_ID);
    p = sample_press();
    p.seq = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    p = sample_press();
    p.kind = CB_KIND_COUNT;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_BAD_KIND);
    p = sample_press();
    p.battery_mv = 10001;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    p.has_battery = false; /* ignored when absent */
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    p = sample_press();
    p.rssi = 1;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    p.rssi = -128;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    p = sample_press();
    memset(p.text, 'x', sizeof p.text); /* not terminated */
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_TOO_LONG);
    p = sample_press();
    strcpy(p.text, "bad \xff utf8");
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_JSON);
    p = sample_press();
    assert_int_equal(cb_press_encode(&p, buf, 20, &len), CB_E_BUFFER);
    assert_int_equal(cb_press_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_press_encode(&p, NULL, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, NULL), CB_E_ARG);
}

static void test_press_decode_order_and_edges(void **state)
{
    (void)state;
    cb_press p;
    /* Version is checked before fields; a missing field before a later bad one. */
    assert_int_equal(cb_press_decode(P("{\"v\":2,\"device\":7}"), &p), CB_E_VERSION);
    assert_int_equal(cb_press_decode(P("{\"v\":1.0,\"device\":\"d\"}"), &p), CB_E_VERSION);
    assert_int_equal(cb_press_decode(P("{\"v\":null}"), &p), CB_E_VERSION);
    assert_int_equal(cb_press_decode(P("{\"device\":\"d\",\"v\":1,\"v\":1}"), &p), CB_E_DUPLICATE_KEY);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"boot\":-1}"), &p), CB_E_MISSING);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":-1}"), &p), CB_E_RANGE);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":1e3}"), &p), CB_E_TYPE);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":99999999999999999999}"), &p), CB_E_RANGE);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":true}"), &p), CB_E_TYPE);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"123456789012345678901234567890123\",\"boot\":1}"), &p),
                     CB_E_BAD_ID);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"\",\"boot\":1}"), &p), CB_E_BAD_ID);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"a\\u0000\",\"boot\":1}"), &p), CB_E_BAD_ID);
    const char *base = "{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"call\",\"age_ms\":5";
    char buf[512];
    strcpy(buf, base);
    strcat(buf, ",\"kind2\":\"ignored\",\"x\":[1,{\"y\":null}]}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_OK);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"cancelled\"}"), &p),
                     CB_E_BAD_KIND);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":1}"), &p), CB_E_TYPE);
    assert_int_equal(cb_press_decode(P("{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"\\u0063all\","
                                       "\"age_ms\":1}"),
                                     &p),
                     CB_OK);
    assert_int_equal(p.kind, CB_KIND_CALL);
    strcpy(buf, base);
    strcat(buf, ",\"text\":\"a\\u0000b\"}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_E_RANGE);
    strcpy(buf, base);
    strcat(buf, ",\"text\":null}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_E_TYPE);
    strcpy(buf, base);
    strcat(buf, ",\"rssi\":-128}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_E_RANGE);
    strcpy(buf, base);
    strcat(buf, ",\"rssi\":-127,\"battery_mv\":0}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_OK);
    assert_true(p.has_rssi && p.rssi == -127 && p.has_battery && p.battery_mv == 0);
    /* 64-byte text fits exactly. */
    strcpy(buf, base);
    strcat(buf, ",\"text\":\"1234567890123456789012345678901234567890123456789012345678901234\"}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_OK);
    assert_int_equal(strlen(p.text), 64);
    /* Escapes count as their decoded bytes: 32 x "\u00e9" is 64 bytes. */
    strcpy(buf, base);
    strcat(buf, ",\"text\":\"");
    for (int i = 0; i < 32; i++) {
        strcat(buf, "\\u00e9");
    }
    strcat(buf, "\"}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_OK);
    assert_int_equal(cb_press_decode(NULL, 0, &p), CB_E_ARG);
    assert_int_equal(cb_press_decode(P("{}"), NULL), CB_E_ARG);
    /* More members than the reader holds is a bound, not a syntax error. */
    strcpy(buf, "{\"v\":1");
    for (int i = 0; i < 16; i++) {
        char m[16];
        sprintf(m, ",\"x%d\":%d", i, i);
        strcat(buf, m);
    }
    strcat(buf, "}");
    assert_int_equal(cb_press_decode(P(buf), &p), CB_E_TOO_LONG);
}

static void test_press_text(void **state)
{
    (void)state;
    char buf[CB_TEXT_MAX + 1];
    assert_int_equal(cb_press_text("3", CB_KIND_BILL, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, "Table 3: bill");
    assert_int_equal(cb_press_text("patio-2", CB_KIND_CANCEL, buf, sizeof buf), CB_OK);
    assert_string_equal(buf, "Table patio-2: cancel");
    assert_int_equal(cb_press_text("abcdefghijklmnopqrstuvwxyz012345", CB_KIND_CANCEL, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_press_text("3", CB_KIND_BILL, buf, 14), CB_OK);
    assert_int_equal(cb_press_text("3", CB_KIND_BILL, buf, 13), CB_E_BUFFER);
    assert_string_equal(buf, "");
    assert_int_equal(cb_press_text("3", CB_KIND_BILL, buf, 0), CB_E_BUFFER);
    assert_int_equal(cb_press_text("T3", CB_KIND_BILL, buf, sizeof buf), CB_E_BAD_ID);
    assert_int_equal(cb_press_text("3", CB_KIND_COUNT, buf, sizeof buf), CB_E_BAD_KIND);
    assert_int_equal(cb_press_text(NULL, CB_KIND_BILL, buf, sizeof buf), CB_E_ARG);
    assert_int_equal(cb_press_text("3", CB_KIND_BILL, NULL, 4), CB_E_ARG);
}

/* ---- state ---------------------------------------------------------------- */

static cb_state calling_state(void)
{
    cb_state s;
    memset(&s, 0, sizeof s);
    strcpy(s.table, "3");
    s.status = CB_CALLING;
    s.kind = CB_KIND_BILL;
    s.call = 17;
    s.count = 2;
    s.repeats = 1;
    s.pressed_at = 1764140000000ull;
    s.updated_at = 1764140061000ull;
    return s;
}

static void test_state_encode_exact(void **state)
{
    (void)state;
    cb_state s = calling_state();
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_OK);
    /* Byte for byte the example of docs/protocol.md. */
    assert_string_equal(buf,
                        "{\"v\":1,\"table\":\"3\",\"status\":\"calling\",\"kind\":\"bill\",\"call\":17,\"count\":2,"
                        "\"repeats\":1,\"pressed_at\":1764140000000,\"acked_by\":\"\",\"acked_at\":0,"
                        "\"updated_at\":1764140061000}");
    cb_state idle;
    memset(&idle, 0, sizeof idle);
    strcpy(idle.table, "4");
    idle.updated_at = 5;
    assert_int_equal(cb_state_encode(&idle, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"table\":\"4\",\"status\":\"idle\",\"call\":0,\"count\":0,\"repeats\":0,"
                             "\"pressed_at\":0,\"acked_by\":\"\",\"acked_at\":0,\"updated_at\":5}");
}

static void test_state_round_trip(void **state)
{
    (void)state;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_state s = calling_state();
    s.status = CB_ACKNOWLEDGED;
    strcpy(s.acked_by, "Zo\xc3\xab \"the\" \\ best 1234567890123");
    assert_true(strlen(s.acked_by) <= CB_NAME_MAX);
    s.acked_at = (uint64_t)INT64_MAX;
    s.updated_at = (uint64_t)INT64_MAX;
    s.call = (uint64_t)INT64_MAX;
    s.count = UINT32_MAX;
    s.repeats = UINT32_MAX;
    cb_state back;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&s, &back, sizeof s);
}

static void test_state_rules(void **state)
{
    (void)state;
    cb_state s;
    const char *head = "{\"v\":1,\"table\":\"3\",";
    struct {
        const char *rest;
        cb_status want;
    } cases[] = {
        /* kind */
        {"\"status\":\"calling\",\"kind\":\"cancel\"}", CB_E_BAD_KIND},
        {"\"status\":\"calling\",\"kind\":\"beer\"}", CB_E_BAD_KIND},
        {"\"status\":\"calling\",\"kind\":3}", CB_E_TYPE},
        {"\"status\":3}", CB_E_TYPE},
        {"\"status\":\"acknowledgedxxxxxxxx\"}", CB_E_RANGE},
        /* ties to the status */
        {"\"status\":\"idle\",\"call\":1,\"count\":0,\"repeats\":0,\"pressed_at\":0,\"acked_by\":\"\",\"acked_at\":0,"
         "\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"calling\",\"kind\":\"call\",\"call\":0,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"\",\"acked_at\":0,\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"calling\",\"kind\":\"call\",\"call\":1,\"count\":0,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"\",\"acked_at\":0,\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"idle\",\"call\":0,\"count\":0,\"repeats\":2,\"pressed_at\":0,\"acked_by\":\"\",\"acked_at\":0,"
         "\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"idle\",\"call\":0,\"count\":0,\"repeats\":0,\"pressed_at\":9,\"acked_by\":\"\",\"acked_at\":0,"
         "\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"calling\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"Ana\",\"acked_at\":0,\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"calling\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"\",\"acked_at\":7,\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"acknowledged\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"A\\u0001\",\"acked_at\":7,\"updated_at\":1}",
         CB_E_RANGE},
        {"\"status\":\"acknowledged\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"123456789012345678901234567890123\",\"acked_at\":7,\"updated_at\":1}",
         CB_E_TOO_LONG},
        {"\"status\":\"acknowledged\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"Ana\",\"acked_at\":7}",
         CB_E_MISSING},
        {"\"status\":\"acknowledged\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"Ana\",\"acked_at\":7,\"updated_at\":-1}",
         CB_E_RANGE},
        {"\"status\":\"acknowledged\",\"kind\":\"call\",\"call\":1,\"count\":1,\"repeats\":0,\"pressed_at\":1,"
         "\"acked_by\":\"Ana\",\"acked_at\":7,\"updated_at\":1}",
         CB_OK},
        /* kind may appear on an idle state; it is then not meaningful */
        {"\"status\":\"idle\",\"kind\":\"bill\",\"call\":0,\"count\":0,\"repeats\":0,\"pressed_at\":0,"
         "\"acked_by\":\"\",\"acked_at\":0,\"updated_at\":1}",
         CB_OK},
        {"\"status\":\"calling\",\"kind\":\"call\",\"call\":4294967296,\"count\":4294967296}", CB_E_RANGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[400];
        strcpy(buf, head);
        strcat(buf, cases[i].rest);
        cb_status st = cb_state_decode(P(buf), &s);
        if (st != cases[i].want) {
            print_message("case %zu: got %s want %s\n", i, cb_status_str(st), cb_status_str(cases[i].want));
        }
        assert_int_equal(st, cases[i].want);
    }
    assert_int_equal(cb_state_decode(P("{\"v\":1,\"table\":\"T\"}"), &s), CB_E_BAD_ID);
    assert_int_equal(cb_state_decode(NULL, 0, &s), CB_E_ARG);
    assert_int_equal(cb_state_decode(P("{}"), NULL), CB_E_ARG);
}

static void test_state_encode_rejects(void **state)
{
    (void)state;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_state s = calling_state();
    s.table[0] = '\0';
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_BAD_ID);
    s = calling_state();
    s.status = (cb_table_status)3;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    s.kind = CB_KIND_CANCEL;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_BAD_KIND);
    s = calling_state();
    s.call = 0;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    s.call = (uint64_t)INT64_MAX + 1u;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    strcpy(s.acked_by, "Ana"); /* only when acknowledged */
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    s.acked_at = 1;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    s.status = CB_ACKNOWLEDGED;
    memset(s.acked_by, 'a', sizeof s.acked_by);
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_TOO_LONG);
    s = calling_state();
    s.updated_at = UINT64_MAX;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    s = calling_state();
    assert_int_equal(cb_state_encode(&s, buf, 40, &len), CB_E_BUFFER);
    assert_int_equal(cb_state_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_state_encode(&s, NULL, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, NULL), CB_E_ARG);
}

/* ---- cmd ------------------------------------------------------------------ */

static void test_cmd_codec(void **state)
{
    (void)state;
    cb_cmd c;
    memset(&c, 0, sizeof c);
    c.action = CB_ACTION_ACK;
    strcpy(c.by, "Ana");
    c.has_call = true;
    c.call = 17;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"action\":\"ack\",\"by\":\"Ana\",\"call\":17}");
    cb_cmd back;
    assert_int_equal(cb_cmd_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&c, &back, sizeof c);
    c.action = CB_ACTION_DONE;
    c.has_call = false;
    c.call = 0;
    strcpy(c.by, "12345678901234567890123456789012");
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_cmd_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&c, &back, sizeof c);

    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":1,\"by\":\"a\"}"), &back), CB_E_TYPE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"acknowledge\",\"by\":\"a\"}"), &back), CB_E_BAD_ACTION);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"by\":\"a\"}"), &back), CB_E_MISSING);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":7}"), &back), CB_E_TYPE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\\u007f\"}"), &back), CB_E_RANGE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\\u0085\"}"), &back), CB_E_RANGE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\\u0000\"}"), &back), CB_E_RANGE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"Zo\\u00eb\"}"), &back), CB_OK);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"call\":0}"), &back), CB_E_RANGE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"call\":\"17\"}"), &back), CB_E_TYPE);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"call\":9223372036854775807}"), &back),
                     CB_OK);
    assert_true(back.has_call && back.call == (uint64_t)INT64_MAX);
    assert_int_equal(cb_cmd_decode(NULL, 0, &back), CB_E_ARG);
    assert_int_equal(cb_cmd_decode(P("{}"), NULL), CB_E_ARG);

    /* encoder checks */
    c.action = (cb_action)5;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_BAD_ACTION);
    c.action = CB_ACTION_ACK;
    c.by[0] = '\0';
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_RANGE);
    strcpy(c.by, "a\tb");
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_RANGE);
    memset(c.by, 'a', sizeof c.by);
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_TOO_LONG);
    strcpy(c.by, "Bo");
    c.has_call = true;
    c.call = 0;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_RANGE);
    c.call = 1;
    assert_int_equal(cb_cmd_encode(&c, buf, 10, &len), CB_E_BUFFER);
    assert_int_equal(cb_cmd_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_cmd_encode(&c, NULL, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, NULL), CB_E_ARG);
}

/* ---- info ----------------------------------------------------------------- */

static void test_info_codec(void **state)
{
    (void)state;
    cb_info in;
    memset(&in, 0, sizeof in);
    strcpy(in.fw, "0.1.0");
    strcpy(in.tables, "1,2,3,4");
    in.has_rssi = true;
    in.rssi = -58;
    in.has_battery = true;
    in.battery_mv = 3900;
    in.uptime_s = 3600;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"fw\":\"0.1.0\",\"tables\":\"1,2,3,4\",\"rssi\":-58,\"battery_mv\":3900,"
                             "\"low_battery\":false,\"uptime_s\":3600}");
    cb_info back;
    assert_int_equal(cb_info_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&in, &back, sizeof in);
    memset(&in, 0, sizeof in);
    strcpy(in.fw, "1234567890123456");
    in.low_battery = true;
    in.uptime_s = UINT32_MAX;
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_info_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&in, &back, sizeof in);

    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"12345678901234567\",\"uptime_s\":1}"), &back), CB_E_TOO_LONG);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":1,\"uptime_s\":1}"), &back), CB_E_TYPE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"uptime_s\":1}"), &back), CB_E_MISSING);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"uptime_s\":-1}"), &back), CB_E_RANGE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"low_battery\":1,\"uptime_s\":1}"), &back), CB_E_TYPE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"rssi\":1,\"uptime_s\":1}"), &back), CB_E_RANGE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"battery_mv\":10001,\"uptime_s\":1}"), &back),
                     CB_E_RANGE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"tables\":[1],\"uptime_s\":1}"), &back), CB_E_TYPE);
    assert_int_equal(cb_info_decode(P("{\"v\":1,\"fw\":\"x\",\"uptime_s\":1,\"low_battery\":true}"), &back), CB_OK);
    assert_true(back.low_battery);
    assert_int_equal(cb_info_decode(NULL, 0, &back), CB_E_ARG);
    assert_int_equal(cb_info_decode(P("{}"), NULL), CB_E_ARG);

    in.has_rssi = true;
    in.rssi = 5;
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, &len), CB_E_RANGE);
    in.has_rssi = false;
    in.has_battery = true;
    in.battery_mv = 20000;
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, &len), CB_E_RANGE);
    in.has_battery = false;
    memset(in.fw, 'a', sizeof in.fw);
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, &len), CB_E_TOO_LONG);
    strcpy(in.fw, "1");
    assert_int_equal(cb_info_encode(&in, buf, 12, &len), CB_E_BUFFER);
    assert_int_equal(cb_info_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_info_encode(&in, NULL, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_info_encode(&in, buf, sizeof buf, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_press_encode_exact),   cmocka_unit_test(test_press_round_trip_extremes),
        cmocka_unit_test(test_press_encode_rejects), cmocka_unit_test(test_press_decode_order_and_edges),
        cmocka_unit_test(test_press_text),           cmocka_unit_test(test_state_encode_exact),
        cmocka_unit_test(test_state_round_trip),     cmocka_unit_test(test_state_rules),
        cmocka_unit_test(test_state_encode_rejects), cmocka_unit_test(test_cmd_codec),
        cmocka_unit_test(test_info_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
