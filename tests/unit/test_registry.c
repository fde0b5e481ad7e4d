/* test_registry.c - the site's registry (pc/registry.c): parsing and its errors by
 * line, adding and removing, and the Mosquitto files written from it. Hashing goes
 * through Debian's mosquitto_passwd (tested when it is installed). */
#define _POSIX_C_SOURCE 200809L
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"

#define HASH                                                                                                           \
    "$7$101$rjzw/Sp7ODQPZnUY$64bDIZCdz/MEVzM/6HWwQ77kkitVZ6PLYrSkaZ6Xrkxg935ruqwl63PNkRqQNcq1FZJP91LBazB0H4m69fuBtA=="

static int parse(const char *text, cb_registry *r, char *err, size_t cap)
{
    return cb_registry_parse_text(text, strlen(text), "s.users", "demo", r, err, cap);
}

static void expect_error(const char *text, const char *want)
{
    cb_registry r;
    char err[600] = "";
    assert_int_equal(parse(text, &r, err, sizeof err), -1);
    if (strstr(err, want) == NULL) {
        fail_msg("error '%s' should contain '%s'", err, want);
    }
    assert_null(r.e);
    assert_int_equal(r.n, 0);
}

static void test_parse_ok(void **state)
{
    (void)state;
    cb_registry r;
    char err[600] = "";
    const char *text =
        "# comment\n[hub]\nuser = callbell-hub-demo\npassword = " HASH "\n\n[device dev3]\n"
        "tables = 3,patio-2\npassword = " HASH "\n[staff anna]\npassword = " HASH "\n[display wall]\npassword = " HASH
        "\n[admin]\nuser = callbell-admin-demo\npassword = " HASH "\n";
    assert_int_equal(parse(text, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 5);
    assert_int_equal(cb_registry_find(&r, "callbell-admin-demo")->role, CB_REG_ADMIN);
    const cb_registry_entry *d = cb_registry_find(&r, "dev3");
    assert_non_null(d);
    assert_int_equal(d->role, CB_REG_DEVICE);
    assert_string_equal(d->tables, "3,patio-2");
    assert_true(cb_registry_tables_has(d->tables, "patio-2"));
    assert_true(cb_registry_tables_has(d->tables, "3"));
    assert_false(cb_registry_tables_has(d->tables, "patio"));
    assert_false(cb_registry_tables_has(d->tables, "4"));
    assert_int_equal(cb_registry_find(&r, "callbell-hub-demo")->role, CB_REG_HUB);
    assert_int_equal(cb_registry_find(&r, "anna")->role, CB_REG_STAFF);
    assert_int_equal(cb_registry_find(&r, "wall")->role, CB_REG_DISPLAY);
    assert_null(cb_registry_find(&r, "nobody"));
    cb_registry_free(&r);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("[device dev3]\ntables = 3\npassword = plain\n", "s.users:3: [device dev3] password: not a "
                                                                  "mosquitto_passwd hash");
    expect_error("[device dev3]\npassword = " HASH "\n", "s.users:2: [device dev3] has no tables");
    expect_error("[staff anna]\nuser = x\n", "s.users:2: [staff anna] user: unknown key");
    expect_error("[device Dev3]\ntables = 3\n", "s.users:2: [device Dev3]: bad device id 'Dev3'");
    expect_error("[printer p1]\npassword = " HASH "\n", "s.users:2: [printer p1]: unknown section");
    expect_error("[device d]\ntables = 3,,4\npassword = " HASH "\n", "s.users:2: [device d] tables: want ids like");
    expect_error("[staff anna]\npassword = " HASH "\n[device anna]\ntables = 3\npassword = " HASH "\n",
                 "s.users:4: [device anna]: 'anna' is already registered (as staff anna)");
    expect_error("[staff anna]\npassword = " HASH "\npassword = " HASH "\n", "s.users:3: [staff anna] password: "
                                                                             "given twice");
    expect_error("[hub]\nuser = callbell-hub-other\npassword = " HASH "\n", "[hub] user: want callbell-hub-demo");
    expect_error("[hub]\npassword = " HASH "\n", "[hub] has no user");
    expect_error("[admin]\nuser = callbell-hub-demo\npassword = " HASH "\n", "[admin] user: want callbell-admin-demo");
    expect_error("[staff callbell-admin-x]\npassword = " HASH "\n", "are the site's own");
    expect_error("[staff callbell-hub-x]\npassword = " HASH "\n", "are the site's own");
    expect_error("[staff anna]\ngarbage\n", "s.users:2: not a [section] or a key = value line");
    static const char nul[] = "[staff anna]\npassword = $7$101$a\0b\n";
    cb_registry r;
    char err[600] = "";
    assert_int_equal(cb_registry_parse_text(nul, sizeof nul - 1, "s.users", "demo", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "s.users:2: a NUL byte"));
}

static void test_add_remove(void **state)
{
    (void)state;
    cb_registry r;
    char err[600] = "";
    assert_int_equal(parse("", &r, err, sizeof err), 0);
    assert_int_equal(cb_registry_add(&r, CB_REG_DEVICE, "d1", "1,2", HASH, err, sizeof err), 0);
    assert_int_equal(cb_registry_add(&r, CB_REG_STAFF, "d1", NULL, HASH, err, sizeof err), -1);
    assert_non_null(strstr(err, "'d1' is already registered (as device d1)"));
    assert_int_equal(cb_registry_add(&r, CB_REG_DEVICE, "d2", "", HASH, err, sizeof err), -1);
    assert_int_equal(cb_registry_add(&r, CB_REG_DEVICE, "d2", "1", "plain", err, sizeof err), -1);
    assert_int_equal(cb_registry_add(&r, CB_REG_STAFF, "B", NULL, HASH, err, sizeof err), -1);
    assert_int_equal(cb_registry_add(&r, CB_REG_STAFF, "bo", NULL, HASH, err, sizeof err), 0);
    assert_int_equal(cb_registry_remove(&r, CB_REG_DEVICE, "bo"), -1); /* bo is staff */
    assert_int_equal(cb_registry_remove(&r, CB_REG_STAFF, "bo"), 0);
    assert_int_equal(cb_registry_remove(&r, CB_REG_STAFF, "bo"), -1);
    assert_int_equal(r.n, 1);
    cb_registry_free(&r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_save_and_broker_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/cb-test-registry.XXXXXX", path[128], passwd[128], acl[128], err[600] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/demo.users", dir);
    snprintf(passwd, sizeof passwd, "%s/passwd", dir);
    snprintf(acl, sizeof acl, "%s/acl", dir);
    cb_registry r;
    assert_int_equal(cb_registry_load(path, "demo", &r, err, sizeof err), 0); /* missing: empty */
    assert_false(r.exists);
    assert_int_equal(cb_registry_add(&r, CB_REG_DEVICE, "d1", "3,4", HASH, err, sizeof err), 0);
    assert_int_equal(cb_registry_add(&r, CB_REG_DISPLAY, "wall", NULL, HASH, err, sizeof err), 0);
    assert_int_equal(cb_registry_save(&r, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    cb_registry again;
    assert_int_equal(cb_registry_load(path, "demo", &again, err, sizeof err), 0);
    assert_int_equal(again.n, 2);
    assert_string_equal(cb_registry_find(&again, "d1")->tables, "3,4");
    assert_int_equal(cb_registry_write_broker_files(&again, passwd, acl, err, sizeof err), 0);
    assert_int_equal(stat(acl, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_non_null(strstr(slurp(passwd), "d1:" HASH "\nwall:" HASH "\n"));
    const char *a = slurp(acl);
    assert_non_null(strstr(a, "pattern readwrite callbell/demo/reply/%c\n"));
    assert_non_null(strstr(a, "user d1\ntopic write callbell/demo/table/3/press\ntopic read callbell/demo/table/3/"
                              "state\ntopic write callbell/demo/table/4/press\n"));
    assert_non_null(strstr(a, "topic write callbell/demo/device/d1/status\n"));
    assert_null(strstr(a, "topic write callbell/demo/table/+/cmd")); /* no staff here */
    const char *wall = strstr(a, "user wall\n");
    assert_non_null(wall);
    /* a display writes nothing but its questions to the hub (a board's start-up view) */
    const char *asks = strstr(wall, "topic write callbell/demo/hub/request\n");
    assert_non_null(asks);
    assert_ptr_equal(strstr(wall, "write"), asks + strlen("topic ")); /* the first write */
    assert_null(strstr(asks + strlen("topic write"), "write"));       /* and the only one */
    cb_registry_free(&r);
    cb_registry_free(&again);
    unlink(path);
    unlink(passwd);
    unlink(acl);
    rmdir(dir);
}

static void test_hash(void **state)
{
    (void)state;
    if (access("/usr/bin/mosquitto_passwd", X_OK) != 0) {
        skip();
    }
    char hash[CB_REGISTRY_HASH], err[600] = "", pw[32];
    cb_registry_new_password(pw, sizeof pw);
    assert_int_equal(strlen(pw), 24);
    assert_int_equal(cb_registry_hash("anna", pw, hash, sizeof hash, err, sizeof err), 0);
    assert_memory_equal(hash, "$7$101$", 7);
    assert_null(strstr(hash, pw));
    cb_registry r;
    assert_int_equal(parse("", &r, err, sizeof err), 0);
    assert_int_equal(cb_registry_add(&r, CB_REG_STAFF, "anna", NULL, hash, err, sizeof err), 0);
    cb_registry_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),   cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_add_remove), cmocka_unit_test(test_save_and_broker_files),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
