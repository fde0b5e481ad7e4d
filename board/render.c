/* render.c - the board's screen, top to bottom: title, warnings, table tiles, the
 * queue of open requests (one line each, waiting ones first, oldest first), feedback
 * line, keys. Sections give way to the queue on a small terminal; every write is
 * clipped, so any window size is safe.
 *
 * Colours have one meaning each, as on the web board: an age class of the core
 * (cb_age_class_of): new cyan, warn yellow, late red, acked green. */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "render.h"

#include "queue.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#define TILE_NAME_COLS 18 /* a tile shows this much of a long display name, then "…" */

enum {
    PAIR_NEW = 1, /* text pairs, one per age class (cb_age_class + 1) */
    PAIR_WARN,
    PAIR_LATE,
    PAIR_ACKED,
    PAIR_TILE_NEW, /* tile pairs, the same colours as backgrounds */
    PAIR_TILE_WARN,
    PAIR_TILE_LATE,
    PAIR_TILE_ACKED,
    PAIR_BANNER,
};

void cb_render_init_colours(void)
{
    if (!has_colors())
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_NEW, COLOR_CYAN, -1);
    init_pair(PAIR_WARN, COLOR_YELLOW, -1);
    init_pair(PAIR_LATE, COLOR_RED, -1);
    init_pair(PAIR_ACKED, COLOR_GREEN, -1);
    init_pair(PAIR_TILE_NEW, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_TILE_WARN, COLOR_BLACK, COLOR_YELLOW);
    init_pair(PAIR_TILE_LATE, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_TILE_ACKED, COLOR_BLACK, COLOR_GREEN);
    init_pair(PAIR_BANNER, COLOR_WHITE, COLOR_RED);
}

static attr_t pair(int p)
{
    return has_colors() ? (attr_t)COLOR_PAIR(p) : A_NORMAL;
}

/* Writes s at (y, x), clipped to the window; returns the column after it. */
static int fit_text(const char *s, int cols, bool pad, char *out, size_t cap);

static int put(int y, int x, attr_t attr, const char *s)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS)
        return x;
    int room = COLS - x;
    if (y == LINES - 1)
        room--; /* the bottom-right cell would scroll some terminals */
    if (room <= 0)
        return x;
    char fitted[1024]; /* cut by columns, never in half a UTF-8 character */
    int n = fit_text(s, room, false, fitted, sizeof fitted);
    attron(attr);
    mvaddstr(y, x, fitted);
    attroff(attr);
    return x + n;
}

/* ---- display names: UTF-8, measured in terminal columns, not bytes ---------- */

/* Copies the UTF-8 text s into out[cap], at most `cols` columns wide; a name cut
 * short ends in "…" (or "." where the locale has no UTF-8), never in half a
 * character. With pad, fills up to `cols` with spaces. Returns the columns used. */
static int fit_text(const char *s, int cols, bool pad, char *out, size_t cap)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = 0, len = strlen(s);
    int used = 0;
    const char *ellipsis = MB_CUR_MAX > 1 ? "\xe2\x80\xa6" : ".";
    for (size_t i = 0; i < len;) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, len - i, &st);
        int w = 1;
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            k = 1; /* a byte this locale cannot read: one column, as the terminal shows it */
            memset(&st, 0, sizeof st);
        } else if (wcwidth(wc) >= 0) {
            w = wcwidth(wc);
        }
        /* room for the ellipsis unless this is the last character */
        int need = used + w + (i + k < len ? 1 : 0);
        if (need > cols && !(i + k == len && used + w <= cols)) {
            size_t e = strlen(ellipsis);
            if (used < cols && n + e < cap) {
                memcpy(out + n, ellipsis, e);
                n += e;
                used++;
            }
            break;
        }
        if (n + k >= cap)
            break;
        memcpy(out + n, s + i, k);
        n += k;
        used += w;
        i += k;
    }
    while (pad && used < cols && n + 1 < cap) {
        out[n++] = ' ';
        used++;
    }
    out[n] = '\0';
    return used;
}

/* Columns the UTF-8 text s takes (bytes when the locale cannot tell). */
static int text_cols(const char *s)
{
    char buf[512];
    return fit_text(s, 1000, false, buf, sizeof buf);
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

static int class_pair(cb_age_class c, bool tile)
{
    switch (c) {
    case CB_AGE_NEW:
        return tile ? PAIR_TILE_NEW : PAIR_NEW;
    case CB_AGE_WARN:
        return tile ? PAIR_TILE_WARN : PAIR_WARN;
    case CB_AGE_ACKED:
        return tile ? PAIR_TILE_ACKED : PAIR_ACKED;
    default:
        return tile ? PAIR_TILE_LATE : PAIR_LATE;
    }
}

/* A request's colour; late (the loudest) if the thresholds are unusable. */
static attr_t request_attr(const cb_board *b, const cb_request *r, uint64_t now, bool tile)
{
    cb_age_class c = CB_AGE_LATE;
    cb_site_view_age(&b->view, r, now, &c);
    return pair(class_pair(c, tile));
}

static void format_wait(uint64_t pressed_at, uint64_t now, char *buf, size_t cap)
{
    uint64_t s = 0;
    cb_waiting_s(pressed_at, now, &s);
    snprintf(buf, cap, "%02llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

static void draw_title(const cb_board *b, uint64_t now)
{
    bar(0, A_REVERSE);
    char line[800];
    const char *hub = !b->view.hub_known     ? "hub ?"
                      : b->view.hub_online   ? "hub online"
                      : b->view.hub_degraded ? "hub CANNOT STORE CALLS"
                                             : "hub OFFLINE";
    char site[CB_DISPLAY_NAME_MAX + CB_ID_SIZE + 8];
    if (b->view.has_site && strcmp(b->view.site_name, b->view.site) != 0)
        snprintf(site, sizeof site, "%s (%s)", b->view.site_name, b->view.site);
    else
        snprintf(site, sizeof site, "%s", b->view.site);
    snprintf(line, sizeof line, " callbell board | site %s | %s | %s%s%s", site, b->broker_shown,
             b->connected ? hub : "not connected", b->note[0] ? " | " : "", b->note);
    put(0, 0, A_REVERSE | A_BOLD, line);
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    char clock[16];
    strftime(clock, sizeof clock, " %H:%M:%S ", &tm);
    if (COLS > text_cols(line) + (int)strlen(clock))
        put(0, COLS - (int)strlen(clock), A_REVERSE, clock);
}

/* Returns the next free row. A missing hub is the one thing that makes the whole
 * board wrong, so it gets three rows when the screen allows. */
static int draw_warnings(const cb_board *b, int y, int last)
{
    char line[512];
    if (b->event[0] && y <= last)
        put(y++, 0, A_BOLD, b->event);
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
        int x = put(y, 0, A_BOLD, line); /* not yellow: yellow means a guest waits a while */
        if (shown < total) {
            char more[32];
            snprintf(more, sizeof more, " (+%zu more)", total - shown);
            put(y, x, A_NORMAL, more);
        }
        y++;
    }
    return y;
}

/* One table's tile at (y, x): its id in the colour of its most urgent request,
 * then each open request's kind in its own colour. Returns the width drawn. */
static int draw_tile(const cb_board *b, const cb_state *s, int y, int x, uint64_t now)
{
    char name[4 * TILE_NAME_COLS + 8], id[sizeof name + 2];
    int cols = fit_text(cb_site_view_table_name(&b->view, s->table), TILE_NAME_COLS, false, name, sizeof name);
    snprintf(id, sizeof id, " %s ", name);
    cb_age_class c = CB_AGE_LATE;
    if (s->n_requests == 0) {
        put(y, x, A_DIM | A_REVERSE, id);
        return cols + 2;
    }
    cb_site_view_table_age(&b->view, s, now, &c);
    attr_t bold = has_colors() ? A_BOLD : A_BOLD | A_REVERSE;
    int end = put(y, x, pair(class_pair(c, true)) | bold, id);
    for (uint32_t i = 0; i < s->n_requests; i++) {
        char item[24];
        snprintf(item, sizeof item, "%s ", cb_board_kind_word(s->requests[i].kind));
        end = put(y, end, request_attr(b, &s->requests[i], now, true) | (has_colors() ? A_NORMAL : A_REVERSE), item);
    }
    return end - x;
}

static int tile_width(const cb_board *b, const cb_state *s)
{
    char name[4 * TILE_NAME_COLS + 8];
    int w = fit_text(cb_site_view_table_name(&b->view, s->table), TILE_NAME_COLS, false, name, sizeof name) + 2;
    for (uint32_t i = 0; i < s->n_requests; i++)
        w += (int)strlen(cb_board_kind_word(s->requests[i].kind)) + 1;
    return w;
}

/* The tile grid: every known table with its requests. Returns the next row. */
static int draw_tiles(const cb_board *b, int y, int max_rows, uint64_t now)
{
    if (b->view.table_count == 0 || max_rows <= 0)
        return y;
    int x = 0, row = 0;
    size_t drawn = 0;
    for (size_t i = 0; i < b->view.table_count; i++) {
        const cb_state *s = &b->view.tables[i];
        int w = tile_width(b, s);
        if (x > 0 && x + w > COLS - 8) { /* keep room for "+N" */
            if (++row >= max_rows)
                break;
            x = 0;
        }
        draw_tile(b, s, y + row, x, now);
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

/* "new warn late acked", each in its colour, right-aligned on row y when it fits. */
static void draw_legend(int y, int from_x)
{
    static const cb_age_class classes[] = {CB_AGE_NEW, CB_AGE_WARN, CB_AGE_LATE, CB_AGE_ACKED};
    int width = 0;
    for (size_t i = 0; i < 4; i++) {
        const char *name = "?";
        cb_age_class_name(classes[i], &name);
        width += (int)strlen(name) + 1;
    }
    int x = COLS - width - 1;
    if (!has_colors() || x <= from_x + 1)
        return;
    for (size_t i = 0; i < 4; i++) {
        const char *name = "?";
        cb_age_class_name(classes[i], &name);
        x = put(y, x, pair(class_pair(classes[i], true)), name) + 1;
    }
}

static void draw_queue(cb_board *b, int y, int last, uint64_t now)
{
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    if (y > last)
        return;
    int tw = 5;
    for (size_t i = 0; i < n; i++) {
        int w = text_cols(cb_site_view_table_name(&b->view, q[i].table));
        if (w > tw)
            tw = w;
    }
    int tw_max = COLS >= 100 ? CB_ID_MAX : 12; /* long names only where they fit */
    if (tw > tw_max)
        tw = tw_max;
    char line[512];
    int end = snprintf(line, sizeof line, "  %-*s  %-10s %-13s %7s  %-16s %s", tw, "TABLE", "KIND", "STATUS", "WAITING",
                       "ACKED BY", "REPEATS");
    put(y, 0, A_BOLD | A_UNDERLINE, line);
    draw_legend(y++, end);
    if (n == 0) {
        put(y, 2, A_DIM, b->view.table_count ? "no open requests" : "no tables known yet");
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
        const cb_request *r = &q[i].req;
        const char *status = "?";
        cb_table_status_name(r->status, &status);
        char kind[24], wait[24];
        if (r->count > 1)
            snprintf(kind, sizeof kind, "%s x%u", cb_board_kind_word(r->kind), (unsigned)r->count);
        else
            snprintf(kind, sizeof kind, "%s", cb_board_kind_word(r->kind));
        format_wait(r->pressed_at, now, wait, sizeof wait);
        char name[4 * CB_ID_MAX + 8];
        fit_text(cb_site_view_table_name(&b->view, q[i].table), tw, true, name, sizeof name);
        /* who hears it once it has left its section: "-> floor", "-> manager" */
        const char *level = r->level == CB_LEVEL_MANAGER                            ? " -> manager"
                            : r->level == CB_LEVEL_FLOOR && q[i].section[0] != '\0' ? " -> floor"
                                                                                    : "";
        snprintf(line, sizeof line, "%c %s  %-10s %-13s %7s  %-16.16s %u%s", i == sel ? '>' : ' ', name, kind, status,
                 wait, r->status == CB_ACKNOWLEDGED ? r->acked_by : "-", (unsigned)r->repeats, level);
        attr_t a = request_attr(b, r, now, false) | (r->status == CB_CALLING ? A_BOLD : A_NORMAL);
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
        put(msg_row, 1, b->message_error ? A_BOLD | A_REVERSE : A_BOLD, b->message);
    if (keys_row < 0)
        return;
    char line[400];
    char where[CB_SECTIONS_TEXT_MAX + 40] = "not signed in";
    if (b->view.signed_in) {
        size_t n =
            (size_t)snprintf(where, sizeof where, "%s in ", b->view.me.role == CB_ROLE_MANAGER ? "manager" : "staff");
        for (uint32_t i = 0; i < b->view.me.n_sections && n < sizeof where; i++)
            n += (size_t)snprintf(where + n, sizeof where - n, "%s%s", i ? "," : "", b->view.me.sections[i]);
        if (b->view.me.n_sections == 0 && n < sizeof where)
            snprintf(where + n, sizeof where - n, "no section");
    }
    if (b->editing_name)
        snprintf(line, sizeof line, " your name: %s_   (Enter to use it, Esc to keep %s)", b->name_edit, b->name);
    else if (b->editing_jump)
        snprintf(line, sizeof line, " go to table: %s_   (Enter selects its oldest open request, Esc)", b->jump_edit);
    else if (b->editing_sections)
        snprintf(line, sizeof line, " sign in to sections: %s_   (e.g. patio,bar; Enter; empty signs out; Esc)",
                 b->sections_edit);
    else
        snprintf(line, sizeof line,
                 " j/k select  / table  a/d ack/done  A/D table  n name  s sections  q quit  (as %s, %s)", b->name,
                 where);
    bar(keys_row, A_REVERSE);
    put(keys_row, 0, A_REVERSE, line);
}

void cb_render(cb_board *b, uint64_t now_ms)
{
    erase();
    if (LINES < 1 || COLS < 1)
        return;
    draw_title(b, now_ms);
    if (LINES < 3) { /* room for the title only: count what is waiting */
        size_t n, sel;
        cb_board_queue(b, &n, &sel);
        char line[64];
        snprintf(line, sizeof line, "%zu open", n);
        put(LINES - 1, 0, A_BOLD, line);
        return;
    }
    int keys_row = LINES - 1;
    int msg_row = LINES >= 6 ? LINES - 2 : -1;
    int last = (msg_row >= 0 ? msg_row : keys_row) - 1; /* last row for the body */
    int y = draw_warnings(b, 1, last);
    /* Tiles take at most a third of what is left, and nothing on a short screen:
     * the requests themselves matter more than the overview. */
    int tile_rows = (last - y + 1) / 3;
    if (tile_rows > 4)
        tile_rows = 4;
    if (last - y + 1 >= 6 && tile_rows > 0) {
        y = draw_tiles(b, y, tile_rows, now_ms);
        y++; /* a gap before the list */
    }
    draw_queue(b, y, last, now_ms);
    draw_footer(b, msg_row, keys_row);
}
