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

/* Whether a hub serves the site, from its retained hub/status (its will says offline). */
typedef enum cb_hub_presence { CB_HUB_UNKNOWN = 0, CB_HUB_OFFLINE, CB_HUB_ONLINE } cb_hub_presence;
/* Subscribes to callbell/<site>/hub/status; its topic goes to topic[cap]. */
int cb_cli_watch_hub(const cb_common *c, cb_mqtt *m, char *topic, size_t cap);
/* Updates *presence if msg is the hub/status message on `topic`; true if it was. */
bool cb_cli_hub_message(const struct mosquitto_message *msg, const char *topic, cb_hub_presence *presence);

/* Asks the hub `query` (its kind and since; id and reply_to are filled in here, see
 * docs/protocol.md "request / reply") and waits for its answer: the reply topic must
 * be subscribed and fenced. Returns the reply's "result" (the caller frees *root with
 * cJSON_Delete), or NULL after printing why. */
struct cJSON;
struct cJSON *cb_cli_ask_hub(const cb_common *c, cb_mqtt *m, const char *reply_topic, const cb_query *query,
                             struct cJSON **root);

#endif
