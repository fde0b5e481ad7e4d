/* cmd_board.c - `callbell board`: options for the terminal staff board (board/). */
#include "board.h"
#include "commands.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: callbell board [--name NAME] [--no-bell] [options]\n\n"
           "The staff board in the terminal: every open request (call, bill, water) on a\n"
           "line of its own, waiting ones first and oldest first, with its waiting time; a\n"
           "tile per table with all its requests; hub and device warnings; a bell on every\n"
           "new request or re-alert. Colours: cyan new, yellow waiting over a minute, red\n"
           "over three, green acknowledged.\n\n"
           "Keys: up/down or j/k select a request, a acknowledge it, d done, A / D\n"
           "acknowledge / done every open request of its table, n change your name, q quit.\n"
           "The line under the queue says what each command did: the hub answers it, and\n"
           "one it refuses (a request a colleague closed meanwhile) shows the reason.\n\n"
           "  --name NAME    staff name sent with ack/done (default $USER, or \"staff\")\n"
           "  --no-bell      don't ring the terminal bell\n" CB_COMMON_HELP);
}

/* The core's staff-name rule (the hub and the web board apply the same one). */
static bool name_ok(const char *name)
{
    return cb_name_check(name, strlen(name)) == CB_OK;
}

int cb_cmd_board(int argc, char **argv)
{
    enum { OPT_NAME = 256, OPT_NO_BELL, OPT_GUEST_FD, OPT_NOTE, OPT_NOTES_FD };
    /* --guest-fd, --note and --notes-fd are for `callbell demo`, not documented in --help */
    static const struct option options[] = {{"name", required_argument, 0, OPT_NAME},
                                            {"no-bell", no_argument, 0, OPT_NO_BELL},
                                            {"guest-fd", required_argument, 0, OPT_GUEST_FD},
                                            {"note", required_argument, 0, OPT_NOTE},
                                            {"notes-fd", required_argument, 0, OPT_NOTES_FD},
                                            CB_COMMON_OPTIONS,
                                            {0, 0, 0, 0}};
    cb_common common;
    cb_common_init(&common, "board");
    const char *user = getenv("USER");
    const char *name = user && name_ok(user) ? user : "staff";
    bool bell = true;
    int guest_fd = -1, notes_fd = -1;
    const char *note = NULL;
    unsigned long n;
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            help();
            return 0;
        case OPT_NAME:
            if (!name_ok(optarg)) {
                cb_fail(&common,
                        "bad --name '%s': 1-32 bytes of UTF-8, no control characters, no leading or trailing space",
                        optarg);
                return 2;
            }
            name = optarg;
            break;
        case OPT_NO_BELL:
            bell = false;
            break;
        case OPT_GUEST_FD:
            if (cb_parse_uint(&common, "--guest-fd", optarg, 1024, &n) != 0)
                return 2;
            guest_fd = (int)n;
            break;
        case OPT_NOTES_FD:
            if (cb_parse_uint(&common, "--notes-fd", optarg, 1024, &n) != 0)
                return 2;
            notes_fd = (int)n;
            break;
        case OPT_NOTE:
            note = optarg;
            break;
        default:
            if ((rc = cb_common_option(&common, c, optarg)) != 0)
                return rc;
        }
    }
    if (optind < argc) {
        cb_fail(&common, "unexpected argument '%s'", argv[optind]);
        return cb_usage_error(&common);
    }
    if ((rc = cb_common_finish(&common)) != 0)
        return rc;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        cb_fail(&common, "needs a terminal; for scripts use `callbell calls`");
        return 2;
    }
    cb_board_options o = {.broker = common.broker,
                          .site = common.site,
                          .name = name,
                          .bell = bell,
                          .guest_fd = guest_fd,
                          .note = note,
                          .notes_fd = notes_fd};
    return cb_board_run(&o);
}
