/* cmd_calls.c - `callbell calls`: the open requests now, asked of the hub (the one
 * authority), never scraped from retained states that may be stale or incomplete.
 * With no hub online it says so and exits 3. */
#include "cli_client.h"
#include "commands.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_HUB_OFFLINE 3

static const char help[] =
    "usage: callbell calls [--json] [options]\n\n"
    "Lists the open requests, asked of the running hub: unanswered ones first, oldest\n"
    "first, then acknowledged ones. A table has one request per kind (call, bill, water).\n"
    "Exits 3 with \"hub offline\" when no hub serves the site.\n\n"
    "  --json         a JSON array of {table, kind, call, status, count, repeats, pressed_at,\n"
    "                 waiting_s, acked_by, acked_at}; acked_by is \"\" unless acknowledged\n" CB_COMMON_HELP;

typedef struct presence_watch {
    char topic[CB_TOPIC_SIZE];
    cb_hub_presence hub;
} presence_watch;

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    presence_watch *w = ctx;
    cb_cli_hub_message(msg, w->topic, &w->hub);
}

static const char *text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_text(const cJSON *calls)
{
    if (cJSON_GetArraySize(calls) == 0) {
        puts("no open requests");
        return;
    }
    printf("%-10s %-6s %8s %-13s %8s %7s  %s\n", "TABLE", "KIND", "REQUEST", "STATUS", "WAITING", "REPEATS",
           "ACKED BY");
    const cJSON *o;
    cJSON_ArrayForEach(o, calls)
    {
        unsigned w = (unsigned)number(o, "waiting_s");
        const char *by = text(o, "acked_by");
        printf("%-10s %-6s %8.0f %-13s %5u:%02u %7.0f  %s\n", text(o, "table"), text(o, "kind"), number(o, "call"),
               text(o, "status"), w / 60, w % 60, number(o, "repeats"), by[0] ? by : "-");
    }
}

int cb_cmd_calls(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "calls");
    bool json = false;
    static const struct option longopts[] = {{"json", no_argument, 0, 'j'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(help, stdout);
            return 0;
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
    cb_mqtt *m = cb_cli_connect(&c, "cb-calls", &h);
    if (!m)
        return 1;
    char reply[CB_TOPIC_SIZE];
    cJSON *root = NULL;
    int rc = 1;
    if (cb_cli_watch_hub(&c, m, w.topic, sizeof w.topic) != 0 || cb_cli_reply_topic(&c, m, reply, sizeof reply) != 0)
        goto out;
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (w.hub != CB_HUB_ONLINE) {
        cb_fail(&c,
                "hub offline: no hub serves site %s on this broker, so the open requests are not known "
                "(start `callbell hub`)",
                c.site);
        rc = EXIT_HUB_OFFLINE;
        goto out;
    }
    cb_query q = {.kind = CB_QUERY_CALLS};
    cJSON *calls = cb_cli_ask_hub(&c, m, reply, &q, &root);
    if (!calls)
        goto out;
    if (json) {
        char *t = cJSON_Print(calls);
        if (t)
            puts(t);
        free(t);
    } else {
        print_text(calls);
    }
    rc = 0;
out:
    cJSON_Delete(root);
    cb_mqtt_close(m, NULL);
    return rc;
}
