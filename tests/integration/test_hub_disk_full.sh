#!/usr/bin/env bash
# The hub on a disk that fills up, or on a read-only one, stays up: it acknowledges
# nothing it cannot store (the broker keeps it), says "degraded" on hub/status, and
# stores everything by itself once space or writes return -- no restart loop, no
# press lost or applied twice. The database lives on a small tmpfs of its own (root).
source "$(dirname "$0")/lib.sh"
DISK=$TEST_TMP/disk
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=8m tmpfs "$DISK" 2>/dev/null; then
    echo "skipped: cannot mount a tmpfs here (needs root)"
    exit 77
fi
# the hub goes first, then the tmpfs, then lib.sh's cleanup
unmount_then_cleanup() {
    local rc=$?
    set +e
    [ -n "${HUB_PID:-}" ] && { kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }
    umount "$DISK" 2>/dev/null || umount -l "$DISK" 2>/dev/null || true
    (exit $rc)
    cleanup
}
trap unmount_then_cleanup EXIT
start_broker
db=$DISK/hub.db
status() { mqtt_get "callbell/$CALLBELL_SITE/hub/status"; }
stored() { sqlite3 "$db" "select count(*) from events where who='$1'" 2>/dev/null || echo 0; }
press() { # device seq
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/$(($2 % 4 + 1))/press" \
        -m "{\"v\":1,\"device\":\"$1\",\"boot\":1,\"seq\":$2,\"kind\":\"call\",\"age_ms\":0}"
}
bg hub "$CALLBELL" hub --db "$db" --tables 1-4 --quiet
HUB_PID=$LAST_PID
wait_for "hub online" '[ "$(status)" = online ]'

# ---- full: presses one at a time (a commit each) until the hub cannot store
dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null || true # fills the tmpfs
N=400
for i in $(seq $N); do press full "$i" || fail "press $i not taken by the broker"; done
wait_for "hub degraded on the full disk" '[ "$(status)" = degraded ]' 20
got=$(stored full)
log "disk full: the hub stored $got of $N presses, then degraded"
[ "$got" -lt $N ] || fail "the disk never filled up"
sleep 3 # two of its retries
kill -0 "$HUB_PID" 2>/dev/null || fail "the hub exited on a full disk"
assert_eq "$(grep -c "site $CALLBELL_SITE: " "$TEST_TMP/hub.log")" 1 "hub starts (no restart loop)"
rm -f "$DISK/filler"
wait_for "hub online again" '[ "$(status)" = online ]' 20
wait_for "every press stored once space returned" '[ "$(stored full)" = $N ]' 30
assert_eq "$(sqlite3 "$db" "select count(distinct seq) from events where who='full'")" $N "distinct presses"

# ---- read-only at start: it says so and waits, without a restart loop. (A running
# hub's disk cannot be remounted read-only here: the kernel refuses while the hub has
# its files open for writing. A disk the kernel turns read-only on errors fails the
# hub's writes like a full one: the path above.)
kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit code $?"
mount -o remount,ro "$DISK"
bg hub-ro "$CALLBELL" hub --db "$db" --tables 1-4 --quiet
HUB_PID=$LAST_PID
wait_for "hub degraded at start on a read-only disk" '[ "$(status)" = degraded ]' 20
for i in $(seq 10); do press start "$i"; done
sleep 2.5
kill -0 "$HUB_PID" 2>/dev/null || fail "the hub exited on a read-only database"
assert_contains "$(cat "$TEST_TMP/hub-ro.log")" "cannot open the database" "read-only start log"
mount -o remount,rw "$DISK"
wait_for "hub online once writable" '[ "$(status)" = online ]' 20
wait_for "presses made while read-only stored" '[ "$(stored start)" = 10 ]' 30
assert_eq "$(sqlite3 "$db" "select count(*) from events")" $((N + 10)) "events, each press once"
kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit code $?"
HUB_PID=
echo ok
