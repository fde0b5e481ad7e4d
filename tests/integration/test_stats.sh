#!/usr/bin/env bash
# `callbell stats` asks the hub; the retained stats topic carries today's figures.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
for t in 1 2; do "$CALLBELL" press $t >/dev/null; done
wait_for "calls" '[ "$(state_field 2 status)" = calling ]'
sleep 0.3
"$CALLBELL" ack 1 --by A >/dev/null
"$CALLBELL" done 1 --by A >/dev/null
"$CALLBELL" ack 2 --by B >/dev/null
json=$("$CALLBELL" stats --json --since all)
assert_eq "$(json_get "$json" "d['overall']['calls'], d['overall']['acked'], d['overall']['done'], d['overall']['cancelled']")" "(2, 2, 1, 0)" "overall"
assert_eq "$(json_get "$json" "sorted(t['table'] for t in d['tables'])")" "['1', '2']" "tables"
[ "$(json_get "$json" "d['overall']['ack_p90_s'] >= 0.3")" = True ] || fail "ack p90 should be >= 0.3 s: $json"
text=$("$CALLBELL" stats)
assert_contains "$text" "ACK p50"
assert_contains "$text" "all"
if "$CALLBELL" stats --since yesterday-ish 2>/dev/null; then fail "bad --since accepted"; fi
# a raw request with an absurd `since` gets an error reply, not undefined behaviour
reply_topic="callbell/$CALLBELL_SITE/reply/t1"
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "$reply_topic" -C 1 -W 5 >"$TEST_TMP/reply.json" 2>/dev/null &
SUB=$!
sleep 0.3
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/hub/request" \
    -m "{\"v\":1,\"id\":\"x1\",\"query\":\"stats\",\"since\":1e300,\"reply_to\":\"$reply_topic\"}"
wait "$SUB" || fail "no reply to the request"
assert_eq "$(json_get "$(cat "$TEST_TMP/reply.json")" "d['id'], d['ok'], d['error']")" "('x1', False, 'bad request: type')" "reply to since=1e300"
# requests per kind: a cancelled request is counted apart, and each kind on its own
"$CALLBELL" press 3 --kind water >/dev/null
"$CALLBELL" press 3 --kind bill >/dev/null
"$CALLBELL" press 3 --kind cancel >/dev/null
json=$("$CALLBELL" stats --json --since all)
assert_eq "$(json_get "$json" "d['overall']['calls'], d['overall']['cancelled'], d['overall']['done']")" "(4, 2, 1)" "cancelled apart"
assert_contains "$("$CALLBELL" stats)" "CANCELLED"
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
expect 3 "hub offline" "$CALLBELL" stats
expect 3 "hub offline" "$CALLBELL" calls
stats=$(mqtt_get "callbell/$CALLBELL_SITE/hub/stats")
assert_eq "$(json_get "$stats" "d['v'], d['calls'], d['cancelled']")" "(1, 4, 2)" "retained stats"
echo ok
