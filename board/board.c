/* board.c - the board's loop: MQTT into the site view, keys into staff commands,
 * the hub's answers to them onto the feedback line, a redraw whenever something
 * changed and at least once a second (waiting times). */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "board.h"

#include "clock.h"
#include "mqtt_client.h"
#include "queue.h"
#include "render.h"
#include "signals.h"

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FENCE_TIMEOUT_MS 3000
#define IDLE_WAIT_MS 250       /* poll timeout: the clock is redrawn on the next second anyway */
#define SIGNIN_EVERY_MS 30000u /* sign-in heartbeat; the hub forgets one after signin_ttl (90 s) */

typedef struct board_run {
    cb_board b;
    cb_mqtt *mqtt;
    char reply_topic[CB_TOPIC_SIZE];
    bool bell;
    bool dirty;
    int guest_fd;
    int notes_fd;
    bool ask_hub;              /* send the `calls` request (after a connect, the hub back online) */
    char query_id[CB_ID_SIZE]; /* the last one sent: its answer fills the view */
    unsigned query_seq;
} board_run;

static void say(cb_board *b, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(cb_board *b, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->message, sizeof b->message, fmt, ap);
    va_end(ap);
    b->message_error = error;
    b->message_ours = false;
    b->message_held_until = 0; /* a key's own words replace even a refusal */
}

/* The feedback line about the command just sent: its answer may replace it. */
#define say_ours(b, ...)                                                                                               \
    do {                                                                                                               \
        say((b), false, __VA_ARGS__);                                                                                  \
        (b)->message_ours = true;                                                                                      \
    } while (0)

cb_status cb_board_parse_signin(const char *name, cb_role role, const char *sections, cb_signin *out)
{
    cb_signin s;
    memset(&s, 0, sizeof s);
    if (strlen(name) > CB_NAME_MAX || strlen(sections) > CB_SECTIONS_TEXT_MAX)
        return CB_E_TOO_LONG;
    memcpy(s.by, name, strlen(name) + 1);
    s.role = role;
    /* one rule: the payload the hub would get, read back by the core's decoder */
    char payload[CB_PAYLOAD_SIZE];
    int n =
        snprintf(payload, sizeof payload, "{\"v\":1,\"by\":\"x\",\"role\":\"staff\",\"sections\":\"%s\"}", sections);
    if (n < 0 || (size_t)n >= sizeof payload || strpbrk(sections, "\"\\") != NULL)
        return CB_E_BAD_ID;
    cb_signin parsed;
    cb_status st = cb_signin_decode(payload, (size_t)n, &parsed);
    if (st != CB_OK)
        return st;
    s.n_sections = parsed.n_sections;
    memcpy(s.sections, parsed.sections, sizeof s.sections);
    *out = s;
    return CB_OK;
}

/* Tells the hub who uses this board and where (also the heartbeat), or that nobody
 * does any more (`off`). */
static void send_signin(board_run *r, bool off)
{
    cb_board *b = &r->b;
    if (!b->view.signed_in || !b->connected)
        return;
    cb_signin s = b->view.me;
    if (off) {
        s.role = CB_ROLE_OFF;
        s.n_sections = 0;
    }
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_topic_build(CB_TOPIC_SIGNIN, b->view.site, b->client_id, topic, sizeof topic) != CB_OK ||
        cb_signin_encode(&s, payload, sizeof payload, &len) != CB_OK)
        return;
    cb_mqtt_publish(r->mqtt, topic, payload, len, 1, false, NULL);
    b->next_signin_ms = cb_mono_ms() + SIGNIN_EVERY_MS;
}

static void on_connect(void *ctx)
{
    board_run *r = ctx;
    r->b.next_signin_ms = 0; /* a broker that restarted may have lost it on the way */
    r->b.connected = true;
    r->ask_hub = true; /* the open requests come from the hub, on every connect */
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
    if (strcmp(msg->topic, r->reply_topic) == 0) {
        /* the hub's answer to our `calls` request or to one of our commands; fence
         * tokens land here too */
        cb_view_change ch = CB_VIEW_NOTHING;
        if (cb_site_view_snapshot(&r->b.view, r->query_id, msg->payload, len, &ch)) {
            r->query_id[0] = '\0';
            r->dirty = true;
        } else if (len > 0 && cb_board_answer(&r->b, msg->payload, len, cb_mono_ms()) == CB_OK) {
            r->dirty = true;
        }
        return;
    }
    bool hub_was_online = r->b.view.hub_online;
    cb_view_change ch = cb_site_view_message(&r->b.view, msg->topic, msg->payload, len);
    if (r->b.view.hub_online && !hub_was_online) {
        r->b.next_signin_ms = 0; /* the hub keeps sign-ins in memory: tell a new one at once */
        r->ask_hub = true;       /* and what is open is what it says */
    }
    if (ch == CB_VIEW_NOTHING)
        return;
    r->dirty = true;
    /* Requests already open when the board starts are not news: say and ring only
     * after the first batch of retained messages is in. */
    if (!r->b.synced || r->b.view.news_count == 0)
        return;
    if (ch == CB_VIEW_ALERT && r->bell)
        beep();
    if (cb_board_line_held(&r->b, cb_mono_ms()))
        return; /* a refusal is being read */
    cb_board_news_text(&r->b.view, r->b.message, sizeof r->b.message);
    r->b.message_error = false;
    r->b.message_ours = false;
}

static void on_publish(void *ctx, int mid)
{
    board_run *r = ctx;
    cb_board *b = &r->b;
    for (size_t i = 0; i < b->pending_count; i++) {
        if (b->pending_mids[i] != mid)
            continue;
        b->pending_mids[i] = b->pending_mids[--b->pending_count];
        if (b->pending_count == 0 && !cb_board_line_held(b, cb_mono_ms())) {
            if (b->view.hub_online)
                say_ours(b, "%s: delivered to the broker", b->pending_what);
            else
                say_ours(b, "%s: held by the broker until the hub is back", b->pending_what);
        }
        r->dirty = true;
        return;
    }
}

/* Publishes ack/done for the selected request, or for every open request of its
 * table. Each command names its request (call and kind), so one typed at a request
 * that has closed meanwhile is ignored by the hub instead of closing a newer one. */
static void command(board_run *r, cb_action action, bool whole_table)
{
    cb_board *b = &r->b;
    cb_board_target targets[CB_REQUEST_MAX];
    size_t n = cb_board_targets(b, action, whole_table, targets);
    if (n == 0) {
        say(b, true, "no open request to %s", action == CB_ACTION_ACK ? "ack" : "done");
        return;
    }
    cb_board_targets_text(targets, n, b->pending_what, sizeof b->pending_what);
    b->pending_count = 0;
    for (size_t i = 0; i < n; i++) {
        char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
        size_t len;
        cb_status st = cb_topic_build(CB_TOPIC_CMD, b->view.site, targets[i].table, topic, sizeof topic);
        if (st == CB_OK)
            st = cb_cmd_encode(&targets[i].cmd, payload, sizeof payload, &len);
        if (st != CB_OK) {
            say(b, true, "%s: cannot encode: %s", b->pending_what, cb_status_str(st));
            return;
        }
        int mid;
        if (cb_mqtt_publish(r->mqtt, topic, payload, len, 1, false, &mid) != 0) {
            say(b, true, "not connected: %s NOT sent (%zu of %zu went out)", b->pending_what, i, n);
            return;
        }
        b->pending_mids[b->pending_count++] = mid;
        cb_board_note_sent(b, &targets[i]);
    }
    say_ours(b, "%s: sent", b->pending_what);
}

/* `n`: the footer becomes a prompt; Enter checks the name with the core's rule. */
static void edit_name_key(board_run *r, int ch)
{
    cb_board *b = &r->b;
    size_t len = strlen(b->name_edit);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        cb_status st = cb_board_set_name(b, b->name_edit);
        if (st != CB_OK) {
            say(b, true,
                "name '%s' refused (%s): 1-32 bytes of UTF-8, no control characters, no leading or "
                "trailing space",
                b->name_edit, cb_status_str(st));
            return; /* keep editing */
        }
        b->editing_name = false;
        memcpy(b->view.me.by, b->name, sizeof b->view.me.by); /* the sign-in names who is here */
        b->next_signin_ms = 0;
        say(b, false, "commands are now sent as %s", b->name);
    } else if (ch == 27) { /* Esc */
        b->editing_name = false;
        say(b, false, "name unchanged: %s", b->name);
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (len > 0 && ((unsigned char)b->name_edit[len - 1] & 0xC0) == 0x80)
            len--; /* a UTF-8 continuation byte: remove the whole character */
        if (len > 0)
            len--;
        b->name_edit[len] = '\0';
    } else if (ch >= 0x20 && ch <= 0xff && ch != 0x7f && len + 1 < sizeof b->name_edit) {
        b->name_edit[len] = (char)ch; /* bytes of UTF-8 arrive one by one */
        b->name_edit[len + 1] = '\0';
    }
}

/* `s`: the footer becomes a prompt for the sections; empty signs out. */
static void edit_sections_key(board_run *r, int ch)
{
    cb_board *b = &r->b;
    size_t len = strlen(b->sections_edit);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        if (b->sections_edit[0] == '\0') {
            send_signin(r, true);
            b->view.signed_in = false;
            b->editing_sections = false;
            say(b, false, "signed out: every call that rings the floor rings here");
            return;
        }
        cb_signin s;
        cb_status st = cb_board_parse_signin(b->name, b->role, b->sections_edit, &s);
        if (st != CB_OK) {
            say(b, true, "sections '%s' refused (%s): ids of a-z 0-9 _ - separated by commas, at most %d",
                b->sections_edit, cb_status_str(st), CB_SIGNIN_SECTIONS_MAX);
            return; /* keep editing */
        }
        b->view.me = s;
        b->view.signed_in = true;
        b->editing_sections = false;
        b->next_signin_ms = 0;
        say(b, false, "signed in to %s: their calls ring here first", b->sections_edit);
    } else if (ch == 27) { /* Esc */
        b->editing_sections = false;
        say(b, false, "sections unchanged");
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (len > 0)
            b->sections_edit[len - 1] = '\0';
    } else if (ch > 0x20 && ch < 0x7f && len + 1 < sizeof b->sections_edit) {
        b->sections_edit[len] = (char)ch;
        b->sections_edit[len + 1] = '\0';
    }
}

/* `/`: type a table's id, Enter selects its oldest open request. */
static void edit_jump_key(board_run *r, int ch)
{
    cb_board *b = &r->b;
    size_t len = strlen(b->jump_edit);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        b->editing_jump = false;
        switch (cb_board_jump_to(b, b->jump_edit)) {
        case CB_JUMP_SELECTED:
            say(b, false, "table %s: its oldest open request is selected (a/d act on it)", b->jump_edit);
            break;
        case CB_JUMP_IDLE:
            say(b, false, "table %s has no open request", b->jump_edit);
            break;
        case CB_JUMP_UNKNOWN:
            say(b, true, "no table '%s' on this site", b->jump_edit);
            break;
        }
    } else if (ch == 27) { /* Esc */
        b->editing_jump = false;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (len > 0)
            b->jump_edit[len - 1] = '\0';
    } else if (ch > 0x20 && ch < 0x7f && len + 1 < sizeof b->jump_edit) {
        b->jump_edit[len] = (char)ch;
        b->jump_edit[len + 1] = '\0';
    }
}

/* Returns false on quit. */
static bool handle_keys(board_run *r)
{
    int ch;
    while ((ch = getch()) != ERR) {
        r->dirty = true;
        if (r->b.editing_name && ch != KEY_RESIZE) {
            edit_name_key(r, ch);
            continue;
        }
        if (r->b.editing_sections && ch != KEY_RESIZE) {
            edit_sections_key(r, ch);
            continue;
        }
        if (r->b.editing_jump && ch != KEY_RESIZE) {
            edit_jump_key(r, ch);
            continue;
        }
        switch (ch) {
        case 'q':
        case 'Q':
            return false;
        case KEY_UP:
        case 'k':
            cb_board_move(&r->b, -1);
            break;
        case KEY_DOWN:
        case 'j':
            cb_board_move(&r->b, 1);
            break;
        case KEY_HOME:
        case 'g':
            cb_board_move(&r->b, LONG_MIN);
            break;
        case KEY_END:
        case 'G':
            cb_board_move(&r->b, LONG_MAX);
            break;
        case 'a':
            command(r, CB_ACTION_ACK, false);
            break;
        case 'd':
            command(r, CB_ACTION_DONE, false);
            break;
        case 'A':
            command(r, CB_ACTION_ACK, true);
            break;
        case 'D':
            command(r, CB_ACTION_DONE, true);
            break;
        case 'n':
            r->b.editing_name = true;
            r->b.name_edit[0] = '\0';
            break;
        case '/':
            r->b.editing_jump = true;
            r->b.jump_edit[0] = '\0';
            break;
        case 's':
            r->b.editing_sections = true;
            r->b.sections_edit[0] = '\0';
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
    /* The message line is soon overwritten (a reconnect says so), and the title is full
     * with the web board's URL: the event gets a line of its own, stamped. */
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[16];
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    snprintf(r->b.event, sizeof r->b.event, "demo %.8s: %.140s", stamp, last);
    r->dirty = true;
}

/* Asks the hub for the open requests (docs/protocol.md "Boards' start-up view"), once
 * our reply topic is known to be subscribed: the fence also lets the retained
 * messages of a first connect in (milliseconds). */
static void ask_hub(board_run *r)
{
    r->ask_hub = false;
    cb_mqtt_fence(r->mqtt, r->reply_topic, FENCE_TIMEOUT_MS);
    r->b.synced = true;
    r->dirty = true;
    if (!r->b.connected)
        return;
    cb_query q = {.kind = CB_QUERY_CALLS};
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len = 0;
    snprintf(q.id, sizeof q.id, "view-%u", ++r->query_seq);
    snprintf(q.reply_to, sizeof q.reply_to, "%s", r->reply_topic);
    if (cb_topic_build(CB_TOPIC_HUB_REQUEST, r->b.view.site, NULL, topic, sizeof topic) != CB_OK ||
        cb_query_encode(&q, payload, sizeof payload, &len) != CB_OK)
        return;
    if (cb_mqtt_publish(r->mqtt, topic, payload, len, 1, false, NULL) == 0)
        snprintf(r->query_id, sizeof r->query_id, "%s", q.id);
}

static void loop(board_run *r)
{
    uint64_t drawn_second = 0;
    r->dirty = true;
    while (!cb_stop_requested) {
        if (r->b.connected && r->ask_hub)
            ask_hub(r);
        if (r->b.view.signed_in && r->b.connected && cb_mono_ms() >= r->b.next_signin_ms)
            send_signin(r, false);
        uint64_t now = cb_wall_ms();
        if (r->dirty || now / 1000 != drawn_second) {
            cb_board_keep_selection(&r->b);
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
    if (cb_site_view_init(&r.b.view, opt->site) != 0) {
        fprintf(stderr, "callbell board: bad site '%s'\n", opt->site);
        return 2;
    }
    if (cb_board_set_name(&r.b, opt->name) != CB_OK) {
        fprintf(stderr, "callbell board: bad staff name '%s'\n", opt->name);
        cb_site_view_free(&r.b.view);
        return 2;
    }
    r.b.role = opt->role;
    if (opt->sections) {
        if (cb_board_parse_signin(r.b.name, opt->role, opt->sections, &r.b.view.me) != CB_OK) {
            fprintf(stderr, "callbell board: bad sections '%s'\n", opt->sections);
            cb_site_view_free(&r.b.view);
            return 2;
        }
        r.b.view.signed_in = true;
    }
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
    /* Our reply topic: the hub answers our commands there (each names this client
     * id), and it fences the first retained batch (cb_mqtt_fence). */
    snprintf(r.b.client_id, sizeof r.b.client_id, "%s", cb_mqtt_client_id(r.mqtt));
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
    send_signin(&r, true); /* signed out at once rather than after the hub's ttl */
    cb_mqtt_run(r.mqtt, 100);

    endwin();
    delscreen(screen);
    cb_mqtt_close(r.mqtt, NULL);
    cb_site_view_free(&r.b.view);
    return 0;
}
