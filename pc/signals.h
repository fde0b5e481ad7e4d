/* signals.h - Ctrl-C / SIGTERM set a flag; long-running commands poll it and stop
 * cleanly (retained "offline", database committed). SIGHUP stops them too, except
 * the hub, for which it means "re-read the site file" (systemctl reload). */
#ifndef CALLBELL_PC_SIGNALS_H
#define CALLBELL_PC_SIGNALS_H
#include <signal.h>
extern volatile sig_atomic_t cb_stop_requested;
extern volatile sig_atomic_t cb_reload_requested;
void cb_install_stop_handlers(void);
/* After cb_install_stop_handlers: SIGHUP sets cb_reload_requested instead. */
void cb_install_reload_handler(void);
#endif
