#!/usr/bin/env bash
# Exactly one active hub per site: a second hub for a site whose hub is online refuses
# to start (exit 1, naming the first by pid, host and database) without touching the
# first, which keeps serving with every press stored once; a second hub on the same
# database file is refused by its lock.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-6
info=$(mqtt_get "callbell/$CALLBELL_SITE/hub/info")
assert_eq "$(json_get "$info" "d['pid']")" "$HUB_PID" "hub/info pid"
assert_eq "$(json_get "$info" "d['db']")" "$TEST_TMP/hub.db" "hub/info db"

for t in 1 2 3; do "$CALLBELL" press "$t" >/dev/null; done
wait_for "three calls" '[ "$(state_field 3 status)" = calling ]'

# another database, same site: refused, naming the first hub
rc=0
timeout 20 "$CALLBELL" hub --db "$TEST_TMP/second.db" --tables 1-6 >"$TEST_TMP/second.log" 2>&1 || rc=$?
assert_eq "$rc" 1 "exit code of the second hub"
second=$(cat "$TEST_TMP/second.log")
assert_contains "$second" "already has an active hub"
assert_contains "$second" "pid $HUB_PID on host $(hostname)"
assert_contains "$second" "database $TEST_TMP/hub.db"
[ ! -e "$TEST_TMP/second.db" ] || fail "the refused hub created its database"

# the same database: refused by the lock, before it asks the broker
expect 1 "database $TEST_TMP/hub.db is in use by another hub (pid $HUB_PID)" \
    "$CALLBELL" hub --db "$TEST_TMP/hub.db" --tables 1-6

# the first hub kept its session and serves on: every press stored once, by it
for t in 4 5 6; do "$CALLBELL" press "$t" >/dev/null; done
wait_for "six calls" '[ "$(state_field 6 status)" = calling ]'
"$CALLBELL" calls --json >"$TEST_TMP/calls.json"
assert_eq "$(json_get "$(cat "$TEST_TMP/calls.json")" "sorted(c['table'] for c in d)")" \
    "['1', '2', '3', '4', '5', '6']" "open calls"
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")" 6 "events stored"
assert_eq "$(grep -c "connected to the broker\|connected to mqtt" "$TEST_TMP/hub.log")" 1 "connects of the first hub"
assert_eq "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" online "hub/status"
kill -0 "$HUB_PID" || fail "the first hub stopped"
echo ok
