/* query.c - a question to the hub (client -> hub), docs/protocol.md "request /
 * reply". The answers (statistics, open requests) are the hub's to build: they may
 * exceed 512 bytes and are written with cJSON on the PC, never on a device. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

static const char *const query_names[] = {
    [CB_QUERY_STATS] = "stats", [CB_QUERY_CALLS] = "calls", [CB_QUERY_INFO] = "info", [CB_QUERY_REPORT] = "report"};
static const char *const by_names[] = {
    [CB_BY_NONE] = "",     [CB_BY_TABLE] = "table", [CB_BY_KIND] = "kind",      [CB_BY_STAFF] = "staff",
    [CB_BY_HOUR] = "hour", [CB_BY_DAY] = "day",     [CB_BY_SECTION] = "section"};
#define BY_NAME_MAX 7 /* "section" */

cb_status cb_report_by_name(cb_report_by by, const char **name)
{
    if (name == NULL || (unsigned)by >= sizeof by_names / sizeof by_names[0]) {
        return CB_E_ARG;
    }
    *name = by_names[by];
    return CB_OK;
}

cb_status cb_report_by_parse(const char *name, cb_report_by *out)
{
    if (name == NULL || out == NULL) {
        return CB_E_ARG;
    }
    for (unsigned b = CB_BY_TABLE; b < sizeof by_names / sizeof by_names[0]; b++) {
        if (strcmp(name, by_names[b]) == 0) {
            *out = (cb_report_by)b;
            return CB_OK;
        }
    }
    return CB_E_RANGE;
}

/* The report's optional window end and grouping (docs/protocol.md "request / reply"). */
static cb_status decode_report_fields(const cb_json_object *obj, cb_query *q)
{
    int64_t v = 0;
    char by[BY_NAME_MAX + 1];
    bool has_by = false;
    size_t n = 0;
    cb_status st = cb_field_int(obj, "until", false, 1, (int64_t)CB_JSON_SAFE_MAX, &v, &q->has_until);
    if (st != CB_OK) {
        return st;
    }
    q->until = q->has_until ? (uint64_t)v : 0u;
    st = cb_field_str(obj, "by", false, by, sizeof by, &n, &has_by);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE; /* no grouping has a name that long */
    }
    if (st != CB_OK || !has_by) {
        return st;
    }
    if (strlen(by) != n) {
        return CB_E_RANGE;
    }
    return cb_report_by_parse(by, &q->by);
}

static cb_query_kind query_kind(const char *name)
{
    for (unsigned k = CB_QUERY_STATS; k < sizeof query_names / sizeof query_names[0]; k++) {
        if (strcmp(name, query_names[k]) == 0) {
            return (cb_query_kind)k;
        }
    }
    return CB_QUERY_OTHER;
}

cb_status cb_query_decode(const char *payload, size_t len, cb_query *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_query q;
    memset(&q, 0, sizeof q);
    memset(out, 0, sizeof *out);
    size_t n = 0;
    int64_t v = 0;
    /* who asked and where to answer come first: a question broken further on can
     * still be answered with what is wrong with it */
    if ((st = cb_field_id(&obj, "id", q.id)) != CB_OK) {
        return st;
    }
    /* optional: an MQTT 5 asker may name its reply topic in the message's properties */
    if ((st = cb_field_str(&obj, "reply_to", false, q.reply_to, sizeof q.reply_to, &n, NULL)) != CB_OK) {
        return st;
    }
    if (strlen(q.reply_to) != n) {
        return CB_E_RANGE;
    }
    *out = q; /* id and reply_to, kept on the errors below */
    if ((st = cb_field_str(&obj, "query", true, q.name, sizeof q.name, &n, NULL)) != CB_OK) {
        return st;
    }
    /* an empty name, or one with a NUL in it, names no query: the encoder could not
     * say it again, so it is refused here rather than answered as "unknown" */
    if (n == 0 || strlen(q.name) != n) {
        return CB_E_RANGE;
    }
    q.kind = query_kind(q.name);
    if ((st = cb_field_int(&obj, "since", false, 0, (int64_t)CB_JSON_SAFE_MAX, &v, &q.has_since)) != CB_OK) {
        return st;
    }
    q.since = q.has_since ? (uint64_t)v : 0u;
    if ((st = decode_report_fields(&obj, &q)) != CB_OK) {
        return st;
    }
    *out = q;
    return CB_OK;
}

cb_status cb_query_encode(const cb_query *query, char *buf, size_t cap, size_t *len)
{
    if (query == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const cb_query *q = query;
    if (!cb_field_terminated(q->id, sizeof q->id) || cb_id_check(q->id) != CB_OK) {
        return CB_E_BAD_ID;
    }
    const char *name = q->name;
    if (q->kind != CB_QUERY_OTHER) {
        name = query_names[q->kind];
    }
    if (!cb_field_terminated(q->name, sizeof q->name) || !cb_field_terminated(q->reply_to, sizeof q->reply_to)) {
        return CB_E_TOO_LONG;
    }
    if (name[0] == '\0' || (q->has_since && q->since > CB_JSON_SAFE_MAX)) {
        return CB_E_RANGE;
    }
    const char *by = NULL;
    if ((q->has_until && (q->until < 1 || q->until > CB_JSON_SAFE_MAX)) || cb_report_by_name(q->by, &by) != CB_OK) {
        return CB_E_RANGE;
    }
    if (!cb_field_utf8(name) || !cb_field_utf8(q->reply_to)) {
        return CB_E_JSON;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "id", q->id);
    (void)cb_json_add_str(&w, "query", name);
    if (q->has_since) {
        (void)cb_json_add_int(&w, "since", (int64_t)q->since);
    }
    if (q->has_until) {
        (void)cb_json_add_int(&w, "until", (int64_t)q->until);
    }
    if (by[0] != '\0') {
        (void)cb_json_add_str(&w, "by", by);
    }
    if (q->reply_to[0] != '\0') {
        (void)cb_json_add_str(&w, "reply_to", q->reply_to);
    }
    return cb_json_end(&w, len);
}
