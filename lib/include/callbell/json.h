/* json.h - bounded JSON for flat protocol objects: no heap, no recursion.
 *
 * The protocol only ever carries one flat object of strings, integers, booleans,
 * numbers and null (docs/protocol.md). A full JSON library would need a heap on the
 * Pico; this reader walks the text in place and hands out key/value views. The writer
 * appends into a caller's fixed buffer and reports overflow instead of truncating. */
#ifndef CALLBELL_JSON_H
#define CALLBELL_JSON_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cb_json_type {
    CB_JSON_STRING,
    CB_JSON_INT,    /* integer without fraction/exponent, fits int64 */
    CB_JSON_NUMBER, /* any other number (fraction or exponent) */
    CB_JSON_BOOL,
    CB_JSON_NULL,
    CB_JSON_NESTED /* object or array value: skipped, never interpreted */
} cb_json_type;

/* One member of the object. `key` and `str` point into the input and are not
 * NUL-terminated; `str` is the raw (still escaped) string body. */
typedef struct cb_json_member {
    const char *key;
    size_t key_len;
    cb_json_type type;
    const char *str; /* CB_JSON_STRING: raw body; other types: raw token */
    size_t str_len;
    int64_t i; /* CB_JSON_INT */
    bool b;    /* CB_JSON_BOOL */
} cb_json_member;

#define CB_JSON_MAX_MEMBERS 16

typedef struct cb_json_object {
    cb_json_member m[CB_JSON_MAX_MEMBERS];
    size_t count;
} cb_json_object;

/* Parses `text[0..len)` as exactly one JSON object (surrounding whitespace allowed)
 * into *out. Nested objects/arrays are accepted as CB_JSON_NESTED to a depth of 8
 * (a member's value may hold 8 levels of brackets; deeper is CB_E_JSON). Strict
 * RFC 8259: no BOM, no leading zeros, no lone surrogates in \u escapes, no overlong
 * or surrogate UTF-8. Keys are compared after unescaping ("\u0076" is "v"). A
 * malformed text is CB_E_JSON even when a duplicate key came first.
 * Returns CB_OK; CB_E_JSON for malformed input (including invalid escapes, control
 * characters in strings, trailing garbage, invalid UTF-8); CB_E_DUPLICATE_KEY if a key
 * repeats; CB_E_FULL if the object has more than CB_JSON_MAX_MEMBERS members;
 * CB_E_ARG for NULL pointers. */
cb_status cb_json_parse(const char *text, size_t len, cb_json_object *out);

/* Finds member `key` (NUL-terminated). Returns CB_OK and *member, or CB_E_MISSING. */
cb_status cb_json_find(const cb_json_object *obj, const char *key, const cb_json_member **member);

/* Decodes a CB_JSON_STRING member's escapes into dst (NUL-terminated, at most
 * cap-1 bytes). Returns CB_OK, CB_E_TYPE if not a string, CB_E_TOO_LONG if it does not
 * fit, CB_E_JSON for \u escapes that are not valid (surrogates are combined). */
cb_status cb_json_string(const cb_json_member *member, char *dst, size_t cap);

/* Walks the elements of an array member (CB_JSON_NESTED whose text starts with '[')
 * of an object cb_json_parse accepted. Start with *pos = 0; each call gives the next
 * element's raw text in *elem / *elem_len. Returns CB_OK, CB_E_EMPTY after the last
 * element, CB_E_TYPE if the member is not an array, CB_E_ARG for NULL pointers. */
cb_status cb_json_array_next(const cb_json_member *array, size_t *pos, const char **elem, size_t *elem_len);

/* Writer: appends into buf[cap]; keeps it NUL-terminated. Once a write does not fit,
 * the writer is "overflowed" and every later call returns CB_E_BUFFER. */
typedef struct cb_json_writer {
    char *buf;
    size_t cap;
    size_t len;
    bool first;
    bool overflow;
} cb_json_writer;

/* Starts an object "{" in buf. Returns CB_OK, CB_E_ARG, or CB_E_BUFFER (cap < 3). */
cb_status cb_json_begin(cb_json_writer *w, char *buf, size_t cap);
/* Each adds `"key":value`, escaping strings (control chars as \u00XX). A key or
 * value that is not valid UTF-8 is CB_E_JSON and nothing is written. */
cb_status cb_json_add_str(cb_json_writer *w, const char *key, const char *value);
cb_status cb_json_add_int(cb_json_writer *w, const char *key, int64_t value);
cb_status cb_json_add_bool(cb_json_writer *w, const char *key, bool value);
/* Adds a number with one decimal (e.g. 21.5), or null when `is_null`. */
cb_status cb_json_add_tenths(cb_json_writer *w, const char *key, int64_t tenths, bool is_null);
/* Adds `"key":` followed by `raw`, which must already be valid JSON (an array or
 * object built with another writer). CB_E_ARG for NULL or empty raw. */
cb_status cb_json_add_raw(cb_json_writer *w, const char *key, const char *raw, size_t raw_len);
/* Closes with "}". On CB_OK, *len_out (optional) is the length without the NUL. */
cb_status cb_json_end(cb_json_writer *w, size_t *len_out);

#endif
