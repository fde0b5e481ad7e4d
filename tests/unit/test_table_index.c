/* The hub's tables in memory (hub/table_index.c) and the strings they share
 * (hub/string_pool.c): what goes in comes out, names and sections are held once and
 * let go with their last holder, and the pool never grows past what is held. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "string_pool.h"
#include "table_index.h"

#include <stdio.h>
#include <string.h>

static void test_pool_take_and_drop(void **state)
{
    (void)state;
    cb_string_pool p;
    assert_int_equal(cb_string_pool_init(&p), 0);
    uint32_t empty = 99, a, a2, b;
    assert_int_equal(cb_string_pool_take(&p, "", &empty), 0);
    assert_int_equal(empty, 0);
    assert_string_equal(cb_string_pool_get(&p, 0), "");
    assert_int_equal(cb_string_pool_take(&p, "Ana", &a), 0);
    assert_int_equal(cb_string_pool_take(&p, "Ana", &a2), 0);
    assert_int_equal(a, a2); /* held once */
    assert_int_equal(cb_string_pool_take(&p, "Bo", &b), 0);
    assert_int_not_equal(a, b);
    assert_int_equal(p.live, 2);
    cb_string_pool_drop(&p, a);
    assert_string_equal(cb_string_pool_get(&p, a), "Ana"); /* one holder left */
    cb_string_pool_drop(&p, a);
    assert_int_equal(p.live, 1);
    assert_string_equal(cb_string_pool_get(&p, b), "Bo");
    cb_string_pool_drop(&p, a); /* already gone: ignored */
    cb_string_pool_drop(&p, 0);
    cb_string_pool_drop(&p, 12345);
    assert_int_equal(p.live, 1);
    /* 32 bytes fit, 33 do not, and nothing changes */
    char max[33], over[34];
    memset(max, 'x', 32);
    max[32] = '\0';
    memset(over, 'y', 33);
    over[33] = '\0';
    uint32_t h;
    assert_int_equal(cb_string_pool_take(&p, max, &h), 0);
    assert_string_equal(cb_string_pool_get(&p, h), max);
    assert_int_equal(cb_string_pool_take(&p, over, &h), -1);
    assert_int_equal(p.live, 2);
    cb_string_pool_free(&p);
}

/* Every name typed once, then let go: freed entries are reused, so the pool stays as
 * large as what is held at once; every live string stays findable through deletions
 * from the middle of probe runs (backward shift). */
static void test_pool_churn(void **state)
{
    (void)state;
    cb_string_pool p;
    assert_int_equal(cb_string_pool_init(&p), 0);
    uint32_t held[64];
    char s[16];
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 64; i++) {
            snprintf(s, sizeof s, "n%d-%d", round, i);
            assert_int_equal(cb_string_pool_take(&p, s, &held[i]), 0);
        }
        for (int i = 0; i < 64; i += 2) /* drop the even ones: holes in the probe runs */
            cb_string_pool_drop(&p, held[i]);
        for (int i = 1; i < 64; i += 2) {
            snprintf(s, sizeof s, "n%d-%d", round, i);
            uint32_t again;
            assert_int_equal(cb_string_pool_take(&p, s, &again), 0);
            assert_int_equal(again, held[i]);
            cb_string_pool_drop(&p, again);
            cb_string_pool_drop(&p, held[i]);
        }
        assert_int_equal(p.live, 0);
    }
    assert_true(p.used <= 65); /* 64 held at once at most, and entry 0 */
    cb_string_pool_free(&p);
}

static cb_table table(const char *id, const char *section, int n_requests)
{
    cb_table t;
    memset(&t, 0, sizeof t);
    snprintf(t.state.table, sizeof t.state.table, "%s", id);
    snprintf(t.state.section, sizeof t.state.section, "%s", section);
    t.state.updated_at = 1000;
    for (int i = 0; i < n_requests; i++) {
        cb_request *r = &t.state.requests[i];
        r->call = (uint64_t)(10 + i);
        r->kind = (cb_kind)i;
        r->status = i == 1 ? CB_ACKNOWLEDGED : CB_CALLING;
        r->level = (cb_level)(i % CB_LEVEL_COUNT);
        r->count = 2;
        r->repeats = (uint32_t)i;
        r->pressed_at = 5000 + (uint64_t)i;
        r->acked_at = i == 1 ? 6000 : 0;
        r->last_alert_at = 7000;
        snprintf(r->acked_by, sizeof r->acked_by, "%s", i == 1 ? "Ana" : "");
    }
    t.state.n_requests = (uint32_t)n_requests;
    return t;
}

static void test_index_round_trip(void **state)
{
    (void)state;
    cb_table_index ix;
    assert_int_equal(cb_table_index_init(&ix), 0);
    cb_table in = table("patio-12", "patio", 3), out;
    uint32_t i = cb_table_index_add(&ix, &in);
    assert_int_not_equal(i, CB_NO_TABLE);
    assert_int_equal(cb_table_index_find(&ix, "patio-12"), i);
    assert_int_equal(cb_table_index_find(&ix, "patio-1"), CB_NO_TABLE);
    assert_string_equal(cb_table_index_id(&ix, i), "patio-12");
    assert_string_equal(cb_table_index_section(&ix, i), "patio");
    cb_table_index_get(&ix, i, &out);
    assert_string_equal(out.state.table, "patio-12");
    assert_string_equal(out.state.section, "patio");
    assert_int_equal(out.state.n_requests, 3);
    for (int k = 0; k < 3; k++) {
        const cb_request *a = &in.state.requests[k], *b = &out.state.requests[k];
        assert_int_equal(a->call, b->call);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->status, b->status);
        assert_int_equal(a->level, b->level);
        assert_int_equal(a->count, b->count);
        assert_int_equal(a->repeats, b->repeats);
        assert_int_equal(a->pressed_at, b->pressed_at);
        assert_int_equal(a->acked_at, b->acked_at);
        assert_int_equal(a->last_alert_at, b->last_alert_at);
        assert_string_equal(a->acked_by, b->acked_by);
    }
    /* the name is held while a request holds it, and let go when it closes */
    assert_int_equal(ix.strings.live, 2); /* "patio", "Ana" */
    in.state.n_requests = 0;
    assert_int_equal(cb_table_index_put(&ix, i, &in), 0);
    assert_int_equal(ix.strings.live, 1);
    cb_table_index_get(&ix, i, &out);
    assert_int_equal(out.state.n_requests, 0);
    /* a reload moves it to another section, then to none */
    assert_int_equal(cb_table_index_set_section(&ix, i, "bar"), 0);
    assert_string_equal(cb_table_index_section(&ix, i), "bar");
    assert_int_equal(cb_table_index_set_section(&ix, i, ""), 0);
    assert_string_equal(cb_table_index_section(&ix, i), "");
    assert_int_equal(ix.strings.live, 0);
    cb_table_index_free(&ix);
}

/* Many tables: ids stay findable while the arena and the index grow, requests move
 * through the pool, and an ack's name changes hands without leaking a holder. */
static void test_index_many(void **state)
{
    (void)state;
    cb_table_index ix;
    assert_int_equal(cb_table_index_init(&ix), 0);
    char id[16];
    for (int k = 0; k < 5000; k++) {
        snprintf(id, sizeof id, "t%d", k);
        cb_table t = table(id, k % 2 ? "odd" : "", k % 3);
        assert_int_equal(cb_table_index_add(&ix, &t), (uint32_t)k);
    }
    for (int k = 0; k < 5000; k++) {
        snprintf(id, sizeof id, "t%d", k);
        uint32_t i = cb_table_index_find(&ix, id);
        assert_int_equal(i, (uint32_t)k);
        cb_table t;
        cb_table_index_get(&ix, i, &t);
        assert_string_equal(t.state.table, id);
        assert_string_equal(t.state.section, k % 2 ? "odd" : "");
        assert_int_equal(t.state.n_requests, (uint32_t)(k % 3));
        if (t.state.n_requests == 2) { /* acked by Ana: now by Bo */
            snprintf(t.state.requests[1].acked_by, sizeof t.state.requests[1].acked_by, "Bo");
            assert_int_equal(cb_table_index_put(&ix, i, &t), 0);
        }
    }
    assert_int_equal(ix.strings.live, 2); /* "odd", "Bo": nobody holds "Ana" any more */
    cb_table t;
    cb_table_index_get(&ix, cb_table_index_find(&ix, "t2"), &t);
    assert_string_equal(t.state.requests[1].acked_by, "Bo");
    cb_table_index_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_take_and_drop),
        cmocka_unit_test(test_pool_churn),
        cmocka_unit_test(test_index_round_trip),
        cmocka_unit_test(test_index_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
