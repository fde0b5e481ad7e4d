/* cb_bench.c - measurement client for bench/run.sh (see docs/performance.md).
 *
 * Talks MQTT 3.1.1 through libmosquitto, like the hub, from a single thread that
 * polls every client's socket itself (no libmosquitto threads), so what it measures
 * is the broker and the hub, not thread hand-offs in the bench.
 *
 *   cb_bench latency    --port P --site S --raw-site R [--relay-site L] [--table T]
 *                       [--samples N] [--warmup W] [--rate R]
 *       Interleaves, sample by sample, the raw one-hop path (press published on
 *       callbell/R/table/T/press, received by a subscriber of that same topic) and
 *       the hub path (press on callbell/S/table/T/press, answered by the hub's state
 *       on callbell/S/table/T/state). One press in flight at a time, at a steady
 *       pace of R pairs/s; CLOCK_MONOTONIC from just before mosquitto_publish() to
 *       the subscriber's message callback. Hub presses alternate call / cancel, so
 *       every press changes the state (calling / idle) and is matched by status.
 *       With --relay-site, a third path in the same rotation: the press on
 *       callbell/L/table/T/press, answered on .../state by `cb_bench relay`.
 *
 *   cb_bench relay      --port P --site L
 *       Republishes every press of callbell/L/table/+/press on .../state (QoS 1,
 *       retained) and nothing else, until SIGTERM: a hub that does no work, the
 *       cost of two hops through a second process on this machine.
 *
 *   cb_bench throughput --port P --site S [--count N] [--first T0] [--tables K]
 *                       [--window W] [--prefix name_] [--no-raw]
 *       One publisher floods N presses (QoS 1, W unacknowledged at most) over tables
 *       T0 .. T0+K-1 (per table: call, cancel, call, ... so every press is an event).
 *       On the same broker, at the same time, a raw subscriber of
 *       callbell/S/table/+/press counts the presses (the stream the hub consumes) and
 *       a subscriber of callbell/S/table/+/state counts the hub's state messages.
 *       After the raw subscriber has all N, one marker press goes to table T0+K;
 *       its state arriving means the hub has applied and published everything before
 *       it (one connection, in order; the hub publishes dirty tables FIFO).
 *
 *   cb_bench drain [--register] --port P --site S --client-id ID [--count N]
 *       The raw subscriber of a queued stream (see run_drain).
 *
 *   cb_bench wait-states --port P --site S --tables K [--timeout-s T]
 *       Subscribes to callbell/S/table/+/state and returns once a state for every
 *       table 1..K has been seen (retained or live): the hub's start-up publish.
 *
 * Figures are printed as `name: value unit`. Exit status 0 = measured, 1 = broken. */
#define _POSIX_C_SOURCE 200809L
#include <mosquitto.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- time ------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cb_bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* ---- clients ----------------------------------------------------------------- */

typedef struct client client;
typedef void (*msg_fn)(client *c, const struct mosquitto_message *msg, uint64_t t);

struct client {
    struct mosquitto *m;
    const char *name;
    bool connected;
    int suback_pending;
    long acked; /* PUBACKs for our publishes */
    msg_fn on_msg;
    void *ctx;
};

static void cb_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    client *c = obj;
    if (rc != 0)
        die("%s: connection refused: %s", c->name, mosquitto_connack_string(rc));
    c->connected = true;
}

static void cb_disconnect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    client *c = obj;
    c->connected = false;
    if (rc != 0)
        die("%s: lost the broker connection (%d)", c->name, rc);
}

static void cb_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    (void)m;
    (void)mid;
    client *c = obj;
    for (int i = 0; i < n; i++)
        if (granted[i] > 2)
            die("%s: subscription refused", c->name);
    c->suback_pending--;
}

static void cb_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m;
    (void)mid;
    ((client *)obj)->acked++;
}

static void cb_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    client *c = obj;
    uint64_t t = now_ns();
    if (c->on_msg)
        c->on_msg(c, msg, t);
}

static const char *g_host = "127.0.0.1";
static int g_port = 1883;

static void pump(client **cs, int n, int timeout_ms);

static void client_open_id(client *c, const char *name, const char *id, bool clean, int inflight)
{
    c->name = name;
    c->m = mosquitto_new(id, clean, c);
    if (!c->m)
        die("mosquitto_new: %s", strerror(errno));
    mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_max_inflight_messages_set(c->m, (unsigned)inflight);
    mosquitto_connect_callback_set(c->m, cb_connect);
    mosquitto_disconnect_callback_set(c->m, cb_disconnect);
    mosquitto_subscribe_callback_set(c->m, cb_subscribe);
    mosquitto_publish_callback_set(c->m, cb_publish);
    mosquitto_message_callback_set(c->m, cb_message);
    int rc = mosquitto_connect(c->m, g_host, g_port, 60);
    if (rc != MOSQ_ERR_SUCCESS)
        die("%s: cannot connect to %s:%d: %s", name, g_host, g_port, mosquitto_strerror(rc));
    client *one[1] = {c};
    uint64_t deadline = now_ns() + 5000000000u;
    while (!c->connected && now_ns() < deadline)
        pump(one, 1, 50);
    if (!c->connected)
        die("%s: no CONNACK", name);
}

static void client_open(client *c, const char *name, int inflight)
{
    char id[64];
    snprintf(id, sizeof id, "bench-%s-%d", name, (int)getpid());
    client_open_id(c, name, id, true, inflight);
}

static void client_subscribe(client *c, const char *filter)
{
    c->suback_pending++;
    if (mosquitto_subscribe(c->m, NULL, filter, 1) != MOSQ_ERR_SUCCESS)
        die("%s: subscribe failed", c->name);
    client *one[1] = {c};
    uint64_t deadline = now_ns() + 5000000000u;
    while (c->suback_pending > 0 && now_ns() < deadline)
        pump(one, 1, 50);
    if (c->suback_pending > 0)
        die("%s: no SUBACK", c->name);
}

static void client_close(client *c)
{
    mosquitto_disconnect(c->m);
    mosquitto_destroy(c->m);
    c->m = NULL;
}

/* One round: wait up to timeout_ms for any socket, then read what is there, write
 * what is queued, and run keep-alive/retry housekeeping. */
static void pump(client **cs, int n, int timeout_ms)
{
    struct pollfd pfd[8];
    for (int i = 0; i < n; i++) {
        pfd[i].fd = mosquitto_socket(cs[i]->m);
        pfd[i].events = POLLIN | (mosquitto_want_write(cs[i]->m) ? POLLOUT : 0);
        pfd[i].revents = 0;
    }
    int r = poll(pfd, (nfds_t)n, timeout_ms);
    if (r < 0 && errno != EINTR)
        die("poll: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        int rc = MOSQ_ERR_SUCCESS;
        if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
            rc = mosquitto_loop_read(cs[i]->m, 64);
        if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(cs[i]->m))
            rc = mosquitto_loop_write(cs[i]->m, 64);
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_loop_misc(cs[i]->m);
        if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
            die("%s: connection error: %s", cs[i]->name, mosquitto_strerror(rc));
    }
}

static void publish(client *c, const char *topic, const char *payload)
{
    int rc = mosquitto_publish(c->m, NULL, topic, (int)strlen(payload), payload, 1, false);
    if (rc != MOSQ_ERR_SUCCESS)
        die("%s: publish failed: %s", c->name, mosquitto_strerror(rc));
}

static int press_payload(char *buf, size_t cap, const char *device, unsigned boot, unsigned long seq, const char *kind)
{
    return snprintf(buf, cap, "{\"v\":1,\"device\":\"%s\",\"boot\":%u,\"seq\":%lu,\"kind\":\"%s\",\"age_ms\":0}",
                    device, boot, seq, kind);
}

/* ---- options --------------------------------------------------------------- */

typedef struct opts {
    const char *site, *raw_site, *relay_site, *prefix, *device, *client_id;
    long samples, warmup, rate, count, first, tables, window, timeout_s, table;
    unsigned boot;
    bool no_raw, no_hub, register_only;
} opts;

static void parse(int argc, char **argv, opts *o)
{
    *o = (opts){.site = "bench",
                .raw_site = "benchraw",
                .prefix = "",
                .device = "bench-1",
                .client_id = "bench-drain",
                .samples = 2000,
                .warmup = 200,
                .rate = 500,
                .count = 200000,
                .first = 2,
                .tables = 1000,
                .window = 1000,
                .timeout_s = 120,
                .table = 1,
                .boot = (unsigned)time(NULL)};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define STR(flag, field)                                                                                               \
    if (strcmp(a, flag) == 0 && v) {                                                                                   \
        o->field = v;                                                                                                  \
        i++;                                                                                                           \
        continue;                                                                                                      \
    }
#define NUM(flag, field)                                                                                               \
    if (strcmp(a, flag) == 0 && v) {                                                                                   \
        o->field = strtol(v, NULL, 10);                                                                                \
        i++;                                                                                                           \
        continue;                                                                                                      \
    }
        if (strcmp(a, "--host") == 0 && v) {
            g_host = v;
            i++;
            continue;
        }
        if (strcmp(a, "--port") == 0 && v) {
            g_port = atoi(v);
            i++;
            continue;
        }
        if (strcmp(a, "--boot") == 0 && v) {
            o->boot = (unsigned)strtoul(v, NULL, 10);
            i++;
            continue;
        }
        if (strcmp(a, "--no-hub") == 0) {
            o->no_hub = true;
            continue;
        }
        if (strcmp(a, "--register") == 0) {
            o->register_only = true;
            continue;
        }
        if (strcmp(a, "--no-raw") == 0) {
            o->no_raw = true;
            continue;
        }
        STR("--site", site)
        STR("--raw-site", raw_site)
        STR("--relay-site", relay_site)
        STR("--prefix", prefix)
        STR("--device", device)
        STR("--client-id", client_id)
        NUM("--samples", samples)
        NUM("--warmup", warmup)
        NUM("--rate", rate)
        NUM("--count", count)
        NUM("--first", first)
        NUM("--tables", tables)
        NUM("--window", window)
        NUM("--timeout-s", timeout_s)
        NUM("--table", table)
        die("unknown or incomplete option '%s'", a);
    }
    if (o->samples < 1 || o->rate < 1 || o->count < 1 || o->tables < 1 || o->window < 1)
        die("bad numbers");
}

/* ---- latency ---------------------------------------------------------------- */

typedef struct lat_ctx {
    char raw_topic[160], state_topic[160], relay_topic[160];
    char want_raw[64];    /* "\"seq\":N," of the raw (or relayed) press in flight */
    bool want_relay;      /* the press in flight goes through the relay */
    const char *want_hub; /* "\"status\":\"calling\"" or idle */
    bool got;
    uint64_t t_got;
    long stray;
} lat_ctx;

static void lat_msg(client *c, const struct mosquitto_message *msg, uint64_t t)
{
    lat_ctx *x = c->ctx;
    if (msg->retain)
        return; /* the retained state delivered on subscribing */
    const char *p = msg->payload;
    char buf[600];
    int len = msg->payloadlen < (int)sizeof buf - 1 ? msg->payloadlen : (int)sizeof buf - 1;
    memcpy(buf, p, (size_t)len);
    buf[len] = '\0';
    bool match = false;
    if (x->want_raw[0] && strcmp(msg->topic, x->want_relay ? x->relay_topic : x->raw_topic) == 0)
        match = strstr(buf, x->want_raw) != NULL;
    else if (x->want_hub && strcmp(msg->topic, x->state_topic) == 0)
        match = strstr(buf, x->want_hub) != NULL;
    if (match && !x->got) {
        x->got = true;
        x->t_got = t;
    } else {
        x->stray++;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* nearest rank */
static double pct_ms(const uint64_t *sorted, long n, double p)
{
    long rank = (long)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1e6;
}

static void report_lat(const char *name, uint64_t *v, long n, long lost)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += (double)v[i] / 1e6;
    printf("%s_latency_p50: %.3f ms\n", name, pct_ms(v, n, 0.50));
    printf("%s_latency_p90: %.3f ms\n", name, pct_ms(v, n, 0.90));
    printf("%s_latency_p99: %.3f ms\n", name, pct_ms(v, n, 0.99));
    printf("%s_latency_max: %.3f ms\n", name, n ? (double)v[n - 1] / 1e6 : 0.0);
    printf("%s_latency_mean: %.3f ms\n", name, n ? sum / (double)n : 0.0);
    printf("%s_latency_samples: %ld count\n", name, n);
    printf("%s_latency_lost: %ld count\n", name, lost);
}

/* One path's samples: latencies in ns, and how many were lost. */
typedef struct samples {
    uint64_t *v;
    long n, lost;
} samples;

static void add_sample(samples *s, uint64_t d)
{
    if (d)
        s->v[s->n++] = d;
    else
        s->lost++;
}

/* Publishes one press and waits for its match. Returns the latency in ns, 0 if lost. */
static uint64_t one_sample(client **cs, lat_ctx *x, const char *topic, const char *payload)
{
    x->got = false;
    uint64_t t0 = now_ns();
    publish(cs[0], topic, payload);
    uint64_t deadline = t0 + 1000000000u;
    while (!x->got && now_ns() < deadline)
        pump(cs, 2, 5);
    return x->got ? x->t_got - t0 : 0;
}

static int run_latency(const opts *o)
{
    lat_ctx x = {0};
    client pub = {0}, sub = {.on_msg = lat_msg, .ctx = &x};
    snprintf(x.raw_topic, sizeof x.raw_topic, "callbell/%s/table/%ld/press", o->raw_site, o->table);
    snprintf(x.state_topic, sizeof x.state_topic, "callbell/%s/table/%ld/state", o->site, o->table);
    char hub_topic[160];
    snprintf(hub_topic, sizeof hub_topic, "callbell/%s/table/%ld/press", o->site, o->table);
    client_open(&pub, "lat-pub", 20);
    client_open(&sub, "lat-sub", 20);
    char relay_press[160];
    snprintf(relay_press, sizeof relay_press, "callbell/%s/table/%ld/press", o->relay_site, o->table);
    snprintf(x.relay_topic, sizeof x.relay_topic, "callbell/%s/table/%ld/state", o->relay_site, o->table);
    client_subscribe(&sub, x.raw_topic);
    client_subscribe(&sub, x.state_topic);
    if (o->relay_site)
        client_subscribe(&sub, x.relay_topic);
    client *cs[2] = {&pub, &sub};
    pump(cs, 2, 100); /* let the retained state arrive */

    long total = o->warmup + o->samples;
    samples raw = {calloc((size_t)o->samples, sizeof *raw.v), 0, 0};
    samples relay = {calloc((size_t)o->samples, sizeof *relay.v), 0, 0};
    samples hub = {calloc((size_t)o->samples, sizeof *hub.v), 0, 0};
    if (!raw.v || !relay.v || !hub.v)
        die("out of memory");
    uint64_t period = 1000000000u / (uint64_t)o->rate, next = now_ns();
    char payload[256];
    for (long k = 0; k < total; k++) {
        for (uint64_t t = now_ns(); t < next; t = now_ns()) {
            if (next - t > 2000000) {
                pump(cs, 2, (int)((next - t) / 1000000) - 1);
            } else { /* sleep (not spin: the CPU is the broker's and the hub's) to the start */
                struct timespec ts = {.tv_sec = (time_t)(next / 1000000000u), .tv_nsec = (long)(next % 1000000000u)};
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            }
        }
        next += period;
        unsigned long seq = (unsigned long)k + 1;
        /* raw: the same press, on a topic only the raw subscriber reads */
        press_payload(payload, sizeof payload, o->device, o->boot, seq, "call");
        snprintf(x.want_raw, sizeof x.want_raw, "\"seq\":%lu,", seq);
        x.want_hub = NULL;
        bool counted = k >= o->warmup;
        uint64_t d = one_sample(cs, &x, x.raw_topic, payload);
        if (counted)
            add_sample(&raw, d);
        /* relay: the same press through a process that only republishes it */
        if (o->relay_site) {
            x.want_relay = true;
            d = one_sample(cs, &x, relay_press, payload);
            x.want_relay = false;
            if (counted)
                add_sample(&relay, d);
        }
        x.want_raw[0] = '\0';
        /* hub: call opens (calling), cancel closes (idle) */
        bool call = k % 2 == 0;
        press_payload(payload, sizeof payload, o->device, o->boot, seq, call ? "call" : "cancel");
        x.want_hub = call ? "\"status\":\"calling\"" : "\"status\":\"idle\"";
        d = one_sample(cs, &x, hub_topic, payload);
        x.want_hub = NULL;
        if (counted)
            add_sample(&hub, d);
    }
    report_lat("raw", raw.v, raw.n, raw.lost);
    if (o->relay_site)
        report_lat("relay", relay.v, relay.n, relay.lost);
    report_lat("hub", hub.v, hub.n, hub.lost);
    if (x.stray)
        fprintf(stderr, "cb_bench: %ld unmatched messages (late answers to lost samples)\n", x.stray);
    client_close(&pub);
    client_close(&sub);
    free(raw.v);
    free(relay.v);
    free(hub.v);
    return raw.n > 0 && hub.n > 0 && (!o->relay_site || relay.n > 0) ? 0 : 1;
}

/* ---- relay: two hops and nothing else ------------------------------------------
 * Republishes every press of callbell/S/table/+/press to .../state (QoS 1, retained,
 * like the hub's state) at once: a hub that does no work, so the latency run can
 * show what two broker hops through a second process cost on this machine. */
static volatile sig_atomic_t g_stop;
static void on_term(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void relay_msg(client *c, const struct mosquitto_message *msg, uint64_t t)
{
    (void)t;
    char topic[200];
    size_t n = strlen(msg->topic);
    if (n < 6 || n >= sizeof topic || strcmp(msg->topic + n - 6, "/press") != 0)
        return;
    snprintf(topic, sizeof topic, "%.*s/state", (int)(n - 6), msg->topic);
    mosquitto_publish(c->m, NULL, topic, msg->payloadlen, msg->payload, 1, true);
}

static int run_relay(const opts *o)
{
    client c = {.on_msg = relay_msg};
    client_open(&c, "relay", 1000);
    char filter[160];
    snprintf(filter, sizeof filter, "callbell/%s/table/+/press", o->site);
    client_subscribe(&c, filter);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("relay: ready\n");
    client *cs[1] = {&c};
    while (!g_stop)
        pump(cs, 1, 1000);
    client_close(&c);
    return 0;
}

/* ---- throughput ------------------------------------------------------------- */

typedef struct tp_ctx {
    long raw_n, state_n, raw_target;
    uint64_t raw_first, raw_last, state_first, state_last;
    char marker_topic[160];
    bool marker_seen;
    uint64_t marker_t;
} tp_ctx;

static void raw_msg(client *c, const struct mosquitto_message *msg, uint64_t t)
{
    (void)msg;
    tp_ctx *x = c->ctx;
    if (x->raw_n >= x->raw_target)
        return; /* the marker */
    if (x->raw_n++ == 0)
        x->raw_first = t;
    x->raw_last = t;
}

static void state_msg(client *c, const struct mosquitto_message *msg, uint64_t t)
{
    tp_ctx *x = c->ctx;
    if (msg->retain)
        return;
    if (strcmp(msg->topic, x->marker_topic) == 0) {
        x->marker_seen = true;
        x->marker_t = t;
        return;
    }
    if (x->state_n++ == 0)
        x->state_first = t;
    x->state_last = t;
}

static int run_throughput(const opts *o)
{
    tp_ctx x = {.raw_target = o->count};
    client pub = {0}, raw = {.on_msg = raw_msg, .ctx = &x}, st = {.on_msg = state_msg, .ctx = &x};
    char filter[160];
    client_open(&pub, "tp-pub", (int)o->window);
    client_open(&st, "tp-state", 1000);
    snprintf(filter, sizeof filter, "callbell/%s/table/+/state", o->site);
    client_subscribe(&st, filter);
    client *cs[3] = {&pub, &st, &raw};
    int ncs = 2;
    if (!o->no_raw) {
        client_open(&raw, "tp-raw", 1000);
        snprintf(filter, sizeof filter, "callbell/%s/table/+/press", o->site);
        client_subscribe(&raw, filter);
        ncs = 3;
    }
    snprintf(x.marker_topic, sizeof x.marker_topic, "callbell/%s/table/%ld/state", o->site, o->first + o->tables);
    /* the retained states of all tables arrive on subscribing: drain them */
    for (int i = 0; i < 20; i++)
        pump(cs, ncs, 10);

    char topic[160], payload[256];
    long sent = 0;
    uint64_t t_start = now_ns(), deadline = t_start + (uint64_t)o->timeout_s * 1000000000u;
    while (sent < o->count && now_ns() < deadline) {
        while (sent < o->count && sent - pub.acked < o->window) {
            long tbl = o->first + sent % o->tables, round = sent / o->tables;
            snprintf(topic, sizeof topic, "callbell/%s/table/%ld/press", o->site, tbl);
            press_payload(payload, sizeof payload, o->device, o->boot, (unsigned long)sent + 1,
                          round % 2 == 0 ? "call" : "cancel");
            publish(&pub, topic, payload);
            sent++;
        }
        pump(cs, ncs, 5);
    }
    uint64_t t_sent = now_ns();
    while (pub.acked < sent && now_ns() < deadline)
        pump(cs, ncs, 5);
    uint64_t t_acked = now_ns();
    if (!o->no_raw)
        while (x.raw_n < o->count && now_ns() < deadline)
            pump(cs, ncs, 5);
    /* marker: once its state is back, the hub has applied and published all before it */
    snprintf(topic, sizeof topic, "callbell/%s/table/%ld/press", o->site, o->first + o->tables);
    press_payload(payload, sizeof payload, o->device, o->boot, (unsigned long)sent + 1, "call");
    if (!o->no_hub)
        publish(&pub, topic, payload);
    while (!o->no_hub && !x.marker_seen && now_ns() < deadline)
        pump(cs, ncs, 5);

    const char *p = o->prefix;
    double pub_s = (double)(t_acked - t_start) / 1e9;
    printf("%spresses_sent: %ld count\n", p, sent);
    printf("%spublisher_rate: %.0f events/s\n", p, pub_s > 0 ? (double)sent / pub_s : 0.0);
    if (!o->no_raw) {
        double raw_s = (double)(x.raw_last - x.raw_first) / 1e9;
        printf("%sraw_received: %ld count\n", p, x.raw_n);
        printf("%sraw_events_per_s: %.0f events/s\n", p, raw_s > 0 ? (double)(x.raw_n - 1) / raw_s : 0.0);
    }
    double st_s = (double)(x.state_last - x.state_first) / 1e9;
    printf("%shub_states_received: %ld count\n", p, x.state_n);
    printf("%shub_states_per_s: %.0f msgs/s\n", p, st_s > 0 ? (double)(x.state_n - 1) / st_s : 0.0);
    if (x.marker_seen) {
        double e2e_s = (double)(x.marker_t - t_start) / 1e9;
        printf("%shub_end_to_end_events_per_s: %.0f events/s\n", p, (double)sent / e2e_s);
        if (!o->no_raw)
            printf("%shub_drain_after_raw: %.3f s\n", p, (double)(x.marker_t - x.raw_last) / 1e9);
    } else {
        printf("%shub_marker_seen: 0 bool\n", p);
    }
    (void)t_sent;
    client_close(&pub);
    client_close(&st);
    if (!o->no_raw)
        client_close(&raw);
    return (x.marker_seen || o->no_hub) && (o->no_raw || x.raw_n >= o->count) ? 0 : 1;
}

/* ---- wait-states ------------------------------------------------------------- */

typedef struct ws_ctx {
    uint8_t *seen;
    long n, distinct;
} ws_ctx;

static void ws_msg(client *c, const struct mosquitto_message *msg, uint64_t t)
{
    (void)t;
    ws_ctx *x = c->ctx;
    /* callbell/<site>/table/<id>/state */
    const char *s = strstr(msg->topic, "/table/");
    if (!s)
        return;
    char *end;
    long id = strtol(s + 7, &end, 10);
    if (*end != '/' || id < 1 || id > x->n)
        return;
    if (!x->seen[id]) {
        x->seen[id] = 1;
        x->distinct++;
    }
}

static int run_wait_states(const opts *o)
{
    ws_ctx x = {.n = o->tables};
    x.seen = calloc((size_t)o->tables + 1, 1);
    if (!x.seen)
        die("out of memory");
    client c = {.on_msg = ws_msg, .ctx = &x};
    client_open(&c, "ws", 1000);
    char filter[160];
    snprintf(filter, sizeof filter, "callbell/%s/table/+/state", o->site);
    client_subscribe(&c, filter);
    client *cs[1] = {&c};
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)o->timeout_s * 1000000000u;
    while (x.distinct < o->tables && now_ns() < deadline)
        pump(cs, 1, 20);
    printf("%sstates_seen: %ld count\n", o->prefix, x.distinct);
    printf("%sstates_wait: %.3f s\n", o->prefix, (double)(now_ns() - t0) / 1e9);
    client_close(&c);
    free(x.seen);
    return x.distinct == o->tables ? 0 : 1;
}

/* ---- drain: the raw consumer of a queued stream ---------------------------------
 * `drain --register`: a persistent session (fixed client id, clean_session false)
 * subscribes to the site's presses and leaves, so the broker queues the stream for it
 * exactly as it does for the stopped hub. `drain`: comes back and counts --count
 * messages as fast as it can take them: the raw subscriber's rate on the same stream
 * the hub drains afterwards. */
static int run_drain(const opts *o)
{
    tp_ctx x = {.raw_target = o->count};
    client c = {.on_msg = raw_msg, .ctx = &x};
    char filter[160];
    client_open_id(&c, "drain", o->client_id, false, 1000);
    if (o->register_only) {
        snprintf(filter, sizeof filter, "callbell/%s/table/+/press", o->site);
        client_subscribe(&c, filter);
        client_close(&c);
        return 0;
    }
    client *cs[1] = {&c};
    uint64_t deadline = now_ns() + (uint64_t)o->timeout_s * 1000000000u;
    while (x.raw_n < o->count && now_ns() < deadline)
        pump(cs, 1, 20);
    double s = (double)(x.raw_last - x.raw_first) / 1e9;
    printf("%sraw_received: %ld count\n", o->prefix, x.raw_n);
    printf("%sraw_events_per_s: %.0f events/s\n", o->prefix, s > 0 ? (double)(x.raw_n - 1) / s : 0.0);
    client_close(&c);
    return x.raw_n >= o->count ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: cb_bench latency|throughput|drain|wait-states|relay [options]");
    setvbuf(stdout, NULL, _IOLBF, 0);
    mosquitto_lib_init();
    opts o;
    parse(argc, argv, &o);
    int rc;
    if (strcmp(argv[1], "latency") == 0)
        rc = run_latency(&o);
    else if (strcmp(argv[1], "throughput") == 0)
        rc = run_throughput(&o);
    else if (strcmp(argv[1], "drain") == 0)
        rc = run_drain(&o);
    else if (strcmp(argv[1], "wait-states") == 0)
        rc = run_wait_states(&o);
    else if (strcmp(argv[1], "relay") == 0)
        rc = run_relay(&o);
    else
        die("unknown mode '%s'", argv[1]);
    mosquitto_lib_cleanup();
    return rc;
}
