#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static const char *log_prefix = "callbell";

void cb_log_set_prefix(const char *prefix)
{
    log_prefix = prefix;
}

bool cb_log_to_journal(void)
{
    /* systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it gave us; only if
     * stderr is still that stream does the journal stamp our lines. */
    static int cached = -1;
    if (cached < 0) {
        const char *js = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        cached = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
                 (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    }
    return cached;
}

void cb_log(const char *fmt, ...)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one fprintf per line so lines from one process never interleave mid-line */
    if (cb_log_to_journal()) {
        fprintf(stderr, "%s: %s\n", log_prefix, line); /* journald keeps the time */
        return;
    }
    fprintf(stderr, "%s.%03ld %s: %s\n", when, ts.tv_nsec / 1000000L, log_prefix, line);
}
