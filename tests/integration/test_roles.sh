#!/usr/bin/env bash
# Who may do what, enforced by `callbell broker` from the site's registry (real
# Mosquitto, real credentials): anonymous clients are refused; the hub's client id
# cannot be taken with another credential (the hub keeps its session and every
# press); a device presses only for its own tables and cannot publish a command, a
# state or hub/status, nor clear a retained state; staff acknowledge; a display reads
# and cannot acknowledge; a removed device is refused at once. With the broker's ACL
# off, the hub's own registry check refuses the foreign press and says so.
source "$(dirname "$0")/lib.sh"
S=$CALLBELL_SITE
REG=$XDG_STATE_HOME/callbell/$S.users
pw() { sed -n 's/^password: //p' "$TEST_TMP/$1.add"; }
"$CALLBELL" device add dev3 --tables 3 >"$TEST_TMP/dev3.add" || fail "device add dev3"
"$CALLBELL" device add dev4 --tables 4 >"$TEST_TMP/dev4.add" || fail "device add dev4"
"$CALLBELL" staff add anna >"$TEST_TMP/anna.add" || fail "staff add"
"$CALLBELL" display add wall >"$TEST_TMP/wall.add" || fail "display add"
assert_contains "$(cat "$TEST_TMP/dev3.add")" "callbell device setup --port /dev/ttyACM0 --site $S --mqtt-user dev3 --mqtt-password $(pw dev3)"
# hashes only, private files (the packaged services' group reads them where it exists:
# test_registry_service_access)
private=600
getent group callbell >/dev/null && private=640
for f in "$REG" "$REG.hub"; do assert_eq "$(stat -c %a "$f")" "$private" "mode of $f"; done
grep -q "$(pw dev3)" "$REG" && fail "a plain password in the registry"
grep -q 'password = \$7\$' "$REG" || fail "no mosquitto hash in the registry"

PORT=$(free_port)
bg broker "$CALLBELL" broker --port "$PORT" --ws-port 0 --data-dir "$TEST_TMP/bdata"
wait_for "roles broker up" 'grep -q "users: the site.s registry" "$TEST_TMP/broker.log"'
assert_contains "$(cat "$TEST_TMP/broker.log")" "roles: 2 devices, 1 staff, 1 displays"
for f in passwd acl; do assert_eq "$(stat -c %a "$TEST_TMP/bdata/$f")" "$private" "mode of broker's $f"; done
URL() { echo "mqtt://$1:$(pw "$1")@127.0.0.1:$PORT"; }
export CALLBELL_BROKER="mqtt://127.0.0.1:$PORT"
# reads as the display (mqtt_get of lib.sh is anonymous)
mqtt_get() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -u wall -P "$(pw wall)" -t "$1" -C 1 -W 2 2>/dev/null || true; }
as() { # as USER mosquitto_pub args...
    local u=$1
    shift
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -u "$u" -P "$(pw "$u")" -q 1 "$@"
}

log "anonymous refused"
expect 1 "refused the connection" "$CALLBELL" press 3
mosquitto_pub -h 127.0.0.1 -p "$PORT" -t "callbell/$S/table/3/press" -m x 2>/dev/null && fail "anonymous publish accepted"

log "the hub with its own credential (beside the registry)"
start_hub --tables 1-4
grep -q "registry $REG: 2 devices" "$TEST_TMP/hub.log" || fail "hub did not read the registry"

log "session theft: the hub's client id with another credential"
expect 5 "not authorised" mosquitto_pub -h 127.0.0.1 -p "$PORT" -i "callbell-hub-$S" -u "callbell-hub-$S" -P wrong -t x -m y
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; }
stop_hub
for i in 1 2 3; do as dev3 -t "callbell/$S/table/3/press" -m "{\"v\":1,\"device\":\"dev3\",\"boot\":5,\"seq\":$i,\"kind\":\"call\",\"age_ms\":0}"; done
# anna asks for the hub's persistent session: the broker gives her her own ("anna")
stolen=$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -u anna -P "$(pw anna)" -i "callbell-hub-$S" -c -q 1 \
    -t "callbell/$S/hub/request" -W 2 2>/dev/null || true)
assert_eq "$stolen" "" "messages a thief got from the hub's session"
start_hub --tables 1-4
wait_for "the hub got all 3 queued presses" '[ "$(req_field 3 call count)" = 3 ]'
assert_eq "$(grep -c "connected to the broker as callbell-hub-$S" "$TEST_TMP/hub.log")" 2 "hub connections"

log "a device presses only for its tables"
"$CALLBELL" press 3 --broker "$(URL dev3)" >/dev/null || fail "dev3 pressing for table 3"
as dev3 -t "callbell/$S/table/4/press" -m '{"v":1,"device":"dev3","boot":5,"seq":9,"kind":"bill","age_ms":0}'
"$CALLBELL" press 2 --broker "$(URL dev4)" --wait 1 >"$TEST_TMP/p2.out" 2>&1 || fail "press 2 as dev4"
assert_contains "$(cat "$TEST_TMP/p2.out")" "the hub did not answer within 1 s"
assert_contains "$(cat "$TEST_TMP/p2.out")" "a broker that enforces roles drops a press for a table this credential, dev4"
assert_eq "$(state_field 4 status)" idle "table 4 after dev3's foreign press"
assert_eq "$(state_field 2 status)" idle "table 2 after dev4's foreign press"
grep -q "table 4\|table 2" "$TEST_TMP/hub.log" && fail "the hub saw a press the broker should have dropped"

log "a simulated table with dev3's credential: its id is its user; status, info, a press by key"
mkfifo "$TEST_TMP/keys"
exec 3<>"$TEST_TMP/keys"
"$CALLBELL" table --table 3 --broker "$(URL dev3)" <"$TEST_TMP/keys" >>"$TEST_TMP/table.log" 2>&1 &
PIDS+=("$!")
wait_for "dev3 online (retained, as dev3)" '[ "$(mqtt_get "callbell/$S/device/dev3/status")" = online ]'
wait_for "dev3's info" '[ -n "$(mqtt_get "callbell/$S/device/dev3/info")" ]'
before_count=$(req_field 3 bill count)
echo b >&3
wait_for "the table's bill press stored" '[ "$(req_field 3 bill count)" = "$((${before_count:-0} + 1))" ]'
grep -q "table 3: bill request .* by dev3" "$TEST_TMP/hub.log" || fail "hub did not log dev3's press"

log "device list: from the registry, the broker (as the site's admin) and the hub's database"
"$CALLBELL" device list --db "$TEST_TMP/hub.db" >"$TEST_TMP/list.out" || fail "device list"
grep -qE "^dev3 +3 +online +sim-[0-9.]+ .* s ago$" "$TEST_TMP/list.out" || fail "device list: $(cat "$TEST_TMP/list.out")"
grep -qE "^dev4 +4 +never .* -$" "$TEST_TMP/list.out" || fail "device list dev4: $(cat "$TEST_TMP/list.out")"
assert_eq "$(grep -c "connected to the broker as callbell-hub-$S" "$TEST_TMP/hub.log")" 2 "hub connections after list"

log "a device cannot publish cmd, state, hub/status nor clear a retained state"
before=$(state 3)
as dev3 -t "callbell/$S/table/3/cmd" -m '{"v":1,"action":"done","by":"guest"}'
as dev3 -t "callbell/$S/table/3/state" -r -n
as dev3 -t "callbell/$S/table/1/state" -r -n
as dev3 -t "callbell/$S/hub/status" -r -m offline
sleep 0.5
assert_eq "$(state 3)" "$before" "table 3's state after the device's attempts"
assert_eq "$(state_field 1 status)" idle "table 1's retained state"
assert_eq "$(mqtt_get "callbell/$S/hub/status")" online "hub/status"

log "staff acknowledge; a display reads and cannot"
expect 1 "not allowed? a broker that enforces roles drops commands from a credential that is not staff (wall)" \
    "$CALLBELL" ack 3 --by Wall --broker "$(URL wall)"
assert_eq "$(state_field 3 status)" calling "table 3 after the display's ack"
# a display may ask the hub what is open (a wall board's start-up view)
"$CALLBELL" calls --broker "$(URL wall)" | grep -qE '^3 +call ' || fail "the display could not ask the hub (calls)"
"$CALLBELL" ack 3 --by Anna --broker "$(URL anna)" >/dev/null || fail "staff ack"
assert_eq "$(state_field 3 acked_by)" Anna "acked by"

log "a removed device is refused at once, its retained status cleared"
as dev4 -t "callbell/$S/device/dev4/status" -r -m online
assert_eq "$(mqtt_get "callbell/$S/device/dev4/status")" online "dev4 status"
mosquitto_sub -h 127.0.0.1 -p "$PORT" -u dev4 -P "$(pw dev4)" -t "callbell/$S/hub/status" >"$TEST_TMP/dev4.sub" 2>&1 &
SUB=$!
PIDS+=("$SUB")
wait_for "dev4 subscribed" '[ -s "$TEST_TMP/dev4.sub" ]'
"$CALLBELL" device remove dev4 >"$TEST_TMP/remove.out" || fail "device remove: $(cat "$TEST_TMP/remove.out")"
wait_for "dev4's connection dropped" '! kill -0 $SUB 2>/dev/null' 5
expect 1 "refused the connection" "$CALLBELL" press 4 --broker "$(URL dev4)"
assert_eq "$(mqtt_get "callbell/$S/device/dev4/status")" "" "dev4's retained status"
grep -q "roles: 1 devices" "$TEST_TMP/broker.log" || fail "broker did not reload"
# the others stayed connected through the reload
assert_eq "$(grep -c "connected to the broker as callbell-hub-$S" "$TEST_TMP/hub.log")" 2 "hub connections after reload"

log "with the broker's ACL off, the hub's registry check refuses"
stop_hub
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
start_broker
bg hub2 "$CALLBELL" hub --db "$TEST_TMP/hub2.db" --tables 1-4
wait_for "hub2 online" '[ "$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$S/hub/status" -C 1 -W 2 2>/dev/null)" = online ]'
expect 1 "refused by the hub's registry check: device dev3 is registered for table(s) 3 only" \
    "$CALLBELL" press 4 --device dev3
expect 1 "device stranger is not registered" "$CALLBELL" press 3 --device stranger
"$CALLBELL" press 3 --device dev3 >/dev/null || fail "dev3 for table 3 on the open broker"
grep -q "press for table 4 refused by the hub's registry check" "$TEST_TMP/hub2.log" || fail "hub2 log"
echo ok
