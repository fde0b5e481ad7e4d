/* sent_file.c - see sent_file.h. */
#define _POSIX_C_SOURCE 200809L
#include "sent_file.h"

#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cb_sent_file {
    FILE *out;
    pthread_mutex_t lock;
};

static int sink_of(const char *name, cb_sink_kind *kind)
{
    if (strcmp(name, "ntfy") == 0)
        *kind = CB_SINK_NTFY;
    else if (strcmp(name, "webhook") == 0)
        *kind = CB_SINK_WEBHOOK;
    else
        return -1;
    return 0;
}

/* Only the newest lines matter: a request delivered LOAD_LINES deliveries ago is
 * closed (the memory holds open requests; their states prune it on connect). */
#define LOAD_LINES (2 * CB_NOTIFY_MEMORY)
#define LINE_SIZE 160

static void load(FILE *in, const char *path, cb_notify_memory mem[2])
{
    static char ring[LOAD_LINES][LINE_SIZE]; /* the newest lines, oldest overwritten */
    char sink[16], table[64];
    uint64_t call;
    uint32_t level;
    unsigned long n = 0, bad = 0;
    cb_sink_kind kind;
    while (fgets(ring[n % LOAD_LINES], LINE_SIZE, in))
        n++;
    for (unsigned long i = n > LOAD_LINES ? n - LOAD_LINES : 0; i < n; i++) {
        const char *line = ring[i % LOAD_LINES];
        if (sscanf(line, "%15s %63s %" SCNu64 " %" SCNu32, sink, table, &call, &level) != 4 ||
            sink_of(sink, &kind) != 0 || cb_notify_remember(&mem[kind], table, call, level) != CB_OK)
            bad++;
    }
    if (bad)
        cb_log("%s: skipped %lu malformed lines", path, bad);
}

static int rewrite(const char *path, cb_notify_memory mem[2], char *err, size_t err_cap)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < mem[k].n; i++)
            fprintf(f, "%s %s %" PRIu64 " %" PRIu32 "\n", cb_sink_name((cb_sink_kind)k), mem[k].e[i].table,
                    mem[k].e[i].call, mem[k].e[i].level);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

cb_sent_file *cb_sent_open(const char *path, cb_notify_memory mem[2], char *err, size_t err_cap)
{
    FILE *in = fopen(path, "r");
    if (in) {
        load(in, path, mem);
        fclose(in);
    } else if (errno != ENOENT) {
        snprintf(err, err_cap, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (rewrite(path, mem, err, err_cap) != 0)
        return NULL;
    cb_sent_file *f = calloc(1, sizeof *f);
    if (!f || !(f->out = fopen(path, "a"))) {
        snprintf(err, err_cap, "cannot open %s: %s", path, f ? strerror(errno) : "out of memory");
        free(f);
        return NULL;
    }
    pthread_mutex_init(&f->lock, NULL);
    return f;
}

int cb_sent_append(cb_sent_file *f, cb_sink_kind kind, const cb_notification *n)
{
    pthread_mutex_lock(&f->lock);
    fprintf(f->out, "%s %s %" PRIu64 " %" PRIu32 "\n", cb_sink_name(kind), n->table, n->request.call, n->level);
    int rc = fflush(f->out) == 0 ? 0 : -1;
    pthread_mutex_unlock(&f->lock);
    if (rc != 0)
        cb_log("cannot record a delivery: %s (it may be sent again after a restart)", strerror(errno));
    return rc;
}

void cb_sent_close(cb_sent_file *f)
{
    if (!f)
        return;
    fclose(f->out);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
