#!/usr/bin/env bash
# The terminal board's start-up view comes from the hub (docs/protocol.md "Boards'
# start-up view"), not from retained states: a table whose retained state the broker
# does not deliver (cleared here, as RabbitMQ's wildcard subscriptions never get it)
# is shown with its open request, and a stale retained state (a call the hub does not
# have) is not, neither at start nor when a copy of it arrives later. With the hub
# stopped the board says so and keeps what it shows; when the hub is back it asks
# again. Registered on Mosquitto and on aedes, and on ejabberd and RabbitMQ when
# configured for them (CALLBELL_TEST_BROKER, lib.sh; tests/integration/CMakeLists.txt).
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }

start_broker
start_hub --tables 1-6
"$CALLBELL" press 3 --kind water >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 3 failed"
"$CALLBELL" press 5 --kind bill >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 5 failed"
wait_for "tables 3 and 5 calling" "state 3 | grep -q calling && state 5 | grep -q calling"

# table 3: no retained state to read; table 4: a stale one, a call the hub never had
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -n -t "callbell/$CALLBELL_SITE/table/3/state"
stale='{"v":1,"table":"4","status":"calling","requests":[{"kind":"bill","call":99,"status":"calling","count":1,"repeats":0,"pressed_at":1000,"acked_by":"","acked_at":0}],"updated_at":1000}'
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -t "callbell/$CALLBELL_SITE/table/4/state" -m "$stale"
wait_for "table 3's retained state gone" '[ -z "$(state 3)" ]'
wait_for "table 4's stale state retained" 'state 4 | grep -q "\"call\":99"'

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
"${TMUX_CMD[@]}" -f /dev/null new-session -d -x 100 -y 30 -s board \
    "env CALLBELL_BROKER='$CALLBELL_BROKER' CALLBELL_SITE='$CALLBELL_SITE' TERM=screen \
     '$CALLBELL' board --name Tess 2>'$TEST_TMP/board.log'; echo \"board exited rc=\$?\"; sleep 60"
screen() { "${TMUX_CMD[@]}" capture-pane -p -t board; }
screen_has() { screen | grep -q -- "$1"; }
# line TABLE KIND: the queue line of that request
line() { screen | grep -E "^[> ] $1 +$2( x[0-9]+)? +(calling|acknowledged) "; }

wait_for "board drawn with the hub online" "screen_has 'hub online'"
wait_for "table 3's water, from the hub" "line 3 water >/dev/null" 10
wait_for "table 5's bill" "line 5 bill >/dev/null"
sleep 1 # the stale state had every chance to be drawn
line 4 bill >/dev/null && fail "the board shows the stale retained call of table 4: $(screen)"

log "a stale copy arriving after the answer is ignored"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/4/state" -m "$stale"
sleep 1
line 4 bill >/dev/null && fail "the board took a state older than the hub's answer: $(screen)"

log "hub stopped: the board says so and keeps what it shows"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
wait_for "HUB OFFLINE on the board" "screen_has 'HUB OFFLINE'"
line 3 water >/dev/null || fail "table 3 is gone from the board with the hub offline: $(screen)"
line 5 bill >/dev/null || fail "table 5 is gone from the board with the hub offline: $(screen)"

log "hub back: the board asks again; live states still update it"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -n -t "callbell/$CALLBELL_SITE/table/3/state"
start_hub --tables 1-6
wait_for "banner gone" "! screen_has 'HUB OFFLINE'"
"$CALLBELL" press 6 >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 6 failed"
wait_for "table 6's call (live)" "line 6 call >/dev/null"
line 3 water >/dev/null || fail "table 3 lost after the hub's return: $(screen)"
"$CALLBELL" done 5 --by Tess >>"$TEST_TMP/press.log" 2>&1 || fail "callbell done 5 failed"
wait_for "table 5 closed on the board" "! line 5 bill >/dev/null"
echo ok
