#!/usr/bin/env bash
# Bad input to the site's roles gets a clear error naming the problem: `device add`
# with a bad id, an unknown table (the site file's tables), no --tables, a duplicate;
# a damaged registry (a hash that is not one, an unknown section, a stray line) stops
# `callbell broker` and the hub before they start, naming the line, and a registry
# damaged while the broker runs keeps the roles read before.
source "$(dirname "$0")/lib.sh"
S=$CALLBELL_SITE
cat >"$TEST_TMP/$S.conf" <<CONF
[site]
id = $S
[tables]
3 = Booth
4 = Window
CONF
export CALLBELL_CONFIG=$TEST_TMP/$S.conf
REG=$TEST_TMP/$S.users # beside the site file
expect 2 "bad device id 'Dev-3': use 1-32 characters of a-z 0-9 _ -" "$CALLBELL" device add Dev-3 --tables 3
expect 2 "bad device id 'callbell-hub-x'" "$CALLBELL" device add callbell-hub-x --tables 3
expect 2 "unknown table '9': $TEST_TMP/$S.conf's tables are 3, 4" "$CALLBELL" device add d1 --tables 3,9
expect 2 "bad --tables '3,': want table ids like 3,4" "$CALLBELL" device add d1 --tables 3,
expect 2 "which tables does device d1 press for? e.g. --tables 3,4" "$CALLBELL" device add d1
expect 2 "which device?" "$CALLBELL" device add
"$CALLBELL" device add d1 --tables 3,4 >/dev/null || fail "device add d1"
[ -f "$REG" ] || fail "registry not beside the site file"
expect 1 "device 'd1' is already registered for tables 3,4" "$CALLBELL" device add d1 --tables 3
expect 1 "device 'd1' is already registered" "$CALLBELL" staff add d1
expect 1 "no staff 'bo' in $REG" "$CALLBELL" staff remove bo
"$CALLBELL" device list | grep -q "^d1  *3,4 " || fail "device list: $("$CALLBELL" device list 2>&1)"
# six at once: none is lost (a lock around read-modify-write)
for i in 1 2 3 4 5 6; do "$CALLBELL" staff add "s$i" >/dev/null & done
wait
assert_eq "$("$CALLBELL" staff list | grep -c '^s[1-6]$')" 6 "staff added at once"

PORT=$(free_port)
bg broker "$CALLBELL" broker --port "$PORT" --ws-port 0 --data-dir "$TEST_TMP/bdata"
BPID=$LAST_PID
wait_for "broker up" 'grep -q "roles: 1 devices, 6 staff" "$TEST_TMP/broker.log"'
# damaged while it runs: it says so and keeps the roles it has
cp "$REG" "$TEST_TMP/good.users"
sed -i 's/^password = \$7\$101\$\(.*\)/password = \$7\$101\$\1!/' "$REG"
wait_for "broker complains" 'grep -q "keeping the roles read before" "$TEST_TMP/broker.log"'
assert_contains "$(cat "$TEST_TMP/broker.log")" "not a mosquitto_passwd hash"
kill -0 "$BPID" || fail "broker died on a damaged registry"
kill -INT "$BPID"
wait "$BPID" || true

# damaged before a start: nothing starts, the line is named
line=$(grep -n '^password' "$REG" | sed -n 1p | cut -d: -f1)
expect 2 "$REG:$line: [hub] password: not a mosquitto_passwd hash" \
    "$CALLBELL" broker --port "$(free_port)" --ws-port 0 --data-dir "$TEST_TMP/b2"
expect 1 "$REG:$line: [hub] password" "$CALLBELL" hub --db "$TEST_TMP/hub.db"
expect 1 "$REG:$line:" "$CALLBELL" device add d2 --tables 3
cp "$TEST_TMP/good.users" "$REG"
echo "[kitchen printer]" >>"$REG"
echo "password = x" >>"$REG"
expect 2 "unknown section (want [hub], [admin], [device ID], [staff ID] or [display ID])" \
    "$CALLBELL" broker --port "$(free_port)" --ws-port 0 --data-dir "$TEST_TMP/b3"
cp "$TEST_TMP/good.users" "$REG"
echo "garbage" >>"$REG"
expect 2 "not a [section] or a key = value line; the file is damaged" \
    "$CALLBELL" broker --port "$(free_port)" --ws-port 0 --data-dir "$TEST_TMP/b4"
echo ok
