#!/usr/bin/env bash
# The request lifecycle through broker, hub and CLI: each kind is a request of its own
# (water then bill: two requests, each acknowledged and closed on its own); the same
# kind counts; cancel closes them all; the presser hears the hub's answer.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4

out=$("$CALLBELL" press 3 --kind water)
assert_contains "$out" "stored by the hub (request"
"$CALLBELL" press 3 --kind bill >/dev/null
"$CALLBELL" press 3 --kind bill >/dev/null
wait_for "two requests" '[ "$(json_get "$(state 3)" "len(d[\"requests\"])")" = 2 ]'
assert_eq "$(state_field 3 status)" calling
assert_eq "$(json_get "$(state 3)" "[r['kind'] for r in d['requests']]")" "['water', 'bill']" "oldest first"
assert_eq "$(req_field 3 water count)" 1 "water count"
assert_eq "$(req_field 3 bill count)" 2 "bill count (same kind counts)"
water=$(req_field 3 water call)
bill=$(req_field 3 bill call)
[ "$bill" -gt "$water" ] || fail "request ids should grow"

calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" "[(c['table'], c['kind'], c['status'], c['acked_by']) for c in d]")" \
    "[('3', 'water', 'calling', ''), ('3', 'bill', 'calling', '')]" "calls --json: one object per request"

# ack the water only: the bill still waits, and waiting guests come first
out=$("$CALLBELL" ack 3 --kind water --by Ana)
assert_contains "$out" "table 3: water request $water acknowledged by Ana"
assert_eq "$(req_field 3 water status)" acknowledged
assert_eq "$(req_field 3 water acked_by)" Ana
assert_eq "$(req_field 3 bill status)" calling "bill untouched"
assert_eq "$(state_field 3 status)" calling "a table with a waiting request is calling"
calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" "[(c['kind'], c['status'], c['acked_by']) for c in d]")" \
    "[('bill', 'calling', ''), ('water', 'acknowledged', 'Ana')]" "unanswered first"

# a water press on the acknowledged water counts and stays acknowledged
"$CALLBELL" press 3 --kind water >/dev/null
wait_for "water counted" '[ "$(req_field 3 water count)" = 2 ]'
assert_eq "$(req_field 3 water status)" acknowledged "counted press keeps the ack"

# close the bill on its own, then the water
out=$("$CALLBELL" done 3 --kind bill --by Bo)
assert_contains "$out" "table 3: bill request $bill done"
assert_eq "$(req_field 3 bill call)" "" "bill closed"
assert_eq "$(req_field 3 water status)" acknowledged "water still open"
assert_eq "$(state_field 3 status)" acknowledged
"$CALLBELL" done 3 --kind water --by Bo >/dev/null
assert_eq "$(state_field 3 status)" idle
assert_eq "$("$CALLBELL" calls --json | tr -d ' \n')" "[]" "no open requests"

# ack and done without --kind act on every open request of the table
"$CALLBELL" press 2 --kind call >/dev/null
"$CALLBELL" press 2 --kind water >/dev/null
wait_for "two requests at table 2" '[ "$(json_get "$(state 2)" "len(d[\"requests\"])")" = 2 ]'
out=$("$CALLBELL" ack 2 --by Cy)
assert_eq "$(echo "$out" | grep -c "acknowledged by Cy")" 2 "ack without --kind acks both"
assert_eq "$(state_field 2 status)" acknowledged
"$CALLBELL" done 2 --by Cy >/dev/null
assert_eq "$(state_field 2 status)" idle "done without --kind closes both"

# the guest's cancel closes every open request of the table
"$CALLBELL" press 3 >/dev/null
"$CALLBELL" press 3 --kind bill >/dev/null
wait_for "two again" '[ "$(json_get "$(state 3)" "len(d[\"requests\"])")" = 2 ]'
"$CALLBELL" press 3 --kind cancel >/dev/null
wait_for "cancelled" '[ "$(state_field 3 status)" = idle ]'

# staff commands with nothing to act on fail clearly, and nothing changes
expect 1 "table 3 has no open request" "$CALLBELL" ack 3
"$CALLBELL" press 3 --kind bill >/dev/null
expect 1 "table 3 has no open water request" "$CALLBELL" done 3 --kind water
expect 2 "bad --kind 'cancel'" "$CALLBELL" ack 3 --kind cancel
expect 1 "table 7 is unknown" "$CALLBELL" done 7
# a press for a table the hub does not serve: exit 1 with the hub's reason
expect 1 "table 9 is not one of this site's tables: 1-4" "$CALLBELL" press 9

# every event is in the history, one row per request it touched
events=$(sqlite3 "$TEST_TMP/hub.db" "select group_concat(effect || ':' || kind, ',') from events where table_id='3'")
assert_eq "$events" "opened:2,opened:1,counted:1,acked:2,counted:2,done:1,done:2,opened:0,opened:1,cancelled:0,cancelled:1,opened:1" "history"
kill -0 "$HUB_PID" || fail "hub died"
echo "ok"
