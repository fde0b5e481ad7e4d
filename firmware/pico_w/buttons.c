/* buttons.c - see buttons.h.
 *
 * Both edges are recorded, although only one of them is a press: the debouncer
 * needs the release and its bounces too, or a bounce on release would look like a
 * new press after a quiet contact. */
#include "buttons.h"

#include "hardware/gpio.h"
#include "hardware/sync.h"
#include "pico/time.h"

#define RING_SIZE 64 /* power of two */

static uint8_t button_gpio[BUTTONS_MAX];
static uint8_t button_count;

/* Single producer (the GPIO interrupt) and single consumer (the main loop), both on
 * core 0: the interrupt only writes `head`, the main loop only writes `tail`. */
static button_edge ring[RING_SIZE];
static volatile uint32_t head;
static volatile uint32_t tail;
static volatile uint32_t dropped;

static void gpio_edge_irq(uint gpio, uint32_t events)
{
    for (uint8_t i = 0; i < button_count; i++) {
        if (button_gpio[i] != gpio) {
            continue;
        }
        bool level_high;
        if ((events & GPIO_IRQ_EDGE_RISE) && !(events & GPIO_IRQ_EDGE_FALL)) {
            level_high = true;
        } else if ((events & GPIO_IRQ_EDGE_FALL) && !(events & GPIO_IRQ_EDGE_RISE)) {
            level_high = false;
        } else {
            level_high = gpio_get(gpio); /* both latched: the pin says where it settled */
        }
        uint32_t h = head;
        if (h - tail == RING_SIZE) {
            dropped++;
            return;
        }
        ring[h % RING_SIZE] =
            (button_edge){.button = i, .level_high = level_high, .t_ms = to_ms_since_boot(get_absolute_time())};
        __dmb(); /* the entry is written before the main loop can see the new head */
        head = h + 1;
        return;
    }
}

void buttons_init(const uint8_t *gpios, uint8_t count, bool pull_up)
{
    button_count = count > BUTTONS_MAX ? BUTTONS_MAX : count;
    for (uint8_t i = 0; i < button_count; i++) {
        button_gpio[i] = gpios[i];
        gpio_init(gpios[i]);
        gpio_set_dir(gpios[i], GPIO_IN);
        if (pull_up) {
            gpio_pull_up(gpios[i]);
        } else {
            /* The board has external 10 kOhm pull-downs (the seed). The weak internal
             * one as well keeps an unwired input from floating; not on the RP2350,
             * where erratum E9 can make an input with it stick high. */
#if PICO_RP2040
            gpio_pull_down(gpios[i]);
#else
            gpio_disable_pulls(gpios[i]);
#endif
        }
    }
    /* One shared GPIO callback per core (pico-sdk); enable it for every button pin. */
    for (uint8_t i = 0; i < button_count; i++) {
        gpio_set_irq_enabled_with_callback(gpios[i], GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL, true, gpio_edge_irq);
    }
}

bool buttons_pop(button_edge *out)
{
    uint32_t t = tail;
    if (t == head) {
        return false;
    }
    __dmb(); /* read the entry only after seeing the head that published it */
    *out = ring[t % RING_SIZE];
    __dmb(); /* ...and hand the slot back only after copying it */
    tail = t + 1;
    return true;
}

uint32_t buttons_dropped(void)
{
    return dropped;
}

uint32_t buttons_recorded(void)
{
    return head;
}
