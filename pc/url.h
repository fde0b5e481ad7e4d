/* url.h - broker URLs: mqtt://[user[:pass]@]host[:port], mqtts://... (TLS).
 * IPv6 literals in brackets: mqtt://[::1]:1883. Default ports 1883 / 8883. User and
 * password may use %XX escapes (p%40ss is p@ss). */
#ifndef CALLBELL_PC_URL_H
#define CALLBELL_PC_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cb_url {
    char host[256];
    int port;
    bool tls;
    char user[128];
    char pass[128];
} cb_url;

/* Returns 0 and fills *out, or -1 with a message naming the problem in err. */
int cb_url_parse(const char *text, cb_url *out, char *err, size_t err_cap);

/* The URL a user should see (no password). */
void cb_url_format(const cb_url *url, char *buf, size_t cap);

#endif
