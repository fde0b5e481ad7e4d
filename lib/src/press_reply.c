/* press_reply.c - the hub's answer to a press (hub -> presser), docs/protocol.md
 * "press reply". The device drops a press from its outbox on it; `callbell press`
 * prints it. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

cb_status cb_press_reply_decode(const char *payload, size_t len, cb_press_reply *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    int64_t v = 0;
    if ((st = cb_field_int(&obj, "boot", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.boot = (uint32_t)v;
    if ((st = cb_field_int(&obj, "seq", true, 1, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.seq = (uint32_t)v;
    if ((st = cb_field_bool(&obj, "ok", true, &r.ok, NULL)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_id(&obj, "table", r.table)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_kind(&obj, "kind", true, &r.kind, NULL)) != CB_OK) {
        return st;
    }
    bool here = false;
    if ((st = cb_field_int(&obj, "call", false, 0, INT64_MAX, &v, &here)) != CB_OK) {
        return st;
    }
    r.call = r.ok && here ? (uint64_t)v : 0;
    if (!r.ok && (st = cb_field_refusal(&obj, r.error, sizeof r.error, r.reason, sizeof r.reason)) != CB_OK) {
        return st;
    }
    *out = r;
    return CB_OK;
}

cb_status cb_press_reply_encode(const cb_press_reply *reply, char *buf, size_t cap, size_t *len)
{
    if (reply == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const cb_press_reply *r = reply;
    const char *kind = NULL;
    if (r->seq == 0) {
        return CB_E_RANGE;
    }
    if (!cb_field_terminated(r->table, sizeof r->table) || cb_id_check(r->table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (cb_kind_name(r->kind, &kind) != CB_OK) {
        return CB_E_BAD_KIND;
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
    (void)cb_json_add_int(&w, "boot", r->boot);
    (void)cb_json_add_int(&w, "seq", r->seq);
    (void)cb_json_add_bool(&w, "ok", r->ok);
    (void)cb_json_add_str(&w, "table", r->table);
    (void)cb_json_add_str(&w, "kind", kind);
    if (r->ok) {
        (void)cb_json_add_int(&w, "call", (int64_t)r->call);
    } else {
        (void)cb_json_add_str(&w, "error", r->error);
        (void)cb_json_add_str(&w, "reason", r->reason);
    }
    return cb_json_end(&w, len);
}
