/* log.h - the USB serial log: one readable line per event, stamped with the time
 * since boot ("[   12.345] mqtt: connected to 192.168.1.10:1883").
 *
 * Callers hold the cyw43 lock (main loop) or run inside lwIP's callbacks, which hold
 * it too, so two log lines never interleave. */
#ifndef CALLBELL_PICO_LOG_H
#define CALLBELL_PICO_LOG_H

void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
