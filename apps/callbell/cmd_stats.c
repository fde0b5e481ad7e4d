/* cmd_stats.c - `callbell stats`: response times from the hub's history, asked of the
 * hub over MQTT (request/reply, docs/protocol.md), so it works from any machine. */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"
#include "when.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct presence_watch {
    char topic[CB_TOPIC_SIZE];
    cb_hub_presence hub;
} presence_watch;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    presence_watch *w = ctx;
    cb_cli_hub_message(msg, w->topic, &w->hub);
}

static void fmt(char *buf, size_t cap, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.1f", v->valuedouble);
    else
        snprintf(buf, cap, "-");
}

static int count_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : 0;
}

static void print_row(const char *label, const cJSON *o)
{
    char f[8][16];
    static const char *const keys[] = {"ack_p50_s", "ack_p90_s", "ack_max_s", "done_p50_s", "done_p90_s", "done_max_s"};
    for (int i = 0; i < 6; i++)
        fmt(f[i], sizeof f[i], o, keys[i]);
    printf("%-10s %8d %6d %6d %9d %8s %8s %8s %9s %9s %9s\n", label, count_of(o, "calls"), count_of(o, "acked"),
           count_of(o, "done"), count_of(o, "cancelled"), f[0], f[1], f[2], f[3], f[4], f[5]);
}

int cb_cmd_stats(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "stats");
    bool json = false;
    uint64_t since = 0;
    cb_parse_when("today", &since);
    static const struct option longopts[] = {
        {"since", required_argument, 0, 's'}, {"json", no_argument, 0, 'j'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: callbell stats [--since WHEN] [--json] [options]\n\n"
                   "Requests opened, acknowledged, done and cancelled, and the response times\n"
                   "(seconds) to acknowledge and to close them, per table and overall: p50, p90,\n"
                   "max. Asked of the running hub; exits 3 when no hub is online.\n\n"
                   "  --since WHEN   today (default), all, a date (2026-11-20) or a span back from\n"
                   "                 now (30m, 12h, 7d)\n"
                   "  --json         the hub's answer as JSON\n%s",
                   CB_COMMON_HELP);
            return 0;
        } else if (opt == 's') {
            if (cb_parse_when(optarg, &since) != 0) {
                cb_fail(&c, "bad --since '%s': want today, all, YYYY-MM-DD or a span like 30m, 12h, 7d", optarg);
                return 2;
            }
        } else if (opt == 'j') {
            json = true;
        } else if (cb_common_option(&c, opt, optarg) != 0) {
            return 2;
        }
    }
    if (cb_common_end(&c, argc, argv) != 0)
        return 2;
    presence_watch w = {.hub = CB_HUB_UNKNOWN};
    cb_mqtt_handlers h = {.ctx = &w, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-stats", &h);
    if (!m)
        return 1;
    int rc = 1;
    char reply[CB_TOPIC_SIZE];
    cJSON *root = NULL;
    if (cb_cli_watch_hub(&c, m, w.topic, sizeof w.topic) != 0 || cb_cli_reply_topic(&c, m, reply, sizeof reply) != 0)
        goto out;
    /* the reply topic is subscribed before the request goes out: fence first */
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (w.hub != CB_HUB_ONLINE) {
        cb_fail(&c, "hub offline: no hub serves site %s on this broker (start `callbell hub`)", c.site);
        rc = 3;
        goto out;
    }
    cb_query q = {.kind = CB_QUERY_STATS, .has_since = true, .since = since};
    cJSON *result = cb_cli_ask_hub(&c, m, reply, &q, &root);
    if (!cJSON_IsObject(result)) {
        if (result)
            cb_fail(&c, "the hub's answer has no statistics");
        goto out;
    }
    if (json) {
        char *text = cJSON_Print(result);
        if (text)
            puts(text);
        free(text);
    } else {
        printf("%-10s %8s %6s %6s %9s %8s %8s %8s %9s %9s %9s\n", "TABLE", "REQUESTS", "ACKED", "DONE", "CANCELLED",
               "ACK p50", "ACK p90", "ACK max", "DONE p50", "DONE p90", "DONE max");
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(result, "tables"))
        {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "table");
            print_row(cJSON_IsString(id) ? id->valuestring : "?", t);
        }
        print_row("all", cJSON_GetObjectItemCaseSensitive(result, "overall"));
    }
    rc = 0;
out:
    cJSON_Delete(root);
    cb_mqtt_close(m, NULL);
    return rc;
}
