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
    return cb_json_end(&w, len);
}
