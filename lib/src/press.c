/* press.c - the press payload (device -> hub), docs/protocol.md "press".
 *
 * Fields are checked in the order of the protocol's table, so a payload breaking
 * several rules always reports the first one. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

#define BATTERY_MAX 10000
#define RSSI_MIN (-127)

cb_status cb_press_decode(const char *payload, size_t len, cb_press *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_press p;
    memset(&p, 0, sizeof p);
    int64_t v = 0;
    bool here = false;
    size_t text_len = 0;

    if ((st = cb_field_id(&obj, "device", p.device)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "boot", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    p.boot = (uint32_t)v;
    if ((st = cb_field_int(&obj, "seq", true, 1, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    p.seq = (uint32_t)v;
    if ((st = cb_field_kind(&obj, "kind", true, &p.kind, NULL)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "age_ms", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    /* a larger age is a device counter gone wrong: clamped, because a rejected press
     * would be a guest's call lost, while a clamped one is misdated by less than that */
    p.age_ms = v > CB_PRESS_AGE_MAX_MS ? CB_PRESS_AGE_MAX_MS : (uint32_t)v;
    if ((st = cb_field_str(&obj, "text", false, p.text, sizeof p.text, &text_len, NULL)) != CB_OK) {
        return st;
    }
    if (strlen(p.text) != text_len) {
        return CB_E_RANGE; /* "\u0000" cannot live in a C string */
    }
    if ((st = cb_field_int(&obj, "battery_mv", false, 0, BATTERY_MAX, &v, &here)) != CB_OK) {
        return st;
    }
    p.has_battery = here;
    p.battery_mv = here ? (uint16_t)v : 0;
    if ((st = cb_field_int(&obj, "rssi", false, RSSI_MIN, 0, &v, &here)) != CB_OK) {
        return st;
    }
    p.has_rssi = here;
    p.rssi = here ? (int8_t)v : 0;
    if ((st = cb_field_int(&obj, "up_ms", false, 0, (int64_t)CB_JSON_SAFE_MAX, &v, &p.has_up_ms)) != CB_OK) {
        return st;
    }
    p.up_ms = p.has_up_ms ? (uint64_t)v : 0;
    if ((st = cb_field_int(&obj, "sent_at", false, 0, (int64_t)CB_JSON_SAFE_MAX, &v, &p.has_sent_at)) != CB_OK) {
        return st;
    }
    p.sent_at = p.has_sent_at ? (uint64_t)v : 0;
    *out = p;
    return CB_OK;
}

cb_status cb_press_encode(const cb_press *press, char *buf, size_t cap, size_t *len)
{
    if (press == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    const char *kind = NULL;
    if (!cb_field_terminated(press->device, sizeof press->device) || cb_id_check(press->device) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (press->seq == 0) {
        return CB_E_RANGE;
    }
    if (cb_kind_name(press->kind, &kind) != CB_OK) {
        return CB_E_BAD_KIND;
    }
    if (!cb_field_terminated(press->text, sizeof press->text)) {
        return CB_E_TOO_LONG;
    }
    if (!cb_field_utf8(press->text)) {
        return CB_E_JSON; /* no reader would accept it */
    }
    if (press->has_battery && press->battery_mv > BATTERY_MAX) {
        return CB_E_RANGE;
    }
    if (press->has_rssi && (press->rssi < RSSI_MIN || press->rssi > 0)) {
        return CB_E_RANGE;
    }
    if ((press->has_up_ms && press->up_ms > CB_JSON_SAFE_MAX) ||
        (press->has_sent_at && press->sent_at > CB_JSON_SAFE_MAX)) {
        return CB_E_RANGE;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "device", press->device);
    (void)cb_json_add_int(&w, "boot", press->boot);
    (void)cb_json_add_int(&w, "seq", press->seq);
    (void)cb_json_add_str(&w, "kind", kind);
    (void)cb_json_add_int(&w, "age_ms", press->age_ms);
    if (press->text[0] != '\0') {
        (void)cb_json_add_str(&w, "text", press->text);
    }
    if (press->has_battery) {
        (void)cb_json_add_int(&w, "battery_mv", press->battery_mv);
    }
    if (press->has_rssi) {
        (void)cb_json_add_int(&w, "rssi", press->rssi);
    }
    if (press->has_up_ms) {
        (void)cb_json_add_int(&w, "up_ms", (int64_t)press->up_ms);
    }
    if (press->has_sent_at) {
        (void)cb_json_add_int(&w, "sent_at", (int64_t)press->sent_at);
    }
    /* The writer stays overflowed after the first failure, so end reports it. */
    return cb_json_end(&w, len);
}

cb_status cb_press_text(const char *table, cb_kind kind, char *buf, size_t cap)
{
    if (table == NULL || buf == NULL) {
        return CB_E_ARG;
    }
    if (cap > 0) {
        buf[0] = '\0';
    }
    const char *name = NULL;
    if (cb_id_check(table) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (cb_kind_name(kind, &name) != CB_OK) {
        return CB_E_BAD_KIND;
    }
    /* "Table <id>: <kind>", as the seed's readable payload. */
    const char *parts[4] = {"Table ", table, ": ", name};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t k = strlen(parts[i]);
        if (k >= cap - n || cap == 0) {
            if (cap > 0) {
                buf[0] = '\0';
            }
            return CB_E_BUFFER;
        }
        memcpy(buf + n, parts[i], k);
        n += k;
    }
    buf[n] = '\0';
    return CB_OK;
}
