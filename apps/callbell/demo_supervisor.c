/* demo_supervisor.c - see demo_supervisor.h. One loop: keys from the board, the
 * simulated guests, a check of every child, and the log's size, a few times a
 * second. A child that died is restarted at most every RESTART_GAP_MS, so one that
 * dies at once (a bad database, a busy port) cannot spin. */
#define _POSIX_C_SOURCE 200809L
#include "demo_supervisor.h"

#include "clock.h"
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TICK_MS 200
#define RESTART_GAP_MS 2000
#define LOG_CHECK_MS 2000
#define STOP_WAIT_MS 5000

typedef struct child {
    char name[16]; /* "the hub", "table 3" */
    pid_t pid;     /* 0 = not running */
    int in_fd;     /* tables: the write end of their stdin (keys); -1 otherwise */
    uint64_t started_ms;
    uint64_t restart_at_ms;
} child;

typedef struct supervisor {
    const cb_demo_setup *s;
    child children[1 + CB_DEMO_TABLES]; /* [0] the hub, then the tables */
    cb_broker broker;
    bool broker_up;
    uint64_t broker_restart_at_ms;
} supervisor;

/* A line for the board and the log. One write() of a short line: atomic on a pipe. */
static void note(const supervisor *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const supervisor *sv, const char *fmt, ...)
{
    char line[300];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    fprintf(stderr, "demo: %.*s", n, line);
    if (write(sv->s->notes_fd, line, (size_t)n) < 0) {
        /* the board is gone; the log has it */
    }
}

static void describe_exit(int status, char *buf, size_t cap)
{
    if (WIFSIGNALED(status))
        snprintf(buf, cap, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, cap, "exit status %d", WEXITSTATUS(status));
}

/* fork + exec this binary with args; stdin from in_fd (or /dev/null); output to the
 * log; its broker credential from the file `creds` (NULL: none; the hub finds its own
 * beside the registry) -- by file, so no password shows in a process list. */
static pid_t spawn(char *const args[], int in_fd, const char *log_path, const char *creds)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (creds && creds[0])
        setenv("CALLBELL_CREDENTIALS", creds, 1);
    else
        unsetenv("CALLBELL_CREDENTIALS");
    int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
    int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(in, 0);
    if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
    }
    setpgid(0, 0); /* the board owns the terminal; Ctrl-C reaches only the demo */
    execv("/proc/self/exe", args);
    _exit(127);
}

static int start_child(supervisor *sv, int i)
{
    const cb_demo_setup *s = sv->s;
    child *c = &sv->children[i];
    char url[sizeof s->url];
    snprintf(url, sizeof url, "%s", s->url);
    if (i == 0) {
        char *args[] = {"callbell", "hub", "--broker",  url,  "--site",        "demo", "--db", (char *)s->db,
                        "--tables", "1-4", "--realert", "30", "--ack-timeout", "120",  NULL};
        c->pid = spawn(args, -1, s->log_path, NULL);
    } else {
        int p[2];
        if (pipe(p) != 0)
            return -1;
        fcntl(p[0], F_SETFD, FD_CLOEXEC);
        fcntl(p[1], F_SETFD, FD_CLOEXEC);
        char table[4];
        snprintf(table, sizeof table, "%d", i);
        char *args[] = {"callbell", "table", "--table", table, "--broker", url, "--site", "demo", NULL};
        c->pid = spawn(args, p[0], s->log_path, s->table_creds[i - 1]);
        close(p[0]);
        if (c->in_fd >= 0)
            close(c->in_fd);
        c->in_fd = p[1];
    }
    if (c->pid < 0) {
        c->pid = 0;
        return -1;
    }
    c->started_ms = cb_mono_ms();
    return 0;
}

static void check_children(supervisor *sv, uint64_t now)
{
    for (int i = 0; i <= CB_DEMO_TABLES; i++) {
        child *c = &sv->children[i];
        int status;
        if (c->pid > 0 && waitpid(c->pid, &status, WNOHANG) == c->pid) {
            char why[64];
            describe_exit(status, why, sizeof why);
            c->pid = 0;
            c->restart_at_ms = c->started_ms + RESTART_GAP_MS > now ? c->started_ms + RESTART_GAP_MS : now;
            note(sv, "%s stopped (%s): restarting it", c->name, why);
        }
        if (c->pid == 0 && now >= c->restart_at_ms) {
            if (start_child(sv, i) == 0)
                note(sv, "restarted %s", c->name);
            else
                c->restart_at_ms = now + RESTART_GAP_MS;
        }
    }
}

static void check_broker(supervisor *sv, uint64_t now)
{
    char err[2048];
    if (sv->broker_up && cb_broker_exited(&sv->broker, err, sizeof err)) {
        sv->broker_up = false;
        sv->broker_restart_at_ms = now + RESTART_GAP_MS / 2;
        note(sv, "the broker stopped (%.200s): restarting it", err);
    }
    if (!sv->broker_up && now >= sv->broker_restart_at_ms) {
        if (cb_broker_start(&sv->s->broker, &sv->broker, err, sizeof err) == 0) {
            sv->broker_up = true;
            note(sv, "restarted the broker");
        } else {
            sv->broker_restart_at_ms = now + RESTART_GAP_MS;
            note(sv, "cannot restart the broker: %.200s", err);
        }
    }
    /* the page server (lighttpd) on its own: the broker keeps running meanwhile */
    if (sv->broker_up && cb_broker_web_watch(&sv->broker, err, sizeof err))
        note(sv, "%.250s", err);
}

/* Beyond max bytes the log's content moves to <path>.1 and the log starts empty.
 * The children keep their O_APPEND descriptors: they go on writing at the new end. */
static void cap_log(const char *path, unsigned long max)
{
    struct stat st;
    if (stat(path, &st) != 0 || (unsigned long)st.st_size <= max)
        return;
    char old[4200];
    snprintf(old, sizeof old, "%s.1", path);
    int out_fd = open(old, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *in = fopen(path, "rb"), *out = out_fd >= 0 ? fdopen(out_fd, "wb") : NULL;
    if (in && out) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0 && fwrite(buf, 1, n, out) == n) {
        }
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    else if (out_fd >= 0)
        close(out_fd);
    if (truncate(path, 0) != 0)
        fprintf(stderr, "demo: cannot truncate %s: %s\n", path, strerror(errno));
    else
        fprintf(stderr, "demo: log moved to %s (over %lu bytes)\n", old, max);
}

static uint64_t next_guest_ms(unsigned mean_s, uint64_t now)
{
    return now + mean_s * 500u + (unsigned)rand() % (mean_s * 1000u + 1);
}

/* A simulated guest presses one of a random table's buttons. */
static void guest_press(supervisor *sv)
{
    static const char kinds[] = "cccbbwx";
    char k = kinds[(unsigned)rand() % (sizeof kinds - 1)];
    int fd = sv->children[1 + (unsigned)rand() % CB_DEMO_TABLES].in_fd;
    if (fd >= 0 && write(fd, &k, 1) < 0) {
        /* that table is restarting */
    }
}

/* false once the board is gone */
static bool forward_key(supervisor *sv)
{
    char key;
    if (read(sv->s->ctl_fd, &key, 1) != 1)
        return false;
    if (key >= '1' && key < '1' + CB_DEMO_TABLES) {
        int fd = sv->children[key - '0'].in_fd;
        if (fd >= 0 && write(fd, "c", 1) < 0) {
            /* that table is restarting */
        }
    }
    return true;
}

static void stop_all(supervisor *sv)
{
    for (int i = CB_DEMO_TABLES; i >= 0; i--) {
        if (sv->children[i].in_fd >= 0)
            close(sv->children[i].in_fd);
        if (sv->children[i].pid > 0)
            kill(sv->children[i].pid, SIGTERM);
    }
    uint64_t deadline = cb_mono_ms() + STOP_WAIT_MS;
    for (int i = CB_DEMO_TABLES; i >= 0; i--) {
        child *c = &sv->children[i];
        while (c->pid > 0 && waitpid(c->pid, NULL, WNOHANG) == 0) {
            if (cb_mono_ms() > deadline) {
                kill(c->pid, SIGKILL);
                waitpid(c->pid, NULL, 0);
                break;
            }
            cb_sleep_ms(20);
        }
        c->pid = 0;
    }
    if (sv->broker_up)
        cb_broker_stop(&sv->broker);
}

int cb_demo_supervise(const cb_demo_setup *s)
{
    static supervisor sv;
    memset(&sv, 0, sizeof sv);
    sv.s = s;
    signal(SIGPIPE, SIG_IGN); /* a table that died leaves a pipe with no reader */
    cb_install_stop_handlers();
    srand((unsigned)getpid() ^ (unsigned)cb_mono_us());
    /* our output, and Mosquitto's (its "running as root" warning), go to the log, not
     * onto the board's screen */
    int log_fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log_fd >= 0) {
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        close(log_fd);
    }
    cap_log(s->log_path, s->log_max);
    snprintf(sv.children[0].name, sizeof sv.children[0].name, "the hub");
    for (int i = 0; i <= CB_DEMO_TABLES; i++) {
        sv.children[i].in_fd = -1;
        if (i > 0)
            snprintf(sv.children[i].name, sizeof sv.children[i].name, "table %d", i);
    }

    char err[2048];
    if (cb_broker_start(&s->broker, &sv.broker, err, sizeof err) != 0) {
        dprintf(s->notes_fd, "failed: cannot start the broker: %.1500s\n", err);
        return 1;
    }
    sv.broker_up = true;
    for (int i = 0; i <= CB_DEMO_TABLES; i++) {
        if (start_child(&sv, i) != 0) {
            dprintf(s->notes_fd, "failed: cannot start %s: %s\n", sv.children[i].name, strerror(errno));
            stop_all(&sv);
            return 1;
        }
    }
    dprintf(s->notes_fd, "ready %d\n", sv.broker.web_served ? 1 : 0);

    uint64_t now = cb_mono_ms();
    uint64_t guest_at = s->guest_mean_s ? next_guest_ms(s->guest_mean_s, now) : UINT64_MAX;
    uint64_t log_check_at = now + LOG_CHECK_MS;
    while (!cb_stop_requested) {
        struct pollfd p = {.fd = s->ctl_fd, .events = POLLIN};
        if (poll(&p, 1, TICK_MS) > 0 && !forward_key(&sv))
            break;
        now = cb_mono_ms();
        if (now >= guest_at) {
            guest_press(&sv);
            guest_at = next_guest_ms(s->guest_mean_s, now);
        }
        check_broker(&sv, now);
        check_children(&sv, now);
        if (now >= log_check_at) {
            cap_log(s->log_path, s->log_max);
            if (sv.broker_up)
                cap_log(sv.broker.log_path, s->log_max);
            if (sv.broker_up && sv.broker.lighttpd && !sv.broker.web.log_to_stderr)
                cap_log(sv.broker.web.log_path, s->log_max);
            log_check_at = now + LOG_CHECK_MS;
        }
    }
    stop_all(&sv);
    return 0;
}
