/* cmd_config.c - `callbell config check [FILE]`: validate a site file and print the
 * site as understood; `callbell config --reference` prints every key, the text
 * callbell.conf(5) is generated from. */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "common.h"
#include "site_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: callbell config check [FILE] [options]\n\n"
    "Checks a site file (default: --config, CALLBELL_CONFIG, else " CB_DEFAULT_CONFIG_DIR "/<site>.conf)\n"
    "and prints the site as understood: its name, broker, escalation times, board\n"
    "colours, staff and tables. A bad file is refused with its file, line and key named,\n"
    "exit code 1; every command refuses to start on it the same way.\n\n"
    "  --reference    print every section and key of the site file (callbell.conf(5))\n" CB_COMMON_HELP;

static const char reference_intro[] =
    "usage: " CB_DEFAULT_CONFIG_DIR "/SITE.conf\n\n"
    "The site file of callbell: one INI file per restaurant that names the site, its\n"
    "broker, its tables as the staff say them, the escalation times, the board's colour\n"
    "thresholds and the staff. Every callbell command reads it with --config FILE (env\n"
    "CALLBELL_CONFIG), or " CB_DEFAULT_CONFIG_DIR "/<site>.conf when that exists; flags and\n"
    "environment override it. callbell-hub@SITE.service runs the hub on " CB_DEFAULT_CONFIG_DIR "/SITE.conf.\n\n"
    "Lines are [section] or key = value; ; or # starts a comment line, and \" ;\" ends a\n"
    "value. Unknown sections and keys, a key given twice and bad values are errors naming\n"
    "the file, the line and the key: nothing starts on a bad file. Check one with\n"
    "`callbell config check FILE`.\n\n"
    "Sections and keys:\n\n";

static int check(cb_common *c, const char *file)
{
    if (file)
        snprintf(c->config_path, sizeof c->config_path, "%s", file);
    if (!c->config_path[0]) {
        /* no file named: the default must exist for there to be something to check */
        const char *dir = getenv("CALLBELL_CONFIG_DIR");
        snprintf(c->config_path, sizeof c->config_path, "%s/%s.conf", dir && dir[0] ? dir : CB_DEFAULT_CONFIG_DIR,
                 c->site);
    }
    if (cb_common_load_config(c) != 0)
        return 1;
    printf("%s: ok\n", c->site_config->path);
    cb_site_config_print(c->site_config, stdout);
    /* callbell-hub@X.service reads X.conf: an id other than X is most likely a slip */
    const char *base = strrchr(c->site_config->path, '/');
    base = base ? base + 1 : c->site_config->path;
    size_t id_len = strlen(c->site_config->id);
    if (strcmp(base + strcspn(base, "."), ".conf") == 0 &&
        (strncmp(base, c->site_config->id, id_len) != 0 || base[id_len] != '.'))
        printf("note: the file is %s but its site id is %s (callbell-hub@%.*s runs site %s)\n", base,
               c->site_config->id, (int)strcspn(base, "."), base, c->site_config->id);
    /* the files it names are read by the services, maybe as another user: say what
     * this user cannot read, without failing the check */
    const char *files[] = {c->site_config->credentials_file, c->site_config->password_file};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (files[i][0] && access(files[i], R_OK) != 0)
            printf("note: %s: %s\n", files[i], strerror(errno));
    return 0;
}

int cb_cmd_config(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "config");
    static const struct option longopts[] = {{"reference", no_argument, 0, 'R'}, CB_COMMON_OPTIONS, {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(help, stdout);
            fputs("\nThe site file:\n", stdout);
            cb_site_config_print_reference(stdout);
            return 0;
        case 'R':
            fputs(reference_intro, stdout);
            cb_site_config_print_reference(stdout);
            return 0;
        default:
            if (cb_common_option(&c, opt, optarg) != 0)
                return 2;
        }
    }
    if (optind >= argc) {
        cb_fail(&c, "what to do? e.g. callbell config check /etc/callbell/trattoria.conf");
        return cb_usage_error(&c);
    }
    if (strcmp(argv[optind], "check") != 0) {
        cb_fail(&c, "unknown action '%s' (want: check)", argv[optind]);
        return cb_usage_error(&c);
    }
    if (optind + 2 < argc) {
        cb_fail(&c, "only one FILE, please (unexpected '%s')", argv[optind + 2]);
        return cb_usage_error(&c);
    }
    return check(&c, optind + 1 < argc ? argv[optind + 1] : NULL);
}
