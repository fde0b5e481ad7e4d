#!/usr/bin/env bash
# A hub that died without its will reaching the broker (here: frozen, so its
# connection stays open and hub/status stays "online") does not answer the second
# hub's question; after --claim-timeout the second takes over. The first, woken up,
# finds its session taken, says by whom and exits 1 without taking it back (no
# flapping); the second serves.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --claim-timeout 1
FIRST=$HUB_PID
wait_for "first hub announced" \
    '[ "$(json_get "$(mqtt_get "callbell/$CALLBELL_SITE/hub/info")" "d[\"pid\"]" 2>/dev/null)" = "$FIRST" ]'
kill -STOP "$FIRST"

bg second "$CALLBELL" hub --db "$TEST_TMP/second.db" --tables 1-4 --claim-timeout 1
SECOND=$LAST_PID
wait_for "second hub announced" \
    '[ "$(json_get "$(mqtt_get "callbell/$CALLBELL_SITE/hub/info")" "d[\"pid\"]" 2>/dev/null)" = "$SECOND" ]'
assert_contains "$(cat "$TEST_TMP/second.log")" "did not answer within 1.0 s"
assert_contains "$(cat "$TEST_TMP/second.log")" "pid $FIRST on host"

kill -CONT "$FIRST"
wait_for "first hub stopped" '! kill -0 "$FIRST" 2>/dev/null'
rc=0
wait "$FIRST" || rc=$?
assert_eq "$rc" 1 "exit code of the hub whose session was taken"
first_log=$(cat "$TEST_TMP/hub.log")
assert_contains "$first_log" "another hub took over site $CALLBELL_SITE: pid $SECOND on host"
assert_eq "$(grep -c "connected to" "$TEST_TMP/hub.log")" 1 "connects of the first hub (no flapping)"

"$CALLBELL" press 2 >/dev/null
wait_for "the second hub serves" '[ "$(state_field 2 status)" = calling ]'
assert_eq "$(sqlite3 "$TEST_TMP/second.db" "select count(*) from events")" 1 "events in the second hub's database"
assert_eq "$(grep -c "connected to" "$TEST_TMP/second.log")" 1 "connects of the second hub"
assert_eq "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" online "hub/status"
echo ok
