/* console_usb.h - the setup console (callbell/console.h) on the USB serial port,
 * beside the log: requests are lines typed or sent by `callbell device setup`. */
#ifndef CALLBELL_PICO_CONSOLE_USB_H
#define CALLBELL_PICO_CONSOLE_USB_H

#include "callbell/settings.h"

/* working: the settings the console edits (a copy of those in use); origin: where
 * they were loaded from. Both stay owned by the caller. */
void console_usb_init(cb_settings *working, cb_settings_origin *origin);

/* Reads what the port has, answers, saves; `reboot` restarts the board. print_status
 * writes the `key=value` lines of `status`. Main loop only. */
void console_usb_poll(void (*print_status)(void));

#endif
