/* fuzz_settings.c - libFuzzer target for the device's setup console and its flash
 * settings record: both read bytes from outside (a USB serial line; flash that a
 * power cut may have left half-written).
 *
 * The input is used twice: as console input (lines through the line reader into
 * the console; every accepted `save` must encode to a record that decodes to the
 * same settings), and as a flash record (whatever decodes must re-encode and decode
 * to the same settings, and load must pick it or the valid other copy). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "callbell/console.h"
#include "callbell/settings.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

static size_t written;

static void count_output(void *ctx, const char *text)
{
    (void)ctx;
    written += strlen(text);
}

/* Equal in every key's text (what the device uses and the console shows). */
static bool same(const cb_settings *a, const cb_settings *b)
{
    for (size_t i = 0; i < cb_settings_key_count(); i++) {
        static char va[CB_SETTINGS_VALUE_MAX + 1], vb[CB_SETTINGS_VALUE_MAX + 1];
        const char *key = cb_settings_key_name(i);
        CHECK(cb_settings_get(a, key, true, va, sizeof va) == CB_OK);
        CHECK(cb_settings_get(b, key, true, vb, sizeof vb) == CB_OK);
        if (strcmp(va, vb) != 0) {
            return false;
        }
    }
    return true;
}

/* s survives a trip through its flash record unchanged. */
static void check_round_trip(const cb_settings *s, const cb_settings *base)
{
    static uint8_t rec[CB_SETTINGS_RECORD_SIZE];
    CHECK(cb_settings_encode(s, 5, rec, sizeof rec) == CB_OK);
    cb_settings back;
    uint32_t seq = 0;
    CHECK(cb_settings_decode(rec, sizeof rec, base, &back, &seq) == CB_OK);
    CHECK(seq == 5);
    CHECK(same(&back, s));
}

static void fuzz_console(const uint8_t *data, size_t size, const cb_settings *defaults)
{
    cb_settings s = *defaults;
    cb_console c;
    cb_line_reader r;
    CHECK(cb_console_init(&c, &s, count_output, NULL) == CB_OK);
    CHECK(cb_line_init(&r) == CB_OK);
    for (size_t i = 0; i < size; i++) {
        bool ready = false;
        cb_status st = cb_line_feed(&r, (char)data[i], &ready);
        CHECK(st == CB_OK || st == CB_E_TOO_LONG);
        if (st == CB_E_TOO_LONG) {
            CHECK(cb_console_too_long(&c) == CB_OK);
        }
        if (!ready) {
            continue;
        }
        CHECK(strlen(r.line) <= CB_CONSOLE_LINE_MAX);
        cb_console_action action = CB_CONSOLE_NONE;
        CHECK(cb_console_line(&c, r.line, &action) == CB_OK);
        if (action == CB_CONSOLE_SAVE) {
            CHECK(cb_settings_check(&s, NULL) == CB_OK);
            check_round_trip(&s, defaults);
            CHECK(cb_console_done(&c, action, CB_OK, NULL) == CB_OK);
        } else if (action == CB_CONSOLE_STATUS) {
            CHECK(cb_console_done(&c, action, CB_OK, NULL) == CB_OK);
        }
    }
}

static void fuzz_record(const uint8_t *data, size_t size, const cb_settings *defaults)
{
    static uint8_t slot[CB_SETTINGS_RECORD_SIZE];
    static uint8_t other[CB_SETTINGS_RECORD_SIZE];
    memset(slot, 0xFF, sizeof slot);
    memcpy(slot, data, size < sizeof slot ? size : sizeof slot);
    cb_settings s;
    uint32_t seq = 0;
    cb_status st = cb_settings_decode(slot, sizeof slot, defaults, &s, &seq);
    if (st == CB_OK) {
        CHECK(cb_settings_check(&s, NULL) == CB_OK);
        check_round_trip(&s, defaults);
    }
    /* The other copy holds the defaults with sequence 1. */
    CHECK(cb_settings_encode(defaults, 1, other, sizeof other) == CB_OK);
    cb_settings loaded;
    cb_settings_origin origin;
    CHECK(cb_settings_load(slot, other, defaults, &loaded, &origin) == CB_OK);
    CHECK(origin.from_flash);
    if (st != CB_OK) {
        CHECK(origin.slot == 1 && origin.other_invalid);
        CHECK(same(&loaded, defaults));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cb_settings defaults;
    CHECK(cb_settings_defaults(&defaults) == CB_OK);
    fuzz_console(data, size, &defaults);
    fuzz_record(data, size, &defaults);
    return 0;
}
