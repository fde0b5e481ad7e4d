/* message.c - see message.h. */
#include "message.h"

#include <cjson/cJSON.h>
#include <stdio.h>

static const char *kind_word(cb_kind k)
{
    return k == CB_KIND_BILL ? "bill" : k == CB_KIND_WATER ? "water" : "call";
}

static const char *asks_for(cb_kind k)
{
    return k == CB_KIND_BILL ? "asks for the bill" : k == CB_KIND_WATER ? "asks for water" : "calls a waiter";
}

void cb_msg_title(const cb_notification *n, char *title, size_t cap)
{
    if (n->level == 0)
        snprintf(title, cap, "Table %s: %s", n->table, kind_word(n->request.kind));
    else
        snprintf(title, cap, "Table %s: %s, re-alert %u", n->table, kind_word(n->request.kind), n->level);
}

void cb_msg_text(const cb_notification *n, uint64_t now_ms, char *text, size_t cap)
{
    uint64_t waiting = 0;
    cb_waiting_s(n->request.pressed_at, now_ms, &waiting);
    if (n->level == 0) {
        if (n->request.count > 1)
            snprintf(text, cap, "Table %s %s (%u presses)", n->table, asks_for(n->request.kind), n->request.count);
        else
            snprintf(text, cap, "Table %s %s", n->table, asks_for(n->request.kind));
    } else {
        snprintf(text, cap, "Table %s %s: still waiting after %llu min %02llu s", n->table, asks_for(n->request.kind),
                 (unsigned long long)(waiting / 60), (unsigned long long)(waiting % 60));
    }
}

char *cb_msg_webhook_json(const char *site, const cb_notification *n, uint64_t now_ms, const char *board_url)
{
    char title[CB_MSG_TITLE_SIZE], text[CB_MSG_TEXT_SIZE];
    uint64_t waiting = 0;
    const char *status = "calling";
    cb_msg_title(n, title, sizeof title);
    cb_msg_text(n, now_ms, text, sizeof text);
    cb_waiting_s(n->request.pressed_at, now_ms, &waiting);
    cb_table_status_name(n->request.status, &status);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "v", 1);
    cJSON_AddStringToObject(o, "site", site);
    cJSON_AddStringToObject(o, "event", n->level == 0 ? "request" : "escalation");
    cJSON_AddStringToObject(o, "table", n->table);
    cJSON_AddStringToObject(o, "kind", kind_word(n->request.kind));
    cJSON_AddNumberToObject(o, "call", (double)n->request.call);
    cJSON_AddNumberToObject(o, "level", n->level);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "count", n->request.count);
    cJSON_AddNumberToObject(o, "pressed_at", (double)n->request.pressed_at);
    cJSON_AddNumberToObject(o, "waiting_s", (double)waiting);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "message", text);
    if (board_url && board_url[0])
        cJSON_AddStringToObject(o, "url", board_url);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
