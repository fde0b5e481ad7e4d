/* cmd_notify.c - `callbell notify`: follows the site's retained table states like a
 * board and tells people on their phones: each new request, and each escalation, once
 * (the rule: callbell/notify.h), to ntfy topics and/or JSON webhooks
 * (notify/delivery.c, docs/notify.md). Where each goes is the site file's [notify]
 * (a default, per section, per escalation level) with --ntfy/--webhook replacing the
 * default; the choice is cb_notify_route_for. What was delivered is kept in a small
 * file, so neither a reconnect nor a restart sends anything twice. */
#include "commands.h"
#include "common.h"
#include "curl_lib.h"
#include "delivery.h"
#include "log.h"
#include "mqtt_client.h"
#include "paths.h"
#include "sent_file.h"
#include "signals.h"

#include "callbell/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct notify_args {
    const char *url[2];   /* by cb_sink_kind */
    const char *token[2]; /* by cb_sink_kind */
    const char *board_url;
    const char *state_path;
    unsigned long queue;
} notify_args;

_Static_assert((int)CB_SITE_NTFY == (int)CB_SINK_NTFY && (int)CB_SITE_WEBHOOK == (int)CB_SINK_WEBHOOK,
               "the site file's destination kinds are the bridge's");

struct bridge;

/* One destination: a URL of one kind, its queue and thread. Routes to the same URL
 * share it. */
typedef struct dest {
    struct bridge *b;
    cb_sink_kind kind;
    const char *url; /* argv's or the site file's: both live until exit */
    cb_delivery *out;
} dest;

/* One route: notifications of `kind` routed `to` (of `section`) go to dests[dest]. */
typedef struct route {
    cb_sink_kind kind;
    cb_notify_route to;
    const char *section; /* to == CB_ROUTE_SECTION */
    const char *from;    /* where it was configured, for the start-up log */
    size_t dest;
} route;

#define ROUTES_MAX (CB_SITE_ROUTES_MAX + 2)

typedef struct bridge {
    const cb_common *c;
    cb_notify_memory mem[2]; /* by kind: each (call, level) goes to one destination of a kind */
    bool active[2];          /* the kind has a route */
    route routes[ROUTES_MAX];
    size_t n_routes;
    dest dests[ROUTES_MAX];
    size_t n_dests;
    cb_sent_file *sent;
} bridge;

static void help(void)
{
    printf("usage: callbell notify [--ntfy URL] [--webhook URL] [options]\n\n"
           "Sends each new request, and each re-alert of one still waiting, to staff\n"
           "phones through ntfy (https://ntfy.sh or your own server) and/or to a JSON\n"
           "webhook (payload in docs/notify.md). Follows the site's retained states, as a\n"
           "board does: one notification per request and re-alert, none twice, also after\n"
           "a reconnect or a restart (what was delivered is kept in --state). A destination\n"
           "that does not answer is retried (0.5 s, then up to every 5 s); nothing waits for it.\n\n"
           "Where to: --ntfy/--webhook, and the site file's [notify] section, which can\n"
           "also send a section's requests to its own URL (ntfy.patio = URL) and the\n"
           "escalations at level floor or manager to theirs (ntfy.floor, ntfy.manager; the\n"
           "same for webhook.*; see callbell.conf(5)). --ntfy and --webhook replace the\n"
           "file's ntfy and webhook (every other request); the start-up log says what goes\n"
           "where. The file is read at start: restart to apply a change (SIGHUP stops it).\n\n"
           "  --ntfy URL           ntfy topic URL, e.g. https://ntfy.sh/my-restaurant-calls\n"
           "  --ntfy-token T       ntfy access token, sent to every ntfy URL\n"
           "                       (env CALLBELL_NTFY_TOKEN)\n"
           "  --webhook URL        POST a JSON object per notification to URL\n"
           "  --webhook-token T    sent as 'Authorization: Bearer T' to every webhook URL\n"
           "                       (env CALLBELL_WEBHOOK_TOKEN)\n"
           "  --board-url URL      the web board, opened by tapping a notification\n"
           "  --state FILE         what was delivered (default\n"
           "                       $XDG_STATE_HOME/callbell/notify-<site>.sent)\n"
           "  --queue N            notifications waiting per destination (default 256;\n"
           "                       when full the oldest is dropped)\n%s",
           CB_COMMON_HELP);
}

/* No line breaks or other control bytes in what goes into an HTTP header. */
static bool header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

static int check_args(const cb_common *c, notify_args *a)
{
    if (!a->url[CB_SINK_NTFY] && !a->url[CB_SINK_WEBHOOK] && !(c->site_config && c->site_config->route_count)) {
        cb_fail(c, "nowhere to send: give --ntfy URL and/or --webhook URL, or a [notify] section in the site file");
        return 2;
    }
    static const char *const names[2] = {"--ntfy", "--webhook"};
    for (int k = 0; k < 2; k++) {
        if (a->url[k] && !cb_http_url_ok(a->url[k])) {
            cb_fail(c, "bad %s '%s': want an http:// or https:// URL", names[k], a->url[k]);
            return 2;
        }
        if (a->token[k] && !header_safe(a->token[k])) {
            cb_fail(c, "bad %s-token: it holds a control character", names[k]);
            return 2;
        }
    }
    if (a->board_url && !cb_http_url_ok(a->board_url)) {
        cb_fail(c, "bad --board-url '%s': want an http:// or https:// URL", a->board_url);
        return 2;
    }
    return 0;
}

/* 0, 1 after --help, 2 after a usage error. */
static int parse_args(cb_common *c, int argc, char **argv, notify_args *a)
{
    enum { OPT_NTFY = 256, OPT_NTFY_TOKEN, OPT_WEBHOOK, OPT_WEBHOOK_TOKEN, OPT_BOARD_URL, OPT_STATE, OPT_QUEUE };
    static const struct option options[] = {{"ntfy", required_argument, 0, OPT_NTFY},
                                            {"ntfy-token", required_argument, 0, OPT_NTFY_TOKEN},
                                            {"webhook", required_argument, 0, OPT_WEBHOOK},
                                            {"webhook-token", required_argument, 0, OPT_WEBHOOK_TOKEN},
                                            {"board-url", required_argument, 0, OPT_BOARD_URL},
                                            {"state", required_argument, 0, OPT_STATE},
                                            {"queue", required_argument, 0, OPT_QUEUE},
                                            CB_COMMON_OPTIONS,
                                            {0, 0, 0, 0}};
    a->token[CB_SINK_NTFY] = getenv("CALLBELL_NTFY_TOKEN");
    a->token[CB_SINK_WEBHOOK] = getenv("CALLBELL_WEBHOOK_TOKEN");
    a->queue = 256;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'h') {
            help();
            return 1;
        } else if (opt == OPT_NTFY || opt == OPT_WEBHOOK) {
            a->url[opt == OPT_NTFY ? CB_SINK_NTFY : CB_SINK_WEBHOOK] = optarg;
        } else if (opt == OPT_NTFY_TOKEN || opt == OPT_WEBHOOK_TOKEN) {
            a->token[opt == OPT_NTFY_TOKEN ? CB_SINK_NTFY : CB_SINK_WEBHOOK] = optarg;
        } else if (opt == OPT_BOARD_URL) {
            a->board_url = optarg;
        } else if (opt == OPT_STATE) {
            a->state_path = optarg;
        } else if (opt == OPT_QUEUE) {
            if (cb_parse_uint(c, "--queue", optarg, 100000, &a->queue) != 0)
                return 2;
            if (a->queue == 0) {
                cb_fail(c, "--queue must be at least 1");
                return 2;
            }
        } else if (cb_common_option(c, opt, optarg) != 0) {
            return 2;
        }
    }
    if (cb_common_end(c, argc, argv) != 0)
        return 2;
    return check_args(c, a);
}

static void on_delivered(void *ctx, cb_sink_kind kind, const cb_notification *n)
{
    dest *d = ctx;
    cb_sent_append(d->b->sent, kind, n);
}

/* The route of `kind` to `to` (for CB_ROUTE_SECTION: of `section`), or NULL. */
static const route *find_route(const bridge *b, cb_sink_kind kind, cb_notify_route to, const char *section)
{
    for (size_t i = 0; i < b->n_routes; i++) {
        const route *r = &b->routes[i];
        if (r->kind == kind && r->to == to && (to != CB_ROUTE_SECTION || strcmp(r->section, section) == 0))
            return r;
    }
    return NULL;
}

/* Where notification n of a table in `section` ("" for none) goes, or NULL. */
static dest *destination(bridge *b, cb_sink_kind kind, const char *section, const cb_notification *n)
{
    const route *by[CB_ROUTE_COUNT] = {NULL};
    by[CB_ROUTE_DEFAULT] = find_route(b, kind, CB_ROUTE_DEFAULT, NULL);
    by[CB_ROUTE_SECTION] = section[0] ? find_route(b, kind, CB_ROUTE_SECTION, section) : NULL;
    by[CB_ROUTE_FLOOR] = find_route(b, kind, CB_ROUTE_FLOOR, NULL);
    by[CB_ROUTE_MANAGER] = find_route(b, kind, CB_ROUTE_MANAGER, NULL);
    unsigned have = 0;
    for (int r = CB_ROUTE_DEFAULT; r < CB_ROUTE_COUNT; r++)
        if (by[r])
            have |= CB_ROUTE_BIT(r);
    cb_notify_route to = cb_notify_route_for(n, have);
    return to == CB_ROUTE_NONE ? NULL : &b->dests[by[to]->dest];
}

static void on_state(bridge *b, const struct mosquitto_message *msg)
{
    cb_topic t;
    cb_state st;
    size_t tlen = strlen(msg->topic);
    if (cb_topic_parse(msg->topic, tlen, &t) != CB_OK || t.type != CB_TOPIC_STATE || strcmp(t.site, b->c->site) != 0)
        return;
    if (msg->payloadlen <= 0)
        return; /* a retired table's retained state was cleared */
    cb_status s = cb_state_decode(msg->payload, (size_t)msg->payloadlen, &st);
    if (s != CB_OK || strcmp(st.table, t.id) != 0) {
        cb_log("ignored the state of table %s: %s", t.id, s != CB_OK ? cb_status_str(s) : "names another table");
        return;
    }
    for (int k = 0; k < 2; k++) {
        if (!b->active[k])
            continue;
        cb_notification notes[CB_REQUEST_MAX];
        uint32_t n = 0;
        (void)cb_notify_state(&b->mem[k], &st, notes, CB_REQUEST_MAX, &n); /* room for a state's all */
        for (uint32_t i = 0; i < n; i++) {
            dest *d = destination(b, (cb_sink_kind)k, st.section, &notes[i]);
            if (d) /* else no route: nothing is sent for it (the start-up log says so) */
                cb_delivery_push(d->out, &notes[i]);
        }
    }
}

static void on_message(void *ctx, const struct mosquitto_message *msg)
{
    on_state(ctx, msg);
}

static void on_connect(void *ctx)
{
    (void)ctx;
    cb_log("connected to the broker: following the tables' states");
}

static void on_disconnect(void *ctx)
{
    (void)ctx;
    cb_log("lost the broker; reconnecting");
}

/* Adds a route of `kind`, with a destination for its URL unless one exists. */
static void add_route(bridge *b, cb_sink_kind kind, cb_notify_route to, const char *section, const char *url,
                      const char *from)
{
    size_t d = 0;
    while (d < b->n_dests && !(b->dests[d].kind == kind && strcmp(b->dests[d].url, url) == 0))
        d++;
    if (d == b->n_dests)
        b->dests[b->n_dests++] = (dest){.b = b, .kind = kind, .url = url};
    b->routes[b->n_routes++] = (route){.kind = kind, .to = to, .section = section, .from = from, .dest = d};
    b->active[kind] = true;
}

/* The flags' URLs, then the site file's [notify] (whose default a flag replaces). */
static void plan_routes(bridge *b, const notify_args *a)
{
    static const char *const flags[2] = {"--ntfy", "--webhook"};
    for (int k = 0; k < 2; k++)
        if (a->url[k])
            add_route(b, (cb_sink_kind)k, CB_ROUTE_DEFAULT, NULL, a->url[k], flags[k]);
    const cb_site_config *cfg = b->c->site_config;
    for (size_t i = 0; cfg && i < cfg->route_count; i++) {
        const cb_site_route *r = &cfg->routes[i];
        if (r->to == CB_ROUTE_DEFAULT && a->url[r->sink])
            continue;
        add_route(b, (cb_sink_kind)r->sink, r->to, r->section, r->url, "the site file");
    }
}

/* One log line per route and kind, and where the rest goes: what goes where. */
static void log_routes(const bridge *b, const notify_args *a)
{
    for (int k = 0; k < 2; k++) {
        if (!b->active[k])
            continue;
        const char *name = cb_sink_name((cb_sink_kind)k);
        const bool token = a->token[k] && a->token[k][0];
        bool sections = false;
        for (size_t i = 0; i < b->n_routes; i++)
            sections |= b->routes[i].kind == (cb_sink_kind)k && b->routes[i].to == CB_ROUTE_SECTION;
        static const cb_notify_route order[] = {CB_ROUTE_SECTION, CB_ROUTE_DEFAULT, CB_ROUTE_FLOOR, CB_ROUTE_MANAGER};
        for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
            for (size_t i = 0; i < b->n_routes; i++) {
                const route *r = &b->routes[i];
                if (r->kind != (cb_sink_kind)k || r->to != order[o])
                    continue;
                const char *url = b->dests[r->dest].url;
                if (r->to == CB_ROUTE_SECTION)
                    cb_log("%s: section %s's requests -> %s%s (%s)", name, r->section, url,
                           token ? " with a token" : "", r->from);
                else if (r->to == CB_ROUTE_DEFAULT)
                    cb_log("%s: %s -> %s%s (%s)", name, sections ? "the other requests" : "every request", url,
                           token ? " with a token" : "", r->from);
                else
                    cb_log("%s: escalations at level %s -> %s%s (%s)", name,
                           r->to == CB_ROUTE_FLOOR ? "floor" : "manager", url, token ? " with a token" : "", r->from);
            }
        if (!find_route(b, (cb_sink_kind)k, CB_ROUTE_DEFAULT, NULL))
            cb_log("%s: no default (%s or [notify] %s): what no route above takes is not sent to %s", name,
                   k == CB_SINK_NTFY ? "--ntfy" : "--webhook", name, name);
        if (find_route(b, (cb_sink_kind)k, CB_ROUTE_MANAGER, NULL) &&
            !find_route(b, (cb_sink_kind)k, CB_ROUTE_FLOOR, NULL))
            cb_log("%s: escalations at level floor go as new requests do (no %s.floor)", name, name);
    }
}

static int start(bridge *b, const notify_args *a, char *err, size_t err_cap)
{
    char path[4096];
    const char *state_path = a->state_path;
    if (!state_path) {
        char name[64];
        snprintf(name, sizeof name, "notify-%s.sent", b->c->site);
        if (cb_state_path(name, path, sizeof path, err, err_cap) != 0)
            return -1;
        state_path = path;
    }
    cb_notify_init(&b->mem[0]);
    cb_notify_init(&b->mem[1]);
    if (!(b->sent = cb_sent_open(state_path, b->mem, err, err_cap)))
        return -1;
    plan_routes(b, a);
    for (size_t i = 0; i < b->n_dests; i++) {
        dest *d = &b->dests[i];
        cb_sink_config sc = {.kind = d->kind,
                             .url = d->url,
                             .token = a->token[d->kind],
                             .board_url = a->board_url,
                             .site = b->c->site,
                             .queue_cap = (uint32_t)a->queue,
                             .delivered = on_delivered,
                             .ctx = d};
        if (!(d->out = cb_delivery_start(&sc, err, err_cap)))
            return -1;
    }
    log_routes(b, a);
    cb_log("site %s: %u notifications remembered from %s", b->c->site, b->mem[0].n + b->mem[1].n, state_path);
    return 0;
}

static void stop(bridge *b)
{
    for (size_t i = 0; i < b->n_dests; i++)
        cb_delivery_stop(b->dests[i].out);
    cb_sent_close(b->sent);
}

int cb_cmd_notify(int argc, char **argv)
{
    cb_common c;
    cb_common_init(&c, "notify");
    notify_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(&c, argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    cb_log_set_prefix("notify");
    char err[600];
    if (!cb_curl_open(err, sizeof err)) {
        cb_fail(&c, "%s", err);
        return 1;
    }
    static bridge b; /* two memories of CB_NOTIFY_MEMORY entries: not on the stack */
    memset(&b, 0, sizeof b);
    b.c = &c;
    cb_mqtt *m = NULL;
    rc = 1;
    cb_install_stop_handlers();
    if (start(&b, &a, err, sizeof err) != 0) {
        cb_fail(&c, "%s", err);
        goto out;
    }
    cb_mqtt_handlers h = {
        .ctx = &b, .on_message = on_message, .on_connect = on_connect, .on_disconnect = on_disconnect};
    cb_mqtt_options o = {.id_prefix = "cb-notify", .clean_session = true, .keepalive_s = 30};
    if (!(m = cb_mqtt_open(&c.broker, &o, &h, err, sizeof err))) {
        cb_fail(&c, "%s", err);
        goto out;
    }
    char filter[CB_TOPIC_SIZE];
    snprintf(filter, sizeof filter, "callbell/%s/table/+/state", c.site);
    cb_mqtt_subscribe(m, filter, 1);
    if (cb_mqtt_connect(m, 5000, err, sizeof err) != 0)
        cb_log("%s; will keep trying", err); /* like the hub, it outlives broker restarts */
    while (!cb_stop_requested)
        cb_mqtt_run(m, 200);
    cb_log("stopping");
    rc = 0;
out:
    cb_mqtt_close(m, NULL);
    stop(&b);
    cb_curl_close();
    return rc;
}
