/* queue.c - see queue.h. */
#include "queue.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const cb_view_request *cb_board_queue(cb_board *b, size_t *n, size_t *selected)
{
    const cb_view_request *q = cb_site_view_requests(&b->view, n);
    *selected = 0;
    for (size_t i = 0; i < *n; i++)
        if (q[i].req.call == b->selected_call)
            *selected = i;
    return q;
}

void cb_board_move(cb_board *b, long delta)
{
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    if (n == 0)
        return;
    size_t i;
    if (delta < 0)
        i = (size_t) - (delta + 1) >= sel ? 0 : sel - (size_t) - (delta + 1) - 1;
    else
        i = (size_t)delta >= n - 1 - sel ? n - 1 : sel + (size_t)delta;
    b->selected_call = q[i].req.call;
}

void cb_board_keep_selection(cb_board *b)
{
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    if (n > 0)
        b->selected_call = q[sel].req.call;
}

static void target_of(const cb_board *b, const char *table, const cb_request *r, cb_action action, cb_board_target *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->table, sizeof t->table, "%s", table);
    t->cmd.action = action;
    t->cmd.has_call = true;
    t->cmd.call = r->call;
    t->cmd.has_kind = true;
    t->cmd.kind = r->kind;
    snprintf(t->cmd.by, sizeof t->cmd.by, "%s", b->name);
    snprintf(t->cmd.from, sizeof t->cmd.from, "%s", b->client_id);
}

size_t cb_board_targets(cb_board *b, cb_action action, bool whole_table, cb_board_target out[CB_REQUEST_MAX])
{
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    if (n == 0)
        return 0;
    if (!whole_table) {
        target_of(b, q[sel].table, &q[sel].req, action, &out[0]);
        return 1;
    }
    /* the table's state holds its requests oldest first, which is the order to send */
    char table[CB_ID_SIZE];
    snprintf(table, sizeof table, "%s", q[sel].table);
    size_t count = 0;
    for (size_t i = 0; i < b->view.table_count; i++) {
        const cb_state *s = &b->view.tables[i];
        if (strcmp(s->table, table) != 0)
            continue;
        for (uint32_t k = 0; k < s->n_requests && count < CB_REQUEST_MAX; k++)
            target_of(b, table, &s->requests[k], action, &out[count++]);
    }
    return count;
}

const char *cb_board_kind_word(cb_kind kind)
{
    const char *name = "?";
    cb_kind_name(kind, &name);
    return name;
}

/* snprintf at buf + *used that never moves *used past the end (the text is cut). */
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
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

void cb_board_targets_text(const cb_board_target *t, size_t n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (n == 0)
        return;
    const char *verb = "?";
    cb_action_name(t[0].cmd.action, &verb);
    append(buf, cap, &used, "%s table %s:", verb, t[0].table);
    for (size_t i = 0; i < n; i++)
        append(buf, cap, &used, "%s %s #%llu", i ? "," : "", cb_board_kind_word(t[i].cmd.kind),
               (unsigned long long)t[i].cmd.call);
}

void cb_board_note_sent(cb_board *b, const cb_board_target *t)
{
    cb_board_sent *s = &b->sent[b->sent_next];
    b->sent_next = (b->sent_next + 1) % CB_BOARD_SENT_MAX;
    memset(s, 0, sizeof *s);
    snprintf(s->table, sizeof s->table, "%s", t->table);
    s->call = t->cmd.call;
    s->action = t->cmd.action;
    s->kind = t->cmd.kind;
    snprintf(s->by, sizeof s->by, "%s", t->cmd.by);
}

/* The command an answer is about, newest first; NULL when it is not remembered. */
static const cb_board_sent *sent_for(const cb_board *b, const cb_cmd_reply *r)
{
    for (size_t i = 1; i <= CB_BOARD_SENT_MAX; i++) {
        const cb_board_sent *s = &b->sent[(b->sent_next + CB_BOARD_SENT_MAX - i) % CB_BOARD_SENT_MAX];
        if (s->table[0] && s->call == r->call && s->action == r->action && strcmp(s->table, r->table) == 0)
            return s;
    }
    return NULL;
}

/* The hub's reason reads "done by Ana: names a request ..."; the line names the
 * command already, so a prefix that repeats it goes. */
static const char *reason_text(const cb_cmd_reply *r, const cb_board_sent *s, const char *verb)
{
    char prefix[CB_NAME_SIZE + 16];
    if (s == NULL || r->reason[0] == '\0')
        return r->reason[0] ? r->reason : r->error;
    snprintf(prefix, sizeof prefix, "%s by %s: ", verb, s->by);
    size_t n = strlen(prefix);
    return strncmp(r->reason, prefix, n) == 0 && r->reason[n] ? r->reason + n : r->reason;
}

cb_status cb_board_answer(cb_board *b, const void *payload, size_t len, uint64_t now_ms)
{
    cb_cmd_reply r;
    cb_status st = cb_cmd_reply_decode(payload, len, &r);
    if (st != CB_OK)
        return st;
    const cb_board_sent *s = sent_for(b, &r);
    const char *verb = "?";
    cb_action_name(r.action, &verb);
    char what[120];
    size_t used = 0;
    what[0] = '\0';
    append(what, sizeof what, &used, "%s table %s", verb, r.table);
    if (r.call != 0)
        append(what, sizeof what, &used, ":%s%s #%llu", s ? " " : "", s ? cb_board_kind_word(s->kind) : "",
               (unsigned long long)r.call);
    if (!r.ok) {
        snprintf(b->message, sizeof b->message, "%s refused: %s", what, reason_text(&r, s, verb));
        b->message_error = true;
        b->message_ours = false;
        b->message_held_until = now_ms + CB_BOARD_REFUSAL_HOLD_MS;
    } else if (b->message_ours && !cb_board_line_held(b, now_ms)) {
        snprintf(b->message, sizeof b->message, "%s applied", what);
        b->message_error = false;
    }
    return CB_OK;
}

bool cb_board_line_held(const cb_board *b, uint64_t now_ms)
{
    return now_ms < b->message_held_until;
}

void cb_board_news_text(const cb_site_view *v, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (v->news_count == 0)
        return;
    const char *name = cb_site_view_table_name(v, v->news_table);
    if (strcmp(name, v->news_table) != 0)
        append(buf, cap, &used, "%s:", name); /* "Patio 2: water requested" */
    else
        append(buf, cap, &used, "table %s:", v->news_table);
    for (size_t i = 0; i < v->news_count; i++) {
        const cb_view_news *e = &v->news[i];
        append(buf, cap, &used, "%s %s ", i ? "," : "", cb_board_kind_word(e->req.kind));
        switch (e->type) {
        case CB_NEWS_NEW:
            append(buf, cap, &used, "requested");
            break;
        case CB_NEWS_REALERT:
            append(buf, cap, &used, "calling again (repeat %u)", (unsigned)e->req.repeats);
            break;
        case CB_NEWS_ACKED:
            append(buf, cap, &used, "acknowledged by %s", e->req.acked_by);
            break;
        case CB_NEWS_CLOSED:
            append(buf, cap, &used, "closed");
            break;
        }
    }
}

cb_status cb_board_set_name(cb_board *b, const char *name)
{
    if (name == NULL)
        return CB_E_ARG;
    cb_status st = cb_name_check(name, strlen(name));
    if (st == CB_OK)
        snprintf(b->name, sizeof b->name, "%s", name);
    return st;
}
