/* db_lock.h - one hub per database file: an exclusive flock(2) on "<db>.lock" beside
 * it, held for the life of the process (the kernel drops it when the process dies,
 * kill -9 included, so a crashed hub never leaves a stale lock).
 *
 * A separate file, not the database: SQLite's own POSIX locks on the database are
 * released by closing *any* descriptor of it in the process, so the hub never opens
 * the database file itself. The file holds the holder's pid, for the refusal. */
#ifndef CALLBELL_HUB_DB_LOCK_H
#define CALLBELL_HUB_DB_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Takes the lock of `db_path`. Returns the lock's descriptor (keep it open), or -1
 * with err filled: "database X is in use by another hub (pid N) ..." (then *busy,
 * optional, is true) or why the lock file could not be opened. */
int cb_db_lock(const char *db_path, bool *busy, char *err, size_t err_cap);
/* Releases the lock (closes the descriptor; the file stays). -1 is ignored. */
void cb_db_unlock(int fd);

#endif
