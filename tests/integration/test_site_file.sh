#!/usr/bin/env bash
# The site file (--config): the committed example passes `callbell config check`; the
# hub takes its tables and escalation times from a site file, flags and environment
# override it; a bad file is refused with file, line and key named, and nothing starts.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

out=$("$CALLBELL" config check "$root/packaging/example.conf")
assert_contains "$out" "packaging/example.conf: ok"
assert_contains "$out" "site: trattoria (Trattoria Sole)"
assert_contains "$out" "patio-2      Patio 2"
assert_contains "$out" "bar          Bar                      call, water"
assert_contains "$out" "note: the file is example.conf but its site id is trattoria"
cp "$root/packaging/example.conf" "$TEST_TMP/trattoria.conf"
out=$("$CALLBELL" config check "$TEST_TMP/trattoria.conf")
case "$out" in *note:*) fail "trattoria.conf of site trattoria needs no note: $out" ;; esac
# its commented-out [sections] and [notify] are right too, once uncommented
sed -E -e 's/^; \[(sections|notify)\]/[\1]/' -e 's/^; ((patio|inside|ntfy[a-z.]*|webhook[a-z.]*) = )/\1/' \
    "$root/packaging/example.conf" >"$TEST_TMP/trattoria.conf"
out=$("$CALLBELL" config check "$TEST_TMP/trattoria.conf")
assert_contains "$out" "patio-2      Patio 2                  call, bill, water, cancel  (section patio)"
assert_contains "$out" "notify (5):"
assert_contains "$out" "ntfy.patio       https://ntfy.sh/trattoria-patio-x7k2  (requests of the tables of section patio)"
# docs/config.md shows the example file as it is
python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
    "$root/packaging/example.conf" "$root/docs/config.md" || fail "docs/config.md does not hold packaging/example.conf"

start_broker
site=$TEST_TMP/site.conf
cat >"$site" <<CONF
[site]
id = $CALLBELL_SITE
name = Test Café
[broker]
url = $BROKER
[hub]
realert = 2
[tables]
patio-2 = Patio 2
bar = Bar
CONF
unset CALLBELL_BROKER
# the broker URL and the tables come from the file
start_hub --config "$site"
wait_for "patio-2 published" '[ "$(state_field patio-2 status)" = idle ]'
[ -z "$(state 3)" ] || fail "table 3 is not in the site file"
"$CALLBELL" press patio-2 --config "$site" >/dev/null
wait_for "patio-2 calling" '[ "$(state_field patio-2 status)" = calling ]'
# realert = 2 from the file: the call re-alerts within seconds (default would be 60)
wait_for "re-alert from the file's realert" '[ "$(state_field patio-2 repeats)" -ge 1 ]' 8
expect 1 "table 3 is not one of this site's tables: " "$CALLBELL" press 3 --config "$site"
wait_for "press for table 3 rejected" 'grep -q "table 3 is not one of this site" "$TEST_TMP/hub.log"'
[ -z "$(state 3)" ] || fail "table 3 must stay unknown"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true

# --tables overrides the file
start_hub --config "$site" --tables 7
wait_for "table 7 published" '[ "$(state_field 7 status)" = idle ]'
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true

# a bad file: each command refuses to start, naming file, line and key
printf '[site]\nid = s1\n[hub]\nrealert = soon\n[tables]\n1 = One\n' >"$TEST_TMP/bad.conf"
expect 2 "bad.conf:4: [hub] realert: want a whole number" "$CALLBELL" hub --config "$TEST_TMP/bad.conf" --db "$TEST_TMP/x.db"
expect 2 "callbell press: $TEST_TMP/bad.conf:4:" "$CALLBELL" press 1 --config "$TEST_TMP/bad.conf"
expect 1 "bad.conf:4: [hub] realert" "$CALLBELL" config check "$TEST_TMP/bad.conf"
[ ! -e "$TEST_TMP/x.db" ] || fail "the hub created its database despite a bad site file"
printf '[site]\nid = s1\nnmae = x\n[tables]\n1 = One\n' >"$TEST_TMP/bad.conf"
expect 1 "bad.conf:3: [site] nmae: unknown key" "$CALLBELL" config check "$TEST_TMP/bad.conf"
printf '[site]\nid = s1\n[tables]\n1 = One\n1 = Uno\n' >"$TEST_TMP/bad.conf"
expect 1 "bad.conf:5: [tables] 1: table listed twice" "$CALLBELL" config check "$TEST_TMP/bad.conf"
expect 2 "cannot read site file $TEST_TMP/none.conf" "$CALLBELL" calls --config "$TEST_TMP/none.conf"

# the default: <dir>/<site>.conf when it exists (CALLBELL_CONFIG_DIR stands in for /etc/callbell)
mkdir -p "$TEST_TMP/etc"
cp "$TEST_TMP/bad.conf" "$TEST_TMP/etc/s1.conf"
expect 2 "etc/s1.conf:5:" env CALLBELL_CONFIG_DIR="$TEST_TMP/etc" "$CALLBELL" calls --site s1
# --config beats the default
expect 2 "cannot read site file $TEST_TMP/none.conf" env CALLBELL_CONFIG_DIR="$TEST_TMP/etc" "$CALLBELL" calls --site s1 --config "$TEST_TMP/none.conf"

# the credentials file: user:password for a broker that wants them
printf 'staff:s3cret\n' >"$TEST_TMP/creds"
cat >"$TEST_TMP/creds.conf" <<CONF
[site]
id = $CALLBELL_SITE
[broker]
url = mqtt://127.0.0.1:1
credentials = $TEST_TMP/nonexistent
[tables]
1 = One
CONF
expect 2 "cannot read credentials file $TEST_TMP/nonexistent" "$CALLBELL" press 1 --config "$TEST_TMP/creds.conf"
assert_contains "$("$CALLBELL" config check "$TEST_TMP/creds.conf")" "note: $TEST_TMP/nonexistent: No such file"

# a broker with users from the site file's password_file, and clients that log in
# with the site file's credentials file
mosquitto_passwd -c -b "$TEST_TMP/staff.passwd" staff 's3:cret'
printf 'staff:s3:cret\n' >"$TEST_TMP/creds"
P2=$(free_port)
cat >"$TEST_TMP/auth.conf" <<CONF
[site]
id = $CALLBELL_SITE
[broker]
url = mqtt://127.0.0.1:$P2
credentials = $TEST_TMP/creds
password_file = $TEST_TMP/staff.passwd
[tables]
1 = One
CONF
bg auth-broker "$CALLBELL" broker --config "$TEST_TMP/auth.conf" --port "$P2" --ws-port 0 --data-dir "$TEST_TMP/b5"
wait_for "broker with users" 'grep -q "users: $TEST_TMP/staff.passwd" "$TEST_TMP/auth-broker.log"'
"$CALLBELL" press 1 --config "$TEST_TMP/auth.conf" >/dev/null || fail "press with the file's credentials refused"
# a user in --broker beats the file's credentials
expect 1 "Not authorized" "$CALLBELL" press 1 --config "$TEST_TMP/auth.conf" --broker "mqtt://staff:wrong@127.0.0.1:$P2"

# the broker takes its users from the file's password_file
printf '[site]\nid = s1\n[broker]\npassword_file = %s/users\n[tables]\n1 = One\n' "$TEST_TMP" >"$TEST_TMP/users.conf"
expect 1 "cannot read --password-file $TEST_TMP/users" "$CALLBELL" broker --config "$TEST_TMP/users.conf" \
    --port "$(free_port)" --ws-port 0 --data-dir "$TEST_TMP/b"
echo "ok"
