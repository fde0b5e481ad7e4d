#!/usr/bin/env bash
# A table dropped from --tables leaves no ghost tile: an idle one is forgotten at
# start-up and its retained state deleted (empty retained message); one with open
# requests is served until its last request closes, then forgotten the same way.
# Presses for a forgotten table are refused as for any unknown table.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
"$CALLBELL" press 3 --kind water >/dev/null
"$CALLBELL" press 3 --kind bill >/dev/null
wait_for "table 3 calling" '[ "$(req_field 3 bill status)" = calling ]'
[ -n "$(state 4)" ] || fail "table 4 should have a retained state"
kill "$HUB_PID"
wait "$HUB_PID" || true

start_hub --tables 1-2
assert_contains "$(cat "$TEST_TMP/hub.log")" "table 4 is no longer configured: forgotten"
wait_for "table 4's retained state deleted" '[ -z "$(state 4)" ]'
[ -z "$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/table/+/state" -W 2 2>/dev/null |
    grep '"table":"4"')" ] || fail "a wildcard subscription still gets table 4"
assert_eq "$(state_field 3 status)" calling "table 3 (retiring) keeps its requests"
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select id from tables order by id" | tr '\n' ' ')" "1 2 3 " "stored tables"

# the retiring table is still served until its requests close
"$CALLBELL" ack 3 --kind water --by Ana >/dev/null
assert_eq "$(req_field 3 water status)" acknowledged "ack on a retiring table"
"$CALLBELL" done 3 --kind water --by Ana >/dev/null
[ -n "$(state 3)" ] || fail "table 3 still has its bill request: its state must stay"
"$CALLBELL" done 3 --kind bill --by Ana >/dev/null
wait_for "table 3's retained state deleted" '[ -z "$(state 3)" ]'
assert_contains "$(cat "$TEST_TMP/hub.log")" "table 3: its last open request is closed; it has left the site"
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select id from tables order by id" | tr '\n' ' ')" "1 2 " "stored tables"
# its history stays for the statistics
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where table_id='3'")" 5 "history of table 3"

# a press for a forgotten table is refused, and no state comes back
out=$("$CALLBELL" press 3 2>&1 || true)
assert_contains "$out" "not one of this site's tables"
sleep 0.5
[ -z "$(state 3)" ] || fail "a refused press brought table 3's state back"

# a reconnect (broker restart) republishes states and clears the forgotten ones again
mosquitto_pub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/table/4/state" -r -q 1 \
    -m '{"v":1,"table":"4","status":"idle","requests":[],"updated_at":1}'
stop_broker
start_broker "$PORT"
wait_for "hub back online" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = online ]' 20
wait_for "table 4 cleared again" '[ -z "$(state 4)" ]'
[ -n "$(state 1)" ] || fail "table 1 should be republished"
echo ok
