/* cmd_demo.c - `callbell demo`: the whole system in one terminal. A broker, the hub,
 * four simulated tables (the seed's four buttons) with simulated guests pressing them,
 * and the terminal board in front. Keys 1-4 on the board press a table's button. */
#define _POSIX_C_SOURCE 200809L
#include "broker_launch.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "paths.h"
#include "signals.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TABLES 4

static const char help[] = "usage: callbell demo [options]\n\n"
                           "Starts a local broker, the hub, four simulated tables with guests pressing their\n"
                           "buttons now and then, and the terminal board. Keys on the board: 1-4 press table\n"
                           "1-4's call button, arrows select a request, a acknowledges it, d closes it, A / D\n"
                           "do that for every open request of its table, q quits (and stops all).\n"
                           "The web board is served at the printed URL.\n\n"
                           "  --guests S     a simulated guest presses a button every S seconds on average\n"
                           "                 (default 8; 0 = only your key presses)\n"
                           "  --data-dir DIR where the demo keeps its broker data and database\n"
                           "                 (default $XDG_STATE_HOME/callbell/demo)\n"
                           "  -h, --help     show this help\n";

static int port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    socklen_t len = sizeof a;
    int got = ok && port == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0 ? ntohs(a.sin_port) : port;
    close(fd);
    return ok ? got : -1;
}

/* The preferred port if it is free, else one the kernel picks. */
static int pick_port(int preferred)
{
    return port_free(preferred) > 0 ? preferred : port_free(0);
}

static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* fork + exec this binary with args; stdin from in_fd (or /dev/null); output to log. */
static pid_t spawn(char *const args[], int in_fd, const char *log_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
    int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(in, 0);
    if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
    }
    setpgid(0, 0); /* the board owns the terminal; Ctrl-C reaches only us */
    execv("/proc/self/exe", args);
    _exit(127);
}

/* The simulated guests: press a random table's button now and then, and forward the
 * board's digit keys (read from ctl_fd) to that table. Runs in its own process. */
static void guests(int ctl_fd, const int table_fd[TABLES], unsigned mean_s)
{
    srand((unsigned)getpid() ^ (unsigned)cb_mono_us());
    static const char kinds[] = "cccbbwx";
    for (;;) {
        struct pollfd p = {.fd = ctl_fd, .events = POLLIN};
        int wait_ms = mean_s ? (int)(mean_s * 500 + (unsigned)rand() % (mean_s * 1000 + 1)) : -1;
        int r = poll(&p, 1, wait_ms);
        if (r > 0) {
            char key;
            if (read(ctl_fd, &key, 1) != 1)
                _exit(0); /* the board is gone */
            if (key >= '1' && key < '1' + TABLES && write(table_fd[key - '1'], "c", 1) < 0)
                _exit(0);
        } else if (r == 0) {
            char k = kinds[(unsigned)rand() % (sizeof kinds - 1)];
            if (write(table_fd[(unsigned)rand() % TABLES], &k, 1) < 0)
                _exit(0);
        }
    }
}

int cb_cmd_demo(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "demo");
    unsigned long guest_s = 8;
    char data_dir[4096] = "";
    static const struct option longopts[] = {{"guests", required_argument, 0, 'g'},
                                             {"data-dir", required_argument, 0, 'd'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(help, stdout);
            return 0;
        } else if (opt == 'g') {
            if (cb_parse_uint(&c, "--guests", optarg, 3600, &guest_s) != 0)
                return 2;
        } else if (opt == 'd') {
            snprintf(data_dir, sizeof data_dir, "%s", optarg);
        } else {
            return cb_usage_error(&c);
        }
    }
    char err[2048];
    if (!data_dir[0] && cb_state_path("demo", data_dir, sizeof data_dir, err, sizeof err) != 0) {
        cb_fail(&c, "%s", err);
        return 1;
    }
    char broker_dir[4200], db[4200], logs[4200];
    snprintf(broker_dir, sizeof broker_dir, "%s/broker", data_dir);
    snprintf(db, sizeof db, "%s/hub-demo.db", data_dir);
    snprintf(logs, sizeof logs, "%s/demo.log", data_dir);
    if (cb_mkdir_p(data_dir, 0700) != 0) {
        cb_fail(&c, "cannot create %s: %s", data_dir, strerror(errno));
        return 1;
    }

    cb_install_stop_handlers();
    cb_broker_config bc = {
        .bind = "127.0.0.1", .port = pick_port(1883), .ws_port = pick_port(9001), .data_dir = broker_dir};
    cb_broker broker;
    if (bc.port < 0 || bc.ws_port < 0 || cb_broker_start(&bc, &broker, err, sizeof err) != 0) {
        cb_fail(&c, "cannot start the broker: %s", bc.port < 0 ? "no free port" : err);
        return 1;
    }
    char url[64], web[128];
    snprintf(url, sizeof url, "mqtt://127.0.0.1:%d", bc.port);
    if (broker.web_served)
        snprintf(web, sizeof web, "web board: http://127.0.0.1:%d/", bc.ws_port);
    else
        snprintf(web, sizeof web, "web board not built (cmake --build build)");
    printf("callbell demo\n  broker: %s\n  %s\n  logs: %s\n", url, web, logs);
    fflush(stdout);

    /* Every pipe is close-on-exec: a child keeps only the end dup2'ed to its stdin,
     * so a table sees EOF when the demo goes away. */
    pid_t pids[TABLES + 2];
    int npids = 0, rc = 1;
    pid_t guest_pid = -1;
    int table_fd[TABLES], ctl[2] = {-1, -1};
    for (int i = 0; i < TABLES; i++)
        table_fd[i] = -1;
    char *hub_args[] = {"callbell", "hub", "--broker",  url,  "--site",        "demo", "--db", db,
                        "--tables", "1-4", "--realert", "30", "--ack-timeout", "120",  NULL};
    if ((pids[npids] = spawn(hub_args, -1, logs)) < 0)
        goto fork_failed;
    npids++;
    for (int i = 0; i < TABLES; i++) {
        int p[2];
        if (cloexec_pipe(p) != 0)
            goto pipe_failed;
        table_fd[i] = p[1];
        char table[4];
        snprintf(table, sizeof table, "%d", i + 1);
        char *args[] = {"callbell", "table", "--table", table, "--broker", url, "--site", "demo", NULL};
        pids[npids] = spawn(args, p[0], logs);
        close(p[0]);
        if (pids[npids] < 0)
            goto fork_failed;
        npids++;
    }
    if (cloexec_pipe(ctl) != 0)
        goto pipe_failed;
    guest_pid = fork();
    if (guest_pid < 0)
        goto fork_failed;
    if (guest_pid == 0) {
        close(ctl[1]);
        guests(ctl[0], table_fd, (unsigned)guest_s);
    }
    close(ctl[0]);
    for (int i = 0; i < TABLES; i++) {
        close(table_fd[i]);
        table_fd[i] = -1;
    }

    cb_sleep_ms(300); /* let the hub publish the tables before the board draws */
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", ctl[1]);
    char *board_args[] = {"board", "--broker", url, "--site", "demo", "--guest-fd", fd_text, "--note", web, NULL};
    optind = 0; /* the board parses its own options with getopt again */
    rc = cb_cmd_board(9, board_args);
    goto stop;

pipe_failed:
    cb_fail(&c, "pipe: %s", strerror(errno));
    goto stop;
fork_failed:
    cb_fail(&c, "cannot start a process: %s", strerror(errno));
stop:
    if (ctl[1] >= 0)
        close(ctl[1]);
    for (int i = 0; i < TABLES; i++)
        if (table_fd[i] >= 0)
            close(table_fd[i]);
    if (guest_pid > 0) {
        kill(guest_pid, SIGTERM);
        waitpid(guest_pid, NULL, 0);
    }
    for (int i = npids - 1; i >= 0; i--)
        kill(pids[i], SIGTERM);
    for (int i = npids - 1; i >= 0; i--)
        waitpid(pids[i], NULL, 0);
    cb_broker_stop(&broker);
    printf("callbell demo stopped. Data kept in %s\n", data_dir);
    return rc;
}
