/* test_outbox.c - presses waiting for the hub's answer: order, merging, resend. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "callbell/outbox.h"

static uint32_t push(cb_outbox *ob, uint8_t table, cb_kind kind, uint32_t t, bool want_merged)
{
    uint32_t seq = 0;
    bool merged = !want_merged;
    assert_int_equal(cb_outbox_push(ob, table, kind, t, &seq, &merged), CB_OK);
    assert_int_equal(merged, want_merged);
    return seq;
}

static void test_init_and_count(void **state)
{
    (void)state;
    cb_outbox ob;
    uint32_t n = 99;
    cb_outbox_entry e;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    assert_int_equal(cb_outbox_count(&ob, &n), CB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cb_outbox_next(&ob, &e), CB_E_EMPTY);
    assert_int_equal(cb_outbox_init(NULL), CB_E_ARG);
    assert_int_equal(cb_outbox_count(NULL, &n), CB_E_ARG);
    assert_int_equal(cb_outbox_count(&ob, NULL), CB_E_ARG);
}

static void test_seq_order_and_merge(void **state)
{
    (void)state;
    cb_outbox ob;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 100, false), 1);
    assert_int_equal(push(&ob, 1, CB_KIND_CALL, 110, false), 2);
    assert_int_equal(push(&ob, 0, CB_KIND_BILL, 120, false), 3);
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 130, true), 1); /* merged, keeps first time */
    uint32_t n = 0;
    assert_int_equal(cb_outbox_count(&ob, &n), CB_OK);
    assert_int_equal(n, 3);
    cb_outbox_entry e;
    assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
    assert_int_equal(e.seq, 1);
    assert_int_equal(e.pressed_ms, 100);
    assert_int_equal(e.merged, 1);
    /* NULL seq/merged are allowed. */
    assert_int_equal(cb_outbox_push(&ob, 2, CB_KIND_WATER, 140, NULL, NULL), CB_OK);
    assert_int_equal(cb_outbox_push(&ob, 2, CB_KIND_COUNT, 140, NULL, NULL), CB_E_ARG);
    assert_int_equal(cb_outbox_push(NULL, 2, CB_KIND_CALL, 140, NULL, NULL), CB_E_ARG);
}

static void test_send_ack_requeue(void **state)
{
    (void)state;
    cb_outbox ob;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    for (uint8_t t = 0; t < 4; t++) {
        push(&ob, t, CB_KIND_CALL, t, false);
    }
    cb_outbox_entry e;
    /* Send 1 and 2 (mids 11, 12). */
    assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
    assert_int_equal(cb_outbox_sent(&ob, e.seq, 11), CB_OK);
    assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
    assert_int_equal(e.seq, 2);
    assert_int_equal(cb_outbox_sent(&ob, e.seq, 12), CB_OK);
    assert_int_equal(cb_outbox_sent(&ob, 2, 13), CB_E_EMPTY); /* not pending any more */
    assert_int_equal(cb_outbox_sent(&ob, 99, 13), CB_E_EMPTY);
    /* A press of an in-flight table/kind is a new entry, not a merge. */
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 50, false), 5);
    /* PUBACK out of order: 12 first. */
    uint32_t seq = 0;
    assert_int_equal(cb_outbox_acked(&ob, 12, &seq), CB_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(cb_outbox_acked(&ob, 12, &seq), CB_E_EMPTY); /* late duplicate ack */
    assert_int_equal(cb_outbox_acked(&ob, 77, NULL), CB_E_EMPTY);
    /* The broker has seq 2, but it may still lose it: kept until the hub answers. */
    uint32_t n = 0;
    assert_int_equal(cb_outbox_count(&ob, &n), CB_OK);
    assert_int_equal(n, 5);
    /* Disconnect: seq 1 (in flight) and 2 (at the broker) go back to pending, in
     * order, ahead of 3, 4, 5. */
    assert_int_equal(cb_outbox_requeue(&ob), CB_OK);
    uint32_t order[5];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
        order[i] = e.seq;
        assert_int_equal(cb_outbox_sent(&ob, e.seq, (uint16_t)(20 + i)), CB_OK);
    }
    for (int i = 0; i < 5; i++) {
        assert_int_equal(order[i], (uint32_t)i + 1u);
    }
    assert_int_equal(cb_outbox_next(&ob, &e), CB_E_EMPTY);
    /* The old mid 11 no longer matches (session gone). */
    assert_int_equal(cb_outbox_acked(&ob, 11, &seq), CB_E_EMPTY);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(cb_outbox_acked(&ob, (uint16_t)(20 + i), &seq), CB_OK);
        assert_int_equal(seq, order[i]);
    }
    /* The hub's answers remove them, in any order; a second answer is ignored. */
    cb_outbox_entry gone;
    assert_int_equal(cb_outbox_answered(&ob, 3, &gone), CB_OK);
    assert_int_equal(gone.seq, 3);
    assert_int_equal(gone.table_index, 2);
    assert_int_equal(cb_outbox_answered(&ob, 3, NULL), CB_E_EMPTY);
    for (uint32_t q = 1; q <= 5; q++) {
        if (q != 3) {
            assert_int_equal(cb_outbox_answered(&ob, q, NULL), CB_OK);
        }
    }
    n = 9;
    assert_int_equal(cb_outbox_count(&ob, &n), CB_OK);
    assert_int_equal(n, 0);
    /* An answer may beat the PUBACK, and a never-sent entry cannot be answered. */
    assert_int_equal(push(&ob, 0, CB_KIND_BILL, 60, false), 6);
    assert_int_equal(cb_outbox_answered(&ob, 6, NULL), CB_E_EMPTY);
    assert_int_equal(cb_outbox_sent(&ob, 6, 30), CB_OK);
    assert_int_equal(cb_outbox_answered(&ob, 6, NULL), CB_OK);
    assert_int_equal(cb_outbox_acked(&ob, 30, NULL), CB_E_EMPTY);
    assert_int_equal(cb_outbox_answered(NULL, 6, NULL), CB_E_ARG);
    assert_int_equal(cb_outbox_requeue(NULL), CB_E_ARG);
    assert_int_equal(cb_outbox_sent(NULL, 1, 1), CB_E_ARG);
    assert_int_equal(cb_outbox_acked(NULL, 1, NULL), CB_E_ARG);
    assert_int_equal(cb_outbox_next(NULL, &e), CB_E_ARG);
    assert_int_equal(cb_outbox_next(&ob, NULL), CB_E_ARG);
}

static void test_resent_entry_not_merged(void **state)
{
    (void)state;
    cb_outbox ob;
    cb_outbox_entry e;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 1, false), 1);
    assert_int_equal(cb_outbox_sent(&ob, 1, 5), CB_OK);
    assert_int_equal(cb_outbox_requeue(&ob), CB_OK);
    /* The hub may already have seq 1: a new press must get its own seq. */
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 2, false), 2);
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 3, true), 2);
    assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
    assert_int_equal(e.seq, 1);
}

static void test_full_and_wrap(void **state)
{
    (void)state;
    cb_outbox ob;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    /* Distinct table/kind pairs so nothing merges. */
    for (uint32_t i = 0; i < CB_OUTBOX_CAP; i++) {
        assert_int_equal(push(&ob, (uint8_t)i, CB_KIND_CALL, i, false), i + 1);
    }
    uint32_t seq = 0;
    bool merged = false;
    assert_int_equal(cb_outbox_push(&ob, 200, CB_KIND_CALL, 0, &seq, &merged), CB_E_FULL);
    /* Merging still works when full. */
    assert_int_equal(push(&ob, 3, CB_KIND_CALL, 0, true), 4);
    /* The hub stores the oldest few and they are refilled: the ring wraps and keeps
     * order. A PUBACK alone frees nothing. */
    cb_outbox_entry e;
    for (uint16_t k = 0; k < 5; k++) {
        assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
        assert_int_equal(cb_outbox_sent(&ob, e.seq, (uint16_t)(100 + k)), CB_OK);
        assert_int_equal(cb_outbox_acked(&ob, (uint16_t)(100 + k), &seq), CB_OK);
        assert_int_equal(seq, k + 1u);
        if (k == 0) {
            assert_int_equal(cb_outbox_push(&ob, 201, CB_KIND_CALL, 0, NULL, NULL), CB_E_FULL);
        }
        assert_int_equal(cb_outbox_answered(&ob, seq, NULL), CB_OK);
    }
    for (uint32_t i = 0; i < 5; i++) {
        push(&ob, (uint8_t)(100 + i), CB_KIND_BILL, 0, false);
    }
    uint32_t n = 0;
    assert_int_equal(cb_outbox_count(&ob, &n), CB_OK);
    assert_int_equal(n, CB_OUTBOX_CAP);
    uint32_t prev = 0;
    for (uint16_t k = 0; k < CB_OUTBOX_CAP; k++) {
        assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
        assert_true(e.seq > prev);
        prev = e.seq;
        assert_int_equal(cb_outbox_sent(&ob, e.seq, (uint16_t)(200 + k)), CB_OK);
    }
    assert_int_equal(prev, CB_OUTBOX_CAP + 5);
    /* Remove one from the middle, order of the rest kept. */
    assert_int_equal(cb_outbox_acked(&ob, 210, &seq), CB_OK);
    assert_int_equal(cb_outbox_answered(&ob, seq, NULL), CB_OK);
    assert_int_equal(cb_outbox_requeue(&ob), CB_OK);
    prev = 0;
    for (uint32_t k = 0; k + 1 < CB_OUTBOX_CAP; k++) {
        assert_int_equal(cb_outbox_next(&ob, &e), CB_OK);
        assert_true(e.seq > prev && e.seq != seq);
        prev = e.seq;
        assert_int_equal(cb_outbox_sent(&ob, e.seq, 1), CB_OK);
    }
    /* seq wraps from 2^32-1 to 1, never 0. */
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    ob.next_seq = UINT32_MAX;
    assert_int_equal(push(&ob, 0, CB_KIND_CALL, 0, false), UINT32_MAX);
    assert_int_equal(push(&ob, 1, CB_KIND_CALL, 0, false), 1);
}

static void test_has_table(void **state)
{
    (void)state;
    cb_outbox ob;
    bool has = true;
    assert_int_equal(cb_outbox_init(&ob), CB_OK);
    assert_int_equal(cb_outbox_has_table(&ob, 0, &has), CB_OK);
    assert_false(has);
    push(&ob, 2, CB_KIND_WATER, 0, false);
    assert_int_equal(cb_outbox_has_table(&ob, 2, &has), CB_OK);
    assert_true(has);
    assert_int_equal(cb_outbox_sent(&ob, 1, 9), CB_OK);
    assert_int_equal(cb_outbox_has_table(&ob, 2, &has), CB_OK);
    assert_true(has); /* in flight still waits for the PUBACK */
    assert_int_equal(cb_outbox_has_table(&ob, 1, &has), CB_OK);
    assert_false(has);
    assert_int_equal(cb_outbox_acked(&ob, 9, NULL), CB_OK);
    assert_int_equal(cb_outbox_has_table(&ob, 2, &has), CB_OK);
    assert_true(has); /* at the broker: still waits for the hub */
    assert_int_equal(cb_outbox_answered(&ob, 1, NULL), CB_OK);
    assert_int_equal(cb_outbox_has_table(&ob, 2, &has), CB_OK);
    assert_false(has);
    assert_int_equal(cb_outbox_has_table(NULL, 2, &has), CB_E_ARG);
    assert_int_equal(cb_outbox_has_table(&ob, 2, NULL), CB_E_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_count),   cmocka_unit_test(test_seq_order_and_merge),
        cmocka_unit_test(test_send_ack_requeue), cmocka_unit_test(test_resent_entry_not_merged),
        cmocka_unit_test(test_full_and_wrap),    cmocka_unit_test(test_has_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
