/* cmd_press.c - `callbell press TABLE`: one button press, as a device would send it. */
#include "cli_client.h"
#include "commands.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] = "usage: callbell press TABLE [--kind call|bill|water|cancel] [options]\n\n"
                           "Sends one press for TABLE (QoS 1) and exits 0 once the broker has it (PUBACK).\n\n"
                           "  --kind K       what the guest wants (default call)\n"
                           "  --device ID    device id to send as (default: this command's client id)\n" CB_COMMON_HELP;

int cb_cmd_press(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "press");
    cb_kind kind = CB_KIND_CALL;
    const char *device = NULL;
    static const struct option longopts[] = {
        {"kind", required_argument, 0, 'k'}, {"device", required_argument, 0, 'D'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(help, stdout);
            return 0;
        } else if (opt == 'k') {
            if (cb_kind_parse(optarg, strlen(optarg), &kind) != CB_OK) {
                cb_fail(&c, "bad --kind '%s': want call, bill, water or cancel", optarg);
                return 2;
            }
        } else if (opt == 'D') {
            if (cb_id_check(optarg) != CB_OK) {
                cb_fail(&c, "bad --device '%s': use 1-32 characters of a-z 0-9 _ -", optarg);
                return 2;
            }
            device = optarg;
        } else if (cb_common_option(&c, opt, optarg) != 0) {
            return 2;
        }
    }
    const char *table;
    int rc = cb_common_end_table(&c, argc, argv, "callbell press 3", &table);
    if (rc != 0)
        return rc;

    cb_mqtt *m = cb_cli_connect(&c, "cb-press", NULL);
    if (!m)
        return 1;
    cb_press p;
    memset(&p, 0, sizeof p);
    snprintf(p.device, sizeof p.device, "%s", device ? device : cb_mqtt_client_id(m));
    /* a fresh boot per invocation: (device, boot, seq) stays unique without a file */
    p.boot = cb_random_u32();
    p.seq = 1;
    p.kind = kind;
    cb_press_text(table, kind, p.text, sizeof p.text);
    char topic[CB_TOPIC_SIZE], payload[CB_PAYLOAD_SIZE];
    size_t len;
    int mid;
    if (cb_topic_build(CB_TOPIC_PRESS, c.site, table, topic, sizeof topic) != CB_OK ||
        cb_press_encode(&p, payload, sizeof payload, &len) != CB_OK ||
        cb_mqtt_publish(m, topic, payload, len, 1, false, &mid) != 0) {
        cb_fail(&c, "cannot send the press");
        cb_mqtt_close(m, NULL);
        return 1;
    }
    rc = cb_mqtt_wait_puback(m, mid, CB_CLI_TIMEOUT_MS);
    cb_mqtt_close(m, NULL);
    if (rc != 0) {
        cb_fail(&c, "the broker did not acknowledge the press within %d s", CB_CLI_TIMEOUT_MS / 1000);
        return 1;
    }
    printf("%s (sent to %s, acknowledged by the broker)\n", p.text, topic);
    return 0;
}
