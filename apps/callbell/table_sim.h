/* table_sim.h - the simulated table's state, shared by the command (cmd_table.c:
 * keys, engine, MQTT) and its screen (table_screen.c: raw keyboard, event lines, the
 * status block with each table's LED). */
#ifndef CALLBELL_APP_TABLE_SIM_H
#define CALLBELL_APP_TABLE_SIM_H

#include "callbell/console.h"
#include "callbell/device.h"
#include "callbell/settings.h"
#include "common.h"
#include "device_port.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRESS_HOLD_MS 60   /* a simulated finger holds the button this long past the debounce time */
#define KEY_QUEUE_CAP 1024 /* typed-ahead presses not yet on a pin */
#define QUIT_FLUSH_MS 2000 /* on `q`, how long to try delivering queued presses */
#define FW_NAME "sim-" CALLBELL_VERSION

typedef struct sim_button {
    char key;
    bool down;
    bool used;
    uint32_t release_at;
    uint32_t ready_at; /* next press may start here: past the debounce window */
} sim_button;

typedef struct sim {
    cb_common common;
    cb_device dev;
    cb_device_link link;
    sim_button buttons[CB_DEVICE_MAX_BUTTONS];
    uint32_t debounce_ms;
    bool any_press_started;
    uint32_t last_press_start; /* device ms the last simulated press began */
    uint8_t keyq[KEY_QUEUE_CAP];
    size_t keyq_head, keyq_len;
    bool raw; /* stdin is a terminal: keys act at once, no echo */
    bool tty; /* and stdout too: status block, coloured LED */
    bool utf8;
    bool connected;
    bool input_eof;
    bool has_battery;
    uint16_t battery_mv;
    uint64_t started_ms;
    cb_led_mode led[CB_DEVICE_MAX_TABLES];
    bool led_known[CB_DEVICE_MAX_TABLES];
    /* settings and setup console (table_console.c) */
    cb_settings settings; /* loaded at boot; the console edits it, save stores it */
    cb_settings_origin settings_origin;
    const char *settings_path; /* the "flash"; NULL: settings from the command line only */
    cb_console console;
    cb_line_reader console_reader;
    int console_fd;      /* pty master; -1 without --console */
    int console_keep_fd; /* our handle on the pty's far side */
    char console_dev[64];
    char console_link[512];
    bool reboot_requested;
    /* terminal status block */
    int status_lines;
    char last_status[2048];
} sim;

/* The terminal in raw mode (single keys, no echo) until exit or cb_sim_restore_terminal. */
int cb_sim_enter_raw_mode(void);
void cb_sim_restore_terminal(void);
/* One event line ("queued table=3 kind=bill seq=4"), above the status block on a tty. */
void cb_sim_event(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Redraws the status block (a line per table, then the keys) if it changed. */
void cb_sim_draw_status(sim *s, uint32_t now);
void cb_sim_clear_status(sim *s);
extern const char *const cb_sim_led_names[]; /* "off", "slow", "on", "fast" */
const char *cb_sim_kind_name(cb_kind k);
const char *cb_sim_status_text(const cb_device_table *t);
/* The setup console on a pty, PATH a symlink to it. 0, or -1 with err filled. */
int cb_sim_console_open(sim *s, const char *link_path, char *err, size_t err_cap);
void cb_sim_console_close(sim *s);
/* Binds the console to s->settings (after every load). */
void cb_sim_console_attach(sim *s);
/* Reads and answers what the console has; may set s->reboot_requested. */
void cb_sim_console_poll(sim *s);
/* s->settings from the "flash" file at s->settings_path over defaults. 0. */
int cb_sim_settings_load(sim *s, const cb_settings *defaults);
/* snprintf at buf+*used that never moves *used past the end (output is cut instead). */
void cb_sim_append(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
