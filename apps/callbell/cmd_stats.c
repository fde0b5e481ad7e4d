/* cmd_stats.c - `callbell stats`: response times from the hub's history, asked of the
 * hub over MQTT (request/reply, docs/protocol.md), so it works from any machine. */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct answer {
    char topic[CB_TOPIC_SIZE];
    char id[16];
    cJSON *reply;
} answer;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    answer *a = ctx;
    if (a->reply || strcmp(msg->topic, a->topic) != 0 || msg->payloadlen <= 0)
        return;
    cJSON *r = cJSON_ParseWithLength(msg->payload, (size_t)msg->payloadlen);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
    if (cJSON_IsString(id) && strcmp(id->valuestring, a->id) == 0)
        a->reply = r;
    else
        cJSON_Delete(r);
}

/* "today", "all", "2026-11-20", or a duration back from now: 30m, 12h, 7d. */
static int parse_since(const char *s, uint64_t *out)
{
    time_t now = time(NULL);
    struct tm tm;
    if (strcmp(s, "all") == 0) {
        *out = 0;
        return 0;
    }
    if (strcmp(s, "today") == 0) {
        localtime_r(&now, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        *out = (uint64_t)mktime(&tm) * 1000u;
        return 0;
    }
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (end != s && s[0] != '-' && end[0] && !end[1] && strchr("mhd", end[0])) {
        uint64_t unit = end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;
        uint64_t back = (uint64_t)n * unit * 1000u, nowms = cb_wall_ms();
        *out = back < nowms ? nowms - back : 0;
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%d", &tm);
    if (end && !*end) {
        tm.tm_isdst = -1;
        *out = (uint64_t)mktime(&tm) * 1000u;
        return 0;
    }
    return -1;
}

static void fmt(char *buf, size_t cap, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.1f", v->valuedouble);
    else
        snprintf(buf, cap, "-");
}

static void print_row(const char *label, const cJSON *o)
{
    char f[8][16];
    static const char *const keys[] = {"ack_p50_s", "ack_p90_s", "ack_max_s", "done_p50_s", "done_p90_s", "done_max_s"};
    for (int i = 0; i < 6; i++)
        fmt(f[i], sizeof f[i], o, keys[i]);
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(o, "calls");
    printf("%-10s %6d %8s %8s %8s %9s %9s %9s\n", label, cJSON_IsNumber(calls) ? (int)calls->valuedouble : 0, f[0],
           f[1], f[2], f[3], f[4], f[5]);
}

int cb_cmd_stats(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "stats");
    bool json = false;
    uint64_t since = 0;
    parse_since("today", &since);
    static const struct option longopts[] = {
        {"since", required_argument, 0, 's'}, {"json", no_argument, 0, 'j'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: callbell stats [--since WHEN] [--json] [options]\n\n"
                   "Response times (seconds) to acknowledge and to close calls, per table and overall:\n"
                   "count, p50, p90, max. Asked of the running hub.\n\n"
                   "  --since WHEN   today (default), all, a date (2026-11-20) or a span back from\n"
                   "                 now (30m, 12h, 7d)\n"
                   "  --json         the hub's answer as JSON\n%s",
                   CB_COMMON_HELP);
            return 0;
        } else if (opt == 's') {
            if (parse_since(optarg, &since) != 0) {
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
    answer a = {.reply = NULL};
    cb_mqtt_handlers h = {.ctx = &a, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-stats", &h);
    if (!m)
        return 1;
    int rc = 1;
    if (cb_cli_reply_topic(&c, m, a.topic, sizeof a.topic) != 0)
        goto out;
    snprintf(a.id, sizeof a.id, "s%llu", (unsigned long long)(cb_mono_us() % 1000000000u));
    char topic[CB_TOPIC_SIZE], req[CB_PAYLOAD_SIZE];
    cb_topic_build(CB_TOPIC_HUB_REQUEST, c.site, NULL, topic, sizeof topic);
    snprintf(req, sizeof req, "{\"v\":1,\"id\":\"%s\",\"query\":\"stats\",\"since\":%llu,\"reply_to\":\"%s\"}", a.id,
             (unsigned long long)since, a.topic);
    /* the reply topic is subscribed before the request goes out: fence first */
    if (cb_mqtt_fence(m, a.topic, CB_CLI_TIMEOUT_MS) != 0 ||
        cb_mqtt_publish(m, topic, req, strlen(req), 1, false, NULL) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    uint64_t deadline = cb_mono_ms() + CB_CLI_TIMEOUT_MS;
    while (!a.reply && cb_mqtt_connected(m) && cb_mono_ms() < deadline)
        cb_mqtt_run(m, 50);
    if (!a.reply) {
        cb_fail(&c, "no answer from the hub within %d s (is `callbell hub` running for site %s?)",
                CB_CLI_TIMEOUT_MS / 1000, c.site);
        goto out;
    }
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(a.reply, "ok");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(a.reply, "result");
    if (!cJSON_IsTrue(ok) || !cJSON_IsObject(result)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(a.reply, "error");
        cb_fail(&c, "the hub says: %s", cJSON_IsString(e) ? e->valuestring : "error");
        goto out;
    }
    if (json) {
        char *text = cJSON_Print(result);
        if (text)
            puts(text);
        free(text);
    } else {
        printf("%-10s %6s %8s %8s %8s %9s %9s %9s\n", "TABLE", "CALLS", "ACK p50", "ACK p90", "ACK max", "DONE p50",
               "DONE p90", "DONE max");
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
    cJSON_Delete(a.reply);
    cb_mqtt_close(m, NULL);
    return rc;
}
