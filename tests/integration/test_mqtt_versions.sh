#!/usr/bin/env bash
# --mqtt 5 | 3 | auto on every command. MQTT 5 ends a session with its connection unless
# the client sets a session expiry: the hub sets one (a week), so presses made while it
# is stopped still wait for it. With 3.1.1 the broker's own expiry applies.
source "$(dirname "$0")/lib.sh"
start_broker
hub_id="callbell-hub-$CALLBELL_SITE"

for v in 5 3; do
    start_hub --tables 1-5 --mqtt "$v"
    want=$([ "$v" = 5 ] && echo p5 || echo p2)
    grep -q "as $hub_id ($want, c0" "$TEST_TMP/broker.log" || fail "hub did not connect with MQTT $v"
    kill "$HUB_PID"
    wait "$HUB_PID" || true
    # a press while the hub is stopped (cleanly: DISCONNECT) waits in its session
    "$CALLBELL" press "$v" --mqtt "$v" >/dev/null
    start_hub --tables 1-5 --mqtt "$v"
    wait_for "press made while the MQTT $v hub was stopped" '[ "$(state_field "$v" status)" = calling ]'
    kill "$HUB_PID"
    wait "$HUB_PID" || true
    : >"$TEST_TMP/broker.log"
done

# auto (the default) speaks 5 to a broker that does
start_hub --tables 1-5
grep -q "as $hub_id (p5, c0" "$TEST_TMP/broker.log" || fail "auto did not choose MQTT 5"
"$CALLBELL" calls --json >/dev/null
CALLBELL_MQTT=3 "$CALLBELL" calls --json >/dev/null

expect 2 "bad --mqtt '4': want 3, 5 or auto" "$CALLBELL" press 1 --mqtt 4
CALLBELL_MQTT=six expect 2 "bad CALLBELL_MQTT 'six'" "$CALLBELL" calls
echo ok
