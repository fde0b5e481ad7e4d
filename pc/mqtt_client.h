/* mqtt_client.h - the PC's MQTT shell: libmosquitto behind a small, blocking-when-asked
 * interface, with reconnect (core backoff + jitter), re-subscribe and a "birth"
 * message republished on every connect (retained "online" beside the will "offline").
 *
 * Single-threaded: the caller drives it with cb_mqtt_run() or its own poll() on
 * cb_mqtt_socket(). All callbacks run inside those calls. */
#ifndef CALLBELL_PC_MQTT_CLIENT_H
#define CALLBELL_PC_MQTT_CLIENT_H

#include "url.h"

#include <mosquitto.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cb_mqtt_handlers {
    void *ctx;
    void (*on_connect)(void *ctx);    /* after CONNACK and re-subscribe, also on reconnect */
    void (*on_disconnect)(void *ctx); /* connection lost (not called by cb_mqtt_close) */
    void (*on_message)(void *ctx, const struct mosquitto_message *msg);
    void (*on_publish)(void *ctx, int mid); /* PUBACK for QoS 1 (or sent, for QoS 0) */
    /* optional: asked before each reconnect of cb_mqtt_run; non-zero: not now (the
     * next attempt waits for the backoff, and `why`, when set, is logged with it), e.g.
     * the hub while it cannot tell whether another hub serves */
    int (*before_connect)(void *ctx, char *why, size_t why_cap);
} cb_mqtt_handlers;

typedef struct cb_mqtt_options {
    const char *client_id; /* NULL: generated from id_prefix, pid and randomness */
    const char *id_prefix; /* e.g. "cb-press" */
    bool clean_session;    /* false: the broker queues QoS 1 messages while we are away */
    /* MQTT 5 and clean_session false: how long the broker keeps the session after the
     * connection ends (0: CB_MQTT_SESSION_EXPIRY_S). MQTT 3.1.1 has no such field: the
     * broker's own setting applies (Mosquitto: persistent_client_expiration, default
     * never). */
    unsigned session_expiry_s;
    int keepalive_s;           /* 0: 60 */
    const char *will_topic;    /* optional: retained QoS 1 will ... */
    const char *will_payload;  /* ... with this payload (e.g. "offline") */
    const char *birth_payload; /* optional: published retained to will_topic after connect */
    bool quiet;                /* don't log reconnect attempts */
    /* Hold every outgoing packet, the PUBACKs for received messages included, until
     * cb_mqtt_flush(): a caller that makes a message durable before acknowledging it
     * (the hub) loses nothing when it dies in between -- the broker redelivers. */
    bool hold_writes;
} cb_mqtt_options;

/* A week: a hub down over a long weekend still finds every press waiting. */
#define CB_MQTT_SESSION_EXPIRY_S (7u * 24u * 3600u)

typedef struct cb_mqtt cb_mqtt;

/* Creates the client (does not connect). Returns NULL with err filled on failure. */
cb_mqtt *cb_mqtt_open(const cb_url *url, const cb_mqtt_options *opt, const cb_mqtt_handlers *h, char *err,
                      size_t err_cap);
/* Connects and waits for CONNACK up to timeout_ms. 0 or -1 with err. */
int cb_mqtt_connect(cb_mqtt *m, int timeout_ms, char *err, size_t err_cap);
/* One round of network work, waiting up to timeout_ms for traffic. When the
 * connection is down it reconnects after the backoff delay. Returns 0. */
int cb_mqtt_run(cb_mqtt *m, int timeout_ms);
/* Like cb_mqtt_run, but reads every packet already waiting (up to max_packets)
 * before returning, so a caller can handle a burst of messages as one batch
 * (the hub: one transaction, one publish round). Returns the packets read. */
int cb_mqtt_run_burst(cb_mqtt *m, int timeout_ms, int max_packets);
/* Writes everything queued (hold_writes). Returns 0, or -1 when the connection broke
 * (it is re-established by the next cb_mqtt_run). */
int cb_mqtt_flush(cb_mqtt *m);
/* Drops the connection without writing what is queued and without DISCONNECT, so the
 * broker publishes the will and redelivers every unacknowledged message to the next
 * session. For a program that could not keep what it read (hub after a database
 * failure). Frees. NULL-safe. */
void cb_mqtt_abort(cb_mqtt *m);
bool cb_mqtt_connected(const cb_mqtt *m);
/* Queue a publish. 0 and *mid (optional), or -1 (not connected / too large / error). */
int cb_mqtt_publish(cb_mqtt *m, const char *topic, const void *payload, size_t len, int qos, bool retain, int *mid);
/* The same with MQTT 5 correlation data (corr_len 0: none; ignored under 3.1.1). */
int cb_mqtt_publish_correlated(cb_mqtt *m, const char *topic, const void *payload, size_t len, int qos,
                               const void *corr, size_t corr_len);
/* Inside on_message only: the MQTT 5 response topic and correlation data of the
 * message being handled. 0 with topic filled (*corr_len 0 when it has no correlation
 * data), or -1 when it names no response topic (always under 3.1.1), or its topic or
 * correlation data do not fit the buffers. */
int cb_mqtt_message_response(const cb_mqtt *m, char *topic, size_t topic_cap, void *corr, size_t corr_cap,
                             size_t *corr_len);
/* Subscribe now (if connected) and again after every reconnect. 0 or -1. */
int cb_mqtt_subscribe(cb_mqtt *m, const char *filter, int qos);
/* Runs the loop until PUBACK for mid arrives: 0, or -1 on timeout / disconnect. */
int cb_mqtt_wait_puback(cb_mqtt *m, int mid, int timeout_ms);
/* Publishes a marker to `topic` (which this client must be subscribed to) and runs the
 * loop until it comes back: by then every retained message the broker queued for our
 * earlier subscriptions has been delivered. 0, or -1 on timeout. */
int cb_mqtt_fence(cb_mqtt *m, const char *topic, int timeout_ms);
/* Reads nothing more from the broker (what it sent stays unacknowledged and is
 * delivered again to a persistent session); writes still go out. For a program
 * that cannot keep what it would read, e.g. the hub after a database failure. */
void cb_mqtt_stop_reading(cb_mqtt *m);
/* Replaces the message handler and its context (a command that reads in stages). */
void cb_mqtt_set_message_handler(cb_mqtt *m, void (*on_message)(void *ctx, const struct mosquitto_message *msg),
                                 void *ctx);
/* The protocol in use: 5, or 3 for 3.1.1 (auto falls back to 3 for good when the
 * broker refuses 5). */
int cb_mqtt_version_in_use(const cb_mqtt *m);
/* The client id in use (stable for the life of the object). */
const char *cb_mqtt_client_id(const cb_mqtt *m);
struct mosquitto *cb_mqtt_handle(cb_mqtt *m);
/* Disconnects cleanly (the will is not sent) after publishing `final_payload`
 * (optional, retained, QoS 1) to the will topic, and frees. NULL-safe. */
void cb_mqtt_close(cb_mqtt *m, const char *final_payload);

#endif
