/* cmd_report.c - `callbell report`: the manager's numbers (requests, acknowledged,
 * done, cancelled; p50/p90/max to acknowledge and to done) over a window, grouped by
 * table, kind, staff, hour or day. The hub computes them (request "report",
 * docs/protocol.md); the web board's reports view asks the same question and its CSV
 * download is this command's --csv, byte for byte (tests/web/reports.test.mjs). */
#include "cli_client.h"
#include "commands.h"
#include "when.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct presence_watch {
    char topic[CB_TOPIC_SIZE];
    cb_hub_presence hub;
} presence_watch;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    presence_watch *w = ctx;
    cb_cli_hub_message(msg, w->topic, &w->hub);
}

/* The columns after the key, in the order of the CSV header. */
static const char *const count_keys[] = {"calls", "acked", "done", "cancelled"};
static const char *const figure_keys[] = {"ack_p50_s",  "ack_p90_s",  "ack_max_s",
                                          "done_p50_s", "done_p90_s", "done_max_s"};
#define N_COUNTS (sizeof count_keys / sizeof count_keys[0])
#define N_FIGURES (sizeof figure_keys / sizeof figure_keys[0])

static long long count_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* One decimal, as the hub rounded it; `none` when there was no sample (null). */
static void figure(char *buf, size_t cap, const cJSON *o, const char *key, const char *none)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.1f", v->valuedouble);
    else
        snprintf(buf, cap, "%s", none);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a text
 * starting with = + - @ gets a leading ' so a spreadsheet does not run it as a
 * formula (a staff name is anyone's to choose). web/src/reports-model.js: csvField. */
static void csv_field(const char *s)
{
    bool formula = strchr("=+-@", s[0]) != NULL && s[0] != '\0';
    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    if (formula)
        putchar('\'');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_row(const char *group, const char *key, const cJSON *o)
{
    csv_field(group);
    putchar(',');
    csv_field(key);
    for (size_t i = 0; i < N_COUNTS; i++)
        printf(",%lld", count_of(o, count_keys[i]));
    for (size_t i = 0; i < N_FIGURES; i++) {
        char f[32];
        figure(f, sizeof f, o, figure_keys[i], "");
        printf(",%s", f);
    }
    putchar('\n');
}

static void text_row(const char *label, const cJSON *o)
{
    char f[N_FIGURES][32];
    for (size_t i = 0; i < N_FIGURES; i++)
        figure(f[i], sizeof f[i], o, figure_keys[i], "-");
    printf("%-20s %8lld %6lld %6lld %9lld %8s %8s %8s %9s %9s %9s\n", label, count_of(o, "calls"), count_of(o, "acked"),
           count_of(o, "done"), count_of(o, "cancelled"), f[0], f[1], f[2], f[3], f[4], f[5]);
}

static const char *group_label(const char *by, const char *key)
{
    if (strcmp(by, "staff") == 0 && key[0] == '\0')
        return "(not acknowledged)";
    if (strcmp(by, "section") == 0 && key[0] == '\0')
        return "(no section)";
    return key;
}

static void print_report(const cJSON *result, const char *by, bool csv)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(result, "groups");
    const cJSON *overall = cJSON_GetObjectItemCaseSensitive(result, "overall");
    const cJSON *g;
    if (csv) {
        printf("group,key,requests,acknowledged,done,cancelled,ack_p50_s,ack_p90_s,ack_max_s,"
               "done_p50_s,done_p90_s,done_max_s\n");
    } else {
        char head[16];
        snprintf(head, sizeof head, "%s", by[0] ? by : "");
        for (char *p = head; *p; p++)
            *p = (char)(*p - 'a' + 'A');
        printf("%-20s %8s %6s %6s %9s %8s %8s %8s %9s %9s %9s\n", head, "REQUESTS", "ACKED", "DONE", "CANCELLED",
               "ACK p50", "ACK p90", "ACK max", "DONE p50", "DONE p90", "DONE max");
    }
    cJSON_ArrayForEach(g, groups)
    {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(g, "key");
        const char *k = cJSON_IsString(key) ? key->valuestring : "?";
        if (csv)
            csv_row(by, k, g);
        else
            text_row(group_label(by, k), g);
    }
    if (csv)
        csv_row("all", "", overall);
    else
        text_row("all", overall);
}

static void usage(void)
{
    printf("usage: callbell report [--since WHEN] [--until WHEN] [--by GROUP] [--csv|--json] [options]\n\n"
           "Requests opened, acknowledged, done and cancelled, and the response times\n"
           "(seconds, from the first press) to acknowledge and to done: p50, p90, max.\n"
           "Computed by the running hub from its history; exits 3 when no hub is online.\n"
           "The web board's reports view shows the same numbers.\n\n"
           "  --since WHEN   requests first pressed at or after WHEN: today (default), all,\n"
           "                 a date (2026-11-20, its midnight in local time), or a span back\n"
           "                 from now (30m, 12h, 7d)\n"
           "  --until WHEN   ... and before WHEN (same forms, and now); default: no end\n"
           "  --by GROUP     a line per table, kind, staff (who acknowledged first), hour\n"
           "                 (of the day, 00-23) or day, in the hub's local time, or\n"
           "                 section (the site file's [sections] as the hub has it now);\n"
           "                 then all\n"
           "  --csv          CSV: group,key,requests,acknowledged,done,cancelled, then\n"
           "                 ack_p50_s,ack_p90_s,ack_max_s,done_p50_s,done_p90_s,done_max_s\n"
           "                 (empty without a sample); the last line is group 'all'\n"
           "  --json         the hub's answer as JSON\n%s",
           CB_COMMON_HELP);
}

typedef struct report_args {
    cb_query q;
    bool csv, json;
} report_args;

/* 0, 1 after --help, 2 after a usage error. */
static int parse_args(cb_common *c, int argc, char **argv, report_args *a)
{
    static const struct option longopts[] = {{"since", required_argument, 0, 's'},
                                             {"until", required_argument, 0, 'u'},
                                             {"by", required_argument, 0, 'b'},
                                             {"csv", no_argument, 0, 'c'},
                                             {"json", no_argument, 0, 'j'},
                                             CB_COMMON_OPTIONS,
                                             {0, 0, 0, 0}};
    a->q.kind = CB_QUERY_REPORT;
    a->q.has_since = true;
    cb_parse_when("today", &a->q.since);
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            usage();
            return 1;
        } else if (opt == 's' || opt == 'u') {
            uint64_t *at = opt == 's' ? &a->q.since : &a->q.until;
            if (cb_parse_when(optarg, at) != 0) {
                cb_fail(c, "bad --%s '%s': want today, all, now, YYYY-MM-DD or a span like 30m, 12h, 7d",
                        opt == 's' ? "since" : "until", optarg);
                return 2;
            }
            a->q.has_until = a->q.has_until || opt == 'u';
        } else if (opt == 'b') {
            if (cb_report_by_parse(optarg, &a->q.by) != CB_OK) {
                cb_fail(c, "bad --by '%s': want table, kind, staff, hour, day or section", optarg);
                return 2;
            }
        } else if (opt == 'c' || opt == 'j') {
            *(opt == 'c' ? &a->csv : &a->json) = true;
        } else if (cb_common_option(c, opt, optarg) != 0) {
            return 2;
        }
    }
    if (a->csv && a->json) {
        cb_fail(c, "--csv and --json exclude each other");
        return 2;
    }
    if (a->q.has_until && a->q.until <= a->q.since) {
        cb_fail(c, "--until must be later than --since");
        return 2;
    }
    return cb_common_end(c, argc, argv);
}

int cb_cmd_report(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "report");
    report_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(&c, argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    presence_watch w = {.hub = CB_HUB_UNKNOWN};
    cb_mqtt_handlers h = {.ctx = &w, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-report", &h);
    if (!m)
        return 1;
    rc = 1;
    char reply[CB_TOPIC_SIZE];
    cJSON *root = NULL;
    if (cb_cli_watch_hub(&c, m, w.topic, sizeof w.topic) != 0 || cb_cli_reply_topic(&c, m, reply, sizeof reply) != 0)
        goto out;
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (w.hub != CB_HUB_ONLINE) {
        cb_fail(&c, "hub offline: no hub serves site %s on this broker (start `callbell hub`)", c.site);
        rc = 3;
        goto out;
    }
    cJSON *result = cb_cli_ask_hub(&c, m, reply, &a.q, &root);
    if (!cJSON_IsObject(result) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(result, "overall"))) {
        if (result)
            cb_fail(&c, "the hub's answer has no report (is the hub older than this command?)");
        goto out;
    }
    if (a.json) {
        char *text = cJSON_Print(result);
        if (text)
            puts(text);
        free(text);
    } else {
        const char *by = "";
        cb_report_by_name(a.q.by, &by);
        print_report(result, by, a.csv);
    }
    rc = 0;
out:
    cJSON_Delete(root);
    cb_mqtt_close(m, NULL);
    return rc;
}
