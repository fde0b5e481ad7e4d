#!/usr/bin/env bash
# tests/faults/run.sh [--full] - the fault campaign (issue 14): what table devices
# sent against what the hub stored, fault by fault.
#
# `callbell broker` and `callbell hub` run in one network namespace, the devices
# (cb_faultdev: the firmware's engine, one process per device) in another, joined by a
# veth pair; loss and partitions are nftables drops in the devices' namespace (this
# kernel has no netem). Only addresses inside the two namespaces are used. Each fault
# is one row: the devices press with a boot number of their own while the fault
# happens, drain their outboxes, and the hub's events for that boot are compared with
# what the devices gave a seq:
#
#   fault  sent  stored  lost  duplicated  out_of_order  verdict
#
# out_of_order counts presses stored after a later press of the same device (reported,
# not judged; issue 14 §6). Every row needs 0 lost and 0 duplicated -- the broker
# kill -9 with the hub down too: a device keeps each press until the hub has stored it
# (its answer, docs/protocol.md "press reply") and sends it again after reconnecting,
# so a press the broker acknowledged and then lost comes back.
#
# Short form (the test command): 4 devices at 5 presses/s each, short faults, ~2 min.
# --full: 8 devices at 7.5 presses/s each (60/s), every row at least 30 s, hub kill -9
# x12, 30 s partition and loss, ~17,000 presses, about 6 minutes on 2 cores.
# Without root (no namespaces, no tmpfs) it runs on 127.0.0.1 and skips the partition,
# loss and disk-full rows, saying so. Everything it starts is stopped, the namespaces
# and the tmpfs removed, on any exit.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CALLBELL=${CALLBELL:-$ROOT/build/callbell}
FAULTDEV=${CB_FAULTDEV:-$ROOT/build/tests/faults/cb_faultdev}
FULL=0
case "${1:-}" in
--full) FULL=1 ;;
"") ;;
-h | --help)
    sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "usage: $0 [--full]" >&2
    exit 2
    ;;
esac
for tool in "$CALLBELL" "$FAULTDEV"; do
    [ -x "$tool" ] || { echo "faults: no $tool (cmake --build build)" >&2; exit 2; }
done
for cmd in mosquitto sqlite3 python3; do
    command -v "$cmd" >/dev/null || { echo "faults: $cmd not installed" >&2; exit 2; }
done

if [ $FULL = 1 ]; then
    DEVICES=8 INTERVAL_MS=133 KILLS=12 STOP_S=10 PARTITION_S=30 LOSS_S=30 DISKFULL_S=10 QUIET_S=20 MIN_ROW_S=30
else
    DEVICES=4 INTERVAL_MS=200 KILLS=3 STOP_S=3 PARTITION_S=5 LOSS_S=8 DISKFULL_S=3 QUIET_S=3 MIN_ROW_S=0
fi
DRAIN_S=60 # a device waits this long at most for the broker to take its outbox
SITE=faults$$
TMP=$(mktemp -d /tmp/callbell-faults.XXXXXX)
NS_SRV=cbf-srv-$$ NS_DEV=cbf-dev-$$ VETH_SRV=cbfs$$ VETH_DEV=cbfd$$
SRV_IP=10.77.14.1 DEV_IP=10.77.14.2
USE_NS=0 DISK=
BROKER_PID= MOSQ_PID= HUB_PID= DEV_PIDS=()

say() { echo "faults: $*" >&2; }

cleanup() {
    local p
    for p in "${DEV_PIDS[@]}" $HUB_PID $BROKER_PID; do kill "$p" 2>/dev/null; done
    for p in "${DEV_PIDS[@]}" $HUB_PID $BROKER_PID; do wait "$p" 2>/dev/null; done
    [ -n "$MOSQ_PID" ] && kill "$MOSQ_PID" 2>/dev/null
    if [ $USE_NS = 1 ]; then
        ip netns del "$NS_DEV" 2>/dev/null
        ip netns del "$NS_SRV" 2>/dev/null
    fi
    [ -n "$DISK" ] && { umount "$DISK" 2>/dev/null || umount -l "$DISK" 2>/dev/null; }
    if [ "${FAULTS_KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 3' INT TERM

# ---- the network: two namespaces and a veth pair, or loopback --------------------
setup_namespaces() {
    ip netns add "$NS_SRV" 2>/dev/null || return 1
    USE_NS=1
    ip netns add "$NS_DEV" &&
        ip link add "$VETH_SRV" type veth peer name "$VETH_DEV" &&
        ip link set "$VETH_SRV" netns "$NS_SRV" && ip link set "$VETH_DEV" netns "$NS_DEV" &&
        ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$VETH_SRV" && ip -n "$NS_DEV" addr add "$DEV_IP/24" dev "$VETH_DEV" &&
        ip -n "$NS_SRV" link set "$VETH_SRV" up && ip -n "$NS_DEV" link set "$VETH_DEV" up &&
        ip -n "$NS_SRV" link set lo up && ip -n "$NS_DEV" link set lo up || return 1
    # a device's connect attempt gives up after ~7 s rather than ~2 min in a partition
    ip netns exec "$NS_DEV" sysctl -qw net.ipv4.tcp_syn_retries=2
    command -v nft >/dev/null && ip netns exec "$NS_DEV" nft add table inet cbf
}
if [ "$(id -u)" = 0 ] && setup_namespaces; then
    HAVE_NFT=0
    ip netns exec "$NS_DEV" nft list table inet cbf >/dev/null 2>&1 && HAVE_NFT=1
    say "broker + hub in netns $NS_SRV ($SRV_IP), devices in netns $NS_DEV ($DEV_IP)"
    [ $HAVE_NFT = 1 ] || say "nftables missing: partition and loss rows skipped (apt-get install nftables)"
else
    [ $USE_NS = 1 ] && { say "cannot set up the veth pair"; exit 1; }
    SRV_IP=127.0.0.1 HAVE_NFT=0
    say "skipped: network namespaces (need root): broker, hub and devices share 127.0.0.1;" \
        "partition and loss rows not run"
fi
# command prefixes (not functions: a background function would be a subshell, and the
# pid the script kills must be the program's own; `ip netns exec` execs it)
SRV=() DEV=()
[ $USE_NS = 1 ] && SRV=(ip netns exec "$NS_SRV") DEV=(ip netns exec "$NS_DEV")
nft_dev() { ip netns exec "$NS_DEV" nft "$@"; }

# ---- the database: on a small tmpfs of its own when allowed (the disk-full row) ----
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/disk" && mount -t tmpfs -o size=64m tmpfs "$TMP/disk" 2>/dev/null; then
    DISK=$TMP/disk
    DB=$DISK/hub.db
else
    DB=$TMP/hub.db
    say "skipped: disk full (cannot mount a tmpfs)"
fi

# ---- broker and hub ------------------------------------------------------------------
if [ $USE_NS = 1 ]; then
    PORT=1883 # the namespace is ours alone
else
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
BROKER_URL=mqtt://$SRV_IP:$PORT
wait_until() { # seconds 'condition'
    local end=$((SECONDS + $1))
    until eval "$2"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}
start_broker() {
    "${SRV[@]}" "$CALLBELL" broker --port "$PORT" --ws-port 0 --bind "$SRV_IP" --data-dir "$TMP/broker" \
        >>"$TMP/broker.out" 2>&1 &
    BROKER_PID=$!
    wait_until 10 '[ -n "$(pgrep -P "$BROKER_PID" mosquitto)" ] && grep -q "^broker: " "$TMP/broker.out"' ||
        { say "broker did not start: $(tail -3 "$TMP/broker.out")"; exit 1; }
    MOSQ_PID=$(pgrep -P "$BROKER_PID" mosquitto)
}
stop_broker() { # signal
    if [ "$1" = KILL ]; then kill -KILL "$MOSQ_PID"; else kill -TERM "$BROKER_PID"; fi
    wait "$BROKER_PID" 2>/dev/null
    BROKER_PID= MOSQ_PID=
}
hub_status() { "${DEV[@]}" mosquitto_sub -h "$SRV_IP" -p "$PORT" -t "callbell/$SITE/hub/status" -C 1 -W 2 2>/dev/null; }
start_hub() {
    "${SRV[@]}" "$CALLBELL" hub --broker "$BROKER_URL" --site "$SITE" --db "$DB" --tables "1-$DEVICES" --quiet \
        >>"$TMP/hub.log" 2>&1 &
    HUB_PID=$!
}
stop_hub() { # signal
    kill -"$1" "$HUB_PID" 2>/dev/null
    wait "$HUB_PID" 2>/dev/null
    HUB_PID=
}
start_broker
start_hub
wait_until 15 '[ "$(hub_status)" = online ]' || { say "hub did not come online: $(tail -3 "$TMP/hub.log")"; exit 1; }

# ---- the faults: each runs while the devices press ------------------------------------
fault_none() { sleep "$QUIET_S"; }
fault_hub_kill() {
    for _ in $(seq "$KILLS"); do
        sleep 0.7
        stop_hub KILL
        start_hub
    done
}
fault_hub_stop() {
    sleep 1
    kill -STOP "$HUB_PID"
    sleep "$STOP_S"
    kill -CONT "$HUB_PID"
}
fault_broker_term() {
    sleep 1
    stop_broker TERM
    sleep 1
    start_broker
}
fault_broker_kill() {
    sleep 1
    stop_broker KILL
    sleep 1
    start_broker
}
fault_broker_kill_hub_stopped() {
    sleep 0.5
    stop_hub TERM
    sleep 2 # presses queue at the broker for the stopped hub
    stop_broker KILL
    sleep 1
    start_broker
    sleep 1
    start_hub
}
fault_partition() {
    sleep 1
    nft_dev add chain inet cbf part "{ type filter hook output priority 0; }"
    nft_dev add rule inet cbf part ip daddr "$SRV_IP" drop
    nft_dev add chain inet cbf partin "{ type filter hook input priority 0; }"
    nft_dev add rule inet cbf partin ip saddr "$SRV_IP" drop
    sleep "$PARTITION_S"
    nft_dev delete chain inet cbf part
    nft_dev delete chain inet cbf partin
}
fault_loss() {
    nft_dev add chain inet cbf lossout "{ type filter hook output priority 0; }"
    nft_dev add rule inet cbf lossout ip daddr "$SRV_IP" numgen random mod 100 '<' 30 drop
    nft_dev add chain inet cbf lossin "{ type filter hook input priority 0; }"
    nft_dev add rule inet cbf lossin ip saddr "$SRV_IP" numgen random mod 100 '<' 30 drop
    sleep "$LOSS_S"
    nft_dev delete chain inet cbf lossout
    nft_dev delete chain inet cbf lossin
}
fault_disk_full() { # until the hub's log outgrows the space it already has, then DISKFULL_S more
    sleep 1
    dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null
    wait_until 30 '[ "$(hub_status)" = degraded ]'
    hub_status >"$TMP/status-during-disk-full"
    sleep "$DISKFULL_S"
    rm -f "$DISK/filler"
}

# ---- one row ------------------------------------------------------------------------------
BOOT=0 FAILED=0 ROWS=0
printf '%-26s %7s %7s %5s %10s %12s  %s\n' fault sent stored lost duplicated out_of_order verdict
row() { # name fault-function: presses from before the fault until 2 s after it
    local name=$1 fn=$2 d presses
    BOOT=$((BOOT + 1))
    presses=$((120 * 1000 / INTERVAL_MS)) # at most 2 minutes of pressing
    DEV_PIDS=()
    for d in $(seq "$DEVICES"); do
        "${DEV[@]}" "$FAULTDEV" --broker "$BROKER_URL" --site "$SITE" --device "fd-$d" --boot "$BOOT" --table "$d" \
            --count "$presses" --interval-ms "$INTERVAL_MS" --drain-s "$DRAIN_S" --out "$TMP/sent-$BOOT-$d" \
            >"$TMP/dev-$BOOT-$d.log" 2>&1 &
        DEV_PIDS+=($!)
    done
    local row_start=$SECONDS
    "$fn"
    sleep 2
    while [ $((SECONDS - row_start)) -lt "$MIN_ROW_S" ]; do sleep 1; done
    for d in "${DEV_PIDS[@]}"; do kill -TERM "$d"; done # stop pressing, hand over the outbox
    for d in "${DEV_PIDS[@]}"; do wait "$d"; done
    DEV_PIDS=()
    [ -n "$HUB_PID" ] || start_hub
    # the hub stores what the broker holds for it: wait until the count stops moving
    local want got last=-1 still=0
    want=$(cat "$TMP"/sent-$BOOT-* 2>/dev/null | wc -l)
    for _ in $(seq 600); do
        got=$(sqlite3 "$DB" "select count(distinct who||'/'||seq) from events where boot=$BOOT and who like 'fd-%'" \
            2>/dev/null || echo "$last")
        [ "$got" -ge "$want" ] && break
        if [ "$got" = "$last" ]; then still=$((still + 1)); else still=0; fi
        [ $still -ge 50 ] && break # 5 s without progress
        last=$got
        sleep 0.1
    done
    sleep 0.3 # a duplicate would come right behind
    local line
    line=$(python3 - "$DB" "$BOOT" "$TMP" "$DEVICES" <<'PY'
import sqlite3, sys
db, boot, tmp, devices = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
sent = set()
for d in range(1, devices + 1):
    try:
        with open(f"{tmp}/sent-{boot}-{d}") as f:
            sent |= {(f"fd-{d}", int(x)) for x in f if x.strip()}
    except FileNotFoundError:
        pass
rows = sqlite3.connect(db).execute(
    "select who, seq from events where boot=? and who like 'fd-%' order by id", (boot,)).fetchall()
stored = set(rows)
top, late = {}, 0
for who, seq in rows:
    if seq < top.get(who, 0):
        late += 1
    top[who] = max(top.get(who, 0), seq)
print(len(sent), len(stored), len(sent - stored), len(rows) - len(stored), late)
PY
)
    local sent stored lost dup ooo verdict=ok
    read -r sent stored lost dup ooo <<<"$line"
    local undrained
    undrained=$(grep -L "pending 0$" "$TMP"/dev-$BOOT-*.log 2>/dev/null | wc -l)
    if [ "$lost" != 0 ] || [ "$dup" != 0 ] || [ "$undrained" != 0 ] || [ "$sent" = 0 ]; then verdict=FAIL; fi
    [ "$undrained" != 0 ] && verdict="$verdict ($undrained devices could not hand over their outbox)"
    [[ $verdict == FAIL* ]] && FAILED=$((FAILED + 1))
    ROWS=$((ROWS + 1))
    printf '%-26s %7s %7s %5s %10s %12s  %s\n' "$name" "$sent" "$stored" "$lost" "$dup" "$ooo" "$verdict"
}
skip_row() { printf '%-26s %7s %7s %5s %10s %12s  %s\n' "$1" - - - - - "skipped: $2"; }

START=$SECONDS
row "no fault" fault_none
row "hub kill -9 x$KILLS" fault_hub_kill
row "hub SIGSTOP ${STOP_S}s" fault_hub_stop
row "broker SIGTERM" fault_broker_term
row "broker kill -9, hub up" fault_broker_kill
row "broker kill -9, hub down" fault_broker_kill_hub_stopped
if [ $HAVE_NFT = 1 ]; then
    row "partition ${PARTITION_S}s" fault_partition
    row "30 % loss ${LOSS_S}s" fault_loss
else
    skip_row "partition" "needs network namespaces and nftables"
    skip_row "30 % loss" "needs network namespaces and nftables"
fi
if [ -n "$DISK" ]; then
    row "disk full ${DISKFULL_S}s" fault_disk_full
    [ "$(cat "$TMP/status-during-disk-full" 2>/dev/null)" = degraded ] ||
        { echo "disk full: hub/status was '$(cat "$TMP/status-during-disk-full" 2>/dev/null)', not degraded"; FAILED=$((FAILED + 1)); }
else
    skip_row "disk full" "needs root for a tmpfs"
fi
echo "faults: $ROWS rows in $((SECONDS - START)) s, $FAILED failed"
if [ $FAILED -gt 0 ]; then
    FAULTS_KEEP=1
    exit 1
fi
exit 0
