/* status.c - stable names for cb_status (docs/protocol.md, "Error names").
 *
 * The names are part of the protocol: hub logs, device logs and the test vectors use
 * them, so they are spelled out here once, indexed by the enum value. */
#include "callbell/status.h"

#include <stddef.h>

static const char *const status_names[CB_STATUS_COUNT] = {
    [CB_OK] = "ok",
    [CB_E_JSON] = "json",
    [CB_E_TOO_LONG] = "too_long",
    [CB_E_VERSION] = "version",
    [CB_E_MISSING] = "missing",
    [CB_E_TYPE] = "type",
    [CB_E_RANGE] = "range",
    [CB_E_DUPLICATE_KEY] = "duplicate_key",
    [CB_E_BAD_ID] = "bad_id",
    [CB_E_BAD_KIND] = "bad_kind",
    [CB_E_BAD_TOPIC] = "bad_topic",
    [CB_E_BAD_ACTION] = "bad_action",
    [CB_E_DUPLICATE] = "duplicate",
    [CB_E_NO_CALL] = "no_call",
    [CB_E_STALE] = "stale",
    [CB_E_FULL] = "full",
    [CB_E_BUFFER] = "buffer",
    [CB_E_ARG] = "arg",
    [CB_E_EMPTY] = "empty",
};

cb_status cb_status_name(cb_status status, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    /* Compare as unsigned: an enum may be signed, and a cast-in garbage value must
     * not index outside the table. */
    if ((unsigned)status >= (unsigned)CB_STATUS_COUNT) {
        *name = "unknown";
        return CB_E_ARG;
    }
    *name = status_names[status];
    return CB_OK;
}

const char *cb_status_str(cb_status status)
{
    const char *name = "unknown";
    (void)cb_status_name(status, &name);
    return name;
}
