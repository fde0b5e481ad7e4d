/* delivery.h - one destination (an ntfy topic or a webhook): a bounded queue and a
 * thread that POSTs each notification with libcurl, retrying with backoff.
 *
 * cb_delivery_push never blocks on the network: the MQTT side goes on whatever the
 * destination does. A full queue drops its oldest notification (logged). A reply
 * 2xx is delivered; 4xx other than 408 and 429 will not get better and is dropped
 * (logged); anything else (no answer, 5xx, 429) is retried, the same notification
 * first, every 0.5 s at first and at most every 5 s. */
#ifndef CALLBELL_NOTIFY_DELIVERY_H
#define CALLBELL_NOTIFY_DELIVERY_H

#include "callbell/notify.h"

#include <stdint.h>

typedef enum cb_sink_kind { CB_SINK_NTFY, CB_SINK_WEBHOOK } cb_sink_kind;

typedef struct cb_sink_config {
    cb_sink_kind kind;
    const char *url;       /* http(s)://... : the ntfy topic URL or the webhook */
    const char *token;     /* NULL or "": no Authorization header */
    const char *board_url; /* NULL or "": no click URL */
    const char *site;
    uint32_t queue_cap; /* >= 1 */
    /* Called on the delivery thread after a notification was delivered. */
    void (*delivered)(void *ctx, cb_sink_kind kind, const cb_notification *n);
    void *ctx;
} cb_sink_config;

typedef struct cb_delivery cb_delivery;

const char *cb_sink_name(cb_sink_kind kind); /* "ntfy", "webhook" */

/* Starts the thread. NULL with err on failure. The config's strings must outlive it. */
cb_delivery *cb_delivery_start(const cb_sink_config *c, char *err, size_t err_cap);
/* Queues a notification (copied). 0, or 1 when the oldest queued one was dropped. */
int cb_delivery_push(cb_delivery *d, const cb_notification *n);
/* Stops after the attempt under way (at most the HTTP timeout) and frees. NULL-safe. */
void cb_delivery_stop(cb_delivery *d);

#endif
