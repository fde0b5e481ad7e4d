#!/usr/bin/env bash
# What a new user hit (issue 10, section 4): getopt's errors name `callbell press`,
# not `press`; `ack --help` reads right; "call call 11" is gone; `--tables 1-` is a bad
# range, not a table called "1-"; `--port 70000` names the range that works.
source "$(dirname "$0")/lib.sh"
expect 2 "callbell press: unrecognized option '--frobnicate'" "$CALLBELL" press --frobnicate
expect 2 "callbell board: option '--name' requires an argument" "$CALLBELL" board --name
assert_contains "$("$CALLBELL" ack --help)" "Acknowledges TABLE's open request of --kind, or all of its open requests, and waits"
assert_contains "$("$CALLBELL" done --help)" "Closes TABLE's open request of --kind, or all of its open requests, and waits"
assert_contains "$("$CALLBELL" config --help)" "usage: callbell config check [FILE]"
expect 2 "bad table range '1-'" "$CALLBELL" hub --tables 1- --db "$TEST_TMP/x.db"
expect 2 "bad table range '-3'" "$CALLBELL" hub --tables 1,-3 --db "$TEST_TMP/x.db"
expect 2 "bad --port '70000': want a whole number from 1 to 65535" "$CALLBELL" broker --port 70000
expect 2 "bad --port '0': want a whole number from 1 to 65535" "$CALLBELL" broker --port 0
expect 2 "bad --ws-port '70000': want a whole number from 0 to 65535" "$CALLBELL" broker --ws-port 70000

start_broker
start_hub --tables 7,patio-2
"$CALLBELL" press 7 --kind bill >/dev/null
wait_for "table 7 calling" '[ "$(state_field 7 status)" = calling ]'
call=$(state_field 7 call)
out=$("$CALLBELL" ack 7 --by Ana)
assert_eq "$out" "table 7: bill request $call acknowledged by Ana" "ack's answer (never 'call call')"
echo ok
