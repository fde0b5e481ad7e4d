#!/usr/bin/env bash
# Staff can tell a dead table from a quiet one: a running `callbell table` is
# "online" (retained); killed, the broker publishes its will "offline"; frozen, the
# keepalive runs out and the will fires too; thawed, it comes back "online"; quit
# with `q`, it says "offline" itself.
source "$(dirname "$0")/lib.sh"

start_broker
STATUS="callbell/$CALLBELL_SITE/device/sim-6/status"
status_is() { [ "$(mqtt_get "$STATUS")" = "$1" ]; }

log "kill -9: the will"
bg table "$CALLBELL" table --table 6 --keepalive 5
wait_for "retained online" "status_is online"
kill -9 "$LAST_PID"
wait "$LAST_PID" 2>/dev/null || true
wait_for "will 'offline' after kill -9" "status_is offline" 5

log "SIGSTOP: keepalive expires, the will fires; SIGCONT: back online"
mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
T="$TEST_TMP/table2.log"
"$CALLBELL" table --table 6 --keepalive 5 <"$TEST_TMP/keys" >>"$T" 2>&1 &
PID=$!
PIDS+=("$PID")
wait_for "online again" "status_is online"
kill -STOP "$PID"
# Mosquitto gives a client 1.5 x keepalive = 7.5 s (libmosquitto's minimum is 5 s).
wait_for "will 'offline' after the keepalive ran out" "status_is offline" 15
kill -CONT "$PID"
wait_for "table reconnected by itself" "status_is online" 20
start_hub --tables 6
printf 'c' >&3
wait_for "press stored after the thaw" "grep -q '^stored seq=1 ' '$T'" 10

log "q: a clean goodbye"
printf 'q' >&3
wait_for "table exited on q" "! kill -0 $PID 2>/dev/null" 10
rc=0
wait "$PID" || rc=$?
assert_eq "$rc" 0 "exit code after q"
wait_for "'offline' after q" "status_is offline" 5
log "ok"
