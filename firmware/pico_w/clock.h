/* clock.h - the firmware's one millisecond clock. It wraps after 49.7 days, so
 * deadlines are compared by difference, never by value. */
#ifndef CALLBELL_FW_CLOCK_H
#define CALLBELL_FW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "pico/time.h"

static inline uint32_t now_ms(void)
{
    return to_ms_since_boot(get_absolute_time());
}

/* Has the wrapping time `t` been reached at `now`? */
static inline bool reached(uint32_t now, uint32_t t)
{
    return (int32_t)(now - t) >= 0;
}

#endif
