/* protocol.h - callbell MQTT protocol v1: topics and payloads (docs/protocol.md).
 *
 * Pure functions over caller-owned fixed buffers. Decoders validate strictly and
 * return the named error of the first rule broken, so the hub can log why a message
 * was rejected. Encoders never truncate: a too-small buffer is CB_E_BUFFER. */
#ifndef CALLBELL_PROTOCOL_H
#define CALLBELL_PROTOCOL_H

#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_PROTOCOL_VERSION 1
#define CB_ID_MAX 32 /* site, table, device: [a-z0-9_-]{1,32} */
#define CB_ID_SIZE (CB_ID_MAX + 1)
#define CB_NAME_MAX 32 /* staff name in cmd/state */
#define CB_NAME_SIZE (CB_NAME_MAX + 1)
#define CB_TEXT_MAX 64   /* press "text" */
#define CB_FW_MAX 16     /* info "fw" */
#define CB_TOPIC_MAX 128 /* bytes, without NUL */
#define CB_TOPIC_SIZE (CB_TOPIC_MAX + 1)
#define CB_PAYLOAD_MAX 512 /* bytes; longer payloads are CB_E_TOO_LONG */
#define CB_PAYLOAD_SIZE (CB_PAYLOAD_MAX + 1)
#define CB_PRESS_AGE_MAX_MS 86400000u /* 24 h: a press "age_ms" beyond is read as this */

typedef enum cb_kind { CB_KIND_CALL = 0, CB_KIND_BILL, CB_KIND_WATER, CB_KIND_CANCEL, CB_KIND_COUNT } cb_kind;
typedef enum cb_table_status { CB_IDLE = 0, CB_CALLING, CB_ACKNOWLEDGED } cb_table_status;
typedef enum cb_action { CB_ACTION_ACK = 0, CB_ACTION_DONE } cb_action;

/* What a topic is about. */
typedef enum cb_topic_type {
    CB_TOPIC_PRESS,         /* callbell/<site>/table/<table>/press */
    CB_TOPIC_STATE,         /* callbell/<site>/table/<table>/state */
    CB_TOPIC_CMD,           /* callbell/<site>/table/<table>/cmd */
    CB_TOPIC_DEVICE_STATUS, /* callbell/<site>/device/<device>/status */
    CB_TOPIC_DEVICE_INFO,   /* callbell/<site>/device/<device>/info */
    CB_TOPIC_HUB_STATUS,    /* callbell/<site>/hub/status */
    CB_TOPIC_HUB_STATS,     /* callbell/<site>/hub/stats */
    CB_TOPIC_HUB_REQUEST,   /* callbell/<site>/hub/request */
    CB_TOPIC_REPLY          /* callbell/<site>/reply/<client> */
} cb_topic_type;

typedef struct cb_topic {
    cb_topic_type type;
    char site[CB_ID_SIZE];
    char id[CB_ID_SIZE]; /* table, device or client id; "" for hub topics */
} cb_topic;

typedef struct cb_press {
    char device[CB_ID_SIZE];
    uint32_t boot;
    uint32_t seq; /* >= 1 */
    cb_kind kind;
    uint32_t age_ms;            /* <= CB_PRESS_AGE_MAX_MS: the decoder clamps larger ones */
    char text[CB_TEXT_MAX + 1]; /* "" when absent */
    bool has_battery;
    uint16_t battery_mv; /* 0..10000 */
    bool has_rssi;
    int8_t rssi; /* -127..0 */
} cb_press;

typedef struct cb_state {
    /* 64-bit fields first: the hub keeps one per table, 100,000 of them, and padding
     * between mixed fields would cost 8 bytes each */
    uint64_t call;       /* 0 when idle */
    uint64_t pressed_at; /* hub clock, ms since epoch */
    uint64_t acked_at;
    uint64_t updated_at;
    uint32_t count;
    uint32_t repeats;
    cb_table_status status;
    cb_kind kind; /* meaningful unless idle */
    char table[CB_ID_SIZE];
    char acked_by[CB_NAME_SIZE];
} cb_state;

typedef struct cb_cmd {
    cb_action action;
    char by[CB_NAME_SIZE];
    bool has_call;
    uint64_t call;
} cb_cmd;

typedef struct cb_info {
    char fw[CB_FW_MAX + 1];
    char tables[CB_TEXT_MAX + 1]; /* comma-separated table ids, "" when absent */
    uint32_t uptime_s;
    bool has_rssi;
    int8_t rssi;
    bool has_battery;
    uint16_t battery_mv;
    bool low_battery;
} cb_info;

/* ---- identifiers and names ------------------------------------------------ */

/* CB_OK if `id` is 1..32 chars of [a-z0-9_-], else CB_E_BAD_ID (CB_E_ARG if NULL). */
cb_status cb_id_check(const char *id);
/* Kind <-> name ("call", "bill", "water", "cancel"). Unknown: CB_E_BAD_KIND. */
cb_status cb_kind_name(cb_kind kind, const char **name);
cb_status cb_kind_parse(const char *name, size_t len, cb_kind *kind);
/* Status <-> name ("idle", "calling", "acknowledged"). Unknown: CB_E_RANGE. */
cb_status cb_table_status_name(cb_table_status status, const char **name);
cb_status cb_table_status_parse(const char *name, size_t len, cb_table_status *status);
/* Action <-> name ("ack", "done"). Unknown: CB_E_BAD_ACTION. */
cb_status cb_action_name(cb_action action, const char **name);
cb_status cb_action_parse(const char *name, size_t len, cb_action *action);

/* ---- topics ---------------------------------------------------------------- */

/* Builds the topic for (type, site, id) into buf[cap], NUL-terminated. `id` is the
 * table / device / client id and is ignored (may be NULL) for hub topics.
 * Returns CB_OK, CB_E_BAD_ID for an invalid site/id, CB_E_BUFFER if cap is too small. */
cb_status cb_topic_build(cb_topic_type type, const char *site, const char *id, char *buf, size_t cap);

/* Parses a topic (not NUL-terminated; len bytes) into *out.
 * Returns CB_OK, CB_E_TOO_LONG (> CB_TOPIC_MAX), CB_E_BAD_ID (bad site/id segment),
 * CB_E_BAD_TOPIC (any other shape). */
cb_status cb_topic_parse(const char *topic, size_t len, cb_topic *out);

/* ---- payloads -------------------------------------------------------------- */
/* Every decoder: CB_E_TOO_LONG if len > CB_PAYLOAD_MAX, CB_E_JSON for malformed
 * JSON, CB_E_VERSION if "v" is not 1 (CB_E_MISSING if absent), then the field rules
 * of docs/protocol.md in the order of its tables. Unknown keys are ignored.
 * Every encoder writes a NUL-terminated JSON object into buf[cap] and its length
 * (without NUL) into *len; CB_E_BUFFER if it does not fit; invalid fields in the
 * input struct are rejected with the same error a decoder would give.
 *
 * Details the protocol leaves open, decided here (docs/protocol.md implies them):
 * - Order: too_long (> CB_PAYLOAD_MAX bytes), json, duplicate_key, "v" (missing /
 *   version: anything but the integer 1, so "1" and 1.0 are version), then each
 *   field in table order: missing, type, then range / bad_id / bad_kind /
 *   bad_action / too_long.
 * - More than CB_JSON_MAX_MEMBERS members: too_long (a bound, not bad syntax).
 * - Integer fields: a fraction or exponent is type; an integer token outside its
 *   range, including outside int64, is range (boot 4294967296 is range, 1e3 is type).
 *   64-bit fields (call, *_at) are 0 .. INT64_MAX.
 * - An id field that is too long or malformed is bad_id; a kind / action string of
 *   any other value (or too long) is bad_kind / bad_action; status is range.
 * - Strings over their bound (text 64, fw 16, tables 64, by / acked_by 32 bytes,
 *   counted after unescaping) are too_long. "\u0000" in any string is range.
 * - cmd: by is 1..32 bytes without control characters (C0, DEL, C1): "" or a
 *   control character is range; call, when present, is >= 1.
 * - state: kind is required unless status is idle; "cancel" is bad_kind (never a
 *   call's kind). Ties to the status are range: idle needs call, count, repeats,
 *   pressed_at = 0; calling/acknowledged need call >= 1 and count >= 1; acked_by
 *   must be "" and acked_at 0 unless acknowledged. A kind on an idle state is read
 *   and ignored (decoded as CB_KIND_CALL), and never written.
 * - press: age_ms above CB_PRESS_AGE_MAX_MS is decoded as CB_PRESS_AGE_MAX_MS (not
 *   an error: the press is a guest's call); above 4294967295 it is range.
 * - info: checked in the order fw, tables, rssi, battery_mv, low_battery, uptime_s
 *   (the order of the example); tables is free text, not parsed. low_battery is
 *   false when absent and always written.
 * - Encoders leave out absent optional fields (text/tables "" count as absent),
 *   write keys in the order of docs/protocol.md and return json for strings that
 *   are not valid UTF-8. */

cb_status cb_press_decode(const char *payload, size_t len, cb_press *out);
cb_status cb_press_encode(const cb_press *press, char *buf, size_t cap, size_t *len);

cb_status cb_state_decode(const char *payload, size_t len, cb_state *out);
cb_status cb_state_encode(const cb_state *state, char *buf, size_t cap, size_t *len);

cb_status cb_cmd_decode(const char *payload, size_t len, cb_cmd *out);
cb_status cb_cmd_encode(const cb_cmd *cmd, char *buf, size_t cap, size_t *len);

cb_status cb_info_decode(const char *payload, size_t len, cb_info *out);
cb_status cb_info_encode(const cb_info *info, char *buf, size_t cap, size_t *len);

/* Writes the seed-style readable text for a press, e.g. "Table 3: bill", into
 * buf[cap]. Returns CB_OK, CB_E_BAD_ID, CB_E_BAD_KIND or CB_E_BUFFER. */
cb_status cb_press_text(const char *table, cb_kind kind, char *buf, size_t cap);

#endif
