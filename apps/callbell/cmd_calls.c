/* cmd_calls.c - `callbell calls`: the open calls now, from the hub's retained state
 * (works while the hub is down too, showing the last state it published). */
#include "cli_client.h"
#include "clock.h"
#include "commands.h"
#include "site_view.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    cb_site_view_message(ctx, msg->topic, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static double waiting_s(const cb_state *s, uint64_t now)
{
    return now > s->pressed_at ? (double)(now - s->pressed_at) / 1000.0 : 0.0;
}

static void print_json(const cb_state **calls, size_t n, uint64_t now)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        const cb_state *s = calls[i];
        const char *kind = "call", *status = "calling";
        cb_kind_name(s->kind, &kind);
        cb_table_status_name(s->status, &status);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "table", s->table);
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddStringToObject(o, "status", status);
        cJSON_AddNumberToObject(o, "call", (double)s->call);
        cJSON_AddNumberToObject(o, "count", s->count);
        cJSON_AddNumberToObject(o, "repeats", s->repeats);
        cJSON_AddNumberToObject(o, "pressed_at", (double)s->pressed_at);
        cJSON_AddNumberToObject(o, "waiting_s", (double)(int64_t)(waiting_s(s, now) * 10) / 10.0);
        if (s->status == CB_ACKNOWLEDGED)
            cJSON_AddStringToObject(o, "acked_by", s->acked_by);
        else
            cJSON_AddNullToObject(o, "acked_by");
        cJSON_AddNumberToObject(o, "acked_at", (double)s->acked_at);
        cJSON_AddItemToArray(a, o);
    }
    char *text = cJSON_Print(a);
    if (text)
        puts(text);
    free(text);
    cJSON_Delete(a);
}

static void print_text(const cb_state **calls, size_t n, uint64_t now)
{
    if (n == 0) {
        puts("no open calls");
        return;
    }
    printf("%-10s %-6s %-13s %8s %7s  %s\n", "TABLE", "KIND", "STATUS", "WAITING", "REPEATS", "ACKED BY");
    for (size_t i = 0; i < n; i++) {
        const cb_state *s = calls[i];
        const char *kind = "call", *status = "calling";
        cb_kind_name(s->kind, &kind);
        cb_table_status_name(s->status, &status);
        unsigned w = (unsigned)waiting_s(s, now);
        printf("%-10s %-6s %-13s %5u:%02u %7u  %s\n", s->table, kind, status, w / 60, w % 60, s->repeats,
               s->status == CB_ACKNOWLEDGED ? s->acked_by : "-");
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
            printf("usage: callbell calls [--json] [options]\n\nLists the open calls, oldest first, from the "
                   "hub's retained state.\n\n  --json         a JSON array of {table, kind, status, call, count, "
                   "repeats,\n                 pressed_at, waiting_s, acked_by, acked_at}\n%s",
                   CB_COMMON_HELP);
            return 0;
        } else if (opt == 'j') {
            json = true;
        } else if (cb_common_option(&c, opt, optarg) != 0) {
            return 2;
        }
    }
    if (cb_common_end(&c, argc, argv) != 0)
        return 2;
    cb_site_view view;
    cb_site_view_init(&view, c.site);
    cb_mqtt_handlers h = {.ctx = &view, .on_message = on_message};
    cb_mqtt *m = cb_cli_connect(&c, "cb-calls", &h);
    if (!m) {
        cb_site_view_free(&view);
        return 1;
    }
    char reply[CB_TOPIC_SIZE];
    int rc = 1;
    if (cb_site_view_subscribe(&view, m) != 0 || cb_cli_reply_topic(&c, m, reply, sizeof reply) != 0)
        goto out;
    if (cb_mqtt_fence(m, reply, CB_CLI_TIMEOUT_MS) != 0) {
        cb_fail(&c, "the broker did not answer in time");
        goto out;
    }
    if (!view.hub_known && view.table_count == 0) {
        cb_fail(&c, "no hub has published state for site '%s' on this broker (is `callbell hub` running?)", c.site);
        goto out;
    }
    if (!view.hub_online)
        fprintf(stderr, "callbell calls: warning: the hub is offline; this is the last state it published\n");
    size_t cap = view.table_count ? view.table_count : 1;
    const cb_state **calls = malloc(cap * sizeof *calls);
    if (!calls)
        goto out;
    size_t n = cb_site_view_open_calls(&view, calls, cap);
    uint64_t now = cb_wall_ms();
    if (json)
        print_json(calls, n, now);
    else
        print_text(calls, n, now);
    free(calls);
    rc = 0;
out:
    cb_mqtt_close(m, NULL);
    cb_site_view_free(&view);
    return rc;
}
