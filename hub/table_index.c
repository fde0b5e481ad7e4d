#include "table_index.h"

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
    ix->slot_mask = 63;
    ix->slots = malloc(64 * sizeof *ix->slots);
    if (!ix->slots)
        return -1;
    memset(ix->slots, 0xff, 64 * sizeof *ix->slots);
    return 0;
}

void cb_table_index_free(cb_table_index *ix)
{
    free(ix->tables);
    free(ix->slots);
    free(ix->dirty_next);
    free(ix->dirty_flag);
    free(ix->changed_next);
    memset(ix, 0, sizeof *ix);
}

uint32_t cb_table_index_find(const cb_table_index *ix, const char *id)
{
    for (uint32_t s = cb_id_hash(id) & ix->slot_mask;; s = (s + 1) & ix->slot_mask) {
        uint32_t i = ix->slots[s];
        if (i == CB_NO_TABLE || strcmp(ix->tables[i].state.table, id) == 0)
            return i;
    }
}

static void insert_slot(cb_table_index *ix, uint32_t i)
{
    uint32_t s = cb_id_hash(ix->tables[i].state.table) & ix->slot_mask;
    while (ix->slots[s] != CB_NO_TABLE)
        s = (s + 1) & ix->slot_mask;
    ix->slots[s] = i;
}

static int grow_to(cb_table_index *ix, uint32_t ncap)
{
    cb_table *t = realloc(ix->tables, (size_t)ncap * sizeof *t);
    if (!t)
        return -1;
    ix->tables = t;
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

uint32_t cb_table_index_add(cb_table_index *ix, const cb_table *t)
{
    if (ix->count == ix->cap && grow(ix) != 0)
        return CB_NO_TABLE;
    /* keep the load factor under 1/2 so probes stay short */
    if ((ix->count + 1) * 2 > ix->slot_mask + 1 && rehash_to(ix, (ix->slot_mask + 1) * 2) != 0)
        return CB_NO_TABLE;
    uint32_t i = ix->count++;
    ix->tables[i] = *t;
    ix->dirty_flag[i] = 0;
    insert_slot(ix, i);
    return i;
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
