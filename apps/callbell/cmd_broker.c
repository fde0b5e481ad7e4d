/* cmd_broker.c - `callbell broker`: the local broker, so nothing else is needed. */
#include "broker_launch.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "paths.h"
#include "signals.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

/* descriptors mosquitto keeps for itself: listeners, log, epoll, the store being saved */
#define BROKER_OWN_FILES 16

static const char help[] =
    "usage: callbell broker [options]\n\n"
    "Runs Debian's Mosquitto with a generated configuration: MQTT for tables, hub and\n"
    "boards, WebSockets for the web board (served by the broker itself), persistence in\n"
    "callbell's data directory, saved at every change. Raises the open-files limit to\n"
    "its hard limit (every device is one open connection) and prints how many clients\n"
    "that allows. Prints its URLs; stops on Ctrl-C.\n\n"
    "  --port N         MQTT port (default 1883)\n"
    "  --ws-port N      WebSockets + web board port (default 9001; 0 = none)\n"
    "  --bind ADDR      listen address (default 127.0.0.1; 0.0.0.0 lets phones on the\n"
    "                   restaurant Wi-Fi open the web board -- without --password-file\n"
    "                   anyone there can then connect)\n"
    "  --password-file F  only the users in F may connect, over MQTT and WebSockets\n"
    "                   (make it with: mosquitto_passwd -c F staff; clients then use\n"
    "                   mqtt://staff:PASSWORD@host, the web board its settings panel).\n"
    "                   Passwords cross the network unencrypted: a staff network still.\n"
    "  --data-dir DIR   persistence, config and log (default $XDG_STATE_HOME/callbell/broker-<port>)\n"
    "  --http-dir DIR   web board files to serve (default: the built web board)\n"
    "  --config FILE    the site file (env CALLBELL_CONFIG; default /etc/callbell/<site>.conf\n"
    "                   if it exists): its [broker] password_file, unless --password-file\n"
    "  --site ID        which site's default file to read (env CALLBELL_SITE)\n"
    "  -h, --help       show this help\n";

int cb_cmd_broker(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "broker");
    cb_broker_config cfg = {.bind = "127.0.0.1", .port = 1883, .ws_port = 9001};
    char data_dir[4096] = "";
    static const struct option longopts[] = {
        {"port", required_argument, 0, 'p'},     {"ws-port", required_argument, 0, 'w'},
        {"bind", required_argument, 0, 'b'},     {"data-dir", required_argument, 0, 'd'},
        {"http-dir", required_argument, 0, 'H'}, {"password-file", required_argument, 0, 'P'},
        {"config", required_argument, 0, 'C'},   {"site", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
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
    cb_install_stop_handlers();
    cb_broker b;
    char err[2048];
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
    else if (cfg.ws_port > 0)
        printf("web board: not built (cmake --build build), WebSockets only\n");
    if (cfg.password_file)
        printf("users: %s (anonymous clients are refused)\n", cfg.password_file);
    if (b.open_files > BROKER_OWN_FILES)
        printf("clients: up to %lu at once (open-files limit %lu; raise it with ulimit -Hn or LimitNOFILE)\n",
               b.open_files - BROKER_OWN_FILES, b.open_files);
    printf("data: %s (log: %s)\nCtrl-C stops it.\n", data_dir, b.log_path);
    fflush(stdout);
    /* callbell-broker.service is Type=notify: ready once Mosquitto accepts connections */
    sd_notifyf(0, "READY=1\nSTATUS=listening on %s:%d", shown, cfg.port);
    while (!cb_stop_requested) {
        if (cb_broker_exited(&b, err, sizeof err)) {
            cb_fail(&c, "%s", err);
            return 1;
        }
        cb_sleep_ms(200);
    }
    sd_notify(0, "STOPPING=1");
    cb_broker_stop(&b);
    return 0;
}
