/* test_json.c - the bounded JSON reader and writer (callbell/json.h). */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "callbell/json.h"

static cb_status parse(const char *s, cb_json_object *o)
{
    return cb_json_parse(s, strlen(s), o);
}

static void test_parse_types(void **state)
{
    (void)state;
    cb_json_object o;
    const char *s = " {\"s\":\"a\\\"b\",\"i\":-42,\"n\":1.5e3,\"t\":true,\"f\":false,\"z\":null,"
                    "\"o\":{\"x\":[1,{\"y\":[]}]},\"a\":[] }\n";
    assert_int_equal(parse(s, &o), CB_OK);
    assert_int_equal(o.count, 8);
    const cb_json_member *m = NULL;
    assert_int_equal(cb_json_find(&o, "s", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_STRING);
    assert_int_equal(m->str_len, 4); /* raw body a\"b */
    assert_memory_equal(m->str, "a\\\"b", 4);
    assert_int_equal(cb_json_find(&o, "i", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_INT);
    assert_int_equal(m->i, -42);
    assert_int_equal(cb_json_find(&o, "n", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_NUMBER);
    assert_int_equal(m->str_len, 5);
    assert_int_equal(cb_json_find(&o, "t", &m), CB_OK);
    assert_true(m->type == CB_JSON_BOOL && m->b);
    assert_int_equal(cb_json_find(&o, "f", &m), CB_OK);
    assert_true(m->type == CB_JSON_BOOL && !m->b);
    assert_int_equal(cb_json_find(&o, "z", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_NULL);
    assert_int_equal(cb_json_find(&o, "o", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_NESTED);
    assert_int_equal(m->str_len, strlen("{\"x\":[1,{\"y\":[]}]}"));
    assert_memory_equal(m->str, "{\"x\":[1,{\"y\":[]}]}", m->str_len);
    assert_int_equal(cb_json_find(&o, "a", &m), CB_OK);
    assert_int_equal(m->type, CB_JSON_NESTED);
    assert_int_equal(m->str_len, 2);
    assert_int_equal(cb_json_find(&o, "missing", &m), CB_E_MISSING);
}

static void test_parse_integers(void **state)
{
    (void)state;
    cb_json_object o;
    const cb_json_member *m = NULL;
    assert_int_equal(parse("{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":-0,\"d\":0}", &o), CB_OK);
    assert_int_equal(cb_json_find(&o, "a", &m), CB_OK);
    assert_true(m->type == CB_JSON_INT && m->i == INT64_MAX);
    assert_int_equal(cb_json_find(&o, "b", &m), CB_OK);
    assert_true(m->type == CB_JSON_INT && m->i == INT64_MIN);
    assert_int_equal(cb_json_find(&o, "c", &m), CB_OK);
    assert_true(m->type == CB_JSON_INT && m->i == 0);
    /* Outside int64: a number, not an integer. */
    assert_int_equal(parse("{\"a\":9223372036854775808,\"b\":-9223372036854775809,\"c\":1e2,\"d\":1.0}", &o), CB_OK);
    for (const char *k = "abcd"; *k; k++) {
        char key[2] = {*k, 0};
        assert_int_equal(cb_json_find(&o, key, &m), CB_OK);
        assert_int_equal(m->type, CB_JSON_NUMBER);
    }
}

static void test_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "[1]",
        "\"s\"",
        "1",
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,\"a\":1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1}}",
        "{\"a\":1} x",
        "{\"a\":1}{}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":01}",
        "{\"a\":-01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":1e+}",
        "{\"a\":+1}",
        "{\"a\":-}",
        "{\"a\":0x10}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":tru}",
        "{\"a\":True}",
        "{\"a\":nul}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\ud800\"}",        /* lone high surrogate */
        "{\"a\":\"\\udc00\"}",        /* lone low surrogate */
        "{\"a\":\"\\ud800\\u0041\"}", /* high + non-low */
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"nl\nhere\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc0\xaf\"}",         /* overlong '/' */
        "{\"a\":\"\xe0\x80\xaf\"}",     /* overlong */
        "{\"a\":\"\xed\xa0\x80\"}",     /* UTF-8 surrogate */
        "{\"a\":\"\xf4\x90\x80\x80\"}", /* > U+10FFFF */
        "{\"a\":\"\xc3\"}",             /* truncated */
        "\xef\xbb\xbf{\"a\":1}",        /* BOM */
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"b\"}}",
        "{\"a\":{\"b\":1]}",
        "{\"a\":[1}",
        "{\"a\":1\v}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cb_json_object o;
        cb_status st = parse(bad[i], &o);
        if (st != CB_E_JSON) {
            print_message("accepted bad[%zu] = %s\n", i, bad[i]);
        }
        assert_int_equal(st, CB_E_JSON);
        assert_int_equal(o.count, 0);
    }
    /* A raw NUL byte is not JSON whitespace or string content. */
    cb_json_object o;
    assert_int_equal(cb_json_parse("{\"a\":\"x\0\"}", 10, &o), CB_E_JSON);
    assert_int_equal(cb_json_parse("{\"a\":1}\0", 8, &o), CB_E_JSON);
}

static void test_parse_depth(void **state)
{
    (void)state;
    char buf[128];
    cb_json_object o;
    /* 8 levels inside a member value are fine, 9 are not. */
    snprintf(buf, sizeof buf, "{\"a\":%s1%s}", "[[[[[[[[", "]]]]]]]]");
    assert_int_equal(parse(buf, &o), CB_OK);
    snprintf(buf, sizeof buf, "{\"a\":%s1%s}", "[[[[[[[[[", "]]]]]]]]]");
    assert_int_equal(parse(buf, &o), CB_E_JSON);
    snprintf(buf, sizeof buf, "{\"a\":%s}", "{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":1}}}}}}}");
    assert_int_equal(parse(buf, &o), CB_OK);
}

static void test_parse_duplicates_and_full(void **state)
{
    (void)state;
    cb_json_object o;
    assert_int_equal(parse("{\"a\":1,\"a\":2}", &o), CB_E_DUPLICATE_KEY);
    /* Escapes are decoded before comparing: "\u0061" is "a". */
    assert_int_equal(parse("{\"a\":1,\"\\u0061\":2}", &o), CB_E_DUPLICATE_KEY);
    /* Nested keys are a different scope. */
    assert_int_equal(parse("{\"a\":{\"a\":1,\"b\":2},\"b\":1}", &o), CB_OK);
    /* Malformed JSON wins over a duplicate found earlier. */
    assert_int_equal(parse("{\"a\":1,\"a\":2,}", &o), CB_E_JSON);
    char buf[512];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
    for (int i = 0; i < CB_JSON_MAX_MEMBERS; i++) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    }
    assert_int_equal(cb_json_parse(buf, n, &o) == CB_E_JSON, true); /* unterminated so far */
    snprintf(buf + n, sizeof buf - n, "}");
    assert_int_equal(parse(buf, &o), CB_OK);
    assert_int_equal(o.count, CB_JSON_MAX_MEMBERS);
    snprintf(buf + n, sizeof buf - n, ",\"extra\":{\"x\":1}}");
    assert_int_equal(parse(buf, &o), CB_E_FULL);
    snprintf(buf + n, sizeof buf - n, ",\"k0\":1}");
    assert_int_equal(parse(buf, &o), CB_E_DUPLICATE_KEY);
    assert_int_equal(cb_json_parse(NULL, 0, &o), CB_E_ARG);
    assert_int_equal(cb_json_parse("{}", 2, NULL), CB_E_ARG);
    assert_int_equal(parse("{}", &o), CB_OK);
    assert_int_equal(o.count, 0);
}

static void test_find(void **state)
{
    (void)state;
    cb_json_object o;
    const cb_json_member *m = NULL;
    assert_int_equal(parse("{\"\\u0076\":1,\"ab\":2}", &o), CB_OK);
    assert_int_equal(cb_json_find(&o, "v", &m), CB_OK);
    assert_int_equal(m->i, 1);
    assert_int_equal(cb_json_find(&o, "a", &m), CB_E_MISSING);
    assert_int_equal(cb_json_find(&o, "abc", &m), CB_E_MISSING);
    assert_int_equal(cb_json_find(NULL, "v", &m), CB_E_ARG);
    assert_int_equal(cb_json_find(&o, NULL, &m), CB_E_ARG);
    assert_int_equal(cb_json_find(&o, "v", NULL), CB_E_ARG);
}

static void test_string(void **state)
{
    (void)state;
    cb_json_object o;
    const cb_json_member *m = NULL;
    char out[32];
    assert_int_equal(parse("{\"s\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\",\"i\":1,\"e\":\"\"}", &o),
                     CB_OK);
    assert_int_equal(cb_json_find(&o, "s", &m), CB_OK);
    assert_int_equal(cb_json_string(m, out, sizeof out), CB_OK);
    assert_string_equal(out, "q\"b\\s/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    /* Exactly fitting and one byte short. */
    size_t need = strlen(out) + 1;
    char small[32];
    assert_int_equal(cb_json_string(m, small, need), CB_OK);
    assert_int_equal(cb_json_string(m, small, need - 1), CB_E_TOO_LONG);
    assert_string_equal(small, "");
    assert_int_equal(cb_json_find(&o, "e", &m), CB_OK);
    assert_int_equal(cb_json_string(m, small, 1), CB_OK);
    assert_string_equal(small, "");
    assert_int_equal(cb_json_find(&o, "i", &m), CB_OK);
    assert_int_equal(cb_json_string(m, out, sizeof out), CB_E_TYPE);
    /* A hand-made member with a bad escape is caught too. */
    cb_json_member bad = {.key = "k", .key_len = 1, .type = CB_JSON_STRING, .str = "\\ud800", .str_len = 6};
    assert_int_equal(cb_json_string(&bad, out, sizeof out), CB_E_JSON);
    assert_int_equal(cb_json_string(NULL, out, sizeof out), CB_E_ARG);
    assert_int_equal(cb_json_string(&bad, NULL, 4), CB_E_ARG);
    assert_int_equal(cb_json_string(&bad, out, 0), CB_E_ARG);
}

static void test_writer(void **state)
{
    (void)state;
    char buf[256];
    cb_json_writer w;
    size_t len = 0;
    assert_int_equal(cb_json_begin(&w, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "v", 1), CB_OK);
    assert_int_equal(cb_json_add_str(&w, "s", "a\"b\\c\x01\n\xc3\xa9"), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "min", INT64_MIN), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "max", INT64_MAX), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "z", 0), CB_OK);
    assert_int_equal(cb_json_add_bool(&w, "t", true), CB_OK);
    assert_int_equal(cb_json_add_bool(&w, "f", false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "p", 215, false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "q", 5, false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "r", -5, false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "u", 0, false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "w", 480, false), CB_OK);
    assert_int_equal(cb_json_add_tenths(&w, "n", 7, true), CB_OK);
    assert_int_equal(cb_json_end(&w, &len), CB_OK);
    const char *want = "{\"v\":1,\"s\":\"a\\\"b\\\\c\\u0001\\u000a\xc3\xa9\",\"min\":-9223372036854775808,"
                       "\"max\":9223372036854775807,\"z\":0,\"t\":true,\"f\":false,\"p\":21.5,\"q\":0.5,"
                       "\"r\":-0.5,\"u\":0.0,\"w\":48.0,\"n\":null}";
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
    /* What the writer writes, the reader reads back. */
    cb_json_object o;
    const cb_json_member *m = NULL;
    char s[32];
    assert_int_equal(cb_json_parse(buf, len, &o), CB_OK);
    assert_int_equal(cb_json_find(&o, "s", &m), CB_OK);
    assert_int_equal(cb_json_string(m, s, sizeof s), CB_OK);
    assert_string_equal(s, "a\"b\\c\x01\n\xc3\xa9");
    assert_int_equal(cb_json_find(&o, "min", &m), CB_OK);
    assert_true(m->i == INT64_MIN);
}

static void test_writer_empty_and_args(void **state)
{
    (void)state;
    char buf[8];
    cb_json_writer w;
    size_t len = 99;
    assert_int_equal(cb_json_begin(&w, buf, 3), CB_OK);
    assert_int_equal(cb_json_end(&w, &len), CB_OK);
    assert_string_equal(buf, "{}");
    assert_int_equal(len, 2);
    assert_int_equal(cb_json_begin(&w, buf, 2), CB_E_BUFFER);
    assert_int_equal(cb_json_end(&w, &len), CB_E_BUFFER);
    assert_int_equal(cb_json_begin(NULL, buf, 8), CB_E_ARG);
    assert_int_equal(cb_json_begin(&w, NULL, 8), CB_E_ARG);
    assert_int_equal(cb_json_begin(&w, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_json_add_str(&w, NULL, "x"), CB_E_ARG);
    assert_int_equal(cb_json_add_str(&w, "k", NULL), CB_E_ARG);
    assert_int_equal(cb_json_add_int(&w, NULL, 1), CB_E_ARG);
    assert_int_equal(cb_json_add_bool(&w, NULL, true), CB_E_ARG);
    assert_int_equal(cb_json_add_tenths(&w, NULL, 1, false), CB_E_ARG);
    assert_int_equal(cb_json_add_str(&w, "k", "\xff"), CB_E_JSON);
    assert_int_equal(cb_json_add_str(NULL, "k", "v"), CB_E_ARG);
    assert_int_equal(cb_json_end(NULL, &len), CB_E_ARG);
    assert_int_equal(cb_json_end(&w, NULL), CB_OK);
    assert_string_equal(buf, "{}");
}

static void test_writer_overflow(void **state)
{
    (void)state;
    /* For every capacity the writer either produces the full object or reports
     * CB_E_BUFFER, never a truncated object. */
    const char *want = "{\"a\":\"hello\",\"b\":12345,\"c\":true,\"d\":1.5}";
    for (size_t cap = 0; cap <= strlen(want) + 1; cap++) {
        char buf[64];
        memset(buf, '#', sizeof buf);
        cb_json_writer w;
        size_t len = 0;
        (void)cb_json_begin(&w, buf, cap);
        cb_status a = cb_json_add_str(&w, "a", "hello");
        cb_status b = cb_json_add_int(&w, "b", 12345);
        cb_status c = cb_json_add_bool(&w, "c", true);
        cb_status d = cb_json_add_tenths(&w, "d", 15, false);
        cb_status e = cb_json_end(&w, &len);
        if (cap == strlen(want) + 1) {
            assert_int_equal(e, CB_OK);
            assert_string_equal(buf, want);
        } else {
            assert_int_equal(e, CB_E_BUFFER);
            assert_true(a == CB_E_BUFFER || b == CB_E_BUFFER || c == CB_E_BUFFER || d == CB_E_BUFFER ||
                        e == CB_E_BUFFER);
            if (cap > 0) {
                assert_non_null(memchr(buf, '\0', cap)); /* always terminated */
            }
            assert_true(buf[cap] == '#'); /* nothing written past cap */
        }
        /* Once overflowed, every later call keeps failing. */
        if (e == CB_E_BUFFER) {
            assert_int_equal(cb_json_add_int(&w, "x", 1), CB_E_BUFFER);
        }
    }
}

/* Every element of array member `key` of `text`, joined with '|'. */
static cb_status elements(const char *text, const char *key, char *out, size_t cap)
{
    cb_json_object o;
    const cb_json_member *m = NULL;
    assert_int_equal(parse(text, &o), CB_OK);
    assert_int_equal(cb_json_find(&o, key, &m), CB_OK);
    size_t pos = 0, n = 0, elen = 0;
    const char *elem = NULL;
    cb_status st;
    out[0] = '\0';
    for (int guard = 0; (st = cb_json_array_next(m, &pos, &elem, &elen)) == CB_OK; guard++) {
        assert_true(guard < 16);
        assert_true(n + elen + 2 < cap);
        if (n > 0) {
            out[n++] = '|';
        }
        memcpy(out + n, elem, elen);
        n += elen;
        out[n] = '\0';
    }
    /* once at the end it stays there */
    if (st == CB_E_EMPTY) {
        assert_int_equal(cb_json_array_next(m, &pos, &elem, &elen), CB_E_EMPTY);
    }
    return st;
}

static void test_array_next(void **state)
{
    (void)state;
    char got[256];
    assert_int_equal(elements("{\"a\":[]}", "a", got, sizeof got), CB_E_EMPTY);
    assert_string_equal(got, "");
    assert_int_equal(elements("{\"a\":[ \n ]}", "a", got, sizeof got), CB_E_EMPTY);
    assert_string_equal(got, "");
    assert_int_equal(elements("{\"a\":[1]}", "a", got, sizeof got), CB_E_EMPTY);
    assert_string_equal(got, "1");
    assert_int_equal(elements("{\"a\":[ 1 , -2.5e3,\ttrue ,null,\"x\" ]}", "a", got, sizeof got), CB_E_EMPTY);
    assert_string_equal(got, "1|-2.5e3|true|null|\"x\"");
    /* brackets, braces and commas inside strings and nested values stay in their element */
    assert_int_equal(elements("{\"a\":[{\"k\":\"],[,}\"},[1,[2,3]],\"\\\"]\",{}],\"b\":0}", "a", got, sizeof got),
                     CB_E_EMPTY);
    assert_string_equal(got, "{\"k\":\"],[,}\"}|[1,[2,3]]|\"\\\"]\"|{}");
    /* an element with escapes and UTF-8 */
    assert_int_equal(elements("{\"a\":[\"\\\\\",\"caf\xc3\xa9\"]}", "a", got, sizeof got), CB_E_EMPTY);
    assert_string_equal(got, "\"\\\\\"|\"caf\xc3\xa9\"");
    /* not an array */
    cb_json_object o;
    const cb_json_member *m = NULL;
    size_t pos = 0, elen = 0;
    const char *elem = NULL;
    assert_int_equal(parse("{\"o\":{\"x\":1},\"s\":\"[1]\",\"i\":1,\"a\":[1]}", &o), CB_OK);
    assert_int_equal(cb_json_find(&o, "o", &m), CB_OK);
    assert_int_equal(cb_json_array_next(m, &pos, &elem, &elen), CB_E_TYPE);
    assert_int_equal(cb_json_find(&o, "s", &m), CB_OK);
    assert_int_equal(cb_json_array_next(m, &pos, &elem, &elen), CB_E_TYPE);
    assert_int_equal(cb_json_find(&o, "i", &m), CB_OK);
    assert_int_equal(cb_json_array_next(m, &pos, &elem, &elen), CB_E_TYPE);
    assert_int_equal(cb_json_find(&o, "a", &m), CB_OK);
    assert_int_equal(cb_json_array_next(NULL, &pos, &elem, &elen), CB_E_ARG);
    assert_int_equal(cb_json_array_next(m, NULL, &elem, &elen), CB_E_ARG);
    assert_int_equal(cb_json_array_next(m, &pos, NULL, &elen), CB_E_ARG);
    assert_int_equal(cb_json_array_next(m, &pos, &elem, NULL), CB_E_ARG);
    assert_int_equal(cb_json_array_next(m, &pos, &elem, &elen), CB_OK);
    assert_int_equal(elen, 1);
    assert_int_equal(elem[0], '1');
}

static void test_writer_raw(void **state)
{
    (void)state;
    char inner[64], buf[128];
    cb_json_writer w;
    size_t ilen = 0, len = 0;
    assert_int_equal(cb_json_begin(&w, inner, sizeof inner), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "x", 1), CB_OK);
    assert_int_equal(cb_json_end(&w, &ilen), CB_OK);
    assert_int_equal(cb_json_begin(&w, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_json_add_int(&w, "v", 1), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, "o", inner, ilen), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, "a", "[1,2]", 5), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, "e", "[]", 2), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, "n", "[9]xxx", 3), CB_OK); /* only raw_len bytes */
    assert_int_equal(cb_json_end(&w, &len), CB_OK);
    const char *want = "{\"v\":1,\"o\":{\"x\":1},\"a\":[1,2],\"e\":[],\"n\":[9]}";
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
    cb_json_object o;
    assert_int_equal(cb_json_parse(buf, len, &o), CB_OK);
    assert_int_equal(o.count, 5);
    /* the first member too */
    assert_int_equal(cb_json_begin(&w, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, "a", "[]", 2), CB_OK);
    assert_int_equal(cb_json_end(&w, &len), CB_OK);
    assert_string_equal(buf, "{\"a\":[]}");
    /* arguments */
    assert_int_equal(cb_json_begin(&w, buf, sizeof buf), CB_OK);
    assert_int_equal(cb_json_add_raw(&w, NULL, "[]", 2), CB_E_ARG);
    assert_int_equal(cb_json_add_raw(&w, "a", NULL, 2), CB_E_ARG);
    assert_int_equal(cb_json_add_raw(&w, "a", "[]", 0), CB_E_ARG);
    assert_int_equal(cb_json_add_raw(NULL, "a", "[]", 2), CB_E_ARG);
    assert_int_equal(cb_json_add_raw(&w, "\xff", "[]", 2), CB_E_JSON);
    assert_int_equal(cb_json_end(&w, &len), CB_OK);
    assert_string_equal(buf, "{}"); /* nothing written by the refused calls */
    /* for every capacity: the whole object or CB_E_BUFFER, never a cut one */
    want = "{\"r\":[1,2,3]}";
    for (size_t cap = 3; cap <= strlen(want) + 1; cap++) {
        char small[32];
        memset(small, '#', sizeof small);
        assert_int_equal(cb_json_begin(&w, small, cap), CB_OK);
        cb_status a = cb_json_add_raw(&w, "r", "[1,2,3]", 7);
        cb_status e = cb_json_end(&w, &len);
        if (cap == strlen(want) + 1) {
            assert_int_equal(a, CB_OK);
            assert_int_equal(e, CB_OK);
            assert_string_equal(small, want);
        } else {
            assert_int_equal(e, CB_E_BUFFER);
            assert_non_null(memchr(small, '\0', cap));
            assert_true(small[cap] == '#');
            if (a == CB_E_BUFFER) {
                assert_string_equal(small, "{"); /* the refused member left no trace */
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_types),
        cmocka_unit_test(test_parse_integers),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_depth),
        cmocka_unit_test(test_parse_duplicates_and_full),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_writer_empty_and_args),
        cmocka_unit_test(test_writer_overflow),
        cmocka_unit_test(test_array_next),
        cmocka_unit_test(test_writer_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
