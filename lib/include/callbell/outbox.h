/* outbox.h - presses a device has made that the hub has not yet stored.
 *
 * A press enters when the debouncer reports it and leaves only when the hub's answer
 * for it arrives (docs/protocol.md "press reply"): the broker's PUBACK only moves it to
 * AT_BROKER, because a broker may lose what it acknowledged (Mosquitto saves its store
 * periodically, and a crash loses the rest). Wi-Fi, broker and hub outages delay
 * presses, never drop them.
 * Sequence numbers are given here so a resend keeps its seq and the hub can drop the
 * duplicate. Entries are sent oldest first; after a disconnect every unacknowledged
 * entry is sent again in the original order. A press of the same table and kind as
 * an entry not yet sent is merged into it (the hub would count it into the same call
 * anyway), so a device with a few tables can never fill the outbox. An entry that was
 * sent once and went back to PENDING after a disconnect is not merged into: the hub
 * may already have applied its seq. */
#ifndef CALLBELL_OUTBOX_H
#define CALLBELL_OUTBOX_H

#include "callbell/protocol.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

#ifndef CB_OUTBOX_CAP
#define CB_OUTBOX_CAP 32
#endif

typedef enum cb_outbox_entry_state {
    CB_OUTBOX_PENDING = 0, /* to be sent (again) */
    CB_OUTBOX_INFLIGHT,    /* handed to the client, no PUBACK yet */
    CB_OUTBOX_AT_BROKER    /* PUBACK came: waiting for the hub's answer */
} cb_outbox_entry_state;

typedef struct cb_outbox_entry {
    uint8_t table_index; /* index into the device's table list */
    cb_kind kind;
    uint32_t seq;
    uint32_t pressed_ms; /* device's monotonic ms clock at the physical press */
    uint16_t merged;     /* extra presses merged into this entry */
    cb_outbox_entry_state state;
    uint16_t mid;  /* MQTT message id while in flight */
    bool was_sent; /* handed to the client at least once: the hub may have it, so
                      later presses are never merged into it (they would be lost
                      as duplicates of its seq) */
} cb_outbox_entry;

typedef struct cb_outbox {
    cb_outbox_entry e[CB_OUTBOX_CAP];
    uint32_t head; /* index of oldest */
    uint32_t count;
    uint32_t next_seq;
} cb_outbox;

/* Empties *ob; the first seq given will be 1. Returns CB_OK or CB_E_ARG. */
cb_status cb_outbox_init(cb_outbox *ob);

/* Adds a press. If a never-sent PENDING entry with the same table and kind exists it is merged
 * (*seq = that entry's seq, *merged = true). Otherwise a new entry with the next seq.
 * Returns CB_OK, CB_E_FULL (nothing changed), CB_E_ARG. seq/merged may be NULL. */
cb_status cb_outbox_push(cb_outbox *ob, uint8_t table_index, cb_kind kind, uint32_t pressed_ms, uint32_t *seq,
                         bool *merged);

/* The oldest PENDING entry (copied to *out). CB_E_EMPTY if none. */
cb_status cb_outbox_next(const cb_outbox *ob, cb_outbox_entry *out);

/* Marks entry `seq` as handed to the MQTT client with message id `mid`.
 * CB_E_EMPTY if no such PENDING entry. */
cb_status cb_outbox_sent(cb_outbox *ob, uint32_t seq, uint16_t mid);

/* PUBACK for `mid`: that IN-FLIGHT entry is now AT_BROKER; *seq (optional) gets its
 * seq. CB_E_EMPTY if no entry has this mid (a late or foreign ack: ignore it). */
cb_status cb_outbox_acked(cb_outbox *ob, uint16_t mid, uint32_t *seq);

/* The hub answered press `seq` (stored or refused): removes that entry, whatever its
 * state (an answer may beat the PUBACK); *out (optional) gets a copy. CB_E_EMPTY if
 * no entry has this seq (a second answer to a resend: ignore it). */
cb_status cb_outbox_answered(cb_outbox *ob, uint32_t seq, cb_outbox_entry *out);

/* Connection lost: every IN-FLIGHT and AT_BROKER entry becomes PENDING again (order
 * kept), so it is sent again with its seq; the hub drops what it already has and
 * answers it again. */
cb_status cb_outbox_requeue(cb_outbox *ob);

/* Number of entries (pending + in flight) into *count. */
cb_status cb_outbox_count(const cb_outbox *ob, uint32_t *count);

/* Whether any entry for table_index is waiting (for the LED). */
cb_status cb_outbox_has_table(const cb_outbox *ob, uint8_t table_index, bool *has);

#endif
