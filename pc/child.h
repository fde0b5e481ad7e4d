/* child.h - the programs callbell runs as children (Mosquitto, lighttpd,
 * mosquitto_passwd): found where Debian puts them, stopped politely and then firmly,
 * and their last words read back from their log when they die. */
#ifndef CALLBELL_PC_CHILD_H
#define CALLBELL_PC_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* The executable `name` on PATH, else in /usr/sbin, /usr/local/sbin, /usr/bin or
 * /usr/local/bin (a daemon's directory is often not on a user's PATH), into out.
 * 0, or -1 when there is none. */
int cb_child_find(const char *name, char *out, size_t cap);
/* In a forked child, before exec: stdin and stdout to /dev/null, stderr to stderr_fd
 * when >= 0 (else it stays), and a process group of its own, so a Ctrl-C in the
 * terminal reaches callbell, which stops its children in order. */
void cb_child_detach(int stderr_fd);
/* SIGTERM to *pid, up to grace_ms for it to exit, then SIGKILL; reaped either way and
 * *pid set to 0. Nothing when *pid <= 0. */
void cb_child_stop(pid_t *pid, unsigned grace_ms);
/* The last `lines` (1 to 3) lines of the log at path, joined by " | ", into out ("" when
 * it cannot be read): what a child said before it died. */
void cb_child_log_tail(const char *path, int lines, char *out, size_t cap);

#endif
