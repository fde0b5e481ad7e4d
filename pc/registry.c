/* registry.c - the site's credentials and roles (registry.h), parsed by libinih.
 *
 * inih does not tell a handler its line: as in site_config.c, we feed it through our
 * own line reader so an error can name the line. The file never holds a password,
 * only the hash Mosquitto reads; a hash is made by Debian's mosquitto_passwd so the
 * broker and we cannot disagree on the algorithm. */
#define _POSIX_C_SOURCE 200809L
#include "registry.h"

#include "child.h"
#include "ini_text.h"
#include "paths.h"
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ini.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_MAX (4u << 20) /* a registry of CB_REGISTRY_MAX entries is far below */

static const char *const role_names[] = {"hub", "device", "staff", "display", "admin"};

/* hub and admin: one per site, no id in the section, a user named after the site */
static bool site_role(cb_registry_role role)
{
    return role == CB_REG_HUB || role == CB_REG_ADMIN;
}

static const char *site_user_prefix(cb_registry_role role)
{
    return role == CB_REG_HUB ? CB_HUB_USER_PREFIX : CB_ADMIN_USER_PREFIX;
}

const char *cb_registry_role_name(cb_registry_role role)
{
    return (unsigned)role < sizeof role_names / sizeof role_names[0] ? role_names[role] : "?";
}

int cb_registry_path(const char *site, const char *site_file, char *out, size_t cap, char *err, size_t err_cap)
{
    const char *env = getenv("CALLBELL_REGISTRY");
    if (env && env[0]) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char name[64];
    snprintf(name, sizeof name, "%s.users", site);
    if (site_file && site_file[0]) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", site_file);
        if ((size_t)snprintf(out, cap, "%s/%s", dirname(copy), name) >= cap) {
            snprintf(err, err_cap, "the registry's path beside %s is too long", site_file);
            return -1;
        }
        return 0;
    }
    return cb_state_path(name, out, cap, err, err_cap);
}

/* ---- parsing ---- */

typedef struct parse_state {
    cb_ini_text in; /* the text, the line inih is on, the first error */
    cb_registry *r;
    cb_registry_entry *cur; /* the section being read */
    int cur_line;
} parse_state;

/* "$7$101$<salt>$<hash>" or "$6$<salt>$<hash>": base64 pieces, nothing else. */
static bool hash_ok(const char *h)
{
    if (strncmp(h, "$7$", 3) != 0 && strncmp(h, "$6$", 3) != 0)
        return false;
    size_t dollars = 0, n = strlen(h);
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '$')
            dollars++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
                   c == '='))
            return false;
    }
    return n > 20 && n < CB_REGISTRY_HASH && dollars == (h[1] == '7' ? 4u : 3u);
}

static bool tables_ok(const char *list)
{
    char copy[CB_REGISTRY_TABLES];
    if (!list[0] || strlen(list) >= sizeof copy)
        return false;
    snprintf(copy, sizeof copy, "%s", list);
    size_t n = 0;
    for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), n++)
        if (cb_id_check(t) != CB_OK)
            return false;
    /* no empty piece: as many ids as commas + 1 */
    size_t commas = 0;
    for (const char *p = list; *p; p++)
        commas += *p == ',';
    return n == commas + 1;
}

bool cb_registry_tables_has(const char *tables, const char *table)
{
    size_t tl = strlen(table);
    for (const char *p = tables; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == tl && memcmp(p, table, n) == 0)
            return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}

const cb_registry_entry *cb_registry_find(const cb_registry *r, const char *user)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].user, user) == 0)
            return &r->e[i];
    return NULL;
}

static cb_registry_entry *append(cb_registry *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        cb_registry_entry *e = realloc(r->e, cap * sizeof *e);
        if (!e)
            return NULL;
        r->e = e;
        r->cap = cap;
    }
    cb_registry_entry *e = &r->e[r->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The user name a section names, or an error. */
static int user_check(const cb_registry *r, cb_registry_role role, const char *user, char *err, size_t cap)
{
    if (site_role(role))
        return 0;
    if (cb_id_check(user) != CB_OK) {
        snprintf(err, cap, "bad %s id '%s': use 1-32 characters of a-z 0-9 _ -", cb_registry_role_name(role), user);
        return -1;
    }
    if (strncmp(user, CB_HUB_USER_PREFIX, strlen(CB_HUB_USER_PREFIX)) == 0 ||
        strncmp(user, CB_ADMIN_USER_PREFIX, strlen(CB_ADMIN_USER_PREFIX)) == 0) {
        snprintf(err, cap,
                 "bad %s id '%s': names starting with " CB_HUB_USER_PREFIX " or " CB_ADMIN_USER_PREFIX
                 " are the site's own",
                 cb_registry_role_name(role), user);
        return -1;
    }
    const cb_registry_entry *old = cb_registry_find(r, user);
    if (old) {
        snprintf(err, cap, "'%s' is already registered (as %s %s)", user, cb_registry_role_name(old->role), user);
        return -1;
    }
    return 0;
}

static bool section_role(const char *section, cb_registry_role *role, const char **id)
{
    for (unsigned i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        size_t n = strlen(role_names[i]);
        if (strncmp(section, role_names[i], n) != 0)
            continue;
        if (site_role((cb_registry_role)i) && section[n] == '\0') {
            *role = (cb_registry_role)i;
            *id = "";
            return true;
        }
        if (!site_role((cb_registry_role)i) && section[n] == ' ') {
            *role = (cb_registry_role)i;
            *id = section + n + 1;
            return true;
        }
    }
    return false;
}

static int end_section(parse_state *st)
{
    cb_registry_entry *e = st->cur;
    if (!e)
        return 0;
    int line = st->in.line;
    st->in.line = st->cur_line; /* name the section's line */
    if (!e->hash[0])
        cb_ini_text_fail(&st->in, "[%s%s%s] has no password", cb_registry_role_name(e->role), e->user[0] ? " " : "",
                         e->user);
    else if (e->role == CB_REG_DEVICE && !e->tables[0])
        cb_ini_text_fail(&st->in, "[device %s] has no tables", e->user);
    else if (site_role(e->role) && !e->user[0])
        cb_ini_text_fail(&st->in, "[%s] has no user", cb_registry_role_name(e->role));
    st->in.line = line;
    st->cur = NULL;
    return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    parse_state *st = user;
    cb_registry *r = st->r;
    cb_registry_role role;
    const char *id;
    if (!section_role(section, &role, &id)) {
        cb_ini_text_fail(
            &st->in, "[%s]: unknown section (want [hub], [admin], [device ID], [staff ID] or [display ID])", section);
        return 1;
    }
    bool same = st->cur && st->cur->role == role && (site_role(role) || strcmp(st->cur->user, id) == 0);
    if (!same) {
        end_section(st);
        char why[200];
        if (site_role(role)) {
            for (size_t i = 0; i < r->n; i++)
                if (r->e[i].role == role) {
                    cb_ini_text_fail(&st->in, "[%s] given twice", section);
                    return 1;
                }
        } else if (user_check(r, role, id, why, sizeof why) != 0) {
            cb_ini_text_fail(&st->in, "[%s]: %s", section, why);
            return 1;
        }
        if (r->n >= CB_REGISTRY_MAX) {
            cb_ini_text_fail(&st->in, "more than %d credentials", CB_REGISTRY_MAX);
            return 1;
        }
        st->cur = append(r);
        if (!st->cur) {
            cb_ini_text_fail(&st->in, "out of memory");
            return 0;
        }
        st->cur->role = role;
        snprintf(st->cur->user, sizeof st->cur->user, "%s", id);
        st->cur_line = st->in.line;
    }
    cb_registry_entry *e = st->cur;
    if (strcmp(key, "password") == 0) {
        if (e->hash[0] || !hash_ok(value))
            cb_ini_text_fail(&st->in, "[%s] password: %s", section,
                             e->hash[0] ? "given twice" : "not a mosquitto_passwd hash ($7$... ); the file is damaged");
        else
            snprintf(e->hash, sizeof e->hash, "%s", value);
    } else if (strcmp(key, "tables") == 0 && role == CB_REG_DEVICE) {
        if (e->tables[0] || !tables_ok(value))
            cb_ini_text_fail(&st->in, "[%s] tables: %s '%s'", section,
                             e->tables[0] ? "given twice" : "want ids like 3,4, not", value);
        else
            snprintf(e->tables, sizeof e->tables, "%s", value);
    } else if (strcmp(key, "user") == 0 && site_role(role)) {
        char want[CB_REGISTRY_USER];
        snprintf(want, sizeof want, "%s%s", site_user_prefix(role), r->site);
        if (strcmp(value, want) != 0)
            cb_ini_text_fail(&st->in, "[%s] user: want %s (this site's %s), not '%s'", section, want, section, value);
        else
            snprintf(e->user, sizeof e->user, "%s", value);
    } else {
        cb_ini_text_fail(&st->in, "[%s] %s: unknown key", section, key);
    }
    return 1;
}

static int parse_text(cb_registry *r, const char *text, size_t len, char *err, size_t err_cap)
{
    parse_state st = {.r = r};
    cb_ini_text_init(&st.in, text, len);
    int rc = ini_parse_stream(cb_ini_text_read_line, &st.in, on_key, &st);
    if (rc > 0 && (!st.in.error_line || rc < st.in.error_line)) {
        snprintf(err, err_cap, "%s:%d: not a [section] or a key = value line; the file is damaged", r->path, rc);
        return -1;
    }
    if (rc < 0) {
        snprintf(err, err_cap, "%s: cannot parse (error %d from inih)", r->path, rc);
        return -1;
    }
    end_section(&st);
    if (st.in.error_line) {
        snprintf(err, err_cap, "%s:%d: %s", r->path, st.in.error_line, st.in.error);
        return -1;
    }
    return 0;
}

int cb_registry_parse_text(const char *text, size_t len, const char *path, const char *site, cb_registry *r, char *err,
                           size_t err_cap)
{
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->site, sizeof r->site, "%s", site);
    r->exists = true;
    if (parse_text(r, text, len, err, err_cap) == 0)
        return 0;
    cb_registry_free(r);
    return -1;
}

int cb_registry_load(const char *path, const char *site, cb_registry *r, char *err, size_t err_cap)
{
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->site, sizeof r->site, "%s", site);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, err_cap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    r->exists = true;
    char *text = malloc(FILE_MAX);
    size_t len = text ? fread(text, 1, FILE_MAX, f) : 0;
    bool too_big = text && len == FILE_MAX;
    fclose(f);
    int rc = -1;
    if (!text)
        snprintf(err, err_cap, "out of memory");
    else if (too_big)
        snprintf(err, err_cap, "%s: larger than %u bytes", path, FILE_MAX);
    else
        rc = parse_text(r, text, len, err, err_cap);
    free(text);
    if (rc != 0) {
        free(r->e);
        r->e = NULL;
        r->n = r->cap = 0;
    }
    return rc;
}

void cb_registry_free(cb_registry *r)
{
    free(r->e);
    r->e = NULL;
    r->n = r->cap = 0;
}

int cb_registry_add(cb_registry *r, cb_registry_role role, const char *user, const char *tables, const char *hash,
                    char *err, size_t err_cap)
{
    if (user_check(r, role, user, err, err_cap) != 0)
        return -1;
    if (role == CB_REG_DEVICE && !tables_ok(tables ? tables : "")) {
        snprintf(err, err_cap, "bad --tables '%s': want table ids like 3,4", tables ? tables : "");
        return -1;
    }
    if (!hash_ok(hash)) {
        snprintf(err, err_cap, "mosquitto_passwd gave no usable hash");
        return -1;
    }
    if (r->n >= CB_REGISTRY_MAX || strlen(user) >= CB_REGISTRY_USER) {
        snprintf(err, err_cap, "no room: at most %d credentials", CB_REGISTRY_MAX);
        return -1;
    }
    cb_registry_entry *e = append(r);
    if (!e) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    e->role = role;
    snprintf(e->user, sizeof e->user, "%s", user);
    snprintf(e->tables, sizeof e->tables, "%s", role == CB_REG_DEVICE ? tables : "");
    snprintf(e->hash, sizeof e->hash, "%s", hash);
    return 0;
}

int cb_registry_remove(cb_registry *r, cb_registry_role role, const char *user)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->e[i].role == role && strcmp(r->e[i].user, user) == 0) {
            memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof r->e[0]);
            r->n--;
            return 0;
        }
    }
    return -1;
}

/* ---- writing ---- */

/* Opens `<path>.tmp` 0600 for a file that replaces `path` at commit_file, which sets
 * its final group and mode (share_with_service). */
static FILE *open_private(const char *path, char *tmp, size_t tmp_cap, char *err, size_t err_cap)
{
    snprintf(tmp, tmp_cap, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

/* Who may read the new file besides its owner. The packaged services run as the system
 * user and group CB_SERVICE_GROUP while an admin writes the registry as root: a file
 * only root could read would stop the hub and the broker at their next start.
 *   - a file that exists keeps its group and its owner/group read bits (an admin's
 *     chgrp/chmod survive the next `callbell device add`); never any bit for others;
 *   - a new file goes to the group CB_SERVICE_GROUP, 0640, where that group exists and
 *     we may give the file to it (root, or a member); else it stays 0600.
 * Done on the temporary file, before the rename, so no reader ever sees looser bits. */
static void share_with_service(int fd, const char *path)
{
    struct stat old;
    mode_t mode = 0600;
    if (stat(path, &old) == 0) {
        if (old.st_gid == getegid() || fchown(fd, (uid_t)-1, old.st_gid) == 0)
            mode = (old.st_mode & 0640) | 0600;
    } else {
        const struct group *g = getgrnam(CB_SERVICE_GROUP);
        if (g && fchown(fd, (uid_t)-1, g->gr_gid) == 0)
            mode = 0640;
    }
    fchmod(fd, mode);
}

/* fsync, close and rename over `path`: a reader sees the old file or the new one. */
static int commit_file(FILE *f, const char *tmp, const char *path, char *err, size_t err_cap)
{
    bool ok = fflush(f) == 0;
    if (ok)
        share_with_service(fileno(f), path);
    ok = ok && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cb_registry_save(cb_registry *r, char *err, size_t err_cap)
{
    char dir[4096], tmp[4200];
    snprintf(dir, sizeof dir, "%s", r->path);
    if (cb_mkdir_p(dirname(dir), 0700) != 0) {
        snprintf(err, err_cap, "cannot create the directory of %s: %s", r->path, strerror(errno));
        return -1;
    }
    FILE *f = open_private(r->path, tmp, sizeof tmp, err, err_cap);
    if (!f)
        return -1;
    fprintf(f,
            "# callbell: who may use site %s's broker (hashes only, no passwords).\n"
            "# Change it with `callbell device|staff|display add|remove`; `callbell broker` reloads it.\n",
            r->site);
    for (size_t i = 0; i < r->n; i++) {
        const cb_registry_entry *e = &r->e[i];
        if (site_role(e->role))
            fprintf(f, "\n[%s]\nuser = %s\n", cb_registry_role_name(e->role), e->user);
        else
            fprintf(f, "\n[%s %s]\n", cb_registry_role_name(e->role), e->user);
        if (e->role == CB_REG_DEVICE)
            fprintf(f, "tables = %s\n", e->tables);
        fprintf(f, "password = %s\n", e->hash);
    }
    if (commit_file(f, tmp, r->path, err, err_cap) != 0)
        return -1;
    r->exists = true;
    return 0;
}

/* The ACL of one credential (Mosquitto 2.0 acl_file syntax). */
static void acl_entry(FILE *f, const char *site, const cb_registry_entry *e)
{
    fprintf(f, "\n# %s\nuser %s\n", cb_registry_role_name(e->role), e->user);
    switch (e->role) {
    case CB_REG_HUB: /* the one authority: states, hub/..., answers, clearing retired devices */
        fprintf(f, "topic readwrite callbell/%s/#\n", site);
        break;
    case CB_REG_DEVICE: {
        char copy[CB_REGISTRY_TABLES];
        snprintf(copy, sizeof copy, "%s", e->tables);
        for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            fprintf(f, "topic write callbell/%s/table/%s/press\ntopic read callbell/%s/table/%s/state\n", site, t, site,
                    t);
        fprintf(f, "topic write callbell/%s/device/%s/status\ntopic write callbell/%s/device/%s/info\n", site, e->user,
                site, e->user);
        fprintf(f, "topic read callbell/%s/hub/status\n", site);
        break;
    }
    case CB_REG_STAFF: /* commands, questions to the hub, signing in to sections */
        fprintf(f, "topic read callbell/%s/#\ntopic write callbell/%s/table/+/cmd\n", site, site);
        fprintf(f, "topic write callbell/%s/hub/request\n", site);
        fprintf(f, "topic write callbell/%s/staff/+/signin\n", site);
        break;
    case CB_REG_ADMIN: /* `device list` reads, `device remove` clears a retired device; a starting hub
                        * asks with it whether another hub serves the site */
        fprintf(f, "topic read callbell/%s/#\ntopic write callbell/%s/device/+/status\n", site, site);
        fprintf(f, "topic write callbell/%s/device/+/info\ntopic write callbell/%s/hub/request\n", site, site);
        break;
    case CB_REG_DISPLAY: /* reads, and asks the hub what is open (a board's start-up view) */
        fprintf(f, "topic read callbell/%s/table/+/state\ntopic read callbell/%s/hub/#\n", site, site);
        fprintf(f, "topic write callbell/%s/hub/request\n", site);
        fprintf(f, "topic read callbell/%s/device/+/status\ntopic read callbell/%s/device/+/info\n", site, site);
        fprintf(f, "topic read callbell/%s/site\n", site);
        break;
    }
}

int cb_registry_write_broker_files(const cb_registry *r, const char *passwd, const char *acl, char *err, size_t err_cap)
{
    char tmp[4200];
    FILE *f = open_private(passwd, tmp, sizeof tmp, err, err_cap);
    if (!f)
        return -1;
    for (size_t i = 0; i < r->n; i++)
        fprintf(f, "%s:%s\n", r->e[i].user, r->e[i].hash);
    if (commit_file(f, tmp, passwd, err, err_cap) != 0)
        return -1;
    if (!(f = open_private(acl, tmp, sizeof tmp, err, err_cap)))
        return -1;
    fprintf(f,
            "# Written by `callbell broker` from %s; edits are overwritten.\n"
            "# The broker makes each user name its client id, so %%c is the user: every\n"
            "# client may use its own answer topic (the hub answers there; the CLI checks it).\n"
            "pattern readwrite callbell/%s/reply/%%c\n",
            r->path, r->site);
    for (size_t i = 0; i < r->n; i++)
        acl_entry(f, r->site, &r->e[i]);
    return commit_file(f, tmp, acl, err, err_cap);
}

/* ---- passwords ---- */

void cb_registry_new_password(char *out, size_t cap)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32: 5 bits a character */
    size_t n = cap > 25 ? 24 : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[cb_random_u32() & 31u];
    out[n] = '\0';
}

int cb_registry_hash(const char *user, const char *password, char *hash, size_t cap, char *err, size_t err_cap)
{
    char tool[4096], dir[] = "/tmp/callbell-passwd.XXXXXX", file[64];
    if (cb_child_find("mosquitto_passwd", tool, sizeof tool) != 0) {
        snprintf(err, err_cap, "mosquitto_passwd is not installed (Debian: sudo apt-get install mosquitto)");
        return -1;
    }
    if (!mkdtemp(dir)) {
        snprintf(err, err_cap, "cannot make a private temporary directory: %s", strerror(errno));
        return -1;
    }
    snprintf(file, sizeof file, "%s/p", dir);
    int rc = -1;
    FILE *f = NULL;
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        snprintf(err, err_cap, "cannot write %s: %s", file, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    fprintf(f, "%s:%s\n", user, password);
    if (fclose(f) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", file, strerror(errno));
        goto out;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        execl(tool, "mosquitto_passwd", "-U", file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, err_cap, "mosquitto_passwd -U failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        goto out;
    }
    char line[400] = "";
    f = fopen(file, "r");
    bool got = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    size_t ul = strlen(user);
    if (!got || strncmp(line, user, ul) != 0 || line[ul] != ':' || !hash_ok(line + ul + 1) ||
        strlen(line + ul + 1) >= cap) {
        snprintf(err, err_cap, "mosquitto_passwd -U wrote no hash");
        goto out;
    }
    snprintf(hash, cap, "%s", line + ul + 1);
    rc = 0;
out:
    unlink(file);
    rmdir(dir);
    return rc;
}

void cb_registry_hub_credentials_path(const cb_registry *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s.hub", r->path);
}

/* One of the site's own credentials (hub, admin), if missing: its password goes only
 * to "<registry>.<role>" (private like the registry), its hash into the registry. */
static int ensure_site_credential(cb_registry *r, cb_registry_role role, bool *added, char *err, size_t err_cap)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].role == role)
            return 0;
    char user[CB_REGISTRY_USER], password[32], hash[CB_REGISTRY_HASH], path[4200], tmp[4300];
    snprintf(user, sizeof user, "%s%s", site_user_prefix(role), r->site);
    cb_registry_new_password(password, sizeof password);
    if (cb_registry_hash(user, password, hash, sizeof hash, err, err_cap) != 0)
        return -1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", r->path);
    if (cb_mkdir_p(dirname(dir), 0700) != 0) {
        snprintf(err, err_cap, "cannot create the directory of %s: %s", r->path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s.%s", r->path, cb_registry_role_name(role));
    FILE *f = open_private(path, tmp, sizeof tmp, err, err_cap);
    if (!f)
        return -1;
    fprintf(f, "%s:%s\n", user, password);
    if (commit_file(f, tmp, path, err, err_cap) != 0)
        return -1;
    cb_registry_entry *e = append(r);
    if (!e) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    e->role = role;
    snprintf(e->user, sizeof e->user, "%s", user);
    snprintf(e->hash, sizeof e->hash, "%s", hash);
    *added = true;
    return 0;
}

int cb_registry_ensure_hub(cb_registry *r, char *err, size_t err_cap)
{
    bool added = false;
    if (ensure_site_credential(r, CB_REG_HUB, &added, err, err_cap) != 0 ||
        ensure_site_credential(r, CB_REG_ADMIN, &added, err, err_cap) != 0)
        return -1;
    return added ? cb_registry_save(r, err, err_cap) : 0;
}
