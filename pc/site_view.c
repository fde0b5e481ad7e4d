#include "site_view.h"

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

static bool news_rings(const cb_site_view *v)
{
    for (size_t i = 0; i < v->news_count; i++)
        if (v->news[i].type == CB_NEWS_NEW || v->news[i].type == CB_NEWS_REALERT)
            return true;
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

static cb_view_change apply_state(cb_site_view *v, const cb_topic *t, const void *payload, size_t len)
{
    cb_state st;
    if (len == 0) /* retained state cleared: the table has left the site */
        return forget_table(v, t->id);
    if (cb_state_decode(payload, len, &st) != CB_OK || strcmp(st.table, t->id) != 0) {
        v->rejected++;
        return CB_VIEW_NOTHING;
    }
    bool found;
    size_t i = table_slot(v, st.table, &found);
    if (!found) {
        cb_state *grown = room_for_one(v->tables, &v->table_cap, v->table_count, sizeof *v->tables);
        if (!grown)
            return CB_VIEW_NOTHING;
        v->tables = grown;
        memmove(&v->tables[i + 1], &v->tables[i], (v->table_count - i) * sizeof *v->tables);
        v->table_count++;
        memset(&v->tables[i], 0, sizeof v->tables[i]); /* a table first seen: nothing was open */
    }
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
