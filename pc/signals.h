/* signals.h - Ctrl-C / SIGTERM set a flag; long-running commands poll it and stop
 * cleanly (retained "offline", database committed). */
#ifndef CALLBELL_PC_SIGNALS_H
#define CALLBELL_PC_SIGNALS_H
#include <signal.h>
extern volatile sig_atomic_t cb_stop_requested;
void cb_install_stop_handlers(void);
#endif
