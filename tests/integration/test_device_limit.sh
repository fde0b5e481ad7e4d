#!/usr/bin/env bash
# A flood of made-up device ids cannot grow the hub without bound: beyond
# --max-devices the hub forgets the duplicate windows of the least recently heard
# half (memory and database), says so, and goes on applying presses. The devices
# heard from last keep their windows, also across a restart with a lower limit.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --quiet --max-devices 10
topic="callbell/$CALLBELL_SITE/table/2/press"
for i in $(seq 30); do
    printf '{"v":1,"device":"flood-%d","boot":1,"seq":1,"kind":"call","age_ms":0}\n' "$i"
done | mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -l -t "$topic"
wait_for "30 presses counted" '[ "$(state_field 2 count)" = 30 ]'
for i in 1 2 3; do
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" \
        -m "{\"v\":1,\"device\":\"late-$i\",\"boot\":1,\"seq\":1,\"kind\":\"call\",\"age_ms\":0}"
    wait_for "late press $i counted" '[ "$(state_field 2 count)" = $((30 + i)) ]'
done
grep -q "device limit (--max-devices 10) reached" "$TEST_TMP/hub.log" || fail "no log line about the device limit"
rows=$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from devices")
[ "$rows" -le 10 ] || fail "$rows device rows kept (limit 10)"
# the newest device's window is intact: its press again is a duplicate. A next press
# behind it shows that the hub has handled the copy (one connection, in order).
late3() { # seq: a press from the newest device
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" \
        -m "{\"v\":1,\"device\":\"late-3\",\"boot\":1,\"seq\":$1,\"kind\":\"call\",\"age_ms\":0}"
}
late3 1
late3 2
wait_for "the press after the copy counted" '[ "$(state_field 2 count)" -ge 34 ]'
sleep 0.3
assert_eq "$(state_field 2 count)" 34 "count after a duplicate from the newest device and one more press"
# a restart with a lower limit trims the database to it, newest first
kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit code $?"
start_hub --tables 1-4 --quiet --max-devices 2
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from devices")" 2 "device rows after restart with --max-devices 2"
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select group_concat(id) from (select id from devices order by id)")" "late-2,late-3" "devices kept"
late3 2
late3 3
wait_for "the press after the copy counted" '[ "$(state_field 2 count)" -ge 35 ]'
sleep 0.3
assert_eq "$(state_field 2 count)" 35 "count after a duplicate and one more press, after the restart"
"$CALLBELL" hub --max-devices 1 2>"$TEST_TMP/err.txt" && fail "--max-devices 1 accepted"
assert_contains "$(cat "$TEST_TMP/err.txt")" "--max-devices must be at least 2"
echo ok
