/* state.c - the retained table state (hub -> everyone), docs/protocol.md "state".
 *
 * A table carries up to three open requests, one per kind, oldest first. Besides each
 * field's own range, the rules tie fields together: only an acknowledged request has
 * acked_by / acked_at; no two requests share a kind; the order is (pressed_at, call);
 * the top-level status is the one cb_state_status derives. Those ties are checked
 * too (CB_E_RANGE), so a board never has to guess what a contradictory state means. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

#define REQUEST_JSON_MAX 340 /* one request object: ~270 bytes at the widest */

cb_status cb_state_status(const cb_state *state, cb_table_status *out)
{
    if (state == NULL || out == NULL) {
        return CB_E_ARG;
    }
    if (state->n_requests > CB_REQUEST_MAX) {
        return CB_E_RANGE;
    }
    cb_table_status st = CB_IDLE;
    for (uint32_t i = 0; i < state->n_requests; i++) {
        if (state->requests[i].status == CB_CALLING) {
            st = CB_CALLING;
        } else if (st == CB_IDLE) {
            st = CB_ACKNOWLEDGED;
        }
    }
    *out = st;
    return CB_OK;
}

/* The rules of one request shared by decoder and encoder (the acked_by text itself
 * is checked by the caller: it arrives escaped in one, as a C string in the other). */
static cb_status check_request(const cb_request *r, size_t acked_by_len)
{
    bool acked = (r->status == CB_ACKNOWLEDGED);
    if (r->status != CB_CALLING && !acked) {
        return CB_E_RANGE;
    }
    if (r->call == 0 || r->call > CB_FIELD_U64_MAX || r->count == 0 || r->pressed_at > CB_FIELD_U64_MAX) {
        return CB_E_RANGE;
    }
    if (acked ? cb_name_check(r->acked_by, acked_by_len) != CB_OK : acked_by_len != 0) {
        return CB_E_RANGE;
    }
    if (r->acked_at > CB_FIELD_U64_MAX || (!acked && r->acked_at != 0)) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

/* Ties between the requests: one per kind, oldest first, status derived from them. */
static cb_status check_set(const cb_state *s)
{
    for (uint32_t i = 0; i < s->n_requests; i++) {
        for (uint32_t j = 0; j < i; j++) {
            const cb_request *a = &s->requests[j], *b = &s->requests[i];
            if (a->kind == b->kind || a->call == b->call) {
                return CB_E_RANGE; /* one request per kind, and an id names one request */
            }
            if (a->pressed_at > b->pressed_at || (a->pressed_at == b->pressed_at && a->call >= b->call)) {
                return CB_E_RANGE;
            }
        }
    }
    cb_table_status derived;
    if (cb_state_status(s, &derived) != CB_OK || derived != s->status) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

static cb_status decode_request(const char *text, size_t len, cb_request *out)
{
    cb_json_object obj;
    cb_status st = cb_json_parse(text, len, &obj);
    if (st == CB_E_JSON) {
        return CB_E_TYPE; /* validated as JSON already: it is not an object */
    }
    if (st != CB_OK) {
        return st == CB_E_FULL ? CB_E_TOO_LONG : st;
    }
    cb_request r;
    memset(&r, 0, sizeof r);
    int64_t v = 0;
    size_t n = 0;
    char status[16];
    if ((st = cb_field_kind(&obj, "kind", true, &r.kind, NULL)) != CB_OK) {
        return st;
    }
    if (r.kind == CB_KIND_CANCEL) {
        return CB_E_BAD_KIND; /* a cancel closes requests; it is never one */
    }
    if ((st = cb_field_int(&obj, "call", true, 1, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.call = (uint64_t)v;
    st = cb_field_str(&obj, "status", true, status, sizeof status, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE;
    }
    if (st != CB_OK || (st = cb_table_status_parse(status, n, &r.status)) != CB_OK) {
        return st;
    }
    if (r.status == CB_IDLE) {
        return CB_E_RANGE; /* a request is open: calling or acknowledged */
    }
    if ((st = cb_field_int(&obj, "count", true, 1, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.count = (uint32_t)v;
    if ((st = cb_field_int(&obj, "repeats", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.repeats = (uint32_t)v;
    char level[16];
    bool has_level = false;
    st = cb_field_str(&obj, "level", false, level, sizeof level, &n, &has_level);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE;
    }
    if (st != CB_OK) {
        return st;
    }
    r.level = CB_LEVEL_FLOOR; /* a hub without sections rang everyone */
    if (has_level && (st = cb_level_parse(level, n, &r.level)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "pressed_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.pressed_at = (uint64_t)v;
    if ((st = cb_field_str(&obj, "acked_by", true, r.acked_by, sizeof r.acked_by, &n, NULL)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "acked_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    r.acked_at = (uint64_t)v;
    if ((st = check_request(&r, n)) != CB_OK) {
        return st;
    }
    *out = r;
    return CB_OK;
}

static cb_status decode_requests(const cb_json_object *obj, cb_state *s)
{
    const cb_json_member *m = NULL;
    if (cb_json_find(obj, "requests", &m) != CB_OK) {
        return CB_E_MISSING;
    }
    size_t pos = 0, elen = 0;
    const char *elem = NULL;
    cb_status st;
    while ((st = cb_json_array_next(m, &pos, &elem, &elen)) == CB_OK) {
        if (s->n_requests == CB_REQUEST_MAX) {
            return CB_E_RANGE;
        }
        if ((st = decode_request(elem, elen, &s->requests[s->n_requests])) != CB_OK) {
            return st;
        }
        s->n_requests++;
    }
    return st == CB_E_EMPTY ? CB_OK : st;
}

cb_status cb_state_decode(const char *payload, size_t len, cb_state *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload_max(payload, len, CB_STATE_PAYLOAD_MAX, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_state s;
    memset(&s, 0, sizeof s);
    int64_t v = 0;
    size_t n = 0;
    char status[16];

    if ((st = cb_field_id(&obj, "table", s.table)) != CB_OK) {
        return st;
    }
    const cb_json_member *section = NULL;
    if (cb_json_find(&obj, "section", &section) == CB_OK && (st = cb_field_id(&obj, "section", s.section)) != CB_OK) {
        return st;
    }
    st = cb_field_str(&obj, "status", true, status, sizeof status, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE; /* not one of the three names */
    }
    if (st != CB_OK || (st = cb_table_status_parse(status, n, &s.status)) != CB_OK) {
        return st;
    }
    if ((st = decode_requests(&obj, &s)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "updated_at", true, 0, INT64_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    s.updated_at = (uint64_t)v;
    if ((st = check_set(&s)) != CB_OK) {
        return st;
    }
    *out = s;
    return CB_OK;
}

static cb_status encode_request(const cb_request *r, char *buf, size_t cap, size_t *len)
{
    const char *kind = NULL, *status = NULL, *level = NULL;
    if (cb_kind_name(r->kind, &kind) != CB_OK || r->kind == CB_KIND_CANCEL) {
        return CB_E_BAD_KIND;
    }
    if (cb_level_name(r->level, &level) != CB_OK) {
        return CB_E_RANGE;
    }
    if (cb_table_status_name(r->status, &status) != CB_OK) {
        return CB_E_RANGE;
    }
    if (!cb_field_terminated(r->acked_by, sizeof r->acked_by)) {
        return CB_E_TOO_LONG;
    }
    if (!cb_field_utf8(r->acked_by)) {
        return CB_E_JSON;
    }
    cb_status st = check_request(r, strlen(r->acked_by));
    if (st != CB_OK) {
        return st;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_str(&w, "kind", kind);
    (void)cb_json_add_int(&w, "call", (int64_t)r->call);
    (void)cb_json_add_str(&w, "status", status);
    (void)cb_json_add_int(&w, "count", r->count);
    (void)cb_json_add_int(&w, "repeats", r->repeats);
    (void)cb_json_add_str(&w, "level", level);
    (void)cb_json_add_int(&w, "pressed_at", (int64_t)r->pressed_at);
    (void)cb_json_add_str(&w, "acked_by", r->acked_by);
    (void)cb_json_add_int(&w, "acked_at", (int64_t)r->acked_at);
    return cb_json_end(&w, len);
}

/* "[{...},{...}]" into buf[cap]. */
static cb_status encode_requests(const cb_state *s, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    if (cap < 3) {
        return CB_E_BUFFER;
    }
    buf[n++] = '[';
    for (uint32_t i = 0; i < s->n_requests; i++) {
        char one[REQUEST_JSON_MAX];
        size_t k = 0;
        cb_status st = encode_request(&s->requests[i], one, sizeof one, &k);
        if (st != CB_OK) {
            return st;
        }
        if (n + k + (i > 0) + 2 > cap) {
            return CB_E_BUFFER;
        }
        if (i > 0) {
            buf[n++] = ',';
        }
        memcpy(buf + n, one, k);
        n += k;
    }
    buf[n++] = ']';
    buf[n] = '\0';
    *len = n;
    return CB_OK;
}

cb_status cb_state_encode(const cb_state *state, char *buf, size_t cap, size_t *len)
{
    if (state == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const cb_state *s = state;
    const char *status = NULL;
    if (!cb_field_terminated(s->table, sizeof s->table) || cb_id_check(s->table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (!cb_field_terminated(s->section, sizeof s->section) ||
        (s->section[0] != '\0' && cb_id_check(s->section) != CB_OK)) {
        return CB_E_BAD_ID;
    }
    if (cb_table_status_name(s->status, &status) != CB_OK || s->n_requests > CB_REQUEST_MAX) {
        return CB_E_RANGE;
    }
    if (s->updated_at > CB_FIELD_U64_MAX) {
        return CB_E_RANGE;
    }
    char requests[CB_STATE_PAYLOAD_SIZE];
    size_t rlen = 0;
    cb_status st = encode_requests(s, requests, sizeof requests, &rlen);
    if (st != CB_OK) {
        return st;
    }
    if ((st = check_set(s)) != CB_OK) {
        return st;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "table", s->table);
    if (s->section[0] != '\0') {
        (void)cb_json_add_str(&w, "section", s->section);
    }
    (void)cb_json_add_str(&w, "status", status);
    (void)cb_json_add_raw(&w, "requests", requests, rlen);
    (void)cb_json_add_int(&w, "updated_at", (int64_t)s->updated_at);
    return cb_json_end(&w, len);
}
