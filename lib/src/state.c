/* state.c - the retained table state (hub -> everyone), docs/protocol.md "state".
 *
 * Besides each field's own range, the table ties fields to the status: an idle
 * table has no kind, call 0, count 0, repeats 0, pressed_at 0; only an acknowledged
 * one has acked_by / acked_at. Those ties are checked too (CB_E_RANGE), so a board
 * never has to guess what a contradictory state means. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

/* The per-field rules shared by decoder and encoder, in table order after kind. */
static cb_status check_numbers(const cb_state *s)
{
    bool idle = (s->status == CB_IDLE);
    if (s->call > CB_FIELD_U64_MAX || (idle ? s->call != 0 : s->call == 0)) {
        return CB_E_RANGE;
    }
    if (idle ? s->count != 0 : s->count == 0) {
        return CB_E_RANGE;
    }
    if (idle && s->repeats != 0) {
        return CB_E_RANGE;
    }
    if (s->pressed_at > CB_FIELD_U64_MAX || (idle && s->pressed_at != 0)) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

static cb_status check_acked_by(const cb_state *s, size_t len)
{
    if (cb_field_has_control(s->acked_by, len) || (s->status != CB_ACKNOWLEDGED && len != 0)) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

static cb_status check_tail(const cb_state *s)
{
    if (s->acked_at > CB_FIELD_U64_MAX || (s->status != CB_ACKNOWLEDGED && s->acked_at != 0)) {
        return CB_E_RANGE;
    }
    if (s->updated_at > CB_FIELD_U64_MAX) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

cb_status cb_state_decode(const char *payload, size_t len, cb_state *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_state s;
    memset(&s, 0, sizeof s);
    int64_t v = 0;
    bool here = false;
    size_t n = 0;
    char status[16];

    if ((st = cb_field_id(&obj, "table", s.table)) != CB_OK) {
        return st;
    }
    st = cb_field_str(&obj, "status", true, status, sizeof status, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE; /* not one of the three names */
    }
    if (st != CB_OK || (st = cb_table_status_parse(status, n, &s.status)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_kind(&obj, "kind", s.status != CB_IDLE, &s.kind, &here)) != CB_OK) {
        return st;
    }
    if (here && s.kind == CB_KIND_CANCEL) {
        return CB_E_BAD_KIND; /* a cancel closes a call; it is never a call's kind */
    }
    if (!here) {
        s.kind = CB_KIND_CALL;
    }

    /* Each number's tie to the status is checked as soon as it is read, so the
     * first broken rule in table order is the one reported. */
    bool idle = (s.status == CB_IDLE);
    if ((st = cb_field_int(&obj, "call", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    if (idle ? v != 0 : v == 0) {
        return CB_E_RANGE;
    }
    s.call = (uint64_t)v;
    if ((st = cb_field_int(&obj, "count", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    if (idle ? v != 0 : v == 0) {
        return CB_E_RANGE;
    }
    s.count = (uint32_t)v;
    if ((st = cb_field_int(&obj, "repeats", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    if (idle && v != 0) {
        return CB_E_RANGE;
    }
    s.repeats = (uint32_t)v;
    if ((st = cb_field_int(&obj, "pressed_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    if (idle && v != 0) {
        return CB_E_RANGE;
    }
    s.pressed_at = (uint64_t)v;

    if ((st = cb_field_str(&obj, "acked_by", true, s.acked_by, sizeof s.acked_by, &n, NULL)) != CB_OK) {
        return st;
    }
    if ((st = check_acked_by(&s, n)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "acked_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    s.acked_at = (uint64_t)v;
    if ((st = check_tail(&s)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "updated_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    s.updated_at = (uint64_t)v;
    *out = s;
    return CB_OK;
}

cb_status cb_state_encode(const cb_state *state, char *buf, size_t cap, size_t *len)
{
    if (state == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const cb_state *s = state;
    const char *status = NULL;
    const char *kind = NULL;
    if (!cb_field_terminated(s->table, sizeof s->table) || cb_id_check(s->table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (cb_table_status_name(s->status, &status) != CB_OK) {
        return CB_E_RANGE;
    }
    if (s->status != CB_IDLE && (cb_kind_name(s->kind, &kind) != CB_OK || s->kind == CB_KIND_CANCEL)) {
        return CB_E_BAD_KIND;
    }
    cb_status st = check_numbers(s);
    if (st != CB_OK) {
        return st;
    }
    if (!cb_field_terminated(s->acked_by, sizeof s->acked_by)) {
        return CB_E_TOO_LONG;
    }
    if (!cb_field_utf8(s->acked_by)) {
        return CB_E_JSON;
    }
    if ((st = check_acked_by(s, strlen(s->acked_by))) != CB_OK || (st = check_tail(s)) != CB_OK) {
        return st;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "table", s->table);
    (void)cb_json_add_str(&w, "status", status);
    if (kind != NULL) {
        (void)cb_json_add_str(&w, "kind", kind);
    }
    (void)cb_json_add_int(&w, "call", (int64_t)s->call);
    (void)cb_json_add_int(&w, "count", s->count);
    (void)cb_json_add_int(&w, "repeats", s->repeats);
    (void)cb_json_add_int(&w, "pressed_at", (int64_t)s->pressed_at);
    (void)cb_json_add_str(&w, "acked_by", s->acked_by);
    (void)cb_json_add_int(&w, "acked_at", (int64_t)s->acked_at);
    (void)cb_json_add_int(&w, "updated_at", (int64_t)s->updated_at);
    return cb_json_end(&w, len);
}
