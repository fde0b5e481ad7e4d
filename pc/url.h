/* url.h - broker URLs: mqtt://[user[:pass]@]host[:port], mqtts://... (TLS).
 * IPv6 literals in brackets: mqtt://[::1]:1883. Default ports 1883 / 8883. User and
 * password may use %XX escapes (p%40ss is p@ss). */
#ifndef CALLBELL_PC_URL_H
#define CALLBELL_PC_URL_H

#include <stdbool.h>
#include <stddef.h>

/* MQTT protocol version asked for (--mqtt): auto = 5, and 3.1.1 when the broker
 * refuses 5. Not part of the URL text: cb_url_parse leaves it auto. */
typedef enum cb_mqtt_version { CB_MQTT_AUTO = 0, CB_MQTT_3 = 3, CB_MQTT_5 = 5 } cb_mqtt_version;

typedef struct cb_url {
    char host[256];
    int port;
    bool tls;
    char user[128];
    char pass[128];
    cb_mqtt_version mqtt;
} cb_url;

/* "3", "5" or "auto" into *out: 0, or -1. */
int cb_mqtt_version_parse(const char *text, cb_mqtt_version *out);

/* Returns 0 and fills *out, or -1 with a message naming the problem in err. */
int cb_url_parse(const char *text, cb_url *out, char *err, size_t err_cap);

/* An http:// or https:// URL with something after the scheme and no space or
 * control character (what `callbell notify` posts to: --ntfy, --webhook, [notify]). */
bool cb_http_url_ok(const char *s);

/* The URL a user should see (no password). */
void cb_url_format(const cb_url *url, char *buf, size_t cap);

#endif
