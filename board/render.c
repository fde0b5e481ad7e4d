/* render.c - the board's screen, top to bottom: title, warnings, table tiles, open
 * calls (oldest first), feedback line, keys. Sections give way to the call list on a
 * small terminal; every write is clipped, so any window size is safe. */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "render.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    PAIR_GREEN = 1,
    PAIR_YELLOW,
    PAIR_RED,
    PAIR_CYAN,
    PAIR_BANNER,
    PAIR_TILE_GREEN,
    PAIR_TILE_YELLOW,
    PAIR_TILE_RED,
    PAIR_TILE_CYAN,
};

#define AGE_YELLOW_MS 60000u /* a guest has waited a minute */
#define AGE_RED_MS 180000u   /* three minutes: someone must go now */

void cb_render_init_colours(void)
{
    if (!has_colors())
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_GREEN, COLOR_GREEN, -1);
    init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
    init_pair(PAIR_RED, COLOR_RED, -1);
    init_pair(PAIR_CYAN, COLOR_CYAN, -1);
    init_pair(PAIR_BANNER, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_TILE_GREEN, COLOR_BLACK, COLOR_GREEN);
    init_pair(PAIR_TILE_YELLOW, COLOR_BLACK, COLOR_YELLOW);
    init_pair(PAIR_TILE_RED, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_TILE_CYAN, COLOR_BLACK, COLOR_CYAN);
}

static attr_t pair(int p)
{
    return has_colors() ? (attr_t)COLOR_PAIR(p) : A_NORMAL;
}

/* Writes s at (y, x), clipped to the window; returns the column after it. */
static int put(int y, int x, attr_t attr, const char *s)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS)
        return x;
    int room = COLS - x;
    if (y == LINES - 1)
        room--; /* the bottom-right cell would scroll some terminals */
    int len = (int)strlen(s);
    int n = len < room ? len : room;
    if (n <= 0)
        return x;
    attron(attr);
    mvaddnstr(y, x, s, n);
    attroff(attr);
    return x + n;
}

static void bar(int y, attr_t attr)
{
    if (y < 0 || y >= LINES)
        return;
    attron(attr);
    mvhline(y, 0, ' ', COLS);
    attroff(attr);
}

static void centred(int y, attr_t attr, const char *s)
{
    int x = (COLS - (int)strlen(s)) / 2;
    put(y, x > 0 ? x : 0, attr, s);
}

static uint64_t waited_ms(const cb_state *s, uint64_t now)
{
    return now > s->pressed_at ? now - s->pressed_at : 0;
}

/* Calling calls by age; acknowledged ones are someone's job already. */
static int call_colour(const cb_state *s, uint64_t now, bool tile)
{
    if (s->status == CB_ACKNOWLEDGED)
        return tile ? PAIR_TILE_CYAN : PAIR_CYAN;
    uint64_t age = waited_ms(s, now);
    if (age < AGE_YELLOW_MS)
        return tile ? PAIR_TILE_GREEN : PAIR_GREEN;
    if (age < AGE_RED_MS)
        return tile ? PAIR_TILE_YELLOW : PAIR_YELLOW;
    return tile ? PAIR_TILE_RED : PAIR_RED;
}

static void format_wait(uint64_t ms, char *buf, size_t cap)
{
    uint64_t s = ms / 1000;
    snprintf(buf, cap, "%02llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

size_t cb_board_calls(const cb_board *b, const cb_state **calls, size_t cap, size_t *selected)
{
    size_t n = cb_site_view_open_calls(&b->view, calls, cap);
    *selected = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(calls[i]->table, b->selected) == 0)
            *selected = i;
    return n;
}

static void draw_title(const cb_board *b, uint64_t now)
{
    bar(0, A_REVERSE);
    char line[800];
    const char *hub = !b->view.hub_known     ? "hub ?"
                      : b->view.hub_online   ? "hub online"
                      : b->view.hub_degraded ? "hub CANNOT STORE CALLS"
                                             : "hub OFFLINE";
    snprintf(line, sizeof line, " callbell board | site %s | %s | %s%s%s", b->view.site, b->broker_shown,
             b->connected ? hub : "not connected", b->note[0] ? " | " : "", b->note);
    put(0, 0, A_REVERSE | A_BOLD, line);
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    char clock[16];
    strftime(clock, sizeof clock, " %H:%M:%S ", &tm);
    if (COLS > (int)strlen(line) + (int)strlen(clock))
        put(0, COLS - (int)strlen(clock), A_REVERSE, clock);
}

/* Returns the next free row. A missing hub is the one thing that makes the whole
 * board wrong, so it gets three rows when the screen allows. */
static int draw_warnings(const cb_board *b, int y, int last)
{
    char line[512];
    if (!b->connected) {
        if (y > last)
            return y;
        bar(y, pair(PAIR_BANNER) | A_BOLD);
        snprintf(line, sizeof line, "NOT CONNECTED to %s - reconnecting; what you see may be stale", b->broker_shown);
        centred(y, pair(PAIR_BANNER) | A_BOLD, line);
        return y + 1;
    }
    if (b->synced && (!b->view.hub_known || !b->view.hub_online)) {
        const char *big = b->view.hub_degraded ? "!!  HUB CANNOT STORE CALLS  !!"
                          : b->view.hub_known  ? "!!  HUB OFFLINE  !!"
                                               : "!!  NO HUB SEEN  !!";
        const char *why = b->view.hub_degraded ? "its disk is full or read-only: calls wait at the broker until it can"
                          : b->view.hub_known  ? "presses are not becoming calls and ack/done are not applied"
                                              : "no hub has announced itself on this site - is `callbell hub` running?";
        if (last - y >= 8) {
            for (int i = 0; i < 3; i++)
                bar(y + i, pair(PAIR_BANNER) | A_BOLD);
            centred(y, pair(PAIR_BANNER) | A_BOLD, big);
            centred(y + 1, pair(PAIR_BANNER) | A_BOLD, why);
            y += 3;
        } else if (y <= last) {
            bar(y, pair(PAIR_BANNER) | A_BOLD);
            snprintf(line, sizeof line, "%s %s", big, why);
            put(y, 0, pair(PAIR_BANNER) | A_BOLD, line);
            y++;
        }
    }
    /* Devices: one line, as many as fit. */
    size_t used = 0, shown = 0, total = 0;
    line[0] = '\0';
    for (size_t i = 0; i < b->view.device_count; i++) {
        const cb_view_device *d = &b->view.devices[i];
        char item[96];
        if (!d->online)
            snprintf(item, sizeof item, "%s OFFLINE", d->id);
        else if (d->has_info && d->info.low_battery)
            snprintf(item, sizeof item, "%s battery low (%u mV)", d->id, (unsigned)d->info.battery_mv);
        else
            continue;
        total++;
        if (used + strlen(item) + 3 < (size_t)COLS - 10 && used + strlen(item) + 3 < sizeof line) {
            used += (size_t)snprintf(line + used, sizeof line - used, " ! %s", item);
            shown++;
        }
    }
    if (total > 0 && y <= last) {
        int x = put(y, 0, pair(PAIR_YELLOW) | A_BOLD, line);
        if (shown < total) {
            char more[32];
            snprintf(more, sizeof more, " (+%zu more)", total - shown);
            put(y, x, pair(PAIR_YELLOW), more);
        }
        y++;
    }
    return y;
}

/* The tile grid: every known table, coloured by its status. Returns the next row. */
static int draw_tiles(const cb_board *b, int y, int max_rows, uint64_t now)
{
    if (b->view.table_count == 0 || max_rows <= 0)
        return y;
    int x = 0, row = 0;
    size_t drawn = 0;
    for (size_t i = 0; i < b->view.table_count; i++) {
        const cb_state *s = &b->view.tables[i];
        char tile[48];
        snprintf(tile, sizeof tile, " %s ", s->table);
        int w = (int)strlen(tile);
        if (x > 0 && x + w > COLS - 8) { /* keep room for "+N" */
            if (++row >= max_rows)
                break;
            x = 0;
        }
        attr_t a = s->status == CB_IDLE ? A_DIM | A_REVERSE : pair(call_colour(s, now, true)) | A_BOLD;
        if (s->status != CB_IDLE && !has_colors())
            a = A_REVERSE | A_BOLD;
        put(y + row, x, a, tile);
        x += w + 1;
        drawn++;
    }
    if (drawn < b->view.table_count) {
        char more[32];
        snprintf(more, sizeof more, "+%zu", b->view.table_count - drawn);
        put(y + (row < max_rows ? row : max_rows - 1), COLS - (int)strlen(more) - 1, A_BOLD, more);
    }
    return y + (row < max_rows ? row + 1 : max_rows);
}

static void draw_calls(cb_board *b, int y, int last, uint64_t now)
{
    static const cb_state *calls[CB_BOARD_MAX_CALLS];
    size_t sel;
    size_t n = cb_board_calls(b, calls, CB_BOARD_MAX_CALLS, &sel);
    if (y > last)
        return;
    int tw = 5;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(calls[i]->table) > tw)
            tw = (int)strlen(calls[i]->table);
    int tw_max = COLS >= 100 ? CB_ID_MAX : 12; /* long ids only where they fit */
    if (tw > tw_max)
        tw = tw_max;
    char line[512];
    snprintf(line, sizeof line, "  %-*s  %-10s %-13s %7s  %-16s %s", tw, "TABLE", "KIND", "STATUS", "WAITING",
             "ACKED BY", "REPEATS");
    put(y++, 0, A_BOLD | A_UNDERLINE, line);
    if (n == 0) {
        put(y, 2, A_DIM, b->view.table_count ? "no open calls" : "no tables known yet");
        return;
    }
    int rows = last - y + 1;
    if (rows <= 0)
        return;
    if (sel < b->scroll)
        b->scroll = sel;
    if (sel >= b->scroll + (size_t)rows)
        b->scroll = sel - (size_t)rows + 1;
    if (b->scroll >= n)
        b->scroll = 0;
    size_t i = b->scroll;
    for (; i < n && y <= last; i++, y++) {
        const cb_state *s = calls[i];
        const char *kind = "?", *status = "?";
        cb_kind_name(s->kind, &kind);
        cb_table_status_name(s->status, &status);
        char kinds[24], wait[24], repeats[16];
        if (s->count > 1)
            snprintf(kinds, sizeof kinds, "%s x%u", kind, (unsigned)s->count);
        else
            snprintf(kinds, sizeof kinds, "%s", kind);
        format_wait(waited_ms(s, now), wait, sizeof wait);
        snprintf(repeats, sizeof repeats, "%u", (unsigned)s->repeats);
        snprintf(line, sizeof line, "%c %-*.*s  %-10s %-13s %7s  %-16.16s %s", i == sel ? '>' : ' ', tw, tw, s->table,
                 kinds, status, wait, s->status == CB_ACKNOWLEDGED ? s->acked_by : "-", repeats);
        attr_t a = pair(call_colour(s, now, false)) | (s->status == CB_CALLING ? A_BOLD : A_NORMAL);
        if (i == sel) {
            a |= A_REVERSE;
            bar(y, a);
        }
        put(y, 0, a, line);
    }
    if (i < n) {
        char more[32];
        snprintf(more, sizeof more, " %zu more ", n - i);
        put(last, COLS - (int)strlen(more) - 1, A_REVERSE, more);
    }
}

static void draw_footer(const cb_board *b, int msg_row, int keys_row)
{
    if (msg_row >= 0 && b->message[0])
        put(msg_row, 1, b->message_error ? pair(PAIR_RED) | A_BOLD : A_BOLD, b->message);
    if (keys_row >= 0) {
        char line[200];
        snprintf(line, sizeof line, " up/down j/k select   a ack   d done   q quit   (as %s)", b->name);
        bar(keys_row, A_REVERSE);
        put(keys_row, 0, A_REVERSE, line);
    }
}

void cb_render(cb_board *b, uint64_t now_ms)
{
    erase();
    if (LINES < 1 || COLS < 1)
        return;
    draw_title(b, now_ms);
    if (LINES < 3) { /* room for the title only: count what is waiting */
        static const cb_state *calls[CB_BOARD_MAX_CALLS];
        size_t sel;
        char line[64];
        snprintf(line, sizeof line, "%zu open", cb_board_calls(b, calls, CB_BOARD_MAX_CALLS, &sel));
        put(LINES - 1, 0, A_BOLD, line);
        return;
    }
    int keys_row = LINES - 1;
    int msg_row = LINES >= 6 ? LINES - 2 : -1;
    int last = (msg_row >= 0 ? msg_row : keys_row) - 1; /* last row for the body */
    int y = draw_warnings(b, 1, last);
    /* Tiles take at most a third of what is left, and nothing on a short screen:
     * the calls themselves matter more than the overview. */
    int tile_rows = (last - y + 1) / 3;
    if (tile_rows > 4)
        tile_rows = 4;
    if (last - y + 1 >= 6 && tile_rows > 0) {
        y = draw_tiles(b, y, tile_rows, now_ms);
        y++; /* a gap before the list */
    }
    draw_calls(b, y, last, now_ms);
    draw_footer(b, msg_row, keys_row);
}
