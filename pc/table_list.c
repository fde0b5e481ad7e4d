#include "table_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(cb_table_list *l, size_t *cap, const char *id)
{
    if (l->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void *p = realloc(l->ids, ncap * sizeof *l->ids);
        if (!p)
            return -1;
        l->ids = p;
        *cap = ncap;
    }
    size_t n = strlen(id); /* callers pass validated ids of at most CB_ID_MAX */
    memcpy(l->ids[l->count], id, n < CB_ID_MAX ? n : CB_ID_MAX);
    l->ids[l->count++][n < CB_ID_MAX ? n : CB_ID_MAX] = '\0';
    return 0;
}

int cb_table_list_parse(const char *spec, cb_table_list *out, char *err, size_t err_cap)
{
    out->ids = NULL;
    out->count = 0;
    size_t cap = 0;
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[64];
        if (n == 0 || n >= sizeof item) {
            snprintf(err, err_cap, "bad table list '%s': empty or overlong item", spec);
            goto fail;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        long lo, hi;
        char tail;
        if (sscanf(item, "%ld-%ld%c", &lo, &hi, &tail) == 2) {
            if (lo < 0 || hi < lo || hi - lo >= CB_TABLE_LIST_MAX) {
                snprintf(err, err_cap, "bad table range '%s' (want LOW-HIGH, at most %d tables)", item,
                         CB_TABLE_LIST_MAX);
                goto fail;
            }
            for (long i = lo; i <= hi; i++) {
                char id[24];
                snprintf(id, sizeof id, "%ld", i);
                if (push(out, &cap, id) != 0)
                    goto oom;
            }
        } else if (strspn(item, "0123456789-") == n && strchr(item, '-')) {
            /* "1-", "-3", "1-2-3": a range gone wrong, not a table called "1-" */
            snprintf(err, err_cap, "bad table range '%s' (want LOW-HIGH, e.g. 1-12)", item);
            goto fail;
        } else {
            if (cb_id_check(item) != CB_OK) {
                snprintf(err, err_cap, "bad table id '%s' (1-32 characters of a-z 0-9 _ -)", item);
                goto fail;
            }
            if (push(out, &cap, item) != 0)
                goto oom;
        }
        if (out->count > CB_TABLE_LIST_MAX) {
            snprintf(err, err_cap, "too many tables (at most %d)", CB_TABLE_LIST_MAX);
            goto fail;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (out->count == 0) {
        snprintf(err, err_cap, "empty table list");
        goto fail;
    }
    return 0;
oom:
    snprintf(err, err_cap, "out of memory");
fail:
    cb_table_list_free(out);
    return -1;
}

void cb_table_list_free(cb_table_list *list)
{
    free(list->ids);
    list->ids = NULL;
    list->count = 0;
}
