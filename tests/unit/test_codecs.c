/* test_codecs.c - press/press reply/state/cmd/info encoders and decoders, the staff
 * name check and the age classes beyond the shared vectors: validation order, boundaries, encoder checks and round
 * trips. */
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

static cb_request make_request(cb_kind kind, uint64_t call, uint64_t pressed_at, const char *acked_by,
                               uint64_t acked_at)
{
    cb_request r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.call = call;
    r.status = acked_by[0] != '\0' ? CB_ACKNOWLEDGED : CB_CALLING;
    r.count = 1;
    r.pressed_at = pressed_at;
    strcpy(r.acked_by, acked_by);
    r.acked_at = acked_at;
    return r;
}

/* The example of docs/protocol.md: water acknowledged by Ana, bill calling. */
static cb_state example_state(void)
{
    cb_state s;
    memset(&s, 0, sizeof s);
    strcpy(s.table, "3");
    s.status = CB_CALLING;
    s.n_requests = 2;
    s.requests[0] = make_request(CB_KIND_WATER, 17, 1764140000000ull, "Ana", 1764140010000ull);
    s.requests[1] = make_request(CB_KIND_BILL, 18, 1764140030000ull, "", 0);
    s.requests[1].count = 2;
    s.requests[1].repeats = 1;
    s.requests[1].level = CB_LEVEL_FLOOR;
    strcpy(s.section, "patio");
    s.updated_at = 1764140061000ull;
    return s;
}

static void test_state_status(void **state)
{
    (void)state;
    cb_state s = example_state();
    cb_table_status st = (cb_table_status)9;
    assert_int_equal(cb_state_status(&s, &st), CB_OK);
    assert_int_equal(st, CB_CALLING); /* any calling request */
    s.requests[1].status = CB_ACKNOWLEDGED;
    assert_int_equal(cb_state_status(&s, &st), CB_OK);
    assert_int_equal(st, CB_ACKNOWLEDGED); /* all open ones acknowledged */
    s.n_requests = 0;
    assert_int_equal(cb_state_status(&s, &st), CB_OK);
    assert_int_equal(st, CB_IDLE);
    s.n_requests = CB_REQUEST_MAX + 1;
    assert_int_equal(cb_state_status(&s, &st), CB_E_RANGE);
    assert_int_equal(cb_state_status(NULL, &st), CB_E_ARG);
    assert_int_equal(cb_state_status(&s, NULL), CB_E_ARG);
}

static void test_state_encode_exact(void **state)
{
    (void)state;
    cb_state s = example_state();
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_OK);
    /* Byte for byte the example of docs/protocol.md. */
    assert_string_equal(
        buf, "{\"v\":1,\"table\":\"3\",\"section\":\"patio\",\"status\":\"calling\",\"requests\":["
             "{\"kind\":\"water\",\"call\":17,\"status\":\"acknowledged\",\"count\":1,\"repeats\":0,"
             "\"level\":\"section\",\"pressed_at\":1764140000000,\"acked_by\":\"Ana\",\"acked_at\":1764140010000},"
             "{\"kind\":\"bill\",\"call\":18,\"status\":\"calling\",\"count\":2,\"repeats\":1,"
             "\"level\":\"floor\",\"pressed_at\":1764140030000,\"acked_by\":\"\",\"acked_at\":0}],"
             "\"updated_at\":1764140061000}");
    assert_int_equal(len, strlen(buf));
    cb_state back;
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &s, sizeof s);
    /* an idle table: an empty array */
    cb_state idle;
    memset(&idle, 0, sizeof idle);
    strcpy(idle.table, "4");
    idle.updated_at = 5;
    assert_int_equal(cb_state_encode(&idle, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"table\":\"4\",\"status\":\"idle\",\"requests\":[],\"updated_at\":5}");
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &idle, sizeof idle);
    /* last_alert_at is the hub's own: never written */
    s.requests[0].last_alert_at = 123;
    char again[CB_STATE_PAYLOAD_SIZE];
    assert_int_equal(cb_state_encode(&s, again, sizeof again, &len), CB_OK);
    cb_state plain = example_state();
    assert_int_equal(cb_state_encode(&plain, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(again, buf);
}

/* Three requests at their widest still fit a state payload, and read back. */
static void test_state_round_trip_widest(void **state)
{
    (void)state;
    cb_state s;
    memset(&s, 0, sizeof s);
    strcpy(s.table, "abcdefghijklmnopqrstuvwxyz012345");
    s.status = CB_ACKNOWLEDGED;
    s.n_requests = 3;
    const uint64_t max = (uint64_t)INT64_MAX;
    static const cb_kind kinds[3] = {CB_KIND_WATER, CB_KIND_CALL, CB_KIND_BILL};
    char widest[CB_NAME_SIZE];
    memset(widest, '"', CB_NAME_MAX); /* each written as \" */
    widest[CB_NAME_MAX] = '\0';
    for (uint32_t i = 0; i < 3; i++) {
        s.requests[i] = make_request(kinds[i], max - 2 + i, max, widest, max);
        s.requests[i].count = UINT32_MAX;
        s.requests[i].repeats = UINT32_MAX;
        s.requests[i].level = CB_LEVEL_MANAGER;
    }
    strcpy(s.section, "abcdefghijklmnopqrstuvwxyz-sect"); /* 32 bytes, the longest id */
    s.updated_at = max;
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_OK);
    assert_true(len > CB_PAYLOAD_MAX); /* why state payloads may be longer */
    assert_true(len <= CB_STATE_PAYLOAD_MAX);
    cb_state back;
    assert_int_equal(cb_state_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &s, sizeof s);
    /* a buffer one byte short is refused, not cut */
    assert_int_equal(cb_state_encode(&s, buf, len, &len), CB_E_BUFFER);
    /* a state payload longer than its bound */
    char big[CB_STATE_PAYLOAD_MAX + 2];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"v\":1}", 7);
    assert_int_equal(cb_state_decode(big, CB_STATE_PAYLOAD_MAX + 1, &back), CB_E_TOO_LONG);
    assert_int_equal(cb_state_decode(big, CB_STATE_PAYLOAD_MAX, &back), CB_E_MISSING); /* blanks are fine */
}

/* One request object, for the decoder cases below. */
#define REQ(kind, call, status, count, pressed, by, at)                                                                \
    "{\"kind\":\"" kind "\",\"call\":" #call ",\"status\":\"" status "\",\"count\":" #count                            \
    ",\"repeats\":0,\"pressed_at\":" #pressed ",\"acked_by\":\"" by "\",\"acked_at\":" #at "}"
#define CALLING(kind, call, pressed) REQ(kind, call, "calling", 1, pressed, "", 0)

static void test_state_decode_rules(void **state)
{
    (void)state;
    cb_state s;
    struct {
        const char *status, *requests;
        cb_status want;
    } cases[] = {
        {"calling", "[" CALLING("call", 1, 5) "]", CB_OK},
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, "Ana", 6) "]", CB_OK},
        {"calling", "[" CALLING("water", 1, 5) "," CALLING("bill", 2, 5) "," CALLING("call", 3, 6) "]", CB_OK},
        {"idle", "[ ]", CB_OK},
        /* the array itself */
        {"idle", "{}", CB_E_TYPE},
        {"idle", "7", CB_E_TYPE},
        {"idle", "\"[]\"", CB_E_TYPE},
        {"calling", "[1]", CB_E_TYPE},
        {"calling", "[[]]", CB_E_TYPE},
        {"calling",
         "[" CALLING("water", 1, 5) "," CALLING("bill", 2, 5) "," CALLING("call", 3, 6) "," CALLING("call", 4, 7) "]",
         CB_E_RANGE},
        /* one request's fields */
        {"calling", "[" CALLING("cancel", 1, 5) "]", CB_E_BAD_KIND},
        {"calling", "[" CALLING("beer", 1, 5) "]", CB_E_BAD_KIND},
        {"calling", "[" CALLING("call", 0, 5) "]", CB_E_RANGE},
        {"calling", "[" CALLING("call", -1, 5) "]", CB_E_RANGE},
        {"calling", "[" CALLING("call", 1, -5) "]", CB_E_RANGE},
        {"idle", "[" REQ("call", 1, "idle", 1, 5, "", 0) "]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "ringing", 1, 5, "", 0) "]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "calling", 0, 5, "", 0) "]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "calling", 4294967296, 5, "", 0) "]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "calling", 1, 5, "Ana", 0) "]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "calling", 1, 5, "", 6) "]", CB_E_RANGE},
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, "", 6) "]", CB_E_RANGE},
        /* acked_at must be 0 unless acknowledged; 0 when acknowledged is only odd */
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, "Ana", 0) "]", CB_OK},
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, " Ana", 6) "]", CB_E_RANGE},
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, "A\\u0007", 6) "]", CB_E_RANGE},
        {"acknowledged", "[" REQ("call", 1, "acknowledged", 1, 5, "123456789012345678901234567890123", 6) "]",
         CB_E_TOO_LONG},
        {"calling",
         "[{\"kind\":\"call\",\"call\":1,\"status\":\"calling\",\"count\":1,\"repeats\":0,\"pressed_at\":5,"
         "\"acked_by\":\"\"}]",
         CB_E_MISSING},
        {"calling", "[{\"call\":1}]", CB_E_MISSING},
        {"calling", "[{\"kind\":\"call\",\"kind\":\"call\"}]", CB_E_DUPLICATE_KEY},
        /* the requests together */
        {"calling", "[" CALLING("call", 1, 5) "," CALLING("call", 2, 6) "]", CB_E_RANGE}, /* one per kind */
        {"calling", "[" CALLING("call", 1, 6) "," CALLING("bill", 2, 5) "]", CB_E_RANGE}, /* oldest first */
        {"calling", "[" CALLING("call", 2, 5) "," CALLING("bill", 1, 5) "]", CB_E_RANGE}, /* then lower call */
        {"calling", "[" CALLING("call", 1, 5) "," CALLING("bill", 1, 5) "]", CB_E_RANGE}, /* same id */
        {"idle", "[" CALLING("call", 1, 5) "]", CB_E_RANGE},                              /* status derived */
        {"acknowledged", "[" CALLING("call", 1, 5) "]", CB_E_RANGE},
        {"calling", "[]", CB_E_RANGE},
        {"calling", "[" REQ("call", 1, "acknowledged", 1, 5, "Ana", 6) "]", CB_E_RANGE},
        {"acknowledged", "[]", CB_E_RANGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[CB_STATE_PAYLOAD_SIZE];
        snprintf(buf, sizeof buf, "{\"v\":1,\"table\":\"3\",\"status\":\"%s\",\"requests\":%s,\"updated_at\":1}",
                 cases[i].status, cases[i].requests);
        cb_status st = cb_state_decode(P(buf), &s);
        if (st != cases[i].want) {
            print_message("case %zu: got %s want %s\n", i, cb_status_str(st), cb_status_str(cases[i].want));
        }
        assert_int_equal(st, cases[i].want);
    }
    assert_int_equal(cb_state_decode(P("{\"v\":1,\"table\":\"3\",\"status\":\"idle\",\"updated_at\":1}"), &s),
                     CB_E_MISSING);
    assert_int_equal(cb_state_decode(P("{\"v\":1,\"table\":\"3\",\"status\":\"idle\",\"requests\":[]}"), &s),
                     CB_E_MISSING);
    assert_int_equal(cb_state_decode(P("{\"v\":1,\"table\":\"T\"}"), &s), CB_E_BAD_ID);
    assert_int_equal(cb_state_decode(NULL, 0, &s), CB_E_ARG);
    assert_int_equal(cb_state_decode(P("{}"), NULL), CB_E_ARG);
}

static void test_state_encode_rejects(void **state)
{
    (void)state;
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    struct {
        cb_state s;
        cb_status want;
    } cases[32];
    size_t n = 0;
#define CASE(want_, edit)                                                                                              \
    do {                                                                                                               \
        cb_state s_ = example_state();                                                                                 \
        edit;                                                                                                          \
        cases[n].s = s_;                                                                                               \
        cases[n++].want = (want_);                                                                                     \
    } while (0)
    CASE(CB_E_BAD_ID, s_.table[0] = '\0');
    CASE(CB_E_BAD_ID, strcpy(s_.table, "Three"));
    CASE(CB_E_BAD_ID, memset(s_.table, 'a', sizeof s_.table));
    CASE(CB_E_RANGE, s_.status = (cb_table_status)3);
    CASE(CB_E_RANGE, s_.status = CB_IDLE);         /* says idle, has a calling request */
    CASE(CB_E_RANGE, s_.status = CB_ACKNOWLEDGED); /* says acknowledged, bill calls */
    CASE(CB_E_RANGE, s_.n_requests = 0);           /* says calling, nothing open */
    CASE(CB_E_RANGE, s_.n_requests = CB_REQUEST_MAX + 1);
    CASE(CB_E_RANGE, s_.updated_at = (uint64_t)INT64_MAX + 1u);
    CASE(CB_E_BAD_KIND, s_.requests[1].kind = CB_KIND_CANCEL);
    CASE(CB_E_BAD_KIND, s_.requests[1].kind = CB_KIND_COUNT);
    CASE(CB_E_RANGE, s_.requests[1].kind = CB_KIND_WATER);                                      /* two of one kind */
    CASE(CB_E_RANGE, s_.requests[1].pressed_at = 1764139999999ull);                             /* not oldest first */
    CASE(CB_E_RANGE, (s_.requests[1].pressed_at = 1764140000000ull, s_.requests[1].call = 16)); /* tie: lower call */
    CASE(CB_E_RANGE, s_.requests[1].call = 0);
    CASE(CB_E_RANGE, s_.requests[1].call = (uint64_t)INT64_MAX + 1u);
    CASE(CB_E_RANGE, s_.requests[1].count = 0);
    CASE(CB_E_RANGE, s_.requests[1].status = CB_IDLE);
    CASE(CB_E_RANGE, strcpy(s_.requests[1].acked_by, "Ana"));  /* acked_by on calling */
    CASE(CB_E_RANGE, s_.requests[1].acked_at = 1);             /* acked_at on calling */
    CASE(CB_E_RANGE, strcpy(s_.requests[0].acked_by, "Ana ")); /* a bad name */
    CASE(CB_E_RANGE, s_.requests[0].acked_by[0] = '\0');       /* acknowledged by nobody */
    CASE(CB_E_JSON, strcpy(s_.requests[0].acked_by, "A\xff"));
    CASE(CB_E_TOO_LONG, memset(s_.requests[0].acked_by, 'a', sizeof s_.requests[0].acked_by));
#undef CASE
    for (size_t i = 0; i < n; i++) {
        cb_status st = cb_state_encode(&cases[i].s, buf, sizeof buf, &len);
        if (st != cases[i].want) {
            print_message("case %zu: got %s want %s\n", i, cb_status_str(st), cb_status_str(cases[i].want));
        }
        assert_int_equal(st, cases[i].want);
    }
    cb_state s = example_state();
    assert_int_equal(cb_state_encode(&s, buf, sizeof buf, &len), CB_OK);
    size_t need = len + 1;
    assert_int_equal(cb_state_encode(&s, buf, need, &len), CB_OK);
    assert_int_equal(cb_state_encode(&s, buf, need - 1, &len), CB_E_BUFFER);
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

static void test_cmd_kind(void **state)
{
    (void)state;
    cb_cmd c;
    memset(&c, 0, sizeof c);
    c.action = CB_ACTION_DONE;
    strcpy(c.by, "Bo");
    c.has_kind = true;
    c.kind = CB_KIND_WATER;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_cmd back;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"action\":\"done\",\"by\":\"Bo\",\"kind\":\"water\"}");
    assert_int_equal(cb_cmd_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &c, sizeof c);
    /* kind and call together, in the order of docs/protocol.md */
    c.action = CB_ACTION_ACK;
    c.kind = CB_KIND_BILL;
    c.has_call = true;
    c.call = 18;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"action\":\"ack\",\"by\":\"Bo\",\"kind\":\"bill\",\"call\":18}");
    assert_int_equal(cb_cmd_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &c, sizeof c);
    c.kind = CB_KIND_CALL;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_cmd_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &c, sizeof c);
    /* a kind that is never a request's: refused both ways */
    c.kind = CB_KIND_CANCEL;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_BAD_KIND);
    c.kind = CB_KIND_COUNT;
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_E_BAD_KIND);
    c.has_kind = false; /* ignored when absent */
    assert_int_equal(cb_cmd_encode(&c, buf, sizeof buf, &len), CB_OK);
    assert_null(strstr(buf, "kind"));
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"kind\":\"cancel\"}"), &back),
                     CB_E_BAD_KIND);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"kind\":\"Water\"}"), &back),
                     CB_E_BAD_KIND);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"kind\":null}"), &back), CB_E_TYPE);
    /* kind is checked before call */
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"kind\":\"beer\",\"call\":0}"), &back),
                     CB_E_BAD_KIND);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\",\"kind\":\"bill\"}"), &back), CB_OK);
    assert_true(back.has_kind && back.kind == CB_KIND_BILL && !back.has_call && back.call == 0);
    assert_int_equal(cb_cmd_decode(P("{\"v\":1,\"action\":\"ack\",\"by\":\"a\"}"), &back), CB_OK);
    assert_false(back.has_kind);
}

/* ---- hub info -------------------------------------------------------------- */

static void test_hub_info_codec(void **state)
{
    (void)state;
    cb_hub_info in;
    memset(&in, 0, sizeof in);
    strcpy(in.instance, "4f2a9c01d3e5b7a8");
    strcpy(in.host, "kitchen-pi");
    in.pid = 4242;
    assert_int_equal(cb_hub_info_set_db(&in, "/var/lib/callbell/hub-demo.db"), CB_OK);
    in.started_at = 1764140000000;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"instance\":\"4f2a9c01d3e5b7a8\",\"host\":\"kitchen-pi\",\"pid\":4242,"
                             "\"db\":\"/var/lib/callbell/hub-demo.db\",\"started_at\":1764140000000}");
    cb_hub_info back;
    assert_int_equal(cb_hub_info_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&in, &back, sizeof in);

    /* the widest: every field at its bound still fits a payload */
    memset(in.host, 'h', CB_HOST_MAX);
    in.host[CB_HOST_MAX] = '\0';
    memset(in.db, 'd', CB_DB_SHOWN_MAX);
    in.db[CB_DB_SHOWN_MAX] = '\0';
    memset(in.instance, 'i', CB_ID_MAX);
    in.instance[CB_ID_MAX] = '\0';
    in.pid = UINT32_MAX;
    in.started_at = CB_JSON_SAFE_MAX;
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_hub_info_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&in, &back, sizeof in);

    in.pid = 0;
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_E_RANGE);
    in.pid = 1;
    in.host[0] = '\0';
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_E_RANGE);
    strcpy(in.host, "h");
    strcpy(in.instance, "Bad id");
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_E_BAD_ID);
    strcpy(in.instance, "x");
    in.started_at = CB_JSON_SAFE_MAX + 1;
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_E_RANGE);
    in.started_at = 0;
    strcpy(in.db, "\xff");
    assert_int_equal(cb_hub_info_encode(&in, buf, sizeof buf, &len), CB_E_JSON);
    assert_int_equal(cb_hub_info_encode(&in, buf, 10, &len), CB_E_JSON);
    strcpy(in.db, "d");
    assert_int_equal(cb_hub_info_encode(&in, buf, 10, &len), CB_E_BUFFER);
    assert_int_equal(cb_hub_info_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_hub_info_decode(NULL, 0, &back), CB_E_ARG);
}

/* A long database path keeps its end (the file's name), whole UTF-8 characters only. */
static void test_hub_info_set_db(void **state)
{
    (void)state;
    cb_hub_info in;
    memset(&in, 0, sizeof in);
    char path[400];
    memset(path, 'a', sizeof path);
    path[sizeof path - 1] = '\0';
    memcpy(path + sizeof path - 8, "/hub.db", 8);
    assert_int_equal(cb_hub_info_set_db(&in, path), CB_OK);
    assert_int_equal(strlen(in.db), CB_DB_SHOWN_MAX);
    assert_memory_equal(in.db, "...", 3);
    assert_string_equal(in.db + CB_DB_SHOWN_MAX - 7, "/hub.db");
    /* a 2-byte character across the cut is left out whole */
    memset(path, 'a', sizeof path);
    path[sizeof path - 1] = '\0';
    size_t cut = sizeof path - 1 - (CB_DB_SHOWN_MAX - 3);
    path[cut - 1] = '\xc3';
    path[cut] = '\xa9';
    assert_int_equal(cb_hub_info_set_db(&in, path), CB_OK);
    assert_int_equal(strlen(in.db), CB_DB_SHOWN_MAX - 1);
    assert_int_equal(in.db[3], 'a');
    char exact[CB_DB_SHOWN_MAX + 1];
    memset(exact, 'e', CB_DB_SHOWN_MAX);
    exact[CB_DB_SHOWN_MAX] = '\0';
    assert_int_equal(cb_hub_info_set_db(&in, exact), CB_OK);
    assert_string_equal(in.db, exact);
    assert_int_equal(cb_hub_info_set_db(&in, ""), CB_E_RANGE);
    assert_int_equal(cb_hub_info_set_db(NULL, "x"), CB_E_ARG);
    assert_int_equal(cb_hub_info_set_db(&in, NULL), CB_E_ARG);
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

/* ---- press: up_ms and sent_at ---------------------------------------------- */

static void test_press_up_ms_sent_at(void **state)
{
    (void)state;
    cb_press p = sample_press();
    memset(p.text, 0, sizeof p.text);
    p.has_battery = p.has_rssi = false;
    p.battery_mv = 0;
    p.rssi = 0;
    p.has_up_ms = true;
    p.up_ms = 5000;
    p.has_sent_at = true;
    p.sent_at = 1764140000000ull;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"device\":\"e6614103e7452d2f\",\"boot\":7,\"seq\":42,\"kind\":\"bill\","
                             "\"age_ms\":120,\"up_ms\":5000,\"sent_at\":1764140000000}");
    cb_press back;
    assert_int_equal(cb_press_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &p, sizeof p);
    /* the largest integer JavaScript holds exactly, both ways */
    p.up_ms = CB_JSON_SAFE_MAX;
    p.sent_at = CB_JSON_SAFE_MAX;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_press_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &p, sizeof p);
    p.up_ms = 0;
    p.sent_at = 0;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_press_decode(buf, len, &back), CB_OK);
    assert_true(back.has_up_ms && back.up_ms == 0 && back.has_sent_at && back.sent_at == 0);
    p.up_ms = CB_JSON_SAFE_MAX + 1u;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    p.has_up_ms = false; /* ignored when absent */
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_OK);
    p.sent_at = CB_JSON_SAFE_MAX + 1u;
    assert_int_equal(cb_press_encode(&p, buf, sizeof buf, &len), CB_E_RANGE);
    /* decoder: absent, range, type */
    const char *base = "{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"call\",\"age_ms\":5";
    struct {
        const char *rest;
        cb_status want;
    } cases[] = {
        {"}", CB_OK},
        {",\"up_ms\":9007199254740991}", CB_OK},
        {",\"up_ms\":9007199254740992}", CB_E_RANGE},
        {",\"up_ms\":-1}", CB_E_RANGE},
        {",\"up_ms\":1.5}", CB_E_TYPE},
        {",\"up_ms\":\"5\"}", CB_E_TYPE},
        {",\"up_ms\":null}", CB_E_TYPE},
        {",\"sent_at\":9007199254740991}", CB_OK},
        {",\"sent_at\":9007199254740992}", CB_E_RANGE},
        {",\"sent_at\":-1}", CB_E_RANGE},
        {",\"sent_at\":1e12}", CB_E_TYPE},
        {",\"up_ms\":1,\"up_ms\":2}", CB_E_DUPLICATE_KEY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char in[CB_PAYLOAD_SIZE];
        snprintf(in, sizeof in, "%s%s", base, cases[i].rest);
        assert_int_equal(cb_press_decode(P(in), &back), cases[i].want);
    }
    char in[CB_PAYLOAD_SIZE];
    snprintf(in, sizeof in, "%s}", base);
    assert_int_equal(cb_press_decode(P(in), &back), CB_OK);
    assert_false(back.has_up_ms || back.has_sent_at);
    assert_int_equal(back.up_ms + back.sent_at, 0);
}

/* ---- press reply ------------------------------------------------------------ */

static cb_press_reply ok_reply(void)
{
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    r.boot = 7;
    r.seq = 42;
    r.ok = true;
    strcpy(r.table, "3");
    r.kind = CB_KIND_BILL;
    r.call = 17;
    return r;
}

static cb_press_reply refusal(void)
{
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    r.boot = 7;
    r.seq = 43;
    strcpy(r.table, "9");
    r.kind = CB_KIND_CALL;
    strcpy(r.error, "unknown_table");
    strcpy(r.reason, "table 9 is not one of this site's tables: 1-4");
    return r;
}

static void test_press_reply_codec(void **state)
{
    (void)state;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_press_reply back;
    /* Byte for byte the examples of docs/protocol.md. */
    cb_press_reply r = ok_reply();
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf,
                        "{\"v\":1,\"boot\":7,\"seq\":42,\"ok\":true,\"table\":\"3\",\"kind\":\"bill\",\"call\":17}");
    assert_int_equal(len, strlen(buf));
    assert_int_equal(cb_press_reply_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &r, sizeof r);
    r = refusal();
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf,
                        "{\"v\":1,\"boot\":7,\"seq\":43,\"ok\":false,\"table\":\"9\",\"kind\":\"call\","
                        "\"error\":\"unknown_table\",\"reason\":\"table 9 is not one of this site's tables: 1-4\"}");
    assert_int_equal(cb_press_reply_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &r, sizeof r);
    /* widest: a full reason with escapes still fits a payload */
    memset(r.reason, '"', CB_REASON_MAX);
    r.reason[CB_REASON_MAX] = '\0';
    memset(r.error, 'e', CB_ERROR_NAME_MAX);
    r.error[CB_ERROR_NAME_MAX] = '\0';
    strcpy(r.table, "abcdefghijklmnopqrstuvwxyz012345");
    r.boot = UINT32_MAX;
    r.seq = UINT32_MAX;
    r.kind = CB_KIND_CANCEL;
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_OK);
    assert_true(len <= CB_PAYLOAD_MAX);
    assert_int_equal(cb_press_reply_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &r, sizeof r);
    /* ok with call 0 (a cancel, or nothing changed) is written and read */
    r = ok_reply();
    r.call = 0;
    r.kind = CB_KIND_CANCEL;
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_OK);
    assert_int_equal(cb_press_reply_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &r, sizeof r);
}

static void test_press_reply_decode_rules(void **state)
{
    (void)state;
    cb_press_reply r;
    const char *head = "{\"v\":1,\"boot\":7,\"seq\":42,";
    struct {
        const char *rest;
        cb_status want;
    } cases[] = {
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\"}", CB_OK}, /* call optional */
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\",\"call\":9223372036854775807}", CB_OK},
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\",\"call\":9223372036854775808}", CB_E_RANGE},
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\",\"call\":-1}", CB_E_RANGE},
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\",\"call\":\"1\"}", CB_E_TYPE},
        {"\"table\":\"3\",\"kind\":\"call\"}", CB_E_MISSING},
        {"\"ok\":1,\"table\":\"3\",\"kind\":\"call\"}", CB_E_TYPE},
        {"\"ok\":\"true\",\"table\":\"3\",\"kind\":\"call\"}", CB_E_TYPE},
        {"\"ok\":true,\"kind\":\"call\"}", CB_E_MISSING},
        {"\"ok\":true,\"table\":\"Three\",\"kind\":\"call\"}", CB_E_BAD_ID},
        {"\"ok\":true,\"table\":\"3\"}", CB_E_MISSING},
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"beer\"}", CB_E_BAD_KIND},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"reason\":\"r\"}", CB_E_MISSING},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"range\"}", CB_E_MISSING},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":1,\"reason\":\"r\"}", CB_E_TYPE},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"range\",\"reason\":\"a\\u0000b\"}", CB_E_RANGE},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"123456789012345678901234\",\"reason\":\"r\"}",
         CB_E_TOO_LONG},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"range\",\"reason\":\"r\"}", CB_OK},
        /* an error name is not empty and holds no NUL (it would not read back) */
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"\",\"reason\":\"r\"}", CB_E_RANGE},
        {"\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"a\\u0000b\",\"reason\":\"r\"}", CB_E_RANGE},
        /* ok: error and reason are not read; not ok: call is not */
        {"\"ok\":true,\"table\":\"3\",\"kind\":\"call\",\"error\":1,\"reason\":2}", CB_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[CB_PAYLOAD_SIZE];
        snprintf(buf, sizeof buf, "%s%s", head, cases[i].rest);
        cb_status st = cb_press_reply_decode(P(buf), &r);
        if (st != cases[i].want) {
            print_message("case %zu: got %s want %s\n", i, cb_status_str(st), cb_status_str(cases[i].want));
        }
        assert_int_equal(st, cases[i].want);
    }
    assert_int_equal(cb_press_reply_decode(P("{\"v\":1,\"boot\":7,\"seq\":0,\"ok\":true}"), &r), CB_E_RANGE);
    assert_int_equal(cb_press_reply_decode(P("{\"v\":1,\"boot\":-1,\"seq\":1,\"ok\":true}"), &r), CB_E_RANGE);
    assert_int_equal(cb_press_reply_decode(P("{\"v\":1,\"seq\":1,\"ok\":true}"), &r), CB_E_MISSING);
    assert_int_equal(
        cb_press_reply_decode(
            P("{\"v\":1,\"boot\":7,\"seq\":1,\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"call\":5,\"error\":\"x\","
              "\"reason\":\"y\"}"),
            &r),
        CB_OK);
    assert_int_equal(r.call, 0);
    assert_false(r.ok);
    /* a reason over 160 bytes */
    char buf[CB_PAYLOAD_SIZE];
    int n = snprintf(buf, sizeof buf, "%s\"ok\":false,\"table\":\"3\",\"kind\":\"call\",\"error\":\"x\",\"reason\":\"",
                     head);
    memset(buf + n, 'r', CB_REASON_MAX + 1);
    strcpy(buf + n + CB_REASON_MAX + 1, "\"}");
    assert_int_equal(cb_press_reply_decode(P(buf), &r), CB_E_TOO_LONG);
    memmove(buf + n + CB_REASON_MAX, buf + n + CB_REASON_MAX + 1, 3); /* exactly 160 */
    assert_int_equal(cb_press_reply_decode(P(buf), &r), CB_OK);
    assert_int_equal(strlen(r.reason), CB_REASON_MAX);
    assert_int_equal(cb_press_reply_decode(NULL, 0, &r), CB_E_ARG);
    assert_int_equal(cb_press_reply_decode(P("{}"), NULL), CB_E_ARG);
}

static void test_press_reply_encode_rejects(void **state)
{
    (void)state;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_press_reply r = ok_reply();
    r.seq = 0;
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_RANGE);
    r = ok_reply();
    strcpy(r.table, "T");
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_BAD_ID);
    memset(r.table, 'a', sizeof r.table);
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_BAD_ID);
    r = ok_reply();
    r.kind = CB_KIND_COUNT;
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_BAD_KIND);
    r = ok_reply();
    r.call = (uint64_t)INT64_MAX + 1u;
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_RANGE);
    r = refusal();
    memset(r.reason, 'r', sizeof r.reason);
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_TOO_LONG);
    r = refusal();
    memset(r.error, 'e', sizeof r.error);
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_TOO_LONG);
    r = refusal();
    strcpy(r.reason, "bad \xff");
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_JSON);
    r = refusal();
    r.error[0] = '\0'; /* a refusal names its error: as the decoder says */
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_E_RANGE);
    /* an ok reply's error and reason are not written, so not checked */
    r = ok_reply();
    memset(r.reason, 'r', sizeof r.reason);
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, &len), CB_OK);
    assert_null(strstr(buf, "reason"));
    r = refusal();
    assert_int_equal(cb_press_reply_encode(&r, buf, 40, &len), CB_E_BUFFER);
    assert_int_equal(cb_press_reply_encode(NULL, buf, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_press_reply_encode(&r, NULL, sizeof buf, &len), CB_E_ARG);
    assert_int_equal(cb_press_reply_encode(&r, buf, sizeof buf, NULL), CB_E_ARG);
}

/* ---- staff names and age classes (beyond the shared vectors) -------------- */

static void test_name_check(void **state)
{
    (void)state;
    struct {
        const char *name;
        size_t len;
        cb_status want;
    } cases[] = {
        {"Ana", 3, CB_OK},
        {"A", 1, CB_OK},
        {"Mary Ann", 8, CB_OK},
        {"12345678901234567890123456789012", 32, CB_OK},
        {"123456789012345678901234567890123", 33, CB_E_TOO_LONG},
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9",
         32, CB_OK},
        {"\xf0\x9f\x8d\x95 Bo", 7, CB_OK}, /* 4-byte UTF-8 */
        {"\xe6\x9d\x8e", 3, CB_OK},        /* CJK */
        {"\xc2\xa0"
         "Ana",
         5, CB_OK}, /* no-break space is not a space here */
        {"", 0, CB_E_RANGE},
        {" ", 1, CB_E_RANGE},
        {"  ", 2, CB_E_RANGE},
        {" Ana", 4, CB_E_RANGE},
        {"Ana ", 4, CB_E_RANGE},
        {"Ana", 4, CB_E_RANGE}, /* len counts the NUL: a NUL inside */
        {"A\0na", 4, CB_E_RANGE},
        {"A\tna", 4, CB_E_RANGE},
        {"A\x1b[2J", 5, CB_E_RANGE},
        {"A\x7f", 2, CB_E_RANGE},
        {"A\xc2\x80", 3, CB_E_RANGE}, /* C1 */
        {"A\xc2\x9f", 3, CB_E_RANGE},
        {"A\xc3", 2, CB_E_JSON},            /* cut */
        {"\xc0\xaf", 2, CB_E_JSON},         /* overlong */
        {"\xed\xa0\x80", 3, CB_E_JSON},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, CB_E_JSON}, /* beyond U+10FFFF */
        {"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
         "\xff\xff\xff\xff\xff\xff\xff\xff",
         33, CB_E_TOO_LONG}, /* length first */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_status st = cb_name_check(cases[i].name, cases[i].len);
        if (st != cases[i].want) {
            print_message("case %zu: got %s want %s\n", i, cb_status_str(st), cb_status_str(cases[i].want));
        }
        assert_int_equal(st, cases[i].want);
    }
    /* only the first len bytes count */
    assert_int_equal(cb_name_check("Ana ", 3), CB_OK);
    assert_int_equal(cb_name_check(NULL, 0), CB_E_ARG);
}

static cb_age_class age(uint64_t waiting_s, bool acked, uint32_t warn_s, uint32_t late_s)
{
    cb_age_thresholds t = {.warn_s = warn_s, .late_s = late_s};
    cb_age_class c = (cb_age_class)99;
    assert_int_equal(cb_age_class_of(waiting_s, acked, &t, &c), CB_OK);
    return c;
}

static void test_age_classes(void **state)
{
    (void)state;
    cb_age_thresholds t;
    assert_int_equal(cb_age_thresholds_default(&t), CB_OK);
    assert_int_equal(t.warn_s, 60);
    assert_int_equal(t.late_s, 180);
    assert_int_equal(cb_age_thresholds_default(NULL), CB_E_ARG);
    assert_int_equal(age(0, false, 60, 180), CB_AGE_NEW);
    assert_int_equal(age(59, false, 60, 180), CB_AGE_NEW);
    assert_int_equal(age(60, false, 60, 180), CB_AGE_WARN);
    assert_int_equal(age(179, false, 60, 180), CB_AGE_WARN);
    assert_int_equal(age(180, false, 60, 180), CB_AGE_LATE);
    assert_int_equal(age(UINT64_MAX, false, 60, 180), CB_AGE_LATE);
    assert_int_equal(age(UINT64_MAX, true, 60, 180), CB_AGE_ACKED);
    assert_int_equal(age(0, true, 60, 180), CB_AGE_ACKED);
    /* equal thresholds: no warn band; zero: late at once */
    assert_int_equal(age(9, false, 10, 10), CB_AGE_NEW);
    assert_int_equal(age(10, false, 10, 10), CB_AGE_LATE);
    assert_int_equal(age(0, false, 0, 0), CB_AGE_LATE);
    assert_int_equal(age(0, false, 0, 5), CB_AGE_WARN);
    assert_int_equal(age(UINT32_MAX - 1u, false, UINT32_MAX, UINT32_MAX), CB_AGE_NEW);
    cb_age_class c;
    cb_age_thresholds bad = {.warn_s = 181, .late_s = 180};
    assert_int_equal(cb_age_class_of(0, false, &bad, &c), CB_E_RANGE);
    assert_int_equal(cb_age_class_of(0, true, &bad, &c), CB_E_RANGE);
    assert_int_equal(cb_age_class_of(0, false, NULL, &c), CB_E_ARG);
    assert_int_equal(cb_age_class_of(0, false, &t, NULL), CB_E_ARG);
    static const char *const names[] = {"new", "warn", "late", "acked"};
    for (int i = 0; i < 4; i++) {
        const char *n = NULL;
        assert_int_equal(cb_age_class_name((cb_age_class)i, &n), CB_OK);
        assert_string_equal(n, names[i]);
    }
    const char *n = NULL;
    assert_int_equal(cb_age_class_name((cb_age_class)4, &n), CB_E_RANGE);
    assert_int_equal(cb_age_class_name(CB_AGE_NEW, NULL), CB_E_ARG);
    /* waiting time: whole seconds, never negative */
    uint64_t w = 99;
    assert_int_equal(cb_waiting_s(1000, 2999, &w), CB_OK);
    assert_int_equal(w, 1);
    assert_int_equal(cb_waiting_s(1000, 1000, &w), CB_OK);
    assert_int_equal(w, 0);
    assert_int_equal(cb_waiting_s(5000, 1000, &w), CB_OK);
    assert_int_equal(w, 0);
    assert_int_equal(cb_waiting_s(0, UINT64_MAX, &w), CB_OK);
    assert_int_equal(w, UINT64_MAX / 1000u);
    assert_int_equal(cb_waiting_s(0, 0, NULL), CB_E_ARG);
}

/* ---- report query ---------------------------------------------------------- */

static void test_report_query(void **state)
{
    (void)state;
    cb_query q, back;
    memset(&q, 0, sizeof q);
    strcpy(q.id, "r9");
    q.kind = CB_QUERY_REPORT;
    strcpy(q.name, "report");
    strcpy(q.reply_to, "callbell/demo/reply/w");
    q.has_since = true;
    q.since = 5;
    q.has_until = true;
    q.until = 9;
    q.by = CB_BY_DAY;
    char buf[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_query_encode(&q, buf, sizeof buf, &len), CB_OK);
    assert_string_equal(buf, "{\"v\":1,\"id\":\"r9\",\"query\":\"report\",\"since\":5,\"until\":9,\"by\":\"day\","
                             "\"reply_to\":\"callbell/demo/reply/w\"}");
    assert_int_equal(cb_query_decode(buf, len, &back), CB_OK);
    assert_memory_equal(&back, &q, sizeof q);
    /* every grouping round trips by name; none is left out */
    for (int b = CB_BY_NONE; b <= CB_BY_SECTION; b++) {
        const char *name = NULL;
        cb_report_by parsed = CB_BY_NONE;
        assert_int_equal(cb_report_by_name((cb_report_by)b, &name), CB_OK);
        if (b == CB_BY_NONE) {
            assert_string_equal(name, "");
            assert_int_equal(cb_report_by_parse(name, &parsed), CB_E_RANGE);
        } else {
            assert_int_equal(cb_report_by_parse(name, &parsed), CB_OK);
            assert_int_equal(parsed, b);
        }
    }
    const char *name = NULL;
    assert_int_equal(cb_report_by_name((cb_report_by)(CB_BY_SECTION + 1), &name), CB_E_ARG);
    assert_int_equal(cb_report_by_parse(NULL, &(cb_report_by){0}), CB_E_ARG);
    assert_int_equal(cb_report_by_parse("Hour", &(cb_report_by){0}), CB_E_RANGE);
    /* the encoder refuses what the decoder would */
    q.until = 0;
    assert_int_equal(cb_query_encode(&q, buf, sizeof buf, &len), CB_E_RANGE);
    q.until = 9;
    q.by = (cb_report_by)42;
    assert_int_equal(cb_query_encode(&q, buf, sizeof buf, &len), CB_E_RANGE);
    /* a "by" holding a NUL is not a grouping */
    assert_int_equal(
        cb_query_decode(P("{\"v\":1,\"id\":\"a\",\"reply_to\":\"t\",\"query\":\"report\",\"by\":\"day\\u0000\"}"),
                        &back),
        CB_E_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_press_encode_exact),
        cmocka_unit_test(test_press_round_trip_extremes),
        cmocka_unit_test(test_press_encode_rejects),
        cmocka_unit_test(test_press_decode_order_and_edges),
        cmocka_unit_test(test_press_text),
        cmocka_unit_test(test_press_up_ms_sent_at),
        cmocka_unit_test(test_press_reply_codec),
        cmocka_unit_test(test_press_reply_decode_rules),
        cmocka_unit_test(test_press_reply_encode_rejects),
        cmocka_unit_test(test_state_status),
        cmocka_unit_test(test_state_encode_exact),
        cmocka_unit_test(test_state_round_trip_widest),
        cmocka_unit_test(test_state_decode_rules),
        cmocka_unit_test(test_state_encode_rejects),
        cmocka_unit_test(test_cmd_codec),
        cmocka_unit_test(test_cmd_kind),
        cmocka_unit_test(test_info_codec),
        cmocka_unit_test(test_hub_info_codec),
        cmocka_unit_test(test_hub_info_set_db),
        cmocka_unit_test(test_name_check),
        cmocka_unit_test(test_age_classes),
        cmocka_unit_test(test_report_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
