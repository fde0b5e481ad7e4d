#!/usr/bin/env bash
# press -> calling -> ack -> done through broker, hub and CLI; plus the lifecycle rules
# (same kind counts, other kind updates, cancel closes) and CLI errors.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4

"$CALLBELL" press 3 --kind bill >/dev/null
wait_for "table 3 calling" '[ "$(state_field 3 status)" = calling ]'
assert_eq "$(state_field 3 kind)" bill "kind"
assert_eq "$(state_field 3 count)" 1 "count"

"$CALLBELL" press 3 --kind bill >/dev/null
wait_for "count 2" '[ "$(state_field 3 count)" = 2 ]'
"$CALLBELL" press 3 --kind water >/dev/null
wait_for "kind water" '[ "$(state_field 3 kind)" = water ]'
call=$(state_field 3 call)

calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" "len(d)")" 1 "open calls"
assert_eq "$(json_get "$calls" "d[0]['table'], d[0]['kind'], d[0]['status'], d[0]['acked_by']")" "('3', 'water', 'calling', None)" "calls --json"

out=$("$CALLBELL" ack 3 --by Ana)
assert_contains "$out" "acknowledged by Ana"
assert_eq "$(state_field 3 status)" acknowledged
assert_eq "$(state_field 3 acked_by)" Ana
calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" "d[0]['status'], d[0]['acked_by']")" "('acknowledged', 'Ana')" "calls after ack"

"$CALLBELL" done 3 --by Ana >/dev/null
assert_eq "$(state_field 3 status)" idle
assert_eq "$("$CALLBELL" calls --json | tr -d ' \n')" "[]" "no open calls"

# a second call gets a new id; the guest's cancel closes it
"$CALLBELL" press 3 >/dev/null
wait_for "new call" '[ "$(state_field 3 status)" = calling ]'
[ "$(state_field 3 call)" -gt "$call" ] || fail "call id should grow"
"$CALLBELL" press 3 --kind cancel >/dev/null
wait_for "cancelled" '[ "$(state_field 3 status)" = idle ]'

# staff commands on an idle table fail clearly, and nothing changes
if out=$("$CALLBELL" ack 3 2>&1); then fail "ack on idle table should fail"; fi
assert_contains "$out" "table 3 has no open call"
if out=$("$CALLBELL" done 7 2>&1); then fail "done on unknown table should fail"; fi
assert_contains "$out" "table 7 is unknown"

# every event is in the history
events=$(sqlite3 "$TEST_TMP/hub.db" "select group_concat(effect, ',') from events where table_id='3'")
assert_eq "$events" "opened,counted,changed,acked,done,opened,cancelled" "history"
kill -0 "$HUB_PID" || fail "hub died"
echo "ok"
