#!/usr/bin/env bash
# A press made while the hub is down waits in the broker; when the hub returns it is
# dated when it was made, not when the hub read it: from a table device that has been
# talking to the hub (its up_ms and the boot time the hub learned) and from
# `callbell press` (its clock). The board's waiting time and the statistics agree.
source "$(dirname "$0")/lib.sh"
OUTAGE=20
start_broker
start_hub --tables 1-4

mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
T="$TEST_TMP/table.log"
"$CALLBELL" table --table 2 <"$TEST_TMP/keys" >>"$T" 2>&1 &
PIDS+=($!)
wait_for "table connected" "grep -q '^led table=2 mode=off' '$T'"
printf c >&3 # the device talks to the hub once: the hub learns when it booted
wait_for "table 2 calling" '[ "$(req_field 2 call status)" = calling ]'
"$CALLBELL" done 2 --by Ana >/dev/null

kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
wait_for "hub offline" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = offline ]'
printf w >&3
wait_for "the device's press reached the broker" "grep -q '^acked seq=2 table=2 kind=water' '$T'"
out=$("$CALLBELL" press 3 --kind bill)
assert_contains "$out" "held by the broker for the hub"
log "hub down for ${OUTAGE}s"
sleep "$OUTAGE"

start_hub --tables 1-4
wait_for "both presses stored" '[ "$(req_field 2 water status)" = calling ] && [ "$(req_field 3 bill status)" = calling ]'
calls=$("$CALLBELL" calls --json)
for t in 2 3; do
    w=$(json_get "$calls" "[c['waiting_s'] for c in d if c['table'] == '$t'][0]")
    [ "$w" -ge "$OUTAGE" ] && [ "$w" -lt $((OUTAGE + 15)) ] ||
        fail "table $t waited ${w}s by the hub's account; the guest waited at least ${OUTAGE}s"
done
"$CALLBELL" ack 2 --by Bo >/dev/null
"$CALLBELL" ack 3 --by Bo >/dev/null
stats=$("$CALLBELL" stats --since all --json)
p50=$(json_get "$stats" "d['overall']['ack_p50_s']")
python3 -c "import sys; sys.exit(0 if $p50 >= $OUTAGE else 1)" ||
    fail "time to acknowledge p50 is ${p50}s; both guests waited at least ${OUTAGE}s"
echo ok
