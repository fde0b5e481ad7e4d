#!/usr/bin/env bash
# Every command has --help; bad usage exits 2 and says what is wrong; an unreachable
# broker exits 1 and names it.
source "$(dirname "$0")/lib.sh"
for c in demo broker hub board table press ack done calls stats; do
    out=$("$CALLBELL" $c --help) || fail "$c --help failed"
    assert_contains "$out" "usage: callbell $c"
done
"$CALLBELL" --help | grep -q "commands:" || fail "top-level help"
expect 2 "unknown command 'frobnicate'" "$CALLBELL" frobnicate
expect 2 "bad broker URL 'http://x'" "$CALLBELL" press 1 --broker http://x
expect 2 "port must be 1-65535" "$CALLBELL" press 1 --broker mqtt://127.0.0.1:99999
expect 2 "bad --site 'Big Site'" "$CALLBELL" calls --site "Big Site"
expect 2 "bad --kind 'beer'" "$CALLBELL" press 1 --kind beer
expect 2 "bad --name ' Ana': 1-32 bytes of UTF-8" "$CALLBELL" board --name " Ana"
expect 2 "bad table 'T 1'" "$CALLBELL" press "T 1"
expect 2 "which table?" "$CALLBELL" press
expect 2 "bad table list" "$CALLBELL" hub --tables "1-4,,x" --db "$TEST_TMP/x.db" --broker mqtt://127.0.0.1:1
expect 2 "bad --sync 'maybe'" "$CALLBELL" hub --sync maybe
port=$(free_port)
expect 1 "cannot reach broker mqtt://127.0.0.1:$port" "$CALLBELL" press 1 --broker "mqtt://127.0.0.1:$port"
expect 1 "cannot reach broker" "$CALLBELL" calls --broker "mqtt://127.0.0.1:$port"
expect 1 "cannot reach broker" "$CALLBELL" ack 1 --broker "mqtt://127.0.0.1:$port"
CALLBELL_BROKER="mqtt://127.0.0.1:$port" expect 1 "cannot reach broker mqtt://127.0.0.1:$port" "$CALLBELL" stats
expect 2 "bad %XX escape" "$CALLBELL" press 1 --broker "mqtt://u:50%off@127.0.0.1:$port"
expect 1 "user name is not valid UTF-8" "$CALLBELL" press 1 --broker "mqtt://%FF:x@127.0.0.1:$port"
# the hub does not give up on an unreachable broker: it keeps retrying
bg hub "$CALLBELL" hub --db "$TEST_TMP/hub.db" --broker "mqtt://127.0.0.1:$port"
wait_for "hub retry log" 'grep -q "retrying in" "$TEST_TMP/hub.log"'
kill -0 "$LAST_PID" || fail "hub should keep running"
# one hub per database file
expect 1 "database $TEST_TMP/hub.db is in use by another hub (pid $LAST_PID)" \
    "$CALLBELL" hub --db "$TEST_TMP/hub.db" --broker "mqtt://127.0.0.1:$port"
kill "$LAST_PID"
wait "$LAST_PID" || true
# a database of another site is refused
expect 1 "belongs to site" "$CALLBELL" hub --site other --db "$TEST_TMP/hub.db" --broker "mqtt://127.0.0.1:$port"
echo ok
