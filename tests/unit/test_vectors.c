/* test_vectors.c - runs docs/protocol-vectors.json through the C decoders.
 *
 * The same file drives the web board's tests, so passing here means the C core and
 * the board agree on every vector byte for byte. For "ok" vectors every listed field
 * is compared, and every optional field not listed must decode as absent. Each ok
 * vector is also re-encoded and decoded again (the encoders must accept whatever the
 * decoders accept). Oversize payloads (> 512 bytes) must be too_long everywhere. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callbell/protocol.h"

#ifndef CALLBELL_VECTORS_PATH
#error "CALLBELL_VECTORS_PATH must name docs/protocol-vectors.json"
#endif

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            print_message("  vector %d (%s): ", index, decoder);                                                       \
            print_message(__VA_ARGS__);                                                                                \
            print_message("\n");                                                                                       \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL) {
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

static const char *topic_type_name(cb_topic_type t)
{
    static const char *const names[] = {"press",       "state",      "cmd",       "device_status",
                                        "device_info", "hub_status", "hub_stats", "hub_request",
                                        "reply",       "hub_info",   "hub_site",  "signin"};
    return ((unsigned)t < sizeof names / sizeof names[0]) ? names[t] : "?";
}

static bool num_is(const cJSON *v, double want)
{
    return cJSON_IsNumber(v) && v->valuedouble == want;
}

static bool str_is(const cJSON *v, const char *want)
{
    return cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
}

static const char *kind_str(cb_kind k)
{
    const char *n = "?";
    (void)cb_kind_name(k, &n);
    return n;
}

static void check_topic(int index, const char *decoder, const cb_topic *t, const cJSON *fields)
{
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "type") == 0) {
            CHECK(str_is(f, topic_type_name(t->type)), "type is %s", topic_type_name(t->type));
        } else if (strcmp(k, "site") == 0) {
            CHECK(str_is(f, t->site), "site is '%s'", t->site);
        } else if (strcmp(k, "id") == 0) {
            CHECK(str_is(f, t->id), "id is '%s'", t->id);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
}

static void check_press(int index, const char *decoder, const cb_press *p, const cJSON *fields)
{
    const cJSON *f = NULL;
    bool saw_text = false, saw_battery = false, saw_rssi = false, saw_up = false, saw_sent = false;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "device") == 0) {
            CHECK(str_is(f, p->device), "device is '%s'", p->device);
        } else if (strcmp(k, "boot") == 0) {
            CHECK(num_is(f, p->boot), "boot is %u", p->boot);
        } else if (strcmp(k, "seq") == 0) {
            CHECK(num_is(f, p->seq), "seq is %u", p->seq);
        } else if (strcmp(k, "kind") == 0) {
            CHECK(str_is(f, kind_str(p->kind)), "kind is %s", kind_str(p->kind));
        } else if (strcmp(k, "age_ms") == 0) {
            CHECK(num_is(f, p->age_ms), "age_ms is %u", p->age_ms);
        } else if (strcmp(k, "text") == 0) {
            saw_text = true;
            CHECK(str_is(f, p->text), "text is '%s'", p->text);
        } else if (strcmp(k, "battery_mv") == 0) {
            saw_battery = true;
            CHECK(p->has_battery && num_is(f, p->battery_mv), "battery_mv is %u", p->battery_mv);
        } else if (strcmp(k, "rssi") == 0) {
            saw_rssi = true;
            CHECK(p->has_rssi && num_is(f, p->rssi), "rssi is %d", p->rssi);
        } else if (strcmp(k, "up_ms") == 0) {
            saw_up = true;
            CHECK(p->has_up_ms && num_is(f, (double)p->up_ms), "up_ms is %llu", (unsigned long long)p->up_ms);
        } else if (strcmp(k, "sent_at") == 0) {
            saw_sent = true;
            CHECK(p->has_sent_at && num_is(f, (double)p->sent_at), "sent_at is %llu", (unsigned long long)p->sent_at);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(saw_text || p->text[0] == '\0', "text should be absent");
    CHECK(saw_battery || !p->has_battery, "battery_mv should be absent");
    CHECK(saw_rssi || !p->has_rssi, "rssi should be absent");
    CHECK(saw_up || !p->has_up_ms, "up_ms should be absent");
    CHECK(saw_sent || !p->has_sent_at, "sent_at should be absent");
}

static void check_request(int index, const char *decoder, const cb_request *r, const cJSON *want)
{
    const char *status = "?";
    (void)cb_table_status_name(r->status, &status);
    const cJSON *f = NULL;
    int seen = 0;
    cJSON_ArrayForEach(f, want)
    {
        const char *k = f->string;
        seen++;
        if (strcmp(k, "kind") == 0) {
            CHECK(str_is(f, kind_str(r->kind)), "request kind is %s", kind_str(r->kind));
        } else if (strcmp(k, "call") == 0) {
            CHECK(num_is(f, (double)r->call), "request call is %llu", (unsigned long long)r->call);
        } else if (strcmp(k, "status") == 0) {
            CHECK(str_is(f, status), "request status is %s", status);
        } else if (strcmp(k, "count") == 0) {
            CHECK(num_is(f, r->count), "request count is %u", r->count);
        } else if (strcmp(k, "repeats") == 0) {
            CHECK(num_is(f, r->repeats), "request repeats is %u", r->repeats);
        } else if (strcmp(k, "level") == 0) {
            const char *level = "?";
            (void)cb_level_name(r->level, &level);
            CHECK(str_is(f, level), "request level is %s", level);
        } else if (strcmp(k, "pressed_at") == 0) {
            CHECK(num_is(f, (double)r->pressed_at), "request pressed_at is %llu", (unsigned long long)r->pressed_at);
        } else if (strcmp(k, "acked_by") == 0) {
            CHECK(str_is(f, r->acked_by), "request acked_by is '%s'", r->acked_by);
        } else if (strcmp(k, "acked_at") == 0) {
            CHECK(num_is(f, (double)r->acked_at), "request acked_at is %llu", (unsigned long long)r->acked_at);
        } else {
            CHECK(false, "unknown request field '%s' in vector", k);
        }
    }
    CHECK(seen == 9, "a request lists all nine fields");
}

static void check_state(int index, const char *decoder, const cb_state *s, const cJSON *fields)
{
    bool saw_section = false;
    const cJSON *f = NULL;
    const char *status = "?";
    (void)cb_table_status_name(s->status, &status);
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "table") == 0) {
            CHECK(str_is(f, s->table), "table is '%s'", s->table);
        } else if (strcmp(k, "status") == 0) {
            CHECK(str_is(f, status), "status is %s", status);
        } else if (strcmp(k, "requests") == 0) {
            CHECK(cJSON_IsArray(f) && cJSON_GetArraySize(f) == (int)s->n_requests, "%u requests", s->n_requests);
            for (uint32_t i = 0; i < s->n_requests && cJSON_IsArray(f); i++)
                check_request(index, decoder, &s->requests[i], cJSON_GetArrayItem(f, (int)i));
        } else if (strcmp(k, "section") == 0) {
            saw_section = true;
            CHECK(str_is(f, s->section), "section is '%s'", s->section);
        } else if (strcmp(k, "updated_at") == 0) {
            CHECK(num_is(f, (double)s->updated_at), "updated_at is %llu", (unsigned long long)s->updated_at);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(cJSON_GetObjectItemCaseSensitive(fields, "requests") != NULL, "requests listed");
    CHECK(saw_section || s->section[0] == '\0', "section should be absent");
}

static void check_reply(int index, const char *decoder, const cb_press_reply *r, const cJSON *fields)
{
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "boot") == 0) {
            CHECK(num_is(f, r->boot), "boot is %u", r->boot);
        } else if (strcmp(k, "seq") == 0) {
            CHECK(num_is(f, r->seq), "seq is %u", r->seq);
        } else if (strcmp(k, "ok") == 0) {
            CHECK(cJSON_IsBool(f) && cJSON_IsTrue(f) == r->ok, "ok is %d", r->ok);
        } else if (strcmp(k, "table") == 0) {
            CHECK(str_is(f, r->table), "table is '%s'", r->table);
        } else if (strcmp(k, "kind") == 0) {
            CHECK(str_is(f, kind_str(r->kind)), "kind is %s", kind_str(r->kind));
        } else if (strcmp(k, "call") == 0) {
            CHECK(num_is(f, (double)r->call), "call is %llu", (unsigned long long)r->call);
        } else if (strcmp(k, "error") == 0) {
            CHECK(str_is(f, r->error), "error is '%s'", r->error);
        } else if (strcmp(k, "reason") == 0) {
            CHECK(str_is(f, r->reason), "reason is '%s'", r->reason);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
}

static void check_cmd(int index, const char *decoder, const cb_cmd *c, const cJSON *fields)
{
    const cJSON *f = NULL;
    bool saw_call = false, saw_kind = false, saw_from = false;
    const char *action = "?";
    (void)cb_action_name(c->action, &action);
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "action") == 0) {
            CHECK(str_is(f, action), "action is %s", action);
        } else if (strcmp(k, "by") == 0) {
            CHECK(str_is(f, c->by), "by is '%s'", c->by);
        } else if (strcmp(k, "call") == 0) {
            saw_call = true;
            CHECK(c->has_call && num_is(f, (double)c->call), "call is %llu", (unsigned long long)c->call);
        } else if (strcmp(k, "kind") == 0) {
            saw_kind = true;
            CHECK(c->has_kind && str_is(f, kind_str(c->kind)), "kind is %s", kind_str(c->kind));
        } else if (strcmp(k, "from") == 0) {
            saw_from = true;
            CHECK(str_is(f, c->from), "from is '%s'", c->from);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(saw_call || !c->has_call, "call should be absent");
    CHECK(saw_kind || !c->has_kind, "kind should be absent");
    CHECK(saw_from || c->from[0] == '\0', "from should be absent");
}

static void check_hub_info(int index, const char *decoder, const cb_hub_info *in, const cJSON *fields)
{
    const cJSON *f = NULL;
    int seen = 0;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        seen++;
        if (strcmp(k, "instance") == 0) {
            CHECK(str_is(f, in->instance), "instance is '%s'", in->instance);
        } else if (strcmp(k, "host") == 0) {
            CHECK(str_is(f, in->host), "host is '%s'", in->host);
        } else if (strcmp(k, "pid") == 0) {
            CHECK(num_is(f, in->pid), "pid is %u", in->pid);
        } else if (strcmp(k, "db") == 0) {
            CHECK(str_is(f, in->db), "db is '%s'", in->db);
        } else if (strcmp(k, "started_at") == 0) {
            CHECK(num_is(f, (double)in->started_at), "started_at is %llu", (unsigned long long)in->started_at);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(seen == 5, "every field is required: the vector lists %d", seen);
}

static void check_info(int index, const char *decoder, const cb_info *in, const cJSON *fields)
{
    const cJSON *f = NULL;
    bool saw_rssi = false, saw_battery = false, saw_tables = false, saw_low = false;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "fw") == 0) {
            CHECK(str_is(f, in->fw), "fw is '%s'", in->fw);
        } else if (strcmp(k, "tables") == 0) {
            saw_tables = true;
            CHECK(str_is(f, in->tables), "tables is '%s'", in->tables);
        } else if (strcmp(k, "rssi") == 0) {
            saw_rssi = true;
            CHECK(in->has_rssi && num_is(f, in->rssi), "rssi is %d", in->rssi);
        } else if (strcmp(k, "battery_mv") == 0) {
            saw_battery = true;
            CHECK(in->has_battery && num_is(f, in->battery_mv), "battery_mv is %u", in->battery_mv);
        } else if (strcmp(k, "low_battery") == 0) {
            saw_low = true;
            CHECK(cJSON_IsBool(f) && cJSON_IsTrue(f) == in->low_battery, "low_battery is %d", in->low_battery);
        } else if (strcmp(k, "uptime_s") == 0) {
            CHECK(num_is(f, in->uptime_s), "uptime_s is %u", in->uptime_s);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(saw_tables || in->tables[0] == '\0', "tables should be absent");
    CHECK(saw_rssi || !in->has_rssi, "rssi should be absent");
    CHECK(saw_battery || !in->has_battery, "battery_mv should be absent");
    CHECK(saw_low || !in->low_battery, "low_battery should be false when absent");
}

static void check_cmd_reply(int index, const char *decoder, const cb_cmd_reply *r, const cJSON *fields)
{
    const char *action = "?";
    (void)cb_action_name(r->action, &action);
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "table") == 0) {
            CHECK(str_is(f, r->table), "table is '%s'", r->table);
        } else if (strcmp(k, "action") == 0) {
            CHECK(str_is(f, action), "action is %s", action);
        } else if (strcmp(k, "call") == 0) {
            CHECK(num_is(f, (double)r->call), "call is %llu", (unsigned long long)r->call);
        } else if (strcmp(k, "ok") == 0) {
            CHECK(cJSON_IsBool(f) && cJSON_IsTrue(f) == r->ok, "ok is %d", r->ok);
        } else if (strcmp(k, "error") == 0) {
            CHECK(str_is(f, r->error), "error is '%s'", r->error);
        } else if (strcmp(k, "reason") == 0) {
            CHECK(str_is(f, r->reason), "reason is '%s'", r->reason);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
}

static void check_query(int index, const char *decoder, const cb_query *q, const cJSON *fields)
{
    const cJSON *f = NULL;
    bool saw_since = false, saw_reply_to = false, saw_until = false, saw_by = false;
    const char *by = "?";
    cb_report_by_name(q->by, &by);
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "id") == 0) {
            CHECK(str_is(f, q->id), "id is '%s'", q->id);
        } else if (strcmp(k, "query") == 0) {
            CHECK(str_is(f, q->name), "query is '%s'", q->name);
        } else if (strcmp(k, "since") == 0) {
            saw_since = true;
            CHECK(q->has_since && num_is(f, (double)q->since), "since is %llu", (unsigned long long)q->since);
        } else if (strcmp(k, "reply_to") == 0) {
            saw_reply_to = true;
            CHECK(str_is(f, q->reply_to), "reply_to is '%s'", q->reply_to);
        } else if (strcmp(k, "until") == 0) {
            saw_until = true;
            CHECK(q->has_until && num_is(f, (double)q->until), "until is %llu", (unsigned long long)q->until);
        } else if (strcmp(k, "by") == 0) {
            saw_by = true;
            CHECK(str_is(f, by), "by is '%s'", by);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
    CHECK(saw_since || !q->has_since, "since should be absent");
    CHECK(saw_reply_to || q->reply_to[0] == '\0', "reply_to should be absent");
    CHECK(saw_until || !q->has_until, "until should be absent");
    CHECK(saw_by || q->by == CB_BY_NONE, "by should be absent");
    CHECK((q->kind == CB_QUERY_OTHER) == (strcmp(q->name, "stats") != 0 && strcmp(q->name, "calls") != 0 &&
                                          strcmp(q->name, "info") != 0 && strcmp(q->name, "report") != 0),
          "kind of '%s'", q->name);
}

/* A site's fields; "tables" lists every table with id, name and kinds. */
static void check_site(int index, const char *decoder, const cb_site *s, const cJSON *fields)
{
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "site") == 0) {
            CHECK(str_is(f, s->site), "site is '%s'", s->site);
        } else if (strcmp(k, "name") == 0) {
            CHECK(str_is(f, s->name), "name is '%s'", s->name);
        } else if (strcmp(k, "warn_s") == 0) {
            CHECK(num_is(f, s->warn_s), "warn_s is %u", s->warn_s);
        } else if (strcmp(k, "late_s") == 0) {
            CHECK(num_is(f, s->late_s), "late_s is %u", s->late_s);
        } else if (strcmp(k, "realert_s") == 0) {
            CHECK(num_is(f, s->realert_s), "realert_s is %u", s->realert_s);
        } else if (strcmp(k, "ack_timeout_s") == 0) {
            CHECK(num_is(f, s->ack_timeout_s), "ack_timeout_s is %u", s->ack_timeout_s);
        } else if (strcmp(k, "table_count") == 0) {
            CHECK(num_is(f, s->table_count), "table_count is %u", s->table_count);
        } else if (strcmp(k, "tables") == 0) {
            CHECK(cJSON_GetArraySize(f) == (int)s->n_tables, "%u tables", s->n_tables);
            for (uint32_t i = 0; i < s->n_tables && (int)i < cJSON_GetArraySize(f); i++) {
                const cJSON *t = cJSON_GetArrayItem(f, (int)i);
                const cb_site_entry *e = &s->tables[i];
                CHECK(str_is(cJSON_GetObjectItemCaseSensitive(t, "id"), e->id), "table %u id '%s'", i, e->id);
                CHECK(str_is(cJSON_GetObjectItemCaseSensitive(t, "name"), e->name), "table %u name '%s'", i, e->name);
                const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(t, "kinds");
                unsigned want = 0;
                const cJSON *kn = NULL;
                cJSON_ArrayForEach(kn, kinds)
                {
                    cb_kind kk;
                    if (cJSON_IsString(kn) && cb_kind_parse(kn->valuestring, strlen(kn->valuestring), &kk) == CB_OK)
                        want |= 1u << kk;
                }
                CHECK(want == e->kinds, "table %u kinds %#x", i, e->kinds);
            }
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
}

/* Decodes input with `decoder`; for ok results checks fields and the round trip. */
static void check_signin(int index, const char *decoder, const cb_signin *g, const cJSON *fields)
{
    const char *role = "?";
    (void)cb_role_name(g->role, &role);
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, fields)
    {
        const char *k = f->string;
        if (strcmp(k, "by") == 0) {
            CHECK(str_is(f, g->by), "by is '%s'", g->by);
        } else if (strcmp(k, "role") == 0) {
            CHECK(str_is(f, role), "role is %s", role);
        } else if (strcmp(k, "sections") == 0) {
            CHECK(cJSON_GetArraySize(f) == (int)g->n_sections, "%u sections", g->n_sections);
            for (uint32_t i = 0; i < g->n_sections && i < (uint32_t)cJSON_GetArraySize(f); i++)
                CHECK(str_is(cJSON_GetArrayItem(f, (int)i), g->sections[i]), "section %u is '%s'", i, g->sections[i]);
        } else {
            CHECK(false, "unknown field '%s' in vector", k);
        }
    }
}

/* A "me" of a rings check: null, or {"role", "sections"}. */
static void signin_of(const cJSON *me, cb_signin *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(me, "role");
    const cJSON *sections = cJSON_GetObjectItemCaseSensitive(me, "sections");
    strcpy(out->by, "Ana");
    if (cJSON_IsString(role))
        (void)cb_role_parse(role->valuestring, strlen(role->valuestring), &out->role);
    const cJSON *sec = NULL;
    cJSON_ArrayForEach(sec, sections)
    {
        if (out->n_sections < CB_SIGNIN_SECTIONS_MAX && cJSON_IsString(sec))
            snprintf(out->sections[out->n_sections++], CB_ID_SIZE, "%s", sec->valuestring);
    }
}

static void run_vector(int index, const char *decoder, const char *input, const char *expect, const cJSON *fields)
{
    size_t len = strlen(input);
    cb_status st = CB_E_ARG;
    char buf[CB_STATE_PAYLOAD_SIZE];
    size_t out_len = 0;
    bool ok_expected = strcmp(expect, "ok") == 0;

    if (strcmp(decoder, "topic") == 0) {
        cb_topic t;
        st = cb_topic_parse(input, len, &t);
        if (st == CB_OK && ok_expected) {
            check_topic(index, decoder, &t, fields);
            char built[CB_TOPIC_SIZE];
            CHECK(cb_topic_build(t.type, t.site, t.id, built, sizeof built) == CB_OK && strcmp(built, input) == 0,
                  "topic does not rebuild");
        }
    } else if (strcmp(decoder, "press") == 0) {
        cb_press p, p2;
        st = cb_press_decode(input, len, &p);
        if (st == CB_OK && ok_expected) {
            check_press(index, decoder, &p, fields);
            CHECK(cb_press_encode(&p, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_press_decode(buf, out_len, &p2) == CB_OK && memcmp(&p, &p2, sizeof p) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "state") == 0) {
        cb_state s, s2;
        st = cb_state_decode(input, len, &s);
        if (st == CB_OK && ok_expected) {
            check_state(index, decoder, &s, fields);
            CHECK(cb_state_encode(&s, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_state_decode(buf, out_len, &s2) == CB_OK && memcmp(&s, &s2, sizeof s) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "press_reply") == 0) {
        cb_press_reply r, r2;
        st = cb_press_reply_decode(input, len, &r);
        if (st == CB_OK && ok_expected) {
            check_reply(index, decoder, &r, fields);
            CHECK(cb_press_reply_encode(&r, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_press_reply_decode(buf, out_len, &r2) == CB_OK && memcmp(&r, &r2, sizeof r) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "query") == 0) {
        cb_query q, q2;
        st = cb_query_decode(input, len, &q);
        if (st == CB_OK && ok_expected) {
            check_query(index, decoder, &q, fields);
            CHECK(cb_query_encode(&q, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_query_decode(buf, out_len, &q2) == CB_OK && memcmp(&q, &q2, sizeof q) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "cmd_reply") == 0) {
        cb_cmd_reply r, r2;
        st = cb_cmd_reply_decode(input, len, &r);
        if (st == CB_OK && ok_expected) {
            check_cmd_reply(index, decoder, &r, fields);
            CHECK(cb_cmd_reply_encode(&r, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_cmd_reply_decode(buf, out_len, &r2) == CB_OK && memcmp(&r, &r2, sizeof r) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "cmd") == 0) {
        cb_cmd c, c2;
        st = cb_cmd_decode(input, len, &c);
        if (st == CB_OK && ok_expected) {
            check_cmd(index, decoder, &c, fields);
            CHECK(cb_cmd_encode(&c, buf, sizeof buf, &out_len) == CB_OK && cb_cmd_decode(buf, out_len, &c2) == CB_OK &&
                      memcmp(&c, &c2, sizeof c) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "hub_info") == 0) {
        cb_hub_info h, h2;
        st = cb_hub_info_decode(input, len, &h);
        if (st == CB_OK && ok_expected) {
            check_hub_info(index, decoder, &h, fields);
            CHECK(cb_hub_info_encode(&h, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_hub_info_decode(buf, out_len, &h2) == CB_OK && memcmp(&h, &h2, sizeof h) == 0 &&
                      out_len == len && memcmp(buf, input, len) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "signin") == 0) {
        cb_signin g, g2;
        st = cb_signin_decode(input, len, &g);
        if (st == CB_OK && ok_expected) {
            check_signin(index, decoder, &g, fields);
            CHECK(cb_signin_encode(&g, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_signin_decode(buf, out_len, &g2) == CB_OK && memcmp(&g, &g2, sizeof g) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "info") == 0) {
        cb_info in, in2;
        st = cb_info_decode(input, len, &in);
        if (st == CB_OK && ok_expected) {
            check_info(index, decoder, &in, fields);
            CHECK(cb_info_encode(&in, buf, sizeof buf, &out_len) == CB_OK &&
                      cb_info_decode(buf, out_len, &in2) == CB_OK && memcmp(&in, &in2, sizeof in) == 0,
                  "round trip differs");
        }
    } else if (strcmp(decoder, "site") == 0) {
        static cb_site_entry tables[CB_SITE_LIST_MAX], tables2[CB_SITE_LIST_MAX];
        static char site_buf[CB_SITE_PAYLOAD_MAX + 1];
        cb_site s = {.tables = tables, .tables_cap = CB_SITE_LIST_MAX};
        cb_site s2 = {.tables = tables2, .tables_cap = CB_SITE_LIST_MAX};
        st = cb_site_decode(input, len, &s);
        if (st == CB_OK && ok_expected) {
            check_site(index, decoder, &s, fields);
            bool same = cb_site_encode(&s, site_buf, sizeof site_buf, &out_len) == CB_OK &&
                        cb_site_decode(site_buf, out_len, &s2) == CB_OK && s.n_tables == s2.n_tables &&
                        strcmp(s.name, s2.name) == 0 && s.table_count == s2.table_count && s.warn_s == s2.warn_s &&
                        s.late_s == s2.late_s && s.realert_s == s2.realert_s && s.ack_timeout_s == s2.ack_timeout_s;
            for (uint32_t i = 0; same && i < s.n_tables; i++)
                same = memcmp(&tables[i], &tables2[i], sizeof tables[i]) == 0;
            CHECK(same, "round trip differs");
        }
    } else {
        CHECK(false, "unknown decoder");
        return;
    }
    CHECK(strcmp(cb_status_str(st), expect) == 0, "got %s, expected %s (input %s)", cb_status_str(st), expect, input);
}

static void test_all_vectors(void **state)
{
    (void)state;
    char *text = read_file(CALLBELL_VECTORS_PATH);
    assert_non_null(text);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    int index = 0;
    int run = 0;
    failures = 0;
    static const char *const lists[] = {"vectors", "hub_vectors"};
    for (size_t l = 0; l < 2; l++) {
        const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(root, lists[l]);
        assert_true(cJSON_IsArray(vectors));
        const cJSON *v = NULL;
        cJSON_ArrayForEach(v, vectors)
        {
            const cJSON *decoder = cJSON_GetObjectItemCaseSensitive(v, "decode");
            const cJSON *input = cJSON_GetObjectItemCaseSensitive(v, "input");
            const cJSON *expect = cJSON_GetObjectItemCaseSensitive(v, "expect");
            const cJSON *fields = cJSON_GetObjectItemCaseSensitive(v, "fields");
            assert_true(cJSON_IsString(decoder) && cJSON_IsString(input) && cJSON_IsString(expect));
            if (strcmp(expect->valuestring, "ok") == 0) {
                assert_true(cJSON_IsObject(fields));
            }
            run_vector(index, decoder->valuestring, input->valuestring, expect->valuestring, fields);
            index++;
            run++;
        }
    }
    print_message("  %d vectors, %d failures\n", run, failures);
    assert_true(run >= 60);
    cJSON_Delete(root);
    free(text);
    assert_int_equal(failures, 0);
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* One pure-function check ("name", "age", "waiting", "rings", "takes"). */
static void run_check(int index, const cJSON *c)
{
    const char *decoder = "check";
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(c, "check");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    if (str_is(kind, "name")) {
        char name[128];
        size_t n = 0;
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "input");
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(c, "input_hex");
        if (cJSON_IsString(in)) {
            n = strlen(in->valuestring);
            CHECK(n < sizeof name, "input too long for the test");
            memcpy(name, in->valuestring, n < sizeof name ? n : 0);
        } else {
            CHECK(cJSON_IsString(hex), "name check without input");
            const char *h = cJSON_IsString(hex) ? hex->valuestring : "";
            for (; h[0] && h[1] && n < sizeof name; h += 2)
                name[n++] = (char)(hex_value(h[0]) * 16 + hex_value(h[1]));
        }
        cb_status st = cb_name_check(name, n);
        const char *got = st == CB_OK ? "ok" : cb_status_str(st);
        CHECK(str_is(expect, got), "name check got %s", got);
    } else if (str_is(kind, "age")) {
        cb_age_thresholds t = {
            .warn_s = (uint32_t)cJSON_GetObjectItemCaseSensitive(c, "warn_s")->valuedouble,
            .late_s = (uint32_t)cJSON_GetObjectItemCaseSensitive(c, "late_s")->valuedouble,
        };
        uint64_t waiting = (uint64_t)cJSON_GetObjectItemCaseSensitive(c, "waiting_s")->valuedouble;
        bool acked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "acknowledged"));
        cb_age_class cls;
        cb_status st = cb_age_class_of(waiting, acked, &t, &cls);
        const char *got = "?";
        if (st == CB_OK)
            (void)cb_age_class_name(cls, &got);
        else
            got = cb_status_str(st);
        CHECK(str_is(expect, got), "age class got %s", got);
    } else if (str_is(kind, "rings")) {
        const cJSON *lv = cJSON_GetObjectItemCaseSensitive(c, "level");
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(c, "section");
        const cJSON *me = cJSON_GetObjectItemCaseSensitive(c, "me");
        cb_level level = CB_LEVEL_COUNT; /* an unknown name stays out of range */
        if (cJSON_IsString(lv))
            (void)cb_level_parse(lv->valuestring, strlen(lv->valuestring), &level);
        cb_signin who;
        signin_of(me, &who);
        bool rings = false;
        cb_status st =
            cb_rings(level, cJSON_IsString(sec) ? sec->valuestring : "", cJSON_IsNull(me) ? NULL : &who, &rings);
        if (st != CB_OK)
            CHECK(str_is(expect, cb_status_str(st)), "rings got %s", cb_status_str(st));
        else
            CHECK(cJSON_IsBool(expect) && cJSON_IsTrue(expect) == rings, "rings got %s", rings ? "true" : "false");
    } else if (str_is(kind, "takes")) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(c, "from");
        cb_view_source src = str_is(from, "state")      ? CB_VIEW_FROM_STATE
                             : str_is(from, "snapshot") ? CB_VIEW_FROM_SNAPSHOT
                                                        : (cb_view_source)7; /* unknown: out of range */
        uint64_t offered = (uint64_t)cJSON_GetObjectItemCaseSensitive(c, "offered")->valuedouble;
        uint64_t shown = (uint64_t)cJSON_GetObjectItemCaseSensitive(c, "shown")->valuedouble;
        bool takes = false;
        cb_status st = cb_view_takes(src, offered, shown, &takes);
        if (st != CB_OK)
            CHECK(str_is(expect, cb_status_str(st)), "takes got %s", cb_status_str(st));
        else
            CHECK(cJSON_IsBool(expect) && cJSON_IsTrue(expect) == takes, "takes got %s", takes ? "true" : "false");
    } else if (str_is(kind, "waiting")) {
        uint64_t w = 0;
        uint64_t at = (uint64_t)cJSON_GetObjectItemCaseSensitive(c, "pressed_at")->valuedouble;
        uint64_t now = (uint64_t)cJSON_GetObjectItemCaseSensitive(c, "now")->valuedouble;
        CHECK(cb_waiting_s(at, now, &w) == CB_OK && num_is(expect, (double)w), "waiting got %llu",
              (unsigned long long)w);
    } else {
        CHECK(false, "unknown check");
    }
}

static void test_all_checks(void **state)
{
    (void)state;
    char *text = read_file(CALLBELL_VECTORS_PATH);
    assert_non_null(text);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    assert_true(cJSON_IsArray(checks));
    int index = 0;
    failures = 0;
    const cJSON *c = NULL;
    cJSON_ArrayForEach(c, checks)
    {
        run_check(index, c);
        index++;
    }
    print_message("  %d checks, %d failures\n", index, failures);
    assert_true(index >= 20);
    cJSON_Delete(root);
    free(text);
    assert_int_equal(failures, 0);
}

/* Builds a syntactically valid payload of exactly `total` bytes by padding an
 * unknown key: {"v":1,<body>,"pad":"xxx"}. */
static char *padded(const char *body, size_t total)
{
    char head[600];
    int n = snprintf(head, sizeof head, "{\"v\":1,%s,\"pad\":\"", body);
    assert_true(n > 0 && (size_t)n + 2 <= total);
    char *p = malloc(total + 1);
    assert_non_null(p);
    memcpy(p, head, (size_t)n);
    memset(p + n, 'x', total - (size_t)n - 2);
    memcpy(p + total - 2, "\"}", 2);
    p[total] = '\0';
    return p;
}

static const char *const bodies[4] = {
    "\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"call\",\"age_ms\":5",
    "\"table\":\"4\",\"status\":\"idle\",\"requests\":[],\"updated_at\":1",
    "\"action\":\"ack\",\"by\":\"Ana\"",
    "\"fw\":\"0.1.0\",\"uptime_s\":1",
};

static cb_status decode_any(int which, const char *p, size_t len)
{
    cb_press press;
    cb_state state;
    cb_cmd cmd;
    cb_info info;
    switch (which) {
    case 0:
        return cb_press_decode(p, len, &press);
    case 1:
        return cb_state_decode(p, len, &state);
    case 2:
        return cb_cmd_decode(p, len, &cmd);
    default:
        return cb_info_decode(p, len, &info);
    }
}

static void test_oversize_is_too_long(void **state)
{
    (void)state;
    for (int which = 0; which < 4; which++) {
        /* states may be up to 1024 bytes (three requests), every other payload 512 */
        size_t max = which == 1 ? CB_STATE_PAYLOAD_MAX : CB_PAYLOAD_MAX;
        char *at_limit = padded(bodies[which], max);
        char *over = padded(bodies[which], max + 1);
        char *far_over = padded(bodies[which], 4096);
        assert_int_equal(decode_any(which, at_limit, strlen(at_limit)), CB_OK);
        assert_int_equal(decode_any(which, over, strlen(over)), CB_E_TOO_LONG);
        assert_int_equal(decode_any(which, far_over, strlen(far_over)), CB_E_TOO_LONG);
        /* too_long wins over malformed JSON: the length is checked first. */
        over[10] = '{';
        assert_int_equal(decode_any(which, over, strlen(over)), CB_E_TOO_LONG);
        free(at_limit);
        free(over);
        free(far_over);
    }
    /* Topics: 128 bytes is the limit. */
    char topic[200];
    memset(topic, 'a', sizeof topic);
    cb_topic t;
    assert_int_equal(cb_topic_parse(topic, CB_TOPIC_MAX + 1, &t), CB_E_TOO_LONG);
    assert_int_equal(cb_topic_parse(topic, CB_TOPIC_MAX, &t), CB_E_BAD_TOPIC);
}

/* The site message: 64 KiB at most, 1000 tables listed at most; 40 tables with long
 * UTF-8 names and 1000 with short ones fit. */
static void test_site_size(void **state)
{
    (void)state;
    static cb_site_entry tables[CB_SITE_LIST_MAX + 1];
    static char buf[CB_SITE_PAYLOAD_MAX + 2];
    cb_site s = {.site = "s", .name = "S", .warn_s = 60, .late_s = 180, .realert_s = 60, .ack_timeout_s = 300};
    s.tables = tables;
    s.tables_cap = CB_SITE_LIST_MAX;
    for (unsigned i = 0; i <= CB_SITE_LIST_MAX; i++) {
        snprintf(tables[i].id, sizeof tables[i].id, "patio-%u", i);
        snprintf(tables[i].name, sizeof tables[i].name, "Terrasse été %u", i);
        tables[i].kinds = CB_KINDS_ALL;
    }
    size_t len = 0;
    s.n_tables = s.table_count = CB_SITE_LIST_MAX;
    assert_int_equal(cb_site_encode(&s, buf, sizeof buf, &len), CB_OK);
    assert_true(len <= CB_SITE_PAYLOAD_MAX);
    cb_site d = {.tables = tables, .tables_cap = 10};
    assert_int_equal(cb_site_decode(buf, len, &d), CB_E_FULL); /* the caller's array is too small */
    s.n_tables = s.table_count = CB_SITE_LIST_MAX + 1;
    assert_int_equal(cb_site_encode(&s, buf, sizeof buf, &len), CB_E_RANGE);
    /* 40 tables with 64-byte names of 2-byte characters and three kinds each */
    for (unsigned i = 0; i < 40; i++) {
        memset(tables[i].name, 0, sizeof tables[i].name);
        for (unsigned k = 0; k < 32; k++)
            memcpy(tables[i].name + 2 * k, "\xc3\xa9", 2);
        tables[i].kinds = CB_KINDS_ALL & ~(1u << CB_KIND_CANCEL);
    }
    s.n_tables = s.table_count = 40;
    assert_int_equal(cb_site_encode(&s, buf, sizeof buf, &len), CB_OK);
    assert_true(len < 8192);
    /* a valid payload at the bound is fine, one byte more is too_long */
    int head = snprintf(buf, sizeof buf,
                        "{\"v\":1,\"site\":\"s\",\"name\":\"S\",\"warn_s\":1,\"late_s\":2,\"realert_s\":1,"
                        "\"ack_timeout_s\":1,\"table_count\":0,\"tables\":[],\"pad\":\"");
    for (size_t total = CB_SITE_PAYLOAD_MAX; total <= CB_SITE_PAYLOAD_MAX + 1; total++) {
        memset(buf + head, 'x', total - (size_t)head - 2);
        memcpy(buf + total - 2, "\"}", 2);
        d.tables_cap = 0;
        d.tables = NULL;
        assert_int_equal(cb_site_decode(buf, total, &d), total == CB_SITE_PAYLOAD_MAX ? CB_OK : CB_E_TOO_LONG);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_vectors),
        cmocka_unit_test(test_all_checks),
        cmocka_unit_test(test_oversize_is_too_long),
        cmocka_unit_test(test_site_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
