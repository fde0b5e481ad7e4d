/* test_board_queue.c - the terminal board's decisions (board/queue.c): the selection
 * follows a request, `a`/`d` send one command naming the selected request, `A`/`D`
 * one per open request of its table, the feedback line's words, the hub's answers to
 * our commands on it (a refusal's reason), the staff name rule. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "queue.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define T0 1764140000000ull

static cb_request calling(cb_kind kind, uint64_t call, uint64_t pressed_at)
{
    return (cb_request){.kind = kind, .call = call, .status = CB_CALLING, .count = 1, .pressed_at = pressed_at};
}

static void feed(cb_board *b, const char *table, const cb_request *requests, uint32_t n)
{
    cb_state s = {.updated_at = T0 + 100000, .n_requests = n};
    snprintf(s.table, sizeof s.table, "%s", table);
    for (uint32_t i = 0; i < n; i++)
        s.requests[i] = requests[i];
    assert_int_equal(cb_state_status(&s, &s.status), CB_OK);
    char topic[CB_TOPIC_SIZE], payload[CB_STATE_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_topic_build(CB_TOPIC_STATE, "demo", table, topic, sizeof topic), CB_OK);
    assert_int_equal(cb_state_encode(&s, payload, sizeof payload, &len), CB_OK);
    assert_int_not_equal(cb_site_view_message(&b->view, topic, payload, len), CB_VIEW_NOTHING);
}

/* Table 2: call (oldest); table 7: water then bill. */
static int setup(void **state)
{
    static cb_board b;
    memset(&b, 0, sizeof b);
    assert_int_equal(cb_site_view_init(&b.view, "demo"), 0);
    assert_int_equal(cb_board_set_name(&b, "Tess"), CB_OK);
    snprintf(b.client_id, sizeof b.client_id, "cb-board-7-ab12");
    cb_request two[] = {calling(CB_KIND_CALL, 3, T0)};
    cb_request seven[] = {calling(CB_KIND_WATER, 11, T0 + 1000), calling(CB_KIND_BILL, 12, T0 + 2000)};
    feed(&b, "2", two, 1);
    feed(&b, "7", seven, 2);
    *state = &b;
    return 0;
}

static int teardown(void **state)
{
    cb_board *b = *state;
    cb_site_view_free(&b->view);
    return 0;
}

static uint64_t selected_call(cb_board *b)
{
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    assert_true(n > 0);
    return q[sel].req.call;
}

static void test_selection_follows_a_request(void **state)
{
    cb_board *b = *state;
    cb_board_keep_selection(b);
    assert_int_equal(selected_call(b), 3); /* the oldest first */
    cb_board_move(b, 1);
    assert_int_equal(selected_call(b), 11);
    cb_board_move(b, 5);
    assert_int_equal(selected_call(b), 12); /* clamped */
    cb_board_move(b, LONG_MIN);
    assert_int_equal(selected_call(b), 3);
    cb_board_move(b, LONG_MAX);
    assert_int_equal(selected_call(b), 12);
    cb_board_move(b, -1);
    assert_int_equal(selected_call(b), 11);

    /* a newer request of table 9 sorts after it: the selection stays on water */
    cb_request nine[] = {calling(CB_KIND_CALL, 20, T0 + 3000)};
    feed(b, "9", nine, 1);
    cb_board_keep_selection(b);
    assert_int_equal(selected_call(b), 11);

    /* the water is done: the selection falls to the oldest request */
    cb_request seven[] = {calling(CB_KIND_BILL, 12, T0 + 2000)};
    feed(b, "7", seven, 1);
    cb_board_keep_selection(b);
    assert_int_equal(selected_call(b), 3);
}

static void test_one_request(void **state)
{
    cb_board *b = *state;
    cb_board_move(b, 2); /* table 7's bill */
    cb_board_target t[CB_REQUEST_MAX];
    assert_int_equal(cb_board_targets(b, CB_ACTION_ACK, false, t), 1);
    assert_string_equal(t[0].table, "7");
    assert_int_equal(t[0].cmd.action, CB_ACTION_ACK);
    assert_true(t[0].cmd.has_call);
    assert_int_equal(t[0].cmd.call, 12);
    assert_true(t[0].cmd.has_kind);
    assert_int_equal(t[0].cmd.kind, CB_KIND_BILL);
    assert_string_equal(t[0].cmd.by, "Tess");
    assert_string_equal(t[0].cmd.from, "cb-board-7-ab12");

    /* the command encodes as the protocol's cmd, naming the board (the hub answers it) */
    char payload[CB_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_cmd_encode(&t[0].cmd, payload, sizeof payload, &len), CB_OK);
    assert_string_equal(payload, "{\"v\":1,\"action\":\"ack\",\"by\":\"Tess\",\"kind\":\"bill\",\"call\":12,"
                                 "\"from\":\"cb-board-7-ab12\"}");

    /* without a client id (not connected yet) the command names none */
    b->client_id[0] = '\0';
    assert_int_equal(cb_board_targets(b, CB_ACTION_ACK, false, t), 1);
    assert_string_equal(t[0].cmd.from, "");

    char text[200];
    cb_board_targets_text(t, 1, text, sizeof text);
    assert_string_equal(text, "ack table 7: bill #12");
}

static void test_whole_table(void **state)
{
    cb_board *b = *state;
    cb_board_move(b, 2); /* table 7's bill: the whole table is water and bill */
    cb_board_target t[CB_REQUEST_MAX];
    assert_int_equal(cb_board_targets(b, CB_ACTION_DONE, true, t), 2);
    assert_string_equal(t[0].table, "7");
    assert_int_equal(t[0].cmd.call, 11);
    assert_int_equal(t[0].cmd.kind, CB_KIND_WATER);
    assert_string_equal(t[1].table, "7");
    assert_int_equal(t[1].cmd.call, 12);
    assert_int_equal(t[1].cmd.kind, CB_KIND_BILL);
    assert_int_equal(t[1].cmd.action, CB_ACTION_DONE);
    char text[200];
    cb_board_targets_text(t, 2, text, sizeof text);
    assert_string_equal(text, "done table 7: water #11, bill #12");

    cb_board_move(b, LONG_MIN); /* table 2 has one request */
    assert_int_equal(cb_board_targets(b, CB_ACTION_ACK, true, t), 1);
    assert_int_equal(t[0].cmd.call, 3);
}

static void test_nothing_open(void **state)
{
    cb_board *b = *state;
    feed(b, "2", NULL, 0);
    feed(b, "7", NULL, 0);
    cb_board_target t[CB_REQUEST_MAX];
    assert_int_equal(cb_board_targets(b, CB_ACTION_ACK, false, t), 0);
    assert_int_equal(cb_board_targets(b, CB_ACTION_DONE, true, t), 0);
    cb_board_move(b, 1); /* harmless */
    cb_board_keep_selection(b);
}

/* The feedback line names the kind once: "table 7: call acknowledged", never "call call". */
static void test_news_words(void **state)
{
    cb_board *b = *state;
    char text[300];
    cb_request r[] = {calling(CB_KIND_CALL, 3, T0)};
    r[0].status = CB_ACKNOWLEDGED;
    r[0].acked_at = T0 + 1000;
    snprintf(r[0].acked_by, sizeof r[0].acked_by, "Ana");
    feed(b, "2", r, 1);
    cb_board_news_text(&b->view, text, sizeof text);
    assert_string_equal(text, "table 2: call acknowledged by Ana");

    cb_request seven[] = {calling(CB_KIND_BILL, 12, T0 + 2000), calling(CB_KIND_CALL, 13, T0 + 3000)};
    seven[0].repeats = 1;
    feed(b, "7", seven, 2);
    cb_board_news_text(&b->view, text, sizeof text);
    assert_string_equal(text, "table 7: water closed, bill calling again (repeat 1), call requested");

    cb_site_view_message(&b->view, "callbell/demo/hub/status", "online", 6);
    cb_board_news_text(&b->view, text, sizeof text);
    assert_string_equal(text, "");

    char small[12];
    feed(b, "7", NULL, 0);
    cb_board_news_text(&b->view, small, sizeof small); /* cut, still a string */
    assert_string_equal(small, "table 7: bi");
}

/* Feeds the hub's answer (a cmd reply) to the board at now_ms. */
static cb_status answer(cb_board *b, const char *table, cb_action action, uint64_t call, const char *error,
                        const char *reason, uint64_t now_ms)
{
    cb_cmd_reply r = {.action = action, .call = call, .ok = error == NULL};
    snprintf(r.table, sizeof r.table, "%s", table);
    if (error) {
        snprintf(r.error, sizeof r.error, "%s", error);
        snprintf(r.reason, sizeof r.reason, "%s", reason);
    }
    char payload[CB_PAYLOAD_SIZE];
    size_t len;
    assert_int_equal(cb_cmd_reply_encode(&r, payload, sizeof payload, &len), CB_OK);
    return cb_board_answer(b, payload, len, now_ms);
}

/* What the board's loop does after a key: the commands sent, the line about them. */
static size_t send_key(cb_board *b, cb_action action, bool whole_table)
{
    cb_board_target t[CB_REQUEST_MAX];
    size_t n = cb_board_targets(b, action, whole_table, t);
    for (size_t i = 0; i < n; i++)
        cb_board_note_sent(b, &t[i]);
    cb_board_targets_text(t, n, b->message, sizeof b->message);
    b->message_error = false;
    b->message_ours = true;
    b->message_held_until = 0;
    return n;
}

static void test_answer_refused(void **state)
{
    cb_board *b = *state;
    cb_board_move(b, 1); /* table 7's water */
    assert_int_equal(send_key(b, CB_ACTION_DONE, false), 1);
    const uint64_t now = 5000;
    assert_int_equal(answer(b, "7", CB_ACTION_DONE, 11, "stale",
                            "done by Tess: names a request that is no longer open (stale)", now),
                     CB_OK);
    assert_string_equal(b->message, "done table 7: water #11 refused: names a request that is no longer open (stale)");
    assert_true(b->message_error);

    /* the refusal holds the line against news for a while, not for ever */
    assert_true(cb_board_line_held(b, now));
    assert_true(cb_board_line_held(b, now + CB_BOARD_REFUSAL_HOLD_MS - 1));
    assert_false(cb_board_line_held(b, now + CB_BOARD_REFUSAL_HOLD_MS));

    /* an answer to a command the board no longer remembers keeps the hub's words */
    assert_int_equal(answer(b, "9", CB_ACTION_ACK, 40, "unknown_table",
                            "ack by Bo: table 9 is not one of this site's tables: 1-8", now),
                     CB_OK);
    assert_string_equal(b->message,
                        "ack table 9: #40 refused: ack by Bo: table 9 is not one of this site's tables: 1-8");
    assert_true(b->message_error);
}

static void test_answer_applied(void **state)
{
    cb_board *b = *state;
    cb_board_move(b, 2); /* table 7's bill: the whole table is water and bill */
    assert_int_equal(send_key(b, CB_ACTION_ACK, true), 2);
    assert_int_equal(answer(b, "7", CB_ACTION_ACK, 11, NULL, NULL, 100), CB_OK);
    assert_string_equal(b->message, "ack table 7: water #11 applied");
    assert_false(b->message_error);

    /* one of a batch refused: the next one's confirmation does not hide it */
    assert_int_equal(send_key(b, CB_ACTION_DONE, true), 2);
    assert_int_equal(answer(b, "7", CB_ACTION_DONE, 11, "stale",
                            "done by Tess: names a request that is no longer open (stale)", 200),
                     CB_OK);
    assert_int_equal(answer(b, "7", CB_ACTION_DONE, 12, NULL, NULL, 300), CB_OK);
    assert_string_equal(b->message, "done table 7: water #11 refused: names a request that is no longer open (stale)");
    assert_true(b->message_error);

    /* once news has the line ("water acknowledged by Tess" says it), a confirmation
     * leaves it */
    assert_int_equal(send_key(b, CB_ACTION_ACK, false), 1);
    cb_request seven[] = {calling(CB_KIND_WATER, 11, T0 + 1000), calling(CB_KIND_BILL, 12, T0 + 2000)};
    seven[1].status = CB_ACKNOWLEDGED;
    seven[1].acked_at = T0 + 3000;
    snprintf(seven[1].acked_by, sizeof seven[1].acked_by, "Tess");
    feed(b, "7", seven, 2);
    cb_board_news_text(&b->view, b->message, sizeof b->message);
    b->message_ours = false;
    assert_int_equal(answer(b, "7", CB_ACTION_ACK, 12, NULL, NULL, 400), CB_OK);
    assert_string_equal(b->message, "table 7: bill acknowledged by Tess");
}

static void test_answer_bad_payload(void **state)
{
    cb_board *b = *state;
    const char *bad[] = {"{\"v\":1}", "fence-cb-board-7-ab12-1" /* a fence token */,
                         "{\"v\":1,\"table\":\"3\",\"action\":\"ack\",\"call\":1,\"ok\":false}"};
    const cb_status why[] = {CB_E_MISSING, CB_E_JSON, CB_E_MISSING};
    snprintf(b->message, sizeof b->message, "before");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cb_board_answer(b, bad[i], strlen(bad[i]), 0), why[i]);
    assert_string_equal(b->message, "before");
    assert_false(b->message_error);
}

static void test_staff_name(void **state)
{
    cb_board *b = *state;
    assert_int_equal(cb_board_set_name(b, "Zoë"), CB_OK);
    assert_string_equal(b->name, "Zoë");
    assert_int_equal(cb_board_set_name(b, ""), CB_E_RANGE);
    assert_int_equal(cb_board_set_name(b, " Ana"), CB_E_RANGE);
    assert_int_equal(cb_board_set_name(b, "Ana\t"), CB_E_RANGE);
    assert_int_equal(cb_board_set_name(b, "\xff"), CB_E_JSON);
    assert_int_equal(cb_board_set_name(b, "123456789012345678901234567890123"), CB_E_TOO_LONG);
    assert_int_equal(cb_board_set_name(b, NULL), CB_E_ARG);
    assert_string_equal(b->name, "Zoë"); /* unchanged by a refused name */
}

/* `/` and a table's id: its oldest open request is selected; an idle or unknown table
 * leaves the selection alone. */
static void test_jump_to_table(void **state)
{
    cb_board *b = *state;
    feed(b, "12", NULL, 0);
    size_t n, sel;
    const cb_view_request *q = cb_board_queue(b, &n, &sel);
    assert_true(n >= 2);
    assert_int_equal(cb_board_jump_to(b, "7"), CB_JUMP_SELECTED);
    q = cb_board_queue(b, &n, &sel);
    assert_string_equal(q[sel].table, "7");
    uint64_t chosen = b->selected_call;
    assert_int_equal(cb_board_jump_to(b, "12"), CB_JUMP_IDLE);
    assert_int_equal(b->selected_call, chosen);
    assert_int_equal(cb_board_jump_to(b, "99"), CB_JUMP_UNKNOWN);
    assert_int_equal(b->selected_call, chosen);
    assert_int_equal(cb_board_jump_to(b, "2"), CB_JUMP_SELECTED);
    q = cb_board_queue(b, &n, &sel);
    assert_string_equal(q[sel].table, "2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_selection_follows_a_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jump_to_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_news_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_bad_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
