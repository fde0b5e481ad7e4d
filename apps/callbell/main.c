/* main.c - `callbell <command>`: one binary for the whole PC side. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"demo", cb_cmd_demo, "broker + hub + board + 4 simulated tables in one terminal"},
    {"broker", cb_cmd_broker, "run the local Mosquitto broker (and the web board)"},
    {"hub", cb_cmd_hub, "the authority on call state (SQLite, retained state)"},
    {"board", cb_cmd_board, "terminal board for staff: open calls, ack, done"},
    {"table", cb_cmd_table, "a simulated table device (same core as the firmware)"},
    {"press", cb_cmd_press, "press a table's button once"},
    {"ack", cb_cmd_ack, "acknowledge a table's call"},
    {"done", cb_cmd_done, "close a table's call"},
    {"calls", cb_cmd_calls, "list open calls (--json)"},
    {"stats", cb_cmd_stats, "response times from the hub's history"},
    {"notify", cb_cmd_notify, "send new requests and re-alerts to ntfy and/or a webhook"},
    {"report", cb_cmd_report, "requests and response times by table, kind, staff, hour, day (--csv)"},
    {"config", cb_cmd_config, "check a site file and print the site as understood"},
    {"device", cb_cmd_device, "table devices: add/list/remove credentials, set one up over USB"},
    {"staff", cb_cmd_staff_roles, "staff credentials: add, list, remove"},
    {"display", cb_cmd_display, "read-only display credentials: add, list, remove"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: callbell <command> [options]\n\n"
                 "A restaurant service-call system over MQTT.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'callbell <command> --help' describes a command's options.\n"
                 "Most commands take --broker URL (env CALLBELL_BROKER), --site ID (env CALLBELL_SITE)\n"
                 "and --config FILE, the site file (env CALLBELL_CONFIG; callbell.conf(5)).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("callbell %s\n", CALLBELL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            /* the command's argv[0], which getopt names in its errors: "callbell press:" */
            static char name[32];
            snprintf(name, sizeof name, "callbell %s", commands[i].name);
            argv[1] = name;
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "callbell: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
