/* hub_info.c - who the hub is (hub -> everyone, retained; and the answer to the
 * "info" query), docs/protocol.md "hub info". A second hub reads it to name the one
 * that already serves the site. */
#include "callbell/json.h"
#include "callbell/protocol.h"
#include "field.h"

#include <string.h>

#define PID_MIN 1
#define SHORTENED_PREFIX "..."

/* A required string of 1..cap-1 bytes without NUL. */
static cb_status text_field(const cb_json_object *obj, const char *key, char *dst, size_t cap)
{
    size_t n = 0;
    cb_status st = cb_field_str(obj, key, true, dst, cap, &n, NULL);
    if (st != CB_OK) {
        return st;
    }
    return n == 0 || strlen(dst) != n ? CB_E_RANGE : CB_OK;
}

cb_status cb_hub_info_decode(const char *payload, size_t len, cb_hub_info *out)
{
    if (payload == NULL || out == NULL) {
        return CB_E_ARG;
    }
    cb_json_object obj;
    cb_status st = cb_field_payload(payload, len, &obj);
    if (st != CB_OK) {
        return st;
    }
    cb_hub_info in;
    memset(&in, 0, sizeof in);
    int64_t v = 0;
    if ((st = cb_field_id(&obj, "instance", in.instance)) != CB_OK ||
        (st = text_field(&obj, "host", in.host, sizeof in.host)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "pid", true, PID_MIN, UINT32_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    in.pid = (uint32_t)v;
    if ((st = text_field(&obj, "db", in.db, sizeof in.db)) != CB_OK) {
        return st;
    }
    if ((st = cb_field_int(&obj, "started_at", true, 0, (int64_t)CB_JSON_SAFE_MAX, &v, NULL)) != CB_OK) {
        return st;
    }
    in.started_at = (uint64_t)v;
    *out = in;
    return CB_OK;
}

cb_status cb_hub_info_encode(const cb_hub_info *info, char *buf, size_t cap, size_t *len)
{
    if (info == NULL || buf == NULL || len == NULL) {
        return CB_E_ARG;
    }
    if (!cb_field_terminated(info->instance, sizeof info->instance) || cb_id_check(info->instance) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (!cb_field_terminated(info->host, sizeof info->host) || !cb_field_terminated(info->db, sizeof info->db)) {
        return CB_E_TOO_LONG;
    }
    if (info->host[0] == '\0' || info->db[0] == '\0' || info->pid < PID_MIN || info->started_at > CB_JSON_SAFE_MAX) {
        return CB_E_RANGE;
    }
    if (!cb_field_utf8(info->host) || !cb_field_utf8(info->db)) {
        return CB_E_JSON;
    }
    cb_json_writer w;
    (void)cb_json_begin(&w, buf, cap);
    (void)cb_json_add_int(&w, "v", CB_PROTOCOL_VERSION);
    (void)cb_json_add_str(&w, "instance", info->instance);
    (void)cb_json_add_str(&w, "host", info->host);
    (void)cb_json_add_int(&w, "pid", info->pid);
    (void)cb_json_add_str(&w, "db", info->db);
    (void)cb_json_add_int(&w, "started_at", (int64_t)info->started_at);
    return cb_json_end(&w, len);
}

/* A UTF-8 continuation byte (10xxxxxx): not where a shortened path may start. */
static bool continuation(char c)
{
    return ((unsigned char)c & 0xC0u) == 0x80u;
}

cb_status cb_hub_info_set_db(cb_hub_info *info, const char *path)
{
    if (info == NULL || path == NULL) {
        return CB_E_ARG;
    }
    size_t n = strlen(path);
    if (n == 0) {
        return CB_E_RANGE;
    }
    if (n <= CB_DB_SHOWN_MAX) {
        memcpy(info->db, path, n + 1);
        return CB_OK;
    }
    /* the end of a path names the file; its start is the least telling part */
    const size_t prefix = sizeof SHORTENED_PREFIX - 1;
    const char *tail = path + n - (CB_DB_SHOWN_MAX - prefix);
    while (*tail != '\0' && continuation(*tail)) {
        tail++;
    }
    memcpy(info->db, SHORTENED_PREFIX, prefix);
    memcpy(info->db + prefix, tail, strlen(tail) + 1);
    return CB_OK;
}
