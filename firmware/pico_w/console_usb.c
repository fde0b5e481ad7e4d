/* console_usb.c - see console_usb.h. */
#include "console_usb.h"

#include <stdio.h>

#include "callbell/console.h"
#include "hardware/watchdog.h"
#include "pico/stdlib.h"
#include "settings_store.h"

#define MAX_BYTES_PER_POLL 256 /* the main loop's other work waits no longer than that */

static cb_console console;
static cb_line_reader reader;
static cb_settings_origin *store_origin;

static void write_text(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stdout);
}

void console_usb_init(cb_settings *working, cb_settings_origin *origin)
{
    store_origin = origin;
    cb_line_init(&reader);
    cb_console_init(&console, working, write_text, NULL);
}

static void reboot_now(void)
{
    stdio_flush();
    sleep_ms(50); /* the reply leaves the USB buffer */
    /* Not a watchdog timeout: watchdog_enable_caused_reboot() stays false. */
    watchdog_reboot(0, 0, 10);
    for (;;) {
        tight_loop_contents();
    }
}

static void handle(const char *line, void (*print_status)(void))
{
    cb_console_action action = CB_CONSOLE_NONE;
    cb_console_line(&console, line, &action);
    const char *why = NULL;
    switch (action) {
    case CB_CONSOLE_SAVE: {
        bool ok = settings_store_save(console.settings, store_origin, &why);
        cb_console_done(&console, action, ok ? CB_OK : CB_E_FULL, why);
        break;
    }
    case CB_CONSOLE_STATUS:
        print_status();
        cb_console_done(&console, action, CB_OK, NULL);
        break;
    case CB_CONSOLE_REBOOT:
        reboot_now();
        break;
    case CB_CONSOLE_NONE:
        break;
    }
    stdio_flush();
}

void console_usb_poll(void (*print_status)(void))
{
    for (int i = 0; i < MAX_BYTES_PER_POLL; i++) {
        int c = getchar_timeout_us(0);
        if (c == PICO_ERROR_TIMEOUT) {
            return;
        }
        bool ready = false;
        if (cb_line_feed(&reader, (char)c, &ready) == CB_E_TOO_LONG) {
            cb_console_too_long(&console);
        }
        if (ready) {
            handle(reader.line, print_status);
        }
    }
}
