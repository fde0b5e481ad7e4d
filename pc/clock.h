/* clock.h - the PC's clocks: wall time for protocol timestamps, monotonic for timers. */
#ifndef CALLBELL_PC_CLOCK_H
#define CALLBELL_PC_CLOCK_H
#include <stdint.h>
uint64_t cb_wall_ms(void); /* ms since the Unix epoch */
uint64_t cb_mono_ms(void); /* ms since an arbitrary start, never goes back */
uint64_t cb_mono_us(void);
void cb_sleep_ms(uint32_t ms);
#endif
