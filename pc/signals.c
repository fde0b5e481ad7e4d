#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <string.h>

volatile sig_atomic_t cb_stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    cb_stop_requested = 1;
}

void cb_install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
