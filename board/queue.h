/* queue.h - the board's decisions, apart from the screen and the network so unit
 * tests reach them: which request is selected, which staff commands a key sends,
 * and the words of the feedback line. */
#ifndef CALLBELL_BOARD_QUEUE_H
#define CALLBELL_BOARD_QUEUE_H

#include "board.h"

#include <stdbool.h>
#include <stddef.h>

/* The open requests in queue order (cb_site_view_requests) and the index of the
 * selected one in them: 0 when the selected request has closed, or none is open
 * (*n 0, NULL returned). */
const cb_view_request *cb_board_queue(cb_board *b, size_t *n, size_t *selected);

/* Moves the selection by delta entries, clamped to the queue (LONG_MIN: the first,
 * LONG_MAX: the last). */
void cb_board_move(cb_board *b, long delta);

/* What jumping to a table found (`/` then its id). */
typedef enum cb_board_jump {
    CB_JUMP_SELECTED = 0, /* its oldest open request is selected */
    CB_JUMP_IDLE,         /* a table of the site with nothing open */
    CB_JUMP_UNKNOWN       /* no such table */
} cb_board_jump;
/* Selects the first open request of `table` in queue order (the one a/d act on). */
cb_board_jump cb_board_jump_to(cb_board *b, const char *table);

/* The selection follows a request; when it closes, it falls to the oldest one. */
void cb_board_keep_selection(cb_board *b);

/* One staff command and the table it goes to. */
typedef struct cb_board_target {
    char table[CB_ID_SIZE];
    cb_cmd cmd;
} cb_board_target;

/* The commands for `action` on the selected request (one), or with whole_table on
 * every open request of the selected request's table (oldest first, one each). Every
 * command names its request by `call` and `kind` and carries the board's staff name,
 * so the hub ignores one that reaches it after the request was closed, and the
 * board's client id (`from`, when b->client_id is set), so the hub answers it. Returns
 * the count, 0 when nothing is open. */
size_t cb_board_targets(cb_board *b, cb_action action, bool whole_table, cb_board_target out[CB_REQUEST_MAX]);

/* "ack table 7: water #11, bill #12": what a batch of targets does, for the
 * feedback line. */
void cb_board_targets_text(const cb_board_target *t, size_t n, char *buf, size_t cap);

/* Remembers a command sent, so its answer can name the request's kind. */
void cb_board_note_sent(cb_board *b, const cb_board_target *t);

/* The hub's answer to one of our commands (docs/protocol.md "cmd reply") on the
 * feedback line. A refusal always shows, as an error, with the hub's reason:
 * "done table 4: call #9 refused: names a request that is no longer open (stale)",
 * and stays until now_ms + CB_BOARD_REFUSAL_HOLD_MS (cb_board_line_held) unless a key
 * replaces it. An applied command says "ack table 7: water #11 applied" when the line
 * is still about our command (b->message_ours); when news has taken the line, the
 * news ("table 7: water acknowledged by Tess") already says so and stays. Returns
 * CB_OK, or the decoder's error (the line untouched). */
cb_status cb_board_answer(cb_board *b, const void *payload, size_t len, uint64_t now_ms);

/* True while a refusal holds the feedback line: news must not replace it yet. */
bool cb_board_line_held(const cb_board *b, uint64_t now_ms);

/* The news of the last state message in words, e.g. "table 7: water requested" or
 * "table 7: water acknowledged by Tess, bill closed"; "" when there is none. */
void cb_board_news_text(const cb_site_view *v, char *buf, size_t cap);

/* "call", "bill", "water", "cancel"; "?" for anything else. */
const char *cb_board_kind_word(cb_kind kind);

/* Sets the staff name sent with commands after the core's name rule. Returns CB_OK,
 * or the rule's error (b->name unchanged). */
cb_status cb_board_set_name(cb_board *b, const char *name);

#endif
