/* topic.c - callbell topic names (docs/protocol.md, "Topics").
 *
 * A topic is first matched by shape (fixed words and segment count) and only then
 * are its id segments checked, so "callbell/demo/table/3/pressed" is bad_topic but
 * "callbell/Demo/table/3/press" is bad_id: the log says which part is wrong. */
#include "callbell/protocol.h"

#include <string.h>

#define ROOT "callbell"
#define MAX_SEGMENTS 5

typedef struct segment {
    const char *s;
    size_t len;
} segment;

/* Shape of each topic type: the words around <site> and <id>. */
typedef struct shape {
    cb_topic_type type;
    const char *group; /* segment 2 */
    const char *leaf;  /* segment 4 for 5-segment topics, segment 3 for hub topics */
    bool has_id;
} shape;

static const shape shapes[] = {
    {CB_TOPIC_PRESS, "table", "press", true},       {CB_TOPIC_STATE, "table", "state", true},
    {CB_TOPIC_CMD, "table", "cmd", true},           {CB_TOPIC_DEVICE_STATUS, "device", "status", true},
    {CB_TOPIC_DEVICE_INFO, "device", "info", true}, {CB_TOPIC_HUB_STATUS, "hub", "status", false},
    {CB_TOPIC_HUB_STATS, "hub", "stats", false},    {CB_TOPIC_HUB_REQUEST, "hub", "request", false},
    {CB_TOPIC_REPLY, "reply", NULL, true},          {CB_TOPIC_HUB_INFO, "hub", "info", false},
    {CB_TOPIC_HUB_SITE, "hub", "site", false},
};

#define SHAPE_COUNT (sizeof shapes / sizeof shapes[0])

static const shape *shape_of(cb_topic_type type)
{
    for (size_t i = 0; i < SHAPE_COUNT; i++) {
        if (shapes[i].type == type) {
            return &shapes[i];
        }
    }
    return NULL;
}

static bool seg_is(segment seg, const char *word)
{
    return word != NULL && strlen(word) == seg.len && memcmp(seg.s, word, seg.len) == 0;
}

/* An id segment: copies it to dst (CB_ID_SIZE) when it is a valid id. */
static cb_status seg_id(segment seg, char *dst)
{
    if (seg.len < 1 || seg.len > CB_ID_MAX) {
        return CB_E_BAD_ID;
    }
    memcpy(dst, seg.s, seg.len);
    dst[seg.len] = '\0';
    if (memchr(seg.s, '\0', seg.len) != NULL) {
        return CB_E_BAD_ID;
    }
    return cb_id_check(dst);
}

cb_status cb_topic_build(cb_topic_type type, const char *site, const char *id, char *buf, size_t cap)
{
    if (site == NULL || buf == NULL) {
        return CB_E_ARG;
    }
    if (cap > 0) {
        buf[0] = '\0';
    }
    const shape *sh = shape_of(type);
    if (sh == NULL) {
        return CB_E_BAD_TOPIC;
    }
    if (cb_id_check(site) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (sh->has_id) {
        if (id == NULL) {
            return CB_E_ARG;
        }
        if (cb_id_check(id) != CB_OK) {
            return CB_E_BAD_ID;
        }
    }
    /* Pieces in order; absent ones are NULL. */
    const char *parts[5] = {ROOT, site, sh->group, sh->has_id ? id : sh->leaf, sh->has_id ? sh->leaf : NULL};
    size_t n = 0;
    for (size_t i = 0; i < 5 && parts[i] != NULL; i++) {
        size_t k = strlen(parts[i]);
        size_t need = k + (i > 0 ? 1u : 0u);
        if (need >= cap - n) {
            if (cap > 0) {
                buf[0] = '\0';
            }
            return CB_E_BUFFER;
        }
        if (i > 0) {
            buf[n++] = '/';
        }
        memcpy(buf + n, parts[i], k);
        n += k;
    }
    buf[n] = '\0';
    return CB_OK;
}

cb_status cb_topic_parse(const char *topic, size_t len, cb_topic *out)
{
    if (topic == NULL || out == NULL) {
        return CB_E_ARG;
    }
    if (len > CB_TOPIC_MAX) {
        return CB_E_TOO_LONG;
    }
    segment seg[MAX_SEGMENTS];
    size_t count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || topic[i] == '/') {
            if (count == MAX_SEGMENTS) {
                return CB_E_BAD_TOPIC; /* more segments than any callbell topic */
            }
            seg[count].s = topic + start;
            seg[count].len = i - start;
            count++;
            start = i + 1;
        }
    }
    if (count < 4 || !seg_is(seg[0], ROOT)) {
        return CB_E_BAD_TOPIC;
    }
    const shape *match = NULL;
    for (size_t i = 0; i < SHAPE_COUNT && match == NULL; i++) {
        const shape *sh = &shapes[i];
        if (!seg_is(seg[2], sh->group)) {
            continue;
        }
        if (sh->leaf == NULL) { /* reply/<client> */
            if (count == 4) {
                match = sh;
            }
        } else if (sh->has_id) {
            if (count == 5 && seg_is(seg[4], sh->leaf)) {
                match = sh;
            }
        } else if (count == 4 && seg_is(seg[3], sh->leaf)) {
            match = sh;
        }
    }
    if (match == NULL) {
        return CB_E_BAD_TOPIC;
    }
    cb_topic t;
    memset(&t, 0, sizeof t);
    t.type = match->type;
    if (seg_id(seg[1], t.site) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (match->has_id && seg_id(seg[3], t.id) != CB_OK) {
        return CB_E_BAD_ID;
    }
    *out = t;
    return CB_OK;
}
