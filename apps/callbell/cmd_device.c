/* cmd_device.c - `callbell device setup`: sets a table device's settings through
 * its USB serial console (callbell/console.h), saves them to its flash, reboots it
 * and reads them back. The same console runs in the firmware and in the simulated
 * table (`callbell table --console PATH`), where the tests drive this command.
 *
 * Values are checked here first with the core's own rules (cb_settings_set), so a
 * typo is named before the device is touched. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "callbell/settings.h"
#include "clock.h"
#include "commands.h"
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define MAX_SETS 32
#define REPLY_CAP 8192
#define REPLY_TIMEOUT_MS 3000

typedef struct setting {
    char key[33];
    const char *value;
} setting;

typedef struct setup_opts {
    const char *port;
    setting sets[MAX_SETS];
    int set_count;
    bool no_reboot;
    bool show;
    unsigned long timeout_s;
} setup_opts;

typedef struct serial {
    int fd;
    char buf[REPLY_CAP]; /* bytes read past the last reply */
    size_t len;
} serial;

static const cb_common *who; /* for messages */

/* ---- the port ---- */

static int port_open(serial *p, const char *path, char *err, size_t cap)
{
    p->len = 0;
    p->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (p->fd < 0) {
        snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(p->fd, &t) == 0) { /* a tty: raw, 115200 (USB CDC ignores the rate) */
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        tcsetattr(p->fd, TCSANOW, &t);
        tcflush(p->fd, TCIFLUSH);
    }
    return 0;
}

static void port_close(serial *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static int port_write(serial *p, const char *text)
{
    size_t len = strlen(text);
    uint64_t end = cb_mono_ms() + REPLY_TIMEOUT_MS;
    while (len > 0) {
        ssize_t n = write(p->fd, text, len);
        if (n > 0) {
            text += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        } else if (cb_mono_ms() > end) {
            return -1;
        } else {
            struct pollfd w = {.fd = p->fd, .events = POLLOUT};
            poll(&w, 1, 50);
        }
    }
    return 0;
}

/* Reads until a line starting "ok" or "error: " ends; the reply's lines (without
 * the device's log lines, which start with '[') go to reply. 0 for ok, 1 for error
 * (reply's last line says why), -1 for no answer in time. */
static int port_reply(serial *p, char *reply, size_t cap, int timeout_ms)
{
    size_t used = 0;
    reply[0] = '\0';
    uint64_t end = cb_mono_ms() + (uint64_t)timeout_ms;
    for (;;) {
        char *nl;
        while ((nl = memchr(p->buf, '\n', p->len)) != NULL) {
            size_t line_len = (size_t)(nl - p->buf);
            if (line_len > 0 && p->buf[line_len - 1] == '\r')
                line_len--;
            char line[1024];
            size_t n = line_len < sizeof line - 1 ? line_len : sizeof line - 1;
            memcpy(line, p->buf, n);
            line[n] = '\0';
            size_t consumed = (size_t)(nl + 1 - p->buf);
            memmove(p->buf, nl + 1, p->len - consumed);
            p->len -= consumed;
            if (line[0] == '[' || line[0] == '\0')
                continue; /* the device's log */
            if (used + n + 2 < cap) {
                memcpy(reply + used, line, n);
                used += n;
                reply[used++] = '\n';
                reply[used] = '\0';
            }
            if (strncmp(line, "ok", 2) == 0)
                return 0;
            if (strncmp(line, "error: ", 7) == 0)
                return 1;
        }
        uint64_t now = cb_mono_ms();
        if (now >= end)
            return -1;
        if (p->len == sizeof p->buf)
            p->len = 0; /* a line longer than any reply: not ours */
        struct pollfd r = {.fd = p->fd, .events = POLLIN};
        if (poll(&r, 1, (int)(end - now)) <= 0)
            continue;
        ssize_t got = read(p->fd, p->buf + p->len, sizeof p->buf - p->len);
        if (got > 0)
            p->len += (size_t)got;
        else if (got == 0 || (errno != EAGAIN && errno != EINTR))
            return -1; /* the port went away (a device rebooting) */
    }
}

/* Sends one request; 0 ok, 1 refused (why in reply), -1 no answer. */
static int request(serial *p, const char *line, char *reply, size_t cap)
{
    if (port_write(p, line) != 0 || port_write(p, "\n") != 0)
        return -1;
    return port_reply(p, reply, cap, REPLY_TIMEOUT_MS);
}

/* The last line of a reply, without its newline, for messages. */
static const char *last_line(char *reply)
{
    size_t n = strlen(reply);
    if (n > 0 && reply[n - 1] == '\n')
        reply[--n] = '\0';
    char *nl = strrchr(reply, '\n');
    return nl ? nl + 1 : reply;
}

/* ---- setup ---- */

static void help(void)
{
    printf("usage: callbell device setup --port PATH [settings] [--no-reboot]\n"
           "       callbell device show --port PATH\n\n"
           "Sets a table device up over its USB serial console (a Pico W running the callbell\n"
           "firmware: /dev/ttyACM0; or `callbell table --console PATH`): each setting is\n"
           "checked, sent with `set`, saved to the device's flash with `save`; then the device\n"
           "reboots and the settings are read back.\n\n"
           "  --port PATH           the device's serial port\n"
           "  --wifi-ssid NAME      Wi-Fi network (1-32 characters)\n"
           "  --wifi-password PW    its WPA2 password (8-63 characters; empty: open network)\n"
           "  --wifi-country CC     two letters (GB, DE, US...); empty: worldwide\n"
           "  --broker URL          mqtt://host[:port] or mqtts://host[:port]\n"
           "  --mqtt-user NAME      the device's MQTT user (see `callbell broker --password-file`)\n"
           "  --mqtt-password PW    its password\n"
           "  --site ID             the restaurant's site id\n"
           "  --buttons MAP         GPIO=TABLE:KIND,... e.g. 16=1:call,17=2:call (the seed) or\n"
           "                        16=7:call,17=7:bill,18=7:water,19=7:cancel (one table)\n"
           "  --pull down|up        down: button to 3V3 with pull-down (seed); up: button to GND\n"
           "  --leds MAP            GPIO=TABLE,... an external LED per table; empty: none\n"
           "  --power MODE          connected (always on) or sleepy (battery: sleeps between presses)\n"
           "  --debounce-ms N       1-1000 (default 30)\n"
           "  --set KEY=VALUE       any other setting by its console key (repeatable)\n"
           "  --no-reboot           save but do not reboot (the device uses them at its next start)\n"
           "  --timeout S           how long to wait for the device after its reboot (default 20)\n"
           "  -h, --help            show this help\n\n"
           "Exit status: 0 set up and read back, 1 the device refused or did not answer, 2 bad usage.\n");
}

static int add_set(setup_opts *o, const char *key, const char *value)
{
    if (o->set_count == MAX_SETS) {
        cb_fail(who, "too many settings (at most %d)", MAX_SETS);
        return 2;
    }
    cb_settings scratch;
    cb_settings_defaults(&scratch);
    const char *why = "bad value";
    cb_status st = cb_settings_set(&scratch, key, value, &why);
    if (st == CB_E_MISSING) {
        cb_fail(who, "no setting '%s' (keys: see the console's help)", key);
        return 2;
    }
    if (st != CB_OK) {
        cb_fail(who, "bad %s '%s': %s", key, value, why);
        return 2;
    }
    snprintf(o->sets[o->set_count].key, sizeof o->sets[o->set_count].key, "%s", key);
    o->sets[o->set_count].value = value;
    o->set_count++;
    return 0;
}

static int parse(setup_opts *o, int argc, char **argv)
{
    enum { OPT_PORT = 256, OPT_SET, OPT_NO_REBOOT, OPT_TIMEOUT, OPT_KEY };
    /* Options named after console keys: --wifi-ssid is wifi_ssid. */
    static const struct option options[] = {{"port", required_argument, 0, OPT_PORT},
                                            {"set", required_argument, 0, OPT_SET},
                                            {"no-reboot", no_argument, 0, OPT_NO_REBOOT},
                                            {"timeout", required_argument, 0, OPT_TIMEOUT},
                                            {"wifi-ssid", required_argument, 0, OPT_KEY},
                                            {"wifi-password", required_argument, 0, OPT_KEY},
                                            {"wifi-country", required_argument, 0, OPT_KEY},
                                            {"broker", required_argument, 0, OPT_KEY},
                                            {"mqtt-user", required_argument, 0, OPT_KEY},
                                            {"mqtt-password", required_argument, 0, OPT_KEY},
                                            {"site", required_argument, 0, OPT_KEY},
                                            {"buttons", required_argument, 0, OPT_KEY},
                                            {"pull", required_argument, 0, OPT_KEY},
                                            {"leds", required_argument, 0, OPT_KEY},
                                            {"power", required_argument, 0, OPT_KEY},
                                            {"debounce-ms", required_argument, 0, OPT_KEY},
                                            {"help", no_argument, 0, 'h'},
                                            {0, 0, 0, 0}};
    int c, index = 0, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, &index)) != -1) {
        switch (c) {
        case 'h':
            help();
            return -1;
        case OPT_PORT:
            o->port = optarg;
            break;
        case OPT_NO_REBOOT:
            o->no_reboot = true;
            break;
        case OPT_TIMEOUT:
            if ((rc = cb_parse_uint(who, "--timeout", optarg, 3600, &o->timeout_s)) != 0)
                return rc;
            break;
        case OPT_KEY: {
            char key[33];
            snprintf(key, sizeof key, "%s", options[index].name);
            for (char *k = key; *k; k++)
                *k = *k == '-' ? '_' : *k;
            if ((rc = add_set(o, key, optarg)) != 0)
                return rc;
            break;
        }
        case OPT_SET: {
            const char *eq = strchr(optarg, '=');
            char key[33];
            if (eq == NULL || eq == optarg || (size_t)(eq - optarg) >= sizeof key) {
                cb_fail(who, "bad --set '%s': want KEY=VALUE", optarg);
                return 2;
            }
            memcpy(key, optarg, (size_t)(eq - optarg));
            key[eq - optarg] = '\0';
            if ((rc = add_set(o, key, eq + 1)) != 0)
                return rc;
            break;
        }
        default:
            return cb_usage_error(who);
        }
    }
    if (optind < argc) {
        cb_fail(who, "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (o->port == NULL) {
        cb_fail(who, "--port PATH is required (a Pico W: /dev/ttyACM0)");
        return 2;
    }
    if (!o->show && o->set_count == 0) {
        cb_fail(who, "nothing to set: give settings (see --help), or use `callbell device show`");
        return 2;
    }
    return 0;
}

/* After the reboot: the port comes back (USB re-enumerates) and answers `get`. */
static int reconnect_and_get(serial *p, const setup_opts *o, char *reply, size_t cap)
{
    uint64_t end = cb_mono_ms() + o->timeout_s * 1000u;
    cb_sleep_ms(300); /* let it go down first */
    char err[600] = "";
    while (cb_mono_ms() < end) {
        if (port_open(p, o->port, err, sizeof err) == 0) {
            port_write(p, "\n"); /* ends whatever half line the device holds */
            if (request(p, "get", reply, cap) == 0)
                return 0;
            port_close(p);
        }
        cb_sleep_ms(250);
    }
    cb_fail(who, "the device did not answer on %s within %lu s after its reboot%s%s", o->port, o->timeout_s,
            err[0] ? ": " : "", err);
    return 1;
}

/* Every setting sent reads back (secrets as ******** or empty). */
static int verify(const setup_opts *o, const char *listing)
{
    for (int i = 0; i < o->set_count; i++) {
        cb_settings scratch;
        cb_settings_defaults(&scratch);
        cb_settings_set(&scratch, o->sets[i].key, o->sets[i].value, NULL);
        char want[CB_SETTINGS_VALUE_MAX + 1], line[CB_SETTINGS_VALUE_MAX + 40];
        cb_settings_get(&scratch, o->sets[i].key, false, want, sizeof want); /* normalised, masked */
        snprintf(line, sizeof line, "%s=%s\n", o->sets[i].key, want);
        const char *at = strstr(listing, line);
        if (at == NULL || (at != listing && at[-1] != '\n')) {
            cb_fail(who, "after the reboot the device does not read back %s=%s", o->sets[i].key, want);
            return 1;
        }
    }
    return 0;
}

static int setup(const setup_opts *o)
{
    static serial p;
    static char reply[REPLY_CAP];
    char err[600];
    if (port_open(&p, o->port, err, sizeof err) != 0) {
        cb_fail(who, "%s", err);
        return 1;
    }
    port_write(&p, "\n");
    int rc = 0;
    if (o->show) {
        const char *const asks[] = {"get", "status"};
        for (int i = 0; i < 2 && rc == 0; i++) {
            if (request(&p, asks[i], reply, sizeof reply) != 0) {
                cb_fail(who, "the device on %s did not answer `%s`", o->port, asks[i]);
                rc = 1;
            } else {
                fputs(reply, stdout);
            }
        }
        goto out;
    }
    for (int i = 0; i < o->set_count; i++) {
        char line[CB_SETTINGS_VALUE_MAX + 64];
        snprintf(line, sizeof line, "set %s %s", o->sets[i].key, o->sets[i].value);
        int r = request(&p, line, reply, sizeof reply);
        if (r != 0) {
            cb_fail(who, r < 0 ? "no answer from %s to `set %s` (is it a callbell device?)" : "%s: %s", o->port,
                    r < 0 ? o->sets[i].key : last_line(reply));
            rc = 1;
            goto out;
        }
    }
    if (request(&p, "save", reply, sizeof reply) != 0) {
        cb_fail(who, "the device did not save: %s", last_line(reply));
        rc = 1;
        goto out;
    }
    printf("%d setting%s saved on %s\n", o->set_count, o->set_count == 1 ? "" : "s", o->port);
    if (o->no_reboot)
        goto out;
    if (request(&p, "reboot", reply, sizeof reply) != 0) {
        cb_fail(who, "the device did not reboot: %s", last_line(reply));
        rc = 1;
        goto out;
    }
    port_close(&p);
    if ((rc = reconnect_and_get(&p, o, reply, sizeof reply)) != 0)
        goto out;
    if ((rc = verify(o, reply)) != 0)
        goto out;
    printf("rebooted; the device reads back:\n");
    fputs(reply, stdout);
out:
    port_close(&p);
    return rc;
}

int cb_cmd_device(int argc, char **argv)
{
    static cb_common common;
    cb_common_init(&common, "device");
    who = &common;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    static setup_opts o;
    memset(&o, 0, sizeof o);
    o.timeout_s = 20;
    if (strcmp(argv[1], "show") == 0) {
        o.show = true;
        common.command = "device show";
    } else if (strcmp(argv[1], "setup") == 0) {
        common.command = "device setup";
    } else {
        cb_fail(&common, "unknown subcommand '%s' (setup, show)", argv[1]);
        return 2;
    }
    int rc = parse(&o, argc - 1, argv + 1);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    return setup(&o);
}
