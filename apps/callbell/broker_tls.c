/* broker_tls.c - the local CA and server certificate of `callbell broker --tls`
 * (broker_tls.h). Every openssl run is a fork/exec with its arguments (no shell). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "broker_tls.h"

#include "paths.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CA_DAYS "3650"
#define SERVER_DAYS "825" /* the longest a browser accepts for a server certificate */

/* Runs openssl with args, its output to `log`. 0 or -1 with err (log's last line). */
static int openssl(char *const args[], const char *log, char *err, size_t err_cap)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        umask(077); /* the keys it writes are private */
        execvp("openssl", args);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[300] = "", last[300] = "";
        FILE *f = fopen(log, "r");
        while (f && fgets(line, sizeof line, f))
            if (line[0] != '\n')
                snprintf(last, sizeof last, "%s", line);
        if (f)
            fclose(f);
        last[strcspn(last, "\n")] = '\0';
        snprintf(err, err_cap, "openssl %s failed%s%s", args[1],
                 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? " (not installed? sudo apt-get install openssl)"
                                                                 : ": ",
                 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "" : last);
        return -1;
    }
    return 0;
}

/* "DNS:localhost,DNS:<host>,DNS:<host>.local,IP:127.0.0.1,IP:::1,IP:<each address>" */
static void machine_names(char *out, size_t cap)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t n = (size_t)snprintf(out, cap, "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (host[0] && strcmp(host, "localhost") != 0 && n < cap)
        n += (size_t)snprintf(out + n, cap - n, ",DNS:%s,DNS:%s.local", host, host);
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0)
        return;
    for (struct ifaddrs *i = ifs; i && n < cap; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        char addr[INET6_ADDRSTRLEN] = "";
        if (i->ifa_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, sizeof addr);
        else if (i->ifa_addr->sa_family == AF_INET6 &&
                 !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr, sizeof addr);
        if (addr[0] && !strstr(out, addr))
            n += (size_t)snprintf(out + n, cap - n, ",IP:%s", addr);
    }
    freeifaddrs(ifs);
}

static bool file_says(const char *path, const char *text)
{
    char buf[1100] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    return strcmp(buf, text) == 0;
}

int cb_broker_tls_prepare(const char *dir, cb_broker_tls *t, char *err, size_t err_cap)
{
    if (cb_mkdir_p(dir, 0700) != 0) {
        snprintf(err, err_cap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    char ca_key[4200], csr[4200], ext[4200], names_file[4200], log[4200], serial[4200], host[256] = "";
    snprintf(t->ca, sizeof t->ca, "%s/ca.pem", dir);
    snprintf(ca_key, sizeof ca_key, "%s/ca.key", dir);
    snprintf(t->cert, sizeof t->cert, "%s/server.pem", dir);
    snprintf(t->key, sizeof t->key, "%s/server.key", dir);
    snprintf(csr, sizeof csr, "%s/server.csr", dir);
    snprintf(ext, sizeof ext, "%s/server.ext", dir);
    snprintf(names_file, sizeof names_file, "%s/server.names", dir);
    snprintf(serial, sizeof serial, "%s/ca.srl", dir);
    snprintf(log, sizeof log, "%s/openssl.log", dir);
    gethostname(host, sizeof host - 1);
    machine_names(t->names, sizeof t->names);
    if (access(t->ca, R_OK) != 0 || access(ca_key, R_OK) != 0) {
        char subject[400];
        snprintf(subject, sizeof subject, "/CN=callbell local CA (%.200s)", host[0] ? host : "localhost");
        char *ca_args[] = {"openssl",  "req",
                           "-x509",    "-newkey",
                           "rsa:2048", "-nodes",
                           "-keyout",  ca_key,
                           "-out",     t->ca,
                           "-days",    CA_DAYS,
                           "-subj",    subject,
                           "-addext",  "basicConstraints=critical,CA:TRUE",
                           "-addext",  "keyUsage=critical,keyCertSign,cRLSign",
                           NULL};
        if (openssl(ca_args, log, err, err_cap) != 0)
            return -1;
        chmod(t->ca, 0644); /* the CA certificate is for everyone to trust; its key stays 0600 */
        unlink(names_file); /* a new CA: a new server certificate too */
    }
    if (access(t->cert, R_OK) == 0 && access(t->key, R_OK) == 0 && file_says(names_file, t->names))
        return 0;
    FILE *f = fopen(ext, "w");
    if (!f) {
        snprintf(err, err_cap, "cannot write %s: %s", ext, strerror(errno));
        return -1;
    }
    fprintf(f, "subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n", t->names);
    fclose(f);
    char subject[300];
    snprintf(subject, sizeof subject, "/CN=%.200s", host[0] ? host : "localhost");
    char *req_args[] = {"openssl", "req",  "-newkey", "rsa:2048", "-nodes", "-keyout",
                        t->key,    "-out", csr,       "-subj",    subject,  NULL};
    char *sign_args[] = {"openssl", "x509",   "-req",  "-in",       csr,        "-CA",
                         t->ca,     "-CAkey", ca_key,  "-CAserial", serial,     "-CAcreateserial",
                         "-out",    t->cert,  "-days", SERVER_DAYS, "-extfile", ext,
                         NULL};
    if (openssl(req_args, log, err, err_cap) != 0 || openssl(sign_args, log, err, err_cap) != 0)
        return -1;
    chmod(t->key, 0600);
    chmod(t->cert, 0644);
    if ((f = fopen(names_file, "w")) != NULL) {
        fputs(t->names, f);
        fclose(f);
    }
    unlink(csr);
    return 0;
}
