/* fuzz_site_config.c - libFuzzer target for the site file parser (pc/site_config.c on
 * libinih): any bytes are either refused with a "file:line: ..." message or give a
 * site whose every field holds the rules the parser promises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "site_config.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cb_site_config cfg;
    char err[600];
    if (cb_site_config_parse_text((const char *)data, size, "f.conf", &cfg, err, sizeof err) != 0) {
        CHECK(strncmp(err, "f.conf", 6) == 0);
        CHECK(cfg.tables == NULL && cfg.table_count == 0);
        return 0;
    }
    CHECK(cb_id_check(cfg.id) == CB_OK);
    CHECK(cfg.table_count >= 1 && cfg.table_count <= CB_SITE_TABLES_MAX);
    CHECK(cfg.board_warn_s < cfg.board_late_s);
    CHECK(cfg.realert_s >= 1 && cfg.ack_timeout_s >= 1);
    for (size_t i = 0; i < cfg.table_count; i++) {
        CHECK(cb_id_check(cfg.tables[i].id) == CB_OK);
        CHECK(cfg.tables[i].name[0] != '\0');
        CHECK(cfg.tables[i].kinds != 0 && (cfg.tables[i].kinds & ~CB_SITE_ALL_KINDS) == 0);
        CHECK(cb_site_config_table(&cfg, cfg.tables[i].id) == &cfg.tables[i]);
    }
    cb_site_config_free(&cfg);
    return 0;
}
