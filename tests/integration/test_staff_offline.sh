#!/usr/bin/env bash
# Staff commands sent while the hub is down wait in the broker and say so; when the
# hub returns each applies to the request it named, and one whose request closed
# meanwhile is stale and ignored (it never touches the guest's newer request).
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
"$CALLBELL" press 1 --kind water >/dev/null
"$CALLBELL" press 1 --kind bill >/dev/null
"$CALLBELL" press 2 --kind bill >/dev/null
wait_for "three requests" '[ "$(req_field 1 bill status)" = calling ] && [ "$(req_field 2 bill status)" = calling ]'
old_bill=$(req_field 2 bill call)

kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
wait_for "hub offline" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = offline ]'
out=$("$CALLBELL" ack 1 --kind water --by Ana)
assert_contains "$out" "waits in the broker for the hub (offline)"
# table 2: the guest cancels, then a waiter acks the bill the board still shows
"$CALLBELL" press 2 --kind cancel >/dev/null
"$CALLBELL" ack 2 --kind bill --by Bo >/dev/null

start_hub --tables 1-4
wait_for "the ack applied" '[ "$(req_field 1 water status)" = acknowledged ]'
assert_eq "$(req_field 1 water acked_by)" Ana "acked by"
assert_eq "$(req_field 1 bill status)" calling "the other request at table 1 untouched"
wait_for "the cancel applied" '[ "$(state_field 2 status)" = idle ]'
wait_for "the stale ack logged" "grep -q \"ack by Bo: names a request that is no longer open (stale)\" '$TEST_TMP/hub.log'"
"$CALLBELL" press 2 --kind bill >/dev/null
wait_for "a new bill request" '[ "$(req_field 2 bill status)" = calling ]'
[ "$(req_field 2 bill call)" -gt "$old_bill" ] || fail "the new bill should be a new request"
sleep 0.5
assert_eq "$(req_field 2 bill status)" calling "the stale ack must not touch the new request"

# a client that names itself ("from") hears why the hub refused its command
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/reply/raw-1" -C 1 -W 5 >"$TEST_TMP/answer" &
SUB=$!
sleep 0.3
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/1/cmd" \
    -m '{"v":1,"action":"done","by":"Eve","call":999,"from":"raw-1"}'
wait "$SUB" || fail "no answer to a command with from"
assert_eq "$(json_get "$(cat "$TEST_TMP/answer")" "(d['table'], d['action'], d['call'], d['ok'], d['error'])")" \
    "('1', 'done', 999, False, 'stale')" "cmd reply"
assert_contains "$(cat "$TEST_TMP/answer")" "done by Eve: names a request that is no longer open (stale)"
echo ok
