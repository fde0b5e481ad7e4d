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
    return 0;
}

void cb_site_view_free(cb_site_view *v)
{
    free(v->tables);
    free(v->devices);
    memset(v, 0, sizeof *v);
}

int cb_site_view_subscribe(cb_site_view *v, cb_mqtt *m)
{
    static const char *const patterns[] = {"callbell/%s/table/+/state", "callbell/%s/device/+/status",
                                           "callbell/%s/device/+/info", "callbell/%s/hub/status",
                                           "callbell/%s/hub/stats"};
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

static cb_view_change apply_state(cb_site_view *v, const cb_topic *t, const void *payload, size_t len)
{
    cb_state st;
    if (len == 0) /* retained message cleared */
        return CB_VIEW_NOTHING;
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
        v->tables[i] = st;
        return st.status == CB_CALLING ? CB_VIEW_ALERT : CB_VIEW_CHANGED;
    }
    cb_state old = v->tables[i];
    v->tables[i] = st;
    bool new_call = st.status == CB_CALLING && (old.call != st.call || old.status == CB_IDLE);
    /* the same call asks again: a re-alert, the guest wants something else (bill after
     * call), or an acknowledged call came back (new kind, or not done in time) */
    bool again = st.status == CB_CALLING && st.call == old.call &&
                 (st.repeats > old.repeats || st.kind != old.kind || old.status == CB_ACKNOWLEDGED);
    return (new_call || again) ? CB_VIEW_ALERT : CB_VIEW_CHANGED;
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

static int by_pressed_at(const void *a, const void *b)
{
    const cb_state *x = *(const cb_state *const *)a, *y = *(const cb_state *const *)b;
    if (x->pressed_at != y->pressed_at)
        return x->pressed_at < y->pressed_at ? -1 : 1;
    return cb_table_id_cmp(x->table, y->table);
}

size_t cb_site_view_open_calls(const cb_site_view *v, const cb_state **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < v->table_count && n < cap; i++)
        if (v->tables[i].status != CB_IDLE)
            out[n++] = &v->tables[i];
    qsort(out, n, sizeof *out, by_pressed_at);
    return n;
}
