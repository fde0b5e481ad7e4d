/* broker_launch.h - start Debian's Mosquitto with a generated configuration: the
 * MQTT listener, a WebSockets listener serving the web board (http_dir), and
 * persistence in callbell's own data directory. Used by `broker` and `demo`. */
#ifndef CALLBELL_APP_BROKER_LAUNCH_H
#define CALLBELL_APP_BROKER_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct cb_broker_config {
    const char *bind;          /* listen address, default 127.0.0.1 */
    int port;                  /* MQTT, default 1883 */
    int ws_port;               /* WebSockets + web board, default 9001; 0 = none */
    const char *data_dir;      /* persistence, config and log */
    const char *http_dir;      /* web board files; NULL = built-in location */
    const char *password_file; /* mosquitto_passwd file: only its users may connect; NULL = anyone */
} cb_broker_config;

typedef struct cb_broker {
    pid_t pid;
    char log_path[4200];
    bool web_served;
    char http_dir[4096];
    unsigned long open_files; /* mosquitto's open-files limit (soft = hard); 0 = unlimited */
} cb_broker;

/* Raises the open-files soft limit to the hard one (each client is a descriptor),
 * writes the config, starts mosquitto and waits (up to 5 s) until it accepts
 * connections. 0, or -1 with err naming the problem (not installed, port in use...). */
int cb_broker_start(const cb_broker_config *cfg, cb_broker *b, char *err, size_t err_cap);
/* Has the broker exited? Fills err with the reason (log tail) if so. */
bool cb_broker_exited(cb_broker *b, char *err, size_t err_cap);
/* SIGTERM and wait (mosquitto saves its persistence file on the way out). */
void cb_broker_stop(cb_broker *b);
/* The default web board directory (build tree), or NULL. */
const char *cb_broker_default_http_dir(void);

#endif
