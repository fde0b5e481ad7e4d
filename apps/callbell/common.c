#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cb_common_init(cb_common *c, const char *command)
{
    memset(c, 0, sizeof *c);
    c->command = command;
    const char *b = getenv("CALLBELL_BROKER");
    const char *s = getenv("CALLBELL_SITE");
    const char *f = getenv("CALLBELL_CONFIG");
    c->broker_given = b && b[0];
    c->site_given = s && s[0];
    snprintf(c->broker_text, sizeof c->broker_text, "%s", c->broker_given ? b : CB_DEFAULT_BROKER);
    snprintf(c->site, sizeof c->site, "%s", c->site_given ? s : CB_DEFAULT_SITE);
    snprintf(c->config_path, sizeof c->config_path, "%s", f && f[0] ? f : "");
    const char *v = getenv("CALLBELL_MQTT");
    c->env_mqtt_bad = v && v[0] && cb_mqtt_version_parse(v, &c->mqtt) != 0;
}

void cb_fail(const cb_common *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "callbell %s: %s\n", c->command, msg);
}

int cb_common_option(cb_common *c, int opt, const char *arg)
{
    if (opt == 'B') {
        if (strlen(arg) >= sizeof c->broker_text) {
            cb_fail(c, "--broker URL is too long");
            return 2;
        }
        snprintf(c->broker_text, sizeof c->broker_text, "%s", arg);
        c->broker_given = true;
        return 0;
    }
    if (opt == 'C') {
        if (!arg[0] || strlen(arg) >= sizeof c->config_path) {
            cb_fail(c, "bad --config '%s': want the path of a site file", arg);
            return 2;
        }
        snprintf(c->config_path, sizeof c->config_path, "%s", arg);
        return 0;
    }
    if (opt == 'S') {
        if (cb_id_check(arg) != CB_OK) {
            cb_fail(c, "bad --site '%s': use 1-32 characters of a-z 0-9 _ -", arg);
            return 2;
        }
        snprintf(c->site, sizeof c->site, "%s", arg);
        c->site_given = true;
        return 0;
    }
    if (opt == 'Q') {
        if (cb_mqtt_version_parse(arg, &c->mqtt) != 0) {
            cb_fail(c, "bad --mqtt '%s': want 3, 5 or auto", arg);
            return 2;
        }
        c->env_mqtt_bad = false;
        return 0;
    }
    return cb_usage_error(c);
}

/* One site file per process: static, so it lives (and stays reachable) until exit. */
static cb_site_config loaded_site;

/* The site file to read: the one named, else <dir>/<site>.conf if it exists. */
static bool config_wanted(cb_common *c, char *path, size_t cap)
{
    if (c->config_path[0]) {
        snprintf(path, cap, "%s", c->config_path);
        return true;
    }
    const char *dir = getenv("CALLBELL_CONFIG_DIR");
    snprintf(path, cap, "%s/%s.conf", dir && dir[0] ? dir : CB_DEFAULT_CONFIG_DIR, c->site);
    return access(path, F_OK) == 0;
}

/* "user:password" on the first line of the file, into the URL (no %XX escapes). */
static int read_credentials(const cb_common *c, const char *path, cb_url *url)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cb_fail(c, "cannot read credentials file %s (from %s): %s", path, c->site_config->path, strerror(errno));
        return -1;
    }
    char line[300] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *colon = strchr(line, ':');
    if (!got || !colon || colon == line || (size_t)(colon - line) >= sizeof url->user ||
        strlen(colon + 1) >= sizeof url->pass) {
        cb_fail(c, "credentials file %s: want one line user:password", path);
        return -1;
    }
    *colon = '\0';
    memcpy(url->user, line, strlen(line) + 1); /* lengths checked above */
    memcpy(url->pass, colon + 1, strlen(colon + 1) + 1);
    return 0;
}

int cb_common_load_config(cb_common *c)
{
    char path[4096], err[1024];
    if (!config_wanted(c, path, sizeof path))
        return 0;
    if (loaded_site.path[0])
        cb_site_config_free(&loaded_site);
    if (cb_site_config_load(path, &loaded_site, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        return 2;
    }
    c->site_config = &loaded_site;
    if (!c->site_given)
        snprintf(c->site, sizeof c->site, "%s", loaded_site.id);
    if (!c->broker_given && loaded_site.broker_url[0])
        snprintf(c->broker_text, sizeof c->broker_text, "%s", loaded_site.broker_url);
    return 0;
}

int cb_common_finish(cb_common *c)
{
    char err[600];
    if (cb_common_load_config(c) != 0)
        return 2;
    if (cb_url_parse(c->broker_text, &c->broker, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        return 2;
    }
    if (c->env_mqtt_bad) {
        cb_fail(c, "bad CALLBELL_MQTT '%s': want 3, 5 or auto", getenv("CALLBELL_MQTT"));
        return 2;
    }
    c->broker.mqtt = c->mqtt;
    if (c->site_config && c->site_config->credentials_file[0] && !c->broker.user[0] &&
        read_credentials(c, c->site_config->credentials_file, &c->broker) != 0)
        return 2;
    if (cb_id_check(c->site) != CB_OK) {
        cb_fail(c, "bad site '%s' (CALLBELL_SITE): use 1-32 characters of a-z 0-9 _ -", c->site);
        return 2;
    }
    return 0;
}

int cb_usage_error(const cb_common *c)
{
    fprintf(stderr, "Try 'callbell %s --help'.\n", c->command);
    return 2;
}

int cb_parse_uint_range(const cb_common *c, const char *name, const char *arg, unsigned long min, unsigned long max,
                        unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] == '-' || errno || v < min || v > max) {
        cb_fail(c, "bad %s '%s': want a whole number from %lu to %lu", name, arg, min, max);
        return 2;
    }
    *out = v;
    return 0;
}

int cb_parse_uint(const cb_common *c, const char *name, const char *arg, unsigned long max, unsigned long *out)
{
    return cb_parse_uint_range(c, name, arg, 0, max, out);
}

int cb_common_end(cb_common *c, int argc, char **argv)
{
    if (optind < argc) {
        cb_fail(c, "unexpected argument '%s'", argv[optind]);
        return cb_usage_error(c);
    }
    return cb_common_finish(c);
}

int cb_common_end_table(cb_common *c, int argc, char **argv, const char *example, const char **table)
{
    if (optind >= argc) {
        cb_fail(c, "which table? e.g. %s", example);
        return cb_usage_error(c);
    }
    if (optind < argc - 1) {
        cb_fail(c, "only one TABLE, please (unexpected '%s')", argv[optind + 1]);
        return cb_usage_error(c);
    }
    *table = argv[optind];
    if (cb_id_check(*table) != CB_OK) {
        cb_fail(c, "bad table '%s': use 1-32 characters of a-z 0-9 _ -", *table);
        return 2;
    }
    return cb_common_finish(c);
}
