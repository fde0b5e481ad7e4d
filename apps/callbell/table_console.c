/* table_console.c - the simulated table's setup console and "flash", so
 * `callbell device setup` is tested end to end on the PC.
 *
 * The console is the core's (callbell/console.h), the one the firmware serves on
 * USB serial, here on a pseudo-terminal: `--console PATH` makes PATH a symlink to
 * the pty's device, as /dev/ttyACM0 is for a Pico. The "flash" is a file of two
 * 4 KiB sectors holding the core's settings records (callbell/settings.h), written
 * like the firmware writes them: the copy not loaded, then that copy is the one. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "table_sim.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define SECTOR 4096

static void console_write(void *ctx, const char *text)
{
    sim *s = ctx;
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(s->console_fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* nobody reading and the pty is full: a reply is lost, as on USB */
        text += n;
        len -= (size_t)n;
    }
}

int cb_sim_console_open(sim *s, const char *link_path, char *err, size_t err_cap)
{
    s->console_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (s->console_fd < 0 || grantpt(s->console_fd) != 0 || unlockpt(s->console_fd) != 0) {
        snprintf(err, err_cap, "cannot create a pseudo-terminal: %s", strerror(errno));
        goto err;
    }
    const char *dev = ptsname(s->console_fd);
    if (dev == NULL) {
        snprintf(err, err_cap, "cannot name the pseudo-terminal: %s", strerror(errno));
        goto err;
    }
    snprintf(s->console_dev, sizeof s->console_dev, "%s", dev);
    /* Our own handle on the far side keeps the pty up between clients (a read on the
     * master fails with EIO while nobody has it open), and sets it raw: no echo, no
     * line editing, as a USB CDC port. */
    s->console_keep_fd = open(dev, O_RDWR | O_NOCTTY);
    struct termios t;
    if (s->console_keep_fd < 0 || tcgetattr(s->console_keep_fd, &t) != 0) {
        snprintf(err, err_cap, "cannot open %s: %s", dev, strerror(errno));
        goto err;
    }
    cfmakeraw(&t);
    tcsetattr(s->console_keep_fd, TCSANOW, &t);
    fcntl(s->console_fd, F_SETFL, fcntl(s->console_fd, F_GETFL) | O_NONBLOCK);
    struct stat st;
    if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
        snprintf(err, err_cap, "--console %s exists and is not a symlink: not replacing it", link_path);
        goto err;
    }
    unlink(link_path);
    if (symlink(dev, link_path) != 0) {
        snprintf(err, err_cap, "cannot make %s point to %s: %s", link_path, dev, strerror(errno));
        goto err;
    }
    snprintf(s->console_link, sizeof s->console_link, "%s", link_path);
    cb_line_init(&s->console_reader);
    return 0;
err:
    cb_sim_console_close(s);
    return -1;
}

void cb_sim_console_close(sim *s)
{
    if (s->console_link[0]) {
        char target[sizeof s->console_dev];
        ssize_t n = readlink(s->console_link, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            if (strcmp(target, s->console_dev) == 0)
                unlink(s->console_link); /* ours, not a newer table's */
        }
        s->console_link[0] = '\0';
    }
    if (s->console_keep_fd > 0)
        close(s->console_keep_fd);
    if (s->console_fd > 0)
        close(s->console_fd);
    s->console_fd = s->console_keep_fd = -1;
}

/* ---- the "flash" ---- */

/* Reads the two sectors; a missing or short file reads as erased flash. */
static void read_flash(const char *path, uint8_t sectors[2][SECTOR])
{
    memset(sectors, 0xFF, 2 * SECTOR);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    size_t n = fread(sectors, 1, 2 * SECTOR, f);
    (void)n;
    fclose(f);
}

int cb_sim_settings_load(sim *s, const cb_settings *defaults)
{
    static uint8_t sectors[2][SECTOR];
    read_flash(s->settings_path, sectors);
    cb_settings_load(sectors[0], sectors[1], defaults, &s->settings, &s->settings_origin);
    if (s->settings_origin.from_flash)
        cb_sim_event(s, "settings: copy %u, sequence %u%s", s->settings_origin.slot,
                     (unsigned)s->settings_origin.sequence,
                     s->settings_origin.other_invalid ? " (the other copy is empty or damaged)" : "");
    else
        cb_sim_event(s, "settings: none saved in %s, using the defaults", s->settings_path);
    return 0;
}

/* Writes one sector of the file in place: the other copy stays as it was. */
static int save_settings(sim *s, const char **why)
{
    uint8_t slot = 0;
    uint32_t seq = 0;
    static uint8_t sector[SECTOR];
    memset(sector, 0xFF, sizeof sector);
    cb_settings_next_save(&s->settings_origin, &slot, &seq);
    if (cb_settings_encode(&s->settings, seq, sector, sizeof sector) != CB_OK) {
        *why = "settings do not fit a record";
        return -1;
    }
    int fd = open(s->settings_path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0) {
        *why = "cannot open the settings file";
        return -1;
    }
    bool ok = pwrite(fd, sector, sizeof sector, (off_t)slot * SECTOR) == (ssize_t)sizeof sector && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        *why = "cannot write the settings file";
        return -1;
    }
    s->settings_origin.from_flash = true;
    s->settings_origin.slot = slot;
    s->settings_origin.sequence = seq;
    cb_sim_event(s, "settings: saved to copy %u, sequence %u", slot, (unsigned)seq);
    return 0;
}

/* ---- requests ---- */

static void write_status(sim *s)
{
    char line[256];
    uint32_t queued = 0;
    cb_outbox_count(&s->dev.outbox, &queued);
    snprintf(line, sizeof line, "device=%s\nfirmware=%s\nsite=%s\nmqtt=%s\noutbox=%u\npower=%s\nuptime_s=%u\n",
             s->dev.cfg.device, FW_NAME, s->dev.cfg.site, s->connected ? "connected" : "disconnected", (unsigned)queued,
             s->settings.power == CB_POWER_SLEEPY ? "sleepy" : "connected",
             (unsigned)((cb_mono_ms() - s->started_ms) / 1000));
    console_write(s, line);
}

static void handle_line(sim *s, const char *line)
{
    cb_console_action action = CB_CONSOLE_NONE;
    cb_console_line(&s->console, line, &action);
    const char *why = NULL;
    switch (action) {
    case CB_CONSOLE_SAVE:
        cb_console_done(&s->console, action, save_settings(s, &why) == 0 ? CB_OK : CB_E_FULL, why);
        break;
    case CB_CONSOLE_STATUS:
        write_status(s);
        cb_console_done(&s->console, action, CB_OK, NULL);
        break;
    case CB_CONSOLE_REBOOT:
        s->reboot_requested = true;
        break;
    case CB_CONSOLE_NONE:
        break;
    }
}

void cb_sim_console_poll(sim *s)
{
    if (s->console_fd < 0)
        return;
    char buf[256];
    ssize_t n;
    while (!s->reboot_requested && (n = read(s->console_fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !s->reboot_requested; i++) {
            bool ready = false;
            if (cb_line_feed(&s->console_reader, buf[i], &ready) == CB_E_TOO_LONG)
                cb_console_too_long(&s->console);
            if (ready)
                handle_line(s, s->console_reader.line);
        }
    }
}

void cb_sim_console_attach(sim *s)
{
    cb_console_init(&s->console, &s->settings, console_write, s);
}
