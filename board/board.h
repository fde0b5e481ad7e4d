/* board.h - the terminal staff board: what it shows (render.c) and how it runs
 * (board.c). What is open it asks the hub (a `calls` request on every connect and
 * when the hub comes back), then follows the site's messages (pc/site_view.h); the
 * other thing it sends is a staff command, which names the board's client id so the
 * hub answers it (docs/protocol.md "cmd reply"). */
#ifndef CALLBELL_BOARD_H
#define CALLBELL_BOARD_H

#include "callbell/protocol.h"
#include "site_view.h"
#include "url.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct cb_board_options {
    cb_url broker;
    const char *site;
    const char *name;     /* staff name sent as "by" */
    const char *sections; /* "patio,bar": signed in to these at start; NULL = not signed in */
    cb_role role;         /* staff or manager */
    bool bell;
    int guest_fd;     /* demo: digit keys 1-9 are written here (a table's button); -1 = off */
    const char *note; /* demo: shown in the title bar (e.g. the web board URL); may be NULL */
    int notes_fd;     /* demo: lines read here ("restarted the hub") are shown as messages; -1 = off */
} cb_board_options;

#define CB_BOARD_SENT_MAX 8             /* commands remembered for the words of their answers */
#define CB_BOARD_REFUSAL_HOLD_MS 10000u /* a refusal stays on the feedback line this long */

/* A command the board sent: what the hub's answer is about. */
typedef struct cb_board_sent {
    char table[CB_ID_SIZE];
    uint64_t call;
    cb_action action;
    cb_kind kind;
    char by[CB_NAME_SIZE];
} cb_board_sent;

typedef struct cb_board {
    cb_site_view view;
    char broker_shown[300];
    char name[CB_NAME_SIZE];
    char note[160];
    char event[160]; /* demo: the supervisor's last line ("restarted the broker"), with its time */
    bool connected;
    bool synced;            /* retained messages of the first connect are in */
    uint64_t selected_call; /* the selected request; kept across reorders, 0 = the first */
    size_t scroll;          /* first queue row shown */
    char message[300];      /* feedback line: last command, last news */
    bool message_error;
    bool message_ours;                     /* the line is about our last command (sent, held, ...) */
    uint64_t message_held_until;           /* mono ms: a refusal on the line; news waits until then */
    char client_id[CB_ID_SIZE];            /* ours: sent as every command's "from" ("" = none) */
    cb_board_sent sent[CB_BOARD_SENT_MAX]; /* a ring of the last commands sent */
    size_t sent_next;
    int pending_mids[CB_REQUEST_MAX]; /* the last key's commands, until the broker's PUBACKs */
    size_t pending_count;
    char pending_what[200];
    bool editing_name;     /* `n`: the footer is a prompt for the staff name */
    bool editing_sections; /* `s`: the footer is a prompt for the sections */
    bool editing_jump;     /* `/`: the footer is a prompt for a table id */
    char jump_edit[CB_ID_SIZE];
    char sections_edit[CB_SECTIONS_TEXT_MAX + 1];
    cb_role role;                    /* the role this board signs in with */
    uint64_t next_signin_ms;         /* mono ms of the next sign-in heartbeat; 0 = at once */
    char name_edit[CB_NAME_MAX + 8]; /* what has been typed (checked on Enter) */
} cb_board;

/* Fills *out with the sign-in of `name` as `role` for the comma-separated section
 * ids in `sections` (the protocol's rules: at most 8 ids, no id twice).
 * CB_OK, or the decoder's error name for what is wrong. */
cb_status cb_board_parse_signin(const char *name, cb_role role, const char *sections, cb_signin *out);

/* Runs the board until `q` or a signal. Returns the exit code. */
int cb_board_run(const cb_board_options *opt);

#endif
