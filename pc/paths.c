#define _POSIX_C_SOURCE 200809L
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cb_mkdir_p(const char *path, int mode)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int cb_installed_path(const char *rel, char *buf, size_t cap)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) { /* drop "/callbell", then "/bin" */
        char *slash = strrchr(exe, '/');
        if (!slash)
            return -1;
        *slash = '\0';
    }
    return snprintf(buf, cap, "%s/%s", exe, rel) < (int)cap ? 0 : -1;
}

int cb_state_path(const char *name, char *buf, size_t cap, char *err, size_t err_cap)
{
    char dir[3072];
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/callbell", xdg);
    else if (home && home[0])
        snprintf(dir, sizeof dir, "%s/.local/state/callbell", home);
    else {
        snprintf(err, err_cap, "neither XDG_STATE_HOME nor HOME is set; give the path explicitly");
        return -1;
    }
    if (cb_mkdir_p(dir, 0700) != 0) {
        snprintf(err, err_cap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (snprintf(buf, cap, "%s/%s", dir, name) >= (int)cap) {
        snprintf(err, err_cap, "path too long");
        return -1;
    }
    return 0;
}
