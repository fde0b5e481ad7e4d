/* hub_authority.c - exactly one active hub per site (docs/protocol.md "hub info").
 *
 * The hub's client id is fixed, so that presses wait in one persistent session while
 * the hub is down. A second hub connecting with it takes that session from the first,
 * and each would take it back a moment later. So before every connect the hub asks,
 * with a client id of its own, whether another hub serves (site_claim.c): at start-up
 * it refuses to run beside one; after a lost connection it stops when one took over. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "clock.h"
#include "db_lock.h"
#include "log.h"
#include "random.h"
#include "site_claim.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void cb_hub_identity_init(cb_hub *hub)
{
    cb_hub_info *i = &hub->info;
    memset(i, 0, sizeof *i);
    snprintf(i->instance, sizeof i->instance, "%08x%08x", cb_random_u32(), cb_random_u32());
    if (gethostname(i->host, sizeof i->host) != 0 || !i->host[0])
        snprintf(i->host, sizeof i->host, "unknown");
    i->host[sizeof i->host - 1] = '\0';
    i->pid = (uint32_t)getpid();
    if (cb_hub_info_set_db(i, hub->opt->db_path) != CB_OK)
        snprintf(i->db, sizeof i->db, "?");
    i->started_at = cb_wall_ms();
}

int cb_hub_claim(cb_hub *hub, bool reconnect, char *err, size_t err_cap)
{
    cb_site_claim c;
    const char *mine = reconnect ? hub->info.instance : "";
    int timeout_ms = hub->opt->claim_timeout_ms > 0 ? hub->opt->claim_timeout_ms : CB_HUB_CLAIM_TIMEOUT_MS;
    if (cb_site_claim_check(hub->broker, hub->opt->site, mine, reconnect, timeout_ms, &c, err, err_cap) != 0)
        return -1;
    char who[400];
    cb_site_claim_describe(&c, who, sizeof who);
    switch (c.claim) {
    case CB_CLAIM_OTHER_ACTIVE:
        if (reconnect)
            snprintf(err, err_cap,
                     "another hub took over site %s: %s; stopping (a hub never takes the session back, so that two "
                     "hubs do not take it from each other)",
                     hub->opt->site, who);
        else
            snprintf(err, err_cap,
                     "site %s already has an active hub: %s; not starting a second one (stop that one first, or "
                     "give this one another --site)",
                     hub->opt->site, who);
        return 1;
    case CB_CLAIM_STALE:
        cb_log("hub/status of site %s says online, but the hub it names (%s) did not answer within %.1f s: it died "
               "without its will reaching the broker; taking over its session",
               hub->opt->site, who, timeout_ms / 1000.0);
        return 0;
    default:
        return 0;
    }
}

int cb_hub_before_connect(void *ctx, char *why, size_t why_cap)
{
    cb_hub *hub = ctx;
    char err[800];
    int rc = cb_hub_claim(hub, hub->connected_once, err, sizeof err);
    if (rc > 0) {
        cb_log("%s", err);
        hub->taken_over = true; /* the loop stops; nothing is logged as a retry */
    } else if (rc < 0) {
        /* the broker cannot be asked: the connect would fail too; both are tried again */
        snprintf(why, why_cap, "%s", err);
    }
    return rc == 0 ? 0 : -1;
}

#define STANDBY_POLL_MS 2000

/* Sleeps up to ms, in short steps so that a stop request is heard. false: stopped. */
static bool standby_sleep(volatile sig_atomic_t *stop, uint32_t ms)
{
    for (uint32_t t = 0; t < ms && !*stop; t += 100)
        cb_sleep_ms(100);
    return !*stop;
}

static int take_db_lock(cb_hub *hub, volatile sig_atomic_t *stop, char *err, size_t err_cap)
{
    bool busy = false, said = false;
    while ((hub->db_lock = cb_db_lock(hub->opt->db_path, &busy, err, err_cap)) < 0) {
        if (!busy || !hub->opt->standby)
            return -1;
        if (!said)
            cb_log("standby: %s; waiting for it to stop", err);
        said = true;
        if (!standby_sleep(stop, 500)) {
            snprintf(err, err_cap, "stopped while standing by");
            return -1;
        }
    }
    return 0;
}

int cb_hub_take_authority(cb_hub *hub, volatile sig_atomic_t *stop, char *err, size_t err_cap)
{
    cb_hub_identity_init(hub);
    if (take_db_lock(hub, stop, err, err_cap) != 0)
        return -1;
    bool waited = false;
    int claim;
    while ((claim = cb_hub_claim(hub, false, err, err_cap)) > 0) {
        if (!hub->opt->standby)
            return -1;
        if (!waited)
            cb_log("standby: %s", err);
        waited = true;
        if (!standby_sleep(stop, STANDBY_POLL_MS)) {
            snprintf(err, err_cap, "stopped while standing by");
            return -1;
        }
    }
    if (waited)
        /* the other hub kept its calls in its own database: they are not in this one */
        cb_log("standby: the other hub is gone; taking over site %s with database %s (what the other hub stored "
               "in its own database is not in it: its open requests show as idle)",
               hub->opt->site, hub->opt->db_path);
    if (claim < 0) /* asked again before each connect attempt */
        cb_log("cannot ask the broker whether another hub serves site %s yet: %s", hub->opt->site, err);
    return 0;
}

cJSON *cb_hub_info_json(const cb_hub *hub)
{
    char payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_hub_info_encode(&hub->info, payload, sizeof payload, &len) != CB_OK)
        return NULL;
    return cJSON_ParseWithLength(payload, len);
}

void cb_hub_publish_info(cb_hub *hub)
{
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    if (cb_topic_build(CB_TOPIC_HUB_INFO, hub->opt->site, NULL, topic, sizeof topic) != CB_OK ||
        cb_hub_info_encode(&hub->info, payload, sizeof payload, &len) != CB_OK) {
        cb_log("cannot encode this hub's info (bug)");
        return;
    }
    if (cb_mqtt_publish(hub->mqtt, topic, payload, len, 1, true, NULL) == 0)
        hub->outstanding++;
}
