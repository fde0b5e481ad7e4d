#include "site_view.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cb_site_view_init(cb_site_view *v, const char *site)
{
    memset(v, 0, sizeof *v);
    if (cb_id_check(site) != CB_OK)
        return -1;
    snprintf(v->site, sizeof v->site, "%s", site);
    cb_age_thresholds_default(&v->ages);
    return 0;
}

void cb_site_view_free(cb_site_view *v)
{
    free(v->tables);
    free(v->open);
    free(v->devices);
    free(v->names);
    memset(v, 0, sizeof *v);
}

int cb_site_view_subscribe(cb_site_view *v, cb_mqtt *m)
{
    static const char *const patterns[] = {"callbell/%s/table/+/state", "callbell/%s/device/+/status",
                                           "callbell/%s/device/+/info", "callbell/%s/hub/status",
                                           "callbell/%s/hub/stats",     "callbell/%s/hub/site"};
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        char filter[CB_TOPIC_SIZE];
        snprintf(filter, sizeof filter, patterns[i], v->site);
        if (cb_mqtt_subscribe(m, filter, 1) != 0)
            return -1;
    }
    return 0;
}

/* The array `items` (cap elements of `size`), grown if needed so that one more fits;
 * NULL (items untouched) when out of memory. */
static void *room_for_one(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(items, ncap * size);
    if (p)
        *cap = ncap;
    return p;
}

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int cb_table_id_cmp(const char *a, const char *b)
{
    bool na = all_digits(a), nb = all_digits(b);
    if (na && nb) {
        size_t la = strlen(a), lb = strlen(b);
        if (la != lb)
            return la < lb ? -1 : 1;
    } else if (na != nb) {
        return na ? -1 : 1;
    }
    return strcmp(a, b);
}

static int state_id_order(const void *a, const void *b)
{
    return cb_table_id_cmp(((const cb_state *)a)->table, ((const cb_state *)b)->table);
}

/* Binary search; returns index of the table or where it would go. */
static size_t table_slot(const cb_site_view *v, const char *id, bool *found)
{
    size_t lo = 0, hi = v->table_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cb_table_id_cmp(v->tables[mid].table, id);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* The request with this id in s, or NULL (ids are unique per hub database). */
static const cb_request *request_by_call(const cb_state *s, uint64_t call)
{
    for (uint32_t i = 0; i < s->n_requests; i++)
        if (s->requests[i].call == call)
            return &s->requests[i];
    return NULL;
}

static void add_news(cb_site_view *v, cb_view_news_type type, const cb_request *r)
{
    if (v->news_count < CB_VIEW_NEWS_MAX)
        v->news[v->news_count++] = (cb_view_news){.type = type, .req = *r};
}

/* What changed from old to now, request by request, into v->news. */
static void diff_requests(cb_site_view *v, const cb_state *old, const cb_state *now)
{
    v->news_count = 0;
    snprintf(v->news_table, sizeof v->news_table, "%s", now->table);
    snprintf(v->news_section, sizeof v->news_section, "%s", now->section);
    for (uint32_t i = 0; i < old->n_requests; i++)
        if (!request_by_call(now, old->requests[i].call))
            add_news(v, CB_NEWS_CLOSED, &old->requests[i]);
    for (uint32_t i = 0; i < now->n_requests; i++) {
        const cb_request *r = &now->requests[i], *was = request_by_call(old, r->call);
        if (r->status == CB_CALLING) {
            if (!was)
                add_news(v, CB_NEWS_NEW, r);
            else if (r->repeats > was->repeats || was->status != CB_CALLING)
                add_news(v, CB_NEWS_REALERT, r); /* escalated, or the ack timed out */
        } else if (!was || was->status != CB_ACKNOWLEDGED || strcmp(was->acked_by, r->acked_by) != 0) {
            add_news(v, CB_NEWS_ACKED, r);
        }
    }
}

/* A new request or a re-alert rings this board when the escalation chain reaches
 * it (the core's cb_rings, from the request's level and the board's sign-in). */
static bool news_rings(const cb_site_view *v)
{
    for (size_t i = 0; i < v->news_count; i++) {
        bool rings = false;
        if ((v->news[i].type == CB_NEWS_NEW || v->news[i].type == CB_NEWS_REALERT) &&
            cb_rings(v->news[i].req.level, v->news_section, v->signed_in ? &v->me : NULL, &rings) == CB_OK && rings)
            return true;
    }
    return false;
}

static cb_view_change forget_table(cb_site_view *v, const char *id)
{
    bool found;
    size_t i = table_slot(v, id, &found);
    if (!found)
        return CB_VIEW_NOTHING;
    memmove(&v->tables[i], &v->tables[i + 1], (v->table_count - i - 1) * sizeof *v->tables);
    v->table_count--;
    v->open_stale = true;
    return CB_VIEW_CHANGED;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const cb_site_entry *)a)->id, ((const cb_site_entry *)b)->id);
}

/* The site message: names and thresholds. A bad one is counted and changes nothing. */
static cb_view_change apply_site(cb_site_view *v, const void *payload, size_t len)
{
    if (len == 0)
        return CB_VIEW_NOTHING;
    cb_site s = {.tables = malloc(CB_SITE_LIST_MAX * sizeof(cb_site_entry)), .tables_cap = CB_SITE_LIST_MAX};
    if (!s.tables)
        return CB_VIEW_NOTHING;
    if (cb_site_decode(payload, len, &s) != CB_OK || strcmp(s.site, v->site) != 0) {
        v->rejected++;
        free(s.tables);
        return CB_VIEW_NOTHING;
    }
    qsort(s.tables, s.n_tables, sizeof *s.tables, entry_cmp);
    free(v->names);
    v->names = s.tables; /* CB_SITE_LIST_MAX entries: 100 kB, once */
    v->name_count = s.n_tables;
    v->has_site = true;
    snprintf(v->site_name, sizeof v->site_name, "%s", s.name);
    v->ages.warn_s = s.warn_s;
    v->ages.late_s = s.late_s;
    return CB_VIEW_CHANGED;
}

const char *cb_site_view_table_name(const cb_site_view *v, const char *id)
{
    cb_site_entry key;
    snprintf(key.id, sizeof key.id, "%s", id);
    const cb_site_entry *e = v->name_count ? bsearch(&key, v->names, v->name_count, sizeof *v->names, entry_cmp) : NULL;
    return e ? e->name : id;
}

/* Room for a table at slot i (from table_slot), nothing open; false when out of memory. */
static bool insert_table(cb_site_view *v, size_t i)
{
    cb_state *grown = room_for_one(v->tables, &v->table_cap, v->table_count, sizeof *v->tables);
    if (!grown)
        return false;
    v->tables = grown;
    memmove(&v->tables[i + 1], &v->tables[i], (v->table_count - i) * sizeof *v->tables);
    v->table_count++;
    memset(&v->tables[i], 0, sizeof v->tables[i]); /* a table first seen: nothing was open */
    return true;
}

static cb_view_change apply_state(cb_site_view *v, const cb_topic *t, const void *payload, size_t len)
{
    cb_state st;
    if (len == 0) /* retained state cleared: the table has left the site */
        return forget_table(v, t->id);
    if (cb_state_decode(payload, len, &st) != CB_OK || strcmp(st.table, t->id) != 0) {
        v->rejected++;
        return CB_VIEW_NOTHING;
    }
    bool found, takes = false;
    size_t i = table_slot(v, st.table, &found);
    /* a state older than what the board shows (a stale retained copy arriving after
     * the hub's answer) is ignored; of a table the board did not know, it says the
     * table exists, and the answer that nothing was open there */
    if (cb_view_takes(CB_VIEW_FROM_STATE, st.updated_at, found ? v->tables[i].updated_at : v->answer_at, &takes) !=
        CB_OK)
        return CB_VIEW_NOTHING;
    if (!takes && found)
        return CB_VIEW_NOTHING;
    if (!takes) {
        st.n_requests = 0;
        st.status = CB_IDLE;
        st.updated_at = v->answer_at;
    }
    if (!found && !insert_table(v, i))
        return CB_VIEW_NOTHING;
    diff_requests(v, &v->tables[i], &st);
    v->tables[i] = st;
    v->open_stale = true;
    return news_rings(v) ? CB_VIEW_ALERT : CB_VIEW_CHANGED;
}

static cb_view_device *device_get(cb_site_view *v, const char *id)
{
    for (size_t i = 0; i < v->device_count; i++)
        if (strcmp(v->devices[i].id, id) == 0)
            return &v->devices[i];
    cb_view_device *grown = room_for_one(v->devices, &v->device_cap, v->device_count, sizeof *v->devices);
    if (!grown)
        return NULL;
    v->devices = grown;
    cb_view_device *d = &v->devices[v->device_count++];
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    return d;
}

static bool device_forget(cb_site_view *v, const char *id)
{
    for (size_t i = 0; i < v->device_count; i++) {
        if (strcmp(v->devices[i].id, id) == 0) {
            memmove(&v->devices[i], &v->devices[i + 1], (v->device_count - i - 1) * sizeof v->devices[0]);
            v->device_count--;
            return true;
        }
    }
    return false;
}

static bool is_text(const void *payload, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(payload, word, len) == 0;
}

cb_view_change cb_site_view_message(cb_site_view *v, const char *topic, const void *payload, size_t len)
{
    cb_topic t;
    v->news_count = 0;
    if (cb_topic_parse(topic, strlen(topic), &t) != CB_OK || strcmp(t.site, v->site) != 0)
        return CB_VIEW_NOTHING;
    switch (t.type) {
    case CB_TOPIC_STATE:
        return apply_state(v, &t, payload, len);
    case CB_TOPIC_DEVICE_STATUS: {
        if (len == 0) /* cleared: the device was retired (`callbell device remove`), no warning */
            return device_forget(v, t.id) ? CB_VIEW_CHANGED : CB_VIEW_NOTHING;
        cb_view_device *d = device_get(v, t.id);
        if (!d)
            return CB_VIEW_NOTHING;
        d->online = is_text(payload, len, "online");
        return CB_VIEW_CHANGED;
    }
    case CB_TOPIC_DEVICE_INFO: {
        cb_info info;
        if (len == 0 || cb_info_decode(payload, len, &info) != CB_OK) {
            v->rejected += len != 0;
            return CB_VIEW_NOTHING;
        }
        cb_view_device *d = device_get(v, t.id);
        if (!d)
            return CB_VIEW_NOTHING;
        d->has_info = true;
        d->info = info;
        return CB_VIEW_CHANGED;
    }
    case CB_TOPIC_HUB_STATUS:
        v->hub_known = len > 0;
        v->hub_online = is_text(payload, len, "online");
        v->hub_degraded = is_text(payload, len, "degraded");
        return CB_VIEW_CHANGED;
    case CB_TOPIC_HUB_SITE:
        return apply_site(v, payload, len);
    case CB_TOPIC_HUB_STATS:
        if (len < sizeof v->stats) {
            memcpy(v->stats, payload, len);
            v->stats[len] = '\0';
        }
        return CB_VIEW_CHANGED;
    default:
        return CB_VIEW_NOTHING;
    }
}

/* ---- the hub's answer to `calls` (docs/protocol.md "Boards' start-up view") ---- */

static const char *json_text(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static bool json_uint(const cJSON *o, const char *key, uint64_t max, uint64_t *out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > (double)max ||
        x->valuedouble != (double)(uint64_t)x->valuedouble)
        return false;
    *out = (uint64_t)x->valuedouble;
    return true;
}

/* One item of the answer into r (and its table's section); false when it breaks a
 * rule of the state's request. */
static bool answer_request(const cJSON *o, cb_request *r, const char **table, const char **section)
{
    const char *kind = json_text(o, "kind"), *status = json_text(o, "status"), *level = json_text(o, "level");
    const char *by = json_text(o, "acked_by");
    uint64_t count = 0, repeats = 0;
    memset(r, 0, sizeof *r);
    *table = json_text(o, "table");
    *section = json_text(o, "section");
    if (!*table || cb_id_check(*table) != CB_OK || (*section && cb_id_check(*section) != CB_OK) || !kind ||
        cb_kind_parse(kind, strlen(kind), &r->kind) != CB_OK || !status ||
        cb_table_status_parse(status, strlen(status), &r->status) != CB_OK || !by || strlen(by) >= sizeof r->acked_by)
        return false;
    r->level = CB_LEVEL_FLOOR; /* absent reads as floor, as in a state */
    if (level && cb_level_parse(level, strlen(level), &r->level) != CB_OK)
        return false;
    if (!json_uint(o, "call", CB_JSON_SAFE_MAX, &r->call) || !json_uint(o, "count", UINT32_MAX, &count) ||
        !json_uint(o, "repeats", UINT32_MAX, &repeats) ||
        !json_uint(o, "pressed_at", CB_JSON_SAFE_MAX, &r->pressed_at) ||
        !json_uint(o, "acked_at", CB_JSON_SAFE_MAX, &r->acked_at))
        return false;
    r->count = (uint32_t)count;
    r->repeats = (uint32_t)repeats;
    memcpy(r->acked_by, by, strlen(by) + 1);
    return true;
}

static int request_age_order(const void *a, const void *b)
{
    const cb_request *x = a, *y = b;
    if (x->pressed_at != y->pressed_at)
        return x->pressed_at < y->pressed_at ? -1 : 1;
    return x->call < y->call ? -1 : x->call > y->call;
}

/* One item of the answer: a request and its table. */
typedef struct answer_item {
    char table[CB_ID_SIZE];
    char section[CB_ID_SIZE];
    cb_request r;
} answer_item;

static int item_table_order(const void *a, const void *b)
{
    return cb_table_id_cmp(((const answer_item *)a)->table, ((const answer_item *)b)->table);
}

/* The answer's tables, as states dated `at`, sorted by table id (grouped after one
 * sort: a large site's answer lists many requests); every one checked by the state's
 * own rules (encoded and decoded again by the core). */
static cb_state *answer_states(const cJSON *items, uint64_t at, size_t *n)
{
    size_t count = (size_t)cJSON_GetArraySize(items), k = 0;
    answer_item *all = calloc(count ? count : 1, sizeof *all);
    cb_state *out = calloc(count ? count : 1, sizeof *out);
    *n = 0;
    if (!all || !out)
        goto bad;
    const cJSON *o;
    cJSON_ArrayForEach(o, items)
    {
        const char *table, *section;
        if (k >= count || !answer_request(o, &all[k].r, &table, &section))
            goto bad;
        snprintf(all[k].table, sizeof all[k].table, "%s", table);
        snprintf(all[k].section, sizeof all[k].section, "%s", section ? section : "");
        k++;
    }
    qsort(all, k, sizeof *all, item_table_order);
    for (size_t i = 0; i < k; i++) {
        cb_state *s;
        if (i == 0 || strcmp(all[i].table, all[i - 1].table) != 0) {
            s = &out[(*n)++];
            snprintf(s->table, sizeof s->table, "%s", all[i].table);
            s->updated_at = at;
        } else {
            s = &out[*n - 1];
        }
        if (s->n_requests >= CB_REQUEST_MAX)
            goto bad;
        if (all[i].section[0])
            snprintf(s->section, sizeof s->section, "%s", all[i].section);
        s->requests[s->n_requests++] = all[i].r;
    }
    for (size_t t = 0; t < *n; t++) {
        char buf[CB_STATE_PAYLOAD_SIZE];
        size_t len = 0;
        qsort(out[t].requests, out[t].n_requests, sizeof out[t].requests[0], request_age_order);
        if (cb_state_status(&out[t], &out[t].status) != CB_OK ||
            cb_state_encode(&out[t], buf, sizeof buf, &len) != CB_OK || cb_state_decode(buf, len, &out[t]) != CB_OK)
            goto bad;
    }
    free(all);
    return out;
bad:
    free(all);
    free(out);
    *n = 0;
    return NULL;
}

bool cb_site_view_snapshot(cb_site_view *v, const char *id, const void *payload, size_t len, cb_view_change *change)
{
    *change = CB_VIEW_NOTHING;
    v->news_count = 0;
    if (!id || !id[0] || len == 0)
        return false;
    cJSON *root = cJSON_ParseWithLength(payload, len);
    const char *got = json_text(root, "id");
    if (!got || strcmp(got, id) != 0) {
        cJSON_Delete(root);
        return false;
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "result");
    uint64_t at = 0;
    size_t n = 0;
    cb_state *answer = NULL;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "ok")) || !cJSON_IsArray(items) ||
        !json_uint(root, "at", CB_JSON_SAFE_MAX, &at) || !(answer = answer_states(items, at, &n))) {
        v->rejected++;
        cJSON_Delete(root);
        return true;
    }
    cJSON_Delete(root);
    if (at > v->answer_at)
        v->answer_at = at;
    /* tables the board shows: the answer's requests, or none */
    for (size_t i = 0; i < v->table_count; i++) {
        cb_state *t = &v->tables[i];
        bool takes = false;
        if (cb_view_takes(CB_VIEW_FROM_SNAPSHOT, at, t->updated_at, &takes) != CB_OK || !takes)
            continue;
        const cb_state *a = bsearch(t, answer, n, sizeof *answer, state_id_order);
        cb_state next = *t;
        if (a) {
            next = *a;
            if (!a->section[0])
                snprintf(next.section, sizeof next.section, "%s", t->section);
        } else {
            next.n_requests = 0;
            next.status = CB_IDLE;
        }
        next.updated_at = at;
        if (t->n_requests != next.n_requests || memcmp(t->requests, next.requests, sizeof t->requests) != 0)
            *change = CB_VIEW_CHANGED;
        *t = next;
    }
    /* tables the board did not know: they have open requests */
    for (size_t k = 0; k < n; k++) {
        bool found;
        size_t i = table_slot(v, answer[k].table, &found);
        if (found || !insert_table(v, i))
            continue;
        v->tables[i] = answer[k];
        *change = CB_VIEW_CHANGED;
    }
    free(answer);
    if (*change != CB_VIEW_NOTHING)
        v->open_stale = true;
    return true;
}

/* Queue order: the guests still waiting first, then the ones someone is on the way
 * to; each oldest first. */
static int queue_order(const void *a, const void *b)
{
    const cb_view_request *x = a, *y = b;
    if (x->req.status != y->req.status)
        return x->req.status == CB_CALLING ? -1 : 1;
    if (x->req.pressed_at != y->req.pressed_at)
        return x->req.pressed_at < y->req.pressed_at ? -1 : 1;
    int c = cb_table_id_cmp(x->table, y->table);
    if (c != 0)
        return c;
    return x->req.call < y->req.call ? -1 : x->req.call > y->req.call;
}

static void build_queue(cb_site_view *v)
{
    v->open_count = 0;
    for (size_t i = 0; i < v->table_count; i++) {
        const cb_state *s = &v->tables[i];
        for (uint32_t k = 0; k < s->n_requests; k++) {
            cb_view_request *grown = room_for_one(v->open, &v->open_cap, v->open_count, sizeof *v->open);
            if (!grown)
                goto sort; /* out of memory: list what fits rather than nothing */
            v->open = grown;
            cb_view_request *e = &v->open[v->open_count++];
            snprintf(e->table, sizeof e->table, "%s", s->table);
            snprintf(e->section, sizeof e->section, "%s", s->section);
            e->req = s->requests[k];
        }
    }
sort:
    if (v->open_count > 1)
        qsort(v->open, v->open_count, sizeof *v->open, queue_order);
    v->open_stale = false;
}

const cb_view_request *cb_site_view_requests(cb_site_view *v, size_t *n)
{
    if (v->open_stale)
        build_queue(v);
    *n = v->open_count;
    return v->open_count ? v->open : NULL;
}

cb_status cb_site_view_age(const cb_site_view *v, const cb_request *r, uint64_t now_ms, cb_age_class *out)
{
    uint64_t waiting;
    cb_status st = cb_waiting_s(r->pressed_at, now_ms, &waiting);
    if (st != CB_OK)
        return st;
    return cb_age_class_of(waiting, r->status == CB_ACKNOWLEDGED, &v->ages, out);
}

/* How much a class asks for someone to go now: acked < new < warn < late. */
static int urgency(cb_age_class c)
{
    switch (c) {
    case CB_AGE_LATE:
        return 3;
    case CB_AGE_WARN:
        return 2;
    case CB_AGE_NEW:
        return 1;
    default:
        return 0;
    }
}

cb_status cb_site_view_table_age(const cb_site_view *v, const cb_state *s, uint64_t now_ms, cb_age_class *out)
{
    if (s->n_requests == 0 || s->n_requests > CB_REQUEST_MAX)
        return CB_E_RANGE;
    cb_age_class worst = CB_AGE_ACKED;
    for (uint32_t i = 0; i < s->n_requests; i++) {
        cb_age_class c;
        cb_status st = cb_site_view_age(v, &s->requests[i], now_ms, &c);
        if (st != CB_OK)
            return st;
        if (urgency(c) > urgency(worst))
            worst = c;
    }
    *out = worst;
    return CB_OK;
}
