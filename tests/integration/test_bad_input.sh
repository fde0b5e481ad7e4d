#!/usr/bin/env bash
# Bad messages are rejected with a log line naming the reason; the hub keeps running
# and nothing it already accepted is lost.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
"$CALLBELL" press 1 --kind bill >/dev/null
wait_for "accepted call" '[ "$(state_field 1 status)" = calling ]'

pub() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$1" -m "$2"; }
s=$CALLBELL_SITE
pub "callbell/$s/table/2/press" 'button 2 is pressed'
pub "callbell/$s/table/2/press" '{"v":2,"device":"d","boot":1,"seq":1,"kind":"call","age_ms":0}'
pub "callbell/$s/table/2/press" "{\"v\":1,\"device\":\"d\",\"boot\":1,\"seq\":1,\"kind\":\"call\",\"age_ms\":0,\"text\":\"$(printf 'x%.0s' $(seq 600))\"}"
pub "callbell/$s/table/2/press" '{"v":1,"device":"d","boot":1,"seq":1,"kind":"beer","age_ms":0}'
pub "callbell/$s/table/Two Words/press" '{"v":1,"device":"d","boot":1,"seq":1,"kind":"call","age_ms":0}'
pub "callbell/$s/table/99/press" '{"v":1,"device":"d","boot":1,"seq":1,"kind":"call","age_ms":0}'
pub "callbell/$s/table/1/cmd" '{"v":1,"action":"eat","by":"x"}'
pub "callbell/$s/table/1/cmd" '{"v":1,"action":"ack"}'
pub "callbell/$s/table/2/cmd" '{"v":1,"action":"ack","by":"Ana"}'
pub "callbell/$s/hub/request" '{"v":1,"id":"x","query":"stats","reply_to":"elsewhere/topic"}'
head -c 3000 /dev/urandom > "$TEST_TMP/noise.bin"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$s/table/3/press" -f "$TEST_TMP/noise.bin"

wait_for "all rejections logged" '[ "$(grep -c "rejected" "$TEST_TMP/hub.log")" -ge 11 ]'
log=$(cat "$TEST_TMP/hub.log")
assert_contains "$log" "table/2/press': press: json"
assert_contains "$log" "table/2/press': press: version"
assert_contains "$log" "table/2/press': press: too_long"
assert_contains "$log" "table/2/press': press: bad_kind"
assert_contains "$log" "Two Words/press': bad_id"
assert_contains "$log" "table/99/press': table 99 is not one of this site's tables: 1-4"
assert_contains "$log" "table/1/cmd': command: bad_action"
assert_contains "$log" "table/1/cmd': command: missing"
assert_contains "$log" "table/2/cmd': ack by Ana: no open request"
assert_contains "$log" "reply topic 'elsewhere/topic' is not callbell/$s/reply/<id>"
assert_contains "$log" "table/3/press': press: too_long"

kill -0 "$HUB_PID" || fail "hub died"
assert_eq "$(state_field 1 status)" calling "accepted call kept"
assert_eq "$(state_field 2 status)" idle "table 2 untouched"
"$CALLBELL" press 2 >/dev/null
wait_for "hub still works" '[ "$(state_field 2 status)" = calling ]'

# a flood of garbage is counted, not logged line by line
before=$(grep -c "rejected" "$TEST_TMP/hub.log")
printf 'button 3 is pressed\n%.0s' $(seq 500) | mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -l -t "callbell/$s/table/3/press"
wait_for "suppressed rejections reported" 'grep -q "more messages rejected in the last second" "$TEST_TMP/hub.log"' 10
logged=$(($(grep -c "rejected .*table/3/press': press: json" "$TEST_TMP/hub.log")))
[ "$logged" -le 60 ] || fail "500 bad messages gave $logged log lines; the log should be rate-limited"
[ "$(grep -c "rejected" "$TEST_TMP/hub.log")" -gt "$before" ] || fail "the flood was not logged at all"
kill -0 "$HUB_PID" || fail "hub died in the flood"
"$CALLBELL" press 4 >/dev/null
wait_for "hub works after the flood" '[ "$(state_field 4 status)" = calling ]'
echo ok
