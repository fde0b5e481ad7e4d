/* log.h - one line per event on stderr: "2026-11-26 06:40:01.123 hub: message". */
#ifndef CALLBELL_PC_LOG_H
#define CALLBELL_PC_LOG_H
void cb_log_set_prefix(const char *prefix);
void cb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
