/* delivery.c - see delivery.h. */
#define _POSIX_C_SOURCE 200809L
#include "delivery.h"

#include "callbell/backoff.h"
#include "clock.h"
#include "curl_lib.h"
#include "log.h"
#include "message.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HTTP_TIMEOUT_MS 5000
#define RETRY_MIN_MS 500
#define RETRY_MAX_MS 5000

struct cb_delivery {
    cb_sink_config cfg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    cb_notification *queue; /* ring of cfg.queue_cap */
    uint32_t head, count;
    cb_backoff backoff;
    const cb_curl *api; /* libcurl, loaded (curl_lib.h) */
    CURL *curl;
};

const char *cb_sink_name(cb_sink_kind kind)
{
    return kind == CB_SINK_NTFY ? "ntfy" : "webhook";
}

int cb_delivery_push(cb_delivery *d, const cb_notification *n)
{
    int dropped = 0;
    pthread_mutex_lock(&d->lock);
    if (d->count == d->cfg.queue_cap) {
        const cb_notification *old = &d->queue[d->head];
        cb_log("%s: queue of %s full (%u): dropped table %s call %llu level %u", cb_sink_name(d->cfg.kind), d->cfg.url,
               d->cfg.queue_cap, old->table, (unsigned long long)old->request.call, old->level);
        d->head = (d->head + 1) % d->cfg.queue_cap;
        d->count--;
        dropped = 1;
    }
    d->queue[(d->head + d->count) % d->cfg.queue_cap] = *n;
    d->count++;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    return dropped;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static struct curl_slist *add_header(const cb_curl *api, struct curl_slist *list, const char *name, const char *value)
{
    char line[512];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *l = api->slist_append(list, line);
    if (!l)
        api->slist_free_all(list);
    return l;
}

/* The request's headers and body for this destination. NULL body: out of memory. */
static struct curl_slist *build_request(cb_delivery *d, const cb_notification *n, char **body)
{
    const cb_sink_config *c = &d->cfg;
    char title[CB_MSG_TITLE_SIZE], id[96], auth[300];
    uint64_t now = cb_wall_ms();
    struct curl_slist *h = NULL;
    /* the same id for every copy of a notification: a receiver can drop repeats */
    snprintf(id, sizeof id, "%s-%llu-%u", c->site, (unsigned long long)n->request.call, n->level);
    h = add_header(d->api, h, "X-Callbell-Id", id);
    if (h && c->token && c->token[0]) {
        snprintf(auth, sizeof auth, "Bearer %s", c->token);
        h = add_header(d->api, h, "Authorization", auth);
    }
    if (c->kind == CB_SINK_WEBHOOK) {
        *body = cb_msg_webhook_json(c->site, n, now, c->board_url);
        return h ? add_header(d->api, h, "Content-Type", "application/json") : NULL;
    }
    cb_msg_title(n, title, sizeof title);
    *body = malloc(CB_MSG_TEXT_SIZE);
    if (*body)
        cb_msg_text(n, now, *body, CB_MSG_TEXT_SIZE);
    if (h)
        h = add_header(d->api, h, "Title", title);
    if (h)
        h = add_header(d->api, h, "Priority", n->level == 0 ? "high" : "urgent");
    if (h)
        h = add_header(d->api, h, "Tags", n->level == 0 ? "bell" : "bell,rotating_light");
    if (h && c->board_url && c->board_url[0])
        h = add_header(d->api, h, "Click", c->board_url);
    return h ? add_header(d->api, h, "Content-Type", "text/plain; charset=utf-8") : NULL;
}

typedef enum { SENT, RETRY, GIVE_UP } outcome;

static outcome post(cb_delivery *d, const cb_notification *n, char *why, size_t why_cap)
{
    char *body = NULL;
    struct curl_slist *h = build_request(d, n, &body);
    if (!h || !body) {
        d->api->slist_free_all(h);
        free(body);
        snprintf(why, why_cap, "out of memory");
        return RETRY;
    }
    CURL *c = d->curl;
    d->api->easy_reset(c);
    d->api->easy_setopt(c, CURLOPT_URL, d->cfg.url);
    d->api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    d->api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    d->api->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    d->api->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    d->api->easy_setopt(c, CURLOPT_HTTPHEADER, h);
    d->api->easy_setopt(c, CURLOPT_POSTFIELDS, body);
    d->api->easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    d->api->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    d->api->easy_setopt(c, CURLOPT_USERAGENT, "callbell-notify");
    CURLcode rc = d->api->easy_perform(c);
    long status = 0;
    d->api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    d->api->slist_free_all(h);
    free(body);
    if (rc != CURLE_OK) {
        snprintf(why, why_cap, "%s", d->api->easy_strerror(rc));
        return RETRY;
    }
    snprintf(why, why_cap, "HTTP %ld", status);
    if (status >= 200 && status < 300)
        return SENT;
    return status >= 400 && status < 500 && status != 408 && status != 429 ? GIVE_UP : RETRY;
}

static void wait_until(cb_delivery *d, uint64_t mono_deadline_ms)
{
    uint64_t now = cb_mono_ms();
    if (now >= mono_deadline_ms)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + (mono_deadline_ms - now) * 1000000u;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    pthread_cond_timedwait(&d->wake, &d->lock, &ts);
}

/* Takes the oldest notification; it stays ours until delivered or given up. */
static void *run(void *arg)
{
    cb_delivery *d = arg;
    const char *name = cb_sink_name(d->cfg.kind);
    bool holding = false, failing = false;
    cb_notification n;
    uint64_t retry_at = 0;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        if (!holding && d->count == 0) {
            pthread_cond_wait(&d->wake, &d->lock);
            continue;
        }
        if (holding && cb_mono_ms() < retry_at) {
            wait_until(d, retry_at);
            continue;
        }
        if (!holding) {
            n = d->queue[d->head];
            d->head = (d->head + 1) % d->cfg.queue_cap;
            d->count--;
            holding = true;
        }
        pthread_mutex_unlock(&d->lock);
        char why[256];
        outcome o = post(d, &n, why, sizeof why);
        if (o == SENT) {
            cb_log("%s: sent table %s %s (request %llu) level %u to %s%s", name, n.table,
                   n.request.kind == CB_KIND_BILL    ? "bill"
                   : n.request.kind == CB_KIND_WATER ? "water"
                                                     : "call",
                   (unsigned long long)n.request.call, n.level, d->cfg.url, failing ? " (after retries)" : "");
            d->cfg.delivered(d->cfg.ctx, d->cfg.kind, &n);
        } else if (o == GIVE_UP) {
            cb_log("%s: %s refused table %s request %llu level %u (%s): dropped", name, d->cfg.url, n.table,
                   (unsigned long long)n.request.call, n.level, why);
        }
        pthread_mutex_lock(&d->lock);
        if (o == RETRY) {
            uint32_t delay = RETRY_MIN_MS;
            cb_backoff_next(&d->backoff, &delay);
            if (!failing)
                cb_log("%s: cannot deliver to %s (%s); retrying", name, d->cfg.url, why);
            failing = true;
            retry_at = cb_mono_ms() + delay;
        } else {
            holding = failing = false;
            cb_backoff_reset(&d->backoff);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

cb_delivery *cb_delivery_start(const cb_sink_config *c, char *err, size_t err_cap)
{
    cb_delivery *d = calloc(1, sizeof *d);
    if (!d || c->queue_cap == 0 || !(d->queue = calloc(c->queue_cap, sizeof *d->queue))) {
        snprintf(err, err_cap, "out of memory");
        goto err;
    }
    d->cfg = *c;
    cb_backoff_init(&d->backoff, RETRY_MIN_MS, RETRY_MAX_MS, (uint32_t)cb_mono_us());
    if (!(d->api = cb_curl_open(err, err_cap)))
        goto err;
    if (!(d->curl = d->api->easy_init())) {
        snprintf(err, err_cap, "cannot start libcurl");
        goto err;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        snprintf(err, err_cap, "cannot start the %s thread", cb_sink_name(c->kind));
        pthread_mutex_destroy(&d->lock);
        pthread_cond_destroy(&d->wake);
        goto err;
    }
    return d;
err:
    if (d) {
        if (d->curl)
            d->api->easy_cleanup(d->curl);
        free(d->queue);
        free(d);
    }
    return NULL;
}

void cb_delivery_stop(cb_delivery *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->wake);
    d->api->easy_cleanup(d->curl);
    free(d->queue);
    free(d);
}
