/* json_reader.c - strict RFC 8259 reader for one flat JSON object, in place.
 *
 * One iterative state machine walks the text (no recursion: the Pico's stack is
 * small and the input is hostile). Members of the top-level object are recorded as
 * views into the input; nested objects/arrays are validated and skipped whole.
 * Depth is tracked with a bit stack (1 = array), so the limit costs no memory. */
#include "json_internal.h"

#include <stdint.h>
#include <string.h>

/* The top-level object plus 8 levels of nesting inside a member's value. */
#define MAX_DEPTH 9

typedef enum parse_state {
    ST_KEY_OR_CLOSE,   /* just after '{' */
    ST_KEY,            /* after ',' in an object */
    ST_VALUE_OR_CLOSE, /* just after '[' */
    ST_VALUE,          /* after ':' or after ',' in an array */
    ST_AFTER           /* after a value: ',' or the closing bracket */
} parse_state;

typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->pos < c->len) {
        char ch = c->s[c->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            return;
        }
        c->pos++;
    }
}

/* At '"': moves past the closing quote; *body and *body_len get the raw body. */
static bool scan_string(cursor *c, const char **body, size_t *body_len)
{
    size_t start = ++c->pos;
    unsigned char unit[4];
    while (c->pos < c->len) {
        if (c->s[c->pos] == '"') {
            *body = c->s + start;
            *body_len = c->pos - start;
            c->pos++;
            return true;
        }
        if (cb_json_unit_next(c->s, c->len, &c->pos, unit) == 0) {
            return false;
        }
    }
    return false; /* unterminated */
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Number per RFC 8259 §6. *is_int: no fraction/exponent and fits int64. */
static bool scan_number(cursor *c, bool *is_int, int64_t *value)
{
    bool neg = false;
    bool overflow = false;
    bool integral = true;
    uint64_t mag = 0;
    if (c->s[c->pos] == '-') {
        neg = true;
        c->pos++;
    }
    if (c->pos >= c->len || !is_digit(c->s[c->pos])) {
        return false;
    }
    if (c->s[c->pos] == '0') {
        c->pos++; /* a leading zero stands alone: "01" fails at the next state */
    } else {
        while (c->pos < c->len && is_digit(c->s[c->pos])) {
            unsigned d = (unsigned)(c->s[c->pos] - '0');
            /* |INT64_MIN| = 9223372036854775808; compare against constants so no
             * 64-bit division is needed (it is a library call on Cortex-M0+). */
            if (mag > 922337203685477580ull || (mag == 922337203685477580ull && d > (neg ? 8u : 7u))) {
                overflow = true;
            } else {
                mag = mag * 10u + d;
            }
            c->pos++;
        }
    }
    if (c->pos < c->len && c->s[c->pos] == '.') {
        integral = false;
        c->pos++;
        if (c->pos >= c->len || !is_digit(c->s[c->pos])) {
            return false;
        }
        while (c->pos < c->len && is_digit(c->s[c->pos])) {
            c->pos++;
        }
    }
    if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        integral = false;
        c->pos++;
        if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-')) {
            c->pos++;
        }
        if (c->pos >= c->len || !is_digit(c->s[c->pos])) {
            return false;
        }
        while (c->pos < c->len && is_digit(c->s[c->pos])) {
            c->pos++;
        }
    }
    *is_int = integral && !overflow;
    if (*is_int) {
        if (neg) {
            /* -(mag - 1) - 1 reaches INT64_MIN without overflowing. */
            *value = (mag == 0) ? 0 : -(int64_t)(mag - 1u) - 1;
        } else {
            *value = (int64_t)mag;
        }
    }
    return true;
}

static bool scan_literal(cursor *c, const char *lit)
{
    size_t n = strlen(lit);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, lit, n) != 0) {
        return false;
    }
    c->pos += n;
    return true;
}

cb_status cb_json_parse(const char *text, size_t len, cb_json_object *out)
{
    if (text == NULL || out == NULL) {
        return CB_E_ARG;
    }
    out->count = 0;
    cursor c = {text, len, 0};
    unsigned depth = 0;
    uint16_t arrays = 0; /* bit d-1: the container at depth d is an array */
    parse_state st = ST_KEY_OR_CLOSE;
    bool duplicate = false;
    bool full = false;
    bool recording = false; /* the current top-level member has a slot in out->m */
    cb_json_member *cur = NULL;

    skip_ws(&c);
    if (c.pos >= c.len || c.s[c.pos] != '{') {
        goto malformed;
    }
    c.pos++;
    depth = 1;

    while (depth > 0) {
        skip_ws(&c);
        if (c.pos >= c.len) {
            goto malformed;
        }
        char ch = c.s[c.pos];
        bool in_array = (arrays >> (depth - 1)) & 1u;
        bool close = false;

        switch (st) {
        case ST_KEY_OR_CLOSE:
            if (ch == '}') {
                close = true;
                break;
            }
            /* fall through */
        case ST_KEY: {
            const char *key = NULL;
            size_t key_len = 0;
            if (ch != '"' || !scan_string(&c, &key, &key_len)) {
                goto malformed;
            }
            skip_ws(&c);
            if (c.pos >= c.len || c.s[c.pos] != ':') {
                goto malformed;
            }
            c.pos++;
            if (depth == 1) {
                for (size_t i = 0; i < out->count; i++) {
                    if (cb_json_raw_equal(out->m[i].key, out->m[i].key_len, key, key_len)) {
                        duplicate = true;
                    }
                }
                recording = out->count < CB_JSON_MAX_MEMBERS;
                full = full || !recording;
                if (recording) {
                    cur = &out->m[out->count];
                    memset(cur, 0, sizeof *cur);
                    cur->key = key;
                    cur->key_len = key_len;
                }
            }
            st = ST_VALUE;
            break;
        }
        case ST_VALUE_OR_CLOSE:
            if (ch == ']') {
                close = true;
                break;
            }
            /* fall through */
        case ST_VALUE: {
            size_t start = c.pos;
            bool top = (depth == 1) && recording;
            if (ch == '{' || ch == '[') {
                if (depth >= MAX_DEPTH) {
                    goto malformed;
                }
                if (top) {
                    cur->type = CB_JSON_NESTED;
                    cur->str = c.s + start;
                }
                if (ch == '[') {
                    arrays |= (uint16_t)(1u << depth);
                } else {
                    arrays &= (uint16_t) ~(1u << depth);
                }
                depth++;
                c.pos++;
                st = (ch == '[') ? ST_VALUE_OR_CLOSE : ST_KEY_OR_CLOSE;
                break;
            }
            cb_json_member m;
            memset(&m, 0, sizeof m);
            if (ch == '"') {
                m.type = CB_JSON_STRING;
                if (!scan_string(&c, &m.str, &m.str_len)) {
                    goto malformed;
                }
            } else if (ch == '-' || is_digit(ch)) {
                bool is_int = false;
                if (!scan_number(&c, &is_int, &m.i)) {
                    goto malformed;
                }
                m.type = is_int ? CB_JSON_INT : CB_JSON_NUMBER;
            } else if (ch == 't' || ch == 'f') {
                m.type = CB_JSON_BOOL;
                m.b = (ch == 't');
                if (!scan_literal(&c, m.b ? "true" : "false")) {
                    goto malformed;
                }
            } else if (ch == 'n') {
                m.type = CB_JSON_NULL;
                if (!scan_literal(&c, "null")) {
                    goto malformed;
                }
            } else {
                goto malformed;
            }
            if (top) {
                cur->type = m.type;
                cur->i = m.i;
                cur->b = m.b;
                if (m.type == CB_JSON_STRING) {
                    cur->str = m.str;
                    cur->str_len = m.str_len;
                } else {
                    cur->str = c.s + start;
                    cur->str_len = c.pos - start;
                }
                out->count++;
            }
            st = ST_AFTER;
            break;
        }
        case ST_AFTER:
            if (ch == ',') {
                c.pos++;
                st = in_array ? ST_VALUE : ST_KEY;
            } else if ((ch == '}' && !in_array) || (ch == ']' && in_array)) {
                close = true;
            } else {
                goto malformed;
            }
            break;
        }

        if (close) {
            c.pos++;
            depth--;
            st = ST_AFTER;
            if (depth == 1 && recording && cur->type == CB_JSON_NESTED) {
                /* A nested member value just closed: it spans from its bracket. */
                cur->str_len = (size_t)(c.s + c.pos - cur->str);
                out->count++;
                recording = false;
            }
        }
    }

    skip_ws(&c);
    if (c.pos != c.len) {
        goto malformed; /* trailing garbage after the object */
    }
    if (duplicate) {
        return CB_E_DUPLICATE_KEY;
    }
    return full ? CB_E_FULL : CB_OK;

malformed:
    out->count = 0;
    return CB_E_JSON;
}

cb_status cb_json_find(const cb_json_object *obj, const char *key, const cb_json_member **member)
{
    if (obj == NULL || key == NULL || member == NULL) {
        return CB_E_ARG;
    }
    size_t n = obj->count < CB_JSON_MAX_MEMBERS ? obj->count : CB_JSON_MAX_MEMBERS;
    for (size_t i = 0; i < n; i++) {
        if (cb_json_raw_is(obj->m[i].key, obj->m[i].key_len, key)) {
            *member = &obj->m[i];
            return CB_OK;
        }
    }
    return CB_E_MISSING;
}

/* Moves *pos past a string body whose opening quote is at *pos (the text was
 * validated by cb_json_parse, so only escapes need care). */
static void skip_string_at(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos + 1;
    while (i < len && s[i] != '"') {
        i += (s[i] == '\\') ? 2u : 1u;
    }
    *pos = i + 1;
}

static size_t skip_blank(const char *s, size_t len, size_t pos)
{
    while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) {
        pos++;
    }
    return pos;
}

cb_status cb_json_array_next(const cb_json_member *array, size_t *pos, const char **elem, size_t *elem_len)
{
    if (array == NULL || pos == NULL || elem == NULL || elem_len == NULL) {
        return CB_E_ARG;
    }
    const char *s = array->str;
    size_t len = array->str_len;
    if (array->type != CB_JSON_NESTED || s == NULL || len < 2 || s[0] != '[') {
        return CB_E_TYPE;
    }
    size_t i = skip_blank(s, len, *pos == 0 ? 1 : *pos);
    if (i < len && s[i] == ',') {
        i = skip_blank(s, len, i + 1);
    }
    if (i >= len || s[i] == ']') {
        *pos = len;
        return CB_E_EMPTY;
    }
    /* One element: up to the ',' or ']' at its own depth, outside strings. */
    size_t start = i;
    unsigned depth = 0;
    while (i < len) {
        char ch = s[i];
        if (ch == '"') {
            skip_string_at(s, len, &i);
            continue;
        }
        if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) {
                break; /* the array's own ']' */
            }
            depth--;
        } else if (ch == ',' && depth == 0) {
            break;
        }
        i++;
    }
    size_t end = i;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' || s[end - 1] == '\r')) {
        end--;
    }
    *elem = s + start;
    *elem_len = end - start;
    *pos = i;
    return CB_OK;
}
