/* led.c - see led.h. */
#include "led.h"

#include <string.h>

#include "hardware/gpio.h"
#include "log.h"
#include "pico/cyw43_arch.h"

static const cb_settings *settings;               /* kept by main for the device's life */
static uint8_t table_index[CB_SETTINGS_MAX_LEDS]; /* into dev->tables; CB_ALL_TABLES = none */
static int board_led = -1;                        /* last value written; -1 = never */

void led_init(const cb_device *dev, const cb_settings *s)
{
    settings = s;
    for (uint8_t i = 0; i < s->led_count; i++) {
        table_index[i] = CB_ALL_TABLES;
        for (uint8_t t = 0; t < dev->table_count; t++) {
            if (strcmp(dev->tables[t].id, s->leds[i].table) == 0) {
                table_index[i] = t;
            }
        }
        gpio_init(s->leds[i].gpio);
        gpio_set_dir(s->leds[i].gpio, GPIO_OUT);
        gpio_put(s->leds[i].gpio, 0);
        log_printf("led: table %s on GP%u", s->leds[i].table, s->leds[i].gpio);
    }
}

static bool lit(const cb_device *dev, uint8_t table, uint32_t now_ms)
{
    cb_led_mode mode = CB_LED_FAST;
    bool on = false;
    if (cb_device_led_mode(dev, table, now_ms, &mode) != CB_OK || cb_led_lit(mode, now_ms, &on) != CB_OK) {
        return false;
    }
    return on;
}

void led_update(const cb_device *dev, uint32_t now_ms)
{
    bool on = lit(dev, CB_ALL_TABLES, now_ms);
    if ((int)on != board_led) {
        cyw43_arch_gpio_put(CYW43_WL_GPIO_LED_PIN, on);
        board_led = on;
    }
    for (uint8_t i = 0; i < settings->led_count; i++) {
        if (table_index[i] != CB_ALL_TABLES) {
            gpio_put(settings->leds[i].gpio, lit(dev, table_index[i], now_ms));
        }
    }
}
