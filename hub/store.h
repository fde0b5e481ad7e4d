/* store.h - the hub's durable memory (SQLite, WAL).
 *
 * Everything the hub has accepted is in here before the hub publishes the state that
 * follows from it: the current state of every table, each device's de-duplication
 * window, every call (for statistics) and every event (audit log). A batch of events
 * shares one transaction; the hub commits before it publishes, so a state a board has
 * seen is never forgotten by a restarted hub. */
#ifndef CALLBELL_HUB_STORE_H
#define CALLBELL_HUB_STORE_H

#include "callbell/call.h"
#include "callbell/hub_engine.h"
#include "callbell/protocol.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cb_store cb_store;

typedef enum cb_store_sync { CB_SYNC_NORMAL, CB_SYNC_FULL } cb_store_sync;

/* Opens (creating) the database for `site`. Fails if it belongs to another site. On
 * failure *disk says whether the disk was the trouble (full, read-only, I/O error): a
 * failure that may pass by itself, worth trying again later. */
cb_store *cb_store_open(const char *path, const char *site, cb_store_sync sync, bool *disk, char *err, size_t err_cap);
void cb_store_close(cb_store *s);

/* Transactions: begin is idempotent (a batch opens it once); commit is a no-op if
 * none is open. 0 or -1 with err. */
int cb_store_begin(cb_store *s, char *err, size_t err_cap);
int cb_store_commit(cb_store *s, char *err, size_t err_cap);
/* Drops the open transaction, if any (after a failure: nothing half-applied stays). */
void cb_store_rollback(cb_store *s);

/* Drops any open transaction and commits a 64 KB write and its removal: 0 if the
 * database takes writes again, -1 with err if not. */
int cb_store_check_writable(cb_store *s, char *err, size_t err_cap);

/* Loads every stored table with its open requests: calls fn for each. 0 or -1. */
int cb_store_load_tables(cb_store *s, void (*fn)(void *ctx, const cb_table *t), void *ctx, char *err, size_t err_cap);
/* Loads every device's dedup window, boot time and when it was last heard from. */
int cb_store_load_devices(cb_store *s, void (*fn)(void *ctx, const cb_hub_device *d), void *ctx, char *err,
                          size_t err_cap);
/* Highest call id ever given (0 if none). */
int cb_store_max_call_id(cb_store *s, uint64_t *out, char *err, size_t err_cap);

/* Writes inside the open transaction. 0 or -1. */
/* The table's row (status, updated_at); its requests are written by cb_store_record. */
int cb_store_put_table(cb_store *s, const cb_table *t, char *err, size_t err_cap);
/* Forgets an idle table that left the configuration. */
int cb_store_drop_table(cb_store *s, const char *table, char *err, size_t err_cap);
int cb_store_put_device(cb_store *s, const cb_hub_device *d, char *err, size_t err_cap);
int cb_store_forget_device(cb_store *s, const char *device, char *err, size_t err_cap);
/* Records what an event did to one request of `table`: the event row, and its calls
 * row (the open request itself until the change closes it; statistics always). `who` is
 * the staff name or device id, may be "". seq/boot are 0 for staff events. */
int cb_store_record(cb_store *s, const char *table, const cb_change *c, const char *who, uint32_t boot, uint32_t seq,
                    uint64_t now, char *err, size_t err_cap);

/* Response-time figures for calls first pressed at or after `since` (ms). */
/* How long some step took over a set of calls: how many calls got there, and the
 * nearest-rank p50, p90 and the maximum in seconds (only when count > 0). */
typedef struct cb_duration_stats {
    uint64_t count;
    double p50_s, p90_s, max_s;
} cb_duration_stats;

typedef struct cb_response_stats {
    uint64_t calls;         /* requests opened */
    uint64_t cancelled;     /* closed by the guest's cancel */
    cb_duration_stats ack;  /* first press to first acknowledgement */
    cb_duration_stats done; /* first press to done (cancelled calls are not counted) */
} cb_response_stats;

/* Summarises n durations in ms sorted ascending (v may be NULL when n is 0): count,
 * nearest-rank p50 and p90, max. The one rule for every response-time figure. */
void cb_duration_summarise(const int64_t *v, size_t n, cb_duration_stats *out);

/* For one table (table != NULL) or all tables. */
int cb_store_response_stats(cb_store *s, uint64_t since, const char *table, cb_response_stats *out, char *err,
                            size_t err_cap);
/* Calls fn for each table id that has calls since `since`. */
int cb_store_tables_with_calls(cb_store *s, uint64_t since, void (*fn)(void *ctx, const char *table), void *ctx,
                               char *err, size_t err_cap);

/* Where a table sits (the site file's [sections]): section_of returns the table's
 * section, or NULL / "" for none. */
typedef struct cb_report_sections {
    const char *(*section_of)(void *ctx, const char *table);
    void *ctx;
} cb_report_sections;

/* Report (docs/protocol.md "request / reply": report): the requests first pressed in
 * [since, until) (until 0: no end), grouped by `by`. Calls fn once per group in
 * ascending key order, then once with key NULL for all of them together. Keys: the
 * table id, kind name, first acknowledger ("" if never acknowledged), local hour of
 * day "00".."23", local day "YYYY-MM-DD" of the first press, or the table's section
 * now in `sections` ("" if in none; sections may be NULL). 0 or -1 with err. */
int cb_store_report(cb_store *s, uint64_t since, uint64_t until, cb_report_by by, const cb_report_sections *sections,
                    void (*fn)(void *ctx, const char *key, const cb_response_stats *st), void *ctx, char *err,
                    size_t err_cap);

/* The hub thread's connection, for the reports in store_report.c (read only). */
sqlite3 *cb_store_sqlite(cb_store *s);

#endif
