/* signin.c - a board's sign-in (board -> hub), escalation levels and the ring rule,
 * docs/protocol.md "sign-in" and "Escalation chain". */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

static const char *const level_names[CB_LEVEL_COUNT] = {"section", "floor", "manager"};
static const char *const role_names[] = {"staff", "manager", "off"};
#define ROLE_COUNT (sizeof role_names / sizeof role_names[0])

/* Index of name[0..len) in names[count], or -1. */
static int find_name(const char *const *names, size_t count, const char *name, size_t len)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

cb_status cb_level_name(cb_level level, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)level >= (unsigned)CB_LEVEL_COUNT) {
        return CB_E_RANGE;
    }
    *name = level_names[level];
    return CB_OK;
}

cb_status cb_level_parse(const char *name, size_t len, cb_level *level)
{
    if (name == NULL || level == NULL) {
        return CB_E_ARG;
    }
    int i = find_name(level_names, CB_LEVEL_COUNT, name, len);
    if (i < 0) {
        return CB_E_RANGE;
    }
    *level = (cb_level)i;
    return CB_OK;
}

cb_status cb_role_name(cb_role role, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)role >= ROLE_COUNT) {
        return CB_E_RANGE;
    }
    *name = role_names[role];
    return CB_OK;
}

cb_status cb_role_parse(const char *name, size_t len, cb_role *role)
{
    if (name == NULL || role == NULL) {
        return CB_E_ARG;
    }
    int i = find_name(role_names, ROLE_COUNT, name, len);
    if (i < 0) {
        return CB_E_RANGE;
    }
    *role = (cb_role)i;
    return CB_OK;
}

bool cb_signin_has(const cb_signin *s, const char *section)
{
    if (s == NULL || section == NULL || section[0] == '\0' || s->role == CB_ROLE_OFF) {
        return false;
    }
    for (uint32_t i = 0; i < s->n_sections && i < CB_SIGNIN_SECTIONS_MAX; i++) {
        if (strcmp(s->sections[i], section) == 0) {
            return true;
        }
    }
    return false;
}

cb_status cb_rings(cb_level level, const char *section, const cb_signin *me, bool *out)
{
    if (section == NULL || out == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)level >= (unsigned)CB_LEVEL_COUNT) {
        return CB_E_RANGE;
    }
    bool signed_in = me != NULL && me->role != CB_ROLE_OFF;
    bool mine = cb_signin_has(me, section);
    switch (level) {
    case CB_LEVEL_SECTION:
        *out = mine;
        break;
    case CB_LEVEL_FLOOR:
        /* a manager's board stays quiet for the floor's calls outside its sections */
        *out = mine || !signed_in || me->role == CB_ROLE_STAFF;
        break;
    default:
        *out = true;
        break;
    }
    return CB_OK;
}

/* "patio,bar" -> s->sections. */
static cb_status parse_sections(const char *text, size_t len, cb_signin *s)
{
    s->n_sections = 0;
    if (len == 0) {
        return CB_OK;
    }
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != ',') {
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > CB_ID_MAX) {
            return CB_E_BAD_ID;
        }
        if (s->n_sections == CB_SIGNIN_SECTIONS_MAX) {
            return CB_E_TOO_LONG;
        }
        char *dst = s->sections[s->n_sections];
        memcpy(dst, text + start, n);
        dst[n] = '\0';
        if (memchr(dst, '\0', n) != NULL || cb_id_check(dst) != CB_OK) {
            return CB_E_BAD_ID;
        }
        for (uint32_t k = 0; k < s->n_sections; k++) {
            if (strcmp(s->sections[k], dst) == 0) {
                return CB_E_RANGE; /* named twice */
            }
        }
        s->n_sections++;
        start = i + 1;
    }
    return CB_OK;
}

cb_status cb_signin_decode(const char *payload, size_t len, cb_signin *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_signin s;
    memset(&s, 0, sizeof s);
    char role[8], sections[CB_SECTIONS_TEXT_MAX + 1];
    size_t n = 0;
    if ((st = cb_field_str(&obj, "by", true, s.by, sizeof s.by, &n, NULL)) != CB_OK ||
        (st = cb_name_check(s.by, n)) != CB_OK) {
        return st;
    }
    st = cb_field_str(&obj, "role", true, role, sizeof role, &n, NULL);
    if (st == CB_E_TOO_LONG) {
        return CB_E_RANGE;
    }
    if (st != CB_OK || (st = cb_role_parse(role, n, &s.role)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_str(&obj, "sections", true, sections, sizeof sections, &n, NULL)) != CB_OK ||
        (st = parse_sections(sections, n, &s)) != CB_OK) {
        return st;
    }
    *out = s;
    return CB_OK;
}

cb_status cb_signin_encode(const cb_signin *s, char *buf, size_t cap, size_t *len)
{
    if (s == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    if (!cb_field_terminated(s->by, sizeof s->by)) {
        return CB_E_TOO_LONG;
    }
    cb_status st = cb_name_check(s->by, strlen(s->by));
    if (st != CB_OK) {
        return st;
    }
    const char *role = NULL;
    if (cb_role_name(s->role, &role) != CB_OK || s->n_sections > CB_SIGNIN_SECTIONS_MAX) {
        return CB_E_RANGE;
    }
    char sections[CB_SECTIONS_TEXT_MAX + 1];
    size_t n = 0;
    for (uint32_t i = 0; i < s->n_sections; i++) {
        const char *id = s->sections[i];
        if (!cb_field_terminated(id, CB_ID_SIZE) || cb_id_check(id) != CB_OK) {
            return CB_E_BAD_ID;
        }
        size_t k = strlen(id);
        if (n + k + (i > 0) > CB_SECTIONS_TEXT_MAX) {
            return CB_E_TOO_LONG;
        }
        if (i > 0) {
            sections[n++] = ',';
        }
        memcpy(sections + n, id, k);
        n += k;
    }
    sections[n] = '\0';
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "by", s->by);
    (void)cb_json_add_str(&w, "role", role);
    (void)cb_json_add_str(&w, "sections", sections);
    return cb_json_end(&w, len);
}
