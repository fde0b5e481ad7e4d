/* ids.c - identifiers and the protocol's enumerated names (docs/protocol.md,
 * "Identifiers"): site/table/device ids, kinds, table statuses and cmd actions.
 *
 * Names are compared with an explicit length because decoders hand out views into a
 * payload that are not NUL-terminated. */
#include "callbell/protocol.h"

#include <stddef.h>
#include <string.h>

static const char *const kind_names[CB_KIND_COUNT] = {"call", "bill", "water", "cancel"};
static const char *const status_names[] = {"idle", "calling", "acknowledged"};
static const char *const action_names[] = {"ack", "done"};

#define STATUS_COUNT (sizeof status_names / sizeof status_names[0])
#define ACTION_COUNT (sizeof action_names / sizeof action_names[0])

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

cb_status cb_id_check(const char *id)
{
    if (id == NULL) {
        return CB_E_ARG;
    }
    /* Walk at most CB_ID_MAX + 1 chars: the id may sit in a buffer that is not
     * NUL-terminated where it should be, and we must not read past it. */
    size_t n = 0;
    while (n <= CB_ID_MAX && id[n] != '\0') {
        if (!id_char(id[n])) {
            return CB_E_BAD_ID;
        }
        n++;
    }
    return (n >= 1 && n <= CB_ID_MAX) ? CB_OK : CB_E_BAD_ID;
}

/* Index of name[0..len) in names[0..count), or count when absent. */
static size_t name_index(const char *const *names, size_t count, const char *name, size_t len)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return i;
        }
    }
    return count;
}

cb_status cb_kind_name(cb_kind kind, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)kind >= (unsigned)CB_KIND_COUNT) {
        return CB_E_BAD_KIND;
    }
    *name = kind_names[kind];
    return CB_OK;
}

cb_status cb_kind_parse(const char *name, size_t len, cb_kind *kind)
{
    if (name == NULL || kind == NULL) {
        return CB_E_ARG;
    }
    size_t i = name_index(kind_names, CB_KIND_COUNT, name, len);
    if (i == CB_KIND_COUNT) {
        return CB_E_BAD_KIND;
    }
    *kind = (cb_kind)i;
    return CB_OK;
}

cb_status cb_table_status_name(cb_table_status status, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)status >= STATUS_COUNT) {
        return CB_E_RANGE;
    }
    *name = status_names[status];
    return CB_OK;
}

cb_status cb_table_status_parse(const char *name, size_t len, cb_table_status *status)
{
    if (name == NULL || status == NULL) {
        return CB_E_ARG;
    }
    size_t i = name_index(status_names, STATUS_COUNT, name, len);
    if (i == STATUS_COUNT) {
        return CB_E_RANGE;
    }
    *status = (cb_table_status)i;
    return CB_OK;
}

cb_status cb_action_name(cb_action action, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)action >= ACTION_COUNT) {
        return CB_E_BAD_ACTION;
    }
    *name = action_names[action];
    return CB_OK;
}

cb_status cb_action_parse(const char *name, size_t len, cb_action *action)
{
    if (name == NULL || action == NULL) {
        return CB_E_ARG;
    }
    size_t i = name_index(action_names, ACTION_COUNT, name, len);
    if (i == ACTION_COUNT) {
        return CB_E_BAD_ACTION;
    }
    *action = (cb_action)i;
    return CB_OK;
}
