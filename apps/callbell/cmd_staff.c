/* cmd_staff.c - `callbell ack TABLE` and `callbell done TABLE`: staff commands for
 * one request of a table (--kind) or all of its open requests, confirmed by the
 * hub's answer to each command before the command exits 0.
 *
 * Every command names its request by id (`call`), taken from the table's retained
 * state: a command that waits in the broker while the hub is down applies when the
 * hub returns only if that request is still open; otherwise the hub drops it as
 * stale, so it can never close a newer request the guest made meanwhile. */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct watch {
    char topic[CB_TOPIC_SIZE];
    char hub_topic[CB_TOPIC_SIZE];
    char reply_topic[CB_TOPIC_SIZE];
    cb_hub_presence hub;
    bool have;
    cb_state state;
    uint32_t answered, refused; /* the hub's answers to our commands */
    cb_cmd_reply refusal;       /* the first refusal */
} watch;

/* The requests a command acts on, by id. */
typedef struct targets {
    uint32_t n;
    cb_request r[CB_REQUEST_MAX];
} targets;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    watch *w = ctx;
    if (cb_cli_hub_message(msg, w->hub_topic, &w->hub))
        return;
    cb_cmd_reply r;
    if (strcmp(msg->topic, w->reply_topic) == 0 && msg->payloadlen > 0 &&
        cb_cmd_reply_decode(msg->payload, (size_t)msg->payloadlen, &r) == CB_OK) {
        w->answered++;
        if (!r.ok && w->refused++ == 0)
            w->refusal = r;
        return;
    }
    if (strcmp(msg->topic, w->topic) == 0 && msg->payloadlen > 0 &&
        cb_state_decode(msg->payload, (size_t)msg->payloadlen, &w->state) == CB_OK)
        w->have = true;
}

static bool confirmed(const watch *w, const targets *t)
{
    return w->answered >= t->n;
}

static void pick(const cb_state *s, const cb_cmd *cmd, targets *t)
{
    t->n = 0;
    for (uint32_t i = 0; i < s->n_requests; i++)
        if (!cmd->has_kind || s->requests[i].kind == cmd->kind)
            t->r[t->n++] = s->requests[i];
}

static int send_all(const cb_common *c, cb_mqtt *m, const char *table, cb_cmd cmd, const targets *t)
{
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    cb_topic_build(CB_TOPIC_CMD, c->site, table, topic, sizeof topic);
    for (uint32_t i = 0; i < t->n; i++) {
        cmd.has_call = true;
        cmd.call = t->r[i].call;
        cmd.has_kind = true;
        cmd.kind = t->r[i].kind;
        if (cb_cmd_encode(&cmd, payload, sizeof payload, &len) != CB_OK ||
            cb_mqtt_publish(m, topic, payload, len, 1, false, NULL) != 0) {
            cb_fail(c, "lost the broker while sending");
            return -1;
        }
    }
    return 0;
}

static void report(const char *table, const cb_cmd *cmd, const targets *t, bool waiting)
{
    for (uint32_t i = 0; i < t->n; i++) {
        const char *kind = "call";
        cb_kind_name(t->r[i].kind, &kind);
        unsigned long long id = (unsigned long long)t->r[i].call;
        if (waiting)
            printf("table %s: the %s of its %s request %llu waits in the broker for the hub (offline); it applies "
                   "when the hub returns if that request is still open\n",
                   table, cmd->action == CB_ACTION_ACK ? "ack" : "done", kind, id);
        else if (cmd->action == CB_ACTION_ACK)
            printf("table %s: %s request %llu acknowledged by %s\n", table, kind, id, cmd->by);
        else
            printf("table %s: %s request %llu done\n", table, kind, id);
    }
}

static int parse(int argc, char **argv, cb_common *c, cb_cmd *cmd, const char *name, const char **table)
{
    const char *user = getenv("USER");
    snprintf(cmd->by, sizeof cmd->by, "%s", user && user[0] ? user : "staff");
    static const struct option longopts[] = {
        {"by", required_argument, 0, 'b'}, {"kind", required_argument, 0, 'k'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: callbell %s TABLE [--kind call|bill|water] [--by NAME] [options]\n\n"
                   "%s TABLE's open request of --kind, or all of its open requests, and waits\n"
                   "until the hub confirms. With the hub offline the command waits in the broker\n"
                   "and applies when the hub returns, if that request is still open.\n\n"
                   "  --kind K       only the request of this kind\n"
                   "  --by NAME      staff name (default $USER)\n%s",
                   name, cmd->action == CB_ACTION_ACK ? "Acknowledges" : "Closes", CB_COMMON_HELP);
            return 1;
        } else if (opt == 'b') {
            cb_status st = cb_name_check(optarg, strlen(optarg));
            if (st != CB_OK) {
                cb_fail(c,
                        "bad --by '%s': a staff name is 1-%d bytes of text, no control characters, no "
                        "leading or trailing space",
                        optarg, CB_NAME_MAX);
                return 2;
            }
            snprintf(cmd->by, sizeof cmd->by, "%s", optarg);
        } else if (opt == 'k') {
            if (cb_kind_parse(optarg, strlen(optarg), &cmd->kind) != CB_OK || cmd->kind == CB_KIND_CANCEL) {
                cb_fail(c, "bad --kind '%s': want call, bill or water", optarg);
                return 2;
            }
            cmd->has_kind = true;
        } else if (cb_common_option(c, opt, optarg) != 0) {
            return 2;
        }
    }
    if (cb_name_check(cmd->by, strlen(cmd->by)) != CB_OK) {
        cb_fail(c, "$USER '%s' is not a valid staff name: give --by NAME", cmd->by);
        return 2;
    }
    char example[32];
    snprintf(example, sizeof example, "callbell %s 3", name);
    return cb_common_end_table(c, argc, argv, example, table);
}

static int run(int argc, char **argv, cb_action action)
{
    const char *name = action == CB_ACTION_ACK ? "ack" : "done";
    cb_common c;
    cb_common_init(&c, name);
    cb_cmd cmd = {.action = action};
    const char *table;
    int rc = parse(argc, argv, &c, &cmd, name, &table);
    if (rc != 0)
        return rc == 1 ? 0 : rc;

    watch w = {.have = false, .hub = CB_HUB_UNKNOWN};
    cb_topic_build(CB_TOPIC_STATE, c.site, table, w.topic, sizeof w.topic);
    cb_mqtt_handlers h = {.ctx = &w, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-staff", &h);
    if (!m)
        return 1;
    const char *reply = w.reply_topic;
    rc = 1;
    if (cb_mqtt_subscribe(m, w.topic, 1) != 0 || cb_cli_watch_hub(&c, m, w.hub_topic, sizeof w.hub_topic) != 0 ||
        cb_cli_reply_topic(&c, m, w.reply_topic, sizeof w.reply_topic) != 0)
        goto out;
    /* the hub answers each command on our reply topic */
    snprintf(cmd.from, sizeof cmd.from, "%s", cb_mqtt_client_id(m));
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (!w.have) {
        cb_fail(&c, "table %s is unknown on site %s (no state from a hub; is the hub running with this table?)", table,
                c.site);
        goto out;
    }
    targets t;
    pick(&w.state, &cmd, &t);
    if (t.n == 0) {
        const char *kind = "";
        if (cmd.has_kind)
            cb_kind_name(cmd.kind, &kind);
        cb_fail(&c, "table %s has no open %s%srequest", table, kind, cmd.has_kind ? " " : "");
        goto out;
    }
    if (send_all(&c, m, table, cmd, &t) != 0)
        goto out;
    if (w.hub != CB_HUB_ONLINE) {
        /* the broker handles a connection's packets in order: once the fence is back,
         * the commands are in the hub's persistent session */
        if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
            cb_fail(&c, "the broker did not take the command in time");
            goto out;
        }
        report(table, &cmd, &t, true);
        rc = 0;
        goto out;
    }
    uint64_t deadline = cb_mono_ms() + CB_CLI_TIMEOUT_MS;
    while (!confirmed(&w, &t) && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    if (w.refused) {
        cb_fail(&c, "the hub refused: %s (%s)", w.refusal.reason, w.refusal.error);
        goto out;
    }
    if (!confirmed(&w, &t)) {
        /* MQTT 3.1.1 acknowledges a publish its ACL drops: the silence is all we see */
        if (c.broker.user[0])
            cb_fail(&c,
                    "the hub did not confirm within %d s: not allowed? a broker that enforces roles drops "
                    "commands from a credential that is not staff (%s)",
                    CB_CLI_TIMEOUT_MS / 1000, c.broker.user);
        else
            cb_fail(&c, "the hub did not confirm within %d s", CB_CLI_TIMEOUT_MS / 1000);
        goto out;
    }
    report(table, &cmd, &t, false);
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
