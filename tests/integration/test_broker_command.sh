#!/usr/bin/env bash
# `callbell broker` runs Mosquitto with its own config and data dir, serves the web
# board over its WebSockets port, refuses a busy port, stops cleanly on Ctrl-C, and
# with --password-file lets only that file's users in.
source "$(dirname "$0")/lib.sh"
PORT=$(free_port); WS=$(free_port)
bg broker "$CALLBELL" broker --port "$PORT" --ws-port "$WS" --data-dir "$TEST_TMP/bdata"
BPID=$LAST_PID
wait_for "broker URL printed" 'grep -q "broker: mqtt://127.0.0.1:$PORT" "$TEST_TMP/broker.log"'
export CALLBELL_BROKER="mqtt://127.0.0.1:$PORT"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -t "callbell/x/probe" -r -m hello
assert_eq "$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t callbell/x/probe -C 1 -W 2)" hello "retained via callbell broker"
if [ -f "$(dirname "$CALLBELL")/web/index.html" ]; then
    grep -q "web board: http://127.0.0.1:$WS/" "$TEST_TMP/broker.log" || fail "web URL not printed"
    page=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$WS/index.html').read().decode())")
    assert_contains "$page" "mqtt.min.js" "served web board"
fi
expect 1 "port $PORT on 127.0.0.1 is already in use" \
    "$CALLBELL" broker --port "$PORT" --ws-port "$(free_port)" --data-dir "$TEST_TMP/b2"
kill -INT "$BPID"
wait "$BPID"; rc=$?
assert_eq "$rc" 0 "exit after Ctrl-C"
[ -f "$TEST_TMP/bdata/mosquitto.db" ] || fail "persistence file not written on stop"
(echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && fail "broker still listening"

# users only
mosquitto_passwd -c -b "$TEST_TMP/users" staff 'pa%ss'
P2=$(free_port)
bg broker-users "$CALLBELL" broker --port "$P2" --ws-port 0 --data-dir "$TEST_TMP/b3" --password-file "$TEST_TMP/users"
UPID=$LAST_PID
wait_for "users broker up" 'grep -q "users: $TEST_TMP/users (anonymous clients are refused)" "$TEST_TMP/broker-users.log"'
# the broker's refusal in its words: MQTT 5 (the default) and 3.1.1 say it differently
expect 1 "refused the connection: Not authorized" "$CALLBELL" press 1 --broker "mqtt://127.0.0.1:$P2"
expect 1 "refused the connection: Not authorized" "$CALLBELL" press 1 --broker "mqtt://staff:wrong@127.0.0.1:$P2"
expect 1 "refused the connection: Connection Refused: not authorised" \
    "$CALLBELL" press 1 --mqtt 3 --broker "mqtt://staff:wrong@127.0.0.1:$P2"
"$CALLBELL" press 1 --broker "mqtt://staff:pa%25ss@127.0.0.1:$P2" >/dev/null || fail "press as staff refused"
kill -INT "$UPID"
wait "$UPID" || fail "users broker exit code $?"
expect 1 "cannot read --password-file $TEST_TMP/nope: No such file or directory" \
    "$CALLBELL" broker --port "$(free_port)" --ws-port 0 --data-dir "$TEST_TMP/b4" --password-file "$TEST_TMP/nope"
echo ok
