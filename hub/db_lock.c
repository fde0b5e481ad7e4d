/* db_lock.c - one hub per database file (db_lock.h). */
#define _DEFAULT_SOURCE
#include "db_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The pid the holder wrote, or 0 when unreadable. */
static long holder_pid(int fd)
{
    char text[32];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    return strtol(text, NULL, 10);
}

static int write_pid(int fd)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
        return -1;
    return 0;
}

int cb_db_lock(const char *db_path, bool *busy, char *err, size_t err_cap)
{
    if (busy)
        *busy = false;
    char path[4200];
    if (snprintf(path, sizeof path, "%s.lock", db_path) >= (int)sizeof path) {
        snprintf(err, err_cap, "database path too long: %s", db_path);
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    bool read_only = false;
    if (fd < 0 && (errno == EROFS || errno == EACCES)) {
        /* A disk that takes no writes (the hub waits for it, degraded): lock the
         * database file itself, read-only. No database yet: nobody can have one here
         * either; the directory stands in so the caller holds a descriptor. */
        read_only = true;
        fd = open(db_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            char dir[4200];
            snprintf(dir, sizeof dir, "%s", db_path);
            char *slash = strrchr(dir, '/');
            if (slash)
                *(slash == dir ? slash + 1 : slash) = '\0';
            return open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
    }
    if (fd < 0) {
        snprintf(err, err_cap, "cannot open the database's lock file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            if (busy)
                *busy = true;
            long pid = holder_pid(fd);
            char who[48] = "";
            if (pid > 0)
                snprintf(who, sizeof who, " (pid %ld)", pid);
            snprintf(err, err_cap, "database %s is in use by another hub%s; one database serves one hub (lock file %s)",
                     db_path, who, path);
        } else {
            snprintf(err, err_cap, "cannot lock %s: %s", path, strerror(e));
        }
        close(fd);
        return -1;
    }
    if (!read_only && write_pid(fd) != 0) {
        snprintf(err, err_cap, "cannot write the database's lock file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void cb_db_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
