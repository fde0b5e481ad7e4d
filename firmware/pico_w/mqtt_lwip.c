/* mqtt_lwip.c - see mqtt_lwip.h.
 *
 * Connection states, stepped by mqtt_lwip_poll (main loop) and moved on by lwIP's
 * callbacks (DNS answer, CONNACK, connection lost):
 *
 *   IDLE --(Wi-Fi up, backoff over)--> RESOLVING --(address)--> CONNECTING --(CONNACK)--> CONNECTED
 *     ^                                    |                        |                         |
 *     +------ failure, timeout, Wi-Fi lost, broker silent: wait cb_backoff_next() ------------+
 */
#include "mqtt_lwip.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>

#include "callbell/backoff.h"
#include "log.h"
#include "lwip/apps/mqtt.h"
#include "lwip/apps/mqtt_priv.h" /* mqtt_client_t is allocated statically, not from lwIP's heap */
#include "lwip/dns.h"
#include "pico/cyw43_arch.h"

#if CALLBELL_TLS
#include "callbell_ca_cert.h"
#include "lwip/altcp_tls.h"
#include "lwip/apps/altcp_tls_mbedtls_opts.h"
#include "mbedtls/ssl.h"
_Static_assert(ALTCP_MBEDTLS_AUTHMODE == MBEDTLS_SSL_VERIFY_REQUIRED, "the broker's certificate must be verified");
#endif

#define KEEPALIVE_S 60
#define DNS_TIMEOUT_MS 15000
#define CONNECT_TIMEOUT_MS 30000 /* TCP + TLS handshake + CONNACK */

typedef enum { MQ_IDLE, MQ_RESOLVING, MQ_CONNECTING, MQ_CONNECTED } mq_state;

static struct {
    cb_device *dev;
    mqtt_client_t client;
    struct mqtt_connect_client_info_t info;
    char client_id[4 + CB_ID_SIZE];
    char will_topic[CB_TOPIC_SIZE];
    cb_backoff backoff;
    char host[64]; /* the broker, from the settings */
    uint16_t port;

    mq_state state;
    uint32_t next_ms; /* IDLE: next attempt; RESOLVING/CONNECTING: give up */
    uint32_t attempt; /* tells a late DNS answer from the current one */
    bool dns_done;
    bool dns_found;
    ip_addr_t broker_ip;
    bool drop;            /* a callback saw the broker stop answering: reconnect */
    bool connected_event; /* for mqtt_lwip_take_connected */
    uint16_t last_mid;    /* our message ids (lwIP does not expose its packet ids) */

    /* The incoming message being assembled from lwIP's fragments. */
    char in_topic[CB_TOPIC_SIZE];
    size_t in_topic_len;
    char in_payload[CB_STATE_PAYLOAD_MAX]; /* the largest message a device reads: a state */
    size_t in_len;
    bool in_skip;
} mq;

static const char *status_name(mqtt_connection_status_t status)
{
    switch (status) {
    case MQTT_CONNECT_ACCEPTED:
        return "accepted";
    case MQTT_CONNECT_REFUSED_PROTOCOL_VERSION:
        return "refused: protocol version";
    case MQTT_CONNECT_REFUSED_IDENTIFIER:
        return "refused: client id";
    case MQTT_CONNECT_REFUSED_SERVER:
        return "refused: server unavailable";
    case MQTT_CONNECT_REFUSED_USERNAME_PASS:
        return "refused: bad user name or password";
    case MQTT_CONNECT_REFUSED_NOT_AUTHORIZED_:
        return "refused: not authorized";
    case MQTT_CONNECT_DISCONNECTED:
        return "disconnected";
    case MQTT_CONNECT_TIMEOUT:
        return "timeout";
    default:
        return "unknown";
    }
}

static void retry_later(uint32_t now)
{
    uint32_t delay_ms = CB_RETRY_MQTT_MIN_MS;
    /* A connection that held CB_BACKOFF_STABLE_MS starts the delays again; one that
     * was dropped sooner (or an attempt that failed) is one more failure. */
    cb_backoff_down(&mq.backoff, now, &delay_ms);
    mq.state = MQ_IDLE;
    mq.next_ms = now + delay_ms;
    log_printf("mqtt: next attempt in %lu ms", (unsigned long)delay_ms);
}

/* Ends the connection (or the attempt) from our side. lwIP's mqtt_disconnect does not
 * call the connection callback, so the engine is told here. */
static void drop_connection(const char *why, uint32_t now)
{
    log_printf("mqtt: closing connection: %s", why);
    mqtt_disconnect(&mq.client);
    if (mq.state == MQ_CONNECTED) {
        cb_device_disconnected(mq.dev);
    }
    mq.drop = false;
    retry_later(now);
}

/* ---- lwIP callbacks (interrupt context, cyw43 lock held) ------------------------ */

static void on_connection(mqtt_client_t *client, void *arg, mqtt_connection_status_t status)
{
    (void)client;
    (void)arg;
    uint32_t now = now_ms();
    if (status == MQTT_CONNECT_ACCEPTED) {
        log_printf("mqtt: connected to %s:%d as %s", mq.host, mq.port, mq.client_id);
        mq.state = MQ_CONNECTED;
        mq.drop = false;
        mq.connected_event = true;
        cb_backoff_up(&mq.backoff, now); /* not a reset: see retry_later */
        /* "online" (retained), subscriptions; waiting presses go out on the next poll. */
        cb_device_connected(mq.dev, now);
        return;
    }
    if (mq.state == MQ_CONNECTED) {
        log_printf("mqtt: connection lost (%s)", status_name(status));
        cb_device_disconnected(mq.dev); /* presses in flight wait again, order kept */
    } else {
        log_printf("mqtt: connect failed (%s)", status_name(status));
    }
    retry_later(now);
}

static void on_dns(const char *name, const ip_addr_t *ip, void *arg)
{
    (void)name;
    if ((uint32_t)(uintptr_t)arg != mq.attempt || mq.state != MQ_RESOLVING) {
        return; /* answer to an attempt we gave up on */
    }
    mq.dns_done = true;
    mq.dns_found = ip != NULL;
    if (ip) {
        mq.broker_ip = *ip;
    }
}

/* A QoS 1 publish completed: PUBACK (ERR_OK) or no answer within MQTT_REQ_TIMEOUT. */
static void on_published(void *arg, err_t err)
{
    uint16_t mid = (uint16_t)(uintptr_t)arg;
    if (err == ERR_OK) {
        cb_device_puback(mq.dev, mid); /* a press leaves the outbox only here */
    } else {
        /* The broker did not acknowledge in 30 s on a connection that looks alive.
         * Reconnect: the press goes back to waiting and is sent again (same seq). */
        log_printf("mqtt: no PUBACK for message %u (%d)", mid, err);
        mq.drop = true;
    }
}

static void on_subscribed(void *arg, err_t err)
{
    (void)arg;
    if (err == ERR_TIMEOUT) {
        log_printf("mqtt: no SUBACK");
        mq.drop = true;
    } else if (err != ERR_OK) {
        log_printf("mqtt: subscription refused by the broker (%d)", err);
    }
}

static void on_incoming_publish(void *arg, const char *topic, u32_t tot_len)
{
    (void)arg;
    size_t len = strlen(topic);
    mq.in_len = 0;
    mq.in_skip = len > CB_TOPIC_MAX || tot_len > CB_STATE_PAYLOAD_MAX;
    if (mq.in_skip) {
        log_printf("mqtt: ignoring %lu-byte message on a %u-byte topic", (unsigned long)tot_len, (unsigned)len);
        return;
    }
    memcpy(mq.in_topic, topic, len + 1);
    mq.in_topic_len = len;
}

static void on_incoming_data(void *arg, const u8_t *data, u16_t len, u8_t flags)
{
    (void)arg;
    if (!mq.in_skip) {
        if (mq.in_len + len > sizeof mq.in_payload) {
            mq.in_skip = true;
        } else {
            memcpy(mq.in_payload + mq.in_len, data, len);
            mq.in_len += len;
        }
    }
    if ((flags & MQTT_DATA_FLAG_LAST) && !mq.in_skip) {
        /* A state of one of our tables (the engine ignores anything else). */
        cb_device_message(mq.dev, mq.in_topic, mq.in_topic_len, mq.in_payload, mq.in_len, now_ms());
    }
}

/* ---- the port: the engine calls these (main loop or callbacks, lock held) -------- */

static cb_status port_publish(void *ctx, const char *topic, const void *payload, size_t len, int qos, bool retain,
                              uint16_t *mid)
{
    (void)ctx;
    if (mq.state != MQ_CONNECTED) {
        return CB_E_FULL; /* try again later */
    }
    if (len > UINT16_MAX || qos < 0 || qos > 1) {
        return CB_E_ARG;
    }
    if (++mq.last_mid == 0) {
        mq.last_mid = 1;
    }
    uint16_t our_mid = mq.last_mid;
    /* lwIP keeps its own packet id to itself; our id rides along as the callback arg.
     * The PUBACK can only arrive in a later lwIP callback, never inside this call, as
     * the engine requires (device.c: the entry is marked in flight after we return). */
    err_t err = mqtt_publish(&mq.client, topic, payload, (u16_t)len, (u8_t)qos, retain, on_published,
                             (void *)(uintptr_t)our_mid);
    if (err == ERR_MEM) {
        return CB_E_FULL; /* output buffer or request slots full for now */
    }
    if (err != ERR_OK) {
        log_printf("mqtt: publish failed (%d)", err);
        return CB_E_ARG;
    }
    if (mid) {
        *mid = our_mid;
    }
    return CB_OK;
}

static cb_status port_subscribe(void *ctx, const char *filter, int qos)
{
    (void)ctx;
    if (mq.state != MQ_CONNECTED) {
        return CB_E_FULL;
    }
    err_t err = mqtt_subscribe(&mq.client, filter, (u8_t)qos, on_subscribed, NULL);
    if (err == ERR_MEM) {
        return CB_E_FULL;
    }
    if (err != ERR_OK) {
        log_printf("mqtt: subscribe failed (%d)", err);
        return CB_E_ARG;
    }
    log_printf("mqtt: subscribed to %s", filter);
    return CB_OK;
}

static const cb_mqtt_port port = {.ctx = NULL, .publish = port_publish, .subscribe = port_subscribe};

const cb_mqtt_port *mqtt_lwip_port(void)
{
    return &port;
}

/* ---- connection management (main loop, lock held) ---------------------------------- */

bool mqtt_lwip_init(cb_device *dev, uint32_t seed, const cb_settings *settings)
{
    mq.dev = dev;
    bool tls = false;
    if (cb_settings_broker(settings, mq.host, sizeof mq.host, &mq.port, &tls) != CB_OK) {
        log_printf("mqtt: broker '%s' is not mqtt://host[:port]", settings->broker);
        return false;
    }
    if (tls != (CALLBELL_TLS != 0)) {
        /* TLS is chosen at build time (the CA certificate is compiled in). */
        log_printf("mqtt: broker %s wants %s, but this firmware was built %s: connecting %s", settings->broker,
                   tls ? "TLS" : "no TLS", CALLBELL_TLS ? "with TLS (CALLBELL_CA_CERT)" : "without TLS",
                   CALLBELL_TLS ? "with TLS" : "without");
    }
    cb_backoff_init(&mq.backoff, CB_RETRY_MQTT_MIN_MS, CB_RETRY_MQTT_MAX_MS, seed);
    mq.state = MQ_IDLE;
    mq.next_ms = now_ms();

    /* A client id of our own (the seed's fixed "Jimmy" kicked other kits off the
     * public broker); 19 characters, within MQTT 3.1.1's guaranteed 23. */
    snprintf(mq.client_id, sizeof mq.client_id, "cb-%s", dev->cfg.device);
    const char *will_payload = NULL;
    if (cb_device_will(dev, mq.will_topic, sizeof mq.will_topic, &will_payload) != CB_OK) {
        log_printf("mqtt: will topic does not fit");
        return false;
    }
    mq.info = (struct mqtt_connect_client_info_t){
        .client_id = mq.client_id,
        .client_user = settings->mqtt_user[0] ? settings->mqtt_user : NULL,
        .client_pass = settings->mqtt_password[0] ? settings->mqtt_password : NULL,
        .keep_alive = KEEPALIVE_S,
        .will_topic = mq.will_topic, /* retained "offline", QoS 1 */
        .will_msg = will_payload,
        .will_qos = 1,
        .will_retain = 1,
    };
#if CALLBELL_TLS
    static const u8_t ca_cert[] = CALLBELL_CA_CERT_PEM; /* PEM: the length counts the NUL */
    mq.info.tls_config = altcp_tls_create_config_client(ca_cert, sizeof ca_cert);
    if (mq.info.tls_config == NULL) {
        log_printf("mqtt: the CA certificate could not be loaded");
        return false;
    }
#endif
    mqtt_set_inpub_callback(&mq.client, on_incoming_publish, on_incoming_data, NULL);
    return true;
}

static void start_connect(uint32_t now)
{
    log_printf("mqtt: connecting to %s (%s):%u%s", mq.host, ipaddr_ntoa(&mq.broker_ip), mq.port,
               CALLBELL_TLS ? " with TLS" : "");
    err_t err = mqtt_client_connect(&mq.client, &mq.broker_ip, mq.port, on_connection, NULL, &mq.info);
    if (err != ERR_OK) {
        log_printf("mqtt: connect failed to start (%d)", err);
        retry_later(now);
        return;
    }
#if CALLBELL_TLS
    /* SNI, and the name the certificate is checked against. */
    mbedtls_ssl_set_hostname(altcp_tls_context(mq.client.conn), mq.host);
#endif
    mq.state = MQ_CONNECTING;
    mq.next_ms = now + CONNECT_TIMEOUT_MS;
}

void mqtt_lwip_poll(bool wifi_up, uint32_t now)
{
    if (!wifi_up) {
        if (mq.state != MQ_IDLE) {
            drop_connection("Wi-Fi is down", now);
        }
        return;
    }
    switch (mq.state) {
    case MQ_IDLE:
        if (reached(now, mq.next_ms)) {
            /* An IP literal is answered at once (ERR_OK), a name maybe from the cache. */
            mq.attempt++;
            mq.dns_done = false;
            err_t err = dns_gethostbyname(mq.host, &mq.broker_ip, on_dns, (void *)(uintptr_t)mq.attempt);
            if (err == ERR_OK) {
                start_connect(now);
            } else if (err == ERR_INPROGRESS) {
                mq.state = MQ_RESOLVING;
                mq.next_ms = now + DNS_TIMEOUT_MS;
            } else {
                log_printf("mqtt: cannot look up %s (%d)", mq.host, err);
                retry_later(now);
            }
        }
        break;
    case MQ_RESOLVING:
        if (mq.dns_done && mq.dns_found) {
            start_connect(now);
        } else if (mq.dns_done || reached(now, mq.next_ms)) {
            log_printf("mqtt: DNS lookup of %s failed", mq.host);
            retry_later(now);
        }
        break;
    case MQ_CONNECTING:
        if (reached(now, mq.next_ms)) {
            drop_connection("no CONNACK in time", now);
        }
        break;
    case MQ_CONNECTED:
        if (mq.drop) {
            drop_connection("broker not answering", now);
        }
        break;
    }
}

bool mqtt_lwip_take_connected(void)
{
    bool event = mq.connected_event;
    mq.connected_event = false;
    return event;
}

void mqtt_lwip_stop(void)
{
    if (mq.state != MQ_IDLE) {
        log_printf("mqtt: closing connection: going to sleep");
        mqtt_disconnect(&mq.client);
    }
    if (mq.state == MQ_CONNECTED) {
        cb_device_disconnected(mq.dev);
    }
    mq.state = MQ_IDLE;
    mq.drop = false;
    mq.next_ms = now_ms(); /* connect at once after the wake; the backoff is kept */
}
