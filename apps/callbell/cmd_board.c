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
    printf("usage: callbell board [--name NAME] [--section LIST [--role ROLE]] [--no-bell] [options]\n\n"
           "The staff board in the terminal: every open request (call, bill, water) on a\n"
           "line of its own, waiting ones first and oldest first, with its waiting time; a\n"
           "tile per table with all its requests; hub and device warnings; a bell on every\n"
           "new request or re-alert. Colours: cyan new, yellow waiting over a minute, red\n"
           "over three, green acknowledged.\n\n"
           "Keys: up/down or j/k select a request, a acknowledge it, d done, A / D\n"
           "acknowledge / done every open request of its table, / then a table's id selects\n"
           "that table's oldest request, n change your name, s sign in to sections, q quit.\n"
           "The line under the queue says what each command did: the hub answers it, and\n"
           "one it refuses (a request a colleague closed meanwhile) shows the reason.\n\n"
           "  --name NAME    staff name sent with ack/done (default $USER, or \"staff\")\n"
           "  --section LIST sign in to these sections (ids from the site file's [sections],\n"
           "                 comma-separated): a new call there rings this board; other\n"
           "                 calls ring it once they escalate to the floor (or, for a\n"
           "                 manager, to the managers). Not signed in: every call that\n"
           "                 rings the floor rings here. The sign-in is renewed every 30 s\n"
           "                 and lapses when the board is gone. Keys: s signs in/out\n"
           "  --role ROLE    staff (default) or manager; a manager without --section is\n"
           "                 signed in to no section and hears calls that reach the managers\n"
           "  --no-bell      don't ring the terminal bell\n" CB_COMMON_HELP);
}

/* The core's staff-name rule (the hub and the web board apply the same one). */
static bool name_ok(const char *name)
{
    return cb_name_check(name, strlen(name)) == CB_OK;
}

int cb_cmd_board(int argc, char **argv)
{
    enum { OPT_NAME = 256, OPT_NO_BELL, OPT_GUEST_FD, OPT_NOTE, OPT_NOTES_FD, OPT_SECTION, OPT_ROLE };
    /* --guest-fd, --note and --notes-fd are for `callbell demo`, not documented in --help */
    static const struct option options[] = {{"name", required_argument, 0, OPT_NAME},
                                            {"no-bell", no_argument, 0, OPT_NO_BELL},
                                            {"section", required_argument, 0, OPT_SECTION},
                                            {"role", required_argument, 0, OPT_ROLE},
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
    const char *sections = NULL;
    cb_role role = CB_ROLE_STAFF;
    bool role_given = false;
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
        case OPT_SECTION:
            sections = optarg;
            break;
        case OPT_ROLE:
            if (cb_role_parse(optarg, strlen(optarg), &role) != CB_OK || role == CB_ROLE_OFF) {
                cb_fail(&common, "bad --role '%s': staff or manager", optarg);
                return 2;
            }
            role_given = true;
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
    if (role_given && !sections)
        sections = ""; /* a manager may watch the floor without a section */
    cb_signin check;
    if (sections && cb_board_parse_signin(name, role, sections, &check) != CB_OK) {
        cb_fail(&common, "bad --section '%s': section ids (a-z 0-9 _ -) separated by commas, at most %d", sections,
                CB_SIGNIN_SECTIONS_MAX);
        return 2;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        cb_fail(&common, "needs a terminal; for scripts use `callbell calls`");
        return 2;
    }
    cb_board_options o = {.broker = common.broker,
                          .site = common.site,
                          .name = name,
                          .sections = sections,
                          .role = role,
                          .bell = bell,
                          .guest_fd = guest_fd,
                          .note = note,
                          .notes_fd = notes_fd};
    return cb_board_run(&o);
}
