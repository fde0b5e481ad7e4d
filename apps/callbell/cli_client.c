#include "cli_client.h"

#include <stdio.h>

cb_mqtt *cb_cli_connect(const cb_common *c, const char *prefix, const cb_mqtt_handlers *h)
{
    char err[600];
    cb_mqtt_options o = {.id_prefix = prefix, .clean_session = true, .keepalive_s = 30, .quiet = true};
    cb_mqtt *m = cb_mqtt_open(&c->broker, &o, h, err, sizeof err);
    if (!m) {
        cb_fail(c, "%s", err);
        return NULL;
    }
    if (cb_mqtt_connect(m, CB_CLI_TIMEOUT_MS, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        cb_mqtt_close(m, NULL);
        return NULL;
    }
    return m;
}

int cb_cli_reply_topic(const cb_common *c, cb_mqtt *m, char *topic, size_t cap)
{
    if (cb_topic_build(CB_TOPIC_REPLY, c->site, cb_mqtt_client_id(m), topic, cap) != CB_OK ||
        cb_mqtt_subscribe(m, topic, 1) != 0) {
        cb_fail(c, "cannot subscribe to %s", topic);
        return -1;
    }
    return 0;
}
