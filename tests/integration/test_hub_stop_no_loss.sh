#!/usr/bin/env bash
# Stopping the hub in the middle of a flood loses nothing and applies nothing twice:
# what it read is committed and published, what it did not read stays with the broker
# for its persistent session (the hub reads nothing more once it is leaving).
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --quiet
N=5000
for i in $(seq $N); do
    printf '{"v":1,"device":"flood","boot":5,"seq":%d,"kind":"call","age_ms":0}\n' "$i"
done >"$TEST_TMP/presses"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -l -t "callbell/$CALLBELL_SITE/table/2/press" <"$TEST_TMP/presses" &
PUB=$!
# stop it once it is busy with the flood
wait_for "hub busy with the flood" '[ "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where who='"'flood'"'" 2>/dev/null || echo 0)" -gt 100 ]' 20
kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit code $?"
wait "$PUB"
got=$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where who='flood'")
log "hub stopped after $got of $N presses"
# whatever it committed must also be what boards were told
assert_eq "$(state_field 2 count)" "$got" "retained count vs committed events"
start_hub --tables 1-4 --quiet
wait_for "all presses applied once" '[ "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where who='"'flood'"'")" = $N ]' 60
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(distinct seq) from events where who='flood'")" "$N" "distinct presses"
wait_for "board told the final count" '[ "$(state_field 2 count)" = $N ]'
echo ok
