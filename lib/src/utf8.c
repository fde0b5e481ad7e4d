/* utf8.c - strict UTF-8 validation (RFC 3629).
 *
 * JSON text must be UTF-8 (RFC 8259 §8.1). Both the reader (untrusted payloads) and
 * the writer (caller strings) check it, so nothing invalid crosses the wire. */
#include "json_internal.h"

static bool cont(unsigned char c)
{
    return (c & 0xC0u) == 0x80u;
}

size_t cb_utf8_len(const unsigned char *s, size_t avail)
{
    if (s == NULL || avail == 0) {
        return 0;
    }
    unsigned char c = s[0];
    if (c < 0x80u) {
        return 1;
    }
    /* Ranges of the second byte follow RFC 3629 §4: they exclude overlong forms
     * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF (F4 90..). */
    if (c >= 0xC2u && c <= 0xDFu) {
        return (avail >= 2 && cont(s[1])) ? 2 : 0;
    }
    if (c >= 0xE0u && c <= 0xEFu) {
        if (avail < 3 || !cont(s[1]) || !cont(s[2])) {
            return 0;
        }
        if (c == 0xE0u && s[1] < 0xA0u) {
            return 0;
        }
        if (c == 0xEDu && s[1] > 0x9Fu) {
            return 0;
        }
        return 3;
    }
    if (c >= 0xF0u && c <= 0xF4u) {
        if (avail < 4 || !cont(s[1]) || !cont(s[2]) || !cont(s[3])) {
            return 0;
        }
        if (c == 0xF0u && s[1] < 0x90u) {
            return 0;
        }
        if (c == 0xF4u && s[1] > 0x8Fu) {
            return 0;
        }
        return 4;
    }
    return 0; /* 80..C1 (continuation or overlong lead) and F5..FF */
}
