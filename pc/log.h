/* log.h - one line per event on stderr: "2026-11-26 06:40:01.123 hub: message", or
 * "hub: message" when stderr is the systemd journal (which keeps the time). */
#ifndef CALLBELL_PC_LOG_H
#define CALLBELL_PC_LOG_H
#include <stdbool.h>
void cb_log_set_prefix(const char *prefix);
/* Is stderr the journal (JOURNAL_STREAM names it)? */
bool cb_log_to_journal(void);
void cb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
