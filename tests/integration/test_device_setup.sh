#!/usr/bin/env bash
# `callbell device setup` sets a table device through its serial console, end to end
# against the simulated table (the firmware's console code on a pty, its flash in a
# file): the settings are checked, sent, saved, the device reboots with them and
# uses them (its presses go to the new site and table), they survive a restart, and
# a damaged copy in flash falls back to the other one.
source "$(dirname "$0")/lib.sh"
start_broker
TTY="$TEST_TMP/ttyACM0"
FLASH="$TEST_TMP/flash.bin"
NEW_SITE="${CALLBELL_SITE}b"
mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
T="$TEST_TMP/table.log"
: >"$T"
start_table() {
    "$CALLBELL" table --table 5 --console "$TTY" --settings "$FLASH" <"$TEST_TMP/keys" >>"$T" 2>&1 &
    TABLE_PID=$!
    PIDS+=("$TABLE_PID")
}
start_table
wait_for "table connected with the command line's settings" "grep -q '^connected' '$T'"
grep -q "^settings: none saved in $FLASH, using the defaults$" "$T" || fail "no 'none saved' line"

log "bad input is refused before the device is touched"
set +e
out=$("$CALLBELL" device setup --port "$TTY" --buttons 16=7:dance 2>&1)
rc=$?
set -e
assert_eq "$rc" 2 "exit code for a bad kind"
assert_contains "$out" "bad buttons '16=7:dance': a kind is call, bill, water or cancel"
set +e
out=$("$CALLBELL" device setup --port "$TEST_TMP/nothing" --site x 2>&1)
rc=$?
set -e
assert_eq "$rc" 1 "exit code for a missing port"
assert_contains "$out" "cannot open $TEST_TMP/nothing"
set +e
out=$("$CALLBELL" device setup --port "$TTY" 2>&1)
rc=$?
set -e
assert_eq "$rc" 2 "exit code with nothing to set"
[ ! -e "$FLASH" ] || fail "a refused setup wrote the flash"

log "setup: new site, table 7 with call and bill buttons, Wi-Fi"
out=$("$CALLBELL" device setup --port "$TTY" --site "$NEW_SITE" --buttons 16=7:call,17=7:bill \
    --broker "$BROKER" --wifi-ssid 'Cafe Guest' --wifi-password hunter2222 --wifi-country gb 2>&1) ||
    fail "setup failed: $out"
assert_contains "$out" "6 settings saved on $TTY"
assert_contains "$out" "site=$NEW_SITE"
assert_contains "$out" "wifi_country=GB"
assert_contains "$out" "wifi_password=********"
case "$out" in *hunter2222*) fail "the password was echoed" ;; esac
wait_for "the table rebooted with the new site" "grep -q '^device sim-5 boot [0-9]* site $NEW_SITE ' '$T'"
grep -q '^button 2 (key b): table 7 bill$' "$T" || fail "button 2 is not table 7 bill after the reboot"
wait_for "connected again" "[ \$(grep -c '^connected' '$T') -ge 2 ]"

log "it uses them: key b is a bill on table 7 of the new site"
bg sub mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$NEW_SITE/table/7/press" -q 1 -C 1
S="$TEST_TMP/sub.log"
sleep 0.3 # the subscription is in place before the press
printf 'b' >&3
wait_for "the press at the broker" "grep -q '\"kind\":\"bill\"' '$S'"
wait_for "acked" "grep -q '^acked seq=1 table=7 kind=bill' '$T'"

log "kept across a restart (power off and on)"
kill "$TABLE_PID"
wait "$TABLE_PID" || true
start_table
wait_for "restarted with the saved settings" "[ \$(grep -c '^device sim-5 boot [0-9]* site $NEW_SITE ' '$T') -ge 2 ]"
grep -q '^settings: copy 0, sequence 1 (the other copy is empty or damaged)$' "$T" || fail "not loaded from copy 0"

log "a second save goes to the other copy; damage to it falls back to the first"
out=$("$CALLBELL" device setup --port "$TTY" --debounce-ms 45 2>&1) || fail "second setup failed: $out"
assert_contains "$out" "debounce_ms=45"
wait_for "loaded copy 1" "grep -q '^settings: copy 1, sequence 2$' '$T'"
kill "$TABLE_PID"
wait "$TABLE_PID" || true
# A power cut while copy 1 was being written: its second half still erased.
python3 - "$FLASH" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096 + 40)
    f.write(b"\xff" * 200)
PY
start_table
wait_for "fell back to copy 0" "grep -q '^settings: copy 0, sequence 1 (the other copy is empty or damaged)$' \
    <(tail -n +\$(grep -n '^settings: copy 1' '$T' | tail -1 | cut -d: -f1) '$T')"
out=$("$CALLBELL" device show --port "$TTY" 2>&1) || fail "show failed: $out"
assert_contains "$out" "debounce_ms=30"
assert_contains "$out" "site=$NEW_SITE"
assert_contains "$out" "settings=saved"
log "ok"
