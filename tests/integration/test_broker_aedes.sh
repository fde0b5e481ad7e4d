#!/usr/bin/env bash
# A broker that speaks only MQTT 3.1.1 (aedes, npm, started here on loopback): with
# --mqtt auto (the default) every command falls back from 5 to 3.1.1; the hub serves
# (retained states, presses held while it is down) and a second hub is refused.
# --mqtt 5 says the broker refused it.
source "$(dirname "$0")/lib.sh"
brokers=$(cd "$(dirname "$0")/../brokers" && pwd)
command -v node >/dev/null || fail "node is missing (scripts/install-deps.sh installs it)"
if [ ! -d "$brokers/node_modules/aedes" ]; then
    npm ci --prefix "$brokers" --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1 ||
        fail "npm ci in tests/brokers failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
PORT=$(free_port)
bg aedes node "$brokers/aedes.mjs" "$PORT"
export BROKER="mqtt://127.0.0.1:$PORT" CALLBELL_BROKER="mqtt://127.0.0.1:$PORT"
wait_for "aedes listening" 'grep -q "aedes listening on $PORT" "$TEST_TMP/aedes.log"'

start_hub --tables 1-4
assert_contains "$(cat "$TEST_TMP/hub.log")" "using MQTT 3.1.1 with mqtt://127.0.0.1:$PORT"
grep -q "client callbell-hub-$CALLBELL_SITE level 4" "$TEST_TMP/aedes.log" || fail "hub not on MQTT 3.1.1"
"$CALLBELL" press 2 >/dev/null
wait_for "table 2 calling" '[ "$(state_field 2 status)" = calling ]'

expect 1 "site $CALLBELL_SITE already has an active hub: pid $HUB_PID" \
    "$CALLBELL" hub --db "$TEST_TMP/second.db" --tables 1-4
kill -0 "$HUB_PID" || fail "the first hub stopped"

# a press while the hub is stopped waits in its session (aedes keeps it in memory)
kill "$HUB_PID"
wait "$HUB_PID" || true
"$CALLBELL" press 3 >/dev/null
start_hub --tables 1-4
wait_for "press made while the hub was stopped" '[ "$(state_field 3 status)" = calling ]'
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")" 2 "events stored"

expect 1 "refused the connection: Unsupported Protocol Version" "$CALLBELL" press 1 --mqtt 5
echo ok
