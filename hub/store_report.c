/* store_report.c - the manager's report: requests and response times over a window,
 * grouped by table, kind, staff, hour of day, day or section (docs/protocol.md
 * "request / reply": report). One pass over the calls rows of the window; the figures follow the
 * same rules as the retained stats (cb_duration_summarise). */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the longest key: a table id or a staff name (32 bytes), a day. */
#define KEY_SIZE 40

void cb_duration_summarise(const int64_t *v, size_t n, cb_duration_stats *out)
{
    memset(out, 0, sizeof *out);
    out->count = n;
    if (n == 0)
        return;
    static const double rank_of[2] = {0.5, 0.9};
    double *figure[2] = {&out->p50_s, &out->p90_s};
    for (int i = 0; i < 2; i++) {
        size_t rank = (size_t)ceil(rank_of[i] * (double)n); /* nearest rank */
        *figure[i] = (double)v[rank < 1 ? 0 : rank - 1] / 1000.0;
    }
    out->max_s = (double)v[n - 1] / 1000.0;
}

typedef struct report_row {
    char key[KEY_SIZE];
    int64_t to_ack;  /* ms, -1: never acknowledged */
    int64_t to_done; /* ms, -1: not done */
    bool cancelled;
} report_row;

/* The SQL expression of a grouping's key; kind is an integer named in C. */
static const char *key_sql(cb_report_by by)
{
    switch (by) {
    case CB_BY_TABLE:
    case CB_BY_SECTION: /* the table's section is the site file's, not the database's */
        return "table_id";
    case CB_BY_KIND:
        return "kind";
    case CB_BY_STAFF:
        return "CASE WHEN acked_at > 0 THEN acked_by ELSE '' END";
    case CB_BY_HOUR:
        return "strftime('%H', pressed_at / 1000, 'unixepoch', 'localtime')";
    case CB_BY_DAY:
        return "strftime('%Y-%m-%d', pressed_at / 1000, 'unixepoch', 'localtime')";
    default:
        return "''";
    }
}

static void row_key(sqlite3_stmt *q, cb_report_by by, const cb_report_sections *sections, char *key)
{
    const char *name = "";
    if (by == CB_BY_KIND) {
        if (cb_kind_name((cb_kind)sqlite3_column_int(q, 0), &name) != CB_OK)
            name = "?";
    } else if (sqlite3_column_text(q, 0)) {
        name = (const char *)sqlite3_column_text(q, 0);
    }
    if (by == CB_BY_SECTION) {
        /* a table in no section (or a hub without a site file) groups under "" */
        const char *section = sections && sections->section_of ? sections->section_of(sections->ctx, name) : NULL;
        name = section ? section : "";
    }
    snprintf(key, KEY_SIZE, "%s", name);
}

/* A press dated after its ack (age_ms skew) counts as 0, as in the stats. */
static int64_t duration(sqlite3_stmt *q, int col, bool happened)
{
    if (!happened)
        return -1;
    int64_t v = sqlite3_column_int64(q, col);
    return v < 0 ? 0 : v;
}

static int read_rows(cb_store *s, uint64_t since, uint64_t until, cb_report_by by, const cb_report_sections *sections,
                     report_row **out, size_t *n, char *err, size_t err_cap)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s, acked_at > 0, acked_at - pressed_at, outcome = 'done', closed_at - pressed_at,"
             " outcome = 'cancelled' FROM calls WHERE pressed_at >= ?1 AND (?2 = 0 OR pressed_at < ?2)",
             key_sql(by));
    sqlite3 *db = cb_store_sqlite(s);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        goto db_err;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)since);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)until);
    size_t cap = 0;
    report_row *rows = NULL;
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            report_row *p = realloc(rows, cap * sizeof *rows);
            if (!p) {
                snprintf(err, err_cap, "out of memory");
                goto err;
            }
            rows = p;
        }
        report_row *r = &rows[(*n)++];
        row_key(q, by, sections, r->key);
        r->to_ack = duration(q, 2, sqlite3_column_int(q, 1));
        r->to_done = duration(q, 4, sqlite3_column_int(q, 3));
        r->cancelled = sqlite3_column_int(q, 5) != 0;
    }
    if (rc != SQLITE_DONE)
        goto step_err;
    sqlite3_finalize(q);
    *out = rows;
    return 0;
step_err:
    snprintf(err, err_cap, "database: reading calls: %s", sqlite3_errmsg(db));
err:
    sqlite3_finalize(q);
    free(rows);
    return -1;
db_err:
    snprintf(err, err_cap, "database: reading calls: %s", sqlite3_errmsg(db));
    return -1;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const report_row *)a)->key, ((const report_row *)b)->key);
}

static int by_ms(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The figures of rows[0..n) into *st; ms[] is scratch room for n values. */
static void summarise(const report_row *rows, size_t n, int64_t *ms, cb_response_stats *st)
{
    memset(st, 0, sizeof *st);
    st->calls = n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        st->cancelled += rows[i].cancelled;
        if (rows[i].to_ack >= 0)
            ms[k++] = rows[i].to_ack;
    }
    qsort(ms, k, sizeof *ms, by_ms);
    cb_duration_summarise(ms, k, &st->ack);
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].to_done >= 0)
            ms[k++] = rows[i].to_done;
    qsort(ms, k, sizeof *ms, by_ms);
    cb_duration_summarise(ms, k, &st->done);
}

int cb_store_report(cb_store *s, uint64_t since, uint64_t until, cb_report_by by, const cb_report_sections *sections,
                    void (*fn)(void *ctx, const char *key, const cb_response_stats *st), void *ctx, char *err,
                    size_t err_cap)
{
    report_row *rows = NULL;
    size_t n = 0;
    if (read_rows(s, since, until, by, sections, &rows, &n, err, err_cap) != 0)
        return -1;
    int64_t *ms = malloc((n ? n : 1) * sizeof *ms);
    if (!ms) {
        free(rows);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    cb_response_stats st;
    if (by != CB_BY_NONE) {
        qsort(rows, n, sizeof *rows, by_key);
        for (size_t first = 0, end; first < n; first = end) {
            for (end = first + 1; end < n && strcmp(rows[end].key, rows[first].key) == 0; end++)
                ;
            summarise(rows + first, end - first, ms, &st);
            fn(ctx, rows[first].key, &st);
        }
    }
    summarise(rows, n, ms, &st);
    fn(ctx, NULL, &st);
    free(ms);
    free(rows);
    return 0;
}
