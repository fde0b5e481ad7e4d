/* hub_claim.c - exactly one active hub per site (docs/protocol.md "hub info").
 *
 * The hub's client id is fixed, so a second hub connecting with it would take the
 * first one's session (and each would take it back: flapping). The shell asks with
 * another client id first; these two steps decide what it does with what it read. */
#include "callbell/hub_engine.h"

#include <string.h>

cb_status cb_hub_claim_start(bool online, const char *info_instance, const char *mine, bool reconnect, cb_claim *out)
{
    if (info_instance == NULL || mine == NULL || out == NULL) {
        return CB_E_ARG;
    }
    bool mine_named = mine[0] != '\0' && strcmp(info_instance, mine) == 0;
    bool other_named = info_instance[0] != '\0' && !mine_named;
    if (online) {
        /* our own "online" after a connection the broker has not yet seen die */
        *out = mine_named ? CB_CLAIM_FREE : CB_CLAIM_ASK;
    } else {
        /* on a reconnect, another instance in hub/info connected after us: it may
         * have taken our session and still hold it while "online" is in flight */
        *out = reconnect && other_named ? CB_CLAIM_ASK : CB_CLAIM_FREE;
    }
    return CB_OK;
}

cb_status cb_hub_claim_answer(bool answered, cb_claim *out)
{
    if (out == NULL) {
        return CB_E_ARG;
    }
    *out = answered ? CB_CLAIM_OTHER_ACTIVE : CB_CLAIM_STALE;
    return CB_OK;
}
