/* common.h - what every `callbell` subcommand shares: --broker, --site, --help,
 * defaults from the environment, and the error/exit conventions.
 *
 * Exit codes: 0 success, 1 failure at run time (broker unreachable, no hub answer,
 * no open call...), 2 bad usage (unknown option, bad value). Errors go to stderr as
 * "callbell <command>: <what is wrong>". */
#ifndef CALLBELL_APP_COMMON_H
#define CALLBELL_APP_COMMON_H

#include "callbell/protocol.h"
#include "site_config.h"
#include "url.h"

#include <getopt.h>
#include <stdbool.h>

#define CB_DEFAULT_BROKER "mqtt://127.0.0.1:1883"
#define CB_DEFAULT_SITE "demo"
/* The site file looked for when neither --config nor CALLBELL_CONFIG names one:
 * <dir>/<site>.conf, used only if it exists (env CALLBELL_CONFIG_DIR changes dir). */
#define CB_DEFAULT_CONFIG_DIR "/etc/callbell"

typedef struct cb_common {
    const char *command; /* "press", "hub", ... for messages */
    char broker_text[512];
    cb_url broker;
    char site[CB_ID_SIZE];
    bool broker_given;      /* by --broker or CALLBELL_BROKER: beats the site file */
    bool site_given;        /* by --site or CALLBELL_SITE: beats the site file */
    char config_path[4096]; /* --config or CALLBELL_CONFIG; "" = the default, if any */
    /* The site file as understood, after cb_common_finish; NULL if none. Lives until
     * exit (one per process). Commands take their own settings from it unless a
     * flag or the environment gave them. */
    const cb_site_config *site_config;
    cb_mqtt_version mqtt; /* --mqtt / CALLBELL_MQTT, copied into broker.mqtt */
    bool env_mqtt_bad;    /* CALLBELL_MQTT is not 3, 5 or auto (reported unless --mqtt) */
} cb_common;

/* getopt_long entries every command includes (terminated by its own {0}). */
#define CB_COMMON_OPTIONS                                                                                              \
    {"broker", required_argument, 0, 'B'}, {"site", required_argument, 0, 'S'}, {"config", required_argument, 0, 'C'}, \
        {"mqtt", required_argument, 0, 'Q'},                                                                           \
    {                                                                                                                  \
        "help", no_argument, 0, 'h'                                                                                    \
    }

/* Help text lines for the common options. */
#define CB_COMMON_HELP                                                                                                 \
    "  --broker URL   broker: mqtt://[user:pass@]host[:port] or mqtts://... (TLS)\n"                                   \
    "                 (env CALLBELL_BROKER; default " CB_DEFAULT_BROKER ", see `callbell broker`)\n"                   \
    "  --site ID      site id, keeps restaurants apart on a shared broker\n"                                           \
    "                 (env CALLBELL_SITE; default " CB_DEFAULT_SITE ")\n"                                              \
    "  --config FILE  the site file (env CALLBELL_CONFIG; default " CB_DEFAULT_CONFIG_DIR "/<site>.conf\n"             \
    "                 if it exists); flags and environment override it. See callbell.conf(5)\n"                        \
    "  --mqtt V       MQTT version: 5, 3 (3.1.1) or auto (default: 5, else 3.1.1 when\n"                               \
    "                 the broker refuses 5; env CALLBELL_MQTT)\n"                                                      \
    "  -h, --help     show this help\n"

/* Sets defaults from CALLBELL_BROKER / CALLBELL_SITE / CALLBELL_CONFIG. */
void cb_common_init(cb_common *c, const char *command);
/* Handles 'B', 'S', 'C' (--config) and 'Q' (--mqtt); returns 0, or 2 after printing the error. */
int cb_common_option(cb_common *c, int opt, const char *arg);
/* After option parsing: loads the site file (a bad one is an error: nothing starts),
 * takes broker and site from it where no flag or env gave them, reads its
 * credentials file, validates broker URL and site. 0, or 2 after printing. */
int cb_common_finish(cb_common *c);
/* Only the site file part of cb_common_finish, for commands without --broker. */
int cb_common_load_config(cb_common *c);
/* After option parsing, for a command without positional arguments: rejects any,
 * then cb_common_finish. 0 or 2 after printing. */
int cb_common_end(cb_common *c, int argc, char **argv);
/* The same for a command taking exactly one TABLE argument (validated), stored in
 * *table; `example` is shown when it is missing (e.g. "callbell press 3"). */
int cb_common_end_table(cb_common *c, int argc, char **argv, const char *example, const char **table);
/* Prints "callbell <command>: <message>" to stderr. */
void cb_fail(const cb_common *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports an unknown option / missing argument the getopt way and returns 2. */
int cb_usage_error(const cb_common *c);
/* Parses a non-negative integer option; 0 or 2 after printing. */
int cb_parse_uint(const cb_common *c, const char *name, const char *arg, unsigned long max, unsigned long *out);
/* The same for min..max; the error names the range. */
int cb_parse_uint_range(const cb_common *c, const char *name, const char *arg, unsigned long min, unsigned long max,
                        unsigned long *out);

#endif
