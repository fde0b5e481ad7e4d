/* table_index.c - the hub's tables in memory (contract and sizes in table_index.h). */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "table_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dirty_flag bits */
#define IN_DIRTY 1   /* linked in the dirty FIFO */
#define IN_CHANGED 2 /* linked in the changed FIFO */
#define PUBLISHED 4  /* still linked in the dirty FIFO, but already popped from the changed one */

uint32_t cb_id_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

int cb_table_index_init(cb_table_index *ix)
{
    memset(ix, 0, sizeof *ix);
    ix->dirty_head = ix->dirty_tail = CB_NO_TABLE;
    ix->changed_head = ix->changed_tail = CB_NO_TABLE;
    ix->req_free = CB_NO_TABLE;
    ix->slot_mask = 63;
    ix->slots = malloc(64 * sizeof *ix->slots);
    if (!ix->slots || cb_string_pool_init(&ix->strings) != 0) {
        free(ix->slots);
        ix->slots = NULL;
        return -1;
    }
    memset(ix->slots, 0xff, 64 * sizeof *ix->slots);
    return 0;
}

void cb_table_index_free(cb_table_index *ix)
{
    free(ix->heads);
    free(ix->ids);
    cb_string_pool_free(&ix->strings);
    free(ix->open);
    free(ix->reqs);
    free(ix->slots);
    free(ix->dirty_next);
    free(ix->dirty_flag);
    free(ix->changed_next);
    memset(ix, 0, sizeof *ix);
}

const char *cb_table_index_id(const cb_table_index *ix, uint32_t i)
{
    return ix->ids + ix->heads[i].id_at;
}

const char *cb_table_index_section(const cb_table_index *ix, uint32_t i)
{
    return cb_string_pool_get(&ix->strings, ix->heads[i].section);
}

int cb_table_index_set_section(cb_table_index *ix, uint32_t i, const char *section)
{
    uint32_t h;
    if (cb_string_pool_take(&ix->strings, section, &h) != 0)
        return -1;
    cb_string_pool_drop(&ix->strings, ix->heads[i].section);
    ix->heads[i].section = h;
    return 0;
}

uint32_t cb_table_index_find(const cb_table_index *ix, const char *id)
{
    for (uint32_t s = cb_id_hash(id) & ix->slot_mask;; s = (s + 1) & ix->slot_mask) {
        uint32_t i = ix->slots[s];
        if (i == CB_NO_TABLE || strcmp(cb_table_index_id(ix, i), id) == 0)
            return i;
    }
}

static void insert_slot(cb_table_index *ix, uint32_t i)
{
    uint32_t s = cb_id_hash(cb_table_index_id(ix, i)) & ix->slot_mask;
    while (ix->slots[s] != CB_NO_TABLE)
        s = (s + 1) & ix->slot_mask;
    ix->slots[s] = i;
}

static int grow_to(cb_table_index *ix, uint32_t ncap)
{
    cb_table_head *h = realloc(ix->heads, (size_t)ncap * sizeof *h);
    if (!h)
        return -1;
    ix->heads = h;
    uint32_t *dn = realloc(ix->dirty_next, (size_t)ncap * sizeof *dn);
    if (!dn)
        return -1;
    ix->dirty_next = dn;
    uint32_t *cn = realloc(ix->changed_next, (size_t)ncap * sizeof *cn);
    if (!cn)
        return -1;
    ix->changed_next = cn;
    uint8_t *df = realloc(ix->dirty_flag, ncap);
    if (!df)
        return -1;
    ix->dirty_flag = df;
    memset(df + ix->cap, 0, ncap - ix->cap);
    ix->cap = ncap;
    return 0;
}

static int grow(cb_table_index *ix)
{
    return grow_to(ix, ix->cap ? ix->cap * 2 : 64);
}

static int rehash_to(cb_table_index *ix, uint32_t nslots)
{
    uint32_t *s = malloc((size_t)nslots * sizeof *s);
    if (!s)
        return -1;
    memset(s, 0xff, (size_t)nslots * sizeof *s);
    free(ix->slots);
    ix->slots = s;
    ix->slot_mask = nslots - 1;
    for (uint32_t i = 0; i < ix->count; i++)
        insert_slot(ix, i);
    return 0;
}

int cb_table_index_reserve(cb_table_index *ix, uint32_t n)
{
    if (n > ix->cap && grow_to(ix, n) != 0)
        return -1;
    uint32_t nslots = ix->slot_mask + 1;
    while (nslots < 2 * n)
        nslots *= 2;
    return nslots > ix->slot_mask + 1 ? rehash_to(ix, nslots) : 0;
}

/* Gives head i an entry in the dense open array, with no request yet. */
static int open_slot(cb_table_index *ix, uint32_t i)
{
    if (ix->open_count == ix->open_cap) {
        uint32_t ncap = ix->open_cap ? ix->open_cap * 2 : 64;
        cb_open_table *o = realloc(ix->open, (size_t)ncap * sizeof *o);
        if (!o)
            return -1;
        ix->open = o;
        ix->open_cap = ncap;
    }
    ix->heads[i].open = ix->open_count;
    ix->open[ix->open_count].owner = i;
    ix->open[ix->open_count].n = 0;
    ix->open_count++;
    return 0;
}

/* A free request slot (holding no name), CB_NO_TABLE when out of memory. Freed slots
 * come back first, so the pool stays as small as the most requests ever open at once. */
static uint32_t req_alloc(cb_table_index *ix)
{
    if (ix->req_free != CB_NO_TABLE) {
        uint32_t k = ix->req_free;
        ix->req_free = ix->reqs[k].count;
        return k;
    }
    if (ix->req_count == ix->req_cap) {
        uint32_t ncap = ix->req_cap ? ix->req_cap * 2 : 64;
        cb_pooled_request *r = realloc(ix->reqs, (size_t)ncap * sizeof *r);
        if (!r)
            return CB_NO_TABLE;
        ix->reqs = r;
        ix->req_cap = ncap;
    }
    ix->reqs[ix->req_count].acked_by = 0;
    return ix->req_count++;
}

static void req_release(cb_table_index *ix, uint32_t k)
{
    cb_string_pool_drop(&ix->strings, ix->reqs[k].acked_by);
    ix->reqs[k].acked_by = 0;
    ix->reqs[k].count = ix->req_free;
    ix->req_free = k;
}

/* Pool slot k becomes *r; its old name is let go only once the new one is held. */
static int req_store(cb_table_index *ix, uint32_t k, const cb_request *r)
{
    cb_pooled_request *p = &ix->reqs[k];
    uint32_t name;
    if (cb_string_pool_take(&ix->strings, r->acked_by, &name) != 0)
        return -1;
    cb_string_pool_drop(&ix->strings, p->acked_by);
    *p = (cb_pooled_request){.call = r->call,
                             .pressed_at = r->pressed_at,
                             .acked_at = r->acked_at,
                             .last_alert_at = r->last_alert_at,
                             .count = r->count,
                             .repeats = r->repeats,
                             .acked_by = name,
                             .status = (uint8_t)r->status,
                             .kind = (uint8_t)r->kind,
                             .level = (uint8_t)r->level};
    return 0;
}

static void req_load(const cb_table_index *ix, uint32_t k, cb_request *r)
{
    const cb_pooled_request *p = &ix->reqs[k];
    memset(r, 0, sizeof *r);
    r->call = p->call;
    r->pressed_at = p->pressed_at;
    r->acked_at = p->acked_at;
    r->last_alert_at = p->last_alert_at;
    r->count = p->count;
    r->repeats = p->repeats;
    r->status = (cb_table_status)p->status;
    r->kind = (cb_kind)p->kind;
    r->level = (cb_level)p->level;
    snprintf(r->acked_by, sizeof r->acked_by, "%s", cb_string_pool_get(&ix->strings, p->acked_by));
}

/* Appends id to the arena; its offset into *at. 0, or -1 when out of memory. */
static int store_id(cb_table_index *ix, const char *id, uint32_t *at)
{
    size_t n = strnlen(id, CB_ID_SIZE - 1) + 1;
    if (ix->ids_len + n > ix->ids_cap) {
        size_t ncap = ix->ids_cap ? ix->ids_cap * 2 : 1024;
        while (ncap < ix->ids_len + n)
            ncap *= 2;
        if (ncap > UINT32_MAX)
            return -1;
        char *a = realloc(ix->ids, ncap);
        if (!a)
            return -1;
        ix->ids = a;
        ix->ids_cap = ncap;
    }
    memcpy(ix->ids + ix->ids_len, id, n - 1);
    ix->ids[ix->ids_len + n - 1] = '\0';
    *at = (uint32_t)ix->ids_len;
    ix->ids_len += n;
    return 0;
}

/* Takes head i's entry back (and its requests); the last open table moves into it
 * (the array stays dense, so ticks walk only tables with requests). */
static void close_slot(cb_table_index *ix, uint32_t i)
{
    uint32_t k = ix->heads[i].open, last = --ix->open_count;
    for (uint32_t j = 0; j < ix->open[k].n; j++)
        req_release(ix, ix->open[k].req[j]);
    if (k != last) {
        ix->open[k] = ix->open[last];
        ix->heads[ix->open[k].owner].open = k;
    }
    ix->heads[i].open = CB_NO_TABLE;
}

uint32_t cb_table_index_add(cb_table_index *ix, const cb_table *t)
{
    if (ix->count == ix->cap && grow(ix) != 0)
        return CB_NO_TABLE;
    /* keep the load factor under 1/2 so probes stay short */
    if ((ix->count + 1) * 2 > ix->slot_mask + 1 && rehash_to(ix, (ix->slot_mask + 1) * 2) != 0)
        return CB_NO_TABLE;
    uint32_t i = ix->count;
    cb_table_head *h = &ix->heads[i];
    memset(h, 0, sizeof *h);
    h->open = CB_NO_TABLE;
    h->updated_at = t->state.updated_at;
    size_t ids_len = ix->ids_len; /* an id added for a table that failed is taken back */
    if (store_id(ix, t->state.table, &h->id_at) != 0)
        return CB_NO_TABLE;
    if (cb_string_pool_take(&ix->strings, t->state.section, &h->section) != 0) {
        ix->ids_len = ids_len;
        return CB_NO_TABLE;
    }
    if (cb_table_index_put(ix, i, t) != 0) {
        if (h->open != CB_NO_TABLE)
            close_slot(ix, i);
        cb_string_pool_drop(&ix->strings, h->section);
        ix->ids_len = ids_len;
        return CB_NO_TABLE;
    }
    ix->count++;
    ix->dirty_flag[i] = 0;
    insert_slot(ix, i);
    return i;
}

void cb_table_index_get(const cb_table_index *ix, uint32_t i, cb_table *out)
{
    const cb_table_head *h = &ix->heads[i];
    memset(out, 0, sizeof *out);
    snprintf(out->state.table, sizeof out->state.table, "%s", cb_table_index_id(ix, i));
    snprintf(out->state.section, sizeof out->state.section, "%s", cb_table_index_section(ix, i));
    out->state.updated_at = h->updated_at;
    if (h->open != CB_NO_TABLE) {
        const cb_open_table *o = &ix->open[h->open];
        for (uint32_t j = 0; j < o->n; j++)
            req_load(ix, o->req[j], &out->state.requests[j]);
        out->state.n_requests = o->n;
    }
    (void)cb_state_status(&out->state, &out->state.status);
}

int cb_table_index_put(cb_table_index *ix, uint32_t i, const cb_table *t)
{
    cb_table_head *h = &ix->heads[i];
    uint32_t n = t->state.n_requests <= CB_REQUEST_MAX ? t->state.n_requests : CB_REQUEST_MAX;
    h->updated_at = t->state.updated_at;
    if (n == 0) {
        if (h->open != CB_NO_TABLE)
            close_slot(ix, i);
        return 0;
    }
    if (h->open == CB_NO_TABLE && open_slot(ix, i) != 0)
        return -1;
    cb_open_table *o = &ix->open[h->open];
    while (o->n < n) {
        uint32_t k = req_alloc(ix);
        if (k == CB_NO_TABLE)
            return -1;
        o->req[o->n++] = k;
    }
    while (o->n > n)
        req_release(ix, o->req[--o->n]);
    for (uint32_t j = 0; j < n; j++)
        if (req_store(ix, o->req[j], &t->state.requests[j]) != 0)
            return -1;
    return 0;
}
static void link_tail(uint32_t *next, uint32_t *head, uint32_t *tail, uint32_t i)
{
    next[i] = CB_NO_TABLE;
    if (*tail == CB_NO_TABLE)
        *head = i;
    else
        next[*tail] = i;
    *tail = i;
}

static uint32_t unlink_head(uint32_t *next, uint32_t *head, uint32_t *tail)
{
    uint32_t i = *head;
    *head = next[i];
    if (*head == CB_NO_TABLE)
        *tail = CB_NO_TABLE;
    return i;
}

void cb_table_index_mark_dirty(cb_table_index *ix, uint32_t i)
{
    uint8_t *f = &ix->dirty_flag[i];
    if (*f & IN_DIRTY) {
        *f &= (uint8_t)~PUBLISHED; /* dirty again: publish it when its turn comes */
        return;
    }
    if (*f & IN_CHANGED)
        return; /* published soon anyway */
    *f |= IN_DIRTY;
    link_tail(ix->dirty_next, &ix->dirty_head, &ix->dirty_tail, i);
    ix->dirty_count++;
}

void cb_table_index_mark_changed(cb_table_index *ix, uint32_t i)
{
    uint8_t *f = &ix->dirty_flag[i];
    if (*f & IN_CHANGED)
        return;
    *f |= IN_CHANGED;
    link_tail(ix->changed_next, &ix->changed_head, &ix->changed_tail, i);
    ix->dirty_count++;
}

uint32_t cb_table_index_pop_dirty(cb_table_index *ix)
{
    if (ix->changed_head != CB_NO_TABLE) {
        uint32_t i = unlink_head(ix->changed_next, &ix->changed_head, &ix->changed_tail);
        ix->dirty_count--;
        ix->dirty_flag[i] &= (uint8_t)~IN_CHANGED;
        if (ix->dirty_flag[i] & IN_DIRTY)
            ix->dirty_flag[i] |= PUBLISHED; /* skipped when the dirty FIFO reaches it */
        return i;
    }
    while (ix->dirty_head != CB_NO_TABLE) {
        uint32_t i = unlink_head(ix->dirty_next, &ix->dirty_head, &ix->dirty_tail);
        ix->dirty_count--;
        uint8_t was = ix->dirty_flag[i];
        ix->dirty_flag[i] = 0;
        if (!(was & PUBLISHED))
            return i;
    }
    return CB_NO_TABLE;
}
