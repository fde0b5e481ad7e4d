/* web_server.h - the web board's page server: Debian's lighttpd with a generated
 * configuration, started and watched by `callbell broker` (and the demo) next to
 * Mosquitto.
 *
 * Why lighttpd and not Mosquitto's http_dir: Mosquitto 2.0's file server sends no
 * Content-Type (no JavaScript MIME type: no service worker, no ES modules), and over TLS
 * Debian's libwebsockets offers HTTP/2 by ALPN, which that file server cannot serve
 * (Chromium: ERR_HTTP2_PROTOCOL_ERROR, mosquitto issue #2251) -- so the page could not
 * be served over https at all. lighttpd (Debian `lighttpd`, `lighttpd-mod-openssl`) is
 * small, well kept, serves HTTP/1.1 and HTTP/2 over TLS, runs in the foreground as our
 * child (-D) from a config file we write, and needs no code of ours to serve files;
 * an embedded libmicrohttpd would have meant writing a file server (paths, MIME types,
 * ranges, caching) in C ourselves.
 *
 * It listens on the board's public ports and hands WebSocket requests (HTTP/1.1
 * Upgrade, or HTTP/2 extended CONNECT, RFC 8441) to Mosquitto's WebSockets listener on
 * 127.0.0.1 (mod_proxy): the page and its MQTT share one origin, as with http_dir
 * before, so the page's default broker (the host that served it) still works, and a
 * phone trusts one certificate for both. MQTT stays Mosquitto's; lighttpd only relays. */
#ifndef CALLBELL_APP_WEB_SERVER_H
#define CALLBELL_APP_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct cb_web_config {
    const char *bind;       /* listen address */
    const char *root;       /* the built web board */
    const char *dir;        /* where lighttpd.conf and web.log go */
    int http_port;          /* page + ws:// over plain HTTP; 0 = none */
    int https_port;         /* page + wss:// over TLS; 0 = none */
    const char *cert, *key; /* for https_port */
    int mqtt_ws_port;       /* Mosquitto's WebSockets listener on 127.0.0.1 */
    bool log_to_stderr;     /* under systemd: the journal keeps lighttpd's errors */
} cb_web_config;

typedef struct cb_web {
    pid_t pid; /* 0 = not running */
    char exe[4096];
    char conf_path[4200];
    char log_path[4200];
    bool log_to_stderr;
    uint64_t started_ms, restart_at_ms;
} cb_web;

/* Finds Debian's lighttpd (PATH, /usr/sbin): 0, or -1 if it is not installed. */
int cb_web_find(char *exe, size_t cap);
/* Writes the config and starts lighttpd (not waiting for its ports). 0, or -1 with err. */
int cb_web_start(const cb_web_config *cfg, cb_web *w, char *err, size_t err_cap);
/* Has lighttpd exited? Fills err with the reason (its log's tail) if so. */
bool cb_web_exited(cb_web *w, char *err, size_t err_cap);
/* Starts it again with the config written before. 0 or -1 with err. */
int cb_web_restart(cb_web *w, char *err, size_t err_cap);
/* SIGTERM, and SIGKILL after 2 s. */
void cb_web_stop(cb_web *w);

#endif
