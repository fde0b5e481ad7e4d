/* field.h - typed access to the members of a decoded protocol object.
 *
 * Private to lib/src. Each payload decoder (press.c, state.c, cmd.c, info.c) checks
 * its fields with these helpers so that every decoder applies the same order of
 * rules from docs/protocol.md: missing, then type, then range / length. */
#ifndef CALLBELL_FIELD_H
#define CALLBELL_FIELD_H

#include "callbell/json.h"
#include "callbell/protocol.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a payload and checks its version: CB_E_TOO_LONG (> CB_PAYLOAD_MAX bytes, or
 * more than CB_JSON_MAX_MEMBERS members), CB_E_JSON, CB_E_DUPLICATE_KEY, then "v":
 * CB_E_MISSING if absent, CB_E_VERSION unless it is the integer 1. */
cb_status cb_field_payload(const char *payload, size_t len, cb_json_object *obj);
/* The same with another bound than CB_PAYLOAD_MAX (state payloads: 1024 bytes). */
cb_status cb_field_payload_max(const char *payload, size_t len, size_t max, cb_json_object *obj);

/* Integer `key` within [min, max]. Absent: CB_E_MISSING if required, else CB_OK with
 * *present false. A fraction or exponent is CB_E_TYPE; an integer token outside
 * int64 or outside [min, max] is CB_E_RANGE. present may be NULL. */
cb_status cb_field_int(const cb_json_object *obj, const char *key, bool required, int64_t min, int64_t max,
                       int64_t *value, bool *present);

/* Boolean `key` (absent and optional: *value false). */
cb_status cb_field_bool(const cb_json_object *obj, const char *key, bool required, bool *value, bool *present);

/* String `key` decoded into dst[cap] (at most cap-1 bytes, else CB_E_TOO_LONG); *len
 * gets the decoded length (may include NUL bytes from "\u0000"). Absent and optional:
 * dst = "". present and len may be NULL. */
cb_status cb_field_str(const cb_json_object *obj, const char *key, bool required, char *dst, size_t cap, size_t *len,
                       bool *present);

/* An id field ([a-z0-9_-]{1,32}): CB_E_MISSING, CB_E_TYPE or CB_E_BAD_ID (also
 * when too long). dst must hold CB_ID_SIZE bytes. */
cb_status cb_field_id(const cb_json_object *obj, const char *key, char *dst);

/* Kind field: CB_E_MISSING / CB_E_TYPE / CB_E_BAD_KIND. */
cb_status cb_field_kind(const cb_json_object *obj, const char *key, bool required, cb_kind *kind, bool *present);

/* The refusal a reply carries when "ok" is false (press reply, cmd reply): "error",
 * an error name (not empty), and "reason", for a person; both required, neither may
 * hold "\u0000" (range). Decodes into error[error_cap] and reason[reason_cap]. */
cb_status cb_field_refusal(const cb_json_object *obj, char *error, size_t error_cap, char *reason, size_t reason_cap);
/* The same rule for an encoder: CB_E_TOO_LONG (unterminated), CB_E_RANGE (empty
 * error), CB_E_JSON (not UTF-8), else CB_OK. */
cb_status cb_field_refusal_check(const char *error, size_t error_cap, const char *reason, size_t reason_cap);

/* Whether s[0..len) has a control character (C0, DEL or C1: Unicode category Cc). */
bool cb_field_has_control(const char *s, size_t len);

/* Whether s is NUL-terminated within cap bytes (a struct field is a valid string). */
bool cb_field_terminated(const char *s, size_t cap);

/* Whether the NUL-terminated s is valid UTF-8 (encoders check before writing). */
bool cb_field_utf8(const char *s);

/* Values in a struct about to be encoded must fit JSON integers (int64). */
#define CB_FIELD_U64_MAX ((uint64_t)INT64_MAX)

#endif
