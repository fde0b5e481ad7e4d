/* age.c - the age classes both boards colour a request by (docs/protocol.md "Age
 * classes"). The web board has the same rule in web/src/protocol.js; the vectors in
 * docs/protocol-vectors.json ("age") hold both to it. */
#include "callbell/protocol.h"

#define DEFAULT_WARN_S 60u
#define DEFAULT_LATE_S 180u

static const char *const age_names[] = {
    [CB_AGE_NEW] = "new",
    [CB_AGE_WARN] = "warn",
    [CB_AGE_LATE] = "late",
    [CB_AGE_ACKED] = "acked",
};

cb_status cb_age_thresholds_default(cb_age_thresholds *t)
{
    if (t == NULL) {
        return CB_E_ARG;
    }
    t->warn_s = DEFAULT_WARN_S;
    t->late_s = DEFAULT_LATE_S;
    return CB_OK;
}

cb_status cb_waiting_s(uint64_t pressed_at, uint64_t now, uint64_t *out)
{
    if (out == NULL) {
        return CB_E_ARG;
    }
    /* a press dated a little after `now` (clock steps) has waited 0, not 49 days */
    *out = now > pressed_at ? (now - pressed_at) / 1000u : 0u;
    return CB_OK;
}

cb_status cb_age_class_of(uint64_t waiting_s, bool acknowledged, const cb_age_thresholds *t, cb_age_class *out)
{
    if (t == NULL || out == NULL) {
        return CB_E_ARG;
    }
    if (t->warn_s > t->late_s) {
        return CB_E_RANGE;
    }
    if (acknowledged) {
        *out = CB_AGE_ACKED; /* someone is on the way: not a waiting guest any more */
    } else if (waiting_s < t->warn_s) {
        *out = CB_AGE_NEW;
    } else if (waiting_s < t->late_s) {
        *out = CB_AGE_WARN;
    } else {
        *out = CB_AGE_LATE;
    }
    return CB_OK;
}

cb_status cb_age_class_name(cb_age_class c, const char **name)
{
    if (name == NULL) {
        return CB_E_ARG;
    }
    if ((unsigned)c >= sizeof age_names / sizeof age_names[0]) {
        return CB_E_RANGE;
    }
    *name = age_names[c];
    return CB_OK;
}

/* docs/protocol.md "Boards' start-up view"; web/src/protocol.js has the same rule
 * (viewTakes), held to it by the "takes" vectors. */
cb_status cb_view_takes(cb_view_source from, uint64_t offered, uint64_t shown, bool *out)
{
    if (out == NULL) {
        return CB_E_ARG;
    }
    if (from == CB_VIEW_FROM_STATE) {
        *out = offered >= shown;
    } else if (from == CB_VIEW_FROM_SNAPSHOT) {
        *out = offered > shown;
    } else {
        return CB_E_RANGE;
    }
    return CB_OK;
}
