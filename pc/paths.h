/* paths.h - where callbell keeps its files: $XDG_STATE_HOME/callbell, falling back
 * to ~/.local/state/callbell (created on demand, mode 0700). */
#ifndef CALLBELL_PC_PATHS_H
#define CALLBELL_PC_PATHS_H
#include <stddef.h>
/* Writes <state dir>/<name> into buf, creating the directory. 0 or -1 with err. */
int cb_state_path(const char *name, char *buf, size_t cap, char *err, size_t err_cap);
/* mkdir -p. 0 or -1 (errno set). */
int cb_mkdir_p(const char *path, int mode);
/* <prefix>/<rel> where this program is <prefix>/bin/<name> (read from /proc/self/exe),
 * so an installed callbell finds its files wherever the package was unpacked.
 * 0, or -1 if the program's path is unknown or too long. */
int cb_installed_path(const char *rel, char *buf, size_t cap);
#endif
