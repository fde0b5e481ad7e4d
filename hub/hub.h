/* hub.h - the one authority on call state for a site.
 *
 * Takes presses and staff commands from MQTT, lets the core's hub engine decide
 * (lib/include/callbell/hub_engine.h), stores every change in SQLite, then publishes
 * each changed table's retained state and answers every press. Bad messages are logged with the reason and dropped;
 * nothing a bad message contains can stop the hub. */
#ifndef CALLBELL_HUB_H
#define CALLBELL_HUB_H

#include "callbell/call.h"
#include "site_config.h"
#include "store.h"
#include "table_list.h"
#include "url.h"

#include <signal.h>
#include <stdbool.h>

#define CB_HUB_CLAIM_TIMEOUT_MS 5000

typedef struct cb_hub_options {
    const char *site;
    const char *db_path;
    cb_table_list *tables;   /* the configured tables (parsed from "1-4,bar"); the hub frees the
                              * list once it has loaded them: 3 MB at 100,000 tables */
    const char *tables_text; /* the same as a person reads it, for refusals ("1-4") */
    cb_call_config call;
    cb_store_sync sync;
    bool log_events;      /* one log line per accepted event */
    size_t max_devices;   /* duplicate windows kept; beyond it the least recently heard half goes */
    bool standby;         /* wait while another hub holds the database or serves the site */
    int claim_timeout_ms; /* how long an "online" hub has to answer before it counts as dead
                           * (0: CB_HUB_CLAIM_TIMEOUT_MS) */
    /* The site file, or NULL (then the site message has ids only and defaults). A
     * reload re-reads site_config->path; what flags gave stays as the flags said. */
    const cb_site_config *site_config;
    bool tables_from_file, realert_from_file, ack_timeout_from_file;
    volatile sig_atomic_t *reload;     /* set by SIGHUP: re-read the site file (may be NULL) */
    void (*notify)(const char *state); /* sd_notify for systemd: "READY=1", "RELOADING=1" (may be NULL) */
    uint32_t signin_ttl_s;             /* 0: the engine's default */
    const char *registry_path;         /* the site's registry of devices (pc/registry.h); NULL = any device presses */
    const cb_url *claim_broker; /* who asks "is another hub online?" (roles: the admin credential); NULL: the hub's */
    const char *ha_prefix;      /* Home Assistant discovery prefix ("homeassistant"), NULL: off */
} cb_hub_options;

/* Runs until *stop becomes non-zero. Returns the process exit code. */
int cb_hub_main(const cb_hub_options *opt, const cb_url *broker, volatile sig_atomic_t *stop);

#endif
