/* sent_file.h - what the notify bridge delivered, kept across its restarts: one line
 * "<ntfy|webhook> <table> <call> <level>" per delivery, appended and flushed once
 * delivered. Loaded at start into the rule's memories (one per destination kind) and
 * rewritten from them, so the file holds at most the open requests' lines plus
 * what was delivered since the start. No URL: with several destinations of a kind
 * ([notify] routes) a (call, level) still goes to exactly one of them
 * (cb_notify_route_for), so it names the delivery. */
#ifndef CALLBELL_NOTIFY_SENT_FILE_H
#define CALLBELL_NOTIFY_SENT_FILE_H

#include "callbell/notify.h"
#include "delivery.h"

#include <stddef.h>

typedef struct cb_sent_file cb_sent_file;

/* Loads `path` (a missing file is empty; a malformed line is skipped with a log line)
 * into mem[CB_SINK_NTFY] and mem[CB_SINK_WEBHOOK], rewrites it compacted (temporary
 * file, rename) and opens it for appending. NULL with err on failure. */
cb_sent_file *cb_sent_open(const char *path, cb_notify_memory mem[2], char *err, size_t err_cap);
/* Appends and flushes one delivery; thread-safe. 0 or -1 (logged). */
int cb_sent_append(cb_sent_file *f, cb_sink_kind kind, const cb_notification *n);
void cb_sent_close(cb_sent_file *f);

#endif
