/* ini_text.c - a file in memory fed to libinih a line at a time (ini_text.h). */
#include "ini_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cb_ini_text_init(cb_ini_text *in, const char *text, size_t len)
{
    memset(in, 0, sizeof *in);
    in->text = text;
    in->len = len;
}

void cb_ini_text_fail(cb_ini_text *in, const char *fmt, ...)
{
    if (in->error_line)
        return;
    in->error_line = in->line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->error, sizeof in->error, fmt, ap);
    va_end(ap);
}

char *cb_ini_text_read_line(char *buf, int cap, void *stream)
{
    cb_ini_text *in = stream;
    if (in->pos >= in->len)
        return NULL;
    in->line++;
    const char *start = in->text + in->pos;
    const char *nl = memchr(start, '\n', in->len - in->pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : in->len - in->pos;
    in->pos += n;
    if (memchr(start, '\0', n))
        cb_ini_text_fail(in, "a NUL byte in the line (not a text file?)");
    if (n > (size_t)cap - 2) { /* inih needs room for '\r' '\n' '\0' */
        cb_ini_text_fail(in, "line longer than %d characters", cap - 3);
        n = (size_t)cap - 2;
    }
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}
