#include "random.h"

#include "clock.h"

#include <sys/random.h>
#include <unistd.h>

uint32_t cb_random_u32(void)
{
    uint32_t r;
    if (getrandom(&r, sizeof r, 0) == (ssize_t)sizeof r)
        return r;
    return (uint32_t)cb_mono_us() ^ ((uint32_t)getpid() << 16) ^ (uint32_t)cb_wall_ms();
}
