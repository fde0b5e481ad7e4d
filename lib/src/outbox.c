/* outbox.c - presses waiting for the hub's answer (callbell/outbox.h).
 *
 * A ring of CB_OUTBOX_CAP entries in press order. An answered entry can sit anywhere
 * (answers may come out of order), so removal closes the gap by moving the younger
 * entries down one slot: order is what the hub sees, and with at most 32 entries the
 * copy is cheap. */
#include "callbell/outbox.h"

#include <stddef.h>
#include <string.h>

/* Slot of the i-th oldest entry. CB_OUTBOX_CAP need not be a power of two. */
static uint32_t slot(const cb_outbox *ob, uint32_t i)
{
    uint32_t s = ob->head + i;
    return (s >= CB_OUTBOX_CAP) ? s - CB_OUTBOX_CAP : s;
}

static bool sane(const cb_outbox *ob)
{
    return ob->head < CB_OUTBOX_CAP && ob->count <= CB_OUTBOX_CAP;
}

cb_status cb_outbox_init(cb_outbox *ob)
{
    if (ob == NULL) {
        return CB_E_ARG;
    }
    memset(ob, 0, sizeof *ob);
    ob->next_seq = 1;
    return CB_OK;
}

cb_status cb_outbox_push(cb_outbox *ob, uint8_t table_index, cb_kind kind, uint32_t pressed_ms, uint32_t *seq,
                         bool *merged)
{
    if (ob == NULL || !sane(ob) || (unsigned)kind >= (unsigned)CB_KIND_COUNT) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->state == CB_OUTBOX_PENDING && !e->was_sent && e->table_index == table_index && e->kind == kind) {
            /* Keeps the first press's time: age_ms dates the call from the moment the
             * guest first asked. */
            if (e->merged < UINT16_MAX) {
                e->merged++;
            }
            if (seq != NULL) {
                *seq = e->seq;
            }
            if (merged != NULL) {
                *merged = true;
            }
            return CB_OK;
        }
    }
    if (ob->count == CB_OUTBOX_CAP) {
        return CB_E_FULL;
    }
    cb_outbox_entry *e = &ob->e[slot(ob, ob->count)];
    memset(e, 0, sizeof *e);
    e->table_index = table_index;
    e->kind = kind;
    e->seq = (ob->next_seq != 0u) ? ob->next_seq : 1u;
    e->pressed_ms = pressed_ms;
    e->state = CB_OUTBOX_PENDING;
    /* seq 0 is invalid on the wire; after 2^32 - 1 presses in one boot wrap to 1. */
    ob->next_seq = (e->seq == UINT32_MAX) ? 1u : e->seq + 1u;
    ob->count++;
    if (seq != NULL) {
        *seq = e->seq;
    }
    if (merged != NULL) {
        *merged = false;
    }
    return CB_OK;
}

cb_status cb_outbox_next(const cb_outbox *ob, cb_outbox_entry *out)
{
    if (ob == NULL || out == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        const cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->state == CB_OUTBOX_PENDING) {
            *out = *e;
            return CB_OK;
        }
    }
    return CB_E_EMPTY;
}

cb_status cb_outbox_sent(cb_outbox *ob, uint32_t seq, uint16_t mid)
{
    if (ob == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->state == CB_OUTBOX_PENDING && e->seq == seq) {
            e->state = CB_OUTBOX_INFLIGHT;
            e->mid = mid;
            e->was_sent = true;
            return CB_OK;
        }
    }
    return CB_E_EMPTY;
}

cb_status cb_outbox_acked(cb_outbox *ob, uint16_t mid, uint32_t *seq)
{
    if (ob == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->state == CB_OUTBOX_INFLIGHT && e->mid == mid) {
            /* the broker has it, but may still lose it: kept until the hub answers */
            e->state = CB_OUTBOX_AT_BROKER;
            e->mid = 0;
            if (seq != NULL) {
                *seq = e->seq;
            }
            return CB_OK;
        }
    }
    return CB_E_EMPTY;
}

cb_status cb_outbox_answered(cb_outbox *ob, uint32_t seq, cb_outbox_entry *out)
{
    if (ob == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->seq != seq || !e->was_sent) {
            continue; /* a never-sent entry cannot have been answered */
        }
        if (out != NULL) {
            *out = *e;
        }
        /* Close the gap: younger entries move one slot towards the head. */
        for (uint32_t j = i; j + 1u < ob->count; j++) {
            ob->e[slot(ob, j)] = ob->e[slot(ob, j + 1u)];
        }
        ob->count--;
        if (ob->count == 0u) {
            ob->head = 0;
        }
        return CB_OK;
    }
    return CB_E_EMPTY;
}

cb_status cb_outbox_requeue(cb_outbox *ob)
{
    if (ob == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    for (uint32_t i = 0; i < ob->count; i++) {
        cb_outbox_entry *e = &ob->e[slot(ob, i)];
        if (e->state != CB_OUTBOX_PENDING) {
            e->state = CB_OUTBOX_PENDING;
            e->mid = 0;
        }
    }
    return CB_OK;
}

cb_status cb_outbox_count(const cb_outbox *ob, uint32_t *count)
{
    if (ob == NULL || count == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    *count = ob->count;
    return CB_OK;
}

cb_status cb_outbox_has_table(const cb_outbox *ob, uint8_t table_index, bool *has)
{
    if (ob == NULL || has == NULL || !sane(ob)) {
        return CB_E_ARG;
    }
    *has = false;
    for (uint32_t i = 0; i < ob->count; i++) {
        if (ob->e[slot(ob, i)].table_index == table_index) {
            *has = true;
            break;
        }
    }
    return CB_OK;
}
