#define _POSIX_C_SOURCE 200809L
#include "broker_launch.h"

#include "child.h"
#include "clock.h"
#include "log.h"
#include "paths.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cb_broker_default_http_dir(void)
{
    const char *env = getenv("CALLBELL_WEB_DIR");
    if (env && env[0])
        return env;
    static char installed[4096]; /* <prefix>/share/callbell/web next to <prefix>/bin */
    if (cb_installed_path("share/callbell/web", installed, sizeof installed) == 0 && is_dir(installed))
        return installed;
    return is_dir(CALLBELL_WEB_DIR) ? CALLBELL_WEB_DIR : NULL;
}

static bool port_accepts(const char *host, int port)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host, service, &hints, &res) != 0)
        return false;
    bool ok = false;
    for (struct addrinfo *a = res; a && !ok; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype, 0);
        if (fd < 0)
            continue;
        ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
        close(fd);
    }
    freeaddrinfo(res);
    return ok;
}

/* Every connected device holds one of the broker's file descriptors: the soft limit
 * a shell hands down (often 1024) would turn devices away past ~1,000 while the hard
 * limit allows more. Raised here, inherited by mosquitto. */
static void raise_open_files(cb_broker *b)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return;
    if (lim.rlim_cur < lim.rlim_max) {
        struct rlimit raised = {.rlim_cur = lim.rlim_max, .rlim_max = lim.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            lim = raised;
    }
    b->open_files = lim.rlim_cur == RLIM_INFINITY ? 0 : (unsigned long)lim.rlim_cur;
}

/* A port on 127.0.0.1 nobody listens on now (the kernel picks it), or -1. */
static int free_loopback_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0
                   ? ntohs(a.sin_port)
                   : -1;
    close(fd);
    return port;
}

int cb_broker_start(const cb_broker_config *cfg, cb_broker *b, char *err, size_t err_cap)
{
    memset(b, 0, sizeof *b);
    raise_open_files(b);
    char exe[4096];
    if (cb_child_find("mosquitto", exe, sizeof exe) != 0) {
        snprintf(err, err_cap, "mosquitto is not installed (Debian: sudo apt-get install mosquitto)");
        return -1;
    }
    if (cb_mkdir_p(cfg->data_dir, 0700) != 0) {
        snprintf(err, err_cap, "cannot create %s: %s", cfg->data_dir, strerror(errno));
        return -1;
    }
    const char *bind = cfg->bind ? cfg->bind : "127.0.0.1";
    if (port_accepts(bind, cfg->port)) {
        snprintf(err, err_cap, "port %d on %s is already in use (another broker? try --port)", cfg->port, bind);
        return -1;
    }
    if (cfg->ws_port > 0 && port_accepts(bind, cfg->ws_port)) {
        snprintf(err, err_cap, "port %d on %s is already in use (try --ws-port)", cfg->ws_port, bind);
        return -1;
    }
    bool tls = cfg->tls_cert && cfg->tls_key;
    if (tls && cfg->tls_port > 0 && port_accepts(bind, cfg->tls_port)) {
        snprintf(err, err_cap, "port %d on %s is already in use (try --tls-port)", cfg->tls_port, bind);
        return -1;
    }
    if (tls && cfg->wss_port > 0 && port_accepts(bind, cfg->wss_port)) {
        snprintf(err, err_cap, "port %d on %s is already in use (try --wss-port)", cfg->wss_port, bind);
        return -1;
    }
    const char *http = cfg->http_dir ? cfg->http_dir : cb_broker_default_http_dir();
    if (cfg->http_dir && !is_dir(cfg->http_dir)) {
        snprintf(err, err_cap, "--http-dir %s is not a directory", cfg->http_dir);
        return -1;
    }
    char users[4096] = "";
    if (cfg->password_file && (access(cfg->password_file, R_OK) != 0 || !realpath(cfg->password_file, users))) {
        snprintf(err, err_cap, "cannot read --password-file %s: %s (make one with: mosquitto_passwd -c %s staff)",
                 cfg->password_file, strerror(errno), cfg->password_file);
        return -1;
    }
    char acl[4096] = "";
    if (cfg->acl_file && !realpath(cfg->acl_file, acl)) {
        snprintf(err, err_cap, "cannot read ACL file %s: %s", cfg->acl_file, strerror(errno));
        return -1;
    }
    bool page = http && is_dir(http);
    if (page)
        snprintf(b->http_dir, sizeof b->http_dir, "%s", http);
    /* lighttpd serves the page when there is one to serve and it is installed; it then
     * owns the public WebSockets ports too (web_server.h) */
    char lighttpd_exe[4096];
    b->lighttpd =
        page && (cfg->ws_port > 0 || (tls && cfg->wss_port > 0)) && cb_web_find(lighttpd_exe, sizeof lighttpd_exe) == 0;
    b->web_served = page && cfg->ws_port > 0;
    b->page_tls = b->lighttpd && tls && cfg->wss_port > 0;
    if (b->lighttpd && (b->mqtt_ws_port = free_loopback_port()) <= 0) {
        snprintf(err, err_cap, "no free port on 127.0.0.1 for Mosquitto's WebSockets listener");
        return -1;
    }

    char conf_path[4200];
    snprintf(conf_path, sizeof conf_path, "%s/mosquitto.conf", cfg->data_dir);
    snprintf(b->log_path, sizeof b->log_path, "%s/mosquitto.log", cfg->data_dir);
    FILE *f = fopen(conf_path, "w");
    if (!f) {
        snprintf(err, err_cap, "cannot write %s: %s", conf_path, strerror(errno));
        return -1;
    }
    /* Mosquitto started as root switches to user "mosquitto", which could not write our
     * data directory: tell it to stay who we are. */
    const struct passwd *pw = getpwuid(geteuid());
    fprintf(f, "user %s\n", pw ? pw->pw_name : "root");
    fprintf(f,
            "# Written by `callbell broker` at every start; edits are overwritten.\n"
            "per_listener_settings false\n"
            "persistence true\n"
            "persistence_location %s/\n"
            "# save the store at every change (a queued press, a retained state, a session):\n"
            "# the most often Mosquitto saves; a press it has acknowledged survives kill -9\n"
            "# (docs/durability.md)\n"
            "autosave_on_changes true\n"
            "autosave_interval 1\n"
            "# the hub's persistent session holds presses made while it is down\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 1000\n"
            "set_tcp_nodelay true\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
            "listener %d %s\n",
            cfg->data_dir, cfg->port, cfg->tls_port > 0 ? "127.0.0.1" : bind); /* with TLS, plain stays local */
    /* under systemd the journal keeps (and bounds) the log, and stamps its time */
    if (cb_log_to_journal())
        fprintf(f, "log_dest stderr\nlog_timestamp false\n");
    else
        fprintf(f, "log_dest file %s\n", b->log_path);
    /* one password file for both listeners (per_listener_settings false) */
    if (users[0])
        fprintf(f, "allow_anonymous false\npassword_file %s\n", users);
    else
        fprintf(f, "allow_anonymous true\n");
    if (acl[0])
        fprintf(f, "acl_file %s\n", acl);
    /* the hub's persistent session is callbell-hub-<site>: only its credential may use it */
    if (cfg->username_is_clientid)
        fprintf(f, "use_username_as_clientid true\n");
    /* TLS listeners: certfile/keyfile are per listener even with per_listener_settings false */
    if (cfg->tls_port > 0 && cfg->tls_cert)
        fprintf(f, "listener %d %s\ncafile %s\ncertfile %s\nkeyfile %s\n", cfg->tls_port, bind, cfg->tls_ca,
                cfg->tls_cert, cfg->tls_key);
    if (b->lighttpd) {
        /* lighttpd in front: the page, and ws:// and wss:// relayed to this listener */
        fprintf(f,
                "# WebSockets behind lighttpd (%s/lighttpd.conf), which serves the web board\n"
                "listener %d 127.0.0.1\nprotocol websockets\n",
                cfg->data_dir, b->mqtt_ws_port);
    } else {
        /* without lighttpd: WSS without http_dir (over TLS, Debian's libwebsockets offers
         * h2 by ALPN and Mosquitto 2.0's file server fails on it in Chromium,
         * ERR_HTTP2_PROTOCOL_ERROR, mosquitto issue #2251; a WebSocket asks for
         * HTTP/1.1), and the page over plain http_dir, without Content-Type */
        if (cfg->wss_port > 0 && tls)
            fprintf(f, "listener %d %s\nprotocol websockets\ncafile %s\ncertfile %s\nkeyfile %s\n", cfg->wss_port, bind,
                    cfg->tls_ca, cfg->tls_cert, cfg->tls_key);
        if (cfg->ws_port > 0) {
            fprintf(f, "listener %d %s\nprotocol websockets\n", cfg->ws_port, bind);
            if (b->web_served)
                fprintf(f, "http_dir %s\n", b->http_dir);
        }
    }
    fclose(f);
    /* start from an empty log so an error we report is this run's */
    FILE *lf = fopen(b->log_path, "w");
    if (lf)
        fclose(lf);

    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_cap, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        cb_child_detach(-1); /* stderr stays: mosquitto reports config errors there before its log opens */
        execl(exe, "mosquitto", "-c", conf_path, (char *)NULL);
        _exit(127);
    }
    b->pid = pid;
    if (b->lighttpd) {
        cb_web_config web = {.bind = bind,
                             .root = b->http_dir,
                             .dir = cfg->data_dir,
                             .http_port = cfg->ws_port,
                             .https_port = b->page_tls ? cfg->wss_port : 0,
                             .cert = cfg->tls_cert,
                             .key = cfg->tls_key,
                             .mqtt_ws_port = b->mqtt_ws_port,
                             .log_to_stderr = cb_log_to_journal()};
        if (cb_web_start(&web, &b->web, err, err_cap) != 0) {
            cb_broker_stop(b);
            return -1;
        }
    }
    uint64_t deadline = cb_mono_ms() + 5000;
    while (cb_mono_ms() < deadline) {
        if (cb_broker_exited(b, err, err_cap))
            return -1;
        if (b->lighttpd && cb_web_exited(&b->web, err, err_cap)) {
            cb_broker_stop(b);
            return -1;
        }
        if (port_accepts(bind, cfg->port) && (cfg->ws_port <= 0 || port_accepts(bind, cfg->ws_port)) &&
            (cfg->tls_port <= 0 || !tls || port_accepts(bind, cfg->tls_port)) &&
            (!b->lighttpd || port_accepts("127.0.0.1", b->mqtt_ws_port)) &&
            (!b->page_tls || port_accepts(bind, cfg->wss_port)))
            return 0;
        cb_sleep_ms(50);
    }
    snprintf(err, err_cap, "mosquitto%s did not start listening on %s within 5 s (log: %s)",
             b->lighttpd ? " or lighttpd" : "", bind, b->log_path);
    cb_broker_stop(b);
    return -1;
}

bool cb_broker_exited(cb_broker *b, char *err, size_t err_cap)
{
    if (b->pid <= 0)
        return true;
    int status;
    pid_t r = waitpid(b->pid, &status, WNOHANG);
    if (r == 0)
        return false;
    b->pid = 0;
    if (b->lighttpd)
        cb_web_stop(&b->web);
    char tail[1600];
    cb_child_log_tail(b->log_path, 3, tail, sizeof tail);
    snprintf(err, err_cap, "mosquitto exited (%s %d)%s%s", WIFSIGNALED(status) ? "signal" : "status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), tail[0] ? ": " : "", tail);
    return true;
}

bool cb_broker_web_watch(cb_broker *b, char *msg, size_t cap)
{
    if (!b->lighttpd || b->pid <= 0)
        return false;
    uint64_t now = cb_mono_ms();
    char why[1400];
    if (b->web.pid > 0) {
        if (!cb_web_exited(&b->web, why, sizeof why))
            return false;
        /* one that dies at once (a port taken meanwhile) cannot spin */
        b->web.restart_at_ms = b->web.started_ms + 2000 > now ? b->web.started_ms + 2000 : now;
        snprintf(msg, cap, "%.1200s: restarting it", why);
        return true;
    }
    if (now < b->web.restart_at_ms)
        return false;
    if (cb_web_restart(&b->web, why, sizeof why) != 0) {
        b->web.restart_at_ms = now + 2000;
        snprintf(msg, cap, "cannot restart the web server: %.1200s", why);
        return true;
    }
    snprintf(msg, cap, "restarted lighttpd");
    return true;
}

void cb_broker_stop(cb_broker *b)
{
    if (b->lighttpd)
        cb_web_stop(&b->web);
    cb_child_stop(&b->pid, 5000);
}

int cb_broker_reload(const cb_broker *b)
{
    return b->pid > 0 ? kill(b->pid, SIGHUP) : -1;
}
