/* name.c - the staff name rule (docs/protocol.md "cmd"), one check for the hub, the
 * CLI and the terminal board; web/src/protocol.js runs the same vectors. */
#include "callbell/protocol.h"
#include "field.h"

cb_status cb_name_check(const char *name, size_t len)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if (len > CB_NAME_MAX) {
        return CB_E_TOO_LONG;
    }
    if (len == 0) {
        return CB_E_RANGE;
    }
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '\0') {
            return CB_E_RANGE; /* "\u0000" cannot be shown or stored as text */
        }
    }
    /* cb_field_utf8 wants a C string: len <= 32 and no NUL, so copy it to one */
    char copy[CB_NAME_SIZE];
    for (size_t i = 0; i < len; i++) {
        copy[i] = name[i];
    }
    copy[len] = '\0';
    if (!cb_field_utf8(copy)) {
        return CB_E_JSON;
    }
    if (cb_field_has_control(name, len)) {
        return CB_E_RANGE; /* it is shown on boards: no bells, no cursor moves */
    }
    /* A blank name, or one padded with spaces, looks like another person on a board. */
    if (name[0] == ' ' || name[len - 1] == ' ') {
        return CB_E_RANGE;
    }
    return CB_OK;
}
