/* test_device.c - the table device engine against a fake MQTT port that records
 * every publish and subscribe. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "callbell/device.h"

#define MAX_PUBS 64

typedef struct pub {
    char topic[CB_TOPIC_SIZE];
    char payload[CB_PAYLOAD_SIZE];
    size_t len;
    int qos;
    bool retain;
    uint16_t mid;
} pub;

typedef struct fake_port {
    pub pubs[MAX_PUBS];
    int npubs;
    char subs[16][CB_TOPIC_SIZE];
    int nsubs;
    uint16_t next_mid;
    int refuse_publish; /* refuse the next N publishes with CB_E_FULL */
    int refuse_subscribe;
} fake_port;

typedef struct log_rec {
    cb_device_event ev;
    char table[CB_ID_SIZE];
    cb_kind kind;
    uint32_t detail;
} log_rec;

static log_rec logs[64];
static int nlogs;

static cb_status fake_publish(void *ctx, const char *topic, const void *payload, size_t len, int qos, bool retain,
                              uint16_t *mid)
{
    fake_port *f = ctx;
    if (f->refuse_publish > 0) {
        f->refuse_publish--;
        return CB_E_FULL;
    }
    assert_true(f->npubs < MAX_PUBS);
    assert_true(len <= CB_PAYLOAD_MAX);
    pub *p = &f->pubs[f->npubs++];
    snprintf(p->topic, sizeof p->topic, "%s", topic);
    memcpy(p->payload, payload, len);
    p->payload[len] = '\0';
    p->len = len;
    p->qos = qos;
    p->retain = retain;
    p->mid = ++f->next_mid;
    *mid = p->mid;
    return CB_OK;
}

static cb_status fake_subscribe(void *ctx, const char *filter, int qos)
{
    fake_port *f = ctx;
    assert_int_equal(qos, 1);
    if (f->refuse_subscribe > 0) {
        f->refuse_subscribe--;
        return CB_E_FULL;
    }
    snprintf(f->subs[f->nsubs++], CB_TOPIC_SIZE, "%s", filter);
    return CB_OK;
}

static void fake_log(void *ctx, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail)
{
    (void)ctx;
    if (nlogs < 64) {
        logs[nlogs].ev = ev;
        snprintf(logs[nlogs].table, CB_ID_SIZE, "%s", table ? table : "");
        logs[nlogs].kind = kind;
        logs[nlogs].detail = detail;
        nlogs++;
    }
}

static fake_port port_state;

/* Device "d1" at site "demo": button 0 = table 3 call, 1 = table 3 bill,
 * 2 = table 4 call, 3 = table 3 cancel. */
static void setup_device(cb_device *dev)
{
    memset(&port_state, 0, sizeof port_state);
    nlogs = 0;
    cb_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.site, "demo");
    strcpy(cfg.device, "d1");
    cfg.boot = 7;
    strcpy(cfg.buttons[0].table, "3");
    cfg.buttons[0].kind = CB_KIND_CALL;
    strcpy(cfg.buttons[1].table, "3");
    cfg.buttons[1].kind = CB_KIND_BILL;
    strcpy(cfg.buttons[2].table, "4");
    cfg.buttons[2].kind = CB_KIND_CALL;
    strcpy(cfg.buttons[3].table, "3");
    cfg.buttons[3].kind = CB_KIND_CANCEL;
    cfg.button_count = 4;
    cfg.active_high = true;
    cfg.log = fake_log;
    cb_mqtt_port port = {.ctx = &port_state, .publish = fake_publish, .subscribe = fake_subscribe};
    assert_int_equal(cb_device_init(dev, &cfg, &port), CB_OK);
}

/* A clean press: edge up at t, down at t + 80. */
static void click(cb_device *dev, uint8_t button, uint32_t t)
{
    assert_int_equal(cb_device_edge(dev, button, true, t), CB_OK);
    assert_int_equal(cb_device_edge(dev, button, false, t + 80), CB_OK);
}

/* The press publishes, in order, as (seq, kind, age_ms) after decoding. */
static int press_pubs(cb_press *out, int max)
{
    int n = 0;
    for (int i = 0; i < port_state.npubs && n < max; i++) {
        if (strstr(port_state.pubs[i].topic, "/press") != NULL) {
            assert_int_equal(cb_press_decode(port_state.pubs[i].payload, port_state.pubs[i].len, &out[n]), CB_OK);
            assert_int_equal(port_state.pubs[i].qos, 1);
            assert_false(port_state.pubs[i].retain);
            n++;
        }
    }
    return n;
}

static uint16_t mid_of_seq(uint32_t seq)
{
    uint16_t mid = 0;
    for (int i = 0; i < port_state.npubs; i++) {
        cb_press p;
        if (strstr(port_state.pubs[i].topic, "/press") != NULL &&
            cb_press_decode(port_state.pubs[i].payload, port_state.pubs[i].len, &p) == CB_OK && p.seq == seq) {
            mid = port_state.pubs[i].mid; /* the last copy */
        }
    }
    return mid;
}

static void state_msg(cb_device *dev, const char *table, const char *status, uint64_t call, uint32_t now,
                      cb_status want)
{
    cb_state s;
    memset(&s, 0, sizeof s);
    strcpy(s.table, table);
    assert_int_equal(cb_table_status_parse(status, strlen(status), &s.status), CB_OK);
    if (s.status != CB_IDLE) {
        cb_request *r = &s.requests[s.n_requests++];
        r->kind = CB_KIND_CALL;
        r->call = call;
        r->status = s.status;
        r->count = 1;
        r->pressed_at = 1;
        if (s.status == CB_ACKNOWLEDGED) {
            strcpy(r->acked_by, "Ana");
            r->acked_at = 1 + call; /* each request's ack is a moment of its own */
        }
    }
    s.updated_at = 3;
    char payload[CB_STATE_PAYLOAD_SIZE];
    char topic[CB_TOPIC_SIZE];
    size_t len = 0;
    assert_int_equal(cb_state_encode(&s, payload, sizeof payload, &len), CB_OK);
    assert_int_equal(cb_topic_build(CB_TOPIC_STATE, "demo", table, topic, sizeof topic), CB_OK);
    assert_int_equal(cb_device_message(dev, topic, strlen(topic), payload, len, now), want);
}

static cb_led_mode led(const cb_device *dev, uint8_t table, uint32_t now)
{
    cb_led_mode m = (cb_led_mode)99;
    assert_int_equal(cb_device_led_mode(dev, table, now, &m), CB_OK);
    return m;
}

static void test_init_validation(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(dev.table_count, 2);
    assert_string_equal(dev.tables[0].id, "3");
    assert_string_equal(dev.tables[1].id, "4");
    assert_int_equal(dev.button_table[2], 1);
    assert_int_equal(dev.cfg.debounce_ms, CB_DEBOUNCE_DEFAULT_MS);

    cb_device_config cfg = dev.cfg;
    cb_mqtt_port port = dev.port;
    cfg.button_count = 0;
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_RANGE);
    cfg.button_count = CB_DEVICE_MAX_BUTTONS + 1;
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_RANGE);
    cfg.button_count = 4;
    strcpy(cfg.buttons[1].table, "T3");
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_BAD_ID);
    strcpy(cfg.buttons[1].table, "3");
    cfg.buttons[1].kind = CB_KIND_COUNT;
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_BAD_KIND);
    cfg.buttons[1].kind = CB_KIND_BILL;
    strcpy(cfg.site, "");
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_BAD_ID);
    strcpy(cfg.site, "demo");
    strcpy(cfg.device, "D 1");
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_BAD_ID);
    strcpy(cfg.device, "d1");
    cfg.debounce_ms = 5000;
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_E_RANGE);
    cfg.debounce_ms = 10;
    assert_int_equal(cb_device_init(NULL, &cfg, &port), CB_E_ARG);
    assert_int_equal(cb_device_init(&dev, NULL, &port), CB_E_ARG);
    assert_int_equal(cb_device_init(&dev, &cfg, NULL), CB_E_ARG);
    cb_mqtt_port bad = port;
    bad.publish = NULL;
    assert_int_equal(cb_device_init(&dev, &cfg, &bad), CB_E_ARG);
    assert_int_equal(cb_device_init(&dev, &cfg, &port), CB_OK);
    assert_int_equal(dev.cfg.debounce_ms, 10);
}

static void test_will_and_connect(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    char topic[CB_TOPIC_SIZE];
    const char *payload = NULL;
    assert_int_equal(cb_device_will(&dev, topic, sizeof topic, &payload), CB_OK);
    assert_string_equal(topic, "callbell/demo/device/d1/status");
    assert_string_equal(payload, "offline");
    assert_int_equal(cb_device_will(&dev, topic, 10, &payload), CB_E_BUFFER);
    assert_int_equal(cb_device_will(NULL, topic, sizeof topic, &payload), CB_E_ARG);
    assert_int_equal(cb_device_will(&dev, NULL, sizeof topic, &payload), CB_E_ARG);
    assert_int_equal(cb_device_will(&dev, topic, sizeof topic, NULL), CB_E_ARG);

    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    assert_int_equal(port_state.npubs, 1);
    assert_string_equal(port_state.pubs[0].topic, "callbell/demo/device/d1/status");
    assert_string_equal(port_state.pubs[0].payload, "online");
    assert_true(port_state.pubs[0].retain);
    assert_int_equal(port_state.pubs[0].qos, 1);
    assert_int_equal(port_state.nsubs, 4);
    assert_string_equal(port_state.subs[0], "callbell/demo/table/3/state");
    assert_string_equal(port_state.subs[1], "callbell/demo/table/4/state");
    assert_string_equal(port_state.subs[2], "callbell/demo/reply/d1"); /* the hub's answers */
    assert_string_equal(port_state.subs[3], "callbell/demo/hub/status");
    assert_true(dev.subscribed);
    assert_int_equal(cb_device_connected(NULL, 0), CB_E_ARG);
    assert_int_equal(cb_device_disconnected(NULL), CB_E_ARG);
}

static void test_connect_retries_when_busy(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    port_state.refuse_subscribe = 1;
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    assert_false(dev.subscribed);
    click(&dev, 0, 100);
    /* poll first completes the announcement, then sends */
    assert_int_equal(cb_device_poll(&dev, 200), CB_OK);
    assert_true(dev.subscribed);
    assert_int_equal(port_state.nsubs, 4);
    cb_press p[4];
    assert_int_equal(press_pubs(p, 4), 1);
}

static void test_bouncing_edges_one_press(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    uint32_t t = 1000;
    /* Bounces for 20 ms, then held: one press, timed at the first touch. */
    for (int i = 0; i < 11; i++) {
        assert_int_equal(cb_device_edge(&dev, 0, (i % 2) == 0, t + (uint32_t)i * 2), CB_OK);
    }
    assert_int_equal(cb_device_poll(&dev, 1100), CB_OK);
    cb_press p[4];
    assert_int_equal(press_pubs(p, 4), 1);
    assert_string_equal(p[0].device, "d1");
    assert_int_equal(p[0].boot, 7);
    assert_int_equal(p[0].seq, 1);
    assert_int_equal(p[0].kind, CB_KIND_CALL);
    assert_int_equal(p[0].age_ms, 100);
    assert_string_equal(p[0].text, "Table 3: call");
    assert_false(p[0].has_battery);
    assert_string_equal(port_state.pubs[1].topic, "callbell/demo/table/3/press");
    assert_int_equal(logs[0].ev, CB_EV_PRESS_QUEUED);
    assert_int_equal(logs[0].detail, 1);
    assert_int_equal(cb_device_edge(&dev, 8, true, 0), CB_E_RANGE);
    assert_int_equal(cb_device_edge(NULL, 0, true, 0), CB_E_ARG);
}

static void test_offline_queue_sent_in_order(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_set_vitals(&dev, 3900, -60), CB_OK);
    /* Presses while disconnected: nothing is published. */
    click(&dev, 0, 1000);
    click(&dev, 2, 2000);
    click(&dev, 1, 3000);
    click(&dev, 0, 4000); /* merges into the first (never sent) */
    assert_int_equal(cb_device_poll(&dev, 5000), CB_OK);
    assert_int_equal(port_state.npubs, 0);
    uint32_t n = 0;
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 3);
    bool merged_logged = false;
    for (int i = 0; i < nlogs; i++) {
        merged_logged |= logs[i].ev == CB_EV_PRESS_MERGED;
    }
    assert_true(merged_logged);
    /* Connect: sent oldest first, with their original ages. */
    assert_int_equal(cb_device_connected(&dev, 9000), CB_OK);
    assert_int_equal(cb_device_poll(&dev, 10000), CB_OK);
    cb_press p[8];
    assert_int_equal(press_pubs(p, 8), 3);
    assert_int_equal(p[0].seq, 1);
    assert_int_equal(p[0].kind, CB_KIND_CALL);
    assert_int_equal(p[0].age_ms, 9000);
    assert_int_equal(p[1].seq, 2);
    assert_string_equal(port_state.pubs[2].topic, "callbell/demo/table/4/press");
    assert_int_equal(p[1].age_ms, 8000);
    assert_int_equal(p[2].seq, 3);
    assert_int_equal(p[2].kind, CB_KIND_BILL);
    assert_true(p[2].has_battery && p[2].battery_mv == 3900 && p[2].has_rssi && p[2].rssi == -60);
    /* A second poll sends nothing new. */
    assert_int_equal(cb_device_poll(&dev, 10001), CB_OK);
    assert_int_equal(press_pubs(p, 8), 3);
}

/* The hub's answer to press (boot, seq) arrives at `now`. */
static cb_status reply_msg(cb_device *dev, uint32_t boot, uint32_t seq, bool ok, uint32_t now)
{
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    r.boot = boot;
    r.seq = seq;
    r.ok = ok;
    strcpy(r.table, "3");
    r.kind = CB_KIND_CALL;
    r.call = ok ? 5 : 0;
    if (!ok) {
        strcpy(r.error, "unknown_table");
        strcpy(r.reason, "table 3 is not one of this site's tables: 1-2");
    }
    char payload[CB_PAYLOAD_SIZE];
    size_t len = 0;
    assert_int_equal(cb_press_reply_encode(&r, payload, sizeof payload, &len), CB_OK);
    const char *topic = "callbell/demo/reply/d1";
    return cb_device_message(dev, topic, strlen(topic), payload, len, now);
}

static void test_press_kept_until_the_hub_answers(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    click(&dev, 0, 100);
    click(&dev, 2, 200);
    assert_int_equal(cb_device_poll(&dev, 300), CB_OK);
    uint32_t n = 0;
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 2);
    /* the broker's PUBACK is not enough: a broker can lose what it acknowledged */
    assert_int_equal(cb_device_puback(&dev, mid_of_seq(2)), CB_OK);
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(logs[nlogs - 1].ev, CB_EV_PRESS_ACKED);
    assert_int_equal(logs[nlogs - 1].detail, 2);
    assert_string_equal(logs[nlogs - 1].table, "4");
    /* Unknown mid (the "online" message) is fine. */
    assert_int_equal(cb_device_puback(&dev, port_state.pubs[0].mid), CB_OK);
    assert_int_equal(cb_device_puback(&dev, 9999), CB_OK);
    /* the hub stored seq 2: it leaves */
    assert_int_equal(reply_msg(&dev, 7, 2, true, 400), CB_OK);
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(logs[nlogs - 1].ev, CB_EV_PRESS_STORED);
    assert_int_equal(logs[nlogs - 1].detail, 2);
    /* a second answer (to a resend), an earlier boot's, a bad one: nothing changes */
    assert_int_equal(reply_msg(&dev, 7, 2, true, 410), CB_OK);
    assert_int_equal(reply_msg(&dev, 6, 1, true, 420), CB_OK);
    const char *topic = "callbell/demo/reply/d1";
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), "{}", 2, 430), CB_E_MISSING);
    const char *other = "callbell/demo/reply/d2";
    assert_int_equal(cb_device_message(&dev, other, strlen(other), "{}", 2, 430), CB_OK);
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 1);
    /* a hub coming online gets what it has not answered again, same seq */
    cb_press again[8];
    int before = press_pubs(again, 8);
    const char *hub = "callbell/demo/hub/status";
    assert_int_equal(cb_device_message(&dev, hub, strlen(hub), "offline", 7, 435), CB_OK);
    assert_int_equal(cb_device_poll(&dev, 436), CB_OK);
    assert_int_equal(press_pubs(again, 8), before);
    assert_int_equal(cb_device_message(&dev, hub, strlen(hub), "online", 6, 437), CB_OK);
    assert_int_equal(cb_device_poll(&dev, 438), CB_OK);
    assert_int_equal(press_pubs(again, 8), before + 1);
    assert_int_equal(again[before].seq, 1);
    /* an answer may come before the PUBACK */
    assert_int_equal(reply_msg(&dev, 7, 1, true, 440), CB_OK);
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cb_device_puback(&dev, mid_of_seq(1)), CB_OK);
    assert_int_equal(cb_device_puback(NULL, 1), CB_E_ARG);
}

static void test_refused_press_shows_on_the_led(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    click(&dev, 0, 100);
    assert_int_equal(cb_device_poll(&dev, 200), CB_OK);
    assert_int_equal(led(&dev, 0, 250), CB_LED_SLOW);
    assert_int_equal(reply_msg(&dev, 7, 1, false, 1000), CB_OK);
    assert_int_equal(logs[nlogs - 1].ev, CB_EV_PRESS_REFUSED);
    uint32_t n = 9;
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 0);
    /* double blink for 5 s on that table (and overall), then back to normal */
    assert_int_equal(led(&dev, 0, 1000), CB_LED_DOUBLE);
    assert_int_equal(led(&dev, 1, 1000), CB_LED_OFF);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 5999), CB_LED_DOUBLE);
    assert_int_equal(led(&dev, 0, 6000), CB_LED_OFF);
    assert_int_equal(cb_device_poll(&dev, 6000), CB_OK);
    assert_int_equal(led(&dev, 0, 1000), CB_LED_OFF); /* the wrapping counter cannot relight it */
    bool on = false;
    assert_int_equal(cb_led_lit(CB_LED_DOUBLE, 50, &on), CB_OK);
    assert_true(on);
    assert_int_equal(cb_led_lit(CB_LED_DOUBLE, 150, &on), CB_OK);
    assert_false(on);
    assert_int_equal(cb_led_lit(CB_LED_DOUBLE, 250, &on), CB_OK);
    assert_true(on);
    assert_int_equal(cb_led_lit(CB_LED_DOUBLE, 600, &on), CB_OK);
    assert_false(on);
}

static void test_disconnect_resends_same_seq(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    click(&dev, 0, 100);
    click(&dev, 2, 200);
    click(&dev, 1, 300);
    assert_int_equal(cb_device_poll(&dev, 400), CB_OK);
    assert_int_equal(cb_device_puback(&dev, mid_of_seq(2)), CB_OK); /* the broker has only 2 */
    assert_int_equal(cb_device_disconnected(&dev), CB_OK);
    int before = port_state.npubs;
    assert_int_equal(cb_device_poll(&dev, 500), CB_OK); /* offline: nothing */
    assert_int_equal(port_state.npubs, before);
    /* A press while offline queues behind the resends. */
    click(&dev, 0, 600); /* seq 1 was sent once: not merged */
    assert_int_equal(cb_device_connected(&dev, 5000), CB_OK);
    assert_int_equal(cb_device_poll(&dev, 5000), CB_OK);
    cb_press p[16];
    int n = press_pubs(p, 16);
    assert_int_equal(n, 7);
    /* first session: 1 2 3; second: 1 2 3 4, same seqs, larger age -- 2 too, which
     * only the broker had: the hub has not answered it, and a broker may lose it */
    assert_int_equal(p[3].seq, 1);
    assert_int_equal(p[3].age_ms, 4900);
    assert_true(p[3].age_ms > p[0].age_ms);
    assert_int_equal(p[4].seq, 2);
    assert_int_equal(p[5].seq, 3);
    assert_int_equal(p[5].kind, CB_KIND_BILL);
    assert_int_equal(p[6].seq, 4);
    assert_int_equal(p[6].kind, CB_KIND_CALL);
    /* The old session's mids no longer change anything. */
    uint32_t count = 0;
    assert_int_equal(cb_device_puback(&dev, port_state.pubs[1].mid), CB_OK);
    assert_int_equal(cb_outbox_count(&dev.outbox, &count), CB_OK);
    assert_int_equal(count, 4);
}

static void test_inflight_limit_and_busy_client(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    /* 6 distinct entries: alternate buttons so nothing merges once sent. */
    for (int i = 0; i < 6; i++) {
        click(&dev, (uint8_t)(i % 3), 1000u + (uint32_t)i * 1000u);
        assert_int_equal(cb_device_poll(&dev, 1000u + (uint32_t)i * 1000u + 100u), CB_OK);
    }
    cb_press p[16];
    assert_int_equal(press_pubs(p, 16), CB_DEVICE_INFLIGHT);
    assert_int_equal(cb_device_puback(&dev, mid_of_seq(1)), CB_OK);
    /* The client refuses once: nothing is lost, order kept. */
    port_state.refuse_publish = 1;
    assert_int_equal(cb_device_poll(&dev, 9000), CB_OK);
    assert_int_equal(press_pubs(p, 16), CB_DEVICE_INFLIGHT);
    assert_int_equal(cb_device_poll(&dev, 9001), CB_OK);
    assert_int_equal(press_pubs(p, 16), CB_DEVICE_INFLIGHT + 1);
    assert_int_equal(p[CB_DEVICE_INFLIGHT].seq, 5);
    assert_int_equal(cb_device_poll(NULL, 0), CB_E_ARG);
}

static void test_led_modes(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    /* not connected: fast */
    assert_int_equal(led(&dev, 0, 0), CB_LED_FAST);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 0), CB_LED_FAST);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    assert_int_equal(led(&dev, 0, 10), CB_LED_OFF);
    /* a press waiting: slow for its table only */
    click(&dev, 0, 100);
    assert_int_equal(led(&dev, 0, 200), CB_LED_SLOW);
    assert_int_equal(led(&dev, 1, 200), CB_LED_OFF);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 200), CB_LED_SLOW);
    assert_int_equal(cb_device_poll(&dev, 200), CB_OK);
    assert_int_equal(led(&dev, 0, 250), CB_LED_SLOW); /* in flight, still waiting */
    assert_int_equal(cb_device_puback(&dev, mid_of_seq(1)), CB_OK);
    assert_int_equal(led(&dev, 0, 300), CB_LED_SLOW); /* the broker has it, the hub not yet */
    assert_int_equal(reply_msg(&dev, 7, 1, true, 300), CB_OK);
    assert_int_equal(led(&dev, 0, 300), CB_LED_OFF);
    /* table calling: slow */
    state_msg(&dev, "3", "calling", 17, 400, CB_OK);
    assert_int_equal(led(&dev, 0, 400), CB_LED_SLOW);
    /* acknowledged: on for 5 s, then off */
    state_msg(&dev, "3", "acknowledged", 17, 1000, CB_OK);
    assert_int_equal(led(&dev, 0, 1000), CB_LED_ON);
    assert_int_equal(led(&dev, 0, 5999), CB_LED_ON);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 5999), CB_LED_ON);
    assert_int_equal(led(&dev, 0, 6000), CB_LED_OFF);
    /* the same ack again (retained copy on reconnect) does not relight it */
    assert_int_equal(cb_device_poll(&dev, 6000), CB_OK);
    state_msg(&dev, "3", "acknowledged", 17, 7000, CB_OK);
    assert_int_equal(led(&dev, 0, 7000), CB_LED_OFF);
    /* ... not even when the ms counter comes round again (2^32 ms later it reads
     * 2000, 1000 ms after the ack was seen) */
    assert_int_equal(led(&dev, 0, 2000), CB_LED_OFF);
    /* a new ack (another call) does */
    state_msg(&dev, "3", "acknowledged", 18, 8000, CB_OK);
    assert_int_equal(led(&dev, 0, 8000), CB_LED_ON);
    /* urgency: table 4 calling beats table 3's on */
    state_msg(&dev, "4", "calling", 20, 8100, CB_OK);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 8100), CB_LED_SLOW);
    state_msg(&dev, "4", "idle", 0, 8200, CB_OK);
    assert_int_equal(led(&dev, 1, 8200), CB_LED_OFF);
    /* disconnected beats all */
    assert_int_equal(cb_device_disconnected(&dev), CB_OK);
    assert_int_equal(led(&dev, 0, 8300), CB_LED_FAST);
    assert_int_equal(led(&dev, CB_ALL_TABLES, 8300), CB_LED_FAST);
    cb_led_mode m;
    assert_int_equal(cb_device_led_mode(&dev, 2, 0, &m), CB_E_RANGE);
    assert_int_equal(cb_device_led_mode(NULL, 0, 0, &m), CB_E_ARG);
    assert_int_equal(cb_device_led_mode(&dev, 0, 0, NULL), CB_E_ARG);
}

static void test_led_lit(void **state)
{
    (void)state;
    bool on = false;
    assert_int_equal(cb_led_lit(CB_LED_OFF, 0, &on), CB_OK);
    assert_false(on);
    assert_int_equal(cb_led_lit(CB_LED_ON, 123, &on), CB_OK);
    assert_true(on);
    /* slow: 1 Hz, 50 % */
    int lit = 0;
    for (uint32_t t = 0; t < 1000; t++) {
        assert_int_equal(cb_led_lit(CB_LED_SLOW, t, &on), CB_OK);
        lit += on;
    }
    assert_int_equal(lit, 500);
    assert_int_equal(cb_led_lit(CB_LED_SLOW, 499, &on), CB_OK);
    assert_true(on);
    assert_int_equal(cb_led_lit(CB_LED_SLOW, 500, &on), CB_OK);
    assert_false(on);
    /* fast: 5 Hz, 50 % -> 5 on/off cycles per second */
    int changes = 0;
    bool prev = true;
    lit = 0;
    for (uint32_t t = 0; t < 1000; t++) {
        assert_int_equal(cb_led_lit(CB_LED_FAST, t, &on), CB_OK);
        lit += on;
        changes += (t > 0 && on != prev);
        prev = on;
    }
    assert_int_equal(lit, 500);
    assert_int_equal(changes, 9);
    assert_int_equal(cb_led_lit((cb_led_mode)9, 0, &on), CB_E_RANGE);
    assert_int_equal(cb_led_lit(CB_LED_ON, 0, NULL), CB_E_ARG);
}

static void test_messages(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    /* other tables, other sites, other topics: ignored */
    state_msg(&dev, "5", "calling", 17, 10, CB_OK);
    assert_false(dev.tables[0].has_state || dev.tables[1].has_state);
    const char *other_site = "callbell/other/table/3/state";
    const char *good =
        "{\"v\":1,\"table\":\"3\",\"status\":\"calling\",\"requests\":[{\"kind\":\"call\",\"call\":1,"
        "\"status\":\"calling\",\"count\":1,\"repeats\":0,\"pressed_at\":1,\"acked_by\":\"\",\"acked_at\":0}],"
        "\"updated_at\":1}";
    assert_int_equal(cb_device_message(&dev, other_site, strlen(other_site), good, strlen(good), 10), CB_OK);
    const char *press_topic = "callbell/demo/table/3/press";
    assert_int_equal(cb_device_message(&dev, press_topic, strlen(press_topic), "junk", 4, 10), CB_OK);
    assert_int_equal(cb_device_message(&dev, "x", 1, "junk", 4, 10), CB_OK);
    assert_false(dev.tables[0].has_state);
    /* ours */
    const char *topic = "callbell/demo/table/3/state";
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), good, strlen(good), 10), CB_OK);
    assert_true(dev.tables[0].has_state);
    assert_int_equal(dev.tables[0].status, CB_CALLING);
    assert_int_equal(logs[nlogs - 1].ev, CB_EV_STATE);
    /* bad payloads: rejected, logged, state kept */
    nlogs = 0;
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), "{bad", 4, 20), CB_E_JSON);
    assert_int_equal(logs[0].ev, CB_EV_BAD_MESSAGE);
    assert_int_equal(logs[0].detail, CB_E_JSON);
    const char *v2 = "{\"v\":2}";
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), v2, strlen(v2), 20), CB_E_VERSION);
    /* payload for another table on our topic */
    const char *wrong = "{\"v\":1,\"table\":\"4\",\"status\":\"idle\",\"requests\":[],\"updated_at\":1}";
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), wrong, strlen(wrong), 20), CB_E_BAD_ID);
    assert_int_equal(dev.tables[0].status, CB_CALLING);
    /* a retained message being cleared: state unknown again */
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), NULL, 0, 30), CB_OK);
    assert_false(dev.tables[0].has_state);
    assert_int_equal(cb_device_message(NULL, topic, strlen(topic), good, strlen(good), 10), CB_E_ARG);
    assert_int_equal(cb_device_message(&dev, NULL, 0, good, strlen(good), 10), CB_E_ARG);
    assert_int_equal(cb_device_message(&dev, topic, strlen(topic), NULL, 5, 10), CB_E_ARG);
}

static void test_vitals_and_info(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_set_vitals(&dev, 10001, -50), CB_E_RANGE);
    assert_int_equal(cb_device_set_vitals(&dev, 3000, 1), CB_E_RANGE);
    assert_int_equal(cb_device_set_vitals(&dev, 3000, -128), CB_E_RANGE);
    assert_false(dev.has_vitals);
    assert_int_equal(cb_device_set_vitals(&dev, 3000, -127), CB_OK);
    assert_int_equal(cb_device_set_vitals(NULL, 3000, -1), CB_E_ARG);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    cb_info in;
    memset(&in, 0, sizeof in);
    strcpy(in.fw, "0.1.0");
    strcpy(in.tables, "3,4");
    in.uptime_s = 60;
    assert_int_equal(cb_device_publish_info(&dev, &in), CB_OK);
    pub *p = &port_state.pubs[port_state.npubs - 1];
    assert_string_equal(p->topic, "callbell/demo/device/d1/info");
    assert_true(p->retain);
    assert_int_equal(p->qos, 1);
    cb_info back;
    assert_int_equal(cb_info_decode(p->payload, p->len, &back), CB_OK);
    assert_memory_equal(&in, &back, sizeof in);
    /* The PUBACK of info is not a press: harmless. */
    assert_int_equal(cb_device_puback(&dev, p->mid), CB_OK);
    in.has_rssi = true;
    in.rssi = 9;
    assert_int_equal(cb_device_publish_info(&dev, &in), CB_E_RANGE);
    assert_int_equal(cb_device_publish_info(NULL, &in), CB_E_ARG);
    assert_int_equal(cb_device_publish_info(&dev, NULL), CB_E_ARG);
}

/* The glitch: a 20 us pulse (both edges in one ms) on the table 2 call
 * button queued a call. Now nothing, whether the interrupt saw it or only a read. */
static void test_glitch_queues_nothing(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    nlogs = 0;
    assert_int_equal(cb_device_edge(&dev, 1, true, 1000), CB_OK);
    assert_int_equal(cb_device_edge(&dev, 1, false, 1000), CB_OK);
    assert_int_equal(cb_device_sample(&dev, 2, true, 1010), CB_OK); /* a read caught one */
    assert_int_equal(cb_device_sample(&dev, 2, false, 1020), CB_OK);
    for (uint32_t t = 1030; t < 2000; t += 10) {
        assert_int_equal(cb_device_sample(&dev, 1, false, t), CB_OK);
        assert_int_equal(cb_device_poll(&dev, t), CB_OK);
    }
    uint32_t n = 99;
    assert_int_equal(cb_outbox_count(&dev.outbox, &n), CB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(nlogs, 0);
    assert_int_equal(cb_device_sample(&dev, 8, true, 0), CB_E_RANGE);
    assert_int_equal(cb_device_sample(NULL, 0, true, 0), CB_E_ARG);
}

/* A press still held after the debounce time is noticed by the poll, timed at its
 * first edge. */
static void test_held_press_settles_in_poll(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    nlogs = 0;
    assert_int_equal(cb_device_edge(&dev, 0, true, 1000), CB_OK);
    assert_int_equal(cb_device_poll(&dev, 1029), CB_OK);
    assert_int_equal(nlogs, 0);
    assert_int_equal(cb_device_poll(&dev, 1030), CB_OK);
    assert_int_equal(logs[0].ev, CB_EV_PRESS_QUEUED);
    cb_press p[4];
    assert_int_equal(press_pubs(p, 4), 1);
    assert_int_equal(p[0].age_ms, 30);
}

static void test_outbox_full_drops(void **state)
{
    (void)state;
    /* Only reachable by sending every pair; push directly to fill it. */
    cb_device dev;
    setup_device(&dev);
    for (uint32_t i = 0; i < CB_OUTBOX_CAP; i++) {
        assert_int_equal(cb_outbox_push(&dev.outbox, (uint8_t)(i % 2), CB_KIND_WATER, 0, NULL, NULL), CB_OK);
        assert_int_equal(cb_outbox_sent(&dev.outbox, i + 1, (uint16_t)(i + 1)), CB_OK);
    }
    nlogs = 0;
    assert_int_equal(cb_device_edge(&dev, 0, true, 100), CB_OK);
    assert_int_equal(nlogs, 0); /* nothing yet: not held long enough */
    assert_int_equal(cb_device_edge(&dev, 0, false, 200), CB_E_FULL);
    assert_int_equal(logs[0].ev, CB_EV_PRESS_DROPPED);
}

/* ---- sleepy mode ---- */

static cb_sleep_reason plan_at(const cb_device *dev, uint32_t woke, uint32_t now, bool *may_sleep, uint32_t *wake_in)
{
    cb_sleep_plan plan;
    assert_int_equal(cb_device_sleep_plan(dev, woke, now, &plan), CB_OK);
    if (may_sleep != NULL) {
        *may_sleep = plan.may_sleep;
    }
    if (wake_in != NULL) {
        *wake_in = plan.wake_in_ms;
    }
    return plan.reason;
}

static void test_sleep_connected_never(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    bool may = true;
    assert_int_equal(plan_at(&dev, 0, 1000000, &may, NULL), CB_SLEEP_NOT_SLEEPY);
    assert_false(may);
    cb_sleep_plan plan;
    assert_int_equal(cb_device_sleep_plan(NULL, 0, 0, &plan), CB_E_ARG);
    assert_int_equal(cb_device_sleep_plan(&dev, 0, 0, NULL), CB_E_ARG);
}

/* A press wakes it: it stays while the button settles, while the press waits for
 * the broker, while the answer may come; then sleeps until the next button. */
static void test_sleep_press_cycle(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    dev.cfg.sleepy = true;
    bool may = false;
    uint32_t wake_in = 99;
    assert_int_equal(plan_at(&dev, 0, 0, &may, &wake_in), CB_SLEEP_IDLE); /* nothing to do */
    assert_true(may);
    assert_int_equal(wake_in, 0);

    uint32_t woke = 5000; /* the button's edge woke it */
    assert_int_equal(cb_device_edge(&dev, 0, true, woke), CB_OK);
    assert_int_equal(plan_at(&dev, woke, woke + 10, &may, NULL), CB_SLEEP_BUTTON_SETTLING);
    assert_false(may);
    assert_int_equal(cb_device_poll(&dev, woke + 40), CB_OK); /* settled: queued, not connected */
    assert_int_equal(plan_at(&dev, woke, woke + 40, &may, NULL), CB_SLEEP_DELIVERING);
    assert_false(may);
    assert_int_equal(cb_device_edge(&dev, 0, false, woke + 150), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 200), CB_OK);

    /* Rejoined and connected after 2.5 s; the press goes out and is acked. */
    assert_int_equal(cb_device_connected(&dev, woke + 2500), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 2500), CB_OK);
    assert_int_equal(plan_at(&dev, woke, woke + 2600, NULL, NULL), CB_SLEEP_DELIVERING);
    assert_int_equal(cb_device_puback(&dev, port_state.pubs[port_state.npubs - 1].mid), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 2650), CB_OK);
    /* the broker has it, but only the hub's answer ends the delivery */
    assert_int_equal(plan_at(&dev, woke, woke + 2650, NULL, NULL), CB_SLEEP_DELIVERING);
    assert_int_equal(reply_msg(&dev, 7, 1, true, woke + 2680), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 2700), CB_OK);
    /* Delivered: it lingers to show the answer... */
    assert_int_equal(plan_at(&dev, woke, woke + 2700, &may, NULL), CB_SLEEP_LINGERING);
    assert_false(may);
    state_msg(&dev, "3", "calling", 1, woke + 2800, CB_OK);
    assert_int_equal(plan_at(&dev, woke, woke + 12799, NULL, NULL), CB_SLEEP_LINGERING);
    /* ...and sleeps 10 s after the last news. */
    assert_int_equal(plan_at(&dev, woke, woke + 12800, &may, &wake_in), CB_SLEEP_IDLE);
    assert_true(may);
    assert_int_equal(wake_in, 0);
}

/* An ack arriving while awake is shown for its hold time before sleeping. */
static void test_sleep_shows_ack(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    dev.cfg.sleepy = true;
    assert_int_equal(cb_device_connected(&dev, 0), CB_OK);
    state_msg(&dev, "3", "acknowledged", 1, 1000, CB_OK);
    assert_int_equal(plan_at(&dev, 0, 1000 + CB_LED_ACK_HOLD_MS - 1, NULL, NULL), CB_SLEEP_SHOWING_ACK);
    assert_int_equal(plan_at(&dev, 0, 1000 + CB_LED_ACK_HOLD_MS, NULL, NULL), CB_SLEEP_LINGERING);
    assert_int_equal(plan_at(&dev, 0, 1000 + CB_SLEEPY_LINGER_MS, NULL, NULL), CB_SLEEP_IDLE);
}

/* A glitch wakes it: nothing is queued, it sleeps as soon as the pin settles. */
static void test_sleep_after_glitch(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    dev.cfg.sleepy = true;
    assert_int_equal(cb_device_edge(&dev, 1, true, 7000), CB_OK);
    assert_int_equal(cb_device_edge(&dev, 1, false, 7000), CB_OK);
    assert_int_equal(plan_at(&dev, 7000, 7010, NULL, NULL), CB_SLEEP_BUTTON_SETTLING);
    assert_int_equal(cb_device_poll(&dev, 7030), CB_OK);
    bool may = false;
    assert_int_equal(plan_at(&dev, 7000, 7030, &may, NULL), CB_SLEEP_IDLE);
    assert_true(may);
}

/* The broker cannot be reached: after a minute awake it sleeps anyway (the press
 * stays in RAM) and asks to be woken by the timer to try again; the next wake
 * tries for another minute. Old activity does not keep a timer wake up. */
static void test_sleep_gives_up_then_retries(void **state)
{
    (void)state;
    cb_device dev;
    setup_device(&dev);
    dev.cfg.sleepy = true;
    click(&dev, 0, 1000);
    assert_int_equal(cb_device_poll(&dev, 1200), CB_OK); /* the release has settled too */
    bool may = true;
    uint32_t wake_in = 0;
    assert_int_equal(plan_at(&dev, 1000, 1000 + CB_SLEEPY_MAX_AWAKE_MS - 1, &may, NULL), CB_SLEEP_DELIVERING);
    assert_false(may);
    assert_int_equal(plan_at(&dev, 1000, 1000 + CB_SLEEPY_MAX_AWAKE_MS, &may, &wake_in), CB_SLEEP_GIVE_UP_FOR_NOW);
    assert_true(may);
    assert_int_equal(wake_in, CB_SLEEPY_RETRY_MS);
    uint32_t woke = 1000 + CB_SLEEPY_MAX_AWAKE_MS + CB_SLEEPY_RETRY_MS;
    assert_int_equal(plan_at(&dev, woke, woke + 10, &may, NULL), CB_SLEEP_DELIVERING);
    /* Delivered on this wake; then, much later, a timer wake with nothing new. */
    assert_int_equal(cb_device_connected(&dev, woke + 3000), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 3000), CB_OK);
    assert_int_equal(cb_device_puback(&dev, port_state.pubs[port_state.npubs - 1].mid), CB_OK);
    assert_int_equal(reply_msg(&dev, 7, 1, true, woke + 3050), CB_OK);
    assert_int_equal(cb_device_poll(&dev, woke + 3100), CB_OK);
    assert_int_equal(plan_at(&dev, woke, woke + 3100, NULL, NULL), CB_SLEEP_LINGERING);
    uint32_t later = woke + 3600000;
    assert_int_equal(plan_at(&dev, later, later + 5, &may, NULL), CB_SLEEP_IDLE);
    assert_true(may);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sleep_connected_never),
        cmocka_unit_test(test_sleep_press_cycle),
        cmocka_unit_test(test_sleep_shows_ack),
        cmocka_unit_test(test_sleep_after_glitch),
        cmocka_unit_test(test_sleep_gives_up_then_retries),
        cmocka_unit_test(test_glitch_queues_nothing),
        cmocka_unit_test(test_held_press_settles_in_poll),
        cmocka_unit_test(test_init_validation),
        cmocka_unit_test(test_will_and_connect),
        cmocka_unit_test(test_connect_retries_when_busy),
        cmocka_unit_test(test_bouncing_edges_one_press),
        cmocka_unit_test(test_offline_queue_sent_in_order),
        cmocka_unit_test(test_press_kept_until_the_hub_answers),
        cmocka_unit_test(test_refused_press_shows_on_the_led),
        cmocka_unit_test(test_disconnect_resends_same_seq),
        cmocka_unit_test(test_inflight_limit_and_busy_client),
        cmocka_unit_test(test_led_modes),
        cmocka_unit_test(test_led_lit),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_vitals_and_info),
        cmocka_unit_test(test_outbox_full_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
