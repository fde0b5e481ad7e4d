#!/usr/bin/env bash
# The hub's write-ahead log stays small however long it runs: 5,000 presses, each
# acknowledged by the broker before the next is sent (so most are a commit of their
# own, ~4 KB of log each: 20 MB if nothing were ever checkpointed), leave a log of a
# few MB at most, cut back to 1 MB once the hub has had a quiet moment, and a database
# that holds every press.
source "$(dirname "$0")/lib.sh"
N=5000
# shellcheck disable=SC2046
cc -O2 -o "$TEST_TMP/cb_bench" "$(dirname "$0")/../../bench/cb_bench.c" $(pkg-config --cflags --libs libmosquitto) \
    || fail "cannot compile bench/cb_bench.c"
start_broker
start_hub --tables 1-60 --quiet
db=$TEST_TMP/hub.db
wal_bytes() { stat -c %s "$db-wal"; }
"$TEST_TMP/cb_bench" throughput --port "$PORT" --site "$CALLBELL_SITE" --device wal-test --tables 50 --count $N \
    --window 1 --no-raw --timeout-s 90 >"$TEST_TMP/bench.log" || fail "the burst did not complete: $(cat "$TEST_TMP/bench.log")"
stored() { sqlite3 "$db" "select count(*) from events where who='wal-test'"; }
wait_for "every press stored" '[ "$(stored)" -gt $N ]' 30 # and the marker press
log "after $N presses: WAL $(wal_bytes) B, database $(stat -c %s "$db") B"
[ "$(wal_bytes)" -lt $((6 * 1024 * 1024)) ] || fail "WAL is $(wal_bytes) B after $N presses"
# a quiet moment, then a press: the log starts again and its file is cut back
sleep 1.5
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/1/press" \
    -m '{"v":1,"device":"wal-late","boot":1,"seq":1,"kind":"water","age_ms":0}'
wait_for "the late press stored" '[ "$(sqlite3 "$db" "select count(*) from events where who='"'wal-late'"'")" = 1 ]'
log "after a quiet moment: WAL $(wal_bytes) B"
[ "$(wal_bytes)" -le $((1024 * 1024 + 64 * 1024)) ] || fail "WAL not cut back: $(wal_bytes) B"
assert_eq "$(sqlite3 "$db" "select count(distinct seq) from events where who='wal-test'")" $((N + 1)) "presses stored"
echo ok
