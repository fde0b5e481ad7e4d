/* notify.c - see callbell/notify.h. */
#include "callbell/notify.h"

#include <string.h>

cb_status cb_notify_init(cb_notify_memory *m)
{
    if (m == NULL) {
        return CB_E_ARG;
    }
    m->n = 0;
    m->next_added = 0;
    return CB_OK;
}

static cb_notify_entry *find(cb_notify_memory *m, uint64_t call)
{
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->e[i].call == call) {
            return &m->e[i];
        }
    }
    return NULL;
}

/* The entry remembered longest ago (insertion order, wrap-around safe). */
static cb_notify_entry *oldest(cb_notify_memory *m)
{
    cb_notify_entry *o = &m->e[0];
    for (uint32_t i = 1; i < m->n; i++) {
        if ((uint32_t)(m->next_added - m->e[i].added) > (uint32_t)(m->next_added - o->added)) {
            o = &m->e[i];
        }
    }
    return o;
}

cb_status cb_notify_remember(cb_notify_memory *m, const char *table, uint64_t call, uint32_t level)
{
    if (m == NULL || table == NULL) {
        return CB_E_ARG;
    }
    if (cb_id_check(table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (call == 0) {
        return CB_E_RANGE;
    }
    cb_notify_entry *e = find(m, call);
    if (e == NULL) {
        e = m->n < CB_NOTIFY_MEMORY ? &m->e[m->n++] : oldest(m);
        strcpy(e->table, table);
        e->call = call;
        e->level = level;
        e->added = m->next_added++;
        return CB_OK;
    }
    if (level > e->level) {
        e->level = level;
    }
    return CB_OK;
}

static bool holds(const cb_state *st, uint64_t call)
{
    for (uint32_t i = 0; i < st->n_requests; i++) {
        if (st->requests[i].call == call) {
            return true;
        }
    }
    return false;
}

/* The table's remembered requests that its state no longer holds are closed. */
static void forget_closed(cb_notify_memory *m, const cb_state *st)
{
    for (uint32_t i = 0; i < m->n;) {
        if (strcmp(m->e[i].table, st->table) == 0 && !holds(st, m->e[i].call)) {
            m->e[i] = m->e[--m->n];
        } else {
            i++;
        }
    }
}

/* The level a request calls for now, or false when it calls for none. */
static bool due_level(cb_notify_memory *m, const cb_request *r, uint32_t *level)
{
    const cb_notify_entry *e = find(m, r->call);
    if (r->status != CB_CALLING) {
        return false;
    }
    if (e != NULL && e->level >= r->repeats) {
        return false;
    }
    *level = r->repeats;
    return true;
}

cb_status cb_notify_state(cb_notify_memory *m, const cb_state *st, cb_notification *out, uint32_t cap, uint32_t *n)
{
    if (m == NULL || st == NULL || n == NULL || (out == NULL && cap > 0) || st->n_requests > CB_REQUEST_MAX) {
        return CB_E_ARG;
    }
    *n = 0;
    forget_closed(m, st);
    for (uint32_t i = 0; i < st->n_requests; i++) {
        const cb_request *r = &st->requests[i];
        uint32_t level = 0;
        bool seen = find(m, r->call) != NULL;
        if (!due_level(m, r, &level)) {
            /* first seen acknowledged: remembered at its level, announced only if it
             * comes back calling later */
            if (!seen) {
                (void)cb_notify_remember(m, st->table, r->call, r->repeats); /* ids from a decoded state */
            }
            continue;
        }
        if (*n == cap) {
            return CB_E_FULL;
        }
        (void)cb_notify_remember(m, st->table, r->call, level);
        cb_notification *note = &out[(*n)++];
        memcpy(note->table, st->table, sizeof note->table);
        note->request = *r;
        note->level = level;
    }
    return CB_OK;
}

cb_notify_route cb_notify_route_for(const cb_notification *n, unsigned have)
{
    if (n == NULL) {
        return CB_ROUTE_NONE;
    }
    if (n->level >= 1u) {
        if (n->request.level == CB_LEVEL_MANAGER && (have & CB_ROUTE_BIT(CB_ROUTE_MANAGER)) != 0u) {
            return CB_ROUTE_MANAGER;
        }
        if (n->request.level >= CB_LEVEL_FLOOR && (have & CB_ROUTE_BIT(CB_ROUTE_FLOOR)) != 0u) {
            return CB_ROUTE_FLOOR;
        }
    }
    if ((have & CB_ROUTE_BIT(CB_ROUTE_SECTION)) != 0u) {
        return CB_ROUTE_SECTION;
    }
    return (have & CB_ROUTE_BIT(CB_ROUTE_DEFAULT)) != 0u ? CB_ROUTE_DEFAULT : CB_ROUTE_NONE;
}
