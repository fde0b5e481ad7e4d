/* broker_tls.h - `callbell broker --tls`: a local certificate authority and a server
 * certificate for this machine's names and addresses, made with the openssl command
 * (as Mosquitto's own TLS docs do), kept in a directory of their own and reused:
 * phones trust the CA once. A new server certificate is made when the machine's names
 * or addresses change. */
#ifndef CALLBELL_APP_BROKER_TLS_H
#define CALLBELL_APP_BROKER_TLS_H

#include <stddef.h>

typedef struct cb_broker_tls {
    char ca[4200];    /* ca.pem: what clients trust (CALLBELL_CA_FILE, phones, firmware) */
    char cert[4200];  /* server.pem */
    char key[4200];   /* server.key, 0600 */
    char names[1024]; /* the subjectAltName it covers, for the log */
} cb_broker_tls;

/* Makes (or reuses) ca.pem/ca.key and server.pem/server.key in `dir` (created 0700).
 * 0, or -1 with err naming what failed (openssl missing, a command's error). */
int cb_broker_tls_prepare(const char *dir, cb_broker_tls *out, char *err, size_t err_cap);

#endif
