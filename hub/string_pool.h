/* string_pool.h - the short strings many tables share (a section, the staff name that
 * acknowledged a request), each kept once and counted, named by a 4-byte handle.
 *
 * At 100,000 tables a 33-byte section in every table head and a 33-byte name in every
 * open request were a third of the hub's memory, for a handful of distinct values.
 * Handle 0 is "" and costs nothing. A string lives while someone holds it: take adds a
 * holder, drop removes one, and the last drop frees its entry for the next new string,
 * so the pool is as large as the distinct strings held at once, not ever seen (a staff
 * member typing a new name at every ack cannot grow it without bound).
 *
 * Invariants: refs[h] > 0 exactly for live entries, and each live entry has one slot
 * in the open-addressed table (linear probing, load ≤ 1/2, deletion by backward
 * shift: no tombstones to accumulate). */
#ifndef CALLBELL_HUB_STRING_POOL_H
#define CALLBELL_HUB_STRING_POOL_H

#include <stddef.h>
#include <stdint.h>

#define CB_POOL_STRING_SIZE 33 /* CB_ID_SIZE and CB_NAME_SIZE: 32 bytes and the NUL */

typedef struct cb_string_pool {
    char (*text)[CB_POOL_STRING_SIZE];
    uint32_t *refs;  /* holders of entry h; 0 = free */
    uint32_t *link;  /* a free entry's next free entry, 0 = none */
    uint32_t used;   /* entries ever used, entry 0 (= "") included */
    uint32_t cap;    /* entries allocated */
    uint32_t free;   /* first free entry, 0 = none */
    uint32_t *slots; /* entry handles by hash, 0 = empty */
    uint32_t slot_mask;
    uint32_t live; /* live entries (entry 0 not counted) */
} cb_string_pool;

/* An empty pool. 0, or -1 when out of memory. */
int cb_string_pool_init(cb_string_pool *p);
/* Frees everything; *p is empty (init it again to reuse it). */
void cb_string_pool_free(cb_string_pool *p);
/* One more holder of s: *handle names it (0 for ""). 0; -1 when s is longer than 32
 * bytes (nothing changes) or out of memory. */
int cb_string_pool_take(cb_string_pool *p, const char *s, uint32_t *handle);
/* One holder less of handle (0 and unknown handles are ignored). */
void cb_string_pool_drop(cb_string_pool *p, uint32_t handle);
/* The string of a held handle ("" for 0). */
const char *cb_string_pool_get(const cb_string_pool *p, uint32_t handle);

#endif
