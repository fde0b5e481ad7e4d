/* cmd_press.c - `callbell press TABLE`: one button press, as a device would send it. */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] = "usage: callbell press TABLE [--kind call|bill|water|cancel] [options]\n\n"
                           "Sends one press for TABLE (QoS 1) and waits for the hub's answer:\n"
                           "  exit 0  the hub stored it, or no hub is online and the broker holds it for the hub\n"
                           "  exit 1  the hub refused it (the reason is printed), or the broker did not take it\n\n"
                           "  --kind K       what the guest wants (default call)\n"
                           "  --device ID    device id to send as (default: this command's client id)\n"
                           "  --wait S       seconds to wait for the hub's answer (default 5)\n" CB_COMMON_HELP;

typedef struct press_watch {
    char reply_topic[CB_TOPIC_SIZE];
    char hub_topic[CB_TOPIC_SIZE];
    cb_hub_presence hub;
    uint32_t boot, seq;
    bool answered;
    cb_press_reply answer;
} press_watch;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    press_watch *w = ctx;
    if (cb_cli_hub_message(msg, w->hub_topic, &w->hub) || strcmp(msg->topic, w->reply_topic) != 0 ||
        msg->payloadlen <= 0)
        return;
    cb_press_reply r;
    if (cb_press_reply_decode(msg->payload, (size_t)msg->payloadlen, &r) == CB_OK && r.boot == w->boot &&
        r.seq == w->seq) {
        w->answer = r;
        w->answered = true;
    }
}

static int parse(int argc, char **argv, cb_common *c, cb_kind *kind, const char **device, unsigned long *wait_s,
                 const char **table)
{
    static const struct option longopts[] = {{"kind", required_argument, 0, 'k'},
                                             {"device", required_argument, 0, 'D'},
                                             {"wait", required_argument, 0, 'w'},
                                             CB_COMMON_OPTIONS,
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(help, stdout);
            return 1;
        } else if (opt == 'k') {
            if (cb_kind_parse(optarg, strlen(optarg), kind) != CB_OK) {
                cb_fail(c, "bad --kind '%s': want call, bill, water or cancel", optarg);
                return 2;
            }
        } else if (opt == 'D') {
            if (cb_id_check(optarg) != CB_OK) {
                cb_fail(c, "bad --device '%s': use 1-32 characters of a-z 0-9 _ -", optarg);
                return 2;
            }
            *device = optarg;
        } else if (opt == 'w') {
            if (cb_parse_uint(c, "--wait", optarg, 600, wait_s) != 0)
                return 2;
        } else if (cb_common_option(c, opt, optarg) != 0) {
            return 2;
        }
    }
    return cb_common_end_table(c, argc, argv, "callbell press 3", table);
}

/* Sends the press; 0 once the broker has it (PUBACK). */
static int send_press(const cb_common *c, cb_mqtt *m, const char *table, const cb_press *p)
{
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    int mid;
    if (cb_topic_build(CB_TOPIC_PRESS, c->site, table, topic, sizeof topic) != CB_OK ||
        cb_press_encode(p, payload, sizeof payload, &len) != CB_OK ||
        cb_mqtt_publish(m, topic, payload, len, 1, false, &mid) != 0) {
        cb_fail(c, "cannot send the press");
        return -1;
    }
    if (cb_mqtt_wait_puback(m, mid, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(c, "the broker did not acknowledge the press within %d s", CB_CLI_TIMEOUT_MS / 1000);
        return -1;
    }
    return 0;
}

int cb_cmd_press(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "press");
    cb_kind kind = CB_KIND_CALL;
    const char *device = NULL, *table = NULL;
    unsigned long wait_s = 5;
    int rc = parse(argc, argv, &c, &kind, &device, &wait_s, &table);
    if (rc != 0)
        return rc == 1 ? 0 : rc;

    press_watch w = {.hub = CB_HUB_UNKNOWN};
    cb_mqtt_handlers h = {.ctx = &w, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-press", &h);
    if (!m)
        return 1;
    cb_press p;
    memset(&p, 0, sizeof p);
    snprintf(p.device, sizeof p.device, "%s", device ? device : cb_mqtt_client_id(m));
    /* a fresh boot per invocation: (device, boot, seq) stays unique without a file */
    p.boot = w.boot = cb_random_u32();
    p.seq = w.seq = 1;
    p.kind = kind;
    /* this machine's clock dates the press, so a press the broker holds while the hub
     * is down is dated when it was made (the hub clamps it to a day back at most) */
    p.has_sent_at = true;
    p.sent_at = cb_wall_ms();
    cb_press_text(table, kind, p.text, sizeof p.text);
    rc = 1;
    if (cb_topic_build(CB_TOPIC_REPLY, c.site, p.device, w.reply_topic, sizeof w.reply_topic) != CB_OK ||
        cb_mqtt_subscribe(m, w.reply_topic, 1) != 0 || cb_cli_watch_hub(&c, m, w.hub_topic, sizeof w.hub_topic) != 0)
        goto out;
    if (cb_mqtt_fence(m, w.reply_topic, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (send_press(&c, m, table, &p) != 0)
        goto out;
    if (w.hub != CB_HUB_ONLINE) {
        printf("%s: held by the broker for the hub (no hub online for site %s); it is stored when the hub "
               "returns\n",
               p.text, c.site);
        rc = 0;
        goto out;
    }
    uint64_t deadline = cb_mono_ms() + wait_s * 1000u;
    while (!w.answered && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    if (!w.answered) {
        printf("%s: held by the broker; the hub did not answer within %lu s\n", p.text, wait_s);
        /* MQTT 3.1.1 acknowledges a publish its ACL drops: the silence is all we see */
        if (c.broker.user[0])
            printf("(a broker that enforces roles drops a press for a table this credential, %s, is not "
                   "registered for: see `callbell device list`)\n",
                   c.broker.user);
        rc = 0;
    } else if (!w.answer.ok) {
        cb_fail(&c, "%s (%s)", w.answer.reason, w.answer.error);
    } else {
        printf("%s: stored by the hub (request %llu)\n", p.text, (unsigned long long)w.answer.call);
        rc = 0;
    }
out:
    cb_mqtt_close(m, NULL);
    return rc;
}
