#!/usr/bin/env bash
# A table device keeps a press until the hub has stored it, not merely until the
# broker has it: presses the broker acknowledged and then lost in a kill -9 (Mosquitto
# saves its store only now and then) are sent again and stored once when the hub
# returns. Its LED keeps saying "waiting" until then.
source "$(dirname "$0")/lib.sh"
PORT=$(free_port)
start_broker "$PORT"
start_hub --tables 1-4
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true

mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
T="$TEST_TMP/table.log"
"$CALLBELL" table --table 2 <"$TEST_TMP/keys" >>"$T" 2>&1 &
TABLE_PID=$!
PIDS+=("$TABLE_PID")
wait_for "table connected" "grep -q '^led table=2 mode=off' '$T'"
printf 'c' >&3
sleep 0.3
printf 'b' >&3
sleep 0.3
printf 'w' >&3
wait_for "the broker has all three" "[ \$(grep -c '^acked seq=' '$T') -eq 3 ]"
assert_eq "$(grep -c '^stored seq=' "$T" || true)" 0 "nothing stored without a hub"
assert_eq "$(tail -n 20 "$T" | grep '^led table=2' | tail -n 1)" "led table=2 mode=slow" "LED waits for the hub"

log "kill -9 of the broker before it saved them"
kill -9 "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null || true
BROKER_PID=
start_broker "$PORT"
start_hub --tables 1-4
wait_for "all three stored" "[ \$(grep -c '^stored seq=' '$T') -eq 3 ]" 20
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where table_id='2' and effect='opened'")" 3 \
    "three requests opened, once each"
wait_for "LED shows the calling table" "[ \"\$(grep '^led table=2' '$T' | tail -n 1)\" = 'led table=2 mode=slow' ]"
kill -0 "$TABLE_PID" || fail "table died"
echo ok
