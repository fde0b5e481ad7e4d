/* json_writer.c - appends one flat JSON object into a caller's fixed buffer.
 *
 * Every append is all-or-nothing: if a member does not fit, the buffer is rolled
 * back to the last complete member and the writer stays "overflowed", so a caller
 * checking only cb_json_end() still never publishes a truncated object. Numbers are
 * printed by subtracting powers of ten: no 64-bit division, which is a library call
 * on Cortex-M0+. */
#include "json_internal.h"

#include <stdint.h>
#include <string.h>

/* 10^19 .. 10^0: every uint64_t has at most 20 digits (10^19 <= UINT64_MAX). */
static const uint64_t pow10_table[20] = {
    10000000000000000000ull,
    1000000000000000000ull,
    100000000000000000ull,
    10000000000000000ull,
    1000000000000000ull,
    100000000000000ull,
    10000000000000ull,
    1000000000000ull,
    100000000000ull,
    10000000000ull,
    1000000000ull,
    100000000ull,
    10000000ull,
    1000000ull,
    100000ull,
    10000ull,
    1000ull,
    100ull,
    10ull,
    1ull,
};

/* Decimal digits of v into out (>= 20 bytes); returns the count. */
static size_t u64_digits(uint64_t v, char *out)
{
    size_t n = 0;
    for (size_t k = 0; k < 20; k++) {
        unsigned d = 0;
        while (v >= pow10_table[k]) {
            v -= pow10_table[k];
            d++;
        }
        if (d != 0 || n != 0 || k == 19) {
            out[n++] = (char)('0' + d);
        }
    }
    return n;
}

static cb_status usable(const cb_json_writer *w)
{
    if (w == NULL) {
        return CB_E_ARG;
    }
    if (w->overflow) {
        return CB_E_BUFFER;
    }
    return (w->buf == NULL || w->cap == 0) ? CB_E_ARG : CB_OK;
}

/* Appends raw bytes; on overflow marks the writer (the caller rolls back). */
static bool put(cb_json_writer *w, const char *s, size_t n)
{
    if (w->overflow || n >= w->cap - w->len) {
        w->overflow = true;
        return false;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return true;
}

/* Checks that s is valid UTF-8 before anything is written. */
static bool valid_utf8(const char *s)
{
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

/* Appends s as a quoted JSON string: '"' and '\' escaped, control chars as \u00XX. */
static bool put_string(cb_json_writer *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!put(w, "\"", 1)) {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            ok = put(w, esc, 2);
        } else if (c < 0x20u) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xFu]};
            ok = put(w, esc, 6);
        } else {
            ok = put(w, p, 1);
        }
        if (!ok) {
            return false;
        }
    }
    return put(w, "\"", 1);
}

/* Writes the separator and `"key":`. */
static bool put_key(cb_json_writer *w, const char *key)
{
    if (!w->first && !put(w, ",", 1)) {
        return false;
    }
    return put_string(w, key) && put(w, ":", 1);
}

/* Common tail of every add: commit, or roll back to `mark` and report. */
static cb_status finish(cb_json_writer *w, size_t mark, bool ok)
{
    if (!ok) {
        w->len = mark;
        w->buf[mark] = '\0';
        return CB_E_BUFFER;
    }
    w->first = false;
    return CB_OK;
}

cb_status cb_json_begin(cb_json_writer *w, char *buf, size_t cap)
{
    if (w == NULL || buf == NULL) {
        return CB_E_ARG;
    }
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->first = true;
    w->overflow = false;
    if (cap < 3) { /* "{}" and its NUL must fit */
        w->overflow = true;
        if (cap > 0) {
            buf[0] = '\0';
        }
        return CB_E_BUFFER;
    }
    buf[0] = '{';
    buf[1] = '\0';
    w->len = 1;
    return CB_OK;
}

cb_status cb_json_add_str(cb_json_writer *w, const char *key, const char *value)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    if (key == NULL || value == NULL) {
        return CB_E_ARG;
    }
    if (!valid_utf8(key) || !valid_utf8(value)) {
        return CB_E_JSON; /* the reader would reject it: never emit it */
    }
    size_t mark = w->len;
    return finish(w, mark, put_key(w, key) && put_string(w, value));
}

cb_status cb_json_add_int(cb_json_writer *w, const char *key, int64_t value)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    if (key == NULL) {
        return CB_E_ARG;
    }
    if (!valid_utf8(key)) {
        return CB_E_JSON;
    }
    char digits[21];
    size_t n = 0;
    /* Magnitude via unsigned negation: well-defined for INT64_MIN too. */
    uint64_t mag = (value < 0) ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    if (value < 0) {
        digits[n++] = '-';
    }
    n += u64_digits(mag, digits + n);
    size_t mark = w->len;
    return finish(w, mark, put_key(w, key) && put(w, digits, n));
}

cb_status cb_json_add_bool(cb_json_writer *w, const char *key, bool value)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    if (key == NULL) {
        return CB_E_ARG;
    }
    if (!valid_utf8(key)) {
        return CB_E_JSON;
    }
    size_t mark = w->len;
    return finish(w, mark, put_key(w, key) && (value ? put(w, "true", 4) : put(w, "false", 5)));
}

cb_status cb_json_add_tenths(cb_json_writer *w, const char *key, int64_t tenths, bool is_null)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    if (key == NULL) {
        return CB_E_ARG;
    }
    if (!valid_utf8(key)) {
        return CB_E_JSON;
    }
    size_t mark = w->len;
    if (is_null) {
        return finish(w, mark, put_key(w, key) && put(w, "null", 4));
    }
    /* Print the digits of |tenths| (at least two, "05" for 0.5) and put the
     * decimal point before the last one. */
    char digits[21];
    char text[24];
    size_t t = 0;
    uint64_t mag = (tenths < 0) ? (uint64_t)0 - (uint64_t)tenths : (uint64_t)tenths;
    size_t n = u64_digits(mag, digits);
    if (tenths < 0) {
        text[t++] = '-';
    }
    if (n == 1) {
        text[t++] = '0';
    } else {
        memcpy(text + t, digits, n - 1);
        t += n - 1;
    }
    text[t++] = '.';
    text[t++] = digits[n - 1];
    return finish(w, mark, put_key(w, key) && put(w, text, t));
}

cb_status cb_json_add_raw(cb_json_writer *w, const char *key, const char *raw, size_t raw_len)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    if (key == NULL || raw == NULL || raw_len == 0) {
        return CB_E_ARG;
    }
    if (!valid_utf8(key)) {
        return CB_E_JSON;
    }
    /* raw came from another writer of ours: valid JSON, so it is copied as it is */
    size_t mark = w->len;
    return finish(w, mark, put_key(w, key) && put(w, raw, raw_len));
}

cb_status cb_json_end(cb_json_writer *w, size_t *len_out)
{
    cb_status st = usable(w);
    if (st != CB_OK) {
        return st;
    }
    size_t mark = w->len;
    if (!put(w, "}", 1)) {
        w->len = mark;
        w->buf[mark] = '\0';
        return CB_E_BUFFER;
    }
    if (len_out != NULL) {
        *len_out = w->len;
    }
    return CB_OK;
}
