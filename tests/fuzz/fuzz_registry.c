/* fuzz_registry.c - libFuzzer target for the site's registry parser (pc/registry.c on
 * libinih): any bytes are either refused with a "file:line: ..." message or give
 * credentials that keep the rules the parser promises (ids, unique users, a hash
 * each, tables for devices, one hub named after the site). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cb_registry r;
    char err[600];
    if (cb_registry_parse_text((const char *)data, size, "f.users", "demo", &r, err, sizeof err) != 0) {
        CHECK(strncmp(err, "f.users", 7) == 0);
        CHECK(r.e == NULL && r.n == 0);
        return 0;
    }
    size_t hubs = 0, admins = 0;
    for (size_t i = 0; i < r.n; i++) {
        const cb_registry_entry *e = &r.e[i];
        CHECK(e->hash[0] == '$');
        CHECK(cb_registry_find(&r, e->user) == e);
        if (e->role == CB_REG_HUB) {
            hubs++;
            CHECK(strcmp(e->user, CB_HUB_USER_PREFIX "demo") == 0);
        } else if (e->role == CB_REG_ADMIN) {
            admins++;
            CHECK(strcmp(e->user, CB_ADMIN_USER_PREFIX "demo") == 0);
        } else {
            CHECK(cb_id_check(e->user) == CB_OK);
        }
        CHECK((e->role == CB_REG_DEVICE) == (e->tables[0] != '\0'));
    }
    CHECK(hubs <= 1 && admins <= 1);
    cb_registry_free(&r);
    return 0;
}
