#!/usr/bin/env bash
# The terminal board, drawn by tmux: every open request is a line of its own (water
# then bill on one table: two lines, and the table's tile shows both), it rings for a
# new request and a re-alert (not for one open before it started), `a`/`d` act on the
# selected request and `A`/`D` on the whole table, each cmd naming its request (call and
# kind) with the staff name; a name typed on the board is checked by the core's rule;
# an ack typed while the hub is down is held and applies on its return, and a done
# that reaches the hub after a colleague's is refused with the hub's reason on the
# feedback line; and it survives tiny windows.
source "$(dirname "$0")/lib.sh"

start_broker
start_hub --tables 1-8

# A request that is already open when the board starts: shown, but no bell for it.
"$CALLBELL" press 2 --kind water >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 2 failed"
wait_for "table 2 calling" "state 2 | grep -q '\"calling\"'"

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
"${TMUX_CMD[@]}" -f /dev/null new-session -d -x 100 -y 30 -s board \
    "env CALLBELL_BROKER='$CALLBELL_BROKER' CALLBELL_SITE='$CALLBELL_SITE' TERM=screen \
     '$CALLBELL' board --name Tess 2>'$TEST_TMP/board.log'; echo \"board exited rc=\$?\"; sleep 60"
# every bell the board rings is a line in bells.log
"${TMUX_CMD[@]}" set-option -g monitor-bell on >/dev/null
"${TMUX_CMD[@]}" set-option -g bell-action any >/dev/null
"${TMUX_CMD[@]}" set-hook -g alert-bell "run-shell 'echo bell >>$TEST_TMP/bells.log'" >/dev/null
touch "$TEST_TMP/bells.log"
screen() { "${TMUX_CMD[@]}" capture-pane -p -t board; }
screen_has() { screen | grep -q -- "$1"; }
bells() { wc -l <"$TEST_TMP/bells.log"; }
keys() { "${TMUX_CMD[@]}" send-keys -t board "$@"; }
# line TABLE KIND: the queue line of that request (selected or not)
line() { screen | grep -E "^[> ] $1 +$2( x[0-9]+)? +(calling|acknowledged) "; }
# queue_order: "2water 7bill ...", the queue's lines top to bottom
queue_order() { screen | grep -E '^[> ] [0-9]+ +(water|bill|call)' | sed 's/^>/ /' | awk '{printf "%s%s ", $1, $2}'; }
# call_of TABLE KIND: the id of the table's open request of that kind
call_of() {
    json_get "$(state "$1")" "[r['call'] for r in d['requests'] if r['kind'] == '$2'][0]"
}

wait_for "board drawn with the hub online" "screen_has 'hub online'"
wait_for "the open request of table 2" "line 2 water | grep -q calling"
sleep 1.5
[ "$(bells)" -eq 0 ] || fail "the board rang for a request that was open before it started"

log "water then bill on table 7: two lines, two bells"
"$CALLBELL" press 7 --kind water >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 7 water failed"
wait_for "table 7 water on the board" "line 7 water | grep -q calling"
wait_for "bell for the water" '[ "$(bells)" -ge 1 ]' 5
wait_for "news of the water" "screen_has 'table 7: water requested'"
sleep 1.1 # pressed_at a second apart, so the order below is the hub's, not a tie
"$CALLBELL" press 7 --kind bill >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 7 bill failed"
wait_for "table 7 bill on the board" "line 7 bill | grep -q calling"
wait_for "bell for the bill" '[ "$(bells)" -ge 2 ]' 5
line 7 water | grep -q calling || fail "the water request is gone: $(screen)"
# queue order: 2 water, 7 water, 7 bill (calling, oldest first)
order=$(queue_order)
assert_eq "$order" "2water 7water 7bill " "queue order"
screen | grep -qE ' 7 water bill ' || fail "table 7's tile should show water and bill: $(screen)"
screen | grep -qE '^> 2 ' || fail "selection should stay on the oldest request (table 2)"
# waiting time ticks (mm:ss)
first=$(line 7 bill | grep -oE '[0-9]{2}:[0-9]{2}' | head -1)
sleep 2.2
second=$(line 7 bill | grep -oE '[0-9]{2}:[0-9]{2}' | head -1)
[ -n "$first" ] && [ "$first" != "$second" ] || fail "waiting time does not tick: '$first' then '$second'"

C="$TEST_TMP/cmds.log"
bg cmds mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/table/+/cmd" -v
sleep 0.5 # subscribed before the key
# assert_cmds ACTION KIND=CALL... : the last cmds on table 7, one per argument in
# order, each naming its request by kind and call id, by Tess, from the board's
# client id (the hub answers there)
assert_cmds() {
    local action=$1
    shift
    python3 - "$C" "$action" "$@" <<'EOF' || fail "bad $action cmds: $(cat "$C")"
import json, re, sys
want = [dict(zip(("kind", "call"), a.split("="))) for a in sys.argv[3:]]
lines = open(sys.argv[1]).read().splitlines()[-len(want):]
assert len(lines) == len(want), lines
for line, w in zip(lines, want):
    topic, payload = line.split(" ", 1)
    assert topic.endswith("/table/7/cmd"), topic
    cmd = json.loads(payload)
    assert re.fullmatch(r"cb-board-[0-9]+-[0-9a-f]+", cmd.get("from", "")), cmd
    assert cmd == {"v": 1, "action": sys.argv[2], "by": "Tess", "kind": w["kind"], "call": int(w["call"]),
                   "from": cmd["from"]}, cmd
EOF
}

log "ack the water alone"
water=$(call_of 7 water)
keys j
wait_for "selection on table 7 water" "screen | grep -qE '^> 7 +water'"
keys a
wait_for "ack cmd published" "grep -q '/table/7/cmd' '$C'"
assert_cmds ack "water=$water"
wait_for "water acknowledged by Tess" "line 7 water | grep -qE 'acknowledged +[0-9:]+ +Tess'"
line 7 bill | grep -q calling || fail "the bill should still be calling: $(screen)"
wait_for "news of the ack" "screen_has 'table 7: water acknowledged by Tess'"
# acknowledged requests go after the calling ones
order=$(queue_order)
assert_eq "$order" "2water 7bill 7water " "queue order after the ack"

log "done the bill alone"
wait_for "selection still on table 7 water" "screen | grep -qE '^> 7 +water'"
keys k
wait_for "selection on table 7 bill" "screen | grep -qE '^> 7 +bill'"
bill=$(call_of 7 bill)
keys d
wait_for "done cmd published" "[ \$(grep -c '/table/7/cmd' '$C') -eq 2 ]"
assert_cmds done "bill=$bill"
wait_for "table 7 bill gone from the list" "! line 7 bill >/dev/null"
line 7 water | grep -q acknowledged || fail "the water should stay acknowledged: $(screen)"
wait_for "hub kept only the water" "[ \"\$(json_get \"\$(state 7)\" \"[r['kind'] for r in d['requests']]\")\" = \"['water']\" ]"

log "a new bill, then ack and done for the whole table"
before=$(bells)
"$CALLBELL" press 7 --kind bill >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 7 bill failed"
wait_for "table 7 bill again" "line 7 bill | grep -q calling"
wait_for "bell for the new bill" '[ "$(bells)" -gt '"$before"' ]' 5
old_bill=$bill
bill=$(call_of 7 bill)
[ "$bill" != "$old_bill" ] || fail "the new bill should be a request of its own, not bill $old_bill again"
keys G # the last line: table 7's water (acknowledged)
wait_for "selection on table 7 water" "screen | grep -qE '^> 7 +water'"
keys A
wait_for "two ack cmds published" "[ \$(grep -c '/table/7/cmd' '$C') -eq 4 ]"
assert_cmds ack "water=$water" "bill=$bill"
wait_for "the new bill acknowledged by Tess" "line 7 bill | grep -qE 'acknowledged +[0-9:]+ +Tess'"
keys D
wait_for "two done cmds published" "[ \$(grep -c '/table/7/cmd' '$C') -eq 6 ]"
assert_cmds done "water=$water" "bill=$bill"
wait_for "table 7 gone from the list" "! screen | grep -qE '^[> ] 7 '"
wait_for "hub closed table 7" "state 7 | grep -q '\"idle\"'"
screen | grep -qE '^> 2 +water' || fail "selection should fall back to table 2"

log "a staff name typed on the board, checked by the core's rule"
keys n
wait_for "name prompt" "screen_has 'your name:'"
keys ' ' Enter
wait_for "a blank name refused" "screen_has \"name ' ' refused\""
keys BSpace Z o Enter
wait_for "name taken" "screen_has 'commands are now sent as Zo'"
screen_has '(as Zo)' || fail "footer should show the new name: $(screen)"

log "hub goes away: big warning; an ack waits in the broker and applies when it is back"
"$CALLBELL" press 4 --kind call >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 4 failed"
wait_for "table 4 call on the board" "line 4 call | grep -q calling"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
wait_for "hub offline banner" "screen_has 'HUB OFFLINE'"
screen | grep -qE '^> 2 +water +calling' || fail "table 2's water should be selected: $(screen)"
keys a
wait_for "the ack held for the hub" "screen_has 'ack table 2: water #[0-9]*: held by the broker until the hub is back'"
# table 4: a colleague closes the call first, then this board does (both wait for the hub)
call4=$(call_of 4 call)
out=$("$CALLBELL" done 4 --by Bo) || fail "callbell done 4 failed: $out"
assert_contains "$out" "waits in the broker"
keys j
wait_for "selection on table 4 call" "screen | grep -qE '^> 4 +call'"
keys d
wait_for "the done held for the hub" "screen_has 'done table 4: call #$call4: held by the broker until the hub is back'"
start_hub --tables 1-8 --realert 2
wait_for "the held ack applied" "line 2 water | grep -qE 'acknowledged +[0-9:]+ +Zo'"
wait_for "the colleague's done applied" "! line 4 call >/dev/null"
wait_for "the board's done refused, with the hub's reason" \
    "screen_has 'done table 4: call #$call4 refused: names a request that is no longer open (stale)'"
sleep 1
screen_has "call #$call4 refused: names a request" || fail "the refusal went away before it could be read: $(screen)"
keys n Escape # any key's own words replace it
wait_for "the refusal dismissed" "screen_has 'name unchanged: Zo'"

log "a re-alert (every 2 s now) rings"
"$CALLBELL" press 3 --kind call >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 3 failed"
wait_for "table 3 call on the board" "line 3 call | grep -q calling"
before=$(bells)
wait_for "re-alert of table 3's call" "screen_has 'table 3: call calling again (repeat'" 15
wait_for "bell for the re-alert" '[ "$(bells)" -gt '"$before"' ]' 5

log "a hub that cannot store calls (full disk): its own warning"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -t "callbell/$CALLBELL_SITE/hub/status" -m degraded
wait_for "degraded hub banner" "screen_has 'HUB CANNOT STORE CALLS'"

log "resizes down to 1x1 and back"
for size in "20 5" "1 1" "3 2" "12 3" "200 60" "100 30"; do
    set -- $size
    "${TMUX_CMD[@]}" resize-window -t board -x "$1" -y "$2"
    sleep 0.3
done
wait_for "board redrawn after resizes" "screen_has 'callbell board'"
screen_has 'board exited' && fail "board died: $(screen)"
screen | grep -qE '^[> ] 2 +water' || fail "request list lost after resizes"

keys q
wait_for "board exited on q" "screen_has 'board exited rc=0'"
log "ok"
