#!/usr/bin/env bash
# The seed's board, simulated: one device, keys 1-4 are the buttons on GP16-GP19 for
# tables 1-4. Its presses reach the hub; its LEDs follow the hub's answer exactly as
# the firmware's do (same engine): slow blink while calling, on when acknowledged,
# off once done.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
T="$TEST_TMP/table.log"
: >"$T"
"$CALLBELL" table --seed <"$TEST_TMP/keys" >>"$T" 2>&1 &
PIDS+=("$!")
wait_for "connected" "grep -q '^connected' '$T'"
wait_for "LEDs off while all is idle" "grep -q '^led table=4 mode=off' '$T' || ! grep -q '^led table=4' '$T'"

printf '1 3' >&3
wait_for "table 1 calling" '[ "$(state_field 1 status)" = calling ]'
wait_for "table 3 calling" '[ "$(state_field 3 status)" = calling ]'
assert_eq "$(state_field 2 status)" idle "table 2 untouched"
assert_eq "$(state_field 1 kind)" call "seed buttons are call buttons"
events=$(sqlite3 "$TEST_TMP/hub.db" "select who, seq from events where table_id in ('1','3') order by id")
assert_eq "$events" "$(printf 'sim-seed|1\nsim-seed|2')" "one device, seq per press"
wait_for "table 1 LED blinks slowly" "grep -q '^led table=1 mode=slow' '$T'"

"$CALLBELL" ack 1 --by Ana >/dev/null
wait_for "table 1 LED on after the ack" "grep -q '^led table=1 mode=on' '$T'"
grep -q '^led table=3 mode=on' "$T" && fail "table 3 was not acknowledged"
"$CALLBELL" done 1 --by Ana >/dev/null
wait_for "table 1 LED off after done" "[ \"\$(grep '^led table=1 ' '$T' | tail -1)\" = 'led table=1 mode=off' ]"
echo ok
