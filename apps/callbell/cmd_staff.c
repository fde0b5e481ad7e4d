/* cmd_staff.c - `callbell ack TABLE` and `callbell done TABLE`: a staff command,
 * confirmed by the hub's new retained state before the command exits 0. */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct watch {
    char topic[CB_TOPIC_SIZE];
    bool have;
    cb_state state;
} watch;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    watch *w = ctx;
    if (strcmp(msg->topic, w->topic) == 0 && msg->payloadlen > 0 &&
        cb_state_decode(msg->payload, (size_t)msg->payloadlen, &w->state) == CB_OK)
        w->have = true;
}

static bool confirmed(const watch *w, cb_action action, const cb_cmd *cmd)
{
    if (action == CB_ACTION_ACK)
        return w->state.call == cmd->call && w->state.status == CB_ACKNOWLEDGED &&
               strcmp(w->state.acked_by, cmd->by) == 0;
    return w->state.call != cmd->call || w->state.status == CB_IDLE;
}

static int run(int argc, char **argv, cb_action action)
{
    const char *name = action == CB_ACTION_ACK ? "ack" : "done";
    cb_common c;
    cb_common_init(&c, name);
    cb_cmd cmd = {.action = action, .has_call = true};
    const char *user = getenv("USER");
    snprintf(cmd.by, sizeof cmd.by, "%s", user && user[0] ? user : "staff");
    static const struct option longopts[] = {{"by", required_argument, 0, 'b'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: callbell %s TABLE [--by NAME] [options]\n\n%s TABLE's open call and waits until the hub "
                   "confirms it.\n\n  --by NAME      staff name (default $USER)\n%s",
                   name, action == CB_ACTION_ACK ? "Acknowledges" : "Closes", CB_COMMON_HELP);
            return 0;
        } else if (opt == 'b') {
            if (strlen(optarg) < 1 || strlen(optarg) > CB_NAME_MAX) {
                cb_fail(&c, "--by must be 1-%d bytes", CB_NAME_MAX);
                return 2;
            }
            snprintf(cmd.by, sizeof cmd.by, "%s", optarg);
        } else if (cb_common_option(&c, opt, optarg) != 0) {
            return 2;
        }
    }
    const char *table;
    char example[32];
    snprintf(example, sizeof example, "callbell %s 3", name);
    int rc = cb_common_end_table(&c, argc, argv, example, &table);
    if (rc != 0)
        return rc;

    watch w = {.have = false};
    cb_topic_build(CB_TOPIC_STATE, c.site, table, w.topic, sizeof w.topic);
    cb_mqtt_handlers h = {.ctx = &w, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-staff", &h);
    if (!m)
        return 1;
    char reply[CB_TOPIC_SIZE];
    rc = 1;
    if (cb_mqtt_subscribe(m, w.topic, 1) != 0 || cb_cli_reply_topic(&c, m, reply, sizeof reply) != 0)
        goto out;
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (!w.have) {
        cb_fail(&c,
                "table %s is unknown on site %s (no state from a hub; is the hub running with this table "
                "in --tables?)",
                table, c.site);
        goto out;
    }
    if (w.state.status == CB_IDLE) {
        cb_fail(&c, "table %s has no open call", table);
        goto out;
    }
    cmd.call = w.state.call;
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    cb_topic_build(CB_TOPIC_CMD, c.site, table, topic, sizeof topic);
    if (cb_cmd_encode(&cmd, payload, sizeof payload, &len) != CB_OK) {
        cb_fail(&c, "--by '%s' is not a valid staff name", cmd.by);
        rc = 2;
        goto out;
    }
    if (cb_mqtt_publish(m, topic, payload, len, 1, false, NULL) != 0) {
        cb_fail(&c, "lost the broker while sending");
        goto out;
    }
    uint64_t deadline = cb_mono_ms() + CB_CLI_TIMEOUT_MS;
    while (!confirmed(&w, action, &cmd) && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    if (!confirmed(&w, action, &cmd)) {
        cb_fail(&c, "the hub did not confirm within %d s (is `callbell hub` running for site %s?)",
                CB_CLI_TIMEOUT_MS / 1000, c.site);
        goto out;
    }
    const char *kind = "call";
    cb_kind_name(w.state.kind, &kind);
    if (action == CB_ACTION_ACK)
        printf("table %s: call %llu (%s button) acknowledged by %s\n", table, (unsigned long long)cmd.call, kind,
               cmd.by);
    else
        printf("table %s: call %llu done\n", table, (unsigned long long)cmd.call);
    rc = 0;
out:
    cb_mqtt_close(m, NULL);
    return rc;
}

int cb_cmd_ack(int argc, char **argv)
{
    return run(argc, argv, CB_ACTION_ACK);
}

int cb_cmd_done(int argc, char **argv)
{
    return run(argc, argv, CB_ACTION_DONE);
}
