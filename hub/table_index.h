/* table_index.h - the hub's tables in memory: a compact head per table, the full
 * state only for tables with open requests, a hash index by id, and a FIFO of tables
 * whose state must be (re)published.
 *
 * Sized for 100,000 tables in under 256 bytes each, all of them with an open request: a
 * head is 24 bytes (where its id is, its section's handle, updated_at, where its
 * requests are) and its id takes its length + 1 in one arena; sections and staff
 * names are shared (string_pool.h). A table with open requests also has an entry in
 * the dense `open` array (20 bytes) naming its requests in the request pool (48 bytes
 * each, only while open: most tables have one). A full cb_table (~330 bytes, room for
 * three requests) exists only as the copy the hub works on. The index costs 4 bytes a
 * slot (2 slots a table), the two FIFOs 4 bytes each and a flag byte a table. A table
 * marked twice before it is published is published once; a table changed by an event
 * goes ahead of a full republish, so a guest's call never waits behind 100,000 idle
 * states. */
#ifndef CALLBELL_HUB_TABLE_INDEX_H
#define CALLBELL_HUB_TABLE_INDEX_H

#include "callbell/call.h"
#include "string_pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_NO_TABLE UINT32_MAX

typedef struct cb_table_head {
    uint64_t updated_at; /* the state's updated_at */
    uint32_t id_at;      /* its id: cb_table_index.ids + id_at (cb_table_index_id) */
    uint32_t section;    /* the site file's section (state.section): a handle in `strings`, 0 = none */
    uint32_t open;       /* index in cb_table_index.open, CB_NO_TABLE while idle */
    uint8_t kinds;       /* the buttons it offers (bit per cb_kind, the site file's [kinds]); 0 = all */
    bool retiring;       /* no longer configured: served until its requests close */
    bool gone;           /* left the site (at start-up, or its last request closed): not served; its
                          * retained state is cleared (published empty) at every connect; the id
                          * stays (a reload may bring it back) */
} cb_table_head;

/* An open request as the pool keeps it: a cb_request with its staff name shared. */
typedef struct cb_pooled_request {
    uint64_t call, pressed_at, acked_at, last_alert_at;
    uint32_t count; /* a free slot's link in the free list */
    uint32_t repeats;
    uint32_t acked_by; /* handle in `strings`, 0 = "" */
    uint8_t status, kind, level;
} cb_pooled_request;

/* A table with open requests: which head, and its requests (oldest first) in the pool. */
typedef struct cb_open_table {
    uint32_t owner; /* head index */
    uint32_t n;     /* 1..CB_REQUEST_MAX */
    uint32_t req[CB_REQUEST_MAX];
} cb_open_table;

typedef struct cb_table_index {
    cb_table_head *heads;
    uint32_t count, cap;
    char *ids; /* every id, NUL-terminated, in the order added; never shrinks (ids stay) */
    size_t ids_len, ids_cap;
    cb_string_pool strings; /* sections and staff names */
    cb_open_table *open;    /* dense: open[0..open_count), for walking the open tables */
    uint32_t open_count, open_cap;
    cb_pooled_request *reqs; /* the request pool; a free slot's `count` links the free list */
    uint32_t req_count;      /* slots ever used (the rest untouched) */
    uint32_t req_cap, req_free;
    uint32_t *slots; /* open addressing; CB_NO_TABLE = empty */
    uint32_t slot_mask;
    uint32_t *dirty_next; /* FIFO links; CB_NO_TABLE = end; dirty_flag marks members */
    uint8_t *dirty_flag;
    uint32_t dirty_head, dirty_tail, dirty_count;
    /* tables changed by an event: published before the FIFO above, which after a
     * (re)connect holds every table (100,000 publishes take seconds) */
    uint32_t *changed_next;
    uint32_t changed_head, changed_tail;
} cb_table_index;

/* FNV-1a of an id: the hub's hash for tables here and for devices in hub.c. */
uint32_t cb_id_hash(const char *id);

int cb_table_index_init(cb_table_index *ix);
void cb_table_index_free(cb_table_index *ix);
/* Makes room for n tables in one allocation (the hub knows its count at start-up:
 * doubling would leave up to half the array unused). 0 or -1. */
int cb_table_index_reserve(cb_table_index *ix, uint32_t n);
/* Table i's id. */
const char *cb_table_index_id(const cb_table_index *ix, uint32_t i);
/* Table i's section, "" when in none. */
const char *cb_table_index_section(const cb_table_index *ix, uint32_t i);
/* Moves table i to `section` ("" = none). 0, or -1 when out of memory or longer than
 * an id (then it keeps its section). */
int cb_table_index_set_section(cb_table_index *ix, uint32_t i, const char *section);
/* Index of table `id`, or CB_NO_TABLE. */
uint32_t cb_table_index_find(const cb_table_index *ix, const char *id);
/* Adds a copy of *t (its id must not be present). Returns its index or CB_NO_TABLE
 * when out of memory. */
uint32_t cb_table_index_add(cb_table_index *ix, const cb_table *t);
/* Table i's full state into *out (built from its head and its pooled requests). */
void cb_table_index_get(const cb_table_index *ix, uint32_t i, cb_table *out);
/* Stores *t as table i's state: its requests take pool slots while it has any and
 * give them back once idle. 0, or -1 when out of memory (then table i may hold fewer
 * requests than t: the caller treats it as a failed store). */
int cb_table_index_put(cb_table_index *ix, uint32_t i, const cb_table *t);
void cb_table_index_mark_dirty(cb_table_index *ix, uint32_t i);
/* Like mark_dirty, for a state an event changed: ahead of the tables only marked dirty. */
void cb_table_index_mark_changed(cb_table_index *ix, uint32_t i);
/* Pops the oldest changed table, else the oldest dirty one; CB_NO_TABLE when none. */
uint32_t cb_table_index_pop_dirty(cb_table_index *ix);

#endif
