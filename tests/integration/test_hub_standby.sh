#!/usr/bin/env bash
# --standby: a second hub waits instead of refusing. On the same database it waits for
# the lock and takes over, losslessly, when the first stops; on another database it
# waits while the site's hub answers and takes over when it is gone, saying what its
# own database lacks. Neither standby touches the session while it waits.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
FIRST=$HUB_PID
"$CALLBELL" press 1 >/dev/null
wait_for "table 1 calling" '[ "$(state_field 1 status)" = calling ]'
hub_pid() { json_get "$(mqtt_get "callbell/$CALLBELL_SITE/hub/info")" "d['pid']" 2>/dev/null; }

bg standby "$CALLBELL" hub --db "$TEST_TMP/hub.db" --tables 1-4 --standby
STANDBY=$LAST_PID
wait_for "standby waiting for the lock" \
    'grep -q "standby: database $TEST_TMP/hub.db is in use by another hub (pid $FIRST)" "$TEST_TMP/standby.log"'
sleep 1
assert_eq "$(hub_pid)" "$FIRST" "hub/info while the standby waits"
kill -0 "$STANDBY" || fail "the standby stopped"
"$CALLBELL" press 2 >/dev/null
wait_for "table 2 calling" '[ "$(state_field 2 status)" = calling ]'

kill "$FIRST"
wait "$FIRST" || true
wait_for "standby took over" '[ "$(hub_pid)" = "$STANDBY" ]'
assert_eq "$(state_field 1 status)" calling "table 1 after the takeover (same database)"
calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" "sorted(c['table'] for c in d)")" "['1', '2']" "open calls kept"
"$CALLBELL" press 3 >/dev/null
wait_for "table 3 calling" '[ "$(state_field 3 status)" = calling ]'
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")" 3 "events, each stored once"

# another database: waits while the site's hub answers, takes over when it is gone
bg other "$CALLBELL" hub --db "$TEST_TMP/other.db" --tables 1-4 --standby
OTHER=$LAST_PID
wait_for "standby waiting for the site" \
    'grep -q "standby: site $CALLBELL_SITE already has an active hub: pid $STANDBY" "$TEST_TMP/other.log"'
assert_eq "$(hub_pid)" "$STANDBY" "hub/info while the second standby waits"
kill -9 "$STANDBY"
wait "$STANDBY" 2>/dev/null || true
wait_for "second standby took over" '[ "$(hub_pid)" = "$OTHER" ]' 15
assert_contains "$(cat "$TEST_TMP/other.log")" "its open requests show as idle"
kill -0 "$OTHER" || fail "the second standby stopped"

# a standby stopped while it waits exits 0 and has touched nothing
bg third "$CALLBELL" hub --db "$TEST_TMP/third.db" --tables 1-4 --standby
THIRD=$LAST_PID
wait_for "third standby waiting" 'grep -q "standby: site" "$TEST_TMP/third.log"'
kill "$THIRD"
rc=0
wait "$THIRD" || rc=$?
assert_eq "$rc" 0 "exit code of a standby stopped while waiting"
[ ! -e "$TEST_TMP/third.db" ] || fail "a waiting standby created its database"
assert_eq "$(hub_pid)" "$OTHER" "hub/info after the third standby stopped"
echo ok
