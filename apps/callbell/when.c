/* when.c - see when.h. Local time is this machine's, as for the hub's "today". */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "when.h"

#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t midnight_ms(struct tm *tm)
{
    tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
    tm->tm_isdst = -1;
    return (uint64_t)mktime(tm) * 1000u;
}

static int parse_span(const char *s, uint64_t *out)
{
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (end == s || s[0] == '-' || s[0] == '+' || !end[0] || end[1] || !strchr("mhd", end[0]))
        return -1;
    uint64_t unit = end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;
    uint64_t back = (uint64_t)n * unit * 1000u, now = cb_wall_ms();
    *out = back < now ? now - back : 0;
    return 0;
}

int cb_parse_when(const char *s, uint64_t *out)
{
    time_t now = time(NULL);
    struct tm tm;
    if (strcmp(s, "all") == 0) {
        *out = 0;
        return 0;
    }
    if (strcmp(s, "now") == 0) {
        *out = cb_wall_ms();
        return 0;
    }
    if (strcmp(s, "today") == 0) {
        localtime_r(&now, &tm);
        *out = midnight_ms(&tm);
        return 0;
    }
    if (parse_span(s, out) == 0)
        return 0;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%d", &tm);
    if (end && !*end) {
        *out = midnight_ms(&tm);
        return 0;
    }
    return -1;
}
