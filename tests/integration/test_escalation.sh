#!/usr/bin/env bash
# A call still waiting re-alerts; an acknowledged call not done comes back.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --realert 3 --ack-timeout 2
"$CALLBELL" press 4 >/dev/null
wait_for "calling" '[ "$(state_field 4 status)" = calling ]'
assert_eq "$(state_field 4 repeats)" 0
wait_for "re-alert" '[ "$(state_field 4 repeats)" -ge 1 ]' 6
"$CALLBELL" ack 4 --by Cy >/dev/null
r=$(state_field 4 repeats)
wait_for "ack timeout returns the call" '[ "$(state_field 4 status)" = calling ]' 6
[ "$(state_field 4 repeats)" -gt "$r" ] || fail "reopen should count as a repeat"
assert_eq "$(state_field 4 acked_by)" "" "acked_by cleared"
echo ok
