/* cli_client.h - the short-lived MQTT client of the one-shot commands (press, ack,
 * done, calls, stats): connect or explain why not, and a private reply topic. */
#ifndef CALLBELL_APP_CLI_CLIENT_H
#define CALLBELL_APP_CLI_CLIENT_H

#include "common.h"
#include "mqtt_client.h"

#define CB_CLI_TIMEOUT_MS 5000

/* Connects (clean session, quiet). On failure prints the reason and returns NULL. */
cb_mqtt *cb_cli_connect(const cb_common *c, const char *prefix, const cb_mqtt_handlers *h);
/* callbell/<site>/reply/<client id>: subscribed, for fences and hub replies. */
int cb_cli_reply_topic(const cb_common *c, cb_mqtt *m, char *topic, size_t cap);

#endif
