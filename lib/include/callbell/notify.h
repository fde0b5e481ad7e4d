/* notify.h - which requests to tell people about (`callbell notify`), decided from the
 * retained table states alone.
 *
 * One notification per request and escalation level: level 0 when a request is first
 * seen calling, level N when its `repeats` reaches N while calling (a re-alert, or the
 * ack timeout handing it back). A request first seen acknowledged is not announced
 * (someone is on the way). A state seen again -- after a reconnect, or the bridge's
 * restart with its memory reloaded -- announces nothing already announced: no storm.
 *
 * The memory is a fixed table of (table, call, level) for the open requests; a
 * request leaves it when its table's state no longer holds it, or, when the table is
 * full, as the one remembered longest ago (a table no longer served never sends the
 * state that would prune its requests). */
#ifndef CALLBELL_NOTIFY_H
#define CALLBELL_NOTIFY_H

#include "callbell/protocol.h"
#include "callbell/status.h"

#include <stdint.h>

#define CB_NOTIFY_MEMORY 1024 /* open requests remembered: 3 per table of a large site */

typedef struct cb_notify_entry {
    char table[CB_ID_SIZE];
    uint64_t call;
    uint32_t level; /* the highest level announced */
    uint32_t added; /* order of insertion: the smallest goes first when full */
} cb_notify_entry;

typedef struct cb_notify_memory {
    cb_notify_entry e[CB_NOTIFY_MEMORY];
    uint32_t n;
    uint32_t next_added;
} cb_notify_memory;

typedef struct cb_notification {
    char table[CB_ID_SIZE];
    cb_request request; /* as in the state */
    uint32_t level;     /* 0: new request; N: escalated N times */
} cb_notification;

/* An empty memory. CB_OK or CB_E_ARG. */
cb_status cb_notify_init(cb_notify_memory *m);

/* Puts back what was announced before (the bridge's state file): level `level` of
 * request `call` at `table`. A lower level than remembered changes nothing; a full
 * memory forgets the entry remembered longest ago. CB_OK, CB_E_BAD_ID (table) or
 * CB_E_RANGE (call 0). */
cb_status cb_notify_remember(cb_notify_memory *m, const char *table, uint64_t call, uint32_t level);

/* A table's new state: writes the notifications it calls for into out[0..cap) (at most
 * CB_REQUEST_MAX), *n their number, and remembers them as announced; forgets the
 * table's requests the state no longer holds. CB_OK; CB_E_ARG; CB_E_FULL when out
 * has no room for one (what fitted is in out; the rest is announced by a later
 * state). */
cb_status cb_notify_state(cb_notify_memory *m, const cb_state *st, cb_notification *out, uint32_t cap, uint32_t *n);

/* Where a notification goes (site file [notify], docs/notify.md "Routes"): one of
 * these per destination kind (ntfy, webhook), each kind on its own. */
typedef enum cb_notify_route {
    CB_ROUTE_NONE = 0, /* nowhere: nothing is sent */
    CB_ROUTE_DEFAULT,  /* ntfy = URL: every request */
    CB_ROUTE_SECTION,  /* ntfy.<section> = URL: the requests of the section's tables */
    CB_ROUTE_FLOOR,    /* ntfy.floor = URL: escalations once at level floor */
    CB_ROUTE_MANAGER,  /* ntfy.manager = URL: escalations once at level manager */
    CB_ROUTE_COUNT
} cb_notify_route;

#define CB_ROUTE_BIT(r) (1u << (unsigned)(r))

/* The route of notification n, given `have`: a CB_ROUTE_BIT per route that has a
 * destination (CB_ROUTE_SECTION: the one of n's table's section). An escalation
 * (n->level >= 1) at request level manager goes to the manager route, else, at floor
 * or manager, to the floor route; everything else -- every new request, whatever
 * level it opened at (floor when nobody was signed in to its section), and the
 * re-alerts still at level section -- to the section's route, else the default,
 * else nowhere. CB_ROUTE_NONE also for a NULL n. */
cb_notify_route cb_notify_route_for(const cb_notification *n, unsigned have);

#endif
