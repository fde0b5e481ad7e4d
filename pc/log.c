#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static const char *log_prefix = "callbell";

void cb_log_set_prefix(const char *prefix)
{
    log_prefix = prefix;
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
    fprintf(stderr, "%s.%03ld %s: %s\n", when, ts.tv_nsec / 1000000L, log_prefix, line);
}
