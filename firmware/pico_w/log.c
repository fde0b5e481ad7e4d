/* log.c - see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "pico/time.h"

void log_printf(const char *fmt, ...)
{
    uint32_t ms = to_ms_since_boot(get_absolute_time());
    printf("[%6lu.%03lu] ", (unsigned long)(ms / 1000), (unsigned long)(ms % 1000));
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}
