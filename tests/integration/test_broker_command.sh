#!/usr/bin/env bash
# `callbell broker` runs Mosquitto with its own config and data dir, serves the web
# board over its WebSockets port, refuses a busy port, stops cleanly on Ctrl-C.
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
set +e; out=$("$CALLBELL" broker --port "$PORT" --ws-port "$(free_port)" --data-dir "$TEST_TMP/b2" 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "second broker on a busy port"
assert_contains "$out" "port $PORT on 127.0.0.1 is already in use"
kill -INT "$BPID"
wait "$BPID"; rc=$?
assert_eq "$rc" 0 "exit after Ctrl-C"
[ -f "$TEST_TMP/bdata/mosquitto.db" ] || fail "persistence file not written on stop"
(echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && fail "broker still listening"
echo ok
