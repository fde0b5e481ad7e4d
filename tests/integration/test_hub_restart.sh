#!/usr/bin/env bash
# kill -9 the hub with open calls: after a restart no open call, acknowledgement or
# history row is lost; retained state is republished; presses made while the hub was
# down are delivered from its persistent session.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4

"$CALLBELL" press 1 --kind call >/dev/null
"$CALLBELL" press 2 --kind bill >/dev/null
wait_for "two calls" '[ "$(state_field 2 status)" = calling ]'
"$CALLBELL" ack 2 --by Bo >/dev/null
before=$("$CALLBELL" calls --json)
rows_before=$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")
assert_eq "$rows_before" 3 "events before"

kill -9 "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
wait_for "hub offline (last will)" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = offline ]'

# while the hub is down: a press goes to its persistent session, and the broker
# forgets table 1's retained state (as a broker without persistence would)
"$CALLBELL" press 4 --kind water >/dev/null
mosquitto_pub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/table/1/state" -r -n
[ -z "$(state 1)" ] || fail "retained state 1 should be gone"

start_hub --tables 1-4
wait_for "table 1 republished" '[ -n "$(state 1)" ]'
assert_eq "$(state_field 1 status)" calling "table 1 after restart"
assert_eq "$(state_field 2 status)" acknowledged "table 2 after restart"
assert_eq "$(state_field 2 acked_by)" Bo "ack kept"
wait_for "press made during the outage" '[ "$(state_field 4 status)" = calling ]'
after=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$after" "[(c['table'],c['call'],c['status']) for c in d if c['table'] in ('1','2')]")" \
    "$(json_get "$before" "[(c['table'],c['call'],c['status']) for c in d]")" "open calls survive"
rows_after=$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")
assert_eq "$rows_after" 4 "history rows"
echo ok
