/* cmd_table.c - `callbell table`: a simulated table device running the firmware's
 * engine (cb_device) over libmosquitto, so the PC exercises the same debouncer,
 * outbox and LED logic as the Pico W.
 *
 * Keys stand for buttons. Each key becomes a real press on a simulated pin: an active
 * edge, then the release 60 ms past the debounce time, fed through cb_device_edge. Presses of one
 * button are spaced past the debounce time, so typing (or piping) "ccc" is three
 * presses, as three deliberate pushes would be, while the debouncer still decides. */
#ifndef _DEFAULT_SOURCE /* ncursesw's pkg-config flags define it already */
#define _DEFAULT_SOURCE
#endif
#include "callbell/device.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "device_port.h"
#include "mqtt_client.h"
#include "random.h"
#include "signals.h"
#include "table_sim.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- engine and MQTT events ---- */

static void on_device_event(void *ctx, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail)
{
    sim *s = ctx;
    const char *t = table ? table : "";
    switch (ev) {
    case CB_EV_PRESS_QUEUED:
        cb_sim_event(s, "queued table=%s kind=%s seq=%u", t, cb_sim_kind_name(kind), (unsigned)detail);
        break;
    case CB_EV_PRESS_MERGED:
        cb_sim_event(s, "merged table=%s kind=%s seq=%u", t, cb_sim_kind_name(kind), (unsigned)detail);
        break;
    case CB_EV_PRESS_DROPPED:
        cb_sim_event(s, "dropped table=%s kind=%s (outbox full)", t, cb_sim_kind_name(kind));
        break;
    case CB_EV_PRESS_SENT:
        cb_sim_event(s, "sent seq=%u table=%s kind=%s", (unsigned)detail, t, cb_sim_kind_name(kind));
        break;
    case CB_EV_PRESS_ACKED:
        cb_sim_event(s, "acked seq=%u table=%s kind=%s", (unsigned)detail, t, cb_sim_kind_name(kind));
        break;
    case CB_EV_PRESS_STORED:
        cb_sim_event(s, "stored seq=%u table=%s kind=%s", (unsigned)detail, t, cb_sim_kind_name(kind));
        break;
    case CB_EV_PRESS_REFUSED:
        cb_sim_event(s, "refused seq=%u table=%s kind=%s", (unsigned)detail, t, cb_sim_kind_name(kind));
        break;
    case CB_EV_STATE:
        for (uint8_t i = 0; i < s->dev.table_count; i++)
            if (strcmp(s->dev.tables[i].id, t) == 0)
                cb_sim_event(s, "state table=%s status=%s", t, cb_sim_status_text(&s->dev.tables[i]));
        break;
    case CB_EV_BAD_MESSAGE:
        cb_sim_event(s, "rejected table=%s error=%s", t, cb_status_str((cb_status)detail));
        break;
    }
}

static void publish_info(sim *s)
{
    cb_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.fw, sizeof info.fw, "%s", FW_NAME);
    size_t used = 0, need = 0;
    for (uint8_t i = 0; i < s->dev.table_count; i++) {
        need += (i ? 1 : 0) + strlen(s->dev.tables[i].id);
        cb_sim_append(info.tables, sizeof info.tables, &used, "%s%s", i ? "," : "", s->dev.tables[i].id);
    }
    if (need >= sizeof info.tables)
        info.tables[0] = '\0'; /* optional field: better absent than cut */
    info.uptime_s = (uint32_t)((cb_mono_ms() - s->started_ms) / 1000);
    if (s->has_battery) {
        info.has_battery = true;
        info.battery_mv = s->battery_mv;
        info.low_battery = s->battery_mv < 3400;
    }
    cb_status st = cb_device_publish_info(&s->dev, &info);
    if (st != CB_OK)
        cb_sim_event(s, "info not published: %s", cb_status_str(st));
}

static void on_connect(void *ctx)
{
    sim *s = ctx;
    s->connected = true;
    cb_sim_event(s, "connected");
    publish_info(s);
}

static void on_disconnect(void *ctx)
{
    sim *s = ctx;
    s->connected = false;
    cb_sim_event(s, "disconnected");
}

static void report_led_changes(sim *s, uint32_t now)
{
    for (uint8_t i = 0; i < s->dev.table_count; i++) {
        cb_led_mode mode;
        if (cb_device_led_mode(&s->dev, i, now, &mode) != CB_OK)
            continue;
        if (!s->led_known[i] || s->led[i] != mode) {
            s->led[i] = mode;
            s->led_known[i] = true;
            if (!s->tty) /* the terminal shows the LED in the status line instead */
                cb_sim_event(s, "led table=%s mode=%s", s->dev.tables[i].id, cb_sim_led_names[mode]);
        }
    }
}

/* ---- keys to pin edges ---- */

static int button_for_key(const sim *s, char c)
{
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    for (uint8_t b = 0; b < s->dev.cfg.button_count; b++)
        if (s->buttons[b].key == c)
            return b;
    return -1;
}

/* Returns false when the key asks to quit. */
static bool handle_key(sim *s, char c)
{
    if (c == 'q' || c == 'Q' || c == 4 /* Ctrl-D on a raw terminal */)
        return false;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
        return true;
    int b = button_for_key(s, c);
    if (b < 0) {
        if (s->tty)
            cb_sim_event(s, "key '%c' is no button (see keys below)", c >= 32 && c < 127 ? c : '?');
        else
            fprintf(stderr, "callbell table: ignored key 0x%02x\n", (unsigned char)c);
        return true;
    }
    if (s->keyq_len == KEY_QUEUE_CAP) {
        cb_sim_event(s, "too many keys ahead; key '%c' ignored", c);
        return true;
    }
    s->keyq[(s->keyq_head + s->keyq_len++) % KEY_QUEUE_CAP] = (uint8_t)b;
    return true;
}

static bool due(uint32_t now, uint32_t at)
{
    return (int32_t)(now - at) >= 0;
}

/* Releases that are due (at their exact time, so the debouncer sees real spacing),
 * then starts the queued presses in typing order as their buttons become free. */
static void feed_edges(sim *s, uint32_t now)
{
    for (uint8_t b = 0; b < s->dev.cfg.button_count; b++) {
        sim_button *btn = &s->buttons[b];
        if (btn->down && due(now, btn->release_at)) {
            cb_device_edge(&s->dev, b, false, btn->release_at);
            btn->down = false;
            btn->ready_at = btn->release_at + s->debounce_ms + 1;
        }
    }
    while (s->keyq_len > 0) {
        uint8_t b = s->keyq[s->keyq_head];
        sim_button *btn = &s->buttons[b];
        if (btn->down || (btn->used && !due(now, btn->ready_at)))
            break;
        /* One finger: presses typed ahead start at distinct times, so the engine
         * (which orders settled presses by when they began) keeps typing order. */
        if (s->any_press_started && s->last_press_start == now)
            break;
        s->any_press_started = true;
        s->last_press_start = now;
        s->keyq_head = (s->keyq_head + 1) % KEY_QUEUE_CAP;
        s->keyq_len--;
        btn->down = true;
        btn->used = true;
        /* Held past the debounce time, as a finger does: a shorter touch is a glitch. */
        btn->release_at = now + (s->debounce_ms + PRESS_HOLD_MS);
        cb_device_edge(&s->dev, b, true, now); /* a full outbox is reported by the engine's log */
    }
}

static bool keys_idle(const sim *s)
{
    if (s->keyq_len > 0)
        return false;
    for (uint8_t b = 0; b < s->dev.cfg.button_count; b++)
        if (s->buttons[b].down)
            return false;
    return true;
}

static uint32_t outbox_len(const sim *s)
{
    uint32_t n = 0;
    cb_outbox_count(&s->dev.outbox, &n);
    return n;
}

/* Reads what stdin has; returns false when a key asks to quit. */
static bool read_keys(sim *s)
{
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) {
        s->input_eof = true;
        return true;
    }
    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN)
            s->input_eof = true;
        return true;
    }
    for (ssize_t i = 0; i < n; i++)
        if (!handle_key(s, buf[i]))
            return false;
    return true;
}

/* One round: edges, engine, network. Waits at most wait_ms for keys or traffic. */
static void step(sim *s, int wait_ms, bool want_keys)
{
    uint32_t now = cb_device_link_now();
    feed_edges(s, now);
    cb_device_poll(&s->dev, now);
    report_led_changes(s, now);
    cb_sim_draw_status(s, now);

    struct pollfd fds[3];
    nfds_t n = 0;
    if (want_keys && !s->input_eof)
        fds[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    if (s->console_fd >= 0)
        fds[n++] = (struct pollfd){.fd = s->console_fd, .events = POLLIN};
    struct mosquitto *mosq = cb_mqtt_handle(s->link.mqtt);
    int sock = cb_mqtt_connected(s->link.mqtt) ? mosquitto_socket(mosq) : -1;
    if (sock >= 0)
        fds[n++] = (struct pollfd){.fd = sock, .events = POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0)};
    if (!keys_idle(s) && wait_ms > 10)
        wait_ms = 10; /* a release or a spaced press is coming up */
    poll(fds, n, wait_ms);
    cb_mqtt_run(s->link.mqtt, 0);
    cb_sim_console_poll(s);
}

static int run(sim *s, bool exit_when_empty)
{
    while (!cb_stop_requested) {
        step(s, 50, true);
        if (s->reboot_requested)
            return 0; /* as a device: what is not delivered is lost with the RAM */
        if (!s->input_eof) {
            struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
            if (poll(&p, 1, 0) > 0 && !read_keys(s))
                break;
        } else if (exit_when_empty && keys_idle(s) && outbox_len(s) == 0) {
            return 0;
        }
    }
    /* `q`: give queued presses a short chance, as a guest would wait for the LED; a
     * signal means now. */
    uint64_t end = cb_mono_ms() + QUIT_FLUSH_MS;
    while ((!keys_idle(s) || outbox_len(s) > 0) && s->connected && cb_mono_ms() < end && !cb_stop_requested)
        step(s, 20, false);
    return 0;
}

/* ---- setup ---- */

static void help(void)
{
    printf("usage: callbell table --table N [--device ID] [options]\n"
           "       callbell table --seed [options]\n\n"
           "A simulated table device running the firmware's engine: debounced buttons, an\n"
           "outbox that survives broker outages, and the LED answer from the hub.\n\n"
           "  --table N          the table this device sits on; keys c call, b bill,\n"
           "                     w water, x cancel\n"
           "  --seed             the seed's board instead: one device, tables 1-4, kind\n"
           "                     call, keys 1-4 (buttons GP16-GP19)\n"
           "  --device ID        device id (default sim-<table>, or sim-seed)\n"
           "  --debounce-ms N    debounce quiet time, 1-1000 (default %d)\n"
           "  --exit-when-empty  with keys from a pipe: exit once input ended and every\n"
           "                     press was acknowledged by the broker\n"
           "  --console PATH     serve the device's setup console (get, set, save, reboot,\n"
           "                     status) on a pseudo-terminal; PATH becomes a symlink to\n"
           "                     it, for `callbell device setup --port PATH`\n"
           "  --settings FILE    the device's flash: saved settings are read from FILE at\n"
           "                     start and at every `reboot`, and override the options\n"
           "                     above (site, broker, buttons); `save` writes it\n" CB_COMMON_HELP
           "\nOn a terminal, keys act at once and a status line per table shows the LED.\n"
           "Otherwise keys are read from stdin (whitespace ignored) and every event is one\n"
           "line on stdout, e.g. `queued table=3 kind=bill seq=4`, `sent seq=4`, `acked seq=4`,\n"
           "`led table=3 mode=slow`, `connected`. q quits.\n",
           CB_DEBOUNCE_DEFAULT_MS);
}

typedef struct table_opts {
    const char *table;
    const char *device;
    bool seed;
    bool exit_when_empty;
    unsigned long debounce_ms;
    unsigned long keepalive_s;
    unsigned long battery_mv;
    bool has_battery;
    const char *console;
    const char *settings;
} table_opts;

static int parse(sim *s, table_opts *o, int argc, char **argv)
{
    enum {
        OPT_TABLE = 256,
        OPT_DEVICE,
        OPT_SEED,
        OPT_DEBOUNCE,
        OPT_EXIT_EMPTY,
        OPT_KEEPALIVE,
        OPT_BATTERY,
        OPT_CONSOLE,
        OPT_SETTINGS
    };
    static const struct option options[] = {{"table", required_argument, 0, OPT_TABLE},
                                            {"device", required_argument, 0, OPT_DEVICE},
                                            {"seed", no_argument, 0, OPT_SEED},
                                            {"debounce-ms", required_argument, 0, OPT_DEBOUNCE},
                                            {"exit-when-empty", no_argument, 0, OPT_EXIT_EMPTY},
                                            {"console", required_argument, 0, OPT_CONSOLE},
                                            {"settings", required_argument, 0, OPT_SETTINGS},
                                            /* hidden, for tests: notice a dead link sooner */
                                            {"keepalive", required_argument, 0, OPT_KEEPALIVE},
                                            /* hidden, for demos: report this battery voltage */
                                            {"battery-mv", required_argument, 0, OPT_BATTERY},
                                            CB_COMMON_OPTIONS,
                                            {0, 0, 0, 0}};
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            help();
            return -1;
        case OPT_TABLE:
            o->table = optarg;
            break;
        case OPT_DEVICE:
            o->device = optarg;
            break;
        case OPT_SEED:
            o->seed = true;
            break;
        case OPT_EXIT_EMPTY:
            o->exit_when_empty = true;
            break;
        case OPT_CONSOLE:
            o->console = optarg;
            break;
        case OPT_SETTINGS:
            o->settings = optarg;
            break;
        case OPT_DEBOUNCE:
            if ((rc = cb_parse_uint(&s->common, "--debounce-ms", optarg, 1000, &o->debounce_ms)) != 0)
                return rc;
            if (o->debounce_ms == 0) {
                cb_fail(&s->common, "bad --debounce-ms '0': want 1 to 1000");
                return 2;
            }
            break;
        case OPT_KEEPALIVE:
            if ((rc = cb_parse_uint(&s->common, "--keepalive", optarg, 65535, &o->keepalive_s)) != 0)
                return rc;
            if (o->keepalive_s < 5) { /* libmosquitto refuses shorter ones at every connect */
                cb_fail(&s->common, "bad --keepalive '%s': want 5 to 65535 seconds", optarg);
                return 2;
            }
            break;
        case OPT_BATTERY:
            if ((rc = cb_parse_uint(&s->common, "--battery-mv", optarg, 10000, &o->battery_mv)) != 0)
                return rc;
            o->has_battery = true;
            break;
        default:
            if ((rc = cb_common_option(&s->common, c, optarg)) != 0)
                return rc;
        }
    }
    if (optind < argc) {
        cb_fail(&s->common, "unexpected argument '%s'", argv[optind]);
        return cb_usage_error(&s->common);
    }
    if (o->seed == (o->table != NULL)) {
        cb_fail(&s->common, o->seed ? "--seed and --table exclude each other" : "--table N (or --seed) is required");
        return cb_usage_error(&s->common);
    }
    if (o->table && cb_id_check(o->table) != CB_OK) {
        cb_fail(&s->common, "bad --table '%s': use 1-32 characters of a-z 0-9 _ -", o->table);
        return 2;
    }
    if (o->device && cb_id_check(o->device) != CB_OK) {
        cb_fail(&s->common, "bad --device '%s': use 1-32 characters of a-z 0-9 _ -", o->device);
        return 2;
    }
    return cb_common_finish(&s->common);
}

/* The command line as the device's build-time defaults: site, broker, buttons on
 * GP16-GP19 (the seed's four tables, or one table's four kinds), debounce. */
static void command_line_settings(const sim *s, const table_opts *o, cb_settings *d)
{
    static const cb_kind kinds[] = {CB_KIND_CALL, CB_KIND_BILL, CB_KIND_WATER, CB_KIND_CANCEL};
    cb_settings_defaults(d);
    snprintf(d->site, sizeof d->site, "%s", s->common.site);
    char url[400];
    snprintf(url, sizeof url, "%s://%s:%d", s->common.broker.tls ? "mqtts" : "mqtt", s->common.broker.host,
             s->common.broker.port);
    (void)cb_settings_set(d, "broker", url, NULL); /* an IPv6 literal keeps the default: the
                                                      command line is used as it is then */
    (void)cb_settings_set(d, "mqtt_user", s->common.broker.user, NULL);
    (void)cb_settings_set(d, "mqtt_password", s->common.broker.pass, NULL);
    for (uint8_t b = 0; b < 4; b++) {
        d->buttons[b].gpio = (uint8_t)(16 + b);
        snprintf(d->buttons[b].button.table, sizeof d->buttons[b].button.table, "%s",
                 o->seed ? (const char[]){(char)('1' + b), '\0'} : o->table);
        d->buttons[b].button.kind = o->seed ? CB_KIND_CALL : kinds[b];
    }
    d->button_count = 4;
    d->debounce_ms = (uint32_t)o->debounce_ms;
}

/* Keys for the buttons: one table's kinds are c b w x (as on its four buttons),
 * otherwise 1-8 in button order (the seed's tables 1-4). */
static void assign_keys(sim *s, const cb_device_config *cfg)
{
    static const char kind_keys[] = "cbwx";
    bool one_table = true;
    unsigned kinds_seen = 0;
    for (uint8_t b = 0; b < cfg->button_count; b++) {
        one_table = one_table && strcmp(cfg->buttons[b].table, cfg->buttons[0].table) == 0;
        one_table = one_table && !(kinds_seen & (1u << cfg->buttons[b].kind));
        kinds_seen |= 1u << cfg->buttons[b].kind;
    }
    memset(s->buttons, 0, sizeof s->buttons);
    for (uint8_t b = 0; b < cfg->button_count; b++)
        s->buttons[b].key = one_table ? kind_keys[cfg->buttons[b].kind] : (char)('1' + b);
}

/* The engine's configuration from s->settings (the command line, or the flash). */
static int configure(sim *s, const table_opts *o, cb_device_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cb_settings_device_config(&s->settings, cfg);
    if (o->device)
        snprintf(cfg->device, sizeof cfg->device, "%s", o->device);
    else if (snprintf(cfg->device, sizeof cfg->device, "sim-%s", o->seed ? "seed" : o->table) >=
             (int)sizeof cfg->device) {
        cb_fail(&s->common, "device id 'sim-%s' is too long; give --device ID", o->table);
        return 2;
    }
    cfg->boot = cb_random_u32();
    cfg->log = on_device_event;
    cfg->log_ctx = s;
    assign_keys(s, cfg);
    s->debounce_ms = cfg->debounce_ms;
    return 0;
}

/* The broker: the command line's, unless saved settings name one. */
static void broker_url(const sim *s, cb_url *url)
{
    *url = s->common.broker;
    if (!s->settings_origin.from_flash)
        return;
    cb_url u;
    memset(&u, 0, sizeof u);
    uint16_t port = 0;
    if (cb_settings_broker(&s->settings, u.host, sizeof u.host, &port, &u.tls) != CB_OK)
        return;
    u.port = port;
    snprintf(u.user, sizeof u.user, "%s", s->settings.mqtt_user);
    snprintf(u.pass, sizeof u.pass, "%s", s->settings.mqtt_password);
    *url = u;
}

/* One boot of the simulated device: settings, engine, broker connection, the loop
 * until quit or a console `reboot`. Returns the exit code. */
static int boot(sim *s, const table_opts *o)
{
    cb_settings defaults;
    command_line_settings(s, o, &defaults);
    if (s->settings_path)
        cb_sim_settings_load(s, &defaults);
    else
        s->settings = defaults;
    cb_sim_console_attach(s);

    cb_device_config cfg;
    int rc = configure(s, o, &cfg);
    if (rc != 0)
        return rc;
    memset(&s->link, 0, sizeof s->link);
    memset(s->led_known, 0, sizeof s->led_known);
    s->keyq_len = 0;
    s->connected = false;
    s->started_ms = cb_mono_ms();
    cb_mqtt_port port = cb_device_link_port(&s->link);
    cb_status st = cb_device_init(&s->dev, &cfg, &port);
    if (st != CB_OK) {
        cb_fail(&s->common, "bad device configuration: %s", cb_status_str(st));
        return 2;
    }
    if (o->has_battery) {
        s->has_battery = true;
        s->battery_mv = (uint16_t)o->battery_mv;
        cb_device_set_vitals(&s->dev, s->battery_mv, -55);
    }
    cb_url url;
    broker_url(s, &url);
    cb_mqtt_options mo = {.client_id = cfg.device, /* one session per device, as the firmware */
                          .clean_session = true,   /* the outbox resends; the broker need not */
                          .keepalive_s = (int)o->keepalive_s,
                          .quiet = s->tty};
    cb_mqtt_handlers after = {.ctx = s, .on_connect = on_connect, .on_disconnect = on_disconnect};
    char err[512];
    if (cb_device_link_open(&s->link, &s->dev, &url, &mo, &after, err, sizeof err) != 0) {
        cb_fail(&s->common, "%s", err);
        return 1;
    }
    char shown[400];
    cb_url_format(&url, shown, sizeof shown);
    cb_sim_event(s, "device %s boot %u site %s broker %s", cfg.device, (unsigned)cfg.boot, cfg.site, shown);
    for (uint8_t b = 0; b < cfg.button_count && (s->settings_path || s->console_fd >= 0); b++)
        cb_sim_event(s, "button %u (key %c): table %s %s", (unsigned)b + 1, s->buttons[b].key, cfg.buttons[b].table,
                     cb_sim_kind_name(cfg.buttons[b].kind));
    rc = run(s, o->exit_when_empty);
    if (s->reboot_requested)
        cb_device_link_close(&s->link); /* "offline", as the will would say */
    return rc;
}

int cb_cmd_table(int argc, char **argv)
{
    static sim s; /* large (engine + key queue), one per process */
    memset(&s, 0, sizeof s);
    s.console_fd = s.console_keep_fd = -1;
    cb_common_init(&s.common, "table");
    table_opts o = {.debounce_ms = CB_DEBOUNCE_DEFAULT_MS};
    int rc = parse(&s, &o, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    s.settings_path = o.settings;

    s.raw = isatty(STDIN_FILENO);
    s.tty = s.raw && isatty(STDOUT_FILENO);
    setlocale(LC_CTYPE, "");
    s.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    if (!s.tty)
        setvbuf(stdout, NULL, _IOLBF, 0);

    if (o.console) {
        char err[600];
        if (cb_sim_console_open(&s, o.console, err, sizeof err) != 0) {
            cb_fail(&s.common, "%s", err);
            return 1;
        }
        cb_sim_event(&s, "console on %s (%s)", o.console, s.console_dev);
    }
    cb_install_stop_handlers();
    if (s.raw && cb_sim_enter_raw_mode() != 0)
        s.raw = s.tty = false;

    for (;;) {
        rc = boot(&s, &o);
        if (rc != 0 || !s.reboot_requested || cb_stop_requested)
            break;
        s.reboot_requested = false;
        cb_sim_event(&s, "rebooting");
    }
    if (rc != 0) {
        cb_sim_restore_terminal();
        cb_sim_console_close(&s);
        return rc;
    }

    uint32_t left = outbox_len(&s);
    cb_sim_clear_status(&s);
    cb_sim_draw_status(&s, cb_device_link_now());
    fflush(stdout);
    cb_sim_restore_terminal();
    if (left > 0) {
        cb_fail(&s.common, "quitting with %u press%s not delivered", (unsigned)left, left == 1 ? "" : "es");
        rc = 1; /* lost presses are a failure for a script, even on request */
    }
    cb_device_link_close(&s.link);
    cb_sim_console_close(&s);
    return rc;
}
