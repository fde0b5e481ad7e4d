/* ini_text.h - a file already read into memory, fed to libinih a line at a time.
 *
 * inih calls a handler per "key = value" but does not tell it the line. Feeding it
 * through our own reader (ini_parse_stream) lets the reader count lines, so a handler
 * can name the line it refuses, and catch what inih would silently mangle: a line
 * longer than its buffer (split in two) and a NUL byte (the rest of the line lost).
 * Used by the site file (site_config.c) and the registry (registry.c). */
#ifndef CALLBELL_PC_INI_TEXT_H
#define CALLBELL_PC_INI_TEXT_H

#include <stddef.h>

typedef struct cb_ini_text {
    const char *text;
    size_t len, pos;
    int line;        /* the line inih is working on (a handler may point it elsewhere) */
    int error_line;  /* the line of the first error found (0 = none yet) */
    char error[512]; /* what is wrong there: "[section] key: what" */
} cb_ini_text;

/* Ready to feed text[0..len) from its first line. */
void cb_ini_text_init(cb_ini_text *in, const char *text, size_t len);
/* ini_parse_stream's reader: `stream` is a cb_ini_text. One line a call (its '\n'
 * kept), NULL at the end; a NUL byte or a line over cap - 3 characters is an error. */
char *cb_ini_text_read_line(char *buf, int cap, void *stream);
/* Records an error at the current line, unless one is recorded already: the first
 * error is the one to fix first. */
void cb_ini_text_fail(cb_ini_text *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
