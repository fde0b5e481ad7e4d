#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <time.h>

static uint64_t read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cb_wall_ms(void)
{
    return read_ns(CLOCK_REALTIME) / 1000000u;
}

uint64_t cb_mono_ms(void)
{
    return read_ns(CLOCK_MONOTONIC) / 1000000u;
}

uint64_t cb_mono_us(void)
{
    return read_ns(CLOCK_MONOTONIC) / 1000u;
}

void cb_sleep_ms(uint32_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}
