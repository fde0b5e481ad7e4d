/* cb_faultdev.c - one protocol-conformant table device for the fault campaign.
 *
 * The firmware's engine (callbell/device.h) over the PC's MQTT link, exactly as
 * `callbell table` runs it, with a scripted guest: `--count` presses, one every
 * `--interval-ms`, cycling call, bill, water on one table (every press then changes
 * the table's call, so the hub records each as an event with its seq). After the
 * last press it waits up to `--drain-s` for the broker to acknowledge everything
 * still in the outbox, then writes every seq it gave a press to `--out`, one per line
 * (a press merged into a waiting one of the same kind gets no seq of its own), and
 * prints `sent S acked A merged M dropped D pending P`.
 *
 *   cb_faultdev --broker URL --site S --device ID --boot B --table T --count N
 *               --interval-ms I --drain-s D --out FILE
 *
 * Exit status: 0 when the outbox drained, 1 when presses were still waiting, 2 on
 * bad usage. SIGTERM stops pressing and drains. */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "device_port.h"
#include "url.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRESS_HOLD_MS 60
#define MAX_SEQS 100000

typedef struct faultdev {
    cb_device dev;
    cb_device_link link;
    uint32_t *seqs;
    unsigned long sent, acked, merged, dropped;
} faultdev;

static volatile sig_atomic_t stop_pressing;

static void on_term(int sig)
{
    (void)sig;
    stop_pressing = 1;
}

static void on_event(void *ctx, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail)
{
    (void)table;
    (void)kind;
    faultdev *f = ctx;
    if (ev == CB_EV_PRESS_QUEUED && f->sent < MAX_SEQS)
        f->seqs[f->sent++] = detail;
    else if (ev == CB_EV_PRESS_MERGED)
        f->merged++;
    else if (ev == CB_EV_PRESS_DROPPED)
        f->dropped++;
    else if (ev == CB_EV_PRESS_ACKED)
        f->acked++;
}

static uint32_t pending(const faultdev *f)
{
    uint32_t n = 0;
    cb_outbox_count(&f->dev.outbox, &n);
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: cb_faultdev --broker URL --site S --device ID --boot B --table T --count N "
                    "--interval-ms I --drain-s D --out FILE\n");
    exit(2);
}

static int write_seqs(const faultdev *f, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return -1;
    for (unsigned long i = 0; i < f->sent; i++)
        fprintf(out, "%u\n", f->seqs[i]);
    return fclose(out);
}

/* One round: the guest's buttons, the engine, the network. */
static void step(faultdev *f, uint32_t now)
{
    cb_device_poll(&f->dev, now);
    cb_mqtt_run(f->link.mqtt, 2);
}

int main(int argc, char **argv)
{
    const char *broker = NULL, *site = NULL, *device = NULL, *table = NULL, *out = NULL;
    unsigned long boot = 0, count = 0, interval_ms = 0, drain_s = 30;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--broker") == 0)
            broker = v;
        else if (strcmp(k, "--site") == 0)
            site = v;
        else if (strcmp(k, "--device") == 0)
            device = v;
        else if (strcmp(k, "--table") == 0)
            table = v;
        else if (strcmp(k, "--out") == 0)
            out = v;
        else if (strcmp(k, "--boot") == 0)
            boot = strtoul(v, NULL, 10);
        else if (strcmp(k, "--count") == 0)
            count = strtoul(v, NULL, 10);
        else if (strcmp(k, "--interval-ms") == 0)
            interval_ms = strtoul(v, NULL, 10);
        else if (strcmp(k, "--drain-s") == 0)
            drain_s = strtoul(v, NULL, 10);
        else
            usage();
    }
    if (!broker || !site || !device || !table || !out || count == 0 || count > MAX_SEQS ||
        interval_ms < PRESS_HOLD_MS + CB_DEBOUNCE_DEFAULT_MS + 2)
        usage();

    cb_url url;
    char err[512];
    if (cb_url_parse(broker, &url, err, sizeof err) != 0) {
        fprintf(stderr, "cb_faultdev: %s\n", err);
        return 2;
    }
    static faultdev f;
    f.seqs = calloc(count, sizeof *f.seqs);
    if (!f.seqs)
        return 2;
    cb_device_config cfg = {
        .boot = (uint32_t)boot, .button_count = 3, .active_high = true, .log = on_event, .log_ctx = &f};
    snprintf(cfg.site, sizeof cfg.site, "%s", site);
    snprintf(cfg.device, sizeof cfg.device, "%s", device);
    static const cb_kind kinds[3] = {CB_KIND_CALL, CB_KIND_BILL, CB_KIND_WATER};
    for (int b = 0; b < 3; b++) {
        snprintf(cfg.buttons[b].table, sizeof cfg.buttons[b].table, "%s", table);
        cfg.buttons[b].kind = kinds[b];
    }
    cb_mqtt_port port = cb_device_link_port(&f.link);
    if (cb_device_init(&f.dev, &cfg, &port) != CB_OK) {
        fprintf(stderr, "cb_faultdev: bad device configuration\n");
        return 2;
    }
    /* as the firmware: one session per device id, the outbox (not the broker) resends;
     * a short keepalive finds a dead link within seconds */
    cb_mqtt_options mo = {.client_id = device, .clean_session = true, .keepalive_s = 5, .quiet = true};
    if (cb_device_link_open(&f.link, &f.dev, &url, &mo, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "cb_faultdev: %s\n", err);
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);

    uint32_t next_press = cb_device_link_now(), release_at = 0;
    int down = -1;
    unsigned long pressed = 0;
    while (pressed < count || down >= 0) {
        uint32_t now = cb_device_link_now();
        if (down >= 0 && (int32_t)(now - release_at) >= 0) {
            cb_device_edge(&f.dev, (uint8_t)down, false, release_at);
            down = -1;
        }
        if (stop_pressing && down < 0)
            break;
        if (down < 0 && pressed < count && (int32_t)(now - next_press) >= 0) {
            down = (int)(pressed % 3);
            cb_device_edge(&f.dev, (uint8_t)down, true, now);
            release_at = now + PRESS_HOLD_MS;
            next_press += (uint32_t)interval_ms;
            pressed++;
        }
        step(&f, now);
    }
    uint64_t deadline = cb_mono_ms() + drain_s * 1000;
    while (pending(&f) > 0 && cb_mono_ms() < deadline)
        step(&f, cb_device_link_now());
    uint32_t left = pending(&f);
    printf("%s sent %lu acked %lu merged %lu dropped %lu pending %u\n", device, f.sent, f.acked, f.merged, f.dropped,
           left);
    int rc = write_seqs(&f, out) == 0 && left == 0 ? 0 : 1;
    cb_device_link_close(&f.link);
    free(f.seqs);
    return rc;
}
