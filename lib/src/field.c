/* field.c - typed, ordered field checks shared by the payload decoders.
 *
 * docs/protocol.md fixes one error per broken rule; keeping the checks here means
 * press, state, cmd and info report the same error for the same fault. */
#include "field.h"

#include "json_internal.h"

#include <string.h>

cb_status cb_field_payload(const char *payload, size_t len, cb_json_object *obj)
{
    return cb_field_payload_max(payload, len, CB_PAYLOAD_MAX, obj);
}

cb_status cb_field_payload_max(const char *payload, size_t len, size_t max, cb_json_object *obj)
{
    if (payload == NULL || obj == NULL) {
        return CB_E_ARG;
    }
    if (len > max) {
        return CB_E_TOO_LONG;
    }
    cb_status st = cb_json_parse(payload, len, obj);
    if (st == CB_E_FULL) {
        /* More members than a v1 object can carry within the reader's bound: the
         * payload is over a bound, not malformed. */
        return CB_E_TOO_LONG;
    }
    if (st != CB_OK) {
        return st;
    }
    const cb_json_member *v = NULL;
    if (cb_json_find(obj, "v", &v) != CB_OK) {
        return CB_E_MISSING;
    }
    if (v->type != CB_JSON_INT || v->i != CB_PROTOCOL_VERSION) {
        return CB_E_VERSION; /* "1", 1.0 and 2 alike: not version 1 */
    }
    return CB_OK;
}

/* Finds `key`; CB_E_MISSING only if required (else CB_OK with *m NULL). */
static cb_status lookup(const cb_json_object *obj, const char *key, bool required, const cb_json_member **m)
{
    *m = NULL;
    if (cb_json_find(obj, key, m) != CB_OK) {
        *m = NULL;
        return required ? CB_E_MISSING : CB_OK;
    }
    return CB_OK;
}

/* A CB_JSON_NUMBER token is an integer too big for int64 unless it has a
 * fraction or exponent. */
static bool integer_token(const cb_json_member *m)
{
    for (size_t i = 0; i < m->str_len; i++) {
        char c = m->str[i];
        if (c == '.' || c == 'e' || c == 'E') {
            return false;
        }
    }
    return true;
}

cb_status cb_field_int(const cb_json_object *obj, const char *key, bool required, int64_t min, int64_t max,
                       int64_t *value, bool *present)
{
    if (obj == NULL || key == NULL || value == NULL) {
        return CB_E_ARG;
    }
    const cb_json_member *m = NULL;
    cb_status st = lookup(obj, key, required, &m);
    if (present != NULL) {
        *present = (m != NULL);
    }
    if (st != CB_OK || m == NULL) {
        return st;
    }
    if (m->type == CB_JSON_NUMBER && integer_token(m)) {
        return CB_E_RANGE;
    }
    if (m->type != CB_JSON_INT) {
        return CB_E_TYPE;
    }
    if (m->i < min || m->i > max) {
        return CB_E_RANGE;
    }
    *value = m->i;
    return CB_OK;
}

cb_status cb_field_bool(const cb_json_object *obj, const char *key, bool required, bool *value, bool *present)
{
    if (obj == NULL || key == NULL || value == NULL) {
        return CB_E_ARG;
    }
    const cb_json_member *m = NULL;
    cb_status st = lookup(obj, key, required, &m);
    if (present != NULL) {
        *present = (m != NULL);
    }
    *value = false;
    if (st != CB_OK || m == NULL) {
        return st;
    }
    if (m->type != CB_JSON_BOOL) {
        return CB_E_TYPE;
    }
    *value = m->b;
    return CB_OK;
}

cb_status cb_field_str(const cb_json_object *obj, const char *key, bool required, char *dst, size_t cap, size_t *len,
                       bool *present)
{
    if (obj == NULL || key == NULL || dst == NULL || cap == 0) {
        return CB_E_ARG;
    }
    const cb_json_member *m = NULL;
    cb_status st = lookup(obj, key, required, &m);
    if (present != NULL) {
        *present = (m != NULL);
    }
    dst[0] = '\0';
    if (len != NULL) {
        *len = 0;
    }
    if (st != CB_OK || m == NULL) {
        return st;
    }
    if (m->type != CB_JSON_STRING) {
        return CB_E_TYPE;
    }
    return cb_json_unescape(m->str, m->str_len, dst, cap, len);
}

cb_status cb_field_id(const cb_json_object *obj, const char *key, char *dst)
{
    size_t len = 0;
    cb_status st = cb_field_str(obj, key, true, dst, CB_ID_SIZE, &len, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_BAD_ID; /* an id has at most 32 chars: a longer one is not an id */
    }
    if (st != CB_OK) {
        return st;
    }
    if (strlen(dst) != len) {
        return CB_E_BAD_ID; /* "\u0000" inside */
    }
    return cb_id_check(dst);
}

cb_status cb_field_kind(const cb_json_object *obj, const char *key, bool required, cb_kind *kind, bool *present)
{
    if (kind == NULL) {
        return CB_E_ARG;
    }
    char name[8]; /* longest kind is "cancel" */
    size_t len = 0;
    bool here = false;
    cb_status st = cb_field_str(obj, key, required, name, sizeof name, &len, &here);
    if (present != NULL) {
        *present = here;
    }
    if (st == CB_E_TOO_LONG) {
        return CB_E_BAD_KIND;
    }
    if (st != CB_OK || !here) {
        return st;
    }
    return cb_kind_parse(name, len, kind);
}

bool cb_field_has_control(const char *s, size_t len)
{
    if (s == NULL) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20u || c == 0x7Fu) {
            return true;
        }
        /* C1 controls U+0080..U+009F are encoded C2 80 .. C2 9F. */
        if (c == 0xC2u && i + 1 < len && (unsigned char)s[i + 1] >= 0x80u && (unsigned char)s[i + 1] <= 0x9Fu) {
            return true;
        }
    }
    return false;
}

bool cb_field_terminated(const char *s, size_t cap)
{
    return s != NULL && memchr(s, '\0', cap) != NULL;
}

bool cb_field_utf8(const char *s)
{
    if (s == NULL) {
        return false;
    }
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len) {
        size_t n = cb_utf8_len((const unsigned char *)s + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

cb_status cb_field_refusal(const cb_json_object *obj, char *error, size_t error_cap, char *reason, size_t reason_cap)
{
    size_t n = 0;
    cb_status st = cb_field_str(obj, "error", true, error, error_cap, &n, NULL);
    if (st != CB_OK) {
        return st;
    }
    if (n == 0 || strlen(error) != n) {
        return CB_E_RANGE; /* an error name: not empty, and a NUL would cut it */
    }
    if ((st = cb_field_str(obj, "reason", true, reason, reason_cap, &n, NULL)) != CB_OK) {
        return st;
    }
    return strlen(reason) == n ? CB_OK : CB_E_RANGE;
}

cb_status cb_field_refusal_check(const char *error, size_t error_cap, const char *reason, size_t reason_cap)
{
    if (!cb_field_terminated(error, error_cap) || !cb_field_terminated(reason, reason_cap)) {
        return CB_E_TOO_LONG;
    }
    if (error[0] == '\0') {
        return CB_E_RANGE; /* a refusal names its error, as the decoder requires */
    }
    if (!cb_field_utf8(reason) || !cb_field_utf8(error)) {
        return CB_E_JSON;
    }
    return CB_OK;
}
