/* site_claim.c - is another hub serving this site? (site_claim.h) */
#define _POSIX_C_SOURCE 200809L
#include "site_claim.h"

#include "clock.h"
#include "mqtt_client.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CONNECT_TIMEOUT_MS 5000
#define FENCE_TIMEOUT_MS 5000
#define REQUEST_ID "claim"

typedef struct claim_read {
    char status_topic[CB_TOPIC_SIZE], info_topic[CB_TOPIC_SIZE], reply_topic[CB_TOPIC_SIZE];
    bool online;
    bool info_seen;
    cb_hub_info info; /* retained hub/info */
    bool answered;
    bool answer_known;
    cb_hub_info answer; /* the info query's result */
} claim_read;

static bool payload_is(const struct mosquitto_message *msg, const char *text)
{
    return msg->payloadlen == (int)strlen(text) && memcmp(msg->payload, text, strlen(text)) == 0;
}

/* A reply to our question: any answer with our id proves the hub alive (a hub that
 * does not know "info" answers "unknown query"); a result says who it is. */
static void read_answer(claim_read *r, const struct mosquitto_message *msg)
{
    cJSON *o = cJSON_ParseWithLength(msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (cJSON_IsString(id) && strcmp(id->valuestring, REQUEST_ID) == 0) {
        r->answered = true;
        char *result = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "result"));
        r->answer_known = result && cb_hub_info_decode(result, strlen(result), &r->answer) == CB_OK;
        cJSON_free(result);
    }
    cJSON_Delete(o);
}

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    claim_read *r = ctx;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    if (strcmp(msg->topic, r->status_topic) == 0)
        r->online = payload_is(msg, "online");
    else if (strcmp(msg->topic, r->info_topic) == 0)
        r->info_seen = len > 0 && cb_hub_info_decode(msg->payload, len, &r->info) == CB_OK;
    else if (strcmp(msg->topic, r->reply_topic) == 0)
        read_answer(r, msg);
}

/* Asks the hub "info" at QoS 0 (a question for a hub that is not there must not wait
 * in its session for the next one) and waits for the answer. */
static void ask(cb_mqtt *m, claim_read *r, const char *site, int timeout_ms)
{
    cb_query q = {.kind = CB_QUERY_INFO};
    snprintf(q.id, sizeof q.id, "%s", REQUEST_ID);
    snprintf(q.reply_to, sizeof q.reply_to, "%s", r->reply_topic);
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_topic_build(CB_TOPIC_HUB_REQUEST, site, NULL, topic, sizeof topic) != CB_OK ||
        cb_query_encode(&q, payload, sizeof payload, &len) != CB_OK ||
        cb_mqtt_publish(m, topic, payload, len, 0, false, NULL) != 0)
        return;
    uint64_t deadline = cb_mono_ms() + (uint64_t)timeout_ms;
    while (!r->answered && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
}

int cb_site_claim_check(const cb_url *broker, const char *site, const char *mine, bool reconnect, int answer_timeout_ms,
                        cb_site_claim *out, char *err, size_t err_cap)
{
    claim_read r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    cb_mqtt_options o = {.id_prefix = "cb-hubcheck", .clean_session = true, .keepalive_s = 30, .quiet = true};
    cb_mqtt_handlers h = {.ctx = &r, .on_message = on_message};
    cb_mqtt *m = cb_mqtt_open(broker, &o, &h, err, err_cap);
    if (!m)
        return -1;
    int rc = -1;
    if (cb_topic_build(CB_TOPIC_HUB_STATUS, site, NULL, r.status_topic, sizeof r.status_topic) != CB_OK ||
        cb_topic_build(CB_TOPIC_HUB_INFO, site, NULL, r.info_topic, sizeof r.info_topic) != CB_OK ||
        cb_topic_build(CB_TOPIC_REPLY, site, cb_mqtt_client_id(m), r.reply_topic, sizeof r.reply_topic) != CB_OK) {
        snprintf(err, err_cap, "bad site '%s'", site);
        goto out;
    }
    cb_mqtt_subscribe(m, r.status_topic, 1);
    cb_mqtt_subscribe(m, r.info_topic, 1);
    cb_mqtt_subscribe(m, r.reply_topic, 1);
    if (cb_mqtt_connect(m, CONNECT_TIMEOUT_MS, err, err_cap) != 0)
        goto out;
    /* the marker comes back after every retained message of the earlier subscriptions */
    if (cb_mqtt_fence(m, r.reply_topic, FENCE_TIMEOUT_MS) != 0) {
        snprintf(err, err_cap, "the broker did not deliver the hub's retained status within %d ms", FENCE_TIMEOUT_MS);
        goto out;
    }
    cb_claim claim;
    cb_hub_claim_start(r.online, r.info_seen ? r.info.instance : "", mine, reconnect, &claim);
    if (claim == CB_CLAIM_ASK) {
        ask(m, &r, site, answer_timeout_ms);
        cb_hub_claim_answer(r.answered, &claim);
    }
    out->claim = claim;
    out->other_known = r.answer_known || r.info_seen;
    if (r.answer_known)
        out->other = r.answer;
    else if (r.info_seen)
        out->other = r.info;
    rc = 0;
out:
    cb_mqtt_close(m, NULL);
    return rc;
}

void cb_site_claim_describe(const cb_site_claim *c, char *buf, size_t cap)
{
    if (!c->other_known) {
        snprintf(buf, cap, "a hub that did not say who it is (an older callbell?)");
        return;
    }
    const cb_hub_info *i = &c->other;
    time_t t = (time_t)(i->started_at / 1000);
    struct tm tm;
    char since[32] = "?";
    if (localtime_r(&t, &tm))
        strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, cap, "pid %u on host %s, database %s, up since %s", i->pid, i->host, i->db, since);
}
