/* broker_launch.h - start Debian's Mosquitto with a generated configuration: the
 * MQTT listener, a WebSockets listener, and persistence in callbell's own data
 * directory; and the web board's page server (lighttpd, web_server.h) in front of
 * the WebSockets, http:// and with TLS https://. Used by `broker` and `demo`. */
#ifndef CALLBELL_APP_BROKER_LAUNCH_H
#define CALLBELL_APP_BROKER_LAUNCH_H

#include "web_server.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct cb_broker_config {
    const char *bind;          /* listen address, default 127.0.0.1 */
    int port;                  /* MQTT, default 1883 */
    int ws_port;               /* WebSockets + web board (http://), default 9001; 0 = none */
    const char *data_dir;      /* persistence, config and log */
    const char *http_dir;      /* web board files; NULL = built-in location */
    const char *password_file; /* mosquitto_passwd file: only its users may connect; NULL = anyone */
    const char *acl_file;      /* Mosquitto acl_file: what each user may read and write; NULL = all */
    bool username_is_clientid; /* use_username_as_clientid: a client id belongs to its credential */
    /* TLS (`--tls`): MQTT over TLS on tls_port, and WebSockets over TLS (WSS) with the
     * web board over https:// on wss_port, all with this certificate; 0 = none */
    int tls_port, wss_port;
    const char *tls_ca, *tls_cert, *tls_key;
} cb_broker_config;

typedef struct cb_broker {
    pid_t pid;
    char log_path[4200];
    bool web_served; /* the page on ws_port (http://) */
    bool page_tls;   /* the page on wss_port (https://) */
    char http_dir[4096];
    /* lighttpd serves the page and relays WebSockets to Mosquitto's listener on
     * 127.0.0.1:mqtt_ws_port; without lighttpd installed, Mosquitto's http_dir serves
     * the page (no MIME types, no https) as before */
    bool lighttpd;
    int mqtt_ws_port;
    cb_web web;
    unsigned long open_files; /* mosquitto's open-files limit (soft = hard); 0 = unlimited */
} cb_broker;

/* Raises the open-files soft limit to the hard one (each client is a descriptor),
 * writes the config, starts mosquitto and waits (up to 5 s) until it accepts
 * connections. 0, or -1 with err naming the problem (not installed, port in use...). */
int cb_broker_start(const cb_broker_config *cfg, cb_broker *b, char *err, size_t err_cap);
/* Has the broker (Mosquitto) exited? Fills err with the reason (log tail) if so, and
 * stops the page server too (a new cb_broker_start starts both). */
bool cb_broker_exited(cb_broker *b, char *err, size_t err_cap);
/* Restarts the page server if it died (at most every 2 s). True with a line for the
 * log in msg when there is something to say. Call it while the broker runs. */
bool cb_broker_web_watch(cb_broker *b, char *msg, size_t cap);
/* SIGTERM and wait (mosquitto saves its persistence file on the way out); the page
 * server first. */
void cb_broker_stop(cb_broker *b);
/* Makes the running broker re-read its password and ACL files (SIGHUP): connected
 * clients stay connected; one whose credential is gone is disconnected. 0 or -1. */
int cb_broker_reload(const cb_broker *b);
/* The default web board directory (build tree), or NULL. */
const char *cb_broker_default_http_dir(void);

#endif
