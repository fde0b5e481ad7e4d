/* site_claim.h - is another hub serving this site? Asked before the hub connects with
 * the site's fixed hub client id (docs/protocol.md "hub info"), with a client id of
 * its own, so asking never disturbs the hub that serves. The core decides
 * (cb_hub_claim_*); this moves the bytes. */
#ifndef CALLBELL_HUB_SITE_CLAIM_H
#define CALLBELL_HUB_SITE_CLAIM_H

#include "callbell/hub_engine.h"
#include "callbell/protocol.h"
#include "url.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cb_site_claim {
    cb_claim claim;   /* CB_CLAIM_FREE, CB_CLAIM_OTHER_ACTIVE or CB_CLAIM_STALE */
    bool other_known; /* `other` says who: from its answer, else its retained hub/info */
    cb_hub_info other;
} cb_site_claim;

/* Reads hub/status and hub/info of `site`, asks the hub they name when the core says
 * so and waits up to answer_timeout_ms for it. `mine` is this hub's instance,
 * `reconnect` whether it has been connected before. 0 with *out, or -1 with err when
 * the broker could not be asked (unreachable, refused). */
int cb_site_claim_check(const cb_url *broker, const char *site, const char *mine, bool reconnect, int answer_timeout_ms,
                        cb_site_claim *out, char *err, size_t err_cap);

/* "pid 4242 on host kitchen-pi, database /var/lib/callbell/hub-demo.db, up since
 * 2026-12-03 08:14:05" (or "a hub that did not say who it is"). */
void cb_site_claim_describe(const cb_site_claim *c, char *buf, size_t cap);

#endif
