/* json_string.c - JSON string bodies: escapes, UTF-8, comparison.
 *
 * The reader keeps strings raw (pointers into the payload) so it needs no buffer of
 * its own; this file decodes them on demand, one unit at a time, into the caller's
 * bounded buffer, and compares keys without decoding them anywhere. */
#include "json_internal.h"

#include <stdint.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Reads "\uXXXX" at raw[pos] (the backslash); returns the code unit or -1. */
static int32_t read_u_escape(const char *raw, size_t len, size_t pos)
{
    if (len - pos < 6 || raw[pos] != '\\' || raw[pos + 1] != 'u') {
        return -1;
    }
    int32_t v = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = hex_value(raw[pos + k]);
        if (h < 0) {
            return -1;
        }
        v = (v << 4) | h;
    }
    return v;
}

static size_t put_code_point(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80u) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (unsigned char)(0xC0u | (cp >> 6));
        out[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (unsigned char)(0xE0u | (cp >> 12));
        out[1] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (unsigned char)(0xF0u | (cp >> 18));
    out[1] = (unsigned char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
    return 4;
}

size_t cb_json_unit_next(const char *raw, size_t len, size_t *pos, unsigned char out[4])
{
    if (raw == NULL || pos == NULL || out == NULL || *pos >= len) {
        return 0;
    }
    size_t p = *pos;
    unsigned char c = (unsigned char)raw[p];
    if (c < 0x20u || c == '"') {
        return 0; /* RFC 8259 §7: control characters and quotes must be escaped */
    }
    if (c >= 0x80u) {
        size_t n = cb_utf8_len((const unsigned char *)raw + p, len - p);
        if (n == 0) {
            return 0;
        }
        memcpy(out, raw + p, n);
        *pos = p + n;
        return n;
    }
    if (c != '\\') {
        out[0] = c;
        *pos = p + 1;
        return 1;
    }
    if (len - p < 2) {
        return 0;
    }
    static const char simple_in[] = "\"\\/bfnrt";
    static const char simple_out[] = "\"\\/\b\f\n\r\t";
    char e = raw[p + 1];
    const char *hit = (e != '\0') ? strchr(simple_in, e) : NULL;
    if (hit != NULL) {
        out[0] = (unsigned char)simple_out[hit - simple_in];
        *pos = p + 2;
        return 1;
    }
    int32_t u = read_u_escape(raw, len, p);
    if (u < 0) {
        return 0;
    }
    uint32_t cp = (uint32_t)u;
    size_t used = 6;
    if (cp >= 0xD800u && cp <= 0xDBFFu) {
        /* A high surrogate must be followed by an escaped low one; together they
         * name one code point above U+FFFF. */
        int32_t lo = read_u_escape(raw, len, p + 6);
        if (lo < 0xDC00 || lo > 0xDFFF) {
            return 0;
        }
        cp = 0x10000u + ((cp - 0xD800u) << 10) + ((uint32_t)lo - 0xDC00u);
        used = 12;
    } else if (cp >= 0xDC00u && cp <= 0xDFFFu) {
        return 0; /* lone low surrogate: not a character */
    }
    *pos = p + used;
    return put_code_point(cp, out);
}

cb_status cb_json_unescape(const char *raw, size_t raw_len, char *dst, size_t cap, size_t *out_len)
{
    if (raw == NULL && raw_len > 0) {
        return CB_E_ARG;
    }
    if (dst == NULL && cap > 0) {
        return CB_E_ARG;
    }
    size_t pos = 0;
    size_t n = 0;
    bool fits = true;
    unsigned char unit[4];
    while (pos < raw_len) {
        size_t k = cb_json_unit_next(raw, raw_len, &pos, unit);
        if (k == 0) {
            return CB_E_JSON;
        }
        /* Keep scanning after an overflow so a malformed body is reported as such
         * rather than as merely long. */
        if (fits && cap > 0 && n + k < cap) {
            memcpy(dst + n, unit, k);
        } else {
            fits = false;
        }
        n += k;
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    if (cap > 0) {
        dst[fits ? n : 0] = '\0';
    }
    return (fits && cap > 0) ? CB_OK : CB_E_TOO_LONG;
}

/* A stream of decoded bytes from a raw body, refilled one unit at a time. */
typedef struct byte_stream {
    const char *raw;
    size_t len;
    size_t pos;
    unsigned char unit[4];
    size_t unit_len;
    size_t unit_pos;
} byte_stream;

/* Next decoded byte into *b: 1 = byte, 0 = end, -1 = invalid body. */
static int stream_next(byte_stream *s, unsigned char *b)
{
    if (s->unit_pos == s->unit_len) {
        if (s->pos >= s->len) {
            return 0;
        }
        s->unit_len = cb_json_unit_next(s->raw, s->len, &s->pos, s->unit);
        s->unit_pos = 0;
        if (s->unit_len == 0) {
            return -1;
        }
    }
    *b = s->unit[s->unit_pos++];
    return 1;
}

bool cb_json_raw_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a == NULL || b == NULL) {
        return false;
    }
    byte_stream sa = {a, a_len, 0, {0}, 0, 0};
    byte_stream sb = {b, b_len, 0, {0}, 0, 0};
    for (;;) {
        unsigned char ca = 0;
        unsigned char cb = 0;
        int ra = stream_next(&sa, &ca);
        int rb = stream_next(&sb, &cb);
        if (ra < 0 || rb < 0 || ra != rb) {
            return false;
        }
        if (ra == 0) {
            return true;
        }
        if (ca != cb) {
            return false;
        }
    }
}

bool cb_json_raw_is(const char *raw, size_t raw_len, const char *key)
{
    if (raw == NULL || key == NULL) {
        return false;
    }
    /* Fast path: a key without escapes is its own bytes (the hub looks up ~10 keys a
     * message, each against up to 16 members: this is most of a decode's time). */
    if (memchr(raw, '\\', raw_len) == NULL) {
        return strlen(key) == raw_len && memcmp(raw, key, raw_len) == 0;
    }
    byte_stream s = {raw, raw_len, 0, {0}, 0, 0};
    size_t i = 0;
    for (;;) {
        unsigned char c = 0;
        int r = stream_next(&s, &c);
        if (r < 0) {
            return false;
        }
        if (r == 0) {
            return key[i] == '\0';
        }
        if (key[i] == '\0' || (unsigned char)key[i] != c) {
            return false;
        }
        i++;
    }
}

cb_status cb_json_string(const cb_json_member *member, char *dst, size_t cap)
{
    if (member == NULL || dst == NULL || cap == 0) {
        return CB_E_ARG;
    }
    if (member->type != CB_JSON_STRING) {
        return CB_E_TYPE;
    }
    return cb_json_unescape(member->str, member->str_len, dst, cap, NULL);
}
