/* vsys.c - see vsys.h. Follows pico-examples adc/read_vsys/power_status.c. */
#include "vsys.h"

#include "hardware/adc.h"
#include "pico/cyw43_arch.h"

#define ADC_FIRST_GPIO 26
#define SAMPLES 3

void vsys_init(void)
{
    adc_init();
}

uint16_t vsys_read_mv(void)
{
#if CYW43_USES_VSYS_PIN
    cyw43_thread_enter();
    cyw43_arch_gpio_get(CYW43_WL_GPIO_VBUS_PIN); /* make sure the chip is awake */
#endif
    adc_gpio_init(PICO_VSYS_PIN);
    adc_select_input(PICO_VSYS_PIN - ADC_FIRST_GPIO);
    adc_fifo_setup(true, false, 0, false, false);
    adc_run(true);

    /* The first conversions after switching the pin read low: drop them. */
    int ignore = SAMPLES;
    while (!adc_fifo_is_empty() || ignore-- > 0) {
        (void)adc_fifo_get_blocking();
    }
    uint32_t sum = 0;
    for (int i = 0; i < SAMPLES; i++) {
        sum += adc_fifo_get_blocking();
    }
    adc_run(false);
    adc_fifo_drain();
#if CYW43_USES_VSYS_PIN
    cyw43_thread_exit();
#endif
    /* VSYS is divided by 3 before the ADC; 12 bits over 3.3 V. */
    return (uint16_t)((sum / SAMPLES) * 3u * 3300u / 4096u);
}

bool vsys_on_usb(void)
{
#if defined(CYW43_WL_GPIO_VBUS_PIN)
    return cyw43_arch_gpio_get(CYW43_WL_GPIO_VBUS_PIN);
#else
    return false;
#endif
}
