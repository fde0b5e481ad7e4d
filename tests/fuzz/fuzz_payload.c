/* fuzz_payload.c - libFuzzer target for every decoder of untrusted input.
 *
 * The hub and the devices decode whatever the broker delivers, so each decoder must
 * be safe on any bytes. Besides "no crash / no sanitizer report", the target checks
 * two properties: whatever a decoder accepts, its encoder re-encodes and the decoder
 * reads back identically; and every accepted topic rebuilds to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "callbell/json.h"
#include "callbell/protocol.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

static void fuzz_json(const char *s, size_t len)
{
    cb_json_object obj;
    cb_status st = cb_json_parse(s, len, &obj);
    CHECK(st == CB_OK || st == CB_E_JSON || st == CB_E_DUPLICATE_KEY || st == CB_E_FULL);
    if (st != CB_OK) {
        return;
    }
    CHECK(obj.count <= CB_JSON_MAX_MEMBERS);
    for (size_t i = 0; i < obj.count; i++) {
        const cb_json_member *m = &obj.m[i];
        CHECK(m->key >= s && m->key + m->key_len <= s + len);
        CHECK(m->str >= s && m->str + m->str_len <= s + len);
        char out[CB_PAYLOAD_SIZE];
        cb_status ss = cb_json_string(m, out, sizeof out);
        CHECK(m->type == CB_JSON_STRING ? (ss == CB_OK || ss == CB_E_TOO_LONG) : ss == CB_E_TYPE);
    }
    const cb_json_member *m = NULL;
    (void)cb_json_find(&obj, "v", &m);
}

static void fuzz_topic(const char *s, size_t len)
{
    cb_topic t;
    if (cb_topic_parse(s, len, &t) != CB_OK) {
        return;
    }
    char built[CB_TOPIC_SIZE];
    CHECK(cb_topic_build(t.type, t.site, t.id, built, sizeof built) == CB_OK);
    CHECK(strlen(built) == len && memcmp(built, s, len) == 0);
}

static void fuzz_payloads(const char *s, size_t len)
{
    char buf[CB_PAYLOAD_SIZE];
    size_t n = 0;
    cb_press p, p2;
    if (cb_press_decode(s, len, &p) == CB_OK) {
        CHECK(cb_press_encode(&p, buf, sizeof buf, &n) == CB_OK);
        CHECK(cb_press_decode(buf, n, &p2) == CB_OK && memcmp(&p, &p2, sizeof p) == 0);
    }
    cb_state st, st2;
    if (cb_state_decode(s, len, &st) == CB_OK) {
        CHECK(cb_state_encode(&st, buf, sizeof buf, &n) == CB_OK);
        CHECK(cb_state_decode(buf, n, &st2) == CB_OK && memcmp(&st, &st2, sizeof st) == 0);
    }
    cb_cmd c, c2;
    if (cb_cmd_decode(s, len, &c) == CB_OK) {
        CHECK(cb_cmd_encode(&c, buf, sizeof buf, &n) == CB_OK);
        CHECK(cb_cmd_decode(buf, n, &c2) == CB_OK && memcmp(&c, &c2, sizeof c) == 0);
    }
    cb_info in, in2;
    if (cb_info_decode(s, len, &in) == CB_OK) {
        CHECK(cb_info_encode(&in, buf, sizeof buf, &n) == CB_OK);
        CHECK(cb_info_decode(buf, n, &in2) == CB_OK && memcmp(&in, &in2, sizeof in) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy into an exact-size heap buffer so ASan sees any read past the end
     * (the decoders take a length, never a NUL terminator). */
    char *s = malloc(size ? size : 1);
    if (s == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(s, data, size);
    }
    fuzz_json(s, size);
    fuzz_topic(s, size);
    fuzz_payloads(s, size);
    free(s);
    return 0;
}
