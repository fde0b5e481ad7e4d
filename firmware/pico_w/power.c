/* power.c - see power.h.
 *
 * Dormant stops every clock (and with them the watchdog's tick and the ms timer),
 * so the device draws about a milliamp until an edge on a button pin restarts the
 * crystal. pico-extras' sleep_goto_dormant_until_pin arms one pin; the other
 * buttons' pins are armed here the same way before it, so any of them wakes it.
 * A wake by timer cannot use dormant on the RP2040 without an external clock for
 * the RTC, so that case is a light sleep: the CPU waits for an interrupt, a second
 * at a time, feeding the watchdog. */
#include "power.h"

#include "buttons.h"
#include "hardware/gpio.h"
#include "hardware/watchdog.h"
#include "log.h"
#include "pico/stdlib.h"
#if CALLBELL_HAVE_SLEEP
#include "pico/sleep.h"
#endif

#define LIGHT_SLEEP_STEP_MS 1000

static uint32_t wake_event(const cb_settings *s)
{
    return s->active_high ? GPIO_IRQ_EDGE_RISE : GPIO_IRQ_EDGE_FALL;
}

#if CALLBELL_HAVE_SLEEP
static void dormant_until_button(const cb_settings *s, uint32_t watchdog_ms)
{
    uint32_t event = wake_event(s);
    for (uint8_t b = 1; b < s->button_count; b++) {
        gpio_set_dormant_irq_enabled(s->buttons[b].gpio, event, true);
    }
    sleep_run_from_xosc();
    /* Dormant stops clk_ref and with it the watchdog's tick, but do not count on it:
     * a watchdog that kept counting would reboot a sleeping table every 8 s. */
    watchdog_disable();
    sleep_goto_dormant_until_pin(s->buttons[0].gpio, true, s->active_high); /* stops here */
    sleep_power_up();
    watchdog_enable(watchdog_ms, true);
    for (uint8_t b = 0; b < s->button_count; b++) {
        gpio_set_dormant_irq_enabled(s->buttons[b].gpio, event, false);
        gpio_acknowledge_irq(s->buttons[b].gpio, event);
        gpio_set_input_enabled(s->buttons[b].gpio, true); /* the wake left pin 0's input off */
    }
    watchdog_update();
}
#endif

/* Waits with the CPU idle until an edge lands in the buttons' ring or the time is up. */
static void light_sleep(uint32_t wake_in_ms)
{
    uint32_t waited = 0;
    uint32_t edges_before = buttons_recorded();
    while ((wake_in_ms == 0 || waited < wake_in_ms) && buttons_recorded() == edges_before) {
        watchdog_update();
        sleep_ms(LIGHT_SLEEP_STEP_MS); /* waits for events (WFE) between timer ticks */
        waited += LIGHT_SLEEP_STEP_MS;
    }
}

void power_sleep(const cb_settings *s, uint32_t wake_in_ms, uint32_t watchdog_ms)
{
    log_printf("power: sleeping, radio off, until %s", wake_in_ms ? "a button or the retry timer" : "a button");
    stdio_flush();
#if CALLBELL_HAVE_SLEEP
    if (wake_in_ms == 0) {
        dormant_until_button(s, watchdog_ms);
        log_printf("power: awake (a button)");
        return;
    }
#else
    (void)s;
    (void)wake_event;
    (void)watchdog_ms;
#endif
    light_sleep(wake_in_ms);
    log_printf("power: awake");
}
