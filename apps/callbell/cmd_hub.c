/* cmd_hub.c - `callbell hub`: options, then the hub's loop (hub/hub.c). */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "common.h"
#include "hub.h"
#include "paths.h"
#include "registry.h"
#include "signals.h"
#include "table_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static const char help[] = "usage: callbell hub [options]\n\n"
                           "The authority on call state: takes presses and staff commands, keeps every call in\n"
                           "SQLite, publishes each table's retained state and the site (names, colours) for the\n"
                           "boards. Runs until Ctrl-C. SIGHUP (systemctl reload) re-reads the site file: tables\n"
                           "added, renamed or removed (served until their open requests are closed); a bad file\n"
                           "is refused and logged, and the site keeps running as it was. When the database\n"
                           "takes no writes (full or read-only disk) it keeps running \"degraded\": it takes no\n"
                           "call it cannot store (they wait at the broker), says so on hub/status, and catches\n"
                           "up by itself once the disk takes writes again. Sections and the escalation chain\n"
                           "come from the site file ([sections], [hub] floor_after, manager_after, signin_ttl):\n"
                           "a call opens for its section's signed-in staff, reaches every waiter after\n"
                           "floor_after re-alerts and the managers after manager_after.\n\n"
                           "  --db PATH        database (default $XDG_STATE_HOME/callbell/hub-<site>.db,\n"
                           "                   else ~/.local/state/callbell/hub-<site>.db)\n"
                           "  --tables SPEC    the site's tables, e.g. 1-12,bar,patio-2 (env CALLBELL_TABLES;\n"
                           "                   default: the site file's [tables], else 1-4, the seed's four\n"
                           "                   buttons). Presses for other tables are rejected and logged.\n"
                           "  --realert S      re-alert a call still waiting after S seconds (default: the site\n"
                           "                   file's [hub] realert, else 60)\n"
                           "  --ack-timeout S  an acknowledged call not done after S seconds calls again\n"
                           "                   (default: the site file's [hub] ack_timeout, else 300)\n"
                           "  --sync MODE      normal (default): every accepted event survives a crash or kill -9\n"
                           "                   of the hub; a power cut may lose the last moments. full: every\n"
                           "                   commit is fsynced first (survives power loss; costs a disk flush,\n"
                           "                   milliseconds on SD cards and virtual disks, per event burst)\n"
                           "  --quiet          log only problems, not every event\n"
                           "  --max-devices N  devices whose duplicate windows are kept (default 10000); a new\n"
                           "                   device beyond it makes the hub forget the least recently heard half\n"
                           "  --claim-timeout S  one hub per site: before it connects, the hub asks the hub that\n"
                           "                   hub/status says is online; it refuses to start when that one\n"
                           "                   answers, and takes over when it does not answer within S seconds\n"
                           "                   (default 5; it died without its will reaching the broker)\n"
                           "  --standby        instead of refusing, wait while another hub holds --db or serves\n"
                           "                   the site, and take over when it stops. Lossless with the same --db\n"
                           "                   (same machine); with another database the requests the other hub\n"
                           "                   had open are not in it and show as idle\n"
                           "  --ha-discovery   publish Home Assistant MQTT discovery configs: per table a\n"
                           "                   request event, calling, waiting seconds, an acknowledge button\n"
                           "                   (docs/home-assistant.md)\n" CB_COMMON_HELP;

/* systemd's readiness protocol (Type=notify); a no-op outside systemd. */
static void notify_systemd(const char *state)
{
    sd_notify(0, state);
}

/* "1,2,bar" for the hub's refusals when the tables come from the site file; a list
 * too long for buf ends in "...". */
static const char *tables_as_text(const cb_table_list *t, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->count; i++) {
        size_t k = strlen(t->ids[i]) + (i > 0);
        if (n + k + 4 > cap) {
            snprintf(buf + n, cap - n, "...");
            break;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i > 0 ? "," : "", t->ids[i]);
    }
    return buf;
}

int cb_cmd_hub(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "hub");
    const char *env_tables = getenv("CALLBELL_TABLES");
    const char *tables_spec = env_tables && env_tables[0] ? env_tables : NULL;
    bool realert_given = false, ack_timeout_given = false;
    cb_hub_options o = {
        .sync = CB_SYNC_NORMAL, .log_events = true, .max_devices = 10000, .claim_timeout_ms = CB_HUB_CLAIM_TIMEOUT_MS};
    cb_call_config_default(&o.call);
    char db_path[4096] = "";
    static const struct option longopts[] = {{"db", required_argument, 0, 'd'},
                                             {"tables", required_argument, 0, 't'},
                                             {"realert", required_argument, 0, 'r'},
                                             {"ack-timeout", required_argument, 0, 'a'},
                                             {"sync", required_argument, 0, 'y'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"max-devices", required_argument, 0, 'm'},
                                             {"ha-discovery", no_argument, 0, 'H'},
                                             {"claim-timeout", required_argument, 0, 'c'},
                                             {"standby", no_argument, 0, 'w'},
                                             CB_COMMON_OPTIONS,
                                             {0, 0, 0, 0}};
    int opt;
    unsigned long n;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'd':
            snprintf(db_path, sizeof db_path, "%s", optarg);
            break;
        case 't':
            tables_spec = optarg;
            break;
        case 'r':
        case 'a':
            if (cb_parse_uint(&c, opt == 'r' ? "--realert" : "--ack-timeout", optarg, 86400, &n) != 0)
                return 2;
            if (n == 0) {
                cb_fail(&c, "%s must be at least 1 second", opt == 'r' ? "--realert" : "--ack-timeout");
                return 2;
            }
            if (opt == 'r') {
                o.call.realert_s = (uint32_t)n;
                realert_given = true;
            } else {
                o.call.ack_timeout_s = (uint32_t)n;
                ack_timeout_given = true;
            }
            break;
        case 'y':
            if (strcmp(optarg, "full") == 0)
                o.sync = CB_SYNC_FULL;
            else if (strcmp(optarg, "normal") == 0)
                o.sync = CB_SYNC_NORMAL;
            else {
                cb_fail(&c, "bad --sync '%s': want full or normal", optarg);
                return 2;
            }
            break;
        case 'q':
            o.log_events = false;
            break;
        case 'H':
            o.ha_prefix = "homeassistant";
            break;
        case 'm':
            if (cb_parse_uint(&c, "--max-devices", optarg, 1000000, &n) != 0)
                return 2;
            if (n < 2) {
                cb_fail(&c, "--max-devices must be at least 2");
                return 2;
            }
            o.max_devices = n;
            break;
        case 'w':
            o.standby = true;
            break;
        case 'c':
            if (cb_parse_uint(&c, "--claim-timeout", optarg, 600, &n) != 0)
                return 2;
            if (n == 0) {
                cb_fail(&c, "--claim-timeout must be at least 1 second");
                return 2;
            }
            o.claim_timeout_ms = (int)n * 1000;
            break;
        default:
            if (cb_common_option(&c, opt, optarg) != 0)
                return 2;
        }
    }
    if (cb_common_end(&c, argc, argv) != 0 || cb_common_hub_credentials(&c) != 0)
        return 2;
    o.site = c.site;
    /* the site's registry, when it has one: presses are checked against it */
    static char registry[4096];
    char why[600];
    if (cb_registry_path(c.site, c.site_config ? c.site_config->path : NULL, registry, sizeof registry, why,
                         sizeof why) == 0 &&
        access(registry, F_OK) == 0)
        o.registry_path = registry;
    /* With roles, the broker makes a credential's user name its client id: a check made
     * with the hub's own credential would take (and, clean, wipe) the hub's session.
     * The site's admin credential asks instead. */
    static cb_url claim_broker;
    claim_broker = c.broker;
    if (o.registry_path && cb_common_site_credentials_into(&c, "admin", &claim_broker) == 0)
        o.claim_broker = &claim_broker;
    cb_table_list tables;
    char err[512];
    if (c.site_config && !tables_spec) {
        if (cb_site_config_table_list(c.site_config, &tables) != 0) {
            cb_fail(&c, "out of memory");
            return 1;
        }
    } else if (cb_table_list_parse(tables_spec ? tables_spec : "1-4", &tables, err, sizeof err) != 0) {
        cb_fail(&c, "%s", err);
        return 2;
    }
    if (c.site_config && !realert_given)
        o.call.realert_s = c.site_config->realert_s;
    if (c.site_config && !ack_timeout_given)
        o.call.ack_timeout_s = c.site_config->ack_timeout_s;
    if (c.site_config) {
        o.call.floor_after = c.site_config->floor_after;
        o.call.manager_after = c.site_config->manager_after;
        o.signin_ttl_s = c.site_config->signin_ttl_s;
    }
    o.tables = &tables;
    char listed[64];
    o.tables_text = tables_spec ? tables_spec : tables_as_text(&tables, listed, sizeof listed);
    if (!db_path[0]) {
        char name[64];
        snprintf(name, sizeof name, "hub-%s.db", c.site);
        if (cb_state_path(name, db_path, sizeof db_path, err, sizeof err) != 0) {
            cb_fail(&c, "%s", err);
            cb_table_list_free(&tables);
            return 1;
        }
    }
    o.db_path = db_path;
    o.site_config = c.site_config;
    o.tables_from_file = c.site_config && !tables_spec;
    o.realert_from_file = c.site_config && !realert_given;
    o.ack_timeout_from_file = c.site_config && !ack_timeout_given;
    o.reload = &cb_reload_requested;
    o.notify = notify_systemd;
    cb_install_stop_handlers();
    cb_install_reload_handler();
    int rc = cb_hub_main(&o, &c.broker, &cb_stop_requested);
    cb_table_list_free(&tables);
    return rc;
}
