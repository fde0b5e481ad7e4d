/* cmd_broker.c - `callbell broker`: the local broker, so nothing else is needed. */
#define _POSIX_C_SOURCE 200809L
#include "broker_launch.h"
#include "broker_tls.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "paths.h"
#include "registry.h"
#include "signals.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* descriptors mosquitto keeps for itself: listeners, log, epoll, the store being saved */
#define BROKER_OWN_FILES 16

static const char help[] =
    "usage: callbell broker [options]\n\n"
    "Runs Debian's Mosquitto with a generated configuration: MQTT for tables, hub and\n"
    "boards, WebSockets for the web board, persistence in callbell's data directory,\n"
    "saved at every change. The web board's page is served by Debian's lighttpd, started\n"
    "(and restarted if it dies) with it, on the WebSockets port, which it shares with\n"
    "Mosquitto's WebSockets (it hands them on); without lighttpd installed, by Mosquitto\n"
    "itself (plain http, no MIME types: no notifications on Android). Raises the\n"
    "open-files limit to its hard limit (every device is one open connection) and\n"
    "prints how many clients that allows. Prints its URLs; stops on Ctrl-C.\n\n"
    "  --port N         MQTT port (default 1883)\n"
    "  --ws-port N      WebSockets + web board port, http:// (default 9001; 0 = none)\n"
    "  --bind ADDR      listen address (default 127.0.0.1; 0.0.0.0 lets phones on the\n"
    "                   restaurant Wi-Fi open the web board -- without --password-file\n"
    "                   anyone there can then connect)\n"
    "  --password-file F  only the users in F may connect, over MQTT and WebSockets\n"
    "                   (make it with: mosquitto_passwd -c F staff; clients then use\n"
    "                   mqtt://staff:PASSWORD@host, the web board its settings panel).\n"
    "                   Passwords cross the network unencrypted: a staff network still.\n"
    "  --roles          enforce the site's roles even before anyone is registered (on by\n"
    "                   itself once the site's registry exists: `callbell device add`,\n"
    "                   `callbell staff add`, `callbell display add`): anonymous clients\n"
    "                   are refused, each credential may do only what its role allows,\n"
    "                   and a client id belongs to its credential. The registry is\n"
    "                   re-read when it changes (SIGHUP to Mosquitto, nobody is dropped\n"
    "                   but a removed credential).\n"
    "  --tls            MQTT over TLS on --tls-port, and the web board over https:// with\n"
    "                   its WebSockets over TLS (WSS) on --wss-port, with a local CA and a\n"
    "                   server certificate for this machine's names and addresses (made\n"
    "                   once with openssl in --tls-dir, reused; trust ca.pem on phones,\n"
    "                   CALLBELL_CA_FILE for the CLI, -DCALLBELL_CA_CERT for the firmware).\n"
    "                   The plain --port listener then listens on 127.0.0.1 only.\n"
    "  --tls-port N     MQTT over TLS (default 8883)\n"
    "  --wss-port N     the web board over https:// and WSS (default 8884; 0 = none)\n"
    "  --tls-dir DIR    the CA and certificate (default <data dir>/tls)\n"
    "  --tls-cert F --tls-key F --tls-ca F  use these instead of making them\n"
    "  --data-dir DIR   persistence, config and log (default $XDG_STATE_HOME/callbell/broker-<port>)\n"
    "  --http-dir DIR   web board files to serve (default: the built web board)\n"
    "  --config FILE    the site file (env CALLBELL_CONFIG; default /etc/callbell/<site>.conf\n"
    "                   if it exists): its [broker] password_file, unless --password-file\n"
    "  --site ID        which site's default file to read (env CALLBELL_SITE)\n"
    "  -h, --help       show this help\n";

/* The registry as the broker last applied it. */
typedef struct roles {
    bool on;
    char path[4096];
    char passwd[4200], acl[4200];
    struct stat seen; /* the file when last read */
} roles;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads the registry and writes Mosquitto's password and ACL files from it. */
static int roles_apply(cb_common *c, roles *r, bool first, char *err, size_t err_cap)
{
    cb_registry reg;
    struct stat st;
    memset(&st, 0, sizeof st);
    stat(r->path, &st);
    if (cb_registry_load(r->path, c->site, &reg, err, err_cap) != 0)
        return -1;
    int rc = first ? cb_registry_ensure_hub(&reg, err, err_cap) : 0;
    if (rc == 0 && first)
        stat(r->path, &st); /* ensure_hub may have written it */
    if (rc == 0)
        rc = cb_registry_write_broker_files(&reg, r->passwd, r->acl, err, err_cap);
    if (rc == 0) {
        r->seen = st;
        size_t count[CB_REG_ADMIN + 1] = {0};
        for (size_t i = 0; i < reg.n; i++)
            count[reg.e[i].role]++;
        printf("roles: %zu devices, %zu staff, %zu displays, the hub (%s)\n", count[CB_REG_DEVICE], count[CB_REG_STAFF],
               count[CB_REG_DISPLAY], r->path);
        fflush(stdout);
    }
    cb_registry_free(&reg);
    return rc;
}

/* A changed registry: new files, then SIGHUP; a broken one keeps the last good roles. */
static void roles_watch(cb_common *c, roles *r, cb_broker *b)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    if (!r->on || stat(r->path, &st) != 0 || same_file(&st, &r->seen))
        return;
    char err[1024];
    if (roles_apply(c, r, false, err, sizeof err) != 0) {
        r->seen = st; /* say it once, not five times a second */
        cb_fail(c, "%s; keeping the roles read before", err);
        return;
    }
    cb_broker_reload(b);
}

int cb_cmd_broker(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "broker");
    cb_broker_config cfg = {.bind = "127.0.0.1", .port = 1883, .ws_port = 9001};
    char data_dir[4096] = "";
    static const struct option longopts[] = {{"port", required_argument, 0, 'p'},
                                             {"ws-port", required_argument, 0, 'w'},
                                             {"bind", required_argument, 0, 'b'},
                                             {"data-dir", required_argument, 0, 'd'},
                                             {"http-dir", required_argument, 0, 'H'},
                                             {"password-file", required_argument, 0, 'P'},
                                             {"config", required_argument, 0, 'C'},
                                             {"site", required_argument, 0, 'S'},
                                             {"roles", no_argument, 0, 'R'},
                                             {"tls", no_argument, 0, 'T'},
                                             {"tls-port", required_argument, 0, 1001},
                                             {"wss-port", required_argument, 0, 1002},
                                             {"tls-dir", required_argument, 0, 1003},
                                             {"tls-cert", required_argument, 0, 1004},
                                             {"tls-key", required_argument, 0, 1005},
                                             {"tls-ca", required_argument, 0, 1006},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    roles ro;
    memset(&ro, 0, sizeof ro);
    bool tls = false;
    unsigned long tls_port = 8883, wss_port = 8884;
    const char *tls_dir = NULL;
    cb_broker_tls made;
    memset(&made, 0, sizeof made);
    int opt;
    unsigned long n;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'p':
        case 'w':
            /* the MQTT port must exist; the WebSockets one may be 0 (none) */
            if (cb_parse_uint_range(&c, opt == 'p' ? "--port" : "--ws-port", optarg, opt == 'p' ? 1 : 0, 65535, &n) !=
                0)
                return 2;
            *(opt == 'p' ? &cfg.port : &cfg.ws_port) = (int)n;
            break;
        case 'b':
            cfg.bind = optarg;
            break;
        case 'd':
            snprintf(data_dir, sizeof data_dir, "%s", optarg);
            break;
        case 'H':
            cfg.http_dir = optarg;
            break;
        case 'P':
            cfg.password_file = optarg;
            break;
        case 'R':
            ro.on = true;
            break;
        case 'T':
            tls = true;
            break;
        case 1001:
        case 1002:
            if (cb_parse_uint_range(&c, opt == 1001 ? "--tls-port" : "--wss-port", optarg, opt == 1001 ? 1 : 0, 65535,
                                    opt == 1001 ? &tls_port : &wss_port) != 0)
                return 2;
            tls = true;
            break;
        case 1003:
            tls_dir = optarg;
            tls = true;
            break;
        case 1004:
            cfg.tls_cert = optarg;
            tls = true;
            break;
        case 1005:
            cfg.tls_key = optarg;
            tls = true;
            break;
        case 1006:
            cfg.tls_ca = optarg;
            tls = true;
            break;
        case 'C':
        case 'S':
            if (cb_common_option(&c, opt, optarg) != 0)
                return 2;
            break;
        default:
            return cb_usage_error(&c);
        }
    }
    if (optind < argc) {
        cb_fail(&c, "unexpected argument '%s'", argv[optind]);
        return cb_usage_error(&c);
    }
    if (cb_common_load_config(&c) != 0)
        return 2;
    if (c.site_config && !cfg.password_file && c.site_config->password_file[0])
        cfg.password_file = c.site_config->password_file;
    if (cfg.ws_port == cfg.port) {
        cb_fail(&c, "--port and --ws-port must differ");
        return 2;
    }
    if (!data_dir[0]) {
        char name[32], err[512];
        snprintf(name, sizeof name, "broker-%d", cfg.port);
        if (cb_state_path(name, data_dir, sizeof data_dir, err, sizeof err) != 0) {
            cb_fail(&c, "%s", err);
            return 1;
        }
    }
    cfg.data_dir = data_dir;
    char err[2048];
    if (cb_registry_path(c.site, c.site_config ? c.site_config->path : NULL, ro.path, sizeof ro.path, err,
                         sizeof err) != 0) {
        cb_fail(&c, "%s", err);
        return 1;
    }
    ro.on = ro.on || access(ro.path, F_OK) == 0;
    if (ro.on && cfg.password_file) {
        cb_fail(&c, "the site's roles (%s) replace --password-file / [broker] password_file: give one", ro.path);
        return 2;
    }
    if (ro.on) {
        if (cb_mkdir_p(data_dir, 0700) != 0) {
            cb_fail(&c, "cannot create %s", data_dir);
            return 1;
        }
        snprintf(ro.passwd, sizeof ro.passwd, "%s/passwd", data_dir);
        snprintf(ro.acl, sizeof ro.acl, "%s/acl", data_dir);
        if (roles_apply(&c, &ro, true, err, sizeof err) != 0) {
            cb_fail(&c, "%s", err);
            return 2;
        }
        cfg.password_file = ro.passwd;
        cfg.acl_file = ro.acl;
        cfg.username_is_clientid = true;
    }
    if (tls) {
        if ((cfg.tls_cert || cfg.tls_key || cfg.tls_ca) && !(cfg.tls_cert && cfg.tls_key && cfg.tls_ca)) {
            cb_fail(&c, "--tls-cert, --tls-key and --tls-ca go together");
            return 2;
        }
        if ((int)tls_port == cfg.port || (int)tls_port == cfg.ws_port || (wss_port && (int)wss_port == cfg.port) ||
            (wss_port && (int)wss_port == cfg.ws_port) || wss_port == tls_port) {
            cb_fail(&c, "--port, --ws-port, --tls-port and --wss-port must differ");
            return 2;
        }
        if (!cfg.tls_cert) {
            char dir[4200];
            snprintf(dir, sizeof dir, "%s", tls_dir ? tls_dir : "");
            if (!tls_dir)
                snprintf(dir, sizeof dir, "%s/tls", data_dir);
            if (cb_broker_tls_prepare(dir, &made, err, sizeof err) != 0) {
                cb_fail(&c, "%s", err);
                return 1;
            }
            cfg.tls_ca = made.ca;
            cfg.tls_cert = made.cert;
            cfg.tls_key = made.key;
        }
        for (const char *const *p = (const char *const[]){cfg.tls_ca, cfg.tls_cert, cfg.tls_key, NULL}; *p; p++) {
            if (access(*p, R_OK) != 0) {
                cb_fail(&c, "cannot read %s: %s", *p, strerror(errno));
                return 1;
            }
        }
        cfg.tls_port = (int)tls_port;
        cfg.wss_port = (int)wss_port;
    }
    cb_install_stop_handlers();
    cb_broker b;
    if (cb_broker_start(&cfg, &b, err, sizeof err) != 0) {
        cb_fail(&c, "%s", err);
        return 1;
    }
    const char *shown = strcmp(cfg.bind, "0.0.0.0") == 0 ? "127.0.0.1" : cfg.bind;
    printf("broker: mqtt://%s:%d\n", shown, cfg.port);
    if (cfg.ws_port > 0)
        printf("websockets: ws://%s:%d/\n", shown, cfg.ws_port);
    if (b.web_served)
        printf("web board: http://%s:%d/\n", shown, cfg.ws_port);
    else if (cfg.ws_port > 0 && !b.http_dir[0])
        printf("web board: not built (cmake --build build), WebSockets only\n");
    if (b.lighttpd)
        printf("web server: lighttpd (%s/lighttpd.conf), WebSockets to Mosquitto on 127.0.0.1:%d\n", data_dir,
               b.mqtt_ws_port);
    else if (b.http_dir[0])
        printf("web server: Mosquitto's http_dir (lighttpd is not installed: no https://, no MIME types; "
               "sudo apt-get install lighttpd lighttpd-mod-openssl)\n");
    if (tls) {
        printf("mqtts: mqtts://%s:%d (CA: %s%s%s)\n", shown, cfg.tls_port, cfg.tls_ca, made.names[0] ? "; for " : "",
               made.names);
        if (cfg.wss_port > 0)
            printf("wss: wss://%s:%d/\n", shown, cfg.wss_port);
        if (b.page_tls)
            printf("web board over TLS: https://%s:%d/\n", shown, cfg.wss_port);
        else if (cfg.wss_port > 0 && b.web_served)
            printf("web board over TLS: http://%s:%d/?broker=wss://%s:%d/ (the page over HTTP, MQTT over WSS: "
                   "see README, TLS)\n",
                   shown, cfg.ws_port, shown, cfg.wss_port);
    }
    if (ro.on)
        printf("users: the site's registry (anonymous clients are refused; hub credentials in %s.hub)\n", ro.path);
    else if (cfg.password_file)
        printf("users: %s (anonymous clients are refused)\n", cfg.password_file);
    if (b.open_files > BROKER_OWN_FILES)
        printf("clients: up to %lu at once (open-files limit %lu; raise it with ulimit -Hn or LimitNOFILE)\n",
               b.open_files - BROKER_OWN_FILES, b.open_files);
    printf("data: %s (log: %s%s%s)\nCtrl-C stops it.\n", data_dir, b.log_path,
           b.lighttpd && !b.web.log_to_stderr ? ", " : "", b.lighttpd && !b.web.log_to_stderr ? b.web.log_path : "");
    fflush(stdout);
    /* callbell-broker.service is Type=notify: ready once Mosquitto accepts connections */
    sd_notifyf(0, "READY=1\nSTATUS=listening on %s:%d", shown, cfg.port);
    while (!cb_stop_requested) {
        if (cb_broker_exited(&b, err, sizeof err)) {
            cb_fail(&c, "%s", err);
            return 1;
        }
        roles_watch(&c, &ro, &b);
        char msg[1600];
        if (cb_broker_web_watch(&b, msg, sizeof msg)) {
            printf("web server: %s\n", msg);
            fflush(stdout);
        }
        cb_sleep_ms(200);
    }
    sd_notify(0, "STOPPING=1");
    cb_broker_stop(&b);
    return 0;
}
