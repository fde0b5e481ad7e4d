#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <string.h>

volatile sig_atomic_t cb_stop_requested;
volatile sig_atomic_t cb_reload_requested;

static void on_stop(int sig)
{
    (void)sig;
    cb_stop_requested = 1;
}

static void on_reload(int sig)
{
    (void)sig;
    cb_reload_requested = 1;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigaction(sig, &sa, NULL);
}

void cb_install_stop_handlers(void)
{
    handle(SIGINT, on_stop);
    handle(SIGTERM, on_stop);
    handle(SIGHUP, on_stop);
    signal(SIGPIPE, SIG_IGN);
}

void cb_install_reload_handler(void)
{
    handle(SIGHUP, on_reload);
}
