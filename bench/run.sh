#!/usr/bin/env bash
# bench/run.sh - the hub against the raw one-hop Mosquitto path, side by side; and
# the battery model of a table device, sleepy mode against always-on.
#
#   bench/run.sh                      # uses build/callbell
#   CALLBELL=/tmp/bench-build/callbell bench/run.sh
#
# Starts its own mosquitto on a free 127.0.0.1 port (temp config, no persistence),
# its own hubs on temp databases and a do-nothing relay (two hops without a hub, the
# floor for any hub), compiles bench/cb_bench.c, and prints each figure as
# `name: value unit`, then one PASS/FAIL line per target. Exits 0 when it measured
# (even if a target is missed), non-zero only when the bench itself broke.
# Everything it started is killed on exit. See docs/performance.md.
#
# Knobs (environment):
#   CALLBELL      callbell binary                 (default build/callbell)
#   BENCH_SYNC    hub --sync modes to measure, the first one is judged against the
#                 targets, the others are printed with a _sync_<mode> suffix
#                                                 (default "normal full": the hub's default first)
#   BENCH_DIR     where the temp dir goes (needs a real disk: fsync is measured)
#                                                 (default ${TMPDIR:-/tmp})
#   LAT_SAMPLES LAT_WARMUP LAT_RATE               (5000, 200, 500/s; p99 of 5000 samples is
#                                                 the 50th largest: steadier than of 2000)
#   TP_COUNT TP_TABLES                            (200000 presses over 100 tables: a large restaurant)
#   TP_BACKLOG    presses queued while the hub is stopped, then drained (100000; 0 = skip)
#   RSS_TABLES                                    (100000; 0 skips the RSS phase)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CALLBELL=${CALLBELL:-$ROOT/build/callbell}
BENCH_SYNC=${BENCH_SYNC:-"normal full"}
LAT_SAMPLES=${LAT_SAMPLES:-5000}
LAT_WARMUP=${LAT_WARMUP:-200}
LAT_RATE=${LAT_RATE:-500}
TP_COUNT=${TP_COUNT:-200000}
TP_TABLES=${TP_TABLES:-100}
TP_BACKLOG=${TP_BACKLOG:-100000}
RSS_TABLES=${RSS_TABLES:-100000}

die() { echo "bench: $*" >&2; exit 2; }
[ -x "$CALLBELL" ] || die "no callbell binary at $CALLBELL (set CALLBELL=...)"
command -v mosquitto >/dev/null || die "mosquitto not installed"
command -v sqlite3 >/dev/null || die "sqlite3 (CLI) not installed"
pkg-config --exists libmosquitto || die "libmosquitto-dev not installed"

TMP=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/callbell-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 3' INT TERM

# ---- build the measurement client --------------------------------------------
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -Werror -o "$TMP/cb_bench" "$ROOT/bench/cb_bench.c" $(pkg-config --cflags --libs libmosquitto) \
    || die "cannot compile bench/cb_bench.c"
B=$TMP/cb_bench

# ---- battery model: the device engine over a simulated service day -------------
# (no broker: bench/battery_model.c runs the core's sleepy-mode decisions and
# multiplies its awake and asleep time by published currents; see docs/firmware.md)
cc -O2 -std=c11 -Wall -Wextra -Werror -I"$ROOT/lib/include" -o "$TMP/battery_model" "$ROOT/bench/battery_model.c" \
    "$ROOT"/lib/src/*.c || die "cannot compile bench/battery_model.c"
"$TMP/battery_model" >"$TMP/battery" || die "the battery model did not deliver every press"
cat "$TMP/battery"
cd "$TMP" # nothing the bench writes lands anywhere else

# ---- broker ---------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then PORT=$p; break; fi
done
[ -n "$PORT" ] || die "no free port"
cat >"$TMP/mosquitto.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
max_queued_messages 1000000
max_inflight_messages 1000
set_tcp_nodelay true
persistence false
log_dest file $TMP/mosquitto.log
log_type error
log_type warning
EOF
mosquitto -c "$TMP/mosquitto.conf" >/dev/null 2>&1 &
BROKER_PID=$!
PIDS+=("$BROKER_PID")
for _ in $(seq 1 100); do port_free "$PORT" || break; sleep 0.05; done
port_free "$PORT" && die "mosquitto did not start (see $TMP/mosquitto.log)"
BROKER=mqtt://127.0.0.1:$PORT

# ---- helpers -----------------------------------------------------------------------
HUB_PID=
start_hub() { # site tables sync db
    "$CALLBELL" hub --broker "$BROKER" --site "$1" --db "$4" --tables "$2" --quiet --sync "$3" \
        >>"$TMP/hub-$1.log" 2>&1 &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
}
stop_hub() {
    kill "$HUB_PID" 2>/dev/null || true
    wait "$HUB_PID" 2>/dev/null || true
    HUB_PID=
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
val() { awk -v k="$1:" '$1 == k {print $2}' "$2"; } # figure from a result file
fmt() { awk "BEGIN {printf \"%.${2:-3}f\", $1}"; }
TCK=$(getconf CLK_TCK)
# committed DB WHERE -> "<rows> <events/s>": the hub's durable count of a stream, rows of
# its events table over the span of their timestamps
committed() {
    local n first last
    read -r n first last <<<"$(sqlite3 -separator ' ' "$1" "SELECT count(*), min(at), max(at) FROM events WHERE $2")"
    echo "$n $(awk -v n="$n" -v a="$first" -v b="$last" 'BEGIN {printf "%.0f", (b > a ? (n - 1) * 1000 / (b - a) : 0)}')"
}

# ---- per sync mode: latency and throughput -------------------------------------------
measure() { # sync suffix
    local sync=$1 sfx=$2 site="b${sync}$$" db="$TMP/hub-b${sync}$$.db" out="$TMP/res-$sync"
    local marker=$((TP_TABLES + 2))
    start_hub "$site" "1-$marker" "$sync" "$db"
    "$B" wait-states --port "$PORT" --site "$site" --tables "$marker" --timeout-s 30 --prefix startup_ >/dev/null \
        || die "hub (sync $sync) did not publish its tables (see $TMP/hub-$site.log)"

    # the relay: a second process that republishes each press unchanged -- two hops, no hub
    "$B" relay --port "$PORT" --site "${site}rel" >"$TMP/relay-$sync.out" 2>>"$TMP/bench.err" &
    local relay_pid=$!
    PIDS+=("$relay_pid")
    for _ in $(seq 1 100); do grep -q ready "$TMP/relay-$sync.out" && break; sleep 0.05; done
    "$B" latency --port "$PORT" --site "$site" --raw-site "${site}raw" --relay-site "${site}rel" --table 1 \
        --device bench-lat --samples "$LAT_SAMPLES" --warmup "$LAT_WARMUP" --rate "$LAT_RATE" >"$out" \
        2>>"$TMP/bench.err" || die "latency run failed (sync $sync)"
    kill "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true

    local hub_t0 broker_t0 hub_t1 broker_t1 n rate
    hub_t0=$(cpu_ticks "$HUB_PID")
    broker_t0=$(cpu_ticks "$BROKER_PID")
    "$B" throughput --port "$PORT" --site "$site" --device bench-tp --first 2 --tables "$TP_TABLES" \
        --count "$TP_COUNT" --timeout-s 150 --prefix live_ >>"$out" 2>>"$TMP/bench.err" \
        || die "throughput run failed (sync $sync)"
    hub_t1=$(cpu_ticks "$HUB_PID")
    broker_t1=$(cpu_ticks "$BROKER_PID")

    # each consumer alone on the same kind of stream: the broker feeds one subscriber
    # (the raw one on a site no hub serves, then the hub), so the figure is the
    # consumer's own rate, not the broker's split between two
    "$B" throughput --port "$PORT" --site "${site}alone" --device bench-alone --first 2 --tables "$TP_TABLES" \
        --count "$TP_COUNT" --no-hub --timeout-s 150 --prefix alone_ >>"$out" 2>>"$TMP/bench.err" \
        || die "raw-alone run failed (sync $sync)"
    "$B" throughput --port "$PORT" --site "$site" --device bench-alone --first 2 --tables "$TP_TABLES" \
        --count "$TP_COUNT" --no-raw --timeout-s 150 --prefix alone_ >>"$out" 2>>"$TMP/bench.err" \
        || die "hub-alone run failed (sync $sync)"
    stop_hub
    read -r n rate <<<"$(committed "$db" "who='bench-alone' AND seq <= $TP_COUNT")"
    {
        echo "alone_hub_events_committed: $n count"
        echo "alone_hub_events_per_s: $rate events/s"
    } >>"$out"

    # backlog: the same kind of stream queued by the broker while the hub is away (its
    # session is persistent), then drained by the restarted hub as fast as it can: the
    # hub's own capacity, without the publisher competing for the CPU
    # the raw subscriber of the same queued stream: a persistent session registered
    # before the flood and drained alone before the hub comes back
    if [ "$TP_BACKLOG" -gt 0 ]; then
        "$B" drain --register --port "$PORT" --site "$site" --client-id "rawq-$sync-$$" 2>>"$TMP/bench.err" \
            || die "cannot register the raw drain session"
        "$B" throughput --port "$PORT" --site "$site" --device bench-bl --first 2 --tables "$TP_TABLES" \
            --count "$TP_BACKLOG" --no-hub --no-raw --prefix backlog_ --timeout-s 150 >>"$out" 2>>"$TMP/bench.err" \
            || die "backlog flood failed (sync $sync)"
        # both consumers come back at once: the broker hands the same queued stream to
        # each, as fast as each takes it, on the same two cores
        "$B" drain --port "$PORT" --site "$site" --client-id "rawq-$sync-$$" --count "$TP_BACKLOG" \
            --prefix backlog_ --timeout-s 150 >"$TMP/drain-$sync" 2>>"$TMP/bench.err" &
        local drain_pid=$!
        start_hub "$site" "1-$marker" "$sync" "$db"
        local bl_t0 bl_n=0 deadline=$((SECONDS + 150))
        bl_t0=$(cpu_ticks "$HUB_PID")
        while [ "$bl_n" -lt "$TP_BACKLOG" ] && [ "$SECONDS" -lt "$deadline" ]; do
            sleep 0.2
            bl_n=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE who='bench-bl'" 2>/dev/null || echo 0)
        done
        local bl_cpu
        bl_cpu=$(cpu_ticks "$HUB_PID")
        stop_hub
        wait "$drain_pid" || die "raw drain failed (sync $sync)"
        cat "$TMP/drain-$sync" >>"$out"
        read -r n rate <<<"$(committed "$db" "who='bench-bl'")"
        {
            echo "hub_backlog_events_committed: $n count"
            echo "hub_backlog_events_per_s: $rate events/s"
            echo "hub_backlog_cpu_per_event: $(fmt "($bl_cpu - $bl_t0) * 1e6 / $TCK / $n" 1) us"
        } >>"$out"
    fi

    # the durable count: rows the hub committed to its events table for this stream
    local hub_rate
    read -r n hub_rate <<<"$(committed "$db" "who='bench-tp' AND seq <= $TP_COUNT")"
    {
        echo "live_hub_events_committed: $n count"
        echo "live_hub_events_per_s: $hub_rate events/s"
        echo "live_hub_cpu_per_event: $(fmt "($hub_t1 - $hub_t0) * 1e6 / $TCK / $n" 1) us"
        echo "live_broker_cpu_per_press: $(fmt "($broker_t1 - $broker_t0) * 1e6 / $TCK / $TP_COUNT" 1) us"
        # the judged figures: the live stream, hub and raw subscriber side by side
        echo "raw_events_per_s: $(val live_raw_events_per_s "$out") events/s"
        echo "hub_events_per_s: $hub_rate events/s"
        # the hub's capacity: the same queued stream drained by both at once
        echo "drain_raw_events_per_s: $(val backlog_raw_events_per_s "$out") events/s"
        echo "hub_capacity_events_per_s: $(val hub_backlog_events_per_s "$out") events/s"
        echo "drain_throughput_ratio: $(fmt "$(val hub_backlog_events_per_s "$out") / $(val backlog_raw_events_per_s "$out")" 3) x"
    } >>"$out"

    local names="raw_latency_p50 raw_latency_p90 raw_latency_p99 relay_latency_p50 relay_latency_p90 relay_latency_p99 hub_latency_p50 hub_latency_p90 hub_latency_p99 hub_latency_max raw_latency_lost
        hub_latency_lost live_publisher_rate live_raw_events_per_s live_hub_events_committed live_hub_events_per_s
        live_hub_states_per_s live_hub_end_to_end_events_per_s live_hub_drain_after_raw live_hub_cpu_per_event
        live_broker_cpu_per_press backlog_publisher_rate backlog_raw_received hub_backlog_events_committed
        hub_backlog_cpu_per_event raw_events_per_s hub_events_per_s drain_raw_events_per_s hub_capacity_events_per_s
        drain_throughput_ratio alone_raw_events_per_s alone_hub_events_per_s"
    local nm
    for nm in $names; do
        awk -v k="$nm:" -v s="$sfx" '$1 == k {sub(":", "", $1); print $1 s ": " $2 " " $3}' "$out"
    done
    local lr tr
    echo "latency_p50_ratio$sfx: $(fmt "$(val hub_latency_p50 "$out") / $(val raw_latency_p50 "$out")" 2) x"
    lr=$(fmt "$(val hub_latency_p99 "$out") / $(val raw_latency_p99 "$out")" 2)
    tr=$(fmt "$(val hub_events_per_s "$out") / $(val raw_events_per_s "$out")" 3)
    echo "latency_p99_ratio$sfx: $lr x"
    echo "two_hop_p99_ratio$sfx: $(fmt "$(val relay_latency_p99 "$out") / $(val raw_latency_p99 "$out")" 2) x"
    echo "hub_vs_relay_p99_ratio$sfx: $(fmt "$(val hub_latency_p99 "$out") / $(val relay_latency_p99 "$out")" 2) x"
    echo "throughput_ratio$sfx: $tr x"
    echo "alone_throughput_ratio$sfx: $(fmt "$(val alone_hub_events_per_s "$out") / $(val alone_raw_events_per_s "$out")" 3) x"
    echo "latency_p99_ratio: $lr" >"$TMP/ratios-$sync"
    echo "throughput_ratio: $tr" >>"$TMP/ratios-$sync"
    echo "alone_throughput_ratio: $(fmt "$(val alone_hub_events_per_s "$out") / $(val alone_raw_events_per_s "$out")" 3)" \
        >>"$TMP/ratios-$sync"
}

echo "# callbell bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
    "$(df -T "$TMP" | awk 'NR == 2 {print $2}') temp dir, mosquitto $(mosquitto -h 2>/dev/null | awk 'NR == 1 {print $3}')"
echo "# latency: $LAT_SAMPLES samples per path at $LAT_RATE/s after $LAT_WARMUP warm-up;" \
    "throughput: $TP_COUNT presses over $TP_TABLES tables"
PRIMARY=
for sync in $BENCH_SYNC; do
    if [ -z "$PRIMARY" ]; then PRIMARY=$sync; sfx=""; else sfx="_sync_$sync"; fi
    echo "# hub --sync $sync"
    measure "$sync" "$sfx"
done

# ---- RSS at RSS_TABLES tables -------------------------------------------------------
rss_phase() { # tables site -> prints "startup_rss loaded_rss hwm" in kB
    local tables=$1 site=$2 db="$TMP/hub-$2.db" load_tables=$(($1 - 1)) count
    count=$((tables > 2 ? load_tables : 100000))
    start_hub "$site" "1-$tables" "$PRIMARY" "$db"
    "$B" wait-states --port "$PORT" --site "$site" --tables "$tables" --timeout-s 120 >/dev/null \
        || die "hub with $tables tables did not publish them all"
    sleep 0.5 # the last PUBACKs
    local s
    s=$(status_kb "$HUB_PID" VmRSS)
    # load: presses on every table but the last (one call each; with 2 tables, 100000
    # presses on table 1), then a marker press on the last table
    "$B" throughput --port "$PORT" --site "$site" --device bench-rss --first 1 --tables "$load_tables" \
        --count "$count" --no-raw --timeout-s 120 >/dev/null 2>>"$TMP/bench.err" \
        || die "load on the $tables-table hub failed"
    sleep 0.5
    echo "$s $(status_kb "$HUB_PID" VmRSS) $(status_kb "$HUB_PID" VmHWM)"
    stop_hub
}
if [ "$RSS_TABLES" -gt 2 ]; then
    echo "# RSS: hub --tables 1-$RSS_TABLES vs --tables 1-2 (baseline), --sync $PRIMARY"
    read -r base_s base_l base_h <<<"$(rss_phase 2 "rbase$$")"
    read -r big_s big_l big_h <<<"$(rss_phase "$RSS_TABLES" "rbig$$")"
    echo "hub_rss_baseline_2_tables: $base_l kB"
    echo "hub_rss_startup: $big_s kB"
    echo "hub_rss_loaded: $big_l kB"
    echo "hub_rss_peak: $big_h kB"
    echo "hub_rss_per_table: $(fmt "$big_l * 1024 / $RSS_TABLES" 0) bytes"
    echo "hub_rss_per_table_net: $(fmt "($big_l - $base_l) * 1024 / ($RSS_TABLES - 2)" 0) bytes"
    echo "hub_rss_peak_per_table: $(fmt "$big_h * 1024 / $RSS_TABLES" 0) bytes"
fi

# ---- verdicts ------------------------------------------------------------------------------
verdict() { # name value op limit
    if ! [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        echo "SKIP $1: not measured in this run"
    elif awk "BEGIN {exit !($2 $3 $4)}"; then
        echo "PASS $1: $2 $3 $4"
    else
        echo "FAIL $1: $2 (target $3 $4)"
    fi
}
R=$TMP/res-$PRIMARY
echo "# targets, judged on --sync $PRIMARY: the live stream, hub and raw subscriber side by side"
verdict latency_p99_ratio "$(val latency_p99_ratio "$TMP/ratios-$PRIMARY")" "<=" 2.2
verdict hub_events_per_s "$(val hub_events_per_s "$R")" ">=" 20000
verdict throughput_ratio "$(val throughput_ratio "$TMP/ratios-$PRIMARY")" ">=" 0.9
if [ "$RSS_TABLES" -gt 2 ]; then
    verdict hub_rss_per_table "$(fmt "$big_l * 1024 / $RSS_TABLES" 0)" "<=" 256
fi
echo "# battery (a model with published currents, not a measurement): sleepy vs the always-on baseline"
verdict battery_days_sleepy "$(val battery_days_sleepy "$TMP/battery")" ">=" 90
echo "# (baseline) battery_days_connected: $(val battery_days_connected "$TMP/battery") days"
echo "# the throughput targets on the other streams (docs/performance.md)"
verdict alone_hub_events_per_s "$(val alone_hub_events_per_s "$R")" ">=" 20000
verdict alone_throughput_ratio "$(val alone_throughput_ratio "$TMP/ratios-$PRIMARY")" ">=" 0.9
verdict hub_capacity_events_per_s "$(val hub_capacity_events_per_s "$R")" ">=" 20000
verdict drain_throughput_ratio "$(val drain_throughput_ratio "$R")" ">=" 0.9
for sync in $BENCH_SYNC; do
    [ "$sync" = "$PRIMARY" ] && continue
    echo "# for comparison, --sync $sync"
    verdict "latency_p99_ratio_sync_$sync" "$(val latency_p99_ratio "$TMP/ratios-$sync")" "<=" 2.2
    verdict "hub_events_per_s_sync_$sync" "$(val hub_events_per_s "$TMP/res-$sync")" ">=" 20000
    verdict "throughput_ratio_sync_$sync" "$(val throughput_ratio "$TMP/ratios-$sync")" ">=" 0.9
done
if [ -s "$TMP/bench.err" ]; then sed 's/^/# note: /' "$TMP/bench.err" | sort | uniq -c | head -5; fi
exit 0
