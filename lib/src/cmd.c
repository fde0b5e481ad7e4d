/* cmd.c - the staff command (staff -> hub), docs/protocol.md "cmd". */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

/* Staff name: one rule for every program (cb_name_check). */
static cb_status check_by(const char *by, size_t len)
{
    return cb_name_check(by, len);
}

cb_status cb_cmd_decode(const char *payload, size_t len, cb_cmd *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_cmd c;
    memset(&c, 0, sizeof c);
    char action[8];
    size_t n = 0;
    int64_t v = 0;
    bool here = false;

    st = cb_field_str(&obj, "action", true, action, sizeof action, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_BAD_ACTION;
    }
    if (st != CB_OK || (st = cb_action_parse(action, n, &c.action)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_str(&obj, "by", true, c.by, sizeof c.by, &n, NULL)) != CB_OK) {
        return st;
    }
    if ((st = check_by(c.by, n)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_kind(&obj, "kind", false, &c.kind, &c.has_kind)) != CB_OK) {
        return st;
    }
    if (c.has_kind && c.kind == CB_KIND_CANCEL) {
        return CB_E_BAD_KIND; /* never a request's kind */
    }
    /* Call ids start at 1 (docs/protocol.md "state"), so 0 names no call. */
    if ((st = cb_field_int(&obj, "call", false, 1, INT64_MAX, &v, &here)) != CB_OK) {
        return st;
    }
    c.has_call = here;
    c.call = here ? (uint64_t)v : 0;
    const cb_json_member *from = NULL;
    if (cb_json_find(&obj, "from", &from) == CB_OK && (st = cb_field_id(&obj, "from", c.from)) != CB_OK) {
        return st;
    }
    *out = c;
    return CB_OK;
}

cb_status cb_cmd_encode(const cb_cmd *cmd, char *buf, size_t cap, size_t *len)
{
    if (cmd == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const char *action = NULL;
    if (cb_action_name(cmd->action, &action) != CB_OK) {
        return CB_E_BAD_ACTION;
    }
    if (!cb_field_terminated(cmd->by, sizeof cmd->by)) {
        return CB_E_TOO_LONG;
    }
    cb_status st = check_by(cmd->by, strlen(cmd->by));
    if (st != CB_OK) {
        return st;
    }
    if (!cb_field_utf8(cmd->by)) {
        return CB_E_JSON;
    }
    const char *kind = NULL;
    if (cmd->has_kind && (cb_kind_name(cmd->kind, &kind) != CB_OK || cmd->kind == CB_KIND_CANCEL)) {
        return CB_E_BAD_KIND;
    }
    if (cmd->has_call && (cmd->call == 0 || cmd->call > CB_FIELD_U64_MAX)) {
        return CB_E_RANGE;
    }
    if (!cb_field_terminated(cmd->from, sizeof cmd->from) || (cmd->from[0] && cb_id_check(cmd->from) != CB_OK)) {
        return CB_E_BAD_ID;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "action", action);
    (void)cb_json_add_str(&w, "by", cmd->by);
    if (kind != NULL) {
        (void)cb_json_add_str(&w, "kind", kind);
    }
    if (cmd->has_call) {
        (void)cb_json_add_int(&w, "call", (int64_t)cmd->call);
    }
    if (cmd->from[0] != '\0') {
        (void)cb_json_add_str(&w, "from", cmd->from);
    }
    return cb_json_end(&w, len);
}

cb_status cb_cmd_reply_decode(const char *payload, size_t len, cb_cmd_reply *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_cmd_reply r;
    memset(&r, 0, sizeof r);
    char action[8];
    size_t n = 0;
    int64_t v = 0;
    if ((st = cb_field_id(&obj, "table", r.table)) != CB_OK) {
        return st;
    }
    st = cb_field_str(&obj, "action", true, action, sizeof action, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_BAD_ACTION;
    }
    if (st != CB_OK || (st = cb_action_parse(action, n, &r.action)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "call", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.call = (uint64_t)v;
    if ((st = cb_field_bool(&obj, "ok", true, &r.ok, NULL)) != CB_OK) {
        return st;
    }
    if (!r.ok && (st = cb_field_refusal(&obj, r.error, sizeof r.error, r.reason, sizeof r.reason)) != CB_OK) {
        return st;
    }
    *out = r;
    return CB_OK;
}

cb_status cb_cmd_reply_encode(const cb_cmd_reply *reply, char *buf, size_t cap, size_t *len)
{
    if (reply == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const cb_cmd_reply *r = reply;
    const char *action = NULL;
    if (!cb_field_terminated(r->table, sizeof r->table) || cb_id_check(r->table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (cb_action_name(r->action, &action) != CB_OK) {
        return CB_E_BAD_ACTION;
    }
    if (r->call > CB_FIELD_U64_MAX) {
        return CB_E_RANGE;
    }
    cb_status st = r->ok ? CB_OK : cb_field_refusal_check(r->error, sizeof r->error, r->reason, sizeof r->reason);
    if (st != CB_OK) {
        return st;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "table", r->table);
    (void)cb_json_add_str(&w, "action", action);
    (void)cb_json_add_int(&w, "call", (int64_t)r->call);
    (void)cb_json_add_bool(&w, "ok", r->ok);
    if (!r->ok) {
        (void)cb_json_add_str(&w, "error", r->error);
        (void)cb_json_add_str(&w, "reason", r->reason);
    }
    return cb_json_end(&w, len);
}
