#!/usr/bin/env bash
# The terminal board, drawn by tmux: it lists a new call with its table and kind, rings
# for it (but not for a call already open when it started), sends ack/done as cmd
# messages with the call id and the staff name, and survives tiny windows.
source "$(dirname "$0")/lib.sh"

start_broker
bg hub "$CALLBELL" hub --tables 1-8
wait_for "hub online" "[ \"\$(mqtt_get callbell/$CALLBELL_SITE/hub/status)\" = online ]"

# A call that is already open when the board starts: shown, but no bell for it.
"$CALLBELL" press 2 --kind water >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 2 failed"
wait_for "table 2 calling" "mqtt_get callbell/$CALLBELL_SITE/table/2/state | grep -q '\"calling\"'"

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
"${TMUX_CMD[@]}" -f /dev/null new-session -d -x 100 -y 30 -s board \
    "env CALLBELL_BROKER='$CALLBELL_BROKER' CALLBELL_SITE='$CALLBELL_SITE' TERM=screen \
     '$CALLBELL' board --name Tess 2>'$TEST_TMP/board.log'; echo \"board exited rc=\$?\"; sleep 60"
"${TMUX_CMD[@]}" set-option -g monitor-bell on >/dev/null
"${TMUX_CMD[@]}" set-option -g bell-action any >/dev/null
screen() { "${TMUX_CMD[@]}" capture-pane -p -t board; }
screen_has() { screen | grep -q -- "$1"; }
bell_rang() { [ "$("${TMUX_CMD[@]}" display-message -p -t board '#{window_bell_flag}')" = 1 ]; }
keys() { "${TMUX_CMD[@]}" send-keys -t board "$@"; }

wait_for "board drawn with the hub online" "screen_has 'hub online'"
wait_for "the open call of table 2" "screen | grep -E '^[> ] 2 +water +calling' >/dev/null"
sleep 1.5
bell_rang && fail "the board rang for a call that was open before it started"

log "a new call"
"$CALLBELL" press 7 --kind bill >>"$TEST_TMP/press.log" 2>&1 || fail "callbell press 7 failed"
wait_for "table 7 bill on the board" "screen | grep -E '^[> ] 7 +bill +calling' >/dev/null"
wait_for "bell for the new call" "bell_rang" 5
screen | grep -qE '^> 2 ' || fail "selection should stay on the oldest call (table 2)"
# waiting time ticks (mm:ss)
first=$(screen | grep -E '^[> ] 7 ' | grep -oE '[0-9]{2}:[0-9]{2}' | head -1)
sleep 2.2
second=$(screen | grep -E '^[> ] 7 ' | grep -oE '[0-9]{2}:[0-9]{2}' | head -1)
[ -n "$first" ] && [ "$first" != "$second" ] || fail "waiting time does not tick: '$first' then '$second'"

log "ack from the board"
bg cmds mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/table/+/cmd" -v
sleep 0.5 # subscribed before the key
call7=$(mqtt_get "callbell/$CALLBELL_SITE/table/7/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["call"])')
keys j
wait_for "selection on table 7" "screen | grep -qE '^> 7 '"
keys a
C="$TEST_TMP/cmds.log"
wait_for "cmd published" "grep -q '/table/7/cmd' '$C'"
python3 - "$C" "$call7" <<'EOF' || fail "bad ack cmd: $(cat "$C")"
import json, sys
topic, payload = open(sys.argv[1]).readline().split(" ", 1)
cmd = json.loads(payload)
assert topic.endswith("/table/7/cmd"), topic
assert cmd == {"v": 1, "action": "ack", "by": "Tess", "call": int(sys.argv[2])}, cmd
EOF
wait_for "table 7 acknowledged by Tess" "screen | grep -E '^> 7 +bill +acknowledged .*Tess' >/dev/null"

log "done from the board"
keys d
wait_for "done cmd published" "grep -q '\"action\":\"done\"' '$C'"
wait_for "table 7 gone from the list" "! screen | grep -qE '^[> ] 7 '"
wait_for "hub closed the call" "mqtt_get callbell/$CALLBELL_SITE/table/7/state | grep -q '\"idle\"'"
screen | grep -qE '^> 2 +water' || fail "selection should fall back to table 2"

log "hub goes away: big warning"
kill "${PIDS[0]}"
wait_for "hub offline banner" "screen_has 'HUB OFFLINE'"
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
screen | grep -qE '^> 2 +water' || fail "call list lost after resizes"

keys q
wait_for "board exited on q" "screen_has 'board exited rc=0'"
log "ok"
