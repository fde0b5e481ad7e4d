/* demo_supervisor.h - the process behind `callbell demo`'s board: it runs the
 * broker, the hub and the simulated tables, restarts whichever dies and says so
 * (on the board and in the log), plays the simulated guests, forwards the board's
 * digit keys to the tables, and keeps the demo's logs bounded. */
#ifndef CALLBELL_APP_DEMO_SUPERVISOR_H
#define CALLBELL_APP_DEMO_SUPERVISOR_H

#include "broker_launch.h"

#define CB_DEMO_TABLES 4

typedef struct cb_demo_setup {
    cb_broker_config broker;
    char url[64];          /* mqtt://127.0.0.1:<broker.port> */
    const char *db;        /* the hub's database */
    const char *log_path;  /* every child's output, and the supervisor's own lines */
    unsigned long log_max; /* bytes: beyond it the log moves to <log>.1 and starts again */
    unsigned guest_mean_s; /* a simulated guest presses every ~S seconds; 0 = never */
    int ctl_fd;            /* from the board: '1'..'4' press that table; EOF = stop */
    int notes_fd;          /* to the board: first "ready\n" or "failed: WHY\n", then a line per event */
} cb_demo_setup;

/* Runs the demo's processes until ctl_fd closes or SIGTERM/SIGINT, then stops them
 * all (broker last, so it saves its state). Meant to run in its own process: it
 * sends its stderr to the log. Returns that process's exit code. */
int cb_demo_supervise(const cb_demo_setup *s);

#endif
