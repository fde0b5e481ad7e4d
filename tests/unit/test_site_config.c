/* test_site_config.c - the site file (pc/site_config.c): a good file as understood,
 * defaults, and each kind of bad file refused with its file, line and key named. */
#define _POSIX_C_SOURCE 200809L
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "site_config.h"

#include <stdio.h>
#include <string.h>

static const char good[] = "; a comment\n"
                           "[site]\n"
                           "id = trattoria\n"
                           "name = Trattoria Sole ; inline comment\n"
                           "\n"
                           "[broker]\n"
                           "url = mqtt://192.168.1.20:1883\n"
                           "credentials = /etc/callbell/credentials\n"
                           "\n"
                           "[hub]\n"
                           "realert = 45\n"
                           "ack_timeout = 240\n"
                           "\n"
                           "[board]\n"
                           "warn_after = 30\n"
                           "late_after = 90\n"
                           "\n"
                           "[staff]\n"
                           "names = Anna, Marco Rossi,Lucía\n"
                           "\n"
                           "[tables]\n"
                           "1 = Window 1\n"
                           "patio-2 = Patio 2\n"
                           "bar = Bar — counter\n"
                           "\n"
                           "[kinds]\n"
                           "default = call, bill, water\n"
                           "bar = call water\n";

static cb_site_config parse_ok(const char *text)
{
    cb_site_config cfg;
    char err[600] = "";
    if (cb_site_config_parse_text(text, strlen(text), "site.conf", &cfg, err, sizeof err) != 0)
        fail_msg("refused: %s", err);
    return cfg;
}

static void expect_error(const char *text, const char *where, const char *why)
{
    cb_site_config cfg;
    char err[600] = "";
    assert_int_equal(cb_site_config_parse_text(text, strlen(text), "site.conf", &cfg, err, sizeof err), -1);
    if (!strstr(err, where) || !strstr(err, why))
        fail_msg("error '%s' does not say '%s' and '%s'", err, where, why);
    assert_null(cfg.tables);
    assert_int_equal(cfg.table_count, 0);
}

static void test_good_file(void **state)
{
    (void)state;
    cb_site_config cfg = parse_ok(good);
    assert_string_equal(cfg.id, "trattoria");
    assert_string_equal(cfg.name, "Trattoria Sole");
    assert_string_equal(cfg.broker_url, "mqtt://192.168.1.20:1883");
    assert_string_equal(cfg.credentials_file, "/etc/callbell/credentials");
    assert_string_equal(cfg.password_file, "");
    assert_int_equal(cfg.realert_s, 45);
    assert_int_equal(cfg.ack_timeout_s, 240);
    assert_int_equal(cfg.board_warn_s, 30);
    assert_int_equal(cfg.board_late_s, 90);
    assert_int_equal(cfg.staff_count, 3);
    assert_string_equal(cfg.staff[1], "Marco Rossi");
    assert_string_equal(cfg.staff[2], "Lucía");
    assert_int_equal(cfg.table_count, 3);
    assert_string_equal(cfg.tables[1].id, "patio-2");
    assert_string_equal(cfg.tables[1].name, "Patio 2");
    assert_string_equal(cfg.tables[2].name, "Bar — counter");
    assert_int_equal(cfg.tables[0].kinds, (1u << CB_KIND_CALL) | (1u << CB_KIND_BILL) | (1u << CB_KIND_WATER));
    assert_int_equal(cfg.tables[2].kinds, (1u << CB_KIND_CALL) | (1u << CB_KIND_WATER));
    assert_ptr_equal(cb_site_config_table(&cfg, "bar"), &cfg.tables[2]);
    assert_null(cb_site_config_table(&cfg, "7"));
    char printed[2048];
    FILE *f = fmemopen(printed, sizeof printed, "w");
    cb_site_config_print(&cfg, f);
    fclose(f);
    assert_non_null(strstr(printed, "patio-2"));
    assert_non_null(strstr(printed, "Patio 2"));
    assert_non_null(strstr(printed, "call, water"));
    cb_site_config_free(&cfg);
}

static void test_defaults(void **state)
{
    (void)state;
    cb_site_config cfg = parse_ok("[site]\nid = s1\n[tables]\n7 = Seven\n");
    assert_string_equal(cfg.name, "s1");
    assert_string_equal(cfg.broker_url, "");
    assert_int_equal(cfg.realert_s, 60);
    assert_int_equal(cfg.ack_timeout_s, 300);
    assert_int_equal(cfg.board_warn_s, 60);
    assert_int_equal(cfg.board_late_s, 180);
    assert_int_equal(cfg.staff_count, 0);
    assert_int_equal(cfg.tables[0].kinds, CB_SITE_ALL_KINDS);
    cb_site_config_free(&cfg);
    /* Windows line ends and a UTF-8 byte order mark are a text file too */
    cfg = parse_ok("\xef\xbb\xbf[site]\r\nid = s1\r\n[tables]\r\n7 = Seven\r\n");
    assert_string_equal(cfg.tables[0].name, "Seven");
    cb_site_config_free(&cfg);
}

static void test_unknown_keys_and_sections(void **state)
{
    (void)state;
    expect_error("[site]\nid = s\nnmae = x\n[tables]\n1 = A\n", "site.conf:3:", "[site] nmae: unknown key");
    expect_error("[site]\nid = s\n[hubb]\nrealert = 5\n[tables]\n1 = A\n", "site.conf:4:", "[hubb]: unknown section");
    expect_error("id = s\n[site]\nid = s\n", "site.conf:1:", "before any [section]");
    expect_error("[site]\nid = s\nid = t\n[tables]\n1 = A\n", "site.conf:3:", "[site] id: given twice");
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_error("[site]\nid = Trattoria\n", "site.conf:2:", "[site] id: bad id 'Trattoria'");
    expect_error("[site]\nid = s\n[hub]\nrealert = soon\n", "site.conf:4:", "[hub] realert: want a whole number");
    expect_error("[site]\nid = s\n[hub]\nack_timeout = 0\n", "site.conf:4:", "[hub] ack_timeout");
    expect_error("[site]\nid = s\n[hub]\nrealert = 86401\n", ":4:", "from 1 to 86400");
    expect_error("[site]\nid = s\n[hub]\nrealert = -5\n", ":4:", "[hub] realert");
    expect_error("[site]\nid = s\n[broker]\nurl = http://x\n", ":4:", "[broker] url: want mqtt://");
    expect_error("[site]\nid = s\n[broker]\nurl = mqtt://u:p@x\n", ":4:", "credentials");
    expect_error("[site]\nid = s\n[broker]\ncredentials = creds.txt\n", ":4:", "absolute path");
    expect_error("[site]\nid = s\n[staff]\nnames = Anna,,Marco\n", ":4:", "[staff] names: empty name");
    expect_error("[site]\nid = s\nname = \xc3\x28\n", ":3:", "not printable UTF-8");
    expect_error("[site]\nid = s\nname = tab\there\n", ":3:", "not printable UTF-8");
}

static void test_bad_tables(void **state)
{
    (void)state;
    expect_error("[site]\nid = s\n[tables]\nPatio 2 = Patio\n", ":4:", "bad table id 'Patio 2'");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n1 = B\n", ":5:", "[tables] 1: table listed twice");
    expect_error("[site]\nid = s\n[tables]\n1 =\n", ":4:", "[tables] 1: empty name");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[kinds]\n1 = call, beer\n", ":6:", "'beer' is not a kind");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[kinds]\n2 = call\n", ":6:", "[kinds] 2: no such table");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[kinds]\n1 = ,\n", ":6:", "no kinds");
    /* a multi-line value continues a key: here a second name for the same table */
    expect_error("[site]\nid = s\n[tables]\n1 = A\n  B\n", ":5:", "listed twice");
}

static void test_whole_file_rules(void **state)
{
    (void)state;
    expect_error("[tables]\n1 = A\n", "site.conf: ", "[site] id: missing");
    expect_error("[site]\nid = s\n", "site.conf: ", "no tables");
    expect_error("[site]\nid = s\n[board]\nwarn_after = 200\n[tables]\n1 = A\n",
                 "site.conf: ", "late_after: 180 s must be more than warn_after (200 s)");
}

static void test_not_ini(void **state)
{
    (void)state;
    expect_error("[site]\nid = s\nthis line has no equals sign\n", "site.conf:3:", "not a [section] or a key = value");
    expect_error("[site\nid = s\n", "site.conf:1:", "not a [section]");
    char longline[400] = "[site]\nid = s\nname = ";
    memset(longline + strlen(longline), 'x', 300);
    expect_error(longline, "site.conf:3:", "line longer than");
    static const char nul[] = "[site]\nid = s\0x\n";
    cb_site_config cfg;
    char err[300];
    assert_int_equal(cb_site_config_parse_text(nul, sizeof nul - 1, "site.conf", &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "site.conf:2: a NUL byte"));
}

typedef struct diff_log {
    char text[512];
} diff_log;

static void log_change(void *ctx, const cb_site_change *c)
{
    diff_log *log = ctx;
    size_t len = strlen(log->text);
    static const char *const what[] = {"added", "removed", "changed"};
    const cb_site_table *t = c->new_table ? c->new_table : c->old_table;
    snprintf(log->text + len, sizeof log->text - len, "%s %s '%s'; ", what[c->kind], t->id, t->name);
}

static void test_diff_for_reload(void **state)
{
    (void)state;
    cb_site_config old_cfg = parse_ok("[site]\nid = s\n[tables]\n1 = One\n2 = Two\n3 = Three\nbar = Bar\n");
    cb_site_config new_cfg = parse_ok("[site]\nid = s\n[tables]\n1 = One\n2 = Window 2\nbar = Bar\n"
                                      "patio = Patio\n[kinds]\nbar = call\n");
    diff_log log = {""};
    assert_int_equal(cb_site_config_diff(&old_cfg, &new_cfg, log_change, &log), 4);
    assert_string_equal(log.text, "changed 2 'Window 2'; removed 3 'Three'; changed bar 'Bar'; added patio 'Patio'; ");
    assert_int_equal(cb_site_config_diff(&new_cfg, &new_cfg, NULL, NULL), 0);
    cb_site_config_free(&old_cfg);
    cb_site_config_free(&new_cfg);
}

static void test_load(void **state)
{
    (void)state;
    cb_site_config cfg;
    char err[600];
    assert_int_equal(cb_site_config_load("/nonexistent/site.conf", &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read site file /nonexistent/site.conf"));
    if (cb_site_config_load(CALLBELL_EXAMPLE_CONF, &cfg, err, sizeof err) != 0)
        fail_msg("the example site file is refused: %s", err);
    assert_true(cfg.table_count > 0);
    cb_site_config_free(&cfg);
}

static void test_sections(void **state)
{
    (void)state;
    cb_site_config cfg = parse_ok("[site]\nid = s\n[hub]\nfloor_after = 2\nmanager_after = 4\nsignin_ttl = 60\n"
                                  "[tables]\n1 = A\n2 = B\n3 = C\n[sections]\npatio = 1, 2\nbar = 3\n");
    assert_string_equal(cfg.tables[0].section, "patio");
    assert_string_equal(cfg.tables[1].section, "patio");
    assert_string_equal(cfg.tables[2].section, "bar");
    assert_int_equal(cfg.floor_after, 2);
    assert_int_equal(cfg.manager_after, 4);
    assert_int_equal(cfg.signin_ttl_s, 60);
    cb_site_config_free(&cfg);
    cfg = parse_ok("[site]\nid = s\n[tables]\n1 = A\n");
    assert_string_equal(cfg.tables[0].section, ""); /* no sections: every call rings everyone */
    assert_int_equal(cfg.floor_after, 1);
    assert_int_equal(cfg.manager_after, 3);
    assert_int_equal(cfg.signin_ttl_s, 90);
    cb_site_config_free(&cfg);
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[sections]\npatio = 1, 9\n",
                 ":6:", "[sections] patio: no table '9'");
    expect_error("[site]\nid = s\n[sections]\npatio = 1\n[tables]\n1 = A\n", ":4:", "list [tables] before [sections]");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[sections]\npatio = 1\nbar = 1\n",
                 ":7:", "table 1 is already in section patio");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[sections]\nPatio = 1\n", ":6:", "bad section id 'Patio'");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n[sections]\npatio = ,\n", ":6:", "no tables");
    expect_error("[site]\nid = s\n[tables]\n1 = A\n2 = B\n[sections]\npatio = 1\npatio = 2\n", ":8:", "given twice");
    expect_error("[site]\nid = s\n[hub]\nfloor_after = many\n", ":4:", "[hub] floor_after: want a whole number");
    expect_error("[site]\nid = s\n[hub]\nfloor_after = 3\nmanager_after = 2\n[tables]\n1 = A\n",
                 "site.conf: ", "manager_after: 2 must be at least floor_after (3)");
}

static const char two_sections[] = "[site]\nid = s\n[tables]\n1 = A\n2 = B\n3 = C\n"
                                   "[sections]\npatio = 1\nbar = 2\n";

static void test_notify_routes(void **state)
{
    (void)state;
    /* [notify] before [sections]: the sections are checked once the file is read */
    cb_site_config cfg = parse_ok("[site]\nid = s\n[notify]\n"
                                  "ntfy = https://ntfy.sh/s-all\n"
                                  "ntfy.patio = http://127.0.0.1:8080/patio\n"
                                  "webhook.manager = https://hooks.example/m?x=1\n"
                                  "ntfy.floor = https://ntfy.sh/s-floor\n"
                                  "[tables]\n1 = A\n2 = B\n[sections]\npatio = 1\n");
    assert_int_equal(cfg.route_count, 4);
    const cb_site_route *r = cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_SECTION, "patio");
    assert_non_null(r);
    assert_string_equal(r->url, "http://127.0.0.1:8080/patio");
    assert_int_equal(r->line, 5);
    assert_string_equal(cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_DEFAULT, NULL)->url, "https://ntfy.sh/s-all");
    assert_string_equal(cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_FLOOR, NULL)->url, "https://ntfy.sh/s-floor");
    assert_string_equal(cb_site_config_route(&cfg, CB_SITE_WEBHOOK, CB_ROUTE_MANAGER, "")->url,
                        "https://hooks.example/m?x=1");
    assert_null(cb_site_config_route(&cfg, CB_SITE_WEBHOOK, CB_ROUTE_DEFAULT, NULL));
    assert_null(cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_MANAGER, NULL));
    assert_null(cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_SECTION, "bar"));
    char printed[2048];
    FILE *f = fmemopen(printed, sizeof printed, "w");
    cb_site_config_print(&cfg, f);
    fclose(f);
    assert_non_null(strstr(printed, "notify (4):\n"));
    assert_non_null(
        strstr(printed, "ntfy.patio       http://127.0.0.1:8080/patio  (requests of the tables of section patio)"));
    assert_non_null(strstr(printed, "webhook.manager  https://hooks.example/m?x=1  (escalations at level manager)"));
    cb_site_config_free(&cfg);
    assert_null(cfg.routes);
    /* none: nothing, and a section called floor is fine without a .floor key */
    cfg = parse_ok("[site]\nid = s\n[tables]\n1 = A\n[sections]\nfloor = 1\n[notify]\nntfy.manager = http://h/m\n");
    assert_int_equal(cfg.route_count, 1);
    cb_site_config_free(&cfg);
    cfg = parse_ok(two_sections);
    assert_int_equal(cfg.route_count, 0);
    assert_null(cb_site_config_route(&cfg, CB_SITE_NTFY, CB_ROUTE_DEFAULT, NULL));
    cb_site_config_free(&cfg);
}

static void test_notify_errors(void **state)
{
    (void)state;
    char text[1024];
    /* a section not in [sections], named with its line, also when [sections] comes later */
    snprintf(text, sizeof text, "%s[notify]\nntfy = http://h/all\nntfy.garden = http://h/g\n", two_sections);
    expect_error(text, "site.conf:12:", "[notify] ntfy.garden: no section 'garden' in [sections]");
    expect_error("[site]\nid = s\n[notify]\nwebhook.garden = http://h/g\n[tables]\n1 = A\n[sections]\npatio = 1\n",
                 "site.conf:4:", "[notify] webhook.garden: no section 'garden' in [sections]");
    snprintf(text, sizeof text, "%s[notify]\nntfy.patio = ftp://h/p\n", two_sections);
    expect_error(text, "site.conf:11:", "[notify] ntfy.patio: want an http:// or https:// URL");
    snprintf(text, sizeof text, "%s[notify]\nwebhook = http://h/a b\n", two_sections);
    expect_error(text, "site.conf:11:", "[notify] webhook: want an http:// or https:// URL without spaces");
    snprintf(text, sizeof text, "%s[notify]\nntfy = https://\n", two_sections);
    expect_error(text, ":11:", "not 'https://'");
    snprintf(text, sizeof text, "%s[notify]\nntfy.bar = http://h/1\nntfy.bar = http://h/2\n", two_sections);
    expect_error(text, "site.conf:12:", "[notify] ntfy.bar: given twice");
    snprintf(text, sizeof text, "%s[notify]\nntfy = http://h/1\nntfy = http://h/2\n", two_sections);
    expect_error(text, "site.conf:12:", "[notify] ntfy: given twice");
    /* the same key of the other kind is another destination */
    snprintf(text, sizeof text, "%s[notify]\nntfy.floor = http://h/1\nwebhook.floor = http://h/1\n", two_sections);
    cb_site_config cfg = parse_ok(text);
    assert_int_equal(cfg.route_count, 2);
    cb_site_config_free(&cfg);
    snprintf(text, sizeof text, "%s[notify]\nslack = http://h/1\n", two_sections);
    expect_error(text, "site.conf:11:", "[notify] slack: unknown key");
    snprintf(text, sizeof text, "%s[notify]\nntfy.Patio = http://h/1\n", two_sections);
    expect_error(text, "site.conf:11:", "'Patio' is not a section id");
    snprintf(text, sizeof text, "%s[notify]\nntfy. = http://h/1\n", two_sections);
    expect_error(text, "site.conf:11:", "'' is not a section id");
    /* a section called floor next to ntfy.floor: which one is meant? */
    expect_error("[site]\nid = s\n[notify]\nntfy.floor = http://h/f\n[tables]\n1 = A\n[sections]\nfloor = 1\n",
                 "site.conf:4:", "[notify] ntfy.floor: ambiguous: [sections] has a section 'floor' too");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_unknown_keys_and_sections),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_whole_file_rules),
        cmocka_unit_test(test_not_ini),
        cmocka_unit_test(test_diff_for_reload),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_notify_routes),
        cmocka_unit_test(test_notify_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
