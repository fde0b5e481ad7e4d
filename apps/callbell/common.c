#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_common_init(cb_common *c, const char *command)
{
    memset(c, 0, sizeof *c);
    c->command = command;
    const char *b = getenv("CALLBELL_BROKER");
    const char *s = getenv("CALLBELL_SITE");
    snprintf(c->broker_text, sizeof c->broker_text, "%s", b && b[0] ? b : CB_DEFAULT_BROKER);
    snprintf(c->site, sizeof c->site, "%s", s && s[0] ? s : CB_DEFAULT_SITE);
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
        return 0;
    }
    if (opt == 'S') {
        if (cb_id_check(arg) != CB_OK) {
            cb_fail(c, "bad --site '%s': use 1-32 characters of a-z 0-9 _ -", arg);
            return 2;
        }
        snprintf(c->site, sizeof c->site, "%s", arg);
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

int cb_common_finish(cb_common *c)
{
    char err[600];
    if (cb_url_parse(c->broker_text, &c->broker, err, sizeof err) != 0) {
        cb_fail(c, "%s", err);
        return 2;
    }
    if (c->env_mqtt_bad) {
        cb_fail(c, "bad CALLBELL_MQTT '%s': want 3, 5 or auto", getenv("CALLBELL_MQTT"));
        return 2;
    }
    c->broker.mqtt = c->mqtt;
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

int cb_parse_uint(const cb_common *c, const char *name, const char *arg, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] == '-' || v > max) {
        cb_fail(c, "bad %s '%s': want a whole number from 0 to %lu", name, arg, max);
        return 2;
    }
    *out = v;
    return 0;
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
