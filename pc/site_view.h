/* site_view.h - what staff see of one site, from the hub's answer to a `calls`
 * request and the state messages after it (docs/protocol.md "Boards' start-up view"):
 * every table's state with its open requests, device availability and battery, the
 * hub's status. Shared by `callbell board` and `callbell calls`, so both read the
 * same truth. The view decides nothing about ages: it asks the core
 * (cb_age_class_of), which the web board's rule is tested against too. */
#ifndef CALLBELL_PC_SITE_VIEW_H
#define CALLBELL_PC_SITE_VIEW_H

#include "callbell/protocol.h"
#include "mqtt_client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cb_view_device {
    char id[CB_ID_SIZE];
    bool online;
    bool has_info;
    cb_info info;
} cb_view_device;

typedef enum cb_view_change {
    CB_VIEW_NOTHING = 0,
    CB_VIEW_CHANGED, /* something to redraw */
    CB_VIEW_ALERT    /* a new request, or a re-alert: ring the bell */
} cb_view_change;

/* One open request as the boards list it: a copy that stands on its own. */
typedef struct cb_view_request {
    char table[CB_ID_SIZE];
    char section[CB_ID_SIZE]; /* the table's section, "" = none */
    cb_request req;           /* kind, call, status, count, repeats, level, pressed_at, acked_by/at */
} cb_view_request;

/* What one state message changed, request by request, for a board's feedback line. */
typedef enum cb_view_news_type {
    CB_NEWS_NEW = 0, /* a request opened (calling) */
    CB_NEWS_REALERT, /* still calling and its repeats grew, or back from acknowledged */
    CB_NEWS_ACKED,   /* became acknowledged, or acknowledged by someone else */
    CB_NEWS_CLOSED   /* gone from the state: done, or cancelled by the guest */
} cb_view_news_type;

typedef struct cb_view_news {
    cb_view_news_type type;
    cb_request req; /* the request after the change (before it, for CLOSED) */
} cb_view_news;

#define CB_VIEW_NEWS_MAX (2 * CB_REQUEST_MAX) /* every request closed and as many opened */

typedef struct cb_site_view {
    char site[CB_ID_SIZE];
    cb_age_thresholds ages;                  /* colour thresholds: the site message's, else the core's defaults */
    bool has_site;                           /* a site message (hub/site) was read */
    char site_name[CB_DISPLAY_NAME_MAX + 1]; /* the restaurant's name, "" until then */
    cb_site_entry *names;                    /* the site's tables with display names, sorted by id */
    size_t name_count;
    cb_state *tables; /* sorted by table id (numbers in numeric order) */
    size_t table_count, table_cap;
    cb_view_request *open; /* every open request in queue order (cb_site_view_requests) */
    size_t open_count, open_cap;
    bool open_stale; /* a state changed since `open` was built */
    cb_view_device *devices;
    size_t device_count, device_cap;
    bool hub_known; /* a hub/status message was seen */
    bool hub_online;
    bool hub_degraded;           /* "degraded": up, but its database takes no writes (calls wait) */
    char stats[CB_PAYLOAD_SIZE]; /* raw retained stats JSON, "" if none */
    unsigned rejected;           /* messages that failed to decode */
    uint64_t answer_at;          /* the `at` of the last hub answer applied: an unknown table's version */
    /* the changes of the last state message fed (news_count 0 for other messages) */
    char news_table[CB_ID_SIZE];
    cb_view_news news[CB_VIEW_NEWS_MAX];
    size_t news_count;
    char news_section[CB_ID_SIZE]; /* the section of news_table ("" = none) */
    /* this board's sign-in: a new request or re-alert rings only when cb_rings says so */
    cb_signin me;
    bool signed_in;
} cb_site_view;

int cb_site_view_init(cb_site_view *v, const char *site);
void cb_site_view_free(cb_site_view *v);
/* Subscribes m to everything the view needs (re-subscribed on reconnect). */
int cb_site_view_subscribe(cb_site_view *v, cb_mqtt *m);
/* Feeds one message; returns what changed (and fills v->news for a state). Bad
 * payloads are counted in v->rejected, not fatal. */
cb_view_change cb_site_view_message(cb_site_view *v, const char *topic, const void *payload, size_t len);

/* The hub's answer to a `calls` request with id `id` (docs/protocol.md "Boards'
 * start-up view"): returns false when `payload` is not that answer (a cmd reply, a
 * fence token, another request's answer). When it is, every table whose version is
 * older than the answer's `at` takes the answer's requests (none: idle) and version
 * `at`, and *change says whether the view changed; a refusal or a broken answer
 * changes nothing and counts in v->rejected. A table's version is the updated_at
 * of its cb_state here. */
bool cb_site_view_snapshot(cb_site_view *v, const char *id, const void *payload, size_t len, cb_view_change *change);

/* Every open request of the site in queue order: calling ones first, oldest
 * pressed_at first, then acknowledged ones, oldest first (ties: table id, then
 * request id). *n gets the count. The array belongs to the view and is valid until
 * the next message; NULL with *n 0 when nothing is open or memory ran out. */
const cb_view_request *cb_site_view_requests(cb_site_view *v, size_t *n);

/* The age class of one request at wall-clock now_ms (the core's rule, the view's
 * thresholds). Returns CB_OK, or the core's error for bad thresholds. */
cb_status cb_site_view_age(const cb_site_view *v, const cb_request *r, uint64_t now_ms, cb_age_class *out);
/* The class that colours a whole table: its most urgent request (late, then warn,
 * then new, then acked). CB_E_RANGE for a table with no open request. */
cb_status cb_site_view_table_age(const cb_site_view *v, const cb_state *s, uint64_t now_ms, cb_age_class *out);

/* Table `id`'s display name from the site message ("Patio 2"), or the id itself
 * when the site does not name it (no site message yet, a hub without a site file). */
const char *cb_site_view_table_name(const cb_site_view *v, const char *id);

/* Compares table ids as people do: "2" < "10" < "bar". */
int cb_table_id_cmp(const char *a, const char *b);

#endif
