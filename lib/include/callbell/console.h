/* console.h - the device's setup console: a line protocol over USB serial (the
 * firmware) or a pty (`callbell table --console`), usable from any terminal and
 * from `callbell device setup`.
 *
 * Requests, one per line (LF or CR LF; at most CB_CONSOLE_LINE_MAX characters):
 *   help                  the commands and keys
 *   get                   every setting, `key=value` a line (passwords as ********)
 *   get KEY               one setting
 *   set KEY VALUE         change one setting (VALUE: the rest of the line, may be
 *                         empty); takes effect after save and reboot
 *   save                  write the settings to flash (the other of two copies)
 *   reboot                restart with the saved settings; refused while there are
 *                         unsaved changes (`reboot force` drops them)
 *   status                what the device is doing: `key=value` lines
 * Every reply ends with one line that starts with `ok` or `error: ` and says why;
 * lines before it are `key=value`. The device's log lines (starting with `[`) may
 * come in between and are not part of a reply. */
#ifndef CALLBELL_CONSOLE_H
#define CALLBELL_CONSOLE_H

#include "callbell/settings.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>

#define CB_CONSOLE_LINE_MAX 400 /* "set buttons " and the longest value */

/* Bytes to lines. */
typedef struct cb_line_reader {
    char line[CB_CONSOLE_LINE_MAX + 1];
    size_t len;
    bool overflow; /* the current line is too long: dropped up to its end */
} cb_line_reader;

/* Starts empty. CB_OK or CB_E_ARG. */
cb_status cb_line_init(cb_line_reader *r);

/* Feeds one byte. *ready becomes true when r->line holds a whole non-empty line
 * (NUL-terminated, without its end); handle it before the next call. Returns CB_OK,
 * CB_E_TOO_LONG when a line over CB_CONSOLE_LINE_MAX ended (it is dropped), or
 * CB_E_ARG. A NUL byte makes the line too long's cousin: dropped as CB_E_TOO_LONG. */
cb_status cb_line_feed(cb_line_reader *r, char c, bool *ready);

/* What the shell must do after a request. */
typedef enum cb_console_action {
    CB_CONSOLE_NONE = 0, /* the reply is complete */
    CB_CONSOLE_SAVE,     /* write the settings to flash, then cb_console_done */
    CB_CONSOLE_REBOOT,   /* the reply is written ("ok rebooting"): restart */
    CB_CONSOLE_STATUS    /* write `key=value` status lines, then cb_console_done */
} cb_console_action;

typedef void (*cb_console_write_fn)(void *ctx, const char *text);

typedef struct cb_console {
    cb_settings *settings; /* the working copy `set` changes and `save` stores */
    bool unsaved;          /* set since the last save */
    cb_console_write_fn write;
    void *ctx;
} cb_console;

/* settings and write must not be NULL. CB_OK or CB_E_ARG. */
cb_status cb_console_init(cb_console *c, cb_settings *settings, cb_console_write_fn write, void *ctx);

/* Handles one request line (NUL-terminated) and writes its reply, or its first
 * part for SAVE and STATUS, through write(). CB_OK or CB_E_ARG. */
cb_status cb_console_line(cb_console *c, const char *line, cb_console_action *action);

/* Ends the reply of a SAVE or STATUS: result CB_OK -> "ok ..." (a save also clears
 * unsaved), otherwise "error: ..." with why. CB_OK or CB_E_ARG. */
cb_status cb_console_done(cb_console *c, cb_console_action action, cb_status result, const char *why);

/* Tells the user a line was too long (after cb_line_feed returned CB_E_TOO_LONG). */
cb_status cb_console_too_long(cb_console *c);

#endif
