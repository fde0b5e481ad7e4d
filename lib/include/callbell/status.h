/* status.h - the one status enum every callbell core function returns.
 *
 * Each failure has a stable short name (docs/protocol.md, "Error names") so logs
 * on the hub and the device say the same thing for the same fault. */
#ifndef CALLBELL_STATUS_H
#define CALLBELL_STATUS_H

typedef enum cb_status {
    CB_OK = 0,
    CB_E_JSON,          /* "json": malformed JSON */
    CB_E_TOO_LONG,      /* "too_long": payload, topic or string over its bound */
    CB_E_VERSION,       /* "version": "v" is not 1 */
    CB_E_MISSING,       /* "missing": a required key is absent */
    CB_E_TYPE,          /* "type": a known key has the wrong JSON type */
    CB_E_RANGE,         /* "range": a number outside its range */
    CB_E_DUPLICATE_KEY, /* "duplicate_key": a key appears twice */
    CB_E_BAD_ID,        /* "bad_id": site/table/device id not [a-z0-9_-]{1,32} */
    CB_E_BAD_KIND,      /* "bad_kind": kind not call|bill|water|cancel */
    CB_E_BAD_TOPIC,     /* "bad_topic": topic is not a callbell topic */
    CB_E_BAD_ACTION,    /* "bad_action": cmd action not ack|done */
    CB_E_DUPLICATE,     /* "duplicate": this (device, boot, seq) was applied already */
    CB_E_NO_CALL,       /* "no_call": command for a table with no open call */
    CB_E_STALE,         /* "stale": command names a call that is not the open one */
    CB_E_FULL,          /* "full": bounded container has no room */
    CB_E_BUFFER,        /* "buffer": caller's output buffer too small */
    CB_E_ARG,           /* "arg": NULL pointer or invalid argument (caller bug) */
    CB_E_EMPTY,         /* "empty": nothing to return (not an error for polling) */
    CB_STATUS_COUNT
} cb_status;

/* Writes the stable name of `status` (e.g. "too_long") to *name.
 * Returns CB_OK, or CB_E_ARG if name is NULL or status is out of range
 * (then *name, if writable, is set to "unknown"). */
cb_status cb_status_name(cb_status status, const char **name);

/* Convenience for log lines: the name, or "unknown". Never NULL. */
const char *cb_status_str(cb_status status);

#endif
