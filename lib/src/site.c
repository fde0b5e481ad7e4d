/* site.c - the retained site message (hub -> boards), docs/protocol.md "site".
 *
 * The site's display names, the kinds each table offers, the board's thresholds and
 * the escalation times, so that every board shows the same names and colours without
 * a configuration of its own. Up to 64 KiB: the tables go into the caller's array and
 * the encoder writes them straight into the caller's buffer (no second buffer: the
 * core has no heap, and a 64 KiB stack array would not do on a Pico). */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"
#include "json_internal.h"

#include <string.h>

#define KINDS_JSON_MAX 48 /* ["call","bill","water","cancel"] */

cb_status cb_display_name_check(const char *name, size_t len)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if (len > CB_DISPLAY_NAME_MAX) {
        return CB_E_TOO_LONG;
    }
    for (size_t i = 0; i < len;) {
        size_t n = cb_utf8_len((const unsigned char *)name + i, len - i);
        if (n == 0) {
            return CB_E_JSON;
        }
        i += n;
    }
    /* a name the staff read: nothing that moves the cursor or hides text */
    if (len == 0 || memchr(name, '\0', len) != NULL || cb_field_has_control(name, len)) {
        return CB_E_RANGE;
    }
    return CB_OK;
}

/* A display-name field: missing / type / too_long, then cb_display_name_check. */
static cb_status name_field(const cb_json_object *obj, const char *key, char *dst)
{
    size_t len = 0;
    cb_status st = cb_field_str(obj, key, true, dst, CB_DISPLAY_NAME_MAX + 1, &len, NULL);
    if (st != CB_OK) {
        return st;
    }
    return cb_display_name_check(dst, len);
}

static cb_status seconds_field(const cb_json_object *obj, const char *key, int64_t min, uint32_t *out)
{
    int64_t v = 0;
    cb_status st = cb_field_int(obj, key, true, min, CB_SITE_SECONDS_LIMIT, &v, NULL);
    *out = (uint32_t)v;
    return st;
}

/* "kinds": an array of 1..4 distinct kind strings; absent = all four. */
static cb_status kinds_field(const cb_json_object *obj, uint8_t *out)
{
    const cb_json_member *m = NULL;
    if (cb_json_find(obj, "kinds", &m) != CB_OK) {
        *out = CB_KINDS_ALL;
        return CB_OK;
    }
    if (m->type != CB_JSON_NESTED || m->str_len == 0 || m->str[0] != '[') {
        return CB_E_TYPE;
    }
    uint8_t kinds = 0;
    size_t pos = 0;
    const char *elem = NULL;
    size_t elem_len = 0;
    cb_status st;
    while ((st = cb_json_array_next(m, &pos, &elem, &elem_len)) == CB_OK) {
        if (elem_len < 2 || elem[0] != '"') {
            return CB_E_TYPE;
        }
        char name[8]; /* the longest kind is "cancel" */
        size_t n = 0;
        st = cb_json_unescape(elem + 1, elem_len - 2, name, sizeof name, &n);
        if (st == CB_E_TOO_LONG) {
            return CB_E_BAD_KIND;
        }
        cb_kind k;
        if (st != CB_OK || (st = cb_kind_parse(name, n, &k)) != CB_OK) {
            return st;
        }
        if (kinds & (1u << k)) {
            return CB_E_RANGE;
        }
        kinds = (uint8_t)(kinds | (1u << k));
    }
    if (st != CB_E_EMPTY) {
        return st;
    }
    if (kinds == 0) {
        return CB_E_RANGE;
    }
    *out = kinds;
    return CB_OK;
}

static cb_status decode_entry(const char *text, size_t len, cb_site_entry *out)
{
    cb_json_object obj;
    if (text[0] != '{') {
        return CB_E_TYPE;
    }
    cb_status st = cb_json_parse(text, len, &obj);
    if (st == CB_E_FULL) {
        return CB_E_TOO_LONG;
    }
    if (st != CB_OK) {
        return st;
    }
    memset(out, 0, sizeof *out);
    if ((st = cb_field_id(&obj, "id", out->id)) != CB_OK || (st = name_field(&obj, "name", out->name)) != CB_OK) {
        return st;
    }
    return kinds_field(&obj, &out->kinds);
}

static cb_status decode_tables(const cb_json_object *obj, cb_site *s)
{
    const cb_json_member *m = NULL;
    if (cb_json_find(obj, "tables", &m) != CB_OK) {
        return CB_E_MISSING;
    }
    if (m->type != CB_JSON_NESTED || m->str_len == 0 || m->str[0] != '[') {
        return CB_E_TYPE;
    }
    size_t pos = 0;
    const char *elem = NULL;
    size_t elem_len = 0;
    cb_status st;
    while ((st = cb_json_array_next(m, &pos, &elem, &elem_len)) == CB_OK) {
        if (s->n_tables == CB_SITE_LIST_MAX) {
            return CB_E_RANGE;
        }
        if (s->n_tables == s->tables_cap) {
            return CB_E_FULL;
        }
        cb_site_entry *e = &s->tables[s->n_tables];
        if ((st = decode_entry(elem, elem_len, e)) != CB_OK) {
            return st;
        }
        for (uint32_t j = 0; j < s->n_tables; j++) {
            if (strcmp(s->tables[j].id, e->id) == 0) {
                return CB_E_RANGE; /* a board could not tell which name is right */
            }
        }
        s->n_tables++;
    }
    return st == CB_E_EMPTY ? CB_OK : st;
}

cb_status cb_site_decode(const char *payload, size_t len, cb_site *out)
{
    if (payload == NULL || out == NULL || (out->tables == NULL && out->tables_cap != 0)) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload_max(payload, len, CB_SITE_PAYLOAD_MAX, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_site s;
    memset(&s, 0, sizeof s);
    s.tables = out->tables;
    s.tables_cap = out->tables_cap;
    int64_t v = 0;
    if ((st = cb_field_id(&obj, "site", s.site)) != CB_OK || (st = name_field(&obj, "name", s.name)) != CB_OK ||
        (st = seconds_field(&obj, "warn_s", 0, &s.warn_s)) != CB_OK ||
        (st = seconds_field(&obj, "late_s", 0, &s.late_s)) != CB_OK) {
        return st;
    }
    if (s.late_s < s.warn_s) {
        return CB_E_RANGE;
    }
    if ((st = seconds_field(&obj, "realert_s", 1, &s.realert_s)) != CB_OK ||
        (st = seconds_field(&obj, "ack_timeout_s", 1, &s.ack_timeout_s)) != CB_OK ||
        (st = cb_field_int(&obj, "table_count", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    s.table_count = (uint32_t)v;
    if ((st = decode_tables(&obj, &s)) != CB_OK) {
        return st;
    }
    if (s.table_count < s.n_tables) {
        return CB_E_RANGE;
    }
    *out = s;
    return CB_OK;
}

/* ---- encoding ---------------------------------------------------------------- */

static cb_status check_entry(const cb_site_entry *e)
{
    cb_status st = cb_id_check(e->id);
    if (st != CB_OK) {
        return st;
    }
    if (!cb_field_terminated(e->name, sizeof e->name)) {
        return CB_E_TOO_LONG;
    }
    if ((st = cb_display_name_check(e->name, strlen(e->name))) != CB_OK) {
        return st;
    }
    return (e->kinds == 0 || (e->kinds & ~CB_KINDS_ALL) != 0) ? CB_E_RANGE : CB_OK;
}

static cb_status check_site(const cb_site *s)
{
    cb_status st = cb_id_check(s->site);
    if (st != CB_OK) {
        return st;
    }
    if (!cb_field_terminated(s->name, sizeof s->name)) {
        return CB_E_TOO_LONG;
    }
    if ((st = cb_display_name_check(s->name, strlen(s->name))) != CB_OK) {
        return st;
    }
    if (s->warn_s > s->late_s || s->late_s > CB_SITE_SECONDS_LIMIT || s->realert_s == 0 ||
        s->realert_s > CB_SITE_SECONDS_LIMIT || s->ack_timeout_s == 0 || s->ack_timeout_s > CB_SITE_SECONDS_LIMIT ||
        s->n_tables > CB_SITE_LIST_MAX || s->table_count < s->n_tables || (s->n_tables > 0 && s->tables == NULL)) {
        return CB_E_RANGE;
    }
    for (uint32_t i = 0; i < s->n_tables; i++) {
        if ((st = check_entry(&s->tables[i])) != CB_OK) {
            return st;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(s->tables[j].id, s->tables[i].id) == 0) {
                return CB_E_RANGE;
            }
        }
    }
    return CB_OK;
}

/* Appends raw text at w's end, keeping it NUL-terminated; false when it does not fit. */
static bool append(cb_json_writer *w, const char *s, size_t n)
{
    if (n >= w->cap - w->len) {
        return false;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return true;
}

static cb_status kinds_json(uint8_t kinds, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    buf[n++] = '[';
    for (unsigned k = 0; k < CB_KIND_COUNT; k++) {
        const char *name = NULL;
        if ((kinds & (1u << k)) == 0 || cb_kind_name((cb_kind)k, &name) != CB_OK) {
            continue;
        }
        size_t m = strlen(name);
        if (n + m + 4 >= cap) {
            return CB_E_BUFFER;
        }
        if (n > 1) {
            buf[n++] = ',';
        }
        buf[n++] = '"';
        memcpy(buf + n, name, m);
        n += m;
        buf[n++] = '"';
    }
    buf[n++] = ']';
    buf[n] = '\0';
    *len = n;
    return CB_OK;
}

/* One table object written where w ends. */
static cb_status append_entry(cb_json_writer *w, const cb_site_entry *e, bool first)
{
    if (!first && !append(w, ",", 1)) {
        return CB_E_BUFFER;
    }
    cb_json_writer ew;
    if (cb_json_begin(&ew, w->buf + w->len, w->cap - w->len) != CB_OK) {
        return CB_E_BUFFER;
    }
    (void)cb_json_add_str(&ew, "id", e->id);
    (void)cb_json_add_str(&ew, "name", e->name);
    if (e->kinds != CB_KINDS_ALL) {
        char kinds[KINDS_JSON_MAX];
        size_t klen = 0;
        if (kinds_json(e->kinds, kinds, sizeof kinds, &klen) != CB_OK) {
            return CB_E_BUFFER;
        }
        (void)cb_json_add_raw(&ew, "kinds", kinds, klen);
    }
    size_t n = 0;
    if (cb_json_end(&ew, &n) != CB_OK) {
        return CB_E_BUFFER;
    }
    w->len += n;
    return CB_OK;
}

cb_status cb_site_encode(const cb_site *site, char *buf, size_t cap, size_t *len)
{
    if (site == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    cb_status st = check_site(site);
    if (st != CB_OK) {
        return st;
    }
    cb_json_writer w;
    if (cb_json_begin(&w, buf, cap) != CB_OK) {
        return CB_E_BUFFER;
    }
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "site", site->site);
    (void)cb_json_add_str(&w, "name", site->name);
    (void)cb_json_add_int(&w, "warn_s", site->warn_s);
    (void)cb_json_add_int(&w, "late_s", site->late_s);
    (void)cb_json_add_int(&w, "realert_s", site->realert_s);
    (void)cb_json_add_int(&w, "ack_timeout_s", site->ack_timeout_s);
    if (cb_json_add_int(&w, "table_count", site->table_count) != CB_OK ||
        !append(&w, ",\"tables\":[", 11)) { /* the writer closes with "}" only: it has room for it */
        return CB_E_BUFFER;
    }
    for (uint32_t i = 0; i < site->n_tables; i++) {
        if ((st = append_entry(&w, &site->tables[i], i == 0)) != CB_OK) {
            return st;
        }
    }
    if (!append(&w, "]}", 2)) {
        return CB_E_BUFFER;
    }
    *len = w.len;
    return CB_OK;
}
