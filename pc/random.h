/* random.h - unpredictable numbers for the PC side: device boot values and client
 * ids, which must differ between runs and between processes started together. */
#ifndef CALLBELL_PC_RANDOM_H
#define CALLBELL_PC_RANDOM_H
#include <stdint.h>
/* From the kernel's generator; if that fails, a mix of clocks and the pid. */
uint32_t cb_random_u32(void);
#endif
