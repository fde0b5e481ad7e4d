/* hub_reports.c - what the hub tells about its history: today's response times
 * (retained, for the boards) and answers to `callbell stats` / `callbell calls`. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t local_midnight_ms(char *day, size_t day_cap)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(day, day_cap, "%Y-%m-%d", &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (uint64_t)mktime(&tm) * 1000u;
}

/* "<name>_p50_s", "<name>_p90_s", "<name>_max_s" with one decimal, null without samples. */
static void add_figures(cJSON *o, const char *name, const cb_duration_stats *d)
{
    static const char *const suffix[] = {"p50_s", "p90_s", "max_s"};
    const double value[] = {d->p50_s, d->p90_s, d->max_s};
    for (int i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s_%s", name, suffix[i]);
        if (d->count)
            cJSON_AddNumberToObject(o, key, (double)(int64_t)(value[i] * 10.0 + 0.5) / 10.0);
        else
            cJSON_AddNullToObject(o, key);
    }
}

/* The response-time object shared by the retained stats and the stats reply. */
static cJSON *stats_object(const cb_response_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "calls", (double)s->calls);
    cJSON_AddNumberToObject(o, "acked", (double)s->ack.count);
    cJSON_AddNumberToObject(o, "done", (double)s->done.count);
    add_figures(o, "ack", &s->ack);
    add_figures(o, "done", &s->done);
    return o;
}

void cb_hub_publish_stats(cb_hub *hub)
{
    char day[16], err[512];
    uint64_t since = local_midnight_ms(day, sizeof day);
    cb_response_stats s;
    if (cb_store_response_stats(hub->store, since, NULL, &s, err, sizeof err) != 0) {
        cb_log("cannot compute statistics: %s", err);
        return;
    }
    cJSON *o = stats_object(&s);
    cJSON_AddNumberToObject(o, "v", 1);
    cJSON_AddStringToObject(o, "day", day);
    cJSON_AddNumberToObject(o, "updated_at", (double)cb_wall_ms());
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return;
    char topic[CB_TOPIC_SIZE];
    cb_topic_build(CB_TOPIC_HUB_STATS, hub->opt->site, NULL, topic, sizeof topic);
    if (cb_mqtt_publish(hub->mqtt, topic, text, strlen(text), 1, true, NULL) == 0) {
        hub->outstanding++;
        hub->stats_changed = false;
        hub->stats_published_ms = cb_mono_ms();
    }
    free(text);
}

typedef struct per_table_ctx {
    cb_hub *hub;
    uint64_t since;
    cJSON *array;
} per_table_ctx;

static void add_table_stats(void *ctx, const char *table)
{
    per_table_ctx *c = ctx;
    cb_response_stats s;
    char err[256];
    if (cb_store_response_stats(c->hub->store, c->since, table, &s, err, sizeof err) != 0)
        return;
    cJSON *o = stats_object(&s);
    cJSON_AddStringToObject(o, "table", table);
    cJSON_AddItemToArray(c->array, o);
}

static cJSON *stats_result(cb_hub *hub, uint64_t since, char *err, size_t err_cap)
{
    cb_response_stats s;
    if (cb_store_response_stats(hub->store, since, NULL, &s, err, err_cap) != 0)
        return NULL;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "since", (double)since);
    cJSON_AddItemToObject(r, "overall", stats_object(&s));
    per_table_ctx c = {.hub = hub, .since = since, .array = cJSON_AddArrayToObject(r, "tables")};
    if (cb_store_tables_with_calls(hub->store, since, add_table_stats, &c, err, err_cap) != 0) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static cJSON *calls_result(cb_hub *hub)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t i = 0; i < hub->tables.count; i++) {
        const cb_state *st = &hub->tables.tables[i].state;
        if (st->status == CB_IDLE)
            continue;
        char json[CB_PAYLOAD_SIZE];
        size_t len;
        if (cb_state_encode(st, json, sizeof json, &len) == CB_OK)
            cJSON_AddItemToArray(a, cJSON_Parse(json));
    }
    return a;
}

static void reply(cb_hub *hub, const char *topic, const char *id, cJSON *result, const char *error)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "v", 1);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddBoolToObject(o, "ok", result != NULL);
    if (result)
        cJSON_AddItemToObject(o, "result", result);
    else
        cJSON_AddStringToObject(o, "error", error);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text && cb_mqtt_publish(hub->mqtt, topic, text, strlen(text), 1, false, NULL) == 0)
        hub->outstanding++;
    free(text);
}

void cb_hub_handle_request(cb_hub *hub, const char *payload, size_t len)
{
    if (len > CB_PAYLOAD_MAX) {
        cb_hub_reject(hub, "request: too_long");
        return;
    }
    cJSON *req = cJSON_ParseWithLength(payload, len);
    if (!req) {
        cb_hub_reject(hub, "request: json");
        return;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "v");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *query = cJSON_GetObjectItemCaseSensitive(req, "query");
    const cJSON *reply_to = cJSON_GetObjectItemCaseSensitive(req, "reply_to");
    const cJSON *since = cJSON_GetObjectItemCaseSensitive(req, "since");
    cb_topic rt;
    if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
        cb_hub_reject(hub, "request: version");
    } else if (!cJSON_IsString(id) || strlen(id->valuestring) > CB_ID_MAX || !cJSON_IsString(query) ||
               !cJSON_IsString(reply_to)) {
        cb_hub_reject(hub, "request: missing or mistyped id, query or reply_to");
    } else if (cb_topic_parse(reply_to->valuestring, strlen(reply_to->valuestring), &rt) != CB_OK ||
               rt.type != CB_TOPIC_REPLY || strcmp(rt.site, hub->opt->site) != 0) {
        cb_hub_reject(hub, "request: reply_to '%.128s' is not callbell/%s/reply/<id>", reply_to->valuestring,
                      hub->opt->site);
    } else if (strcmp(query->valuestring, "stats") == 0) {
        /* ms since the epoch; 2^53 keeps the double exact and far beyond any clock */
        if (since && (!cJSON_IsNumber(since) || since->valuedouble < 0 || since->valuedouble > 9007199254740992.0 ||
                      since->valuedouble != (double)(int64_t)since->valuedouble)) {
            reply(hub, reply_to->valuestring, id->valuestring, NULL,
                  "since must be a whole number of ms since the epoch");
        } else {
            char err[512];
            uint64_t from = since ? (uint64_t)since->valuedouble : 0;
            cJSON *r = stats_result(hub, from, err, sizeof err);
            reply(hub, reply_to->valuestring, id->valuestring, r, err);
        }
    } else if (strcmp(query->valuestring, "calls") == 0) {
        reply(hub, reply_to->valuestring, id->valuestring, calls_result(hub), NULL);
    } else {
        char err[128];
        snprintf(err, sizeof err, "unknown query '%.32s' (want stats or calls)", query->valuestring);
        reply(hub, reply_to->valuestring, id->valuestring, NULL, err);
    }
    cJSON_Delete(req);
}
