/* web_server.c - see web_server.h. */
#define _POSIX_C_SOURCE 200809L
#include "web_server.h"

#include "child.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* An idle MQTT connection through the proxy stays open this long (lighttpd's default,
 * 60 s, would cut a client whose keepalive is 60 s or more; Mosquitto's own keepalive
 * check still drops dead ones). */
#define WS_IDLE_S 3600

int cb_web_find(char *exe, size_t cap)
{
    return cb_child_find("lighttpd", exe, cap);
}

/* lighttpd's config strings are "..." with backslash escapes: refuse what needs them */
static bool plain_value(const char *s)
{
    return s && !strpbrk(s, "\"\\\n\r$");
}

static int write_config(const cb_web_config *cfg, cb_web *w, char *err, size_t err_cap)
{
    const char *vals[] = {cfg->bind, cfg->root, cfg->https_port ? cfg->cert : "", cfg->https_port ? cfg->key : ""};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        if (!plain_value(vals[i])) {
            snprintf(err, err_cap, "cannot serve the web board: '%s' has a quote, backslash or $ in it",
                     vals[i] ? vals[i] : "(none)");
            return -1;
        }
    }
    FILE *f = fopen(w->conf_path, "w");
    if (!f) {
        snprintf(err, err_cap, "cannot write %s: %s", w->conf_path, strerror(errno));
        return -1;
    }
    char bind[300], tls[320];
    snprintf(bind, sizeof bind, strchr(cfg->bind, ':') ? "[%s]" : "%s", cfg->bind);
    snprintf(tls, sizeof tls, "%s:%d", bind, cfg->https_port);
    fprintf(f,
            "# Written by `callbell broker` at every start; edits are overwritten.\n"
            "# lighttpd serves the web board's files with their MIME types, and hands\n"
            "# WebSockets (MQTT) to Mosquitto's listener on 127.0.0.1:%d.\n"
            "server.modules = (\"mod_setenv\", \"mod_proxy\"%s)\n"
            "server.document-root = \"%s\"\n"
            "server.bind = \"%s\"\n"
            "server.port = %d\n"
            "server.tag = \"callbell\"\n"
            "index-file.names = (\"index.html\")\n"
            "# no directory listings: mod_dirlisting is not loaded\n"
            "mimetype.assign = (\n"
            "  \".html\" => \"text/html; charset=utf-8\",\n"
            "  \".js\" => \"text/javascript; charset=utf-8\",\n"
            "  \".mjs\" => \"text/javascript; charset=utf-8\",\n"
            "  \".css\" => \"text/css; charset=utf-8\",\n"
            "  \".json\" => \"application/json\",\n"
            "  \".webmanifest\" => \"application/manifest+json\",\n"
            "  \".svg\" => \"image/svg+xml\",\n"
            "  \".png\" => \"image/png\",\n"
            "  \".ico\" => \"image/x-icon\",\n"
            "  \".txt\" => \"text/plain; charset=utf-8\",\n"
            "  \"\" => \"application/octet-stream\"\n"
            ")\n"
            "# a board must never run yesterday's code: the browser asks every time (a 304\n"
            "# when nothing changed)\n"
            "setenv.add-response-header = (\"Cache-Control\" => \"no-cache\",\n"
            "                              \"X-Content-Type-Options\" => \"nosniff\")\n",
            cfg->mqtt_ws_port, cfg->https_port ? ", \"mod_openssl\"" : "", cfg->root, bind,
            cfg->http_port ? cfg->http_port : cfg->https_port);
    /* WebSockets come as an HTTP/1.1 Upgrade, or over HTTP/2 as an extended CONNECT
     * (RFC 8441, what Chromium sends on an h2 connection); both go to Mosquitto, which
     * refuses an upgrade to anything else. (No regular expressions: none to compile.) */
    char proxy[300];
    snprintf(proxy, sizeof proxy,
             "proxy.server = (\"\" => ((\"host\" => \"127.0.0.1\", \"port\" => %d)))\n"
             "  proxy.header = (\"upgrade\" => \"enable\")\n"
             "  server.max-read-idle = %d\n",
             cfg->mqtt_ws_port, WS_IDLE_S);
    fprintf(f,
            "$HTTP[\"request-method\"] == \"CONNECT\" {\n  %s}\n"
            "$REQUEST_HEADER[\"Upgrade\"] != \"\" {\n"
            "  # an upgrade to HTTP/2 (h2c) stays lighttpd's\n"
            "  $REQUEST_HEADER[\"Upgrade\"] != \"h2c\" {\n  %s  }\n"
            "}\n",
            proxy, proxy);
    if (cfg->https_port) {
        bool block = cfg->http_port > 0; /* plain HTTP too: TLS on its own socket */
        if (block)
            fprintf(f, "$SERVER[\"socket\"] == \"%s\" {\n", tls);
        fprintf(f, "%sssl.engine = \"enable\"\n%sssl.pemfile = \"%s\"\n%sssl.privkey = \"%s\"\n%s", block ? "  " : "",
                block ? "  " : "", cfg->cert, block ? "  " : "", cfg->key, block ? "}\n" : "");
    }
    if (fclose(f) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", w->conf_path, strerror(errno));
        return -1;
    }
    return 0;
}

/* fresh: start from an empty log, so an error we report is this run's (a restart
 * keeps what the one before said) */
static int spawn(cb_web *w, bool fresh, char *err, size_t err_cap)
{
    int log_fd = -1;
    if (!w->log_to_stderr) {
        log_fd = open(w->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (fresh ? O_TRUNC : 0), 0600);
        if (log_fd < 0) {
            snprintf(err, err_cap, "cannot write %s: %s", w->log_path, strerror(errno));
            return -1;
        }
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_cap, "fork: %s", strerror(errno));
        if (log_fd >= 0)
            close(log_fd);
        return -1;
    }
    if (pid == 0) {
        /* lighttpd without server.errorlog logs to stderr: the log file, or the journal */
        cb_child_detach(log_fd);
        execl(w->exe, "lighttpd", "-D", "-f", w->conf_path, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", w->exe, strerror(errno));
        _exit(127);
    }
    if (log_fd >= 0)
        close(log_fd);
    w->pid = pid;
    w->started_ms = cb_mono_ms();
    return 0;
}

int cb_web_start(const cb_web_config *cfg, cb_web *w, char *err, size_t err_cap)
{
    memset(w, 0, sizeof *w);
    if (cb_web_find(w->exe, sizeof w->exe) != 0) {
        snprintf(err, err_cap,
                 "lighttpd is not installed (Debian: sudo apt-get install lighttpd lighttpd-mod-openssl)");
        return -1;
    }
    snprintf(w->conf_path, sizeof w->conf_path, "%s/lighttpd.conf", cfg->dir);
    snprintf(w->log_path, sizeof w->log_path, "%s/web.log", cfg->dir);
    w->log_to_stderr = cfg->log_to_stderr;
    if (write_config(cfg, w, err, err_cap) != 0)
        return -1;
    return spawn(w, true, err, err_cap);
}

int cb_web_restart(cb_web *w, char *err, size_t err_cap)
{
    if (w->pid > 0)
        return 0;
    return spawn(w, false, err, err_cap);
}

bool cb_web_exited(cb_web *w, char *err, size_t err_cap)
{
    if (w->pid <= 0)
        return true;
    int status;
    if (waitpid(w->pid, &status, WNOHANG) != w->pid)
        return false;
    w->pid = 0;
    if (WIFSIGNALED(status)) {
        snprintf(err, err_cap, "lighttpd killed by signal %d", WTERMSIG(status));
        return true;
    }
    char tail[1100] = ""; /* its error */
    if (!w->log_to_stderr)
        cb_child_log_tail(w->log_path, 2, tail, sizeof tail);
    snprintf(err, err_cap, "lighttpd exited (status %d)%s%s", WEXITSTATUS(status), tail[0] ? ": " : "", tail);
    return true;
}

void cb_web_stop(cb_web *w)
{
    cb_child_stop(&w->pid, 2000);
}
