/* site_config.h - the site file (/etc/callbell/<site>.conf): one INI file, parsed by
 * Debian's libinih, that names the site, its broker, its tables as the staff say
 * them, the escalation times, the board's colour thresholds and the staff.
 *
 *   [site]     id = trattoria          name = Trattoria Sole
 *   [broker]   url = mqtt://127.0.0.1:1883   credentials = FILE   password_file = FILE
 *   [hub]      realert = 60            ack_timeout = 300
 *   [board]    warn_after = 60         late_after = 180
 *   [staff]    names = Anna, Marco
 *   [tables]   patio-2 = Patio 2       [kinds] patio-2 = call, bill, water
 *   [sections] patio = patio-1, patio-2   (a table in at most one section)
 *   [notify]   ntfy = URL   ntfy.patio = URL   webhook.manager = URL   (`callbell notify`)
 *
 * Every key is known (cb_site_config_keys): an unknown key or section, a bad value, a
 * key given twice or a missing required key is an error naming the file, the line and
 * the key. Nothing is half-applied: on error *out is left empty. Docs: docs/config.md. */
#ifndef CALLBELL_PC_SITE_CONFIG_H
#define CALLBELL_PC_SITE_CONFIG_H

#include "callbell/notify.h"
#include "callbell/protocol.h"
#include "table_list.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CB_SITE_NAME_MAX 64 /* bytes of UTF-8 in a display name */
#define CB_SITE_PATH_MAX 192
#define CB_SITE_URL_MAX 192
#define CB_SITE_STAFF_MAX 64
#define CB_SITE_TABLES_MAX 10000
#define CB_SITE_SECONDS_MAX 86400u
#define CB_SITE_ROUTES_MAX 128 /* [notify] keys */

typedef struct cb_site_table {
    char id[CB_ID_SIZE];             /* [a-z0-9_-], as on the wire */
    char name[CB_SITE_NAME_MAX + 1]; /* what the staff say: "Patio 2"; defaults to "Table <id>" */
    unsigned kinds;                  /* bit (1u << cb_kind) per button kind offered */
    char section[CB_ID_SIZE];        /* [sections]: the section it belongs to, "" = none */
} cb_site_table;

/* [notify]: the two kinds of destination, in notify/delivery.h's cb_sink_kind order. */
typedef enum cb_site_sink { CB_SITE_NTFY = 0, CB_SITE_WEBHOOK = 1 } cb_site_sink;

/* One [notify] key: `ntfy = URL` (to CB_ROUTE_DEFAULT), `ntfy.<section> = URL`
 * (CB_ROUTE_SECTION), `ntfy.floor`, `ntfy.manager`; the same with `webhook`. */
typedef struct cb_site_route {
    cb_site_sink sink;
    cb_notify_route to;        /* DEFAULT, SECTION, FLOOR or MANAGER */
    char section[CB_ID_SIZE];  /* to == CB_ROUTE_SECTION: a section of [sections] */
    char url[CB_SITE_URL_MAX]; /* cb_http_url_ok */
    int line;                  /* its line in the file */
} cb_site_route;

typedef struct cb_site_config {
    char path[4096];                         /* the file it came from, for messages */
    char id[CB_ID_SIZE];                     /* [site] id (required) */
    char name[CB_SITE_NAME_MAX + 1];         /* [site] name (default: the id) */
    char broker_url[CB_SITE_URL_MAX];        /* "" = not given */
    char credentials_file[CB_SITE_PATH_MAX]; /* one line "user:password" for clients; "" = none */
    char password_file[CB_SITE_PATH_MAX];    /* mosquitto_passwd file for `callbell broker`; "" = none */
    uint32_t realert_s;                      /* [hub] realert, default 60 */
    uint32_t ack_timeout_s;                  /* [hub] ack_timeout, default 300 */
    uint32_t floor_after;                    /* [hub] floor_after: re-alerts before the floor is rung, default 1 */
    uint32_t manager_after;                  /* [hub] manager_after: ... before the managers are, default 3 */
    uint32_t signin_ttl_s;                   /* [hub] signin_ttl: a board's sign-in lasts, default 90 */
    uint32_t board_warn_s;                   /* [board] warn_after, default 60 */
    uint32_t board_late_s;                   /* [board] late_after, default 180 (> warn_after) */
    char staff[CB_SITE_STAFF_MAX][CB_SITE_NAME_MAX + 1];
    size_t staff_count;
    cb_site_table *tables; /* heap, in file order; at least one */
    size_t table_count;
    size_t table_cap;
    cb_site_route *routes; /* heap, [notify] in file order; NULL when none */
    size_t route_count;
    size_t route_cap;
} cb_site_config;

/* The kinds a table offers when its section has no `kinds`: call, bill, water, cancel. */
#define CB_SITE_ALL_KINDS ((1u << CB_KIND_COUNT) - 1u)

/* Parses text (len bytes, need not be NUL-terminated) as the site file `path`.
 * 0 and *out filled (free with cb_site_config_free), or -1 with err holding
 * "PATH:LINE: [section] key: what is wrong" and *out empty. */
int cb_site_config_parse_text(const char *text, size_t len, const char *path, cb_site_config *out, char *err,
                              size_t err_cap);
/* Reads and parses the file at path (at most 1 MiB). 0, or -1 with err as above
 * (or naming why it could not be read). */
int cb_site_config_load(const char *path, cb_site_config *out, char *err, size_t err_cap);
void cb_site_config_free(cb_site_config *cfg);

/* The table with this id, or NULL. */
const cb_site_table *cb_site_config_table(const cb_site_config *cfg, const char *id);

/* The [notify] destination of `sink` for route `to` (section: for CB_ROUTE_SECTION,
 * else ignored), or NULL when the file names none. */
const cb_site_route *cb_site_config_route(const cb_site_config *cfg, cb_site_sink sink, cb_notify_route to,
                                          const char *section);

/* The table ids, for the hub's cb_table_list (heap; cb_table_list_free). 0 or -1
 * (out of memory). */
int cb_site_config_table_list(const cb_site_config *cfg, cb_table_list *out);

/* What a reload changes about the tables, old -> new (for the hub's SIGHUP). */
typedef enum cb_site_change_kind {
    CB_SITE_TABLE_ADDED,   /* only in new: new_table set */
    CB_SITE_TABLE_REMOVED, /* only in old: old_table set */
    CB_SITE_TABLE_CHANGED, /* in both, with another name or other kinds: both set */
} cb_site_change_kind;

typedef struct cb_site_change {
    cb_site_change_kind kind;
    const cb_site_table *old_table;
    const cb_site_table *new_table;
} cb_site_change;

typedef void (*cb_site_change_fn)(void *ctx, const cb_site_change *change);

/* Calls fn (if not NULL) once per table that differs between old and new: removed and
 * changed ones in old's order, then added ones in new's order. Returns how many. */
size_t cb_site_config_diff(const cb_site_config *old_cfg, const cb_site_config *new_cfg, cb_site_change_fn fn,
                           void *ctx);

/* Prints the site as understood, one setting per line (for `callbell config check`). */
void cb_site_config_print(const cb_site_config *cfg, FILE *out);
/* Prints every section and key with its meaning and default: the reference that
 * `callbell config --help` shows and callbell.conf(5) is generated from. */
void cb_site_config_print_reference(FILE *out);

#endif
