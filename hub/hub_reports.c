/* hub_reports.c - what the hub tells about its history: today's response times
 * (retained, for the boards) and answers to `callbell stats` / `callbell calls` /
 * `callbell report` (and the web board's reports view). */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CB_CORRELATION_MAX 64 /* bytes of MQTT 5 correlation data echoed; longer: not answered */

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
    cJSON_AddNumberToObject(o, "cancelled", (double)s->cancelled);
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

typedef struct report_ctx {
    cJSON *result, *groups;
} report_ctx;

static void add_report_group(void *ctx, const char *key, const cb_response_stats *s)
{
    report_ctx *c = ctx;
    cJSON *o = stats_object(s);
    if (key == NULL) {
        cJSON_AddItemToObject(c->result, "overall", o);
        return;
    }
    cJSON_AddItemToArray(c->groups, o);
    cJSON_AddStringToObject(o, "key", key);
}

/* docs/protocol.md "request / reply": report. */
/* Reports group by the section the hub runs now (a reload may have moved a table),
 * as the boards ring. */
static const char *current_section(void *ctx, const char *table)
{
    return cb_hub_section_of(ctx, table);
}

static cJSON *report_result(cb_hub *hub, const cb_query *q, char *err, size_t err_cap)
{
    const char *by = "";
    cb_report_by_name(q->by, &by);
    uint64_t since = q->has_since ? q->since : 0, until = q->has_until ? q->until : 0;
    report_ctx c = {.result = cJSON_CreateObject()};
    cJSON_AddNumberToObject(c.result, "since", (double)since);
    cJSON_AddNumberToObject(c.result, "until", (double)until);
    cJSON_AddStringToObject(c.result, "by", by);
    c.groups = cJSON_AddArrayToObject(c.result, "groups");
    cb_report_sections sections = {.section_of = current_section, .ctx = hub};
    if (cb_store_report(hub->store, since, until, q->by, &sections, add_report_group, &c, err, err_cap) != 0) {
        cJSON_Delete(c.result);
        return NULL;
    }
    return c.result;
}

typedef struct open_request {
    const char *table;
    const char *section;
    const cb_request *r;
} open_request;

/* The boards' order: unanswered first, then acknowledged; oldest first in each. */
static int queue_order(const void *a, const void *b)
{
    const cb_request *x = ((const open_request *)a)->r, *y = ((const open_request *)b)->r;
    if (x->status != y->status)
        return x->status == CB_CALLING ? -1 : 1;
    if (x->pressed_at != y->pressed_at)
        return x->pressed_at < y->pressed_at ? -1 : 1;
    return x->call < y->call ? -1 : x->call > y->call;
}

static cJSON *request_object(const char *table, const char *section, const cb_request *r, uint64_t now)
{
    const char *kind = "?", *status = "?", *level = "floor";
    uint64_t waiting = 0;
    cb_kind_name(r->kind, &kind);
    cb_table_status_name(r->status, &status);
    cb_level_name(r->level, &level);
    cb_waiting_s(r->pressed_at, now, &waiting);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "table", table);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddNumberToObject(o, "call", (double)r->call);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "count", r->count);
    cJSON_AddNumberToObject(o, "repeats", r->repeats);
    cJSON_AddStringToObject(o, "level", level);
    if (section[0]) /* the boards fill their start-up view from this answer */
        cJSON_AddStringToObject(o, "section", section);
    cJSON_AddNumberToObject(o, "pressed_at", (double)r->pressed_at);
    cJSON_AddNumberToObject(o, "waiting_s", (double)waiting);
    cJSON_AddStringToObject(o, "acked_by", r->acked_by); /* "" unless acknowledged */
    cJSON_AddNumberToObject(o, "acked_at", (double)r->acked_at);
    return o;
}

/* One object per open request, in the boards' order (docs/protocol.md "request /
 * reply": calls). */
static cJSON *calls_result(cb_hub *hub)
{
    uint32_t tables = hub->tables.open_count;
    cb_table *open = malloc((tables ? tables : 1) * sizeof *open);
    open_request *all = malloc((tables ? tables : 1) * CB_REQUEST_MAX * sizeof *all);
    if (!open || !all) {
        free(open);
        free(all);
        return NULL;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < tables; k++) {
        cb_table_index_get(&hub->tables, hub->tables.open[k].owner, &open[k]);
        const cb_state *st = &open[k].state;
        for (uint32_t i = 0; i < st->n_requests; i++)
            all[n++] = (open_request){st->table, st->section, &st->requests[i]};
    }
    qsort(all, n, sizeof *all, queue_order);
    cJSON *a = cJSON_CreateArray();
    uint64_t now = cb_wall_ms();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, request_object(all[i].table, all[i].section, all[i].r, now));
    free(all);
    free(open);
    return a;
}

/* Where a request is answered: its reply_to, else (MQTT 5) its response topic with
 * its correlation data. */
typedef struct reply_to {
    char topic[CB_TOPIC_SIZE];
    unsigned char corr[CB_CORRELATION_MAX];
    size_t corr_len;
} reply_to;

static void reply(cb_hub *hub, const reply_to *to, const char *id, cJSON *result, const char *error)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "v", 1);
    cJSON_AddStringToObject(o, "id", id);
    /* the moment the answer describes: boards order it with the states by it */
    cJSON_AddNumberToObject(o, "at", (double)cb_wall_ms());
    cJSON_AddBoolToObject(o, "ok", result != NULL);
    if (result)
        cJSON_AddItemToObject(o, "result", result);
    else
        cJSON_AddStringToObject(o, "error", error);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text && cb_mqtt_publish_correlated(hub->mqtt, to->topic, text, strlen(text), 1, to->corr, to->corr_len) == 0)
        hub->outstanding++;
    free(text);
}

/* The answer goes only to a reply topic of this site, whichever way it was named: a
 * request must not make the hub publish anywhere else. */
static bool answerable(const cb_hub *hub, const cb_query *q, reply_to *to)
{
    memset(to, 0, sizeof *to);
    if (q->reply_to[0])
        snprintf(to->topic, sizeof to->topic, "%s", q->reply_to);
    else if (cb_mqtt_message_response(hub->mqtt, to->topic, sizeof to->topic, to->corr, sizeof to->corr,
                                      &to->corr_len) != 0)
        return false;
    cb_topic rt;
    return cb_topic_parse(to->topic, strlen(to->topic), &rt) == CB_OK && rt.type == CB_TOPIC_REPLY &&
           strcmp(rt.site, hub->opt->site) == 0;
}

void cb_hub_handle_request(cb_hub *hub, const char *payload, size_t len)
{
    cb_query q;
    cb_status st = cb_query_decode(payload, len, &q);
    reply_to to;
    bool can_answer = answerable(hub, &q, &to);
    if (st != CB_OK) {
        cb_hub_reject(hub, "request: %s", cb_status_str(st));
        if (can_answer) {
            char err[64];
            snprintf(err, sizeof err, "bad request: %s", cb_status_str(st));
            reply(hub, &to, q.id, NULL, err);
        }
        return;
    }
    if (!can_answer) {
        cb_hub_reject(hub, "request: reply topic '%.128s' is not callbell/%s/reply/<id>", to.topic, hub->opt->site);
        return;
    }
    if (q.kind == CB_QUERY_STATS) {
        char err[512];
        cJSON *r = stats_result(hub, q.has_since ? q.since : 0, err, sizeof err);
        reply(hub, &to, q.id, r, err);
    } else if (q.kind == CB_QUERY_CALLS) {
        cJSON *calls = calls_result(hub);
        reply(hub, &to, q.id, calls, "out of memory");
    } else if (q.kind == CB_QUERY_INFO) {
        reply(hub, &to, q.id, cb_hub_info_json(hub), "cannot encode this hub's info");
    } else if (q.kind == CB_QUERY_REPORT) {
        char err[512];
        cJSON *r = report_result(hub, &q, err, sizeof err);
        reply(hub, &to, q.id, r, err);
    } else {
        char err[128];
        snprintf(err, sizeof err, "unknown query '%.16s' (want stats, calls, info or report)", q.name);
        reply(hub, &to, q.id, NULL, err);
    }
}
