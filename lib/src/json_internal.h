/* json_internal.h - pieces shared by the JSON reader, string decoder and writer.
 *
 * Private to lib/src: not part of the public API, so it can change with the core. */
#ifndef CALLBELL_JSON_INTERNAL_H
#define CALLBELL_JSON_INTERNAL_H

#include "callbell/json.h"
#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the well-formed UTF-8 sequence at s[0..avail), or 0 if it is not
 * one (overlong forms, surrogates and code points above U+10FFFF are not). */
size_t cb_utf8_len(const unsigned char *s, size_t avail);

/* Decodes one unit of a raw JSON string body at raw[*pos] (an escape, an ASCII byte
 * or a UTF-8 sequence) into out, advances *pos and returns the byte count (1..4).
 * Returns 0 for anything JSON does not allow in a string: bad escapes, lone
 * surrogates, control characters, a bare '"', invalid UTF-8. */
size_t cb_json_unit_next(const char *raw, size_t len, size_t *pos, unsigned char out[4]);

/* Decodes raw[0..raw_len) into dst (NUL-terminated when cap > 0). *out_len gets the
 * decoded length even when it does not fit. CB_OK, CB_E_TOO_LONG or CB_E_JSON (which
 * wins: the whole body is checked). With dst NULL and cap 0 it only measures
 * (CB_E_TOO_LONG unless malformed). */
cb_status cb_json_unescape(const char *raw, size_t raw_len, char *dst, size_t cap, size_t *out_len);

/* Whether two raw string bodies decode to the same bytes ("\u0076" equals "v"). */
bool cb_json_raw_equal(const char *a, size_t a_len, const char *b, size_t b_len);

/* Whether a raw string body decodes to the NUL-terminated `key`. */
bool cb_json_raw_is(const char *raw, size_t raw_len, const char *key);

#endif
