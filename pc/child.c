/* child.c - the programs callbell runs as children (child.h). */
#define _POSIX_C_SOURCE 200809L
#include "child.h"

#include "clock.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cb_child_find(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    char dirs[8192];
    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin", path ? path : "");
    for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, cap, "%s/%s", d, name);
        if (access(out, X_OK) == 0)
            return 0;
    }
    return -1;
}

void cb_child_detach(int stderr_fd)
{
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
    }
    if (stderr_fd >= 0)
        dup2(stderr_fd, 2);
    setpgid(0, 0);
}

void cb_child_stop(pid_t *pid, unsigned grace_ms)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    for (unsigned waited = 0; waited < grace_ms; waited += 50) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = 0;
            return;
        }
        cb_sleep_ms(50);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}

void cb_child_log_tail(const char *path, int lines, char *out, size_t cap)
{
    out[0] = '\0';
    if (lines < 1 || lines > 3)
        lines = 3;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512], last[3][512] = {"", "", ""}; /* the newest in last[2] */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        memmove(last[0], last[1], sizeof last[0] * 2);
        snprintf(last[2], sizeof last[2], "%s", line);
    }
    fclose(f);
    size_t n = 0;
    for (int i = 3 - lines; i < 3 && n < cap; i++)
        if (last[i][0])
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " | " : "", last[i]);
}
