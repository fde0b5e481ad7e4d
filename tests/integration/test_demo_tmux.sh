#!/usr/bin/env bash
# `callbell demo` in a terminal: the board comes up with the hub online, a key press on
# the board reaches a simulated table and comes back as a call, q stops everything.
source "$(dirname "$0")/lib.sh"
TMUX_SOCK="cb-$TEST_NAME-$$"
tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 30 \
    "XDG_STATE_HOME='$TEST_TMP/state' '$CALLBELL' demo --guests 0 --data-dir '$TEST_TMP/demo' 2>'$TEST_TMP/demo.log'; echo DEMO-EXIT=\$? >'$TEST_TMP/exit'; sleep 60"
screen() { tmux -L "$TMUX_SOCK" capture-pane -p; }
# the demo's broker enforces roles: the CLI signs in with the staff credential it made
export CALLBELL_CREDENTIALS=$TEST_TMP/demo/cli.credentials
wait_for "board with hub online" 'screen | grep -q "hub online"' 20
wait_for "tables drawn" 'screen | grep -qE "^ *1 +2 +3 +4"' 10
tmux -L "$TMUX_SOCK" send-keys 2
wait_for "call from table 2 on the board" 'screen | grep -qE "^[> ] *2 +call +calling"' 10
url=mqtt://$(screen | grep -o "mqtt://board@127.0.0.1:[0-9]*" | head -1 | cut -d@ -f2)
calls=$("$CALLBELL" calls --json --site demo --broker "$url")
# its broker enforces the roles it made: anonymous is refused
expect 1 "Not authorized" env -u CALLBELL_CREDENTIALS "$CALLBELL" calls --site demo --broker "$url"
assert_eq "$(json_get "$calls" "[(c['table'], c['status']) for c in d]")" "[('2', 'calling')]" "calls"
tmux -L "$TMUX_SOCK" send-keys a
wait_for "acknowledged on the board" 'screen | grep -qE "2 +call +acknowledged"' 10
tmux -L "$TMUX_SOCK" send-keys q
wait_for "demo exits" '[ -f "$TEST_TMP/exit" ]' 15
assert_eq "$(cat "$TEST_TMP/exit")" "DEMO-EXIT=0" "demo exit code"
sleep 0.5
left=$(pgrep -af "$TEST_TMP/demo/|table --table [0-9] --broker $url" || true)
[ -z "$left" ] || fail "demo left processes running: $left"
echo ok
