#!/usr/bin/env bash
# `callbell demo` supervises: the hub, a table, the broker and the web board's lighttpd,
# each killed with -9,
# come back, the board says so, nothing is left <defunct>, and a press afterwards goes
# the whole way round. Its log stays bounded (--log-max): the old part moves to .1.
source "$(dirname "$0")/lib.sh"
TMUX_SOCK="cb-$TEST_NAME-$$"
demo=$TEST_TMP/demo
# ports of its own: the broker must get its port back after a restart (1883, the
# default, may be taken meanwhile by another demo)
WSP=$(free_port)
tmux -L "$TMUX_SOCK" new-session -d -x 140 -y 30 \
    "XDG_STATE_HOME='$TEST_TMP/state' '$CALLBELL' demo --guests 0 --log-max 8192 --port $(free_port) --ws-port $WSP --data-dir '$demo' 2>'$TEST_TMP/demo-stderr.log'; echo DEMO-EXIT=\$? >'$TEST_TMP/exit'; sleep 60"
screen() { tmux -L "$TMUX_SOCK" capture-pane -p; }
# the demo's broker enforces roles: the CLI signs in with the staff credential it made
export CALLBELL_CREDENTIALS=$demo/cli.credentials
wait_for "board with hub online" 'screen | grep -q "hub online"' 20
url=mqtt://$(screen | grep -o "mqtt://board@127.0.0.1:[0-9]*" | head -1 | cut -d@ -f2)
sup=$(pgrep -f "callbell demo --guests 0 --log-max 8192" | sort -n | tail -1)
[ -n "$sup" ] || fail "no supervisor process"
pid_of() { pgrep -f "$1" | head -1; }
# Mosquitto's "should not be run as root" warning goes to the log, not onto the board
if [ "$(id -u)" = 0 ]; then
    grep -q "should not be run as root" "$demo"/demo.log* || fail "the root warning is not in the log"
    screen | grep -q "should not be run" && fail "the root warning is on the board"
fi

# the hub
hub=$(pid_of "hub --broker $url")
[ -n "$hub" ] || fail "no hub"
kill -9 "$hub"
wait_for "board says the hub restarted" 'screen | grep -q "^demo [0-9:]*: restarted the hub"' 10
wait_for "a new hub" 'p=$(pid_of "hub --broker $url"); [ -n "$p" ] && [ "$p" != "$hub" ]' 10
wait_for "hub online again" 'screen | grep -q "hub online"' 15
grep -q "demo: the hub stopped (killed by signal 9): restarting it" "$demo/demo.log"* || fail "the log does not say why"

# a table
t3=$(pid_of "table --table 3 --broker $url")
kill -9 "$t3"
wait_for "board says table 3 restarted" 'screen | grep -q "^demo [0-9:]*: restarted table 3"' 10
wait_for "a new table 3" 'p=$(pid_of "table --table 3 --broker $url"); [ -n "$p" ] && [ "$p" != "$t3" ]' 10

# the broker
mosq=$(pid_of "mosquitto -c $demo/broker/mosquitto.conf")
[ -n "$mosq" ] || fail "no mosquitto"
kill -9 "$mosq"
wait_for "board says the broker restarted" 'screen | grep -q "^demo [0-9:]*: restarted the broker"' 10
# the hub answers on the new broker (the board may still show its last view): only
# then is it subscribed again, as a Mosquitto killed -9 forgets unsaved sessions
wait_for "hub answering after the broker came back" '"$CALLBELL" calls --json --site demo --broker "$url" >/dev/null 2>&1' 20

# the web board's server (lighttpd), where installed: restarted on its own
if [ -x /usr/sbin/lighttpd ] && command -v curl >/dev/null; then
    js() { curl -s -m 3 -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$WSP/app.js" 2>/dev/null || true; }
    wait_for "the page served" '[ "$(js)" = "200 text/javascript; charset=utf-8" ]' 10
    web=$(pid_of "lighttpd -D -f $demo/broker/lighttpd.conf")
    [ -n "$web" ] || fail "no lighttpd"
    kill -9 "$web"
    wait_for "board says lighttpd restarted" 'screen | grep -q "^demo [0-9:]*: restarted lighttpd"' 10
    grep -q "demo: lighttpd killed by signal 9: restarting it" "$demo/demo.log"* || fail "the log does not say lighttpd died"
    wait_for "the page served again" '[ "$(js)" = "200 text/javascript; charset=utf-8" ]' 10
fi
zombies=$(ps -o pid=,stat=,args= --ppid "$sup" | awk '$2 ~ /Z/' || true)
[ -z "$zombies" ] || fail "defunct children: $zombies"

# everything works again: a key press on the board comes back as a call
"$CALLBELL" done 2 --site demo --broker "$url" >/dev/null 2>&1 || true
tmux -L "$TMUX_SOCK" send-keys 2
table2_status() {
    json_get "$("$CALLBELL" calls --json --site demo --broker "$url")" "' '.join(c['status'] for c in d if c['table'] == '2')"
}
wait_for "table 2 calling after the restarts" '[ "$(table2_status)" = calling ]' 15

# the log is bounded: the old part moved to demo.log.1 (presses make hub and table lines)
for i in $(seq 1 60); do
    tmux -L "$TMUX_SOCK" send-keys $((i % 4 + 1))
    sleep 0.1
done
wait_for "log rotated" '[ -f "$demo/demo.log.1" ]' 10
size=$(stat -c %s "$demo/demo.log")
[ "$size" -le $((8192 + 16384)) ] || fail "demo.log is $size bytes with --log-max 8192"

tmux -L "$TMUX_SOCK" send-keys q
wait_for "demo exits" '[ -f "$TEST_TMP/exit" ]' 15
assert_eq "$(cat "$TEST_TMP/exit")" "DEMO-EXIT=0" "demo exit code"
[ ! -s "$TEST_TMP/demo-stderr.log" ] || fail "the demo wrote to the terminal: $(cat "$TEST_TMP/demo-stderr.log")"
sleep 0.5
left=$(pgrep -af "$demo/|table --table [0-9] --broker $url" || true)
[ -z "$left" ] || fail "demo left processes running: $left"
echo ok
