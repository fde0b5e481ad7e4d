/* info.c - the retained device info (device -> boards), docs/protocol.md "info".
 *
 * Field order (the order of the protocol's example, which is also the order checks
 * run in): fw, tables, rssi, battery_mv, low_battery, uptime_s. fw and uptime_s are
 * required; `tables` is free text for people (at most 64 bytes), not parsed. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

#define BATTERY_MAX 10000
#define RSSI_MIN (-127)

cb_status cb_info_decode(const char *payload, size_t len, cb_info *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_info in;
    memset(&in, 0, sizeof in);
    size_t n = 0;
    int64_t v = 0;
    bool here = false;

    if ((st = cb_field_str(&obj, "fw", true, in.fw, sizeof in.fw, &n, NULL)) != CB_OK) {
        return st;
    }
    if (strlen(in.fw) != n) {
        return CB_E_RANGE; /* "\u0000" cannot live in a C string */
    }
    if ((st = cb_field_str(&obj, "tables", false, in.tables, sizeof in.tables, &n, NULL)) != CB_OK) {
        return st;
    }
    if (strlen(in.tables) != n) {
        return CB_E_RANGE;
    }
    if ((st = cb_field_int(&obj, "rssi", false, RSSI_MIN, 0, &v, &here)) != CB_OK) {
        return st;
    }
    in.has_rssi = here;
    in.rssi = here ? (int8_t)v : 0;
    if ((st = cb_field_int(&obj, "battery_mv", false, 0, BATTERY_MAX, &v, &here)) != CB_OK) {
        return st;
    }
    in.has_battery = here;
    in.battery_mv = here ? (uint16_t)v : 0;
    if ((st = cb_field_bool(&obj, "low_battery", false, &in.low_battery, NULL)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "uptime_s", true, 0, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    in.uptime_s = (uint32_t)v;
    *out = in;
    return CB_OK;
}

cb_status cb_info_encode(const cb_info *info, char *buf, size_t cap, size_t *len)
{
    if (info == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    if (!cb_field_terminated(info->fw, sizeof info->fw) || !cb_field_terminated(info->tables, sizeof info->tables)) {
        return CB_E_TOO_LONG;
    }
    if (!cb_field_utf8(info->fw) || !cb_field_utf8(info->tables)) {
        return CB_E_JSON;
    }
    if (info->has_rssi && (info->rssi < RSSI_MIN || info->rssi > 0)) {
        return CB_E_RANGE;
    }
    if (info->has_battery && info->battery_mv > BATTERY_MAX) {
        return CB_E_RANGE;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "fw", info->fw);
    if (info->tables[0] != '\0') {
        (void)cb_json_add_str(&w, "tables", info->tables);
    }
    if (info->has_rssi) {
        (void)cb_json_add_int(&w, "rssi", info->rssi);
    }
    if (info->has_battery) {
        (void)cb_json_add_int(&w, "battery_mv", info->battery_mv);
    }
    /* Always written: a board showing "low battery: no" is as useful as "yes". */
    (void)cb_json_add_bool(&w, "low_battery", info->low_battery);
    (void)cb_json_add_int(&w, "uptime_s", info->uptime_s);
    return cb_json_end(&w, len);
}
