/* console.c - the setup console's line protocol (callbell/console.h).
 *
 * The console only edits a working copy of the settings; saving to flash and
 * rebooting are the shell's (the action it returns), so the same code serves the
 * firmware's USB serial and the simulated table's pty. */
#include "callbell/console.h"

#include <string.h>

cb_status cb_line_init(cb_line_reader *r)
{
    if (r == NULL) {
        return CB_E_ARG;
    }
    memset(r, 0, sizeof *r);
    return CB_OK;
}

cb_status cb_line_feed(cb_line_reader *r, char c, bool *ready)
{
    if (r == NULL || ready == NULL) {
        return CB_E_ARG;
    }
    *ready = false;
    if (c == '\n' || c == '\r') {
        bool was_overflow = r->overflow;
        *ready = !was_overflow && r->len > 0u;
        r->line[r->len] = '\0';
        r->len = 0;
        r->overflow = false;
        return was_overflow ? CB_E_TOO_LONG : CB_OK;
    }
    if (r->overflow) {
        return CB_OK;
    }
    if (c == '\0' || r->len == CB_CONSOLE_LINE_MAX) {
        r->overflow = true; /* drop the rest of this line, then say so */
        r->len = 0;
        return CB_OK;
    }
    r->line[r->len++] = c;
    return CB_OK;
}

cb_status cb_console_init(cb_console *c, cb_settings *settings, cb_console_write_fn write, void *ctx)
{
    if (c == NULL || settings == NULL || write == NULL) {
        return CB_E_ARG;
    }
    c->settings = settings;
    c->unsaved = false;
    c->write = write;
    c->ctx = ctx;
    return CB_OK;
}

static void say(const cb_console *c, const char *a, const char *b, const char *d)
{
    c->write(c->ctx, a);
    if (b != NULL) {
        c->write(c->ctx, b);
    }
    if (d != NULL) {
        c->write(c->ctx, d);
    }
    c->write(c->ctx, "\n");
}

static void say_key(const cb_console *c, const char *key)
{
    char value[CB_SETTINGS_VALUE_MAX + 1];
    if (cb_settings_get(c->settings, key, false, value, sizeof value) != CB_OK) {
        value[0] = '\0';
    }
    say(c, key, "=", value);
}

/* The word at *p (up to a space or the end); *p moves past it and one space. */
static size_t next_word(const char **p, const char **word)
{
    *word = *p;
    size_t n = 0;
    while ((*p)[n] != '\0' && (*p)[n] != ' ') {
        n++;
    }
    *p += n;
    if (**p == ' ') {
        (*p)++;
    }
    return n;
}

static bool word_is(const char *word, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(word, name, len) == 0;
}

static void help(const cb_console *c)
{
    say(c, "commands: get [KEY] | set KEY VALUE | save | reboot [force] | status | help", NULL, NULL);
    c->write(c->ctx, "keys:");
    for (size_t i = 0; i < cb_settings_key_count(); i++) {
        c->write(c->ctx, " ");
        c->write(c->ctx, cb_settings_key_name(i));
    }
    say(c, "", NULL, NULL);
    say(c, "ok", NULL, NULL);
}

static void get(const cb_console *c, const char *rest)
{
    if (*rest == '\0') {
        for (size_t i = 0; i < cb_settings_key_count(); i++) {
            say_key(c, cb_settings_key_name(i));
        }
        say(c, "ok", NULL, NULL);
        return;
    }
    char probe[2];
    cb_status st = cb_settings_get(c->settings, rest, false, probe, sizeof probe);
    if (st == CB_E_MISSING || strlen(rest) > 32u) {
        say(c, "error: no such key: ", strlen(rest) > 32u ? "(too long)" : rest, " (try help)");
        return;
    }
    say_key(c, rest);
    say(c, "ok", NULL, NULL);
}

static void set(cb_console *c, const char *rest)
{
    const char *key_start = NULL;
    size_t key_len = next_word(&rest, &key_start);
    char key[33];
    if (key_len == 0u || key_len >= sizeof key) {
        say(c, "error: usage: set KEY VALUE", NULL, NULL);
        return;
    }
    memcpy(key, key_start, key_len);
    key[key_len] = '\0';
    const char *why = "bad value";
    cb_status st = cb_settings_set(c->settings, key, rest, &why);
    if (st == CB_E_MISSING) {
        say(c, "error: no such key: ", key, " (try help)");
        return;
    }
    if (st != CB_OK) {
        c->write(c->ctx, "error: ");
        say(c, key, ": ", why);
        return;
    }
    c->unsaved = true;
    /* A value that clashes with another (an LED on a button's pin) is kept, so both
     * can be changed in turn; save refuses until it is resolved. */
    if (cb_settings_check(c->settings, &why) != CB_OK) {
        c->write(c->ctx, "ok ");
        say(c, key, " set, but ", why);
        return;
    }
    say(c, "ok ", key, " set (save, then reboot, to use it)");
}

cb_status cb_console_line(cb_console *c, const char *line, cb_console_action *action)
{
    if (c == NULL || c->settings == NULL || c->write == NULL || line == NULL || action == NULL) {
        return CB_E_ARG;
    }
    *action = CB_CONSOLE_NONE;
    const char *rest = line;
    const char *cmd = NULL;
    size_t cmd_len = next_word(&rest, &cmd);
    if (cmd_len == 0u) {
        return CB_OK; /* blank line */
    }
    if (word_is(cmd, cmd_len, "help")) {
        help(c);
    } else if (word_is(cmd, cmd_len, "get")) {
        get(c, rest);
    } else if (word_is(cmd, cmd_len, "set")) {
        set(c, rest);
    } else if (word_is(cmd, cmd_len, "save") && *rest == '\0') {
        const char *why = NULL;
        if (cb_settings_check(c->settings, &why) != CB_OK) {
            say(c, "error: not saved: ", why, NULL);
        } else {
            *action = CB_CONSOLE_SAVE;
        }
    } else if (word_is(cmd, cmd_len, "reboot") && (*rest == '\0' || strcmp(rest, "force") == 0)) {
        if (c->unsaved && *rest == '\0') {
            say(c, "error: unsaved changes: save first, or reboot force to drop them", NULL, NULL);
        } else {
            say(c, "ok rebooting", NULL, NULL);
            *action = CB_CONSOLE_REBOOT;
        }
    } else if (word_is(cmd, cmd_len, "status") && *rest == '\0') {
        say(c, "settings=", c->unsaved ? "unsaved" : "saved", NULL);
        *action = CB_CONSOLE_STATUS;
    } else {
        char shown[33];
        size_t n = cmd_len < sizeof shown - 1u ? cmd_len : sizeof shown - 1u;
        memcpy(shown, cmd, n);
        shown[n] = '\0';
        say(c, "error: unknown command or arguments: ", shown, " (try help)");
    }
    return CB_OK;
}

cb_status cb_console_done(cb_console *c, cb_console_action action, cb_status result, const char *why)
{
    if (c == NULL || c->write == NULL || (action != CB_CONSOLE_SAVE && action != CB_CONSOLE_STATUS)) {
        return CB_E_ARG;
    }
    if (result != CB_OK) {
        say(c, "error: ", why != NULL ? why : cb_status_str(result), NULL);
        return CB_OK;
    }
    if (action == CB_CONSOLE_SAVE) {
        c->unsaved = false;
        say(c, "ok saved (reboot to use)", NULL, NULL);
    } else {
        say(c, "ok", NULL, NULL);
    }
    return CB_OK;
}

cb_status cb_console_too_long(cb_console *c)
{
    if (c == NULL || c->write == NULL) {
        return CB_E_ARG;
    }
    say(c, "error: line too long", NULL, NULL);
    return CB_OK;
}
