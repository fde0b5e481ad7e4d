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
 *   settings_store.c  the settings in flash (two copies), over the build's defaults
 *   console_usb.c     the setup console on USB serial (get, set, save, reboot, status)
 *   wifi.c       join and rejoin (cyw43)
 *   mqtt_lwip.c  the engine's MQTT port over lwIP's MQTT client
 *   vsys.c       battery voltage (ADC3)
 *   led.c        on-board and external LEDs
 *
 * Setup, then the main loop: every 10 ms it takes the cyw43 lock, feeds button
 * edges and pin levels to the engine, answers the console, steps Wi-Fi and MQTT, lets the engine send, drives the LEDs,
 * feeds the watchdog. lwIP's callbacks run in between, under the same lock. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buttons.h"
#include "callbell/device.h"
#include "callbell_config.h"
#include "clock.h"
#include "console_usb.h"
#include "hardware/gpio.h"
#include "hardware/watchdog.h"
#include "led.h"
#include "log.h"
#include "mqtt_lwip.h"
#include "pico/cyw43_arch.h"
#include "pico/rand.h"
#include "pico/stdlib.h"
#include "pico/unique_id.h"
#include "power.h"
#include "settings_store.h"
#include "vsys.h"
#include "wifi.h"

#define LOOP_MS 10
#define WATCHDOG_MS 8000            /* reboots only a main loop that stopped */
#define VITALS_PERIOD_MS 60000      /* battery and RSSI */
#define INFO_PERIOD_MS (10 * 60000) /* retained info message */

static cb_device device;
static cb_settings settings;         /* in use since boot */
static cb_settings console_settings; /* what the console edits and saves */
static cb_settings_origin settings_origin;

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
    case CB_EV_PRESS_STORED:
        log_printf("press stored by the hub: table %s %s (seq %lu)", table, kind_name, (unsigned long)detail);
        break;
    case CB_EV_PRESS_REFUSED:
        log_printf("press refused by the hub: table %s %s (seq %lu)", table, kind_name, (unsigned long)detail);
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

/* The console's `status`: what the device is doing, `key=value` a line. */
static void print_status(void)
{
    uint32_t queued = 0;
    cb_outbox_count(&device.outbox, &queued);
    printf("device=%s\nfirmware=%s\nsite=%s\nwifi=%s\nmqtt=%s\noutbox=%lu\nbattery_mv=%u\npower=%s\n"
           "uptime_s=%lu\n",
           device.cfg.device, CALLBELL_FW_VERSION, device.cfg.site, wifi_is_up() ? "up" : "down",
           device.connected ? "connected" : "disconnected", (unsigned long)queued, device.battery_mv,
           settings.power == CB_POWER_SLEEPY ? "sleepy" : "connected",
           (unsigned long)(to_us_since_boot(get_absolute_time()) / 1000000u));
}

/* Only the console is served: a device without usable settings waits to be set
 * up instead of stopping (no panic, no reset loop). */
static void serve_console_forever(const char *problem)
{
    uint32_t next_log = 0;
    for (;;) {
        if (reached(now_ms(), next_log)) {
            log_printf("not starting: %s; fix it on this console (help) or with callbell device setup", problem);
            next_log = now_ms() + 10000;
        }
        console_usb_poll(print_status);
        sleep_ms(LOOP_MS);
    }
}

static uint32_t wifi_country(const cb_settings *s)
{
    return s->wifi_country[0] ? CYW43_COUNTRY(s->wifi_country[0], s->wifi_country[1], 0) : CYW43_COUNTRY_WORLDWIDE;
}

int main(void)
{
    stdio_init_all(); /* USB serial; waits up to 2 s for a terminal */
    log_printf("callbell %s on %s%s", CALLBELL_FW_VERSION, PICO_BOARD, CALLBELL_TLS ? " (TLS)" : "");
    /* Not watchdog_caused_reboot(): that is also true after the boot ROM starts a
     * freshly dragged UF2, or after watchdog_reboot() (the console's `reboot`), both
     * through the watchdog. Only a timeout of the watchdog we enabled means the main
     * loop had stopped. */
    if (watchdog_enable_caused_reboot()) {
        log_printf("restarted by the watchdog: the main loop had stopped");
    }

    /* Settings: the build's defaults, then what flash holds. */
    cb_settings defaults;
    bool defaults_ok = settings_store_defaults(&defaults);
    settings_store_load(&defaults, &settings, &settings_origin);
    console_settings = settings;
    console_usb_init(&console_settings, &settings_origin);
    if (!defaults_ok) {
        serve_console_forever("the build's default settings are invalid");
    }
    log_printf("site %s, broker %s, power %s", settings.site, settings.broker,
               settings.power == CB_POWER_SLEEPY ? "sleepy" : "connected");

    /* The Wi-Fi chip. Without it there is nothing to do, but there is no reason to
     * give up either: retry (no panic, no reset loop). */
    while (cyw43_arch_init_with_country(wifi_country(&settings)) != 0) {
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
    cb_settings_device_config(&settings, &cfg);
    read_device_id(cfg.device, sizeof cfg.device);
    cfg.boot = get_rand_32();
    cfg.log = on_engine_event;

    const char *why = NULL;
    if (cb_settings_check(&settings, &why) != CB_OK) {
        serve_console_forever(why);
    }
    cyw43_arch_lwip_begin();
    cb_status st = cb_device_init(&device, &cfg, mqtt_lwip_port());
    bool ready = st == CB_OK && mqtt_lwip_init(&device, get_rand_32(), &settings);
    cyw43_arch_lwip_end();
    if (!ready) {
        serve_console_forever(st != CB_OK ? cb_status_str(st) : "bad broker");
    }
    uint8_t button_count = settings.button_count;
    log_printf("device %s, boot %lu, %u buttons (%s), %u tables", cfg.device, (unsigned long)cfg.boot, button_count,
               settings.active_high ? "pull-down, rising edge" : "pull-up, falling edge", device.table_count);
    uint8_t gpios[CB_DEVICE_MAX_BUTTONS];
    for (uint8_t b = 0; b < button_count; b++) {
        const char *kind_name = "?";
        cb_kind_name(settings.buttons[b].button.kind, &kind_name);
        log_printf("button GP%u: table %s %s", settings.buttons[b].gpio, settings.buttons[b].button.table, kind_name);
        gpios[b] = settings.buttons[b].gpio;
    }
    buttons_init(gpios, button_count, !settings.active_high);

    cyw43_arch_lwip_begin();
    wifi_init(get_rand_32(), now_ms(), &settings);
    led_init(&device, &settings);
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
    uint32_t woke_ms = now_ms(); /* sleepy mode: when this wake began */

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
        for (uint8_t b = 0; b < button_count; b++) {
            cb_device_sample(&device, b, gpio_get(settings.buttons[b].gpio), now);
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

        console_usb_poll(print_status); /* outside the lock: a save stops interrupts */

        /* Sleepy mode, on battery only (on USB the console stays up): the engine says
         * when the radio may go off. */
        cb_sleep_plan plan = {.may_sleep = false};
        if (settings.power == CB_POWER_SLEEPY && !vsys_on_usb()) {
            cyw43_arch_lwip_begin();
            cb_device_sleep_plan(&device, woke_ms, now_ms(), &plan);
            if (plan.may_sleep) {
                mqtt_lwip_stop();
                wifi_stop();
            }
            cyw43_arch_lwip_end();
        }
        if (plan.may_sleep) {
            cyw43_arch_deinit(); /* the Wi-Fi chip off */
            power_sleep(&settings, plan.wake_in_ms, WATCHDOG_MS);
            while (cyw43_arch_init_with_country(wifi_country(&settings)) != 0) {
                log_printf("cyw43: init failed after the wake, retrying in 1 s");
                watchdog_update();
                sleep_ms(1000);
            }
            cyw43_arch_lwip_begin();
            woke_ms = now_ms();
            wifi_restart(woke_ms);
            cyw43_arch_lwip_end();
            continue;
        }

        sleep_ms(LOOP_MS);
    }
}
