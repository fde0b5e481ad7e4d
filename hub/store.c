/* store.c - SQLite persistence for the hub. */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 2: one open request per kind: the open ones are the calls rows with outcome 'open'
 * (which now carry their live status, current ack and escalation clock), devices
 * know their boot time. A version 1 file is migrated in place at open (migrate_v1). */
#define SCHEMA_VERSION 3
/* The log's bounds, in frames of a 4 KB page (see after_commit): past
 * CHECKPOINT_WAKE_FRAMES (1 MB) the checkpointer runs at once rather than at its next
 * second; past CHECKPOINT_RESTART_FRAMES (4 MB) the hub restarts the log itself.
 * WAL_SIZE_LIMIT_BYTES is what the file is cut back to when the log starts again. */
#define CHECKPOINT_WAKE_FRAMES 256
#define CHECKPOINT_RESTART_FRAMES 1024
#define WAL_SIZE_LIMIT_BYTES (1024 * 1024)
#define BUSY_TIMEOUT_MS 5000
#define RESTART_WAIT_MS 1000

enum { ST_BEGIN, ST_COMMIT, ST_PUT_TABLE, ST_PUT_DEVICE, ST_FORGET_DEVICE, ST_EVENT, ST_CALL, ST_DROP_TABLE, ST_COUNT };

static const char *const statement_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    /* the per-call columns of schema 1 stay, unused (0): the calls rows hold the requests */
    [ST_PUT_TABLE] = "INSERT OR REPLACE INTO tables(id,status,kind,call,count,repeats,pressed_at,acked_by,acked_at,"
                     "updated_at,last_alert_at) VALUES(?1,?2,0,0,0,0,0,'',0,?3,0)",
    [ST_PUT_DEVICE] = "INSERT OR REPLACE INTO devices(id,boot,max_seq,window,last_seen,boot_at) "
                      "VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_FORGET_DEVICE] = "DELETE FROM devices WHERE id=?1",
    [ST_EVENT] = "INSERT INTO events(at,table_id,call,effect,kind,who,boot,seq) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    /* One row per request, kept in step with every event, one write an event: while
     * open (outcome 'open') it is the request itself (status, now_acked_*,
     * last_alert_at), and always its history. The first ack is kept for the
     * response-time figures even when a request is re-opened and acked again. */
    [ST_CALL] = "INSERT INTO calls(id,table_id,kind,pressed_at,count,repeats,acked_at,acked_by,closed_at,closed_by,"
                "outcome,status,now_acked_by,now_acked_at,last_alert_at,level) "
                "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?8,?7,?13,?14) ON CONFLICT(id) DO UPDATE SET "
                "kind=excluded.kind,count=excluded.count,repeats=excluded.repeats,"
                "acked_at=CASE WHEN calls.acked_at>0 THEN calls.acked_at ELSE excluded.acked_at END,"
                "acked_by=CASE WHEN calls.acked_at>0 THEN calls.acked_by ELSE excluded.acked_by END,"
                "closed_at=excluded.closed_at,closed_by=excluded.closed_by,outcome=excluded.outcome,"
                "status=excluded.status,now_acked_by=excluded.now_acked_by,now_acked_at=excluded.now_acked_at,"
                "last_alert_at=excluded.last_alert_at,level=excluded.level",
    [ST_DROP_TABLE] = "DELETE FROM tables WHERE id=?1",
};

struct cb_store {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    bool in_txn;
    /* WAL checkpoints (copying the log into the database, with an fsync) run on a
     * thread of their own with its own connection: done by the hub's commit they
     * would stall a guest's call for milliseconds now and then. */
    pthread_t checkpointer;
    bool checkpointer_running;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /* held through a checkpoint: SQLite answers a second one at the same time with
     * SQLITE_BUSY at once, without waiting */
    pthread_mutex_t checkpointing;
    bool wanted; /* a commit left a long log: checkpoint now */
    bool stopping;
    char *path;
};

/* Is the database's directory on a read-only file system? (SQLite reports only that
 * it could not open a file, with the errno of its last attempt.) */
static bool read_only_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return access(dir, W_OK) != 0 && errno == EROFS;
}

/* Does this failure pass by itself -- a full, read-only or failing disk, which space,
 * a remount or a replaced card ends -- rather than need a person (another site's file,
 * a newer schema, a path that names nothing)? */
static bool disk_trouble(sqlite3 *db, const char *path)
{
    if (!db)
        return false;
    switch (sqlite3_errcode(db)) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
        return true;
    case SQLITE_CANTOPEN: {
        int e = sqlite3_system_errno(db);
        return e == EROFS || e == ENOSPC || e == EDQUOT || e == EIO || read_only_dir(path);
    }
    default:
        return false;
    }
}

static int db_fail(cb_store *s, const char *what, char *err, size_t cap)
{
    snprintf(err, cap, "database: %s: %s", what, sqlite3_errmsg(s->db));
    return -1;
}

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tables(id TEXT PRIMARY KEY, status INT, kind INT, call INT, count INT, repeats INT,"
    " pressed_at INT, acked_by TEXT, acked_at INT, updated_at INT, last_alert_at INT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS devices(id TEXT PRIMARY KEY, boot INT, max_seq INT, window INT, last_seen INT,"
    " boot_at INT DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS calls(id INTEGER PRIMARY KEY, table_id TEXT, kind INT, pressed_at INT, count INT,"
    " repeats INT, acked_at INT, acked_by TEXT, closed_at INT, closed_by TEXT, outcome TEXT, status INT DEFAULT 0,"
    " now_acked_by TEXT DEFAULT '', now_acked_at INT DEFAULT 0, last_alert_at INT DEFAULT 0, level INT DEFAULT 0);"
    /* no index on the open requests: cb_store_load_tables says why */
    "CREATE INDEX IF NOT EXISTS calls_pressed_at ON calls(pressed_at);"
    /* per-table statistics: without it, one stats request scans all history per table */
    "CREATE INDEX IF NOT EXISTS calls_table_pressed_at ON calls(table_id, pressed_at);"
    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, at INT, table_id TEXT, call INT, effect TEXT,"
    " kind INT, who TEXT, boot INT, seq INT);";

/* Schema 1 kept one call per table in `tables`: each open one's calls row learns its
 * live status, current ack and escalation clock from there, and devices learn
 * boot_at (unknown: 0). One transaction: all or nothing. */
static int migrate_v1(cb_store *s, char *err, size_t cap)
{
    static const char sql[] =
        "BEGIN IMMEDIATE;"
        "ALTER TABLE calls ADD COLUMN status INT DEFAULT 0;"
        "ALTER TABLE calls ADD COLUMN now_acked_by TEXT DEFAULT '';"
        "ALTER TABLE calls ADD COLUMN now_acked_at INT DEFAULT 0;"
        "ALTER TABLE calls ADD COLUMN last_alert_at INT DEFAULT 0;"
        "UPDATE calls SET (status, now_acked_by, now_acked_at, last_alert_at) = (SELECT t.status, t.acked_by,"
        " t.acked_at, t.last_alert_at FROM tables t WHERE t.call = calls.id AND t.status > 0)"
        " WHERE outcome = 'open' AND id IN (SELECT call FROM tables WHERE status > 0);"
        "ALTER TABLE devices ADD COLUMN boot_at INT DEFAULT 0;"
        "COMMIT;";
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, cap, "database: migrating schema 1 to %d: %s", SCHEMA_VERSION, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Schema 2 kept no escalation level: a restarted hub rebuilt it from the repeats, so
 * a request that rang the floor from the start (its section had nobody signed in)
 * fell back to its section. Its rows get level 0 (section); the hub raises each to
 * what its repeats reach, as before, and from then on the level is stored. */
static int migrate_v2(cb_store *s, char *err, size_t cap)
{
    /* a migration that stopped before the schema number was written left the column */
    sqlite3_stmt *probe = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT level FROM calls LIMIT 0", -1, &probe, NULL) == SQLITE_OK) {
        sqlite3_finalize(probe);
        return 0;
    }
    char *msg = NULL;
    if (sqlite3_exec(s->db, "ALTER TABLE calls ADD COLUMN level INT DEFAULT 0", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, cap, "database: migrating schema 2 to %d: %s", SCHEMA_VERSION, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int check_meta(cb_store *s, const char *site, char *err, size_t cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM meta", -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, "reading meta", err, cap);
    char found_site[64] = "";
    int version = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        if (k && v && strcmp(k, "site") == 0)
            snprintf(found_site, sizeof found_site, "%s", v);
        if (k && v && strcmp(k, "schema") == 0)
            version = atoi(v);
    }
    sqlite3_finalize(q);
    if (found_site[0] && strcmp(found_site, site) != 0) {
        snprintf(err, cap, "this database belongs to site '%s', not '%s' (use --db for another file)", found_site,
                 site);
        return -1;
    }
    if (version > SCHEMA_VERSION) {
        snprintf(err, cap, "database schema %d is newer than this callbell understands (%d)", version, SCHEMA_VERSION);
        return -1;
    }
    if (version == 1 && migrate_v1(s, err, cap) != 0)
        return -1;
    if ((version == 1 || version == 2) && migrate_v2(s, err, cap) != 0)
        return -1;
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES('site','%s'),('schema','%d')", site,
             SCHEMA_VERSION); /* site is [a-z0-9_-]: validated by the caller */
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, "writing meta", err, cap);
    return 0;
}

/* A connection that has never read has not yet found the WAL (SQLite opens its view of
 * the log on the first read), and a checkpoint on it returns SQLITE_OK having copied
 * nothing: the log then grew without end. One read opens the log for good. */
static int open_checkpoint_connection(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        goto err;
    sqlite3_busy_timeout(db, 1000);
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
        goto err;
    *out = db;
    return 0;
err:
    sqlite3_close(db);
    return -1;
}

/* One pass. PASSIVE never blocks the hub's writes and copies what it can; the hub's
 * next commit then starts the log again from its beginning (and cuts the file back to
 * journal_size_limit). */
static void checkpoint_once(sqlite3 *db)
{
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static void *checkpoint_loop(void *arg)
{
    cb_store *s = arg;
    sqlite3 *db = NULL;
    if (open_checkpoint_connection(s->path, &db) != 0)
        return NULL;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (!s->wanted)
            pthread_cond_timedwait(&s->wake, &s->lock, &until);
        if (s->stopping)
            break;
        s->wanted = false;
        pthread_mutex_unlock(&s->lock);
        pthread_mutex_lock(&s->checkpointing);
        checkpoint_once(db);
        pthread_mutex_unlock(&s->checkpointing);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    sqlite3_close(db);
    return NULL;
}

/* Called by SQLite after each of the hub's commits, on the hub's connection, with the
 * frames now in the log. Past CHECKPOINT_WAKE_FRAMES the thread checkpoints at once.
 * Under a stream without a pause the log never starts again by itself (the hub always
 * has frames a pass did not see): past CHECKPOINT_RESTART_FRAMES the hub restarts it
 * here, copying the few frames the thread left -- a stall of a commit now and then in a
 * flood, never at a restaurant's pace. It waits for the thread's pass to end, and up
 * to RESTART_WAIT_MS for readers: not waiting, it met the thread's pass nearly every
 * time in a flood and the log grew to 32 MB in test_wal_bounded. */
static int after_commit(void *arg, sqlite3 *db, const char *name, int log_frames)
{
    (void)name;
    cb_store *s = arg;
    if (log_frames >= CHECKPOINT_RESTART_FRAMES) {
        pthread_mutex_lock(&s->checkpointing);
        sqlite3_busy_timeout(db, RESTART_WAIT_MS);
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
        pthread_mutex_unlock(&s->checkpointing);
    } else if (log_frames >= CHECKPOINT_WAKE_FRAMES) {
        pthread_mutex_lock(&s->lock);
        s->wanted = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
    }
    return SQLITE_OK;
}

static void start_checkpointer(cb_store *s, const char *path)
{
    s->path = strdup(path);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->checkpointing, NULL);
    pthread_cond_init(&s->wake, NULL);
    char limit[64];
    snprintf(limit, sizeof limit, "PRAGMA journal_size_limit=%d", WAL_SIZE_LIMIT_BYTES);
    sqlite3_exec(s->db, limit, NULL, NULL, NULL);
    if (s->path && sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL) == SQLITE_OK &&
        pthread_create(&s->checkpointer, NULL, checkpoint_loop, s) == 0) {
        s->checkpointer_running = true;
        sqlite3_wal_hook(s->db, after_commit, s); /* replaces the autocheckpoint hook */
    } else
        sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint=1000", NULL, NULL, NULL); /* checkpoint inline then */
}

static void stop_checkpointer(cb_store *s)
{
    if (s->checkpointer_running) {
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->checkpointer, NULL);
        s->checkpointer_running = false;
        sqlite3_wal_hook(s->db, NULL, NULL);
        /* leave a small WAL behind: the next start and `sqlite3` readers are quicker */
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    }
    if (s->path) {
        pthread_mutex_destroy(&s->lock);
        pthread_mutex_destroy(&s->checkpointing);
        pthread_cond_destroy(&s->wake);
    }
    free(s->path);
    s->path = NULL;
}

cb_store *cb_store_open(const char *path, const char *site, cb_store_sync sync, bool *disk, char *err, size_t err_cap)
{
    *disk = false;
    cb_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, err_cap, "cannot open database %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto err;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* WAL: readers (callbell stats on the same file) never block the hub. FULL syncs the
     * WAL at every commit (survives power loss); NORMAL survives a crashed or killed hub.
     * A 1 MiB page cache, not SQLite's 2 MiB: an event writes the tails of two tables,
     * and the rest comes from the OS's file cache at a system call a page; the second
     * MiB was 10 bytes of every table's share at 100,000 tables. */
    char pragmas[200];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-1024;",
             sync == CB_SYNC_FULL ? "FULL" : "NORMAL");
    char *msg = NULL;
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, err_cap, "cannot use database %s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        goto err;
    }
    if (check_meta(s, site, err, err_cap) != 0)
        goto err;
    start_checkpointer(s, path);
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
            db_fail(s, "preparing statements", err, err_cap);
            goto err;
        }
    }
    return s;
err:
    *disk = disk_trouble(s->db, path);
    cb_store_close(s);
    return NULL;
}

int cb_store_check_writable(cb_store *s, char *err, size_t err_cap)
{
    /* 64 KB written and dropped in one transaction: a commit of a burst's size fits */
    static const char sql[] = "BEGIN IMMEDIATE;"
                              "INSERT OR REPLACE INTO meta VALUES('write_check', zeroblob(65536));"
                              "DELETE FROM meta WHERE key='write_check';"
                              "COMMIT;";
    cb_store_rollback(s);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    db_fail(s, "writing", err, err_cap);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

void cb_store_close(cb_store *s)
{
    if (!s)
        return;
    cb_store_rollback(s); /* callers commit what they mean to keep */
    stop_checkpointer(s);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

static int run(cb_store *s, int which, const char *what, char *err, size_t cap)
{
    sqlite3_stmt *q = s->st[which];
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE)
        return db_fail(s, what, err, cap);
    return 0;
}

int cb_store_begin(cb_store *s, char *err, size_t err_cap)
{
    if (s->in_txn)
        return 0;
    if (run(s, ST_BEGIN, "begin", err, err_cap) != 0)
        return -1;
    s->in_txn = true;
    return 0;
}

int cb_store_commit(cb_store *s, char *err, size_t err_cap)
{
    if (!s->in_txn)
        return 0;
    s->in_txn = false;
    return run(s, ST_COMMIT, "commit", err, err_cap);
}

void cb_store_rollback(cb_store *s)
{
    if (!s->in_txn)
        return;
    s->in_txn = false;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void text_or_empty(sqlite3_stmt *q, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* The open request in row q (columns of `open_sql` after table_id) into *t, unless it
 * is not one we could have written (then skipped rather than trusted). */
static void add_request(sqlite3_stmt *q, cb_table *t)
{
    int kind = sqlite3_column_int(q, 1), status = sqlite3_column_int(q, 3);
    if (t->state.n_requests == CB_REQUEST_MAX || kind < 0 || kind >= CB_KIND_CANCEL ||
        (status != CB_CALLING && status != CB_ACKNOWLEDGED) || cb_table_request(t, (cb_kind)kind) != NULL)
        return;
    cb_request *r = &t->state.requests[t->state.n_requests++];
    memset(r, 0, sizeof *r);
    r->kind = (cb_kind)kind;
    r->call = (uint64_t)sqlite3_column_int64(q, 2);
    r->status = (cb_table_status)status;
    r->count = (uint32_t)sqlite3_column_int64(q, 4);
    r->repeats = (uint32_t)sqlite3_column_int64(q, 5);
    r->pressed_at = (uint64_t)sqlite3_column_int64(q, 6);
    text_or_empty(q, 7, r->acked_by, sizeof r->acked_by);
    r->acked_at = (uint64_t)sqlite3_column_int64(q, 8);
    r->last_alert_at = (uint64_t)sqlite3_column_int64(q, 9);
    int level = sqlite3_column_int(q, 10);
    r->level = level > CB_LEVEL_SECTION && level <= CB_LEVEL_MANAGER ? (cb_level)level : CB_LEVEL_SECTION;
}

/* Tables and their open requests in one pass each: both ordered by table id, merged
 * like sorted lists. No index on the open requests: it would cost every event a
 * write (a quarter of a press's cost), while this costs one scan of the history at
 * start-up. */
int cb_store_load_tables(cb_store *s, void (*fn)(void *ctx, const cb_table *t), void *ctx, char *err, size_t err_cap)
{
    static const char tables_sql[] = "SELECT id,updated_at FROM tables ORDER BY id";
    static const char open_sql[] = "SELECT table_id,kind,id,status,count,repeats,pressed_at,now_acked_by,"
                                   "now_acked_at,last_alert_at,level FROM calls WHERE outcome='open' "
                                   "ORDER BY table_id, pressed_at, id";
    sqlite3_stmt *q = NULL, *o = NULL;
    if (sqlite3_prepare_v2(s->db, tables_sql, -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, open_sql, -1, &o, NULL) != SQLITE_OK)
        goto err;
    int rc, orc = sqlite3_step(o);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cb_table t;
        memset(&t, 0, sizeof t);
        text_or_empty(q, 0, t.state.table, sizeof t.state.table);
        t.state.updated_at = (uint64_t)sqlite3_column_int64(q, 1);
        /* requests of tables that sort before this one have no table row: skipped */
        int cmp = -1;
        while (orc == SQLITE_ROW && (cmp = strcmp((const char *)sqlite3_column_text(o, 0), t.state.table)) <= 0) {
            if (cmp == 0)
                add_request(o, &t);
            orc = sqlite3_step(o);
        }
        if (orc != SQLITE_ROW && orc != SQLITE_DONE)
            goto err;
        if (cb_id_check(t.state.table) != CB_OK || cb_state_status(&t.state, &t.state.status) != CB_OK)
            continue; /* a row we did not write: skip rather than trust */
        fn(ctx, &t);
    }
    if (rc != SQLITE_DONE)
        goto err;
    sqlite3_finalize(q);
    sqlite3_finalize(o);
    return 0;
err:
    db_fail(s, "loading tables", err, err_cap);
    sqlite3_finalize(q);
    sqlite3_finalize(o);
    return -1;
}

int cb_store_load_devices(cb_store *s, void (*fn)(void *ctx, const cb_hub_device *d), void *ctx, char *err,
                          size_t err_cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT id,boot,max_seq,window,last_seen,boot_at FROM devices", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(s, "loading devices", err, err_cap);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cb_hub_device d;
        memset(&d, 0, sizeof d);
        text_or_empty(q, 0, d.id, sizeof d.id);
        d.dedup.boot = (uint32_t)sqlite3_column_int64(q, 1);
        d.dedup.max_seq = (uint32_t)sqlite3_column_int64(q, 2);
        d.dedup.window = (uint64_t)sqlite3_column_int64(q, 3);
        d.last_seen = (uint64_t)sqlite3_column_int64(q, 4);
        d.boot_at = (uint64_t)sqlite3_column_int64(q, 5);
        if (cb_id_check(d.id) == CB_OK)
            fn(ctx, &d);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(s, "loading devices", err, err_cap);
}

int cb_store_max_call_id(cb_store *s, uint64_t *out, char *err, size_t err_cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(id),0) FROM calls", -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, "reading call ids", err, err_cap);
    int rc = sqlite3_step(q);
    *out = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : db_fail(s, "reading call ids", err, err_cap);
}

int cb_store_put_table(cb_store *s, const cb_table *t, char *err, size_t err_cap)
{
    sqlite3_stmt *q = s->st[ST_PUT_TABLE];
    sqlite3_bind_text(q, 1, t->state.table, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, (int)t->state.status);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)t->state.updated_at);
    return run(s, ST_PUT_TABLE, "saving table", err, err_cap);
}

int cb_store_drop_table(cb_store *s, const char *table, char *err, size_t err_cap)
{
    sqlite3_bind_text(s->st[ST_DROP_TABLE], 1, table, -1, SQLITE_STATIC);
    return run(s, ST_DROP_TABLE, "dropping table", err, err_cap);
}

int cb_store_put_device(cb_store *s, const cb_hub_device *d, char *err, size_t err_cap)
{
    sqlite3_stmt *q = s->st[ST_PUT_DEVICE];
    sqlite3_bind_text(q, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, d->dedup.boot);
    sqlite3_bind_int64(q, 3, d->dedup.max_seq);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)d->dedup.window);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)d->last_seen);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)d->boot_at);
    return run(s, ST_PUT_DEVICE, "saving device", err, err_cap);
}

int cb_store_forget_device(cb_store *s, const char *device, char *err, size_t err_cap)
{
    sqlite3_bind_text(s->st[ST_FORGET_DEVICE], 1, device, -1, SQLITE_STATIC);
    return run(s, ST_FORGET_DEVICE, "forgetting device", err, err_cap);
}

int cb_store_record(cb_store *s, const char *table, const cb_change *c, const char *who, uint32_t boot, uint32_t seq,
                    uint64_t now, char *err, size_t err_cap)
{
    const char *effect_name = "none";
    cb_effect_name(c->effect, &effect_name);
    bool closing = cb_effect_closes(c->effect); /* the one closing rule: the core's */
    const cb_request *r = &c->request;
    sqlite3_stmt *q = s->st[ST_EVENT];
    sqlite3_bind_int64(q, 1, (sqlite3_int64)now);
    sqlite3_bind_text(q, 2, table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)r->call);
    sqlite3_bind_text(q, 4, effect_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, (int)r->kind);
    sqlite3_bind_text(q, 6, who ? who : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, boot);
    sqlite3_bind_int64(q, 8, seq);
    if (run(s, ST_EVENT, "recording event", err, err_cap) != 0)
        return -1;
    q = s->st[ST_CALL];
    sqlite3_bind_int64(q, 1, (sqlite3_int64)r->call);
    sqlite3_bind_text(q, 2, table, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, (int)r->kind);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)r->pressed_at);
    sqlite3_bind_int64(q, 5, r->count);
    sqlite3_bind_int64(q, 6, r->repeats);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)r->acked_at);
    sqlite3_bind_text(q, 8, r->acked_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 9, closing ? (sqlite3_int64)now : 0);
    sqlite3_bind_text(q, 10, closing ? (who ? who : "") : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, closing ? effect_name : "open", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 12, closing ? 0 : (int)r->status);
    sqlite3_bind_int64(q, 13, (sqlite3_int64)r->last_alert_at);
    sqlite3_bind_int(q, 14, (int)r->level);
    return run(s, ST_CALL, "recording request", err, err_cap);
}

sqlite3 *cb_store_sqlite(cb_store *s)
{
    return s->db;
}

static int collect(cb_store *s, const char *sql, uint64_t since, const char *table, int64_t **out, size_t *n, char *err,
                   size_t err_cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, "reading calls", err, err_cap);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)since);
    if (table)
        sqlite3_bind_text(q, 2, table, -1, SQLITE_STATIC);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *p = realloc(*out, cap * sizeof **out);
            if (!p) {
                sqlite3_finalize(q);
                snprintf(err, err_cap, "out of memory");
                return -1;
            }
            *out = p;
        }
        int64_t v = sqlite3_column_int64(q, 0);
        (*out)[(*n)++] = v < 0 ? 0 : v; /* a press dated after its ack (age_ms skew) counts as 0 */
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(s, "reading calls", err, err_cap);
}

/* Runs `sql` (sorted durations in ms) and summarises them into *out. */
static int durations(cb_store *s, const char *sql, uint64_t since, const char *table, cb_duration_stats *out, char *err,
                     size_t err_cap)
{
    int64_t *v;
    size_t n;
    memset(out, 0, sizeof *out);
    if (collect(s, sql, since, table, &v, &n, err, err_cap) != 0)
        return -1;
    cb_duration_summarise(v, n, out);
    free(v);
    return 0;
}

int cb_store_response_stats(cb_store *s, uint64_t since, const char *table, cb_response_stats *out, char *err,
                            size_t err_cap)
{
    memset(out, 0, sizeof *out);
    char sql[256];
    const char *where = table ? "pressed_at >= ?1 AND table_id = ?2" : "pressed_at >= ?1";
    int64_t *v;
    size_t n;

    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM calls WHERE %s", where);
    if (collect(s, sql, since, table, &v, &n, err, err_cap) != 0)
        return -1;
    out->calls = n ? (uint64_t)v[0] : 0;
    free(v);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM calls WHERE %s AND outcome = 'cancelled'", where);
    if (collect(s, sql, since, table, &v, &n, err, err_cap) != 0)
        return -1;
    out->cancelled = n ? (uint64_t)v[0] : 0;
    free(v);

    snprintf(sql, sizeof sql, "SELECT acked_at - pressed_at FROM calls WHERE %s AND acked_at > 0 ORDER BY 1", where);
    if (durations(s, sql, since, table, &out->ack, err, err_cap) != 0)
        return -1;
    snprintf(sql, sizeof sql, "SELECT closed_at - pressed_at FROM calls WHERE %s AND outcome = 'done' ORDER BY 1",
             where);
    return durations(s, sql, since, table, &out->done, err, err_cap);
}

int cb_store_tables_with_calls(cb_store *s, uint64_t since, void (*fn)(void *ctx, const char *table), void *ctx,
                               char *err, size_t err_cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT table_id FROM calls WHERE pressed_at >= ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(s, "reading calls", err, err_cap);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)since);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (t)
            fn(ctx, (const char *)t);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_fail(s, "reading calls", err, err_cap);
}
