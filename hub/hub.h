/* hub.h - the one authority on call state for a site.
 *
 * Takes presses and staff commands from MQTT, lets the core's hub engine decide
 * (lib/include/callbell/hub_engine.h), stores every change in SQLite, then publishes
 * each changed table's retained state and answers every press. Bad messages are logged with the reason and dropped;
 * nothing a bad message contains can stop the hub. */
#ifndef CALLBELL_HUB_H
#define CALLBELL_HUB_H

#include "callbell/call.h"
#include "store.h"
#include "table_list.h"
#include "url.h"

#include <signal.h>
#include <stdbool.h>

typedef struct cb_hub_options {
    const char *site;
    const char *db_path;
    cb_table_list *tables;   /* the configured tables (parsed from "1-4,bar"); the hub frees the
                              * list once it has loaded them: 3 MB at 100,000 tables */
    const char *tables_text; /* the same as a person reads it, for refusals ("1-4") */
    cb_call_config call;
    cb_store_sync sync;
    bool log_events;                          /* one log line per accepted event */
    size_t max_devices;                       /* duplicate windows kept; beyond it the least recently heard half goes */
    const char *ha_prefix;                    /* Home Assistant discovery prefix ("homeassistant"), NULL: off */
    const struct cb_site_config *site_config; /* the site file, NULL without: table names and kinds */
} cb_hub_options;

/* Runs until *stop becomes non-zero. Returns the process exit code. */
int cb_hub_main(const cb_hub_options *opt, const cb_url *broker, volatile sig_atomic_t *stop);

#endif
