/* cmd_roles.c - `callbell device add|list|remove`, `callbell staff add|list|remove`,
 * `callbell display add|list|remove`: the site's credentials (pc/registry.h).
 *
 * A new credential's password is printed once and never stored: the registry keeps
 * only the hash Mosquitto reads. `callbell broker` notices the changed registry and
 * reloads Mosquitto, so a new credential works and a removed one stops at once. */
#define _POSIX_C_SOURCE 200809L
#include "cli_client.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "paths.h"
#include "registry.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct roles_opts {
    cb_registry_role role;
    const char *action; /* add, list, remove */
    const char *id;
    const char *tables;
    const char *db; /* list: the hub's database, for each device's last press */
} roles_opts;

static void help(cb_registry_role role)
{
    const char *r = cb_registry_role_name(role);
    printf("usage: callbell %s add ID%s [--site ID] [--config FILE]\n"
           "       callbell %s list%s\n"
           "       callbell %s remove ID\n\n",
           r, role == CB_REG_DEVICE ? " --tables 3,4" : "", r, role == CB_REG_DEVICE ? " [--db PATH]" : "", r);
    if (role == CB_REG_DEVICE)
        printf("A table device's own credential: it may press only for its tables, publish its own\n"
               "status and info, and read its tables' state and the hub's answers to it. ID is the\n"
               "device id (the firmware's, from `callbell device show`), which is also its MQTT user.\n\n"
               "  --tables LIST  the tables it presses for (ids of the site file's tables)\n"
               "  list           id, tables, online, firmware, battery, uptime (from the broker, when\n"
               "                 reachable) and the last press the hub stored (from its database:\n"
               "                 --db PATH, default that of `callbell hub`)\n"
               "  remove         retires it: its credential stops working at once and its retained\n"
               "                 status and info are cleared\n");
    else if (role == CB_REG_STAFF)
        printf("A staff credential (a board, a phone, the CLI): may acknowledge and close any\n"
               "request of the site and read the site. ID (a-z 0-9 _ -) is its MQTT user.\n");
    else
        printf("A display credential (a wall board, a guest-facing screen): reads the tables'\n"
               "state and the hub's status, sends nothing. ID (a-z 0-9 _ -) is its MQTT user.\n");
    printf("\nStored with the site in <site>.users (beside the site file, else in callbell's\n"
           "state directory; env CALLBELL_REGISTRY), hashes only, mode 0600 (0640 for the group\n"
           "callbell where the packaged services' group exists). `callbell broker`\n"
           "reloads it when it changes.\n\n" CB_COMMON_HELP);
}

static int parse(cb_common *c, roles_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"tables", required_argument, 0, 't'}, {"db", required_argument, 0, 'D'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            help(o->role);
            return -1;
        }
        if (opt == 't' && o->role == CB_REG_DEVICE) {
            o->tables = optarg;
            continue;
        }
        if (opt == 'D') {
            o->db = optarg;
            continue;
        }
        if (opt == 't' || cb_common_option(c, opt, optarg) != 0)
            return opt == 't' ? (cb_fail(c, "--tables is for devices"), 2) : 2;
    }
    bool wants_id = strcmp(o->action, "list") != 0;
    if (wants_id && optind >= argc) {
        cb_fail(c, "which %s? e.g. callbell %s %s %s", cb_registry_role_name(o->role), cb_registry_role_name(o->role),
                o->action, o->role == CB_REG_DEVICE ? "e6614103e7452d2f --tables 3" : "anna");
        return cb_usage_error(c);
    }
    if (optind + (wants_id ? 1 : 0) < argc) {
        cb_fail(c, "unexpected argument '%s'", argv[optind + (wants_id ? 1 : 0)]);
        return cb_usage_error(c);
    }
    o->id = wants_id ? argv[optind] : NULL;
    if (o->id && (cb_id_check(o->id) != CB_OK || strncmp(o->id, CB_HUB_USER_PREFIX, 13) == 0 ||
                  strncmp(o->id, CB_ADMIN_USER_PREFIX, 15) == 0)) {
        cb_fail(c,
                "bad %s id '%s': use 1-32 characters of a-z 0-9 _ - (not starting with " CB_HUB_USER_PREFIX
                " or " CB_ADMIN_USER_PREFIX ")",
                cb_registry_role_name(o->role), o->id);
        return 2;
    }
    if (o->role == CB_REG_DEVICE && strcmp(o->action, "add") == 0 && !o->tables) {
        cb_fail(c, "which tables does device %s press for? e.g. --tables 3,4", o->id);
        return 2;
    }
    return cb_common_finish(c);
}

/* Every table of --tables is a valid id and, with a site file, one of its tables. */
static int check_tables(const cb_common *c, const char *tables)
{
    char copy[CB_REGISTRY_TABLES];
    if (strlen(tables) >= sizeof copy || !tables[0] || tables[0] == ',' || tables[strlen(tables) - 1] == ',' ||
        strstr(tables, ",,")) {
        cb_fail(c, "bad --tables '%s': want table ids like 3,4", tables);
        return 2;
    }
    snprintf(copy, sizeof copy, "%s", tables);
    for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (cb_id_check(t) != CB_OK) {
            cb_fail(c, "bad table '%s' in --tables: use 1-32 characters of a-z 0-9 _ -", t);
            return 2;
        }
        if (c->site_config && !cb_site_config_table(c->site_config, t)) {
            char known[200] = "";
            for (size_t i = 0; i < c->site_config->table_count && strlen(known) < 150; i++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                         c->site_config->tables[i].id);
            cb_fail(c, "unknown table '%s': %s's tables are %s", t, c->site_config->path, known);
            return 2;
        }
    }
    return 0;
}

static int lock_fd = -1;

/* Two `add`s at once must not lose one: each holds <registry>.lock from reading the
 * file to writing it back (released at exit). */
static int lock_registry(const cb_common *c, const char *path)
{
    char lock[4200], dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    cb_mkdir_p(dirname(dir), 0700); /* a failure shows when opening the lock */
    snprintf(lock, sizeof lock, "%s.lock", path);
    lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX) != 0) {
        cb_fail(c, "cannot lock %s: %s", lock, strerror(errno));
        return -1;
    }
    return 0;
}

static int load(const cb_common *c, cb_registry *r)
{
    char path[4096], err[1024];
    if (cb_registry_path(c->site, c->site_config ? c->site_config->path : NULL, path, sizeof path, err, sizeof err) !=
        0) {
        cb_fail(c, "%s", err);
        return 1;
    }
    if (lock_registry(c, path) != 0)
        return 1;
    if (cb_registry_load(path, c->site, r, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        return 1;
    }
    return 0;
}

static int add(cb_common *c, const roles_opts *o)
{
    if (o->role == CB_REG_DEVICE && check_tables(c, o->tables) != 0)
        return 2;
    cb_registry r;
    if (load(c, &r) != 0)
        return 1;
    char err[1024], password[32], hash[CB_REGISTRY_HASH];
    const cb_registry_entry *old = cb_registry_find(&r, o->id);
    int rc = 1;
    if (old) {
        cb_fail(c, "%s '%s' is already registered%s%s (remove it first to give it a new credential)",
                cb_registry_role_name(old->role), o->id, old->role == CB_REG_DEVICE ? " for tables " : "", old->tables);
        goto out;
    }
    cb_registry_new_password(password, sizeof password);
    if (cb_registry_ensure_hub(&r, err, sizeof err) != 0 ||
        cb_registry_hash(o->id, password, hash, sizeof hash, err, sizeof err) != 0 ||
        cb_registry_add(&r, o->role, o->id, o->tables, hash, err, sizeof err) != 0 ||
        cb_registry_save(&r, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        goto out;
    }
    printf("%s %s added to site %s%s%s (%s)\n", cb_registry_role_name(o->role), o->id, c->site,
           o->role == CB_REG_DEVICE ? " for tables " : "", o->role == CB_REG_DEVICE ? o->tables : "", r.path);
    printf("user: %s\npassword: %s\n(shown this once: only its hash is kept)\n", o->id, password);
    if (o->role == CB_REG_DEVICE)
        printf("set the device up with it (USB serial):\n"
               "  callbell device setup --port /dev/ttyACM0 --site %s --mqtt-user %s --mqtt-password %s\n"
               "or build the firmware with -DCALLBELL_SITE=%s -DCALLBELL_MQTT_USERNAME=%s "
               "-DCALLBELL_MQTT_PASSWORD=%s\n",
               c->site, o->id, password, c->site, o->id, password);
    else
        printf("connect with: --broker mqtt://%s:%s@HOST:1883 (the web board: its settings panel, or\n"
               "  ?user=%s&pass=%s on its URL)\n",
               o->id, password, o->id, password);
    rc = 0;
out:
    cb_registry_free(&r);
    return rc;
}

/* ---- what the broker knows of devices: retained status and info ---- */

typedef struct device_live {
    const cb_registry *r;
    char (*status)[16];
    char (*info)[160];
    char prefix[CB_TOPIC_SIZE];
} device_live;

static void on_device_message(void *ctx, const struct mosquitto_message *msg)
{
    device_live *l = ctx;
    size_t pl = strlen(l->prefix);
    if (strncmp(msg->topic, l->prefix, pl) != 0)
        return;
    const char *id = msg->topic + pl, *slash = strchr(id, '/');
    if (!slash)
        return;
    for (size_t i = 0; i < l->r->n; i++) {
        const char *u = l->r->e[i].user;
        if (strlen(u) != (size_t)(slash - id) || strncmp(u, id, (size_t)(slash - id)) != 0)
            continue;
        int len = msg->payloadlen;
        if (strcmp(slash, "/status") == 0)
            snprintf(l->status[i], sizeof l->status[i], "%.*s", len < 15 ? len : 15, (const char *)msg->payload);
        else if (strcmp(slash, "/info") == 0)
            snprintf(l->info[i], sizeof l->info[i], "%.*s", len < 159 ? len : 159, (const char *)msg->payload);
    }
}

/* A JSON field of the info payload, as text (a short, fixed scan: display only). */
static void info_field(const char *info, const char *key, char *out, size_t cap)
{
    char k[32];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(info, k);
    snprintf(out, cap, "-");
    if (!p)
        return;
    p += strlen(k);
    size_t n = strcspn(p, ",}");
    snprintf(out, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), p);
    if (out[0] == '"') { /* a string: drop its quotes */
        memmove(out, out + 1, strlen(out));
        out[strcspn(out, "\"")] = '\0';
    }
}

/* When the hub last stored a press of `id` (its devices table; read-only, so a running
 * hub is not disturbed), as "3 min ago"; "-" when never, "?" without a database. */
static void last_press(sqlite3 *db, const char *id, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    snprintf(out, cap, "%s", db ? "-" : "?");
    if (!db || sqlite3_prepare_v2(db, "SELECT last_seen FROM devices WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
        uint64_t at = (uint64_t)sqlite3_column_int64(st, 0), now = cb_wall_ms();
        uint64_t ago = now > at ? (now - at) / 1000u : 0;
        if (ago < 120)
            snprintf(out, cap, "%llu s ago", (unsigned long long)ago);
        else if (ago < 7200)
            snprintf(out, cap, "%llu min ago", (unsigned long long)(ago / 60));
        else if (ago < 172800)
            snprintf(out, cap, "%llu h ago", (unsigned long long)(ago / 3600));
        else
            snprintf(out, cap, "%llu days ago", (unsigned long long)(ago / 86400));
    }
    sqlite3_finalize(st);
}

static sqlite3 *open_hub_db(const cb_common *c, const char *given)
{
    char path[4200], err[600], name[64];
    snprintf(name, sizeof name, "hub-%s.db", c->site);
    if (given)
        snprintf(path, sizeof path, "%s", given);
    else if (cb_state_path(name, path, sizeof path, err, sizeof err) != 0)
        return NULL;
    sqlite3 *db = NULL;
    if (access(path, R_OK) != 0 || sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        if (given)
            fprintf(stderr, "callbell device list: cannot read the hub's database %s: last press unknown\n", path);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    return db;
}

static int list(cb_common *c, const roles_opts *o)
{
    cb_registry r;
    if (load(c, &r) != 0)
        return 1;
    device_live l = {.r = &r};
    l.status = calloc(r.n + 1, sizeof *l.status);
    l.info = calloc(r.n + 1, sizeof *l.info);
    bool live = false;
    if (o->role == CB_REG_DEVICE && l.status && l.info && cb_common_site_credentials(c, "admin") == 0) {
        snprintf(l.prefix, sizeof l.prefix, "callbell/%s/device/", c->site);
        cb_mqtt_handlers h = {.ctx = &l, .on_message = on_device_message};
        char err[600], filter[CB_TOPIC_SIZE + 8];
        cb_mqtt_options mo = {.id_prefix = "cb-list", .clean_session = true, .quiet = true};
        cb_mqtt *m = cb_mqtt_open(&c->broker, &mo, &h, err, sizeof err);
        if (m && cb_mqtt_connect(m, 2000, err, sizeof err) == 0) {
            snprintf(filter, sizeof filter, "%s+/+", l.prefix);
            cb_mqtt_subscribe(m, filter, 1);
            uint64_t end = cb_mono_ms() + 700; /* retained messages come at once */
            while (cb_mono_ms() < end)
                cb_mqtt_run(m, 50);
            live = true;
        } else {
            fprintf(stderr,
                    "callbell %s list: the broker is not reachable (%s): online, firmware and battery "
                    "unknown\n",
                    cb_registry_role_name(o->role), err);
        }
        if (m)
            cb_mqtt_close(m, NULL);
    }
    sqlite3 *db = o->role == CB_REG_DEVICE ? open_hub_db(c, o->db) : NULL;
    if (o->role == CB_REG_DEVICE)
        printf("%-20s %-12s %-8s %-10s %-8s %-10s %s\n", "DEVICE", "TABLES", "ONLINE", "FIRMWARE", "BATTERY", "UPTIME",
               "LAST PRESS");
    else
        printf("%s\n", o->role == CB_REG_STAFF ? "STAFF" : "DISPLAY");
    for (size_t i = 0; i < r.n; i++) {
        const cb_registry_entry *e = &r.e[i];
        if (e->role != o->role)
            continue;
        if (o->role != CB_REG_DEVICE) {
            printf("%s\n", e->user);
            continue;
        }
        char fw[20], mv[20], up[24];
        info_field(l.info[i], "fw", fw, sizeof fw);
        info_field(l.info[i], "battery_mv", mv, sizeof mv);
        info_field(l.info[i], "uptime_s", up, sizeof up);
        if (strcmp(mv, "-") != 0)
            strncat(mv, " mV", sizeof mv - strlen(mv) - 1);
        if (strcmp(up, "-") != 0)
            strncat(up, " s", sizeof up - strlen(up) - 1);
        char pressed[32];
        last_press(db, e->user, pressed, sizeof pressed);
        printf("%-20s %-12s %-8s %-10s %-8s %-10s %s\n", e->user, e->tables,
               !live            ? "?"
               : l.status[i][0] ? l.status[i]
                                : "never",
               fw, mv, up, pressed);
    }
    sqlite3_close(db);
    free(l.status);
    free(l.info);
    cb_registry_free(&r);
    return 0;
}

/* Clears a retired device's retained status and info, as the site's admin (which may;
 * never as the hub: that would take the hub's client id and session). The registry change already took its credential
 * away. */
static void clear_device(cb_common *c, const char *id)
{
    char err[600], topic[CB_TOPIC_SIZE];
    if (cb_common_site_credentials(c, "admin") != 0)
        return;
    cb_mqtt_options mo = {.id_prefix = "cb-remove", .clean_session = true, .quiet = true};
    cb_mqtt *m = cb_mqtt_open(&c->broker, &mo, NULL, err, sizeof err);
    if (!m || cb_mqtt_connect(m, 2000, err, sizeof err) != 0) {
        fprintf(stderr, "callbell device remove: cannot clear its retained status and info: %s\n", err);
        if (m)
            cb_mqtt_close(m, NULL);
        return;
    }
    static const char *const leaves[] = {"status", "info"};
    for (int i = 0; i < 2; i++) {
        int mid = -1;
        snprintf(topic, sizeof topic, "callbell/%s/device/%s/%s", c->site, id, leaves[i]);
        if (cb_mqtt_publish(m, topic, "", 0, 1, true, &mid) == 0)
            cb_mqtt_wait_puback(m, mid, CB_CLI_TIMEOUT_MS);
    }
    printf("its retained status and info are cleared\n");
    cb_mqtt_close(m, NULL);
}

static int remove_one(cb_common *c, const roles_opts *o)
{
    cb_registry r;
    if (load(c, &r) != 0)
        return 1;
    char err[1024];
    int rc = 1;
    if (cb_registry_remove(&r, o->role, o->id) != 0) {
        cb_fail(c, "no %s '%s' in %s", cb_registry_role_name(o->role), o->id, r.path);
        goto out;
    }
    if (cb_registry_save(&r, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        goto out;
    }
    printf("%s %s removed from site %s: its credential stops working once `callbell broker` reloads (at once)\n",
           cb_registry_role_name(o->role), o->id, c->site);
    if (o->role == CB_REG_DEVICE)
        clear_device(c, o->id);
    rc = 0;
out:
    cb_registry_free(&r);
    return rc;
}

static int run(cb_registry_role role, const char *command, int argc, char **argv)
{
    static cb_common c;
    cb_common_init(&c, command);
    roles_opts o = {.role = role};
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        help(role);
        return argc < 2 ? 2 : 0;
    }
    o.action = argv[1];
    if (strcmp(o.action, "add") != 0 && strcmp(o.action, "list") != 0 && strcmp(o.action, "remove") != 0) {
        cb_fail(&c, "unknown subcommand '%s' (add, list, remove%s)", o.action,
                role == CB_REG_DEVICE ? ", setup, show" : "");
        return 2;
    }
    static char name[48];
    snprintf(name, sizeof name, "%s %s", command, o.action);
    c.command = name;
    int rc = parse(&c, &o, argc - 1, argv + 1);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (strcmp(o.action, "add") == 0)
        return add(&c, &o);
    if (strcmp(o.action, "list") == 0)
        return list(&c, &o);
    return remove_one(&c, &o);
}

int cb_cmd_device_roles(int argc, char **argv)
{
    return run(CB_REG_DEVICE, "device", argc, argv);
}

int cb_cmd_staff_roles(int argc, char **argv)
{
    return run(CB_REG_STAFF, "staff", argc, argv);
}

int cb_cmd_display(int argc, char **argv)
{
    return run(CB_REG_DISPLAY, "display", argc, argv);
}
