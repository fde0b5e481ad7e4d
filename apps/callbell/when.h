/* when.h - the moments a user types for --since / --until (stats, report). */
#ifndef CALLBELL_APP_WHEN_H
#define CALLBELL_APP_WHEN_H

#include <stdint.h>

/* "all" (0), "now", "today" (local midnight), a local date "2026-11-20" (its
 * midnight), or a span back from now: 30m, 12h, 7d. *out in ms since the epoch.
 * 0, or -1 if `s` is none of these. */
int cb_parse_when(const char *s, uint64_t *out);

#endif
