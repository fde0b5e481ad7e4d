/* site_config.c - the site file, parsed by libinih (Debian's libinih1).
 *
 * inih calls a handler per "key = value"; ini_text.h feeds it the text a line at a
 * time, so the handler can name the line it refuses. */
#define _POSIX_C_SOURCE 200809L
#include "site_config.h"

#include "ini_text.h"
#include "url.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (1024 * 1024)

typedef enum value_type { V_ID, V_NAME, V_URL, V_PATH, V_SECONDS, V_COUNT, V_NAMES } value_type;

typedef struct key_spec {
    const char *section;
    const char *key;
    value_type type;
    size_t offset;
    size_t size;
    const char *shown_default;
    const char *help;
} key_spec;

#define FIELD(f) offsetof(cb_site_config, f), sizeof(((cb_site_config *)0)->f)

static const key_spec keys[] = {
    {"site", "id", V_ID, FIELD(id), "none, it is required",
     "the site id on the wire: 1-32 characters of a-z 0-9 _ -;\nkeeps restaurants apart on a shared broker"},
    {"site", "name", V_NAME, FIELD(name), "the id", "the restaurant's name as people say it (UTF-8)"},
    {"broker", "url", V_URL, FIELD(broker_url), "mqtt://127.0.0.1:1883",
     "the broker: mqtt://host[:port] or mqtts://host[:port] (TLS)"},
    {"broker", "credentials", V_PATH, FIELD(credentials_file), "none",
     "absolute path of a file holding one line user:password,\nused when the url has no user"},
    {"broker", "password_file", V_PATH, FIELD(password_file), "none",
     "absolute path of a mosquitto_passwd file:\n`callbell broker` lets only its users in"},
    {"hub", "realert", V_SECONDS, FIELD(realert_s), "60", "seconds before a waiting call alerts again"},
    {"hub", "ack_timeout", V_SECONDS, FIELD(ack_timeout_s), "300",
     "seconds before an acknowledged call that is not done\ncalls again"},
    {"hub", "floor_after", V_COUNT, FIELD(floor_after), "1",
     "re-alerts of an unanswered call before every waiter hears it\n(until then only its section's signed-in staff)"},
    {"hub", "manager_after", V_COUNT, FIELD(manager_after), "3",
     "re-alerts before the managers hear it too (at least floor_after)"},
    {"hub", "signin_ttl", V_SECONDS, FIELD(signin_ttl_s), "90",
     "seconds a board's sign-in lasts without a heartbeat\n(boards renew it every 30 s)"},
    {"board", "warn_after", V_SECONDS, FIELD(board_warn_s), "60", "seconds of waiting before a call shows amber"},
    {"board", "late_after", V_SECONDS, FIELD(board_late_s), "180",
     "seconds of waiting before a call shows red\n(more than warn_after)"},
    {"staff", "names", V_NAMES, FIELD(staff), "none", "the staff's names, separated by commas"},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

typedef struct parse_state {
    cb_ini_text in; /* the text, the line inih is on, the first error */
    cb_site_config *cfg;
    bool seen[KEY_COUNT];
    unsigned default_kinds;
    bool tables_seen;
} parse_state;

/* Valid UTF-8 without control characters: what a board can show. */
static bool printable_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, extra;
        unsigned long cp;
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07;
        } else
            return false;
        for (unsigned i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
            return false;
        p += extra + 1;
    }
    return true;
}

static int check_name(parse_state *st, const char *where, const char *value, char *dst, size_t cap)
{
    if (!value[0]) {
        cb_ini_text_fail(&st->in, "%s: empty name", where);
        return -1;
    }
    if (strlen(value) > CB_SITE_NAME_MAX) {
        cb_ini_text_fail(&st->in, "%s: name '%s' is longer than %d bytes", where, value, CB_SITE_NAME_MAX);
        return -1;
    }
    if (!printable_utf8(value)) {
        cb_ini_text_fail(&st->in, "%s: name '%s' is not printable UTF-8", where, value);
        return -1;
    }
    snprintf(dst, cap, "%s", value);
    return 0;
}

static int parse_seconds(parse_state *st, const char *where, const char *value, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end || errno || v < 1 || v > CB_SITE_SECONDS_MAX) {
        cb_ini_text_fail(&st->in, "%s: want a whole number of seconds from 1 to %u, not '%s'", where,
                         CB_SITE_SECONDS_MAX, value);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_count(parse_state *st, const char *where, const char *value, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end || errno || v > 1000) {
        cb_ini_text_fail(&st->in, "%s: want a whole number from 0 to 1000, not '%s'", where, value);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_staff(parse_state *st, const char *where, const char *value)
{
    cb_site_config *cfg = st->cfg;
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        char name[256];
        if (n >= sizeof name) {
            cb_ini_text_fail(&st->in, "%s: a name longer than %d bytes", where, CB_SITE_NAME_MAX);
            return -1;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        if (cfg->staff_count == CB_SITE_STAFF_MAX) {
            cb_ini_text_fail(&st->in, "%s: more than %d names", where, CB_SITE_STAFF_MAX);
            return -1;
        }
        if (check_name(st, where, name, cfg->staff[cfg->staff_count], sizeof cfg->staff[0]) != 0)
            return -1;
        cfg->staff_count++;
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
        p += strspn(p, " \t");
    }
    return 0;
}

static int set_key(parse_state *st, const key_spec *k, const char *value)
{
    char where[96];
    snprintf(where, sizeof where, "[%s] %s", k->section, k->key);
    char *field = (char *)st->cfg + k->offset;
    switch (k->type) {
    case V_ID:
        if (cb_id_check(value) != CB_OK) {
            cb_ini_text_fail(&st->in, "%s: bad id '%s': use 1-32 characters of a-z 0-9 _ -", where, value);
            return -1;
        }
        snprintf(field, k->size, "%s", value);
        return 0;
    case V_NAME:
        return check_name(st, where, value, field, k->size);
    case V_URL:
        if (!value[0] || strlen(value) >= k->size || strchr(value, ' ') ||
            (strncmp(value, "mqtt://", 7) != 0 && strncmp(value, "mqtts://", 8) != 0)) {
            cb_ini_text_fail(&st->in, "%s: want mqtt://host[:port] or mqtts://host[:port], not '%s'", where, value);
            return -1;
        }
        if (strchr(value, '@')) {
            cb_ini_text_fail(&st->in, "%s: no user or password in the url: put them in a file named by credentials",
                             where);
            return -1;
        }
        snprintf(field, k->size, "%s", value);
        return 0;
    case V_PATH:
        if (value[0] != '/' || strlen(value) >= k->size) {
            cb_ini_text_fail(&st->in, "%s: want an absolute path (shorter than %zu), not '%s'", where, k->size, value);
            return -1;
        }
        snprintf(field, k->size, "%s", value);
        return 0;
    case V_SECONDS:
        return parse_seconds(st, where, value, (uint32_t *)(void *)field);
    case V_COUNT:
        return parse_count(st, where, value, (uint32_t *)(void *)field);
    case V_NAMES:
        return parse_staff(st, where, value);
    }
    return -1;
}

static cb_site_table *find_table(cb_site_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->table_count; i++)
        if (strcmp(cfg->tables[i].id, id) == 0)
            return &cfg->tables[i];
    return NULL;
}

static int add_table(parse_state *st, const char *id, const char *name)
{
    cb_site_config *cfg = st->cfg;
    char where[96];
    snprintf(where, sizeof where, "[tables] %.40s", id);
    if (cb_id_check(id) != CB_OK) {
        cb_ini_text_fail(&st->in, "[tables]: bad table id '%s': use 1-32 characters of a-z 0-9 _ -", id);
        return -1;
    }
    if (find_table(cfg, id)) {
        cb_ini_text_fail(&st->in, "%s: table listed twice", where);
        return -1;
    }
    if (cfg->table_count == CB_SITE_TABLES_MAX) {
        cb_ini_text_fail(&st->in, "%s: more than %d tables", where, CB_SITE_TABLES_MAX);
        return -1;
    }
    if (cfg->table_count == cfg->table_cap) {
        size_t cap = cfg->table_cap ? cfg->table_cap * 2 : 16;
        cb_site_table *t = realloc(cfg->tables, cap * sizeof *t);
        if (!t) {
            cb_ini_text_fail(&st->in, "out of memory");
            return -1;
        }
        cfg->tables = t;
        cfg->table_cap = cap;
    }
    cb_site_table *t = &cfg->tables[cfg->table_count];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    if (check_name(st, where, name, t->name, sizeof t->name) != 0)
        return -1;
    cfg->table_count++;
    return 0;
}

/* "call, bill water" -> bits; 0 with an error set if a word is not a kind. */
static unsigned parse_kinds(parse_state *st, const char *where, const char *value)
{
    unsigned mask = 0;
    const char *p = value;
    for (;;) {
        p += strspn(p, ", \t");
        if (!*p)
            break;
        size_t n = strcspn(p, ", \t");
        cb_kind kind;
        if (cb_kind_parse(p, n, &kind) != CB_OK) {
            cb_ini_text_fail(&st->in, "%s: '%.*s' is not a kind (call, bill, water, cancel)", where,
                             (int)(n > 32 ? 32 : n), p);
            return 0;
        }
        mask |= 1u << kind;
        p += n;
    }
    if (!mask)
        cb_ini_text_fail(&st->in, "%s: no kinds: list some of call, bill, water, cancel", where);
    return mask;
}

static int set_kinds(parse_state *st, const char *id, const char *value)
{
    char where[96];
    snprintf(where, sizeof where, "[kinds] %.40s", id);
    if (strcmp(id, "default") == 0) {
        if (st->default_kinds) {
            cb_ini_text_fail(&st->in, "%s: given twice", where);
            return -1;
        }
        st->default_kinds = parse_kinds(st, where, value);
        return st->default_kinds ? 0 : -1;
    }
    cb_site_table *t = find_table(st->cfg, id);
    if (!t) {
        cb_ini_text_fail(&st->in, "%s: no such table in [tables]%s", where,
                         st->tables_seen ? "" : " (list [tables] before [kinds])");
        return -1;
    }
    if (t->kinds) {
        cb_ini_text_fail(&st->in, "%s: given twice", where);
        return -1;
    }
    t->kinds = parse_kinds(st, where, value);
    return t->kinds ? 0 : -1;
}

/* [sections] patio = patio-1, patio-2: each listed table joins the section. */
static int set_section(parse_state *st, const char *section, const char *value)
{
    char where[96];
    snprintf(where, sizeof where, "[sections] %.40s", section);
    if (cb_id_check(section) != CB_OK) {
        cb_ini_text_fail(&st->in, "[sections]: bad section id '%.40s': use 1-32 characters of a-z 0-9 _ -", section);
        return -1;
    }
    for (size_t i = 0; i < st->cfg->table_count; i++)
        if (strcmp(st->cfg->tables[i].section, section) == 0) {
            cb_ini_text_fail(&st->in, "%s: given twice", where);
            return -1;
        }
    const char *p = value;
    int count = 0;
    for (;;) {
        p += strspn(p, ", \t");
        if (!*p)
            break;
        size_t n = strcspn(p, ", \t");
        char id[CB_ID_SIZE];
        snprintf(id, sizeof id, "%.*s", (int)(n < CB_ID_MAX ? n : CB_ID_MAX), p);
        cb_site_table *t = n <= CB_ID_MAX ? find_table(st->cfg, id) : NULL;
        if (!t) {
            cb_ini_text_fail(&st->in, "%s: no table '%.40s' in [tables]%s", where, id,
                             st->tables_seen ? "" : " (list [tables] before [sections])");
            return -1;
        }
        if (t->section[0]) {
            cb_ini_text_fail(&st->in, "%s: table %s is already in section %s (a table is in one section)", where, id,
                             t->section);
            return -1;
        }
        snprintf(t->section, sizeof t->section, "%s", section);
        count++;
        p += n;
    }
    if (!count) {
        cb_ini_text_fail(&st->in, "%s: no tables: list the section's table ids", where);
        return -1;
    }
    return 0;
}

static const char *const sink_names[] = {"ntfy", "webhook"};

static cb_site_route *find_route(cb_site_config *cfg, cb_site_sink sink, cb_notify_route to, const char *section)
{
    for (size_t i = 0; i < cfg->route_count; i++) {
        cb_site_route *r = &cfg->routes[i];
        if (r->sink == sink && r->to == to && (to != CB_ROUTE_SECTION || strcmp(r->section, section) == 0))
            return r;
    }
    return NULL;
}

/* [notify] ntfy = URL, ntfy.patio = URL, webhook.floor = URL, ... Whether a section
 * is in [sections] is checked once the whole file is read (finish): [notify] may
 * come first. */
static int set_route(parse_state *st, const char *key, const char *value)
{
    cb_site_config *cfg = st->cfg;
    char where[96];
    snprintf(where, sizeof where, "[notify] %.60s", key);
    size_t n = strcspn(key, ".");
    cb_site_route r = {.line = st->in.line, .to = CB_ROUTE_DEFAULT};
    if (n == 4 && strncmp(key, "ntfy", 4) == 0)
        r.sink = CB_SITE_NTFY;
    else if (n == 7 && strncmp(key, "webhook", 7) == 0)
        r.sink = CB_SITE_WEBHOOK;
    else {
        cb_ini_text_fail(
            &st->in,
            "%s: unknown key (want ntfy, webhook, ntfy.SECTION, webhook.SECTION, ntfy.floor, ntfy.manager, "
            "webhook.floor or webhook.manager)",
            where);
        return -1;
    }
    if (key[n] == '.') {
        const char *to = key + n + 1;
        if (strcmp(to, "floor") == 0)
            r.to = CB_ROUTE_FLOOR;
        else if (strcmp(to, "manager") == 0)
            r.to = CB_ROUTE_MANAGER;
        else if (cb_id_check(to) == CB_OK) {
            r.to = CB_ROUTE_SECTION;
            snprintf(r.section, sizeof r.section, "%s", to);
        } else {
            cb_ini_text_fail(&st->in,
                             "%s: '%.40s' is not a section id (1-32 characters of a-z 0-9 _ -), floor or manager",
                             where, to);
            return -1;
        }
    }
    if (find_route(cfg, r.sink, r.to, r.section)) {
        cb_ini_text_fail(&st->in, "%s: given twice", where);
        return -1;
    }
    if (strlen(value) >= sizeof r.url || !cb_http_url_ok(value)) {
        cb_ini_text_fail(&st->in, "%s: want an http:// or https:// URL without spaces (shorter than %zu), not '%s'",
                         where, sizeof r.url, value);
        return -1;
    }
    snprintf(r.url, sizeof r.url, "%s", value);
    if (cfg->route_count == CB_SITE_ROUTES_MAX) {
        cb_ini_text_fail(&st->in, "%s: more than %d destinations in [notify]", where, CB_SITE_ROUTES_MAX);
        return -1;
    }
    if (cfg->route_count == cfg->route_cap) {
        size_t cap = cfg->route_cap ? cfg->route_cap * 2 : 8;
        cb_site_route *grown = realloc(cfg->routes, cap * sizeof *grown);
        if (!grown) {
            cb_ini_text_fail(&st->in, "out of memory");
            return -1;
        }
        cfg->routes = grown;
        cfg->route_cap = cap;
    }
    cfg->routes[cfg->route_count++] = r;
    return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    parse_state *st = user;
    if (st->in.error_line)
        return 0; /* report the first error only; later ones may be its echo */
    if (strcmp(section, "tables") == 0) {
        st->tables_seen = true;
        return add_table(st, key, value) == 0;
    }
    if (strcmp(section, "kinds") == 0)
        return set_kinds(st, key, value) == 0;
    if (strcmp(section, "sections") == 0)
        return set_section(st, key, value) == 0;
    if (strcmp(section, "notify") == 0)
        return set_route(st, key, value) == 0;
    bool section_known = false;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (strcmp(section, keys[i].section) != 0)
            continue;
        section_known = true;
        if (strcmp(key, keys[i].key) != 0)
            continue;
        if (st->seen[i]) {
            cb_ini_text_fail(&st->in, "[%s] %s: given twice", section, key);
            return 0;
        }
        st->seen[i] = true;
        return set_key(st, &keys[i], value) == 0;
    }
    if (!section[0])
        cb_ini_text_fail(&st->in, "%.40s: a key before any [section]", key);
    else if (!section_known)
        cb_ini_text_fail(
            &st->in,
            "[%.40s]: unknown section (known: site, broker, hub, board, staff, tables, kinds, sections, notify)",
            section);
    else
        cb_ini_text_fail(&st->in, "[%s] %.40s: unknown key (see `callbell config --help`)", section, key);
    return 0;
}

static void set_defaults(cb_site_config *cfg)
{
    cfg->realert_s = 60;
    cfg->ack_timeout_s = 300;
    cfg->floor_after = 1;
    cfg->manager_after = 3;
    cfg->signin_ttl_s = 90;
    cfg->board_warn_s = 60;
    cfg->board_late_s = 180;
}

static bool has_section(const cb_site_config *cfg, const char *section)
{
    for (size_t i = 0; i < cfg->table_count; i++)
        if (strcmp(cfg->tables[i].section, section) == 0)
            return true;
    return false;
}

/* [notify] against [sections], which may come after it: errors name the key's line. */
static int check_routes(parse_state *st)
{
    for (size_t i = 0; i < st->cfg->route_count; i++) {
        const cb_site_route *r = &st->cfg->routes[i];
        const char *sink = sink_names[r->sink];
        st->in.line = r->line;
        if (r->to == CB_ROUTE_SECTION && !has_section(st->cfg, r->section)) {
            cb_ini_text_fail(&st->in, "[notify] %s.%s: no section '%s' in [sections]", sink, r->section, r->section);
            return -1;
        }
        const char *level = r->to == CB_ROUTE_FLOOR ? "floor" : r->to == CB_ROUTE_MANAGER ? "manager" : NULL;
        if (level && has_section(st->cfg, level)) {
            cb_ini_text_fail(&st->in,
                             "[notify] %s.%s: ambiguous: [sections] has a section '%s' too, and %s.%s means a request "
                             "escalated to the %s level; rename the section to give it a destination",
                             sink, level, level, sink, level, level);
            return -1;
        }
    }
    st->in.line = 0;
    return 0;
}

/* Rules across keys, once the whole file is read. */
static int finish(parse_state *st)
{
    cb_site_config *cfg = st->cfg;
    st->in.line = 0;
    if (!cfg->id[0]) {
        cb_ini_text_fail(&st->in, "[site] id: missing (every site file names its site)");
        return -1;
    }
    if (!cfg->name[0])
        snprintf(cfg->name, sizeof cfg->name, "%s", cfg->id);
    if (cfg->table_count == 0) {
        cb_ini_text_fail(&st->in, "[tables]: no tables (list them as: id = display name)");
        return -1;
    }
    if (cfg->manager_after < cfg->floor_after) {
        cb_ini_text_fail(&st->in, "[hub] manager_after: %u must be at least floor_after (%u)", cfg->manager_after,
                         cfg->floor_after);
        return -1;
    }
    if (cfg->board_late_s <= cfg->board_warn_s) {
        cb_ini_text_fail(&st->in, "[board] late_after: %u s must be more than warn_after (%u s)", cfg->board_late_s,
                         cfg->board_warn_s);
        return -1;
    }
    if (check_routes(st) != 0)
        return -1;
    unsigned fallback = st->default_kinds ? st->default_kinds : CB_SITE_ALL_KINDS;
    for (size_t i = 0; i < cfg->table_count; i++)
        if (!cfg->tables[i].kinds)
            cfg->tables[i].kinds = fallback;
    return 0;
}

int cb_site_config_parse_text(const char *text, size_t len, const char *path, cb_site_config *out, char *err,
                              size_t err_cap)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    set_defaults(out);
    parse_state st = {.cfg = out};
    cb_ini_text_init(&st.in, text, len);
    int rc = ini_parse_stream(cb_ini_text_read_line, &st.in, on_key, &st);
    if (rc > 0 && (!st.in.error_line || rc < st.in.error_line)) {
        /* inih's own complaint: a line that is neither [section] nor key = value */
        snprintf(err, err_cap, "%s:%d: not a [section] or a key = value line", path, rc);
        goto fail;
    }
    if (rc < 0) {
        snprintf(err, err_cap, "%s: cannot parse (error %d from inih)", path, rc);
        goto fail;
    }
    if (!st.in.error_line && finish(&st) != 0) {
        if (st.in.error_line) /* a rule across keys that one key's line breaks */
            snprintf(err, err_cap, "%s:%d: %s", path, st.in.error_line, st.in.error);
        else
            snprintf(err, err_cap, "%s: %s", path, st.in.error);
        goto fail;
    }
    if (st.in.error_line) {
        snprintf(err, err_cap, "%s:%d: %s", path, st.in.error_line, st.in.error);
        goto fail;
    }
    return 0;
fail:
    cb_site_config_free(out);
    return -1;
}

int cb_site_config_load(const char *path, cb_site_config *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "cannot read site file %s: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(FILE_MAX + 1);
    if (!text) {
        fclose(f);
        snprintf(err, err_cap, "%s: out of memory", path);
        return -1;
    }
    size_t len = fread(text, 1, FILE_MAX + 1, f);
    bool read_error = ferror(f);
    fclose(f);
    int rc = -1;
    if (read_error)
        snprintf(err, err_cap, "cannot read site file %s: %s", path, strerror(errno));
    else if (len > FILE_MAX)
        snprintf(err, err_cap, "%s: larger than %d bytes, not a site file", path, FILE_MAX);
    else
        rc = cb_site_config_parse_text(text, len, path, out, err, err_cap);
    free(text);
    return rc;
}

void cb_site_config_free(cb_site_config *cfg)
{
    free(cfg->tables);
    cfg->tables = NULL;
    cfg->table_count = 0;
    cfg->table_cap = 0;
    free(cfg->routes);
    cfg->routes = NULL;
    cfg->route_count = 0;
    cfg->route_cap = 0;
}

const cb_site_route *cb_site_config_route(const cb_site_config *cfg, cb_site_sink sink, cb_notify_route to,
                                          const char *section)
{
    return find_route((cb_site_config *)cfg, sink, to, section ? section : "");
}

const cb_site_table *cb_site_config_table(const cb_site_config *cfg, const char *id)
{
    return find_table((cb_site_config *)cfg, id);
}

int cb_site_config_table_list(const cb_site_config *cfg, cb_table_list *out)
{
    out->count = 0;
    out->ids = calloc(cfg->table_count ? cfg->table_count : 1, sizeof *out->ids);
    if (!out->ids)
        return -1;
    for (size_t i = 0; i < cfg->table_count; i++)
        memcpy(out->ids[i], cfg->tables[i].id, sizeof out->ids[i]);
    out->count = cfg->table_count;
    return 0;
}

size_t cb_site_config_diff(const cb_site_config *old_cfg, const cb_site_config *new_cfg, cb_site_change_fn fn,
                           void *ctx)
{
    size_t n = 0;
    for (size_t i = 0; i < old_cfg->table_count; i++) {
        const cb_site_table *o = &old_cfg->tables[i];
        const cb_site_table *t = cb_site_config_table(new_cfg, o->id);
        cb_site_change c = {.old_table = o, .new_table = t};
        if (!t)
            c.kind = CB_SITE_TABLE_REMOVED;
        else if (strcmp(o->name, t->name) != 0 || o->kinds != t->kinds || strcmp(o->section, t->section) != 0)
            c.kind = CB_SITE_TABLE_CHANGED;
        else
            continue;
        n++;
        if (fn)
            fn(ctx, &c);
    }
    for (size_t i = 0; i < new_cfg->table_count; i++) {
        const cb_site_table *t = &new_cfg->tables[i];
        if (cb_site_config_table(old_cfg, t->id))
            continue;
        cb_site_change c = {.kind = CB_SITE_TABLE_ADDED, .new_table = t};
        n++;
        if (fn)
            fn(ctx, &c);
    }
    return n;
}

static void print_kinds(unsigned kinds, FILE *out)
{
    const char *sep = "";
    for (int k = 0; k < CB_KIND_COUNT; k++) {
        const char *name;
        if ((kinds & (1u << k)) && cb_kind_name((cb_kind)k, &name) == CB_OK) {
            fprintf(out, "%s%s", sep, name);
            sep = ", ";
        }
    }
}

void cb_site_config_print(const cb_site_config *cfg, FILE *out)
{
    fprintf(out, "site: %s (%s)\n", cfg->id, cfg->name);
    fprintf(out, "broker: %s\n",
            cfg->broker_url[0] ? cfg->broker_url : "(not set: --broker, CALLBELL_BROKER or default)");
    if (cfg->credentials_file[0])
        fprintf(out, "credentials: %s\n", cfg->credentials_file);
    if (cfg->password_file[0])
        fprintf(out, "broker password file: %s\n", cfg->password_file);
    fprintf(out, "hub: re-alert after %u s, acknowledged calls return after %u s\n", cfg->realert_s,
            cfg->ack_timeout_s);
    fprintf(out, "escalation: every waiter after %u re-alert%s, the managers after %u; sign-ins last %u s\n",
            cfg->floor_after, cfg->floor_after == 1 ? "" : "s", cfg->manager_after, cfg->signin_ttl_s);
    fprintf(out, "board: amber after %u s, red after %u s\n", cfg->board_warn_s, cfg->board_late_s);
    fprintf(out, "staff (%zu):", cfg->staff_count);
    for (size_t i = 0; i < cfg->staff_count; i++)
        fprintf(out, "%s %s", i ? "," : "", cfg->staff[i]);
    fprintf(out, "\ntables (%zu):\n", cfg->table_count);
    for (size_t i = 0; i < cfg->table_count; i++) {
        fprintf(out, "  %-12s %-24s ", cfg->tables[i].id, cfg->tables[i].name);
        print_kinds(cfg->tables[i].kinds, out);
        if (cfg->tables[i].section[0])
            fprintf(out, "  (section %s)", cfg->tables[i].section);
        fputc('\n', out);
    }
    if (cfg->route_count)
        fprintf(out, "notify (%zu):\n", cfg->route_count);
    for (size_t i = 0; i < cfg->route_count; i++) {
        const cb_site_route *r = &cfg->routes[i];
        char key[64];
        snprintf(key, sizeof key, "%s%s%s", sink_names[r->sink], r->to == CB_ROUTE_DEFAULT ? "" : ".",
                 r->to == CB_ROUTE_SECTION   ? r->section
                 : r->to == CB_ROUTE_FLOOR   ? "floor"
                 : r->to == CB_ROUTE_MANAGER ? "manager"
                                             : "");
        fprintf(out, "  %-16s %s  (%s%s)\n", key, r->url,
                r->to == CB_ROUTE_DEFAULT   ? "every request not routed by another key"
                : r->to == CB_ROUTE_SECTION ? "requests of the tables of section "
                : r->to == CB_ROUTE_FLOOR   ? "escalations at level floor"
                                            : "escalations at level manager",
                r->to == CB_ROUTE_SECTION ? r->section : "");
    }
}

void cb_site_config_print_reference(FILE *out)
{
    const char *section = "";
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (strcmp(section, keys[i].section) != 0) {
            section = keys[i].section;
            fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
        }
        fprintf(out, "  %-14s ", keys[i].key);
        for (const char *h = keys[i].help; *h; h++) {
            if (*h == '\n')
                fputs("\n                 ", out); /* under the text, not the key */
            else
                fputc(*h, out);
        }
        fprintf(out, "\n                 (default: %s)\n", keys[i].shown_default);
    }
    fputs("\n[tables]\n"
          "  ID = NAME      one line per table: its id on the wire (1-32 characters of\n"
          "                 a-z 0-9 _ -, as the buttons send it) and its display name\n"
          "                 (UTF-8, up to 64 bytes, spaces allowed). At least one.\n"
          "\n[kinds]\n"
          "  default = K..  the buttons every table offers (default: call, bill, water, cancel)\n"
          "  ID = K..       the buttons one table offers, e.g. bar = call, water\n"
          "\n[sections]\n"
          "  ID = T..       a section (1-32 characters of a-z 0-9 _ -) and its tables, e.g.\n"
          "                 patio = patio-1, patio-2; a table is in at most one section.\n"
          "                 Staff sign in to sections on the boards; a section's call\n"
          "                 rings its signed-in staff first (default: no sections, every\n"
          "                 call rings everyone)\n"
          "\n[notify]        where `callbell notify` sends requests and escalations\n"
          "  ntfy = URL     every request: an ntfy topic URL, http:// or https://,\n"
          "                 no spaces, e.g. https://ntfy.sh/trattoria-calls-x7k2\n"
          "  ntfy.ID = URL  the requests of section ID's tables, instead of ntfy\n"
          "                 (ID in [sections])\n"
          "  ntfy.floor = URL\n"
          "                 escalations (re-alerts, ack timeouts) of a request at level\n"
          "                 floor (the boards' \"-> floor\")\n"
          "  ntfy.manager = URL\n"
          "                 escalations of a request at level manager (without it:\n"
          "                 ntfy.floor's URL, then the section's, then ntfy's)\n"
          "  webhook... = URL\n"
          "                 the same four for the JSON webhook: webhook, webhook.ID,\n"
          "                 webhook.floor, webhook.manager; ntfy and webhook go each\n"
          "                 their own way. A new request goes to its section's URL,\n"
          "                 else the default, else nowhere. A section named floor or\n"
          "                 manager is refused next to a .floor or .manager key\n"
          "                 (ambiguous). --ntfy and --webhook replace ntfy and webhook;\n"
          "                 tokens stay out of this file (--ntfy-token,\n"
          "                 CALLBELL_NTFY_TOKEN). Read when `callbell notify` starts:\n"
          "                 restart it to apply a change (default: no [notify])\n"
          "\nThe hub publishes the site as it understood it (names, buttons, thresholds) for\n"
          "the boards, and re-reads the file on `systemctl reload callbell-hub@SITE` (SIGHUP):\n"
          "tables added, renamed or removed (a table with open requests leaves once staff\n"
          "have closed them); a file with an error is refused, logged, and the site keeps\n"
          "running as it was. [site] id and [broker] are read at start only.\n",
          out);
}
