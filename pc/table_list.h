/* table_list.h - the tables a site has, from a spec like "1-20,bar,patio-2". */
#ifndef CALLBELL_PC_TABLE_LIST_H
#define CALLBELL_PC_TABLE_LIST_H

#include "callbell/protocol.h"
#include <stddef.h>

typedef struct cb_table_list {
    char (*ids)[CB_ID_SIZE];
    size_t count;
} cb_table_list;

#define CB_TABLE_LIST_MAX 1000000

/* Parses spec into *out (heap). 0, or -1 with a message naming the bad item. */
int cb_table_list_parse(const char *spec, cb_table_list *out, char *err, size_t err_cap);
void cb_table_list_free(cb_table_list *list);

#endif
