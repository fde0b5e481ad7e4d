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
#define CB_STATE_PAYLOAD_MAX 1024 /* a state with three requests does not fit 512 */
#define CB_STATE_PAYLOAD_SIZE (CB_STATE_PAYLOAD_MAX + 1)
#define CB_REQUEST_MAX 3     /* open requests a table holds: one per kind (call, bill, water) */
#define CB_REASON_MAX 160    /* press reply "reason" */
#define CB_ERROR_NAME_MAX 23 /* press reply "error" */
#define CB_JSON_SAFE_MAX ((uint64_t)9007199254740991) /* 2^53 - 1: exact in JavaScript */
#define CB_PRESS_AGE_MAX_MS 86400000u                 /* 24 h: a press "age_ms" beyond is read as this */

typedef enum cb_kind { CB_KIND_CALL = 0, CB_KIND_BILL, CB_KIND_WATER, CB_KIND_CANCEL, CB_KIND_COUNT } cb_kind;
typedef enum cb_table_status { CB_IDLE = 0, CB_CALLING, CB_ACKNOWLEDGED } cb_table_status;
typedef enum cb_action { CB_ACTION_ACK = 0, CB_ACTION_DONE } cb_action;
/* Who a request rings (docs/protocol.md "Escalation chain"), in rising order. */
typedef enum cb_level { CB_LEVEL_SECTION = 0, CB_LEVEL_FLOOR, CB_LEVEL_MANAGER, CB_LEVEL_COUNT } cb_level;
/* A sign-in's role; CB_ROLE_OFF signs the client out. */
typedef enum cb_role { CB_ROLE_STAFF = 0, CB_ROLE_MANAGER, CB_ROLE_OFF } cb_role;
#define CB_SIGNIN_SECTIONS_MAX 8 /* sections one sign-in names */
#define CB_SECTIONS_TEXT_MAX 64  /* "patio,bar": bytes on the wire */

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
    CB_TOPIC_REPLY,         /* callbell/<site>/reply/<client> */
    CB_TOPIC_HUB_INFO,      /* callbell/<site>/hub/info */
    CB_TOPIC_HUB_SITE,      /* callbell/<site>/hub/site */
    CB_TOPIC_SIGNIN         /* callbell/<site>/staff/<client>/signin */
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
    bool has_up_ms;
    uint64_t up_ms; /* device ms since boot when sent (0..2^53-1) */
    bool has_sent_at;
    uint64_t sent_at; /* sender's wall clock ms when sent (0..2^53-1) */
} cb_press;

/* The hub's answer to a press (docs/protocol.md "press reply"). */
typedef struct cb_press_reply {
    uint32_t boot;
    uint32_t seq;
    bool ok;
    cb_kind kind;
    uint64_t call; /* ok: the request opened or counted, 0 when none */
    char table[CB_ID_SIZE];
    char error[CB_ERROR_NAME_MAX + 1]; /* not ok: an error name */
    char reason[CB_REASON_MAX + 1];    /* not ok: for a person */
} cb_press_reply;

/* One open request of a table (docs/protocol.md "state"). */
typedef struct cb_request {
    uint64_t call;          /* request id, >= 1 */
    uint64_t pressed_at;    /* hub clock, ms since epoch */
    uint64_t acked_at;      /* 0 unless acknowledged */
    uint64_t last_alert_at; /* hub-only bookkeeping (escalation clock): not encoded, 0 when decoded */
    uint32_t count;
    uint32_t repeats;
    cb_table_status status; /* CB_CALLING or CB_ACKNOWLEDGED */
    cb_kind kind;           /* call, bill or water */
    cb_level level;         /* who is rung; decoded as CB_LEVEL_FLOOR when absent */
    char acked_by[CB_NAME_SIZE];
} cb_request;

typedef struct cb_state {
    uint64_t updated_at;
    cb_table_status status; /* derived from the requests (cb_state_status) */
    uint32_t n_requests;    /* 0..CB_REQUEST_MAX, requests[0..n) oldest first */
    char table[CB_ID_SIZE];
    char section[CB_ID_SIZE]; /* the table's section, "" when none (then not encoded) */
    cb_request requests[CB_REQUEST_MAX];
} cb_state;

/* A board's sign-in (docs/protocol.md "sign-in"). */
typedef struct cb_signin {
    char by[CB_NAME_SIZE];
    cb_role role;
    uint32_t n_sections;
    char sections[CB_SIGNIN_SECTIONS_MAX][CB_ID_SIZE];
} cb_signin;

typedef struct cb_cmd {
    cb_action action;
    char by[CB_NAME_SIZE];
    bool has_kind;
    cb_kind kind; /* call, bill or water */
    bool has_call;
    uint64_t call;
    char from[CB_ID_SIZE]; /* client to answer, "" when absent */
} cb_cmd;

/* A question to the hub (docs/protocol.md "request / reply"). */
typedef enum cb_query_kind {
    CB_QUERY_OTHER = 0,
    CB_QUERY_STATS,
    CB_QUERY_CALLS,
    CB_QUERY_INFO,
    CB_QUERY_REPORT
} cb_query_kind;
/* How a report groups requests (its "by"); CB_BY_NONE: overall only. */
typedef enum cb_report_by {
    CB_BY_NONE = 0,
    CB_BY_TABLE,
    CB_BY_KIND,
    CB_BY_STAFF,
    CB_BY_HOUR,
    CB_BY_DAY,
    CB_BY_SECTION
} cb_report_by;
#define CB_QUERY_NAME_MAX 16
typedef struct cb_query {
    char id[CB_ID_SIZE];              /* the asker's request id */
    cb_query_kind kind;               /* CB_QUERY_OTHER: a query this side does not know */
    char name[CB_QUERY_NAME_MAX + 1]; /* the query as sent ("stats", ...) */
    bool has_since;
    uint64_t since; /* stats, report: hub clock ms, 0 .. 2^53-1 */
    bool has_until;
    uint64_t until;               /* report: hub clock ms, 1 .. 2^53-1 (exclusive) */
    cb_report_by by;              /* report: CB_BY_NONE when absent */
    char reply_to[CB_TOPIC_SIZE]; /* callbell/<site>/reply/<id>, checked by the hub; "" when
                                   * absent (MQTT 5: the message's response topic) */
} cb_query;

/* The hub's answer to a cmd with "from" (docs/protocol.md "cmd reply"). */
typedef struct cb_cmd_reply {
    char table[CB_ID_SIZE];
    cb_action action;
    uint64_t call; /* as the command named it, 0 when none */
    bool ok;
    char error[CB_ERROR_NAME_MAX + 1]; /* not ok */
    char reason[CB_REASON_MAX + 1];    /* not ok */
} cb_cmd_reply;

/* Who the hub is (docs/protocol.md "hub info"): retained, and the answer to "info". */
#define CB_HOST_MAX 64
#define CB_DB_SHOWN_MAX 200
typedef struct cb_hub_info {
    char instance[CB_ID_SIZE];    /* new for every hub process */
    char host[CB_HOST_MAX + 1];   /* 1..64 bytes */
    uint32_t pid;                 /* >= 1 */
    char db[CB_DB_SHOWN_MAX + 1]; /* 1..200 bytes (cb_hub_info_set_db shortens) */
    uint64_t started_at;          /* hub clock ms */
} cb_hub_info;

/* The site as the hub understood it (docs/protocol.md "site"). The tables live in
 * the caller's array: a decoder fills tables[0..n_tables) of tables_cap. */
#define CB_SITE_PAYLOAD_MAX 65536 /* bytes; the only payload besides replies over 1024 */
#define CB_SITE_LIST_MAX 1000     /* tables a site message lists at most */
#define CB_DISPLAY_NAME_MAX 64    /* bytes of UTF-8: a table's or the site's name */
#define CB_SITE_SECONDS_LIMIT 86400u
typedef struct cb_site_entry {
    char id[CB_ID_SIZE];
    char name[CB_DISPLAY_NAME_MAX + 1];
    uint8_t kinds; /* bit (1u << cb_kind) per button offered; all four when "kinds" is absent */
} cb_site_entry;
#define CB_KINDS_ALL ((uint8_t)((1u << CB_KIND_COUNT) - 1u))

typedef struct cb_site {
    char site[CB_ID_SIZE];
    char name[CB_DISPLAY_NAME_MAX + 1];
    uint32_t warn_s, late_s;           /* board colours: 0..86400, warn_s <= late_s */
    uint32_t realert_s, ack_timeout_s; /* the hub's escalation: 1..86400 */
    uint32_t table_count;              /* tables the hub serves, >= n_tables */
    uint32_t n_tables;                 /* tables listed */
    cb_site_entry *tables;             /* the caller's array of tables_cap entries */
    uint32_t tables_cap;
} cb_site;

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

/* Level <-> name ("section", "floor", "manager"); role <-> name ("staff", "manager",
 * "off"). Unknown: CB_E_RANGE. */
cb_status cb_level_name(cb_level level, const char **name);
cb_status cb_level_parse(const char *name, size_t len, cb_level *level);
cb_status cb_role_name(cb_role role, const char **name);
cb_status cb_role_parse(const char *name, size_t len, cb_role *role);

/* Whether a board rings for a request at `level` of a table in `section` ("" for
 * none) (docs/protocol.md "Escalation chain"). `me` is the board's sign-in, NULL (or
 * role off) when it is not signed in. CB_E_ARG for a NULL section or out, CB_E_RANGE
 * for an unknown level. */
cb_status cb_rings(cb_level level, const char *section, const cb_signin *me, bool *out);
/* Whether the sign-in names `section` (never for "" or a signed-out client). */
bool cb_signin_has(const cb_signin *s, const char *section);

/* Staff name rule (cmd "by", state "acked_by"): 1..32 bytes of valid UTF-8, no
 * control character (C0, DEL, C1), not blank, no leading or trailing space.
 * Returns CB_OK, CB_E_TOO_LONG (over 32 bytes), CB_E_JSON (not UTF-8) or CB_E_RANGE;
 * CB_E_ARG if name is NULL. `len` is the byte length (the name may hold a NUL: range). */
cb_status cb_name_check(const char *name, size_t len);

/* The table's overall status from its requests: calling if any is calling, else
 * acknowledged if any is open, else idle. CB_E_ARG / CB_E_RANGE (n_requests > max). */
cb_status cb_state_status(const cb_state *state, cb_table_status *out);

/* ---- age classes (board colours, docs/protocol.md "Age classes") ---------- */

typedef enum cb_age_class { CB_AGE_NEW = 0, CB_AGE_WARN, CB_AGE_LATE, CB_AGE_ACKED } cb_age_class;
typedef struct cb_age_thresholds {
    uint32_t warn_s; /* default 60 */
    uint32_t late_s; /* default 180 */
} cb_age_thresholds;
cb_status cb_age_thresholds_default(cb_age_thresholds *t);
/* Seconds a request has waited at `now` (0 if pressed_at is later). CB_E_ARG. */
cb_status cb_waiting_s(uint64_t pressed_at, uint64_t now, uint64_t *out);
/* Class of a request that has waited `waiting_s`, acknowledged or not. CB_E_ARG when
 * a pointer is NULL, CB_E_RANGE when warn_s > late_s. */
cb_status cb_age_class_of(uint64_t waiting_s, bool acknowledged, const cb_age_thresholds *t, cb_age_class *out);
/* "new", "warn", "late", "acked". CB_E_RANGE if unknown. */
cb_status cb_age_class_name(cb_age_class c, const char **name);

/* ---- the boards' start-up view (docs/protocol.md "Boards' start-up view") ---- */

/* What a board is offered for one table: a state message, or the hub's answer to a
 * `calls` request (the snapshot). */
typedef enum cb_view_source { CB_VIEW_FROM_STATE = 0, CB_VIEW_FROM_SNAPSHOT } cb_view_source;
/* Whether a board replaces what it shows of a table with what it is offered. `shown`
 * is the table's version on the board: the updated_at of the state it applied, or
 * the `at` of the snapshot it applied (0: nothing yet); `offered` is the state's
 * updated_at or the snapshot's `at`. A state is taken when offered >= shown, a
 * snapshot only when offered > shown (a state of the snapshot's very millisecond may
 * be newer than it). CB_E_ARG for a NULL out, CB_E_RANGE for an unknown source. */
cb_status cb_view_takes(cb_view_source from, uint64_t offered, uint64_t shown, bool *out);

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
 * - cmd: by follows cb_name_check (range, too_long); kind, when present, is call,
 *   bill or water ("cancel" is bad_kind); call, when present, is >= 1; from, when
 *   present, is an id (bad_id).
 * - request (query): checked in the order id, reply_to, query, since, and on an error
 *   after reply_to *out still holds id and reply_to (the asker can be told what is
 *   wrong); otherwise *out is zeroed. id is an id (bad_id), query a string of at most 16 bytes
 *   (too_long; empty or with a NUL in it: range; an unknown name decodes as
 *   CB_QUERY_OTHER so the hub can say so),
 *   since an optional integer 0 .. 2^53-1 (range), reply_to an optional topic string
 *   of at most 128 bytes (too_long; its shape is the hub's to check; absent: "", for
 *   an MQTT 5 asker that names a response topic instead). Then until, an optional
 *   integer 1 .. 2^53-1 (range), and by, an optional string table, kind, staff, hour
 *   or day (range otherwise; type if not a string); the decoder reads them for any
 *   query, the encoder writes them when set.
 * - cb_report_by_name / cb_report_by_parse: the wire name of a report grouping
 *   ("" for CB_BY_NONE) and back (range for any other name, arg for NULL).
 * - cmd reply: table, action, call (0..INT64_MAX), ok; error and reason required
 *   when not ok (as in the press reply).
 * - press: up_ms and sent_at, when present, are 0 .. 2^53-1 (range beyond).
 * - press: age_ms above CB_PRESS_AGE_MAX_MS is decoded as CB_PRESS_AGE_MAX_MS (not
 *   an error: the press is a guest's call); above 4294967295 it is range.
 * - state: "requests" is required and must be an array (type) of at most
 *   CB_REQUEST_MAX objects (range beyond; an element that is not an object is type).
 *   Each request: kind (required; "cancel" is bad_kind), call >= 1, status calling or
 *   acknowledged (range), count >= 1, repeats, pressed_at, acked_by ("" unless
 *   acknowledged, else range; a name per cb_name_check when acknowledged), acked_at
 *   (0 unless acknowledged, else range). Two requests of one kind or with one call id, or requests not in
 *   (pressed_at, call) order, are range. The top-level status must equal
 *   cb_state_status of the requests (range). Decoded requests have last_alert_at 0.
 * - press reply: boot, seq, ok (required), table, kind; call (ok, optional, 0 when
 *   absent); error and reason (not ok, required then; an empty error, or a "\u0000"
 *   in error or reason, is range).
 * - info: checked in the order fw, tables, rssi, battery_mv, low_battery, uptime_s
 *   (the order of the example); tables is free text, not parsed. low_battery is
 *   false when absent and always written.
 * - Encoders leave out absent optional fields (text/tables "" count as absent),
 *   write keys in the order of docs/protocol.md and return json for strings that
 *   are not valid UTF-8. */

cb_status cb_press_decode(const char *payload, size_t len, cb_press *out);
cb_status cb_press_encode(const cb_press *press, char *buf, size_t cap, size_t *len);

cb_status cb_query_decode(const char *payload, size_t len, cb_query *out);
cb_status cb_query_encode(const cb_query *query, char *buf, size_t cap, size_t *len);
cb_status cb_report_by_name(cb_report_by by, const char **name);
cb_status cb_report_by_parse(const char *name, cb_report_by *out);

cb_status cb_cmd_reply_decode(const char *payload, size_t len, cb_cmd_reply *out);
cb_status cb_cmd_reply_encode(const cb_cmd_reply *reply, char *buf, size_t cap, size_t *len);

cb_status cb_press_reply_decode(const char *payload, size_t len, cb_press_reply *out);
cb_status cb_press_reply_encode(const cb_press_reply *reply, char *buf, size_t cap, size_t *len);

/* State payloads may be up to CB_STATE_PAYLOAD_MAX bytes. */
cb_status cb_state_decode(const char *payload, size_t len, cb_state *out);
cb_status cb_state_encode(const cb_state *state, char *buf, size_t cap, size_t *len);

cb_status cb_cmd_decode(const char *payload, size_t len, cb_cmd *out);
cb_status cb_cmd_encode(const cb_cmd *cmd, char *buf, size_t cap, size_t *len);

/* Sign-in: by (cb_name_check), role, sections (a comma-separated list of ids, at
 * most CB_SIGNIN_SECTIONS_MAX, CB_SECTIONS_TEXT_MAX bytes: too_long; an empty item or
 * a bad id is bad_id; a section named twice is range). */
cb_status cb_signin_decode(const char *payload, size_t len, cb_signin *out);
cb_status cb_signin_encode(const cb_signin *s, char *buf, size_t cap, size_t *len);

cb_status cb_info_decode(const char *payload, size_t len, cb_info *out);
cb_status cb_info_encode(const cb_info *info, char *buf, size_t cap, size_t *len);

/* hub info: checked in the order instance (bad_id), host, pid (1..2^32-1, range),
 * db, started_at (0..2^53-1). host and db are 1..64 / 1..200 bytes (too_long beyond;
 * empty or holding "\u0000": range). */
cb_status cb_hub_info_decode(const char *payload, size_t len, cb_hub_info *out);
cb_status cb_hub_info_encode(const cb_hub_info *info, char *buf, size_t cap, size_t *len);
/* Copies a database path into info->db, shortened to "..." and its last 197 bytes
 * when longer than 200 bytes (never cutting a UTF-8 character). CB_E_ARG for NULL,
 * CB_E_RANGE for an empty path. */
cb_status cb_hub_info_set_db(cb_hub_info *info, const char *path);

/* Display names (the site's and its tables'): 1..64 bytes of UTF-8 without control
 * characters. CB_OK, CB_E_TOO_LONG, CB_E_JSON (not UTF-8), CB_E_RANGE (empty or a
 * control character); CB_E_ARG for NULL. */
cb_status cb_display_name_check(const char *name, size_t len);

/* Site payloads (up to CB_SITE_PAYLOAD_MAX bytes). The decoder needs out->tables and
 * out->tables_cap set by the caller (everything else is overwritten); a message with
 * more tables than tables_cap is CB_E_FULL (CB_SITE_LIST_MAX entries always do).
 * Checked in the order of docs/protocol.md's table: site, name, warn_s, late_s
 * (range if below warn_s), realert_s, ack_timeout_s, table_count, tables (type if not
 * an array; range beyond 1000 elements; each: type if not an object, id, name, kinds;
 * then range for an id listed twice), then range if table_count < n_tables.
 * The encoder writes "kinds" only for a table that does not offer all four. */
cb_status cb_site_decode(const char *payload, size_t len, cb_site *out);
cb_status cb_site_encode(const cb_site *site, char *buf, size_t cap, size_t *len);

/* Writes the seed-style readable text for a press, e.g. "Table 3: bill", into
 * buf[cap]. Returns CB_OK, CB_E_BAD_ID, CB_E_BAD_KIND or CB_E_BUFFER. */
cb_status cb_press_text(const char *table, cb_kind kind, char *buf, size_t cap);

#endif
