/* message.h - what a notification says, for a person (ntfy) and for a program
 * (webhook JSON, docs/notify.md). */
#ifndef CALLBELL_NOTIFY_MESSAGE_H
#define CALLBELL_NOTIFY_MESSAGE_H

#include "callbell/notify.h"

#include <stddef.h>
#include <stdint.h>

#define CB_MSG_TITLE_SIZE 96
#define CB_MSG_TEXT_SIZE 192

/* "Table 3: bill" / "Table 3: bill, re-alert 2" into title; "Table 3 asks for the
 * bill (2 presses)" / "... waiting 4 min" into text. */
void cb_msg_title(const cb_notification *n, char *title, size_t cap);
void cb_msg_text(const cb_notification *n, uint64_t now_ms, char *text, size_t cap);

/* The webhook's JSON body (malloc'd, free it), or NULL when out of memory. board_url
 * may be NULL or "". */
char *cb_msg_webhook_json(const char *site, const cb_notification *n, uint64_t now_ms, const char *board_url);

#endif
