#!/usr/bin/env bash
# `callbell notify` routed by the site file's [notify] (docs/notify.md "Routes"), to an
# HTTP receiver on 127.0.0.1 with a path per destination: a request of a patio table
# goes to the patio topic only, one of a bar table (no route of its own) to the
# default; unanswered, the patio request's escalation at level floor goes to the
# floor topic and the one at level manager to the managers' topic, exactly once each,
# also across a restart of the bridge between them. The webhook routes on its own.
# --ntfy replaces the file's default and nothing else. A [notify] naming a section
# that is not in [sections] stops the bridge with the file, the line and the key.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/notify_lib.sh"
start_broker
U="http://127.0.0.1:$RPORT"
site=$TEST_TMP/site.conf
cat >"$site" <<CONF
[site]
id = $CALLBELL_SITE
[broker]
url = $BROKER
[hub]
realert = 3
ack_timeout = 300
floor_after = 1
manager_after = 2
[notify]
ntfy = $U/ntfy/all
ntfy.patio = $U/ntfy/patio
ntfy.floor = $U/ntfy/floor
ntfy.manager = $U/ntfy/manager
webhook = $U/hook/all
webhook.manager = $U/hook/manager
[tables]
1 = Patio 1
2 = Bar
3 = Window
[sections]
patio = 1
bar = 2
CONF
unset CALLBELL_BROKER
start_hub --config "$site"
start_receiver

start_notify() { # ARGS...: a bridge on the site file, its log in notify.log
    : >"$TEST_TMP/notify.log"
    bg notify "$CALLBELL" notify --config "$site" --state "$TEST_TMP/notify.sent" "$@"
    NOTIFY_PID=$LAST_PID
    wait_for "notify connected" "grep -q 'following' '$TEST_TMP/notify.log'"
}
stop_notify() {
    kill "$NOTIFY_PID"
    wait "$NOTIFY_PID" 2>/dev/null || true
}
call_of() { json_get "$("$CALLBELL" calls --config "$site" --json)" "[c['call'] for c in d if c['table'] == '$1'][0]"; }
# at PATH CALL LEVEL: the filter for that notification at that path (ntfy or webhook)
at() { echo "r['path'] == '$1' and h.get('X-Callbell-Id', '') == '$CALLBELL_SITE-$2-$3'"; }
on() { echo "r['path'] == '$1'"; }

start_notify
log=$(cat "$TEST_TMP/notify.log")
assert_contains "$log" "ntfy: section patio's requests -> $U/ntfy/patio (the site file)" "the start-up log"
assert_contains "$log" "ntfy: the other requests -> $U/ntfy/all" "the start-up log"
assert_contains "$log" "ntfy: escalations at level floor -> $U/ntfy/floor" "the start-up log"
assert_contains "$log" "ntfy: escalations at level manager -> $U/ntfy/manager" "the start-up log"
assert_contains "$log" "webhook: every request -> $U/hook/all" "the start-up log"

# a bar request (no route of its own): the default topic; acknowledged at once, so it
# does not escalate (the ack timeout is 300 s)
"$CALLBELL" press 2 --config "$site" >/dev/null
bar=$(call_of 2)
wait_count 3 "$(at /ntfy/all "$bar" 0)" 1
wait_count 3 "$(at /hook/all "$bar" 0)" 1
"$CALLBELL" ack 2 --by Ana --config "$site" >/dev/null

# a patio request: the patio topic, not the default; the webhook has no patio route
"$CALLBELL" press 1 --config "$site" >/dev/null
patio=$(call_of 1)
wait_count 3 "$(at /ntfy/patio "$patio" 0)" 1
wait_count 3 "$(at /hook/all "$patio" 0)" 1
# the bridge restarted before it escalates: the patio topic's delivery is remembered
stop_notify
start_notify
# re-alert 1 (3 s): level floor; re-alert 2 (6 s): level manager
wait_count 6 "$(at /ntfy/floor "$patio" 1)" 1
wait_count 6 "$(at /ntfy/manager "$patio" 2)" 1
wait_count 3 "$(at /hook/manager "$patio" 2)" 1
"$CALLBELL" done 1 --config "$site" >/dev/null # before re-alert 3 (9 s)
assert_eq "$(state_field 1 requests)" "[]" "table 1 closed"
sleep 2 # anything still on its way arrives
assert_eq "$(received "$(on /ntfy/patio)")" 1 "requests on the patio topic"
assert_eq "$(received "$(on /ntfy/all)")" 1 "requests on the default topic (the bar's)"
assert_eq "$(received "$(on /ntfy/floor)")" 1 "requests on the floor topic"
assert_eq "$(received "$(on /ntfy/manager)")" 1 "requests on the managers' topic"
# the webhook on its own: no floor route, so level 1 goes to its default
assert_eq "$(received "$(at /hook/all "$patio" 1)")" 1 "the floor escalation on the default webhook"
assert_eq "$(received "$(on /hook/all)")" 3 "requests on the default webhook"
assert_eq "$(received "$(on /hook/manager)")" 1 "requests on the managers' webhook"
grep -q "ntfy: sent table 1 call (request $patio) level 2 to $U/ntfy/manager" "$TEST_TMP/notify.log" ||
    fail "the log names the destination: $(cat "$TEST_TMP/notify.log")"

# --ntfy replaces the file's default, and only it (a new bridge, its own memory: table
# 2's request, first seen acknowledged, is not announced)
stop_notify
total=$(received "True")
: >"$TEST_TMP/notify.log"
bg notify "$CALLBELL" notify --config "$site" --state "$TEST_TMP/flag.sent" --ntfy "$U/ntfy/flag"
NOTIFY_PID=$LAST_PID
wait_for "notify connected" "grep -q 'following' '$TEST_TMP/notify.log'"
assert_contains "$(cat "$TEST_TMP/notify.log")" "ntfy: the other requests -> $U/ntfy/flag (--ntfy)" "the log"
"$CALLBELL" press 3 --config "$site" >/dev/null
window=$(call_of 3)
wait_count 3 "$(at /ntfy/flag "$window" 0)" 1
wait_count 3 "$(at /hook/all "$window" 0)" 1
sleep 1
assert_eq "$(received "True")" $((total + 2)) "requests after --ntfy"
stop_notify

# a [notify] key for a section the file does not declare: nothing starts
sed -e "s|^ntfy.floor = .*|ntfy.garden = $U/g|" "$site" >"$TEST_TMP/bad.conf"
line=$(grep -n '^ntfy.garden' "$TEST_TMP/bad.conf" | cut -d: -f1)
expect 2 "$TEST_TMP/bad.conf:$line: [notify] ntfy.garden: no section 'garden' in [sections]" \
    "$CALLBELL" notify --config "$TEST_TMP/bad.conf"
sed -e "s|^webhook = .*|webhook = ftp://127.0.0.1/x|" "$site" >"$TEST_TMP/bad.conf"
expect 2 "[notify] webhook: want an http:// or https:// URL" "$CALLBELL" notify --config "$TEST_TMP/bad.conf"
echo ok
