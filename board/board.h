/* board.h - the terminal staff board: what it shows (render.c) and how it runs
 * (board.c). Everything it knows comes from the retained messages of one site
 * (pc/site_view.h); the only thing it sends is a staff command. */
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
    const char *name; /* staff name sent as "by" */
    bool bell;
    int guest_fd;     /* demo: digit keys 1-9 are written here (a table's button); -1 = off */
    const char *note; /* demo: shown in the title bar (e.g. the web board URL); may be NULL */
    int notes_fd;     /* demo: lines read here ("restarted the hub") are shown as messages; -1 = off */
} cb_board_options;

#define CB_BOARD_MAX_CALLS 512 /* open calls listed; a site has far fewer tables */

typedef struct cb_board {
    cb_site_view view;
    char broker_shown[300];
    char name[CB_NAME_SIZE];
    char note[160];
    bool connected;
    bool synced;               /* retained messages of the first connect are in */
    char selected[CB_ID_SIZE]; /* table of the selected call; kept across reorders */
    size_t scroll;             /* first call row shown */
    char message[200];         /* feedback line: last command, last alert */
    bool message_error;
    int pending_mid; /* last command, until the broker's PUBACK */
    char pending_what[64];
} cb_board;

/* Runs the board until `q` or a signal. Returns the exit code. */
int cb_board_run(const cb_board_options *opt);

#endif
