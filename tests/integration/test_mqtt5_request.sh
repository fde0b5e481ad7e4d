#!/usr/bin/env bash
# MQTT 5 request/response: a request without reply_to is answered on the message's
# response topic, with its correlation data echoed (mosquitto_rr, Mosquitto's own
# MQTT 5 request/response client, and mosquitto_pub/sub); a response topic outside
# the site's reply topics is not answered.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
"$CALLBELL" press 2 >/dev/null
wait_for "table 2 calling" '[ "$(state_field 2 status)" = calling ]'
req="callbell/$CALLBELL_SITE/hub/request"

out=$(mosquitto_rr -h 127.0.0.1 -p "$PORT" -V 5 -t "$req" -e "callbell/$CALLBELL_SITE/reply/rr-1" -W 5 \
    -m '{"v":1,"id":"r1","query":"calls"}')
assert_eq "$(json_get "$out" "(d['id'], d['ok'], [c['table'] for c in d['result']])")" "('r1', True, ['2'])" "calls answer"

# correlation data comes back as sent
mosquitto_sub -h 127.0.0.1 -p "$PORT" -V 5 -t "callbell/$CALLBELL_SITE/reply/corr-1" -C 1 -W 5 -F '%D %p' \
    >"$TEST_TMP/corr.out" 2>&1 &
sub=$!
sleep 0.3
mosquitto_pub -h 127.0.0.1 -p "$PORT" -V 5 -t "$req" -m '{"v":1,"id":"r2","query":"info"}' \
    -D publish response-topic "callbell/$CALLBELL_SITE/reply/corr-1" -D publish correlation-data "ticket-42"
wait "$sub" || fail "no answer on the response topic: $(cat "$TEST_TMP/corr.out")"
read -r corr answer <"$TEST_TMP/corr.out"
assert_eq "$corr" "ticket-42" "correlation data"
assert_eq "$(json_get "$answer" "(d['id'], d['result']['pid'])")" "('r2', $HUB_PID)" "info answer"

# a response topic outside the site's replies: logged, not answered
mosquitto_pub -h 127.0.0.1 -p "$PORT" -V 5 -t "$req" -m '{"v":1,"id":"r3","query":"calls"}' \
    -D publish response-topic "elsewhere/x"
wait_for "refusal logged" 'grep -q "reply topic .elsewhere/x. is not callbell/$CALLBELL_SITE/reply/<id>" "$TEST_TMP/hub.log"'
# reply_to still wins over a response topic, and 3.1.1 askers keep working
"$CALLBELL" calls --mqtt 3 --json >/dev/null
echo ok
