#include "cli_client.h"

#include "clock.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

cb_mqtt *cb_cli_connect(const cb_common *c, const char *prefix, const cb_mqtt_handlers *h)
{
    char err[600];
    cb_mqtt_options o = {.id_prefix = prefix, .clean_session = true, .keepalive_s = 30, .quiet = true};
    cb_mqtt *m = cb_mqtt_open(&c->broker, &o, h, err, sizeof err);
    if (!m) {
        cb_fail(c, "%s", err);
        return NULL;
    }
    if (cb_mqtt_connect(m, CB_CLI_TIMEOUT_MS, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        cb_mqtt_close(m, NULL);
        return NULL;
    }
    return m;
}

int cb_cli_reply_topic(const cb_common *c, cb_mqtt *m, char *topic, size_t cap)
{
    if (cb_topic_build(CB_TOPIC_REPLY, c->site, cb_mqtt_client_id(m), topic, cap) != CB_OK ||
        cb_mqtt_subscribe(m, topic, 1) != 0) {
        cb_fail(c, "cannot subscribe to %s", topic);
        return -1;
    }
    return 0;
}

int cb_cli_watch_hub(const cb_common *c, cb_mqtt *m, char *topic, size_t cap)
{
    if (cb_topic_build(CB_TOPIC_HUB_STATUS, c->site, NULL, topic, cap) != CB_OK ||
        cb_mqtt_subscribe(m, topic, 1) != 0) {
        cb_fail(c, "cannot subscribe to the hub's status");
        return -1;
    }
    return 0;
}

bool cb_cli_hub_message(const struct mosquitto_message *msg, const char *topic, cb_hub_presence *presence)
{
    if (strcmp(msg->topic, topic) != 0)
        return false;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    *presence = len == 6 && memcmp(msg->payload, "online", 6) == 0 ? CB_HUB_ONLINE
                : len > 0                                          ? CB_HUB_OFFLINE
                                                                   : CB_HUB_UNKNOWN;
    return true;
}

typedef struct ask {
    const char *topic;
    char id[CB_ID_SIZE];
    cJSON *reply;
} ask;

static void on_answer(void *ctx, const struct mosquitto_message *msg)
{
    ask *a = ctx;
    if (a->reply || strcmp(msg->topic, a->topic) != 0 || msg->payloadlen <= 0)
        return;
    cJSON *r = cJSON_ParseWithLength(msg->payload, (size_t)msg->payloadlen);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
    if (cJSON_IsString(id) && strcmp(id->valuestring, a->id) == 0)
        a->reply = r;
    else
        cJSON_Delete(r);
}

cJSON *cb_cli_ask_hub(const cb_common *c, cb_mqtt *m, const char *reply_topic, const cb_query *query, cJSON **root)
{
    ask a = {.topic = reply_topic, .reply = NULL};
    cb_query q = *query;
    snprintf(q.id, sizeof q.id, "r%llu", (unsigned long long)(cb_mono_us() % 1000000000u));
    snprintf(a.id, sizeof a.id, "%s", q.id);
    snprintf(q.reply_to, sizeof q.reply_to, "%s", reply_topic);
    cb_mqtt_set_message_handler(m, on_answer, &a);
    char topic[CB_TOPIC_SIZE], req[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_topic_build(CB_TOPIC_HUB_REQUEST, c->site, NULL, topic, sizeof topic);
    *root = NULL;
    if (cb_query_encode(&q, req, sizeof req, &len) != CB_OK) {
        cb_fail(c, "cannot encode the question to the hub (bug)");
        return NULL;
    }
    if (cb_mqtt_publish(m, topic, req, len, 1, false, NULL) != 0) {
        cb_fail(c, "lost the broker while asking the hub");
        return NULL;
    }
    uint64_t deadline = cb_mono_ms() + CB_CLI_TIMEOUT_MS;
    while (!a.reply && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    if (!a.reply) {
        cb_fail(c, "no answer from the hub within %d s (is `callbell hub` running for site %s?)",
                CB_CLI_TIMEOUT_MS / 1000, c->site);
        return NULL;
    }
    *root = a.reply;
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(a.reply, "ok");
    cJSON *result = cJSON_GetObjectItem(a.reply, "result");
    if (!cJSON_IsTrue(ok) || !result) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(a.reply, "error");
        cb_fail(c, "the hub says: %s", cJSON_IsString(e) ? e->valuestring : "error");
        return NULL;
    }
    return result;
}
