/* cmd_demo.c - `callbell demo`: the whole system in one terminal. A broker, the hub,
 * four simulated tables (the seed's four buttons) with simulated guests pressing them,
 * run and restarted by a supervisor process (demo_supervisor.c), and the terminal
 * board in front. Keys 1-4 on the board press a table's button. */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "demo_supervisor.h"
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

static const char help[] = "usage: callbell demo [options]\n\n"
                           "Starts a local broker, the hub, four simulated tables with guests pressing their\n"
                           "buttons now and then, and the terminal board. Keys on the board: 1-4 press table\n"
                           "1-4's call button, arrows select a request, a acknowledges it, d closes it, A / D\n"
                           "do that for every open request of its table, q quits (and stops all).\n"
                           "The web board is served at the printed URL. A process that dies (broker, hub,\n"
                           "a table) is restarted, and the board says so.\n\n"
                           "  --guests S     a simulated guest presses a button every S seconds on average\n"
                           "                 (default 8; 0 = only your key presses)\n"
                           "  --port N       the broker's MQTT port (default 1883 if free, else any free one)\n"
                           "  --ws-port N    its WebSockets + web board port (default 9001 if free, else any)\n"
                           "  --data-dir DIR where the demo keeps its broker data and database\n"
                           "                 (default $XDG_STATE_HOME/callbell/demo)\n"
                           "  --log-max N    demo.log beyond N bytes moves to demo.log.1 and starts\n"
                           "                 again (default 1048576); so does the broker's log\n"
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

/* The supervisor's first line: "ready <web served 0|1>" or "failed: why". */
static int read_first_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    uint64_t deadline = cb_mono_ms() + 20000;
    while (n + 1 < cap && cb_mono_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        if (read(fd, &buf[n], 1) != 1)
            break;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return n > 0 ? 0 : -1;
}

int cb_cmd_demo(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "demo");
    unsigned long guest_s = 8, log_max = 1024 * 1024, port = 0, ws_port = 0;
    char data_dir[4096] = "";
    static const struct option longopts[] = {{"guests", required_argument, 0, 'g'},
                                             {"data-dir", required_argument, 0, 'd'},
                                             {"log-max", required_argument, 0, 'L'},
                                             {"port", required_argument, 0, 'p'},
                                             {"ws-port", required_argument, 0, 'w'},
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
        } else if (opt == 'L') {
            if (cb_parse_uint(&c, "--log-max", optarg, 1ul << 30, &log_max) != 0)
                return 2;
            if (log_max < 1024) {
                cb_fail(&c, "--log-max must be at least 1024 bytes");
                return 2;
            }
        } else if (opt == 'p' || opt == 'w') {
            if (cb_parse_uint_range(&c, opt == 'p' ? "--port" : "--ws-port", optarg, 1, 65535,
                                    opt == 'p' ? &port : &ws_port) != 0)
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
    cb_demo_setup setup = {.broker = {.bind = "127.0.0.1",
                                      .port = port ? (int)port : pick_port(1883),
                                      .ws_port = ws_port ? (int)ws_port : pick_port(9001),
                                      .data_dir = broker_dir},
                           .db = db,
                           .log_path = logs,
                           .log_max = log_max,
                           .guest_mean_s = (unsigned)guest_s,
                           .ctl_fd = -1,
                           .notes_fd = -1};
    if (setup.broker.port == setup.broker.ws_port) {
        cb_fail(&c, "--port and --ws-port must differ");
        return 2;
    }
    if (setup.broker.port < 0 || setup.broker.ws_port < 0) {
        cb_fail(&c, "cannot start the broker: no free port");
        return 1;
    }
    snprintf(setup.url, sizeof setup.url, "mqtt://127.0.0.1:%d", setup.broker.port);

    /* The supervisor runs broker, hub and tables in a process of its own and restarts
     * whichever dies; the board here sends it keys (ctl) and shows its notes. */
    int ctl[2], notes[2];
    if (cloexec_pipe(ctl) != 0 || cloexec_pipe(notes) != 0) {
        cb_fail(&c, "pipe: %s", strerror(errno));
        return 1;
    }
    pid_t sup = fork();
    if (sup < 0) {
        cb_fail(&c, "cannot start a process: %s", strerror(errno));
        return 1;
    }
    if (sup == 0) {
        close(ctl[1]);
        close(notes[0]);
        fcntl(notes[1], F_SETFL, O_NONBLOCK); /* a board that stopped reading never blocks it */
        setpgid(0, 0);                        /* Ctrl-C reaches the board; the board stops us */
        setup.ctl_fd = ctl[0];
        setup.notes_fd = notes[1];
        _exit(cb_demo_supervise(&setup));
    }
    close(ctl[0]);
    close(notes[1]);
    char first[2100];
    int rc = 1;
    if (read_first_line(notes[0], first, sizeof first) != 0 || strncmp(first, "ready ", 6) != 0) {
        cb_fail(&c, "%s", first[0] ? first : "the demo's processes did not start (see the log)");
        cb_fail(&c, "log: %s", logs);
        goto stop;
    }
    char web[128];
    if (strcmp(first, "ready 1") == 0)
        snprintf(web, sizeof web, "web board: http://127.0.0.1:%d/", setup.broker.ws_port);
    else
        snprintf(web, sizeof web, "web board not built (cmake --build build)");
    printf("callbell demo\n  broker: %s\n  %s\n  logs: %s\n", setup.url, web, logs);
    fflush(stdout);

    cb_sleep_ms(300); /* let the hub publish the tables before the board draws */
    char guest_fd[16], notes_fd[16];
    snprintf(guest_fd, sizeof guest_fd, "%d", ctl[1]);
    snprintf(notes_fd, sizeof notes_fd, "%d", notes[0]);
    char *board_args[] = {"callbell board", "--broker", setup.url, "--site",     "demo",   "--guest-fd",
                          guest_fd,         "--note",   web,       "--notes-fd", notes_fd, NULL};
    optind = 0; /* the board parses its own options with getopt again */
    rc = cb_cmd_board(11, board_args);

stop:
    close(ctl[1]); /* EOF: the supervisor stops everything */
    kill(sup, SIGTERM);
    waitpid(sup, NULL, 0);
    close(notes[0]);
    printf("callbell demo stopped. Data kept in %s\n", data_dir);
    return rc;
}
