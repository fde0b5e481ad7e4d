/* main.c - callbell table device for the Raspberry Pi Pico W.
 *
 * Buttons on GP16..GP19 call the staff: every press becomes a QoS 1 MQTT message
 * (docs/protocol.md) that waits in the core's outbox until the broker's PUBACK,
 * across Wi-Fi and broker outages. The on-board LED shows the answer (the tables'
 * retained state). All the logic is the portable core's device engine
 * (lib/include/callbell/device.h), the same one the PC's simulated table runs;
 * this file and its neighbours are only the pico-sdk shell around it:
 *
 *   buttons.c    GPIO interrupt -> ring of (button, level, time)
 *   wifi.c       join and rejoin (cyw43)
 *   mqtt_lwip.c  the engine's MQTT port over lwIP's MQTT client
 *   vsys.c       battery voltage (ADC3)
 *   led.c        on-board and external LEDs
 *
 * Setup, then the main loop: every 10 ms it takes the cyw43 lock, feeds button
 * edges to the engine, steps Wi-Fi and MQTT, lets the engine send, drives the LEDs,
 * feeds the watchdog. lwIP's callbacks run in between, under the same lock. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buttons.h"
#include "callbell/device.h"
#include "callbell_config.h"
#include "clock.h"
#include "hardware/watchdog.h"
#include "led.h"
#include "log.h"
#include "mqtt_lwip.h"
#include "pico/cyw43_arch.h"
#include "pico/rand.h"
#include "pico/stdlib.h"
#include "pico/unique_id.h"
#include "vsys.h"
#include "wifi.h"

#define LOOP_MS 10
#define WATCHDOG_MS 8000            /* reboots only a main loop that stopped */
#define VITALS_PERIOD_MS 60000      /* battery and RSSI */
#define INFO_PERIOD_MS (10 * 60000) /* retained info message */

typedef struct button_pin {
    uint8_t gpio;
    const char *table;
    cb_kind kind;
} button_pin;

static const button_pin buttons[] = CALLBELL_BUTTONS;
#define BUTTON_COUNT ((uint8_t)(sizeof buttons / sizeof buttons[0]))

static cb_device device;

/* The board's 64-bit unique id (flash chip id) as 16 lowercase hex digits. */
static void read_device_id(char *out, size_t cap)
{
    pico_get_unique_board_id_string(out, cap);
    for (char *p = out; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
}

/* The engine's log hook: what happens to presses, in readable lines. */
static void on_engine_event(void *ctx, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail)
{
    (void)ctx;
    const char *kind_name = "?";
    cb_kind_name(kind, &kind_name);
    switch (ev) {
    case CB_EV_PRESS_QUEUED:
        log_printf("press queued: table %s %s (seq %lu)", table, kind_name, (unsigned long)detail);
        break;
    case CB_EV_PRESS_MERGED:
        log_printf("press merged into waiting seq %lu: table %s %s", (unsigned long)detail, table, kind_name);
        break;
    case CB_EV_PRESS_DROPPED:
        log_printf("press dropped, outbox full: table %s %s", table, kind_name);
        break;
    case CB_EV_PRESS_SENT:
        log_printf("press sent: table %s %s (seq %lu)", table, kind_name, (unsigned long)detail);
        break;
    case CB_EV_PRESS_ACKED:
        log_printf("press acked by the broker: table %s %s (seq %lu)", table, kind_name, (unsigned long)detail);
        break;
    case CB_EV_STATE: {
        const char *status = "?";
        cb_table_status_name((cb_table_status)detail, &status);
        log_printf("state: table %s is %s", table, status);
        break;
    }
    case CB_EV_BAD_MESSAGE:
        log_printf("rejected a message for table %s: %s", table, cb_status_str((cb_status)detail));
        break;
    }
}

/* Battery and signal into the engine (they ride along with presses and info), once
 * the RSSI is known: the first time Wi-Fi is up. The last RSSI is kept while it is
 * down. */
static void read_vitals(uint16_t *battery_mv)
{
    static bool rssi_known;
    static int8_t rssi;
    *battery_mv = vsys_read_mv();
    if (wifi_rssi(&rssi)) {
        rssi_known = true;
    }
    if (rssi_known) {
        cb_device_set_vitals(&device, *battery_mv > 10000 ? 10000 : *battery_mv, rssi);
    }
}

/* The retained info message: firmware, tables, RSSI, battery, uptime. */
static cb_status publish_info(uint16_t battery_mv, bool low_battery)
{
    cb_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.fw, sizeof info.fw, "%s", CALLBELL_FW_VERSION);
    size_t used = 0;
    for (uint8_t t = 0; t < device.table_count; t++) {
        int n = snprintf(info.tables + used, sizeof info.tables - used, "%s%s", t ? "," : "", device.tables[t].id);
        if (n < 0 || (size_t)n >= sizeof info.tables - used) {
            info.tables[0] = '\0'; /* optional field: leave it out rather than cut it */
            break;
        }
        used += (size_t)n;
    }
    info.uptime_s = (uint32_t)(to_us_since_boot(get_absolute_time()) / 1000000u);
    info.has_rssi = device.has_vitals;
    info.rssi = device.rssi;
    info.has_battery = device.has_vitals;
    info.battery_mv = device.battery_mv;
    info.low_battery = low_battery;
    cb_status st = cb_device_publish_info(&device, &info);
    if (st == CB_OK) {
        log_printf("info published: battery %u mV%s, rssi %d dBm, uptime %lu s", battery_mv,
                   low_battery ? " (LOW)" : "", info.rssi, (unsigned long)info.uptime_s);
    }
    return st;
}

int main(void)
{
    stdio_init_all(); /* USB serial; waits up to 2 s for a terminal */
    log_printf("callbell %s on %s, site %s, broker %s:%d%s", CALLBELL_FW_VERSION, PICO_BOARD, CALLBELL_SITE,
               CALLBELL_BROKER_HOST, CALLBELL_BROKER_PORT, CALLBELL_TLS ? " (TLS)" : "");
    /* Not watchdog_caused_reboot(): that is also true after the boot ROM starts a
     * freshly dragged UF2, or after watchdog_reboot() (the console's `reboot`), both
     * through the watchdog. Only a timeout of the watchdog we enabled means the main
     * loop had stopped. */
    if (watchdog_enable_caused_reboot()) {
        log_printf("restarted by the watchdog: the main loop had stopped");
    }

    /* The Wi-Fi chip. Without it there is nothing to do, but there is no reason to
     * give up either: retry (no panic, no reset loop). */
    while (cyw43_arch_init_with_country(CALLBELL_WIFI_COUNTRY) != 0) {
        log_printf("cyw43: init failed, retrying in 5 s");
        sleep_ms(5000);
    }
    vsys_init();

    /* Who we are. The boot value only has to differ from the previous boot's so the
     * hub restarts its duplicate window (docs/protocol.md: counter or random). A
     * random 32-bit value needs no flash writes and, unlike a watchdog scratch
     * counter, survives power cycles without repeating; the chance that two boots of
     * one device collide is 1 in 2^32. */
    cb_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.site, sizeof cfg.site, "%s", CALLBELL_SITE);
    read_device_id(cfg.device, sizeof cfg.device);
    cfg.boot = get_rand_32();
    for (uint8_t b = 0; b < BUTTON_COUNT; b++) {
        snprintf(cfg.buttons[b].table, sizeof cfg.buttons[b].table, "%s", buttons[b].table);
        cfg.buttons[b].kind = buttons[b].kind;
    }
    cfg.button_count = BUTTON_COUNT;
    cfg.active_high = CALLBELL_BUTTONS_ACTIVE_HIGH;
    cfg.log = on_engine_event;

    cyw43_arch_lwip_begin();
    cb_status st = cb_device_init(&device, &cfg, mqtt_lwip_port());
    bool ready = st == CB_OK && mqtt_lwip_init(&device, get_rand_32());
    cyw43_arch_lwip_end();
    if (!ready) {
        /* Only a configuration the configure step should have refused gets here. */
        for (;;) {
            log_printf("configuration error (%s): not starting", cb_status_str(st));
            sleep_ms(5000);
        }
    }
    log_printf("device %s, boot %lu, %u buttons (%s), %u tables", cfg.device, (unsigned long)cfg.boot, BUTTON_COUNT,
               CALLBELL_BUTTONS_ACTIVE_HIGH ? "pull-down, rising edge" : "pull-up, falling edge", device.table_count);
    for (uint8_t b = 0; b < BUTTON_COUNT; b++) {
        const char *kind_name = "?";
        cb_kind_name(buttons[b].kind, &kind_name);
        log_printf("button GP%u: table %s %s", buttons[b].gpio, buttons[b].table, kind_name);
    }

    uint8_t gpios[BUTTON_COUNT];
    for (uint8_t b = 0; b < BUTTON_COUNT; b++) {
        gpios[b] = buttons[b].gpio;
    }
    buttons_init(gpios, BUTTON_COUNT, !CALLBELL_BUTTONS_ACTIVE_HIGH);

    cyw43_arch_lwip_begin();
    wifi_init(get_rand_32(), now_ms());
    led_init(&device);
    uint16_t battery_mv = 0;
    read_vitals(&battery_mv);
    log_printf("power: VSYS %u mV, %s", battery_mv, vsys_on_usb() ? "USB" : "battery");
    cyw43_arch_lwip_end();

    watchdog_enable(WATCHDOG_MS, true);
    uint32_t vitals_due = now_ms() + VITALS_PERIOD_MS;
    uint32_t info_due = now_ms() + INFO_PERIOD_MS;
    bool info_pending = false;
    bool low_battery = battery_mv < CALLBELL_LOW_BATTERY_MV;
    uint32_t dropped_seen = 0;

    for (;;) {
        watchdog_update();

        /* Everything below touches the engine or lwIP: hold the cyw43 lock, so lwIP's
         * callbacks (which also call the engine) wait until we are done. */
        cyw43_arch_lwip_begin();

        button_edge edge;
        while (buttons_pop(&edge)) {
            cb_device_edge(&device, edge.button, edge.level_high, edge.t_ms); /* logs queued/merged/dropped */
        }
        /* Read the clock after taking the edges, so no press is younger than `now`
         * (a press's age_ms is now - its time). */
        uint32_t now = now_ms();
        /* ...and read every pin: a press counts only if the button is still held
         * after the debounce time, so a glitch the interrupt saw is judged by the
         * level, and an edge lost to a full ring is still noticed. */
        for (uint8_t b = 0; b < BUTTON_COUNT; b++) {
            cb_device_sample(&device, b, gpio_get(buttons[b].gpio), now);
        }
        if (buttons_dropped() != dropped_seen) {
            dropped_seen = buttons_dropped();
            log_printf("buttons: %lu edges lost to a full ring", (unsigned long)dropped_seen);
        }

        wifi_poll(now);
        mqtt_lwip_poll(wifi_is_up(), now);
        cb_device_poll(&device, now); /* sends waiting presses, oldest first */

        if (reached(now, vitals_due)) {
            vitals_due = now + VITALS_PERIOD_MS;
            read_vitals(&battery_mv);
            bool low = battery_mv < CALLBELL_LOW_BATTERY_MV;
            if (low != low_battery) {
                low_battery = low;
                log_printf("battery %s: %u mV", low ? "LOW" : "ok again", battery_mv);
                info_pending = true;
            }
        }
        if (mqtt_lwip_take_connected()) {
            read_vitals(&battery_mv); /* fresh RSSI for the info message */
            info_pending = true;
        }
        if (reached(now, info_due)) {
            info_pending = true;
        }
        if (info_pending && device.connected) {
            if (publish_info(battery_mv, low_battery) == CB_OK) {
                info_pending = false;
                info_due = now + INFO_PERIOD_MS;
            }
        }

        led_update(&device, now);
        cyw43_arch_lwip_end();

        sleep_ms(LOOP_MS);
    }
}
