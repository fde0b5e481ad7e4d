#!/usr/bin/env bash
# `callbell notify` against an HTTP receiver on 127.0.0.1 (tests/integration/
# http_receiver.py) as ntfy and as a webhook: method, headers and body of each; a new
# request arrives within 2 s; the receiver down for 10 s -> delivered once after it
# returns; the bridge restarted, the broker restarted -> nothing sent twice; each
# re-alert level once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/notify_lib.sh"
start_broker
start_hub --tables 1-4
BOARD_URL="http://127.0.0.1:9001/"

start_notify() {
    : >"$TEST_TMP/notify.log"
    CALLBELL_WEBHOOK_TOKEN=hook-secret bg notify "$CALLBELL" notify --ntfy "http://127.0.0.1:$RPORT/ntfy/calls" \
        --ntfy-token tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2 --webhook "http://127.0.0.1:$RPORT/hook" \
        --board-url "$BOARD_URL" --state "$TEST_TMP/notify.sent"
    NOTIFY_PID=$LAST_PID
    wait_for "notify connected" "grep -q 'following' '$TEST_TMP/notify.log'"
}
stop_pid() {
    kill "$1"
    wait "$1" 2>/dev/null || true
}
call_of() { json_get "$("$CALLBELL" calls --json)" "[c['call'] for c in d if c['table'] == '$1' and c['kind'] == '$2'][0]"; }
ntfy_for() { echo "r['path'] == '/ntfy/calls' and h.get('X-Callbell-Id', '').endswith('-$1-$2')"; }
hook_for() { echo "r['path'] == '/hook' and b['call'] == $1 and b['level'] == $2"; }

start_receiver
start_notify

# 1. a new request: on ntfy and on the webhook within 2 s, once, with the documented form
"$CALLBELL" press 1 --kind bill >/dev/null
call=$(call_of 1 bill)
wait_count 2 "$(ntfy_for "$call" 0)" 1
wait_count 2 "$(hook_for "$call" 0)" 1
ntfy=$(grep '"/ntfy/calls"' "$RECEIVED" | head -n1)
assert_eq "$(json_get "$ntfy" "d['method'], d['headers']['Title'], d['headers']['Priority'], d['headers']['Tags']")" \
    "('POST', 'Table 1: bill', 'high', 'bell')" "ntfy method and headers"
assert_eq "$(json_get "$ntfy" "d['headers']['Click'], d['headers']['Authorization'], d['body']")" \
    "('$BOARD_URL', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2', 'Table 1 asks for the bill')" "ntfy click, token, body"
assert_eq "$(json_get "$ntfy" "d['headers']['X-Callbell-Id']")" "$CALLBELL_SITE-$call-0" "ntfy id"
hook=$(grep '"/hook"' "$RECEIVED" | head -n1)
assert_eq "$(json_get "$hook" "d['method'], d['headers']['Content-Type'], d['headers']['Authorization']")" \
    "('POST', 'application/json', 'Bearer hook-secret')" "webhook method and headers"
body=$(json_get "$hook" "d['body']")
assert_eq "$(json_get "$body" "d['v'], d['site'], d['event'], d['table'], d['kind'], d['call'], d['level']")" \
    "(1, '$CALLBELL_SITE', 'request', '1', 'bill', $call, 0)" "webhook body"
assert_eq "$(json_get "$body" "d['status'], d['count'], d['url'], d['title'], d['message'], type(d['pressed_at']).__name__, type(d['waiting_s']).__name__")" \
    "('calling', 1, '$BOARD_URL', 'Table 1: bill', 'Table 1 asks for the bill', 'int', 'int')" "webhook body fields"
# a second press of the same kind counts into the request: no new notification
"$CALLBELL" press 1 --kind bill >/dev/null
sleep 1
assert_eq "$(received "True")" 2 "requests after a repeated press"

# 2. the receiver down for 10 s: delivered once after it returns
stop_pid "$RECEIVER_PID"
"$CALLBELL" press 2 --kind call >/dev/null
call2=$(call_of 2 call)
sleep 10
wait_for "notify saw the receiver down" "grep -q 'cannot deliver' '$TEST_TMP/notify.log'"
start_receiver
wait_count 8 "$(ntfy_for "$call2" 0)" 1
wait_count 8 "$(hook_for "$call2" 0)" 1
sleep 2
assert_eq "$(received "$(ntfy_for "$call2" 0)")" 1 "ntfy after the outage"
assert_eq "$(received "$(hook_for "$call2" 0)")" 1 "webhook after the outage"

# 3. the bridge restarted: nothing twice; what happens meanwhile and after is sent
total=$(received "True")
stop_pid "$NOTIFY_PID"
"$CALLBELL" press 3 --kind water >/dev/null
start_notify
call3=$(call_of 3 water)
wait_count 3 "$(hook_for "$call3" 0)" 1
wait_count 3 "$(ntfy_for "$call3" 0)" 1
sleep 2
assert_eq "$(received "True")" $((total + 2)) "requests after the bridge's restart"

# 4. re-alerts: each level once per destination, urgent
stop_pid "$HUB_PID"
start_hub --tables 1-4 --realert 2
wait_count 8 "$(hook_for "$call" 1)" 1
wait_count 8 "$(ntfy_for "$call" 2)" 1
"$CALLBELL" ack 1 --by Ana >/dev/null
"$CALLBELL" ack 2 --by Ana >/dev/null
"$CALLBELL" ack 3 --by Ana >/dev/null
sleep 1
assert_eq "$(received "r['path'] == '/hook' and b['level'] > 0 and b['event'] != 'escalation'")" 0 "escalation event"
assert_eq "$(received "r['path'] == '/ntfy/calls' and 're-alert' in h['Title'] and h['Priority'] != 'urgent'")" 0 \
    "re-alerts are urgent"
dups() {
    python3 - "$RECEIVED" <<'PY'
import collections, json, sys
seen = collections.Counter(json.loads(l)["path"] + " " + json.loads(l)["headers"]["X-Callbell-Id"] for l in open(sys.argv[1]))
print(sorted(k for k, n in seen.items() if n > 1))
PY
}
assert_eq "$(dups)" "[]" "every request and level once per destination"

# 5. the broker restarted (the bridge reconnects, the retained states come again): no storm
total=$(received "True")
stop_broker
start_broker "$PORT"
wait_for "notify reconnected" "[ \$(grep -c 'following' '$TEST_TMP/notify.log') -ge 2 ]" 20
sleep 2
assert_eq "$(received "True")" "$total" "requests after the broker's restart"

# a destination that refuses (404: a wrong URL) gets it once, not again and again
bg notify-gone "$CALLBELL" notify --webhook "http://127.0.0.1:$RPORT/gone/hook" --state "$TEST_TMP/gone.sent"
PIDS+=("$LAST_PID")
"$CALLBELL" press 4 --kind call >/dev/null
wait_for "the refusal logged" "grep -q 'refused table 4 request' '$TEST_TMP/notify-gone.log'"
"$CALLBELL" done 4 >/dev/null # no more re-alerts (every 2 s) from here
sleep 2
assert_eq "$(received "r['path'] == '/gone/hook' and b['level'] == 0")" 1 "requests to a destination that refuses"
assert_eq "$(dups)" "[]" "each refused notification once"
assert_contains "$(cat "$TEST_TMP/notify-gone.log")" "(HTTP 404): dropped" "the log"

# a state file grown long (old deliveries, a table no longer served, a broken line):
# the newest lines are read, the oldest entries give way, it is rewritten short
stop_pid "$NOTIFY_PID"
{
    for i in $(seq 1 3000); do echo "ntfy 9 $((100000 + i)) 0"; done
    echo "nonsense"
    cat "$TEST_TMP/notify.sent"
} >"$TEST_TMP/long.sent"
mv "$TEST_TMP/long.sent" "$TEST_TMP/notify.sent"
start_notify
assert_contains "$(cat "$TEST_TMP/notify.log")" "skipped 1 malformed lines" "the log of a long state file"
total=$(received "True")
sleep 2
assert_eq "$(received "True")" "$total" "requests after reading a long state file"
[ "$(wc -l <"$TEST_TMP/notify.sent")" -le 2048 ] || fail "the state file was not rewritten short"

# bad usage
expect 2 "nowhere to send" "$CALLBELL" notify
expect 2 "bad --ntfy 'ftp://x'" "$CALLBELL" notify --ntfy ftp://x
expect 2 "bad --board-url" "$CALLBELL" notify --webhook http://127.0.0.1:1/ --board-url nope
echo ok
