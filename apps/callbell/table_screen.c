/* table_screen.c - what `callbell table` shows: event lines, and on a terminal a
 * status block redrawn below them with each table's LED, outbox and connection. */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "clock.h"
#include "table_sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static struct termios saved_termios;
static bool termios_saved;

void cb_sim_restore_terminal(void)
{
    if (termios_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
        termios_saved = false;
    }
}

/* Raw enough to get single keys without echo; ISIG stays so Ctrl-C is SIGINT and OPOST
 * stays so "\n" still returns the carriage. */
int cb_sim_enter_raw_mode(void)
{
    if (tcgetattr(STDIN_FILENO, &saved_termios) != 0)
        return -1;
    struct termios raw = saved_termios;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return -1;
    termios_saved = true;
    atexit(cb_sim_restore_terminal);
    return 0;
}

const char *const cb_sim_led_names[] = {"off", "slow", "on", "fast", "double"};

const char *cb_sim_kind_name(cb_kind k)
{
    const char *name = "?";
    cb_kind_name(k, &name);
    return name;
}

/* ---- output: one line per event, under a redrawn status block on a terminal ---- */

void cb_sim_clear_status(sim *s)
{
    if (s->status_lines > 0)
        printf("\033[%dA\033[J", s->status_lines);
    s->status_lines = 0;
    s->last_status[0] = '\0';
}

void cb_sim_event(sim *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->tty) {
        cb_sim_clear_status(s);
        uint64_t wall = cb_wall_ms();
        time_t secs = (time_t)(wall / 1000);
        struct tm tm;
        localtime_r(&secs, &tm);
        printf("%02d:%02d:%02d  %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, line);
    } else {
        printf("%s\n", line);
    }
    fflush(stdout);
}

static int terminal_cols(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

static uint32_t outbox_for_table(const cb_outbox *ob, uint8_t table)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ob->count; i++)
        n += ob->e[(ob->head + i) % CB_OUTBOX_CAP].table_index == table;
    return n;
}

const char *cb_sim_status_text(const cb_device_table *t)
{
    const char *name = "unknown";
    if (t->has_state)
        cb_table_status_name(t->status, &name);
    return name;
}

/* One table's line. Colour codes wrap only the LED field, so the visible width is
 * that of the plain text and can be clipped to the terminal. */
static void status_line(sim *s, uint8_t i, uint32_t now, int cols, char *out, size_t cap)
{
    static const char *const colour[] = {"\033[2m", "\033[1;33m", "\033[1;32m", "\033[1;31m"};
    static const char *const text[] = {"off", "blinking (calling)", "on (acknowledged)", "fast blink (offline)"};
    cb_led_mode mode = CB_LED_OFF;
    bool lit = false;
    cb_device_led_mode(&s->dev, i, now, &mode);
    cb_led_lit(mode, now, &lit);
    const char *dot = s->utf8 ? (lit ? "\u25cf" : "\u25cb") : (lit ? "*" : ".");
    char led[64], rest[160];
    snprintf(led, sizeof led, "%s %s", dot, text[mode]);
    snprintf(rest, sizeof rest, "  %-12s outbox %-2u %s", cb_sim_status_text(&s->dev.tables[i]),
             (unsigned)outbox_for_table(&s->dev.outbox, i), s->connected ? "connected" : "OFFLINE, reconnecting");
    char head[48];
    snprintf(head, sizeof head, "table %-4s LED ", s->dev.tables[i].id);
    int led_w = 2 + (int)strlen(text[mode]);
    int width = (int)strlen(head) + 22 + (int)strlen(rest);
    if (width <= cols)
        snprintf(out, cap, "%s%s%-22s\033[0m%s", head, colour[mode], led, rest);
    else if ((int)strlen(head) + led_w <= cols)
        snprintf(out, cap, "%s%s%s\033[0m", head, colour[mode], led);
    else
        snprintf(out, cap, "%.*s", cols > 1 ? cols - 1 : 0, head);
}

/* snprintf at buf+*used that never moves *used past the end (output is cut instead). */
void cb_sim_append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < cap ? *used + (size_t)n : cap - 1;
}

void cb_sim_draw_status(sim *s, uint32_t now)
{
    if (!s->tty)
        return;
    int cols = terminal_cols();
    char block[sizeof s->last_status];
    size_t used = 0;
    int lines = 0;
    for (uint8_t i = 0; i < s->dev.table_count; i++) {
        char line[512];
        status_line(s, i, now, cols, line, sizeof line);
        cb_sim_append(block, sizeof block, &used, "%s\n", line);
        lines++;
    }
    char keys[160] = "keys:";
    for (uint8_t b = 0; b < s->dev.cfg.button_count; b++) {
        const cb_button *btn = &s->dev.cfg.buttons[b];
        size_t k = strlen(keys);
        if (s->dev.table_count > 1)
            snprintf(keys + k, sizeof keys - k, "  [%c] table %s", s->buttons[b].key, btn->table);
        else
            snprintf(keys + k, sizeof keys - k, "  [%c] %s", s->buttons[b].key, cb_sim_kind_name(btn->kind));
    }
    size_t k = strlen(keys);
    snprintf(keys + k, sizeof keys - k, "  [q] quit");
    cb_sim_append(block, sizeof block, &used, "\033[2m%.*s\033[0m\n", cols > 1 ? cols - 1 : 0, keys);
    lines++;
    if (s->status_lines == lines && strcmp(block, s->last_status) == 0)
        return;
    if (s->status_lines > 0)
        printf("\033[%dA\033[J", s->status_lines);
    fputs(block, stdout);
    fflush(stdout);
    s->status_lines = lines;
    snprintf(s->last_status, sizeof s->last_status, "%s", block);
}
