/* mqtt_client.c - libmosquitto, driven from one thread, with reconnect. */
#define _POSIX_C_SOURCE 200809L
#include "mqtt_client.h"
#include "random.h"

#include "callbell/backoff.h"
#include "clock.h"
#include "log.h"

#include <errno.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SUBS 16

struct cb_mqtt {
    struct mosquitto *mosq;
    cb_url url;
    cb_mqtt_options opt;
    cb_mqtt_handlers h;
    char client_id[64];
    char will_topic[160];
    char birth[32];
    char subs[MAX_SUBS][160];
    int sub_qos[MAX_SUBS];
    int sub_count;
    bool connected;
    unsigned long delivered; /* messages and PUBACKs handed to the callbacks so far */
    bool connack_seen;
    int connack_rc;
    bool tcp_connected;  /* the last attempt got as far as the handshake */
    int handshake_rc;    /* and how that ended (MOSQ_ERR_*) */
    char lib_error[200]; /* libmosquitto's first error line while connecting */
    int version;         /* MQTT_PROTOCOL_V5 or MQTT_PROTOCOL_V311 */
    bool may_fall_back;  /* --mqtt auto, still on 5: a refusal of 5 retries with 3.1.1 */
    cb_backoff backoff;
    uint64_t next_attempt_ms;
    bool ever_connected;
    /* cb_mqtt_wait_puback */
    int waiting_mid;
    bool waiting_done;
    /* cb_mqtt_fence */
    char fence_topic[160];
    char fence_token[128];
    bool fence_seen;
    const mosquitto_property *msg_props; /* of the message being handled (MQTT 5) */
};

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    cb_mqtt *m = obj;
    m->connack_seen = true;
    m->connack_rc = rc;
    if (rc != 0)
        return;
    m->connected = true;
    m->ever_connected = true;
    cb_backoff_up(&m->backoff, (uint32_t)cb_mono_ms()); /* reset only if it holds */
    for (int i = 0; i < m->sub_count; i++)
        mosquitto_subscribe(m->mosq, NULL, m->subs[i], m->sub_qos[i]);
    if (m->will_topic[0] && m->birth[0])
        mosquitto_publish(m->mosq, NULL, m->will_topic, (int)strlen(m->birth), m->birth, 1, true);
    if (m->h.on_connect)
        m->h.on_connect(m->h.ctx);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    (void)rc;
    cb_mqtt *m = obj;
    bool was = m->connected;
    m->connected = false;
    if (was && m->h.on_disconnect)
        m->h.on_disconnect(m->h.ctx);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
    (void)mosq;
    cb_mqtt *m = obj;
    m->delivered++;
    if (m->fence_token[0] && strcmp(msg->topic, m->fence_topic) == 0 &&
        (size_t)msg->payloadlen == strlen(m->fence_token) &&
        memcmp(msg->payload, m->fence_token, (size_t)msg->payloadlen) == 0) {
        m->fence_seen = true;
        return;
    }
    m->msg_props = props; /* for cb_mqtt_message_response, during the handler only */
    if (m->h.on_message)
        m->h.on_message(m->h.ctx, msg);
    m->msg_props = NULL;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void)mosq;
    cb_mqtt *m = obj;
    m->delivered++;
    if (m->waiting_mid == mid)
        m->waiting_done = true;
    if (m->h.on_publish)
        m->h.on_publish(m->h.ctx, mid);
}

static void make_client_id(cb_mqtt *m)
{
    if (m->opt.client_id) {
        snprintf(m->client_id, sizeof m->client_id, "%s", m->opt.client_id);
        return;
    }
    uint32_t r = cb_random_u32();
    snprintf(m->client_id, sizeof m->client_id, "%s-%d-%04x", m->opt.id_prefix ? m->opt.id_prefix : "cb",
             (int)getpid() % 100000, r & 0xffffu);
}

cb_mqtt *cb_mqtt_open(const cb_url *url, const cb_mqtt_options *opt, const cb_mqtt_handlers *h, char *err,
                      size_t err_cap)
{
    static bool lib_ready;
    if (!lib_ready) {
        mosquitto_lib_init();
        lib_ready = true;
    }
    cb_mqtt *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    m->url = *url;
    m->opt = *opt;
    if (h)
        m->h = *h;
    m->waiting_mid = -1;
    make_client_id(m);
    if (opt->will_topic)
        snprintf(m->will_topic, sizeof m->will_topic, "%s", opt->will_topic);
    if (opt->birth_payload)
        snprintf(m->birth, sizeof m->birth, "%s", opt->birth_payload);
    cb_backoff_init(&m->backoff, 250, 10000, (uint32_t)cb_mono_us() ^ (uint32_t)getpid());
    m->mosq = mosquitto_new(m->client_id, opt->clean_session, m);
    if (!m->mosq) {
        snprintf(err, err_cap, "cannot create MQTT client: %s", strerror(errno));
        free(m);
        return NULL;
    }
    m->version = url->mqtt == CB_MQTT_3 ? MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5;
    m->may_fall_back = url->mqtt == CB_MQTT_AUTO;
    mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, m->version);
    /* Nagle would hold a 100-byte press for up to 40 ms behind the previous one. */
    mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    /* No in-flight limit in the library: a message beyond it waits for PUBACKs, which
     * a program that is closing no longer reads, so the hub's last states would never
     * leave. Callers bound what they queue (the hub: its publish window and bursts). */
    mosquitto_max_inflight_messages_set(m->mosq, 0);
    /* "threaded" only tells libmosquitto not to write from inside its calls: queued
     * packets (PUBACKs too) then leave in mosquitto_loop_write(), i.e. cb_mqtt_flush() */
    if (opt->hold_writes)
        mosquitto_threaded_set(m->mosq, true);
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_message_v5_callback_set(m->mosq, on_message);
    mosquitto_publish_callback_set(m->mosq, on_publish);
    if (url->user[0] && mosquitto_username_pw_set(m->mosq, url->user, url->pass[0] ? url->pass : NULL) != 0) {
        snprintf(err, err_cap, "the broker URL's user name is not valid UTF-8 (after %%XX decoding)");
        mosquitto_destroy(m->mosq);
        free(m);
        return NULL;
    }
    if (url->tls) {
        /* the system's CA store: HiveMQ Cloud, EMQX Cloud etc. have public certificates */
        mosquitto_int_option(m->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        const char *ca = getenv("CALLBELL_CA_FILE");
        if (ca && access(ca, R_OK) != 0) {
            snprintf(err, err_cap, "cannot read CALLBELL_CA_FILE %s: %s", ca, strerror(errno));
            mosquitto_destroy(m->mosq);
            free(m);
            return NULL;
        }
        if (mosquitto_tls_set(m->mosq, ca, ca ? NULL : "/etc/ssl/certs", NULL, NULL, NULL) != MOSQ_ERR_SUCCESS) {
            snprintf(err, err_cap, "cannot set up TLS (CALLBELL_CA_FILE=%s)", ca ? ca : "unset");
            mosquitto_destroy(m->mosq);
            free(m);
            return NULL;
        }
    }
    if (m->will_topic[0] && opt->will_payload)
        mosquitto_will_set(m->mosq, m->will_topic, (int)strlen(opt->will_payload), opt->will_payload, 1, true);
    return m;
}

static const char *reason(int rc)
{
    if (rc == MOSQ_ERR_ERRNO)
        return strerror(errno);
    return mosquitto_strerror(rc);
}

/* libmosquitto's own error lines (OpenSSL's reason for a failed handshake among them),
 * caught while connecting only: with a log callback set it formats a line for every
 * packet. */
static void on_log(struct mosquitto *mosq, void *obj, int level, const char *line)
{
    (void)mosq;
    cb_mqtt *m = obj;
    if (level == MOSQ_LOG_ERR && !m->lib_error[0])
        snprintf(m->lib_error, sizeof m->lib_error, "%s", line);
}

/* err = "<before><the broker's URL><after>: <why> (<libmosquitto's error line>)" */
static int connect_failed(cb_mqtt *m, char *err, size_t err_cap, const char *before, const char *after, const char *why)
{
    char shown[400];
    cb_url_format(&m->url, shown, sizeof shown);
    int n = snprintf(err, err_cap, "%s%s%s: %s", before, shown, after, why);
    if (m->lib_error[0] && n > 0 && (size_t)n < err_cap)
        n += snprintf(err + n, err_cap - (size_t)n, " (%s)", m->lib_error);
    if (strstr(m->lib_error, "certificate") && n > 0 && (size_t)n < err_cap)
        snprintf(err + n, err_cap - (size_t)n, "; a broker with a CA of its own needs CALLBELL_CA_FILE=<its CA, PEM>");
    mosquitto_log_callback_set(m->mosq, NULL);
    return -1;
}

/* Runs the connection until CONNACK, writing only until it comes (the CONNECT, the TLS
 * handshake). A broker may send a queued PUBLISH right behind the CONNACK, read in the
 * same call: its PUBACK must wait for the caller's next write, for hold_writes the
 * flush after its commit. (mosquitto_loop() would write it at once.) */
static int await_connack(cb_mqtt *m, uint64_t deadline)
{
    while (!m->connack_seen && cb_mono_ms() < deadline) {
        struct pollfd pfd = {.fd = mosquitto_socket(m->mosq), .events = POLLIN};
        if (pfd.fd < 0)
            return MOSQ_ERR_NO_CONN;
        if (mosquitto_want_write(m->mosq))
            pfd.events |= POLLOUT;
        int ready = poll(&pfd, 1, 50);
        if (ready < 0 && errno != EINTR)
            return MOSQ_ERR_ERRNO;
        int rc = MOSQ_ERR_SUCCESS;
        if (ready > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
            rc = mosquitto_loop_read(m->mosq, 1);
        if (rc == MOSQ_ERR_SUCCESS && !m->connack_seen && mosquitto_want_write(m->mosq))
            rc = mosquitto_loop_write(m->mosq, 1);
        if (rc != MOSQ_ERR_SUCCESS)
            return rc;
    }
    return MOSQ_ERR_SUCCESS;
}

/* CONNECT in the version in use. MQTT 5 ends a session with the connection unless the
 * client asks otherwise: a persistent one sets its expiry. */
static int send_connect(cb_mqtt *m, int keepalive)
{
    if (m->version != MQTT_PROTOCOL_V5)
        return mosquitto_connect(m->mosq, m->url.host, m->url.port, keepalive);
    mosquitto_property *props = NULL;
    if (!m->opt.clean_session) {
        unsigned expiry = m->opt.session_expiry_s ? m->opt.session_expiry_s : CB_MQTT_SESSION_EXPIRY_S;
        mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, expiry);
    }
    int rc = mosquitto_connect_bind_v5(m->mosq, m->url.host, m->url.port, keepalive, NULL, props);
    mosquitto_property_free_all(&props);
    return rc;
}

/* A broker that does not speak MQTT 5 answers its CONNECT with "unacceptable protocol
 * version" (1 in 3.1.1, 0x84 in 5) or a CONNACK libmosquitto cannot read as 5, or
 * just closes the connection. */
static bool refused_version(const cb_mqtt *m, int rc)
{
    if (m->connack_seen)
        return m->connack_rc == 1 || m->connack_rc == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION;
    /* not a TLS failure, a timeout or a refused password: those fail in 3.1.1 too */
    return rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_PROTOCOL || rc == MOSQ_ERR_MALFORMED_PACKET;
}

static int connect_once(cb_mqtt *m, int timeout_ms, char *err, size_t err_cap);

int cb_mqtt_connect(cb_mqtt *m, int timeout_ms, char *err, size_t err_cap)
{
    int rc = connect_once(m, timeout_ms, err, err_cap);
    if (rc == 0 || !m->may_fall_back || !m->tcp_connected || !refused_version(m, m->handshake_rc))
        return rc;
    m->may_fall_back = false;
    m->version = MQTT_PROTOCOL_V311;
    mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, m->version);
    if (!m->opt.quiet) {
        char shown[400];
        cb_url_format(&m->url, shown, sizeof shown);
        cb_log("using MQTT 3.1.1 with %s: %s", shown, err);
    }
    return connect_once(m, timeout_ms, err, err_cap);
}

static int connect_once(cb_mqtt *m, int timeout_ms, char *err, size_t err_cap)
{
    /* libmosquitto refuses keepalives under 5 s */
    int keepalive = m->opt.keepalive_s <= 0 ? 60 : m->opt.keepalive_s < 5 ? 5 : m->opt.keepalive_s;
    m->connack_seen = false;
    m->tcp_connected = false;
    m->handshake_rc = MOSQ_ERR_SUCCESS;
    m->lib_error[0] = '\0';
    mosquitto_log_callback_set(m->mosq, on_log);
    int rc = send_connect(m, keepalive);
    if (rc != MOSQ_ERR_SUCCESS)
        return connect_failed(m, err, err_cap, "cannot reach broker ", "", reason(rc));
    m->tcp_connected = true;
    rc = await_connack(m, cb_mono_ms() + (uint64_t)timeout_ms);
    m->handshake_rc = rc;
    if (rc != MOSQ_ERR_SUCCESS && !m->connack_seen)
        return connect_failed(m, err, err_cap, "broker ", " closed the connection", reason(rc));
    if (!m->connack_seen) {
        char why[64];
        snprintf(why, sizeof why, "no CONNACK within %d ms", timeout_ms);
        return connect_failed(m, err, err_cap, "broker ", " did not answer CONNECT", why);
    }
    if (m->connack_rc != 0)
        return connect_failed(m, err, err_cap, "broker ", " refused the connection",
                              m->version == MQTT_PROTOCOL_V5 ? mosquitto_reason_string(m->connack_rc)
                                                             : mosquitto_connack_string(m->connack_rc));
    mosquitto_log_callback_set(m->mosq, NULL);
    return 0;
}

static void connection_lost(cb_mqtt *m, int rc);

int cb_mqtt_run(cb_mqtt *m, int timeout_ms)
{
    if (!m->connected) {
        uint64_t now = cb_mono_ms();
        if (now < m->next_attempt_ms) {
            uint64_t wait = m->next_attempt_ms - now;
            cb_sleep_ms((uint32_t)(wait < (uint64_t)timeout_ms ? wait : (uint64_t)timeout_ms));
            return 0;
        }
        char err[512];
        err[0] = '\0';
        if (m->h.before_connect && m->h.before_connect(m->h.ctx, err, sizeof err) != 0) {
            uint32_t delay;
            cb_backoff_next(&m->backoff, &delay);
            m->next_attempt_ms = cb_mono_ms() + delay;
            if (!m->opt.quiet && err[0])
                cb_log("%s; retrying in %.1f s", err, delay / 1000.0);
            return 0;
        }
        if (cb_mqtt_connect(m, 5000, err, sizeof err) != 0) {
            uint32_t delay;
            cb_backoff_next(&m->backoff, &delay);
            m->next_attempt_ms = cb_mono_ms() + delay;
            if (!m->opt.quiet)
                cb_log("%s; retrying in %.1f s", err, delay / 1000.0);
        } else if (!m->opt.quiet) {
            char shown[400];
            cb_url_format(&m->url, shown, sizeof shown);
            cb_log("connected to %s as %s", shown, m->client_id);
        }
        return 0;
    }
    int rc = mosquitto_loop(m->mosq, timeout_ms, 1);
    if (rc != MOSQ_ERR_SUCCESS)
        connection_lost(m, rc);
    return 0;
}

static void connection_lost(cb_mqtt *m, int rc)
{
    bool was = m->connected;
    m->connected = false;
    if (was && m->h.on_disconnect)
        m->h.on_disconnect(m->h.ctx);
    uint32_t delay;
    cb_backoff_down(&m->backoff, (uint32_t)cb_mono_ms(), &delay);
    m->next_attempt_ms = cb_mono_ms() + delay;
    if (!m->opt.quiet)
        cb_log("lost the broker connection (%s); reconnecting in %.1f s", reason(rc), delay / 1000.0);
}

int cb_mqtt_run_burst(cb_mqtt *m, int timeout_ms, int max_packets)
{
    if (!m->connected)
        return cb_mqtt_run(m, timeout_ms);
    struct pollfd pfd = {.fd = mosquitto_socket(m->mosq), .events = POLLIN};
    if (mosquitto_want_write(m->mosq))
        pfd.events |= POLLOUT;
    int n = 0;
    int ready = poll(&pfd, 1, timeout_ms);
    if (ready > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
        /* read until the socket is empty, without a poll() per packet: a read that
         * delivers nothing met an empty socket (or a packet without a callback, such
         * as PINGRESP; the next poll() finds whatever follows it) */
        while (n < max_packets) {
            unsigned long before = m->delivered;
            int rc = mosquitto_loop_read(m->mosq, 1);
            if (rc != MOSQ_ERR_SUCCESS) {
                connection_lost(m, rc);
                return n;
            }
            if (m->delivered == before)
                break;
            n += (int)(m->delivered - before);
        }
    }
    int rc = MOSQ_ERR_SUCCESS;
    if (!m->opt.hold_writes && mosquitto_want_write(m->mosq))
        rc = mosquitto_loop_write(m->mosq, 1);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_loop_misc(m->mosq);
    if (rc != MOSQ_ERR_SUCCESS) /* libmosquitto may have cleared m->connected already */
        connection_lost(m, rc);
    return n;
}

int cb_mqtt_flush(cb_mqtt *m)
{
    if (!m->connected || !mosquitto_want_write(m->mosq))
        return 0;
    int rc = mosquitto_loop_write(m->mosq, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
        connection_lost(m, rc);
        return -1;
    }
    return 0;
}

bool cb_mqtt_connected(const cb_mqtt *m)
{
    return m->connected;
}

int cb_mqtt_publish(cb_mqtt *m, const char *topic, const void *payload, size_t len, int qos, bool retain, int *mid)
{
    if (!m->connected)
        return -1;
    int rc = mosquitto_publish(m->mosq, mid, topic, (int)len, payload, qos, retain);
    return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

int cb_mqtt_publish_correlated(cb_mqtt *m, const char *topic, const void *payload, size_t len, int qos,
                               const void *corr, size_t corr_len)
{
    if (corr_len == 0 || m->version != MQTT_PROTOCOL_V5)
        return cb_mqtt_publish(m, topic, payload, len, qos, false, NULL);
    if (!m->connected || corr_len > UINT16_MAX)
        return -1;
    mosquitto_property *props = NULL;
    int rc = mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, corr, (uint16_t)corr_len);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_publish_v5(m->mosq, NULL, topic, (int)len, payload, qos, false, props);
    mosquitto_property_free_all(&props);
    return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

int cb_mqtt_message_response(const cb_mqtt *m, char *topic, size_t topic_cap, void *corr, size_t corr_cap,
                             size_t *corr_len)
{
    char *value = NULL;
    void *data = NULL;
    uint16_t n = 0;
    *corr_len = 0;
    if (!m->msg_props || !mosquitto_property_read_string(m->msg_props, MQTT_PROP_RESPONSE_TOPIC, &value, false))
        return -1;
    int rc = strlen(value) < topic_cap ? 0 : -1;
    if (rc == 0)
        snprintf(topic, topic_cap, "%s", value);
    free(value);
    if (rc == 0 && mosquitto_property_read_binary(m->msg_props, MQTT_PROP_CORRELATION_DATA, &data, &n, false)) {
        if (n <= corr_cap) {
            memcpy(corr, data, n);
            *corr_len = n;
        } else {
            rc = -1;
        }
        free(data);
    }
    return rc;
}

int cb_mqtt_subscribe(cb_mqtt *m, const char *filter, int qos)
{
    for (int i = 0; i < m->sub_count; i++)
        if (strcmp(m->subs[i], filter) == 0)
            return m->connected ? (mosquitto_subscribe(m->mosq, NULL, filter, qos) == 0 ? 0 : -1) : 0;
    if (m->sub_count == MAX_SUBS || strlen(filter) >= sizeof m->subs[0])
        return -1;
    snprintf(m->subs[m->sub_count], sizeof m->subs[0], "%s", filter);
    m->sub_qos[m->sub_count++] = qos;
    if (!m->connected)
        return 0;
    return mosquitto_subscribe(m->mosq, NULL, filter, qos) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

int cb_mqtt_wait_puback(cb_mqtt *m, int mid, int timeout_ms)
{
    m->waiting_mid = mid;
    m->waiting_done = false;
    uint64_t deadline = cb_mono_ms() + (uint64_t)timeout_ms;
    while (!m->waiting_done && m->connected && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    m->waiting_mid = -1;
    return m->waiting_done ? 0 : -1;
}

int cb_mqtt_fence(cb_mqtt *m, const char *topic, int timeout_ms)
{
    snprintf(m->fence_topic, sizeof m->fence_topic, "%s", topic);
    snprintf(m->fence_token, sizeof m->fence_token, "fence-%s-%llu", m->client_id, (unsigned long long)cb_mono_us());
    m->fence_seen = false;
    if (cb_mqtt_publish(m, topic, m->fence_token, strlen(m->fence_token), 1, false, NULL) != 0)
        return -1;
    uint64_t deadline = cb_mono_ms() + (uint64_t)timeout_ms;
    while (!m->fence_seen && m->connected && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    m->fence_token[0] = '\0';
    return m->fence_seen ? 0 : -1;
}

void cb_mqtt_stop_reading(cb_mqtt *m)
{
    int fd = mosquitto_socket(m->mosq);
    if (fd >= 0)
        shutdown(fd, SHUT_RD);
}

int cb_mqtt_version_in_use(const cb_mqtt *m)
{
    return m->version == MQTT_PROTOCOL_V5 ? 5 : 3;
}

const char *cb_mqtt_client_id(const cb_mqtt *m)
{
    return m->client_id;
}

struct mosquitto *cb_mqtt_handle(cb_mqtt *m)
{
    return m->mosq;
}

void cb_mqtt_abort(cb_mqtt *m)
{
    if (!m)
        return;
    /* mosquitto_destroy() closes the socket and frees the queue unwritten */
    mosquitto_destroy(m->mosq);
    free(m);
}

static void flush_writes(cb_mqtt *m, int timeout_ms)
{
    uint64_t deadline = cb_mono_ms() + (uint64_t)timeout_ms;
    while (mosquitto_want_write(m->mosq) && cb_mono_ms() < deadline) {
        struct pollfd pfd = {.fd = mosquitto_socket(m->mosq), .events = POLLOUT};
        if (pfd.fd < 0 || poll(&pfd, 1, 100) < 0 || mosquitto_loop_write(m->mosq, 1) != MOSQ_ERR_SUCCESS)
            return;
    }
}

/* Reads and throws away what the broker is still sending, without acknowledging it,
 * until it has been quiet for 20 ms (it stops once its in-flight window to us is
 * full). Closing a TCP socket with unread input sends a reset, and a reset can make
 * the broker drop the last messages we wrote -- the hub's final states. */
static void drain_input(cb_mqtt *m)
{
    int fd = mosquitto_socket(m->mosq);
    uint64_t deadline = cb_mono_ms() + 1000;
    char junk[16384];
    while (fd >= 0 && cb_mono_ms() < deadline) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 20) <= 0 || recv(fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
            return;
    }
}

void cb_mqtt_close(cb_mqtt *m, const char *final_payload)
{
    if (!m)
        return;
    if (m->connected) {
        /* Write only, never read again: a message read now would be acknowledged to
         * the broker (libmosquitto sends PUBACK on receipt) and then dropped by a
         * program that is leaving. Unread messages stay with the broker. The broker
         * handles the final publish before the DISCONNECT that follows it. */
        if (final_payload && m->will_topic[0])
            mosquitto_publish(m->mosq, NULL, m->will_topic, (int)strlen(final_payload), final_payload, 1, true);
        m->connected = false; /* a requested disconnect is not a lost connection */
        m->h.on_disconnect = NULL;
        flush_writes(m, 2000);
        drain_input(m);
        mosquitto_disconnect(m->mosq);
        flush_writes(m, 1000);
    }
    mosquitto_destroy(m->mosq);
    free(m);
}

void cb_mqtt_set_message_handler(cb_mqtt *m, void (*on_message)(void *ctx, const struct mosquitto_message *msg),
                                 void *ctx)
{
    m->h.on_message = on_message;
    m->h.ctx = ctx;
}
