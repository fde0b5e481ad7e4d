/* board.c - the board's loop: MQTT into the site view, keys into staff commands,
 * a redraw whenever something changed and at least once a second (waiting times). */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "board.h"

#include "clock.h"
#include "mqtt_client.h"
#include "render.h"
#include "signals.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FENCE_TIMEOUT_MS 3000
#define IDLE_WAIT_MS 250 /* poll timeout: the clock is redrawn on the next second anyway */

typedef struct board_run {
    cb_board b;
    cb_mqtt *mqtt;
    char reply_topic[CB_TOPIC_SIZE];
    bool bell;
    bool dirty;
    int guest_fd;
    int notes_fd;
    char base_note[160]; /* the title's note as the demo gave it */
} board_run;

static void say(cb_board *b, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(cb_board *b, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->message, sizeof b->message, fmt, ap);
    va_end(ap);
    b->message_error = error;
}

static void on_connect(void *ctx)
{
    board_run *r = ctx;
    r->b.connected = true;
    r->dirty = true;
    say(&r->b, false, "connected to %s", r->b.broker_shown);
}

static void on_disconnect(void *ctx)
{
    board_run *r = ctx;
    r->b.connected = false;
    r->dirty = true;
}

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    board_run *r = ctx;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    cb_view_change ch = cb_site_view_message(&r->b.view, msg->topic, msg->payload, len);
    if (ch == CB_VIEW_NOTHING)
        return;
    r->dirty = true;
    /* Calls already open when the board starts are not news: ring only after the
     * first batch of retained messages is in. */
    if (ch == CB_VIEW_ALERT && r->b.synced) {
        cb_topic t;
        if (cb_topic_parse(msg->topic, strlen(msg->topic), &t) == CB_OK)
            say(&r->b, false, "call from table %s", t.id);
        if (r->bell)
            beep();
    }
}

static void on_publish(void *ctx, int mid)
{
    board_run *r = ctx;
    if (mid == r->b.pending_mid) {
        say(&r->b, false, "%s: delivered to the broker", r->b.pending_what);
        r->b.pending_mid = -1;
        r->dirty = true;
    }
}

/* Publishes ack/done for the selected call, naming the call so a command typed at
 * an old call is ignored by the hub instead of closing a new one. */
static void command(board_run *r, cb_action action)
{
    static const cb_state *calls[CB_BOARD_MAX_CALLS];
    size_t sel;
    size_t n = cb_board_calls(&r->b, calls, CB_BOARD_MAX_CALLS, &sel);
    const char *verb = action == CB_ACTION_ACK ? "ack" : "done";
    if (n == 0) {
        say(&r->b, true, "no open call to %s", verb);
        return;
    }
    const cb_state *s = calls[sel];
    cb_cmd cmd = {.action = action, .has_call = true, .call = s->call};
    snprintf(cmd.by, sizeof cmd.by, "%s", r->b.name);
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    cb_status st = cb_topic_build(CB_TOPIC_CMD, r->b.view.site, s->table, topic, sizeof topic);
    if (st == CB_OK)
        st = cb_cmd_encode(&cmd, payload, sizeof payload, &len);
    if (st != CB_OK) {
        say(&r->b, true, "cannot encode %s for table %s: %s", verb, s->table, cb_status_str(st));
        return;
    }
    int mid;
    if (cb_mqtt_publish(r->mqtt, topic, payload, len, 1, false, &mid) != 0) {
        say(&r->b, true, "not connected: %s for table %s NOT sent", verb, s->table);
        return;
    }
    r->b.pending_mid = mid;
    snprintf(r->b.pending_what, sizeof r->b.pending_what, "%s table %s (call %llu)", verb, s->table,
             (unsigned long long)s->call);
    say(&r->b, false, "%s: sent", r->b.pending_what);
}

static void move_selection(board_run *r, int delta)
{
    static const cb_state *calls[CB_BOARD_MAX_CALLS];
    size_t sel;
    size_t n = cb_board_calls(&r->b, calls, CB_BOARD_MAX_CALLS, &sel);
    if (n == 0)
        return;
    long i = (long)sel + delta;
    if (i < 0)
        i = 0;
    if (i >= (long)n)
        i = (long)n - 1;
    snprintf(r->b.selected, sizeof r->b.selected, "%s", calls[i]->table);
}

/* Returns false on quit. */
static bool handle_keys(board_run *r)
{
    int ch;
    while ((ch = getch()) != ERR) {
        r->dirty = true;
        switch (ch) {
        case 'q':
        case 'Q':
            return false;
        case KEY_UP:
        case 'k':
            move_selection(r, -1);
            break;
        case KEY_DOWN:
        case 'j':
            move_selection(r, 1);
            break;
        case KEY_HOME:
        case 'g':
            move_selection(r, -CB_BOARD_MAX_CALLS);
            break;
        case KEY_END:
        case 'G':
            move_selection(r, CB_BOARD_MAX_CALLS);
            break;
        case 'a':
            command(r, CB_ACTION_ACK);
            break;
        case 'd':
            command(r, CB_ACTION_DONE);
            break;
        case KEY_RESIZE:
            clear(); /* ncurses resized stdscr; repaint everything */
            break;
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
            if (r->guest_fd >= 0) {
                char key = (char)ch;
                if (write(r->guest_fd, &key, 1) == 1)
                    say(&r->b, false, "pressed table %c's call button", key);
            }
            break;
        case 12: /* Ctrl-L */
            clear();
            break;
        default:
            break;
        }
    }
    return true;
}

/* demo: the supervisor writes whole lines ("restarted the hub ..."); show the last. */
static void read_notes(board_run *r)
{
    char buf[512];
    ssize_t n = read(r->notes_fd, buf, sizeof buf - 1);
    if (n <= 0) {
        r->notes_fd = -1; /* the demo's supervisor is gone */
        return;
    }
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = '\0';
    char *last = strrchr(buf, '\n');
    last = last ? last + 1 : buf;
    say(&r->b, true, "%s", last);
    /* the message line is soon overwritten (a reconnect says so): the title keeps it */
    snprintf(r->b.note, sizeof r->b.note, "%.60s | %.90s", r->base_note, last);
    r->dirty = true;
}

/* The selection follows a table; when its call closes, fall to the oldest call. */
static void keep_selection(board_run *r)
{
    static const cb_state *calls[CB_BOARD_MAX_CALLS];
    size_t sel;
    size_t n = cb_board_calls(&r->b, calls, CB_BOARD_MAX_CALLS, &sel);
    if (n > 0 && strcmp(calls[sel]->table, r->b.selected) != 0)
        snprintf(r->b.selected, sizeof r->b.selected, "%s", calls[0]->table);
}

static void loop(board_run *r)
{
    uint64_t drawn_second = 0;
    r->dirty = true;
    while (!cb_stop_requested) {
        if (r->b.connected && !r->b.synced) {
            /* Blocks until the retained states have arrived (milliseconds). */
            cb_mqtt_fence(r->mqtt, r->reply_topic, FENCE_TIMEOUT_MS);
            r->b.synced = true;
            r->dirty = true;
        }
        uint64_t now = cb_wall_ms();
        if (r->dirty || now / 1000 != drawn_second) {
            keep_selection(r);
            cb_render(&r->b, now);
            refresh();
            drawn_second = now / 1000;
            r->dirty = false;
        }
        struct pollfd fds[3] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = r->notes_fd, .events = POLLIN}};
        nfds_t nfds = 2;
        struct mosquitto *mosq = cb_mqtt_handle(r->mqtt);
        int sock = cb_mqtt_connected(r->mqtt) ? mosquitto_socket(mosq) : -1;
        if (sock >= 0)
            fds[nfds++] = (struct pollfd){.fd = sock, .events = POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0)};
        int wait = (int)(1000 - now % 1000);
        poll(fds, nfds, wait < IDLE_WAIT_MS ? wait : IDLE_WAIT_MS);
        if (r->notes_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)))
            read_notes(r);
        if (!handle_keys(r))
            break;
        bool was = r->b.connected;
        cb_mqtt_run(r->mqtt, 0);
        if (was != r->b.connected)
            r->dirty = true;
    }
}

int cb_board_run(const cb_board_options *opt)
{
    static board_run r; /* the view's arrays are on the heap; this is just large */
    memset(&r, 0, sizeof r);
    r.bell = opt->bell;
    r.guest_fd = opt->guest_fd;
    r.notes_fd = opt->notes_fd;
    snprintf(r.b.note, sizeof r.b.note, "%s", opt->note ? opt->note : "");
    snprintf(r.base_note, sizeof r.base_note, "%s", r.b.note);
    r.b.pending_mid = -1;
    if (cb_site_view_init(&r.b.view, opt->site) != 0) {
        fprintf(stderr, "callbell board: bad site '%s'\n", opt->site);
        return 2;
    }
    snprintf(r.b.name, sizeof r.b.name, "%s", opt->name);
    cb_url_format(&opt->broker, r.b.broker_shown, sizeof r.b.broker_shown);

    cb_mqtt_options mo = {.id_prefix = "cb-board", .clean_session = true, .quiet = true};
    cb_mqtt_handlers h = {.ctx = &r,
                          .on_connect = on_connect,
                          .on_disconnect = on_disconnect,
                          .on_message = on_message,
                          .on_publish = on_publish};
    char err[512];
    r.mqtt = cb_mqtt_open(&opt->broker, &mo, &h, err, sizeof err);
    if (!r.mqtt) {
        fprintf(stderr, "callbell board: %s\n", err);
        cb_site_view_free(&r.b.view);
        return 1;
    }
    /* A private topic to fence the first retained batch (cb_mqtt_fence); the hub
     * only ever publishes replies there, which the view ignores. */
    if (cb_topic_build(CB_TOPIC_REPLY, opt->site, cb_mqtt_client_id(r.mqtt), r.reply_topic, sizeof r.reply_topic) !=
            CB_OK ||
        cb_site_view_subscribe(&r.b.view, r.mqtt) != 0 || cb_mqtt_subscribe(r.mqtt, r.reply_topic, 1) != 0) {
        fprintf(stderr, "callbell board: cannot subscribe for site '%s'\n", opt->site);
        cb_mqtt_close(r.mqtt, NULL);
        cb_site_view_free(&r.b.view);
        return 1;
    }

    cb_install_stop_handlers();
    setlocale(LC_ALL, "");
    if (!getenv("ESCDELAY"))
        set_escdelay(25); /* arrows arrive as escape sequences; don't wait a second for them */
    /* newterm, not initscr: initscr exits by itself on a bad TERM */
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *term = getenv("TERM");
        fprintf(stderr, "callbell board: cannot drive this terminal (TERM=%s)\n", term ? term : "unset");
        cb_mqtt_close(r.mqtt, NULL);
        cb_site_view_free(&r.b.view);
        return 1;
    }
    cbreak();
    noecho();
    nodelay(stdscr, TRUE);
    keypad(stdscr, TRUE);
    curs_set(0);
    cb_render_init_colours();
    say(&r.b, false, "connecting to %s ...", r.b.broker_shown);

    loop(&r);

    endwin();
    delscreen(screen);
    cb_mqtt_close(r.mqtt, NULL);
    cb_site_view_free(&r.b.view);
    return 0;
}
