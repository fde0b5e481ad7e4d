#!/usr/bin/env bash
# A hub that cannot finish a commit loses no press: the broker gets the PUBACK for a
# press only after the hub has committed it, so what the hub had read but not stored
# is delivered again to its persistent session. Two real failures, from a file-size
# limit (ulimit -f) that bites inside a WAL write:
#   killed   - SIGXFSZ kills the hub in the middle of the write (a crash);
#   db-error - SIGXFSZ ignored, the write fails (EFBIG); the hub rolls back, drops
#              its session without acknowledging the burst and stays up, degraded
#              (hub/status "degraded"), until it is stopped and started without the
#              limit. (test_hub_disk_full: the disk fills and empties again.)
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --quiet # creates the database
kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit code $?"

scenario() { # name trap-command expected-exit-status|degraded device
    local name=$1 trap_cmd=$2 want_rc=$3 dev=$4 N=150 rc=0 got
    # room for a few transactions beyond what is on disk now
    local limit_kb=$(($(stat -c %s "$TEST_TMP/hub.db") / 1024 + 48))
    bg "hub-$name" bash -c "$trap_cmd ulimit -f $limit_kb; exec \"$CALLBELL\" hub --db \"$TEST_TMP/hub.db\" --tables 1-4 --quiet"
    HUB_PID=$LAST_PID
    wait_for "hub online" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = online ]'
    # one at a time, so that every press is a transaction of its own (four or more WAL
    # frames, 16 KB): the log outgrows the limit within a few presses however the
    # hub batches. Each is acknowledged by the broker: accepted, never to be lost.
    for i in $(seq $N); do
        mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/3/press" \
            -m "{\"v\":1,\"device\":\"$dev\",\"boot\":9,\"seq\":$i,\"kind\":\"call\",\"age_ms\":0}"
    done
    if [ "$want_rc" = degraded ]; then
        wait_for "$name: the hub degraded at the limit" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = degraded ]' 20
        kill -0 "$HUB_PID" 2>/dev/null || fail "$name: the degraded hub exited"
        kill -TERM "$HUB_PID"
        want_rc=0
    fi
    wait_for "$name: the hub stopped" '! kill -0 "$HUB_PID" 2>/dev/null' 20
    wait "$HUB_PID" || rc=$?
    assert_eq "$rc" "$want_rc" "$name: hub exit status"
    got=$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where who='$dev'")
    log "$name: the hub stopped after committing $got of $N presses"
    [ "$got" -lt "$N" ] || fail "$name: the hub stored every press; the limit did not bite"
    wait_for "hub offline (its will)" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = offline ]'
    start_hub --tables 1-4 --quiet
    wait_for "$name: every press applied" '[ "$(sqlite3 "$TEST_TMP/hub.db" "select count(distinct seq) from events where who='"'$dev'"'")" = $N ]' 30
    assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events where who='$dev'")" "$N" "$name: events (each press once)"
    kill -TERM "$HUB_PID"
    wait "$HUB_PID" || fail "hub exit code $?"
}
scenario killed "" 153 crash-a          # 128 + SIGXFSZ
scenario db-error "trap '' XFSZ;" degraded crash-b
grep -q "cannot store: .*File too large\|cannot store: .*disk" "$TEST_TMP/hub-db-error.log" ||
    fail "the db-error hub did not log why it cannot store"
echo ok
