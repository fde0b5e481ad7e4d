/* string_pool.c - shared short strings, counted (contract in string_pool.h). */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "string_pool.h"

#include "table_index.h" /* cb_id_hash */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY 0u /* an empty slot; handle 0 ("") is never in the table */

int cb_string_pool_init(cb_string_pool *p)
{
    memset(p, 0, sizeof *p);
    p->slot_mask = 15;
    p->slots = calloc(16, sizeof *p->slots);
    if (!p->slots)
        return -1;
    p->used = 1; /* entry 0 is "", never stored */
    return 0;
}

void cb_string_pool_free(cb_string_pool *p)
{
    free(p->text);
    free(p->refs);
    free(p->link);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

static uint32_t home(const cb_string_pool *p, const char *s)
{
    return cb_id_hash(s) & p->slot_mask;
}

/* The slot holding s, or the empty slot where it would go. */
static uint32_t probe(const cb_string_pool *p, const char *s)
{
    uint32_t i = home(p, s);
    while (p->slots[i] != EMPTY && strcmp(p->text[p->slots[i]], s) != 0)
        i = (i + 1) & p->slot_mask;
    return i;
}

static int rehash(cb_string_pool *p, uint32_t nslots)
{
    uint32_t *s = calloc(nslots, sizeof *s);
    if (!s)
        return -1;
    uint32_t *old = p->slots, old_n = p->slot_mask + 1;
    p->slots = s;
    p->slot_mask = nslots - 1;
    for (uint32_t i = 0; i < old_n; i++)
        if (old[i] != EMPTY)
            p->slots[probe(p, p->text[old[i]])] = old[i];
    free(old);
    return 0;
}

/* A free entry for a new string: a freed one first, else a new one. 0 when out of memory. */
static uint32_t new_entry(cb_string_pool *p)
{
    if (p->free) {
        uint32_t h = p->free;
        p->free = p->link[h];
        return h;
    }
    if (p->used >= p->cap) {
        uint32_t ncap = p->cap ? p->cap * 2 : 16;
        void *t = realloc(p->text, (size_t)ncap * sizeof *p->text);
        if (t)
            p->text = t;
        void *r = realloc(p->refs, (size_t)ncap * sizeof *p->refs);
        if (r)
            p->refs = r;
        void *l = realloc(p->link, (size_t)ncap * sizeof *p->link);
        if (l)
            p->link = l;
        if (!t || !r || !l)
            return 0; /* what did grow stays grown: cap tells the smallest */
        p->cap = ncap;
        p->refs[0] = 0;
    }
    return p->used++;
}

int cb_string_pool_take(cb_string_pool *p, const char *s, uint32_t *handle)
{
    size_t len = strnlen(s, CB_POOL_STRING_SIZE);
    if (len == CB_POOL_STRING_SIZE)
        return -1;
    if (len == 0) {
        *handle = 0;
        return 0;
    }
    uint32_t i = probe(p, s);
    if (p->slots[i] != EMPTY) {
        p->refs[p->slots[i]]++;
        *handle = p->slots[i];
        return 0;
    }
    /* keep the load under 1/2 so probes stay short */
    if ((p->live + 1) * 2 > p->slot_mask + 1) {
        if (rehash(p, (p->slot_mask + 1) * 2) != 0)
            return -1;
        i = probe(p, s);
    }
    uint32_t h = new_entry(p);
    if (h == 0)
        return -1;
    memcpy(p->text[h], s, len + 1);
    p->refs[h] = 1;
    p->slots[i] = h;
    p->live++;
    *handle = h;
    return 0;
}

/* Removes slot i, moving later entries of the same probe run back so that every live
 * entry stays reachable from its home slot (Knuth's algorithm R, no tombstones). */
static void unslot(cb_string_pool *p, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & p->slot_mask;
        if (p->slots[j] == EMPTY)
            break;
        uint32_t k = home(p, p->text[p->slots[j]]);
        /* j's entry may move to i only if its home is not cyclically in (i, j] */
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            p->slots[i] = p->slots[j];
            i = j;
        }
    }
    p->slots[i] = EMPTY;
}

void cb_string_pool_drop(cb_string_pool *p, uint32_t handle)
{
    if (handle == 0 || handle >= p->used || p->refs[handle] == 0)
        return;
    if (--p->refs[handle] > 0)
        return;
    unslot(p, probe(p, p->text[handle]));
    p->text[handle][0] = '\0';
    p->link[handle] = p->free;
    p->free = handle;
    p->live--;
}

const char *cb_string_pool_get(const cb_string_pool *p, uint32_t handle)
{
    return handle != 0 && handle < p->used ? p->text[handle] : "";
}
