# lib.sh - shared by the integration tests: a real broker on a free loopback port, the
# real `callbell` binary, and small assertions. Source it; it cleans up on exit.
#
# Environment: CALLBELL (path to the binary, set by ctest), TEST_TMP (made here),
# CALLBELL_TEST_BROKER: which broker start_broker starts, `mosquitto` (default),
# `aedes` (npm, tests/brokers: MQTT 3.1.1, sessions and retained messages in memory),
# `ejabberd` (Debian, mod_mqtt) or `rabbitmq` (Debian rabbitmq-server 3.10, its MQTT
# plugin: retained messages reach only exact-topic subscriptions); tests/CMakeLists.txt
# registers those two only with CALLBELL_TEST_EJABBERD=1 / CALLBELL_TEST_RABBITMQ=1.
# A part of a test that needs what only some brokers do asks
# `on_broker "mosquitto rabbitmq" "why"` (or `on_mosquitto "why"`) first and is
# skipped, saying so, on the others.
set -euo pipefail

CALLBELL=${CALLBELL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/callbell}
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "/tmp/callbell-${TEST_NAME}.XXXXXX")
export XDG_STATE_HOME="$TEST_TMP/state"
export CALLBELL_SITE=t$$
unset CALLBELL_BROKER
PIDS=()
BROKER_PID=

cleanup() {
    local rc=$?
    # first the boards a test runs in tmux: a broker may wait for its clients to leave
    tmux -L "cb-$TEST_NAME-$$" kill-server 2>/dev/null || true
    # CONT: a test may have frozen a process (kill -STOP), which would never die.
    # Children first: `bg` of a shell function (a broker's mosquitto_sub wrapper, a
    # command run as another user) records the subshell, not the program it started.
    for pid in "${PIDS[@]}" $BROKER_PID; do pkill -TERM -P "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}" $BROKER_PID; do kill "$pid" 2>/dev/null && kill -CONT "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}" $BROKER_PID; do wait "$pid" 2>/dev/null || true; done
    [ -z "$BROKER_PID" ] || gone "$BROKER_PID" # not our child under ejabberd's su
    stop_rabbitmq_epmd
    if [ $rc -ne 0 ]; then
        echo "--- $TEST_NAME failed (rc=$rc); logs in $TEST_TMP:" >&2
        for f in "$TEST_TMP"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }; done
    else
        rm -rf "$TEST_TMP"
    fi
    exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$TEST_NAME] $*" >&2; }

# A TCP port nobody listens on now (the kernel picks it).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

CALLBELL_TEST_BROKER=${CALLBELL_TEST_BROKER:-mosquitto}
case "$CALLBELL_TEST_BROKER" in
mosquitto | aedes | ejabberd | rabbitmq) ;;
*) fail "CALLBELL_TEST_BROKER='$CALLBELL_TEST_BROKER': want mosquitto, aedes, ejabberd or rabbitmq" ;;
esac
[ "$CALLBELL_TEST_BROKER" = mosquitto ] || log "broker: $CALLBELL_TEST_BROKER"

# on_broker "BROKERS" WHY: true on one of BROKERS; elsewhere says which part is
# skipped and why. on_mosquitto WHY: on_broker mosquitto WHY.
on_broker() {
    case " $1 " in *" $CALLBELL_TEST_BROKER "*) return 0 ;; esac
    log "skipped on $CALLBELL_TEST_BROKER: $2"
    return 1
}
on_mosquitto() { on_broker mosquitto "$1"; }

# start_broker [port]: the broker of CALLBELL_TEST_BROKER on 127.0.0.1; Mosquitto with
# persistence in TEST_TMP (aedes keeps everything in memory: a restart forgets it).
start_broker() {
    PORT=${1:-${PORT:-$(free_port)}}
    case "$CALLBELL_TEST_BROKER" in
    aedes) start_aedes ;;
    ejabberd) start_ejabberd ;;
    rabbitmq) start_rabbitmq ;;
    *) start_mosquitto ;;
    esac
    export BROKER="mqtt://${BROKER_USERINFO}127.0.0.1:$PORT"
    export CALLBELL_BROKER="$BROKER"
    wait_for "broker listening on $PORT" "(echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null" 30
}

start_aedes() {
    local brokers
    brokers=$(cd "$(dirname "${BASH_SOURCE[0]}")/../brokers" && pwd)
    command -v node >/dev/null || fail "node is missing (scripts/install-deps.sh installs it)"
    if [ ! -d "$brokers/node_modules/aedes" ]; then
        npm ci --prefix "$brokers" --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1 ||
            fail "npm ci in tests/brokers failed: $(tail -5 "$TEST_TMP/npm.log")"
    fi
    node "$brokers/aedes.mjs" "$PORT" >>"$TEST_TMP/broker.log" 2>&1 &
    BROKER_PID=$!
}

# ejabberd (Debian package, mod_mqtt) in the foreground as our child: a config of its
# own with one MQTT listener on 127.0.0.1:$PORT (never the stock listeners), spool and
# logs in TEST_TMP, Erlang distribution on a loopback port of its own (no epmd). It
# runs as user ejabberd (ejabberdctl su's to it), so TEST_TMP is opened to it. Its
# MQTT takes only clients with a user name and password (any, with anonymous
# login_anon): BROKER carries them, and mosquitto_pub/sub below add them.
start_ejabberd() {
    local dir="$TEST_TMP/ejabberd" node="callbell-test-$$" # one name: a restart finds its spool
    command -v ejabberdctl >/dev/null || fail "ejabberd is missing (apt-get install ejabberd)"
    EJABBERD_DIST_PORT=${EJABBERD_DIST_PORT:-$(free_port)}
    mkdir -p "$dir/spool" "$dir/logs"
    cat >"$dir/ejabberd.yml" <<CONF
hosts:
  - localhost
loglevel: info
log_rotate_count: 0
listen:
  -
    port: $PORT
    ip: "127.0.0.1"
    module: mod_mqtt
    backlog: 1000
modules:
  mod_mqtt:
    access_publish:
      "#":
        - allow: all
    access_subscribe:
      "#":
        - allow: all
    session_expiry: 86400
    max_queue: 100000
auth_method: [anonymous]
anonymous_protocol: both
CONF
    cat >"$dir/ejabberdctl.cfg" <<CONF
ERL_DIST_PORT=$EJABBERD_DIST_PORT
INET_DIST_INTERFACE=127.0.0.1
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EJABBERD_PID_PATH=$dir/ejabberd.pid
CONF
    chmod 711 "$TEST_TMP"
    chown -R ejabberd "$dir" 2>/dev/null || true
    (cd "$dir" && exec ejabberdctl --config-dir "$dir" --spool "$dir/spool" --logs "$dir/logs" \
        --node "$node@localhost" foreground >>"$TEST_TMP/broker.log" 2>&1) &
    # the Erlang VM under su: the one to stop (stopping ejabberdctl leaves it running)
    local vm=""
    for _ in $(seq 1 100); do
        vm=$(pgrep -f -- "-sname $node@localhost" | while read -r p; do
            [ "$(cat "/proc/$p/comm" 2>/dev/null)" = beam.smp ] && echo "$p"
        done | head -n 1) || true
        [ -n "$vm" ] && break
        sleep 0.1
    done
    [ -n "$vm" ] || fail "ejabberd did not start: $(tail -5 "$TEST_TMP/broker.log")"
    BROKER_PID=$vm
    BROKER_USERINFO="callbell:x@"
}
# RabbitMQ (Debian rabbitmq-server, its MQTT plugin) in the foreground as our child,
# as root: its AMQP and MQTT listeners, its Erlang distribution and an epmd of its own
# on loopback ports (never the stock 5672/1883/25672/4369), mnesia and logs in TEST_TMP.
start_rabbitmq() {
    local dir="$TEST_TMP/rabbitmq"
    [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || fail "rabbitmq-server is missing (apt-get install rabbitmq-server)"
    mkdir -p "$dir"
    RABBITMQ_PORTS=${RABBITMQ_PORTS:-"$(free_port) $(free_port) $(free_port)"} # amqp, distribution, epmd
    local amqp dist epmd
    read -r amqp dist epmd <<<"$RABBITMQ_PORTS"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp
mqtt.listeners.tcp.default = 127.0.0.1:$PORT
mqtt.allow_anonymous = true
loopback_users = none
log.console = true
log.file = false
CONF
    echo "[rabbitmq_mqtt]." >"$dir/enabled_plugins"
    (cd "$dir" && exec env HOME="$dir" RABBITMQ_NODENAME="callbell-test-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$amqp" RABBITMQ_DIST_PORT="$dist" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
        RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_PID_FILE="$dir/pid" \
        RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$epmd" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        /usr/lib/rabbitmq/bin/rabbitmq-server >>"$TEST_TMP/broker.log" 2>&1) &
    BROKER_PID=$!
    RABBITMQ_EPMD_PORT=$epmd
}
# the epmd RabbitMQ started on its own port: stopped with the test
stop_rabbitmq_epmd() {
    [ -n "${RABBITMQ_EPMD_PORT:-}" ] || return 0
    ERL_EPMD_PORT=$RABBITMQ_EPMD_PORT epmd -kill >/dev/null 2>&1 || true
}

BROKER_USERINFO="" # user:password@ that start_broker puts in BROKER (ejabberd)
mosquitto_pub() {
    if [ -n "$BROKER_USERINFO" ]; then command mosquitto_pub -u callbell -P x "$@"; else command mosquitto_pub "$@"; fi
}
mosquitto_sub() {
    if [ -n "$BROKER_USERINFO" ]; then command mosquitto_sub -u callbell -P x "$@"; else command mosquitto_sub "$@"; fi
}

start_mosquitto() {
    mkdir -p "$TEST_TMP/mosq"
    cat >"$TEST_TMP/mosquitto.conf" <<CONF
user $(id -un)
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $TEST_TMP/mosq/
max_queued_messages 100000
set_tcp_nodelay true
CONF
    mosquitto -c "$TEST_TMP/mosquitto.conf" >>"$TEST_TMP/broker.log" 2>&1 &
    BROKER_PID=$!
}

stop_broker() {
    kill "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
    gone "$BROKER_PID"
    BROKER_PID=
}

# gone PID: waits (up to 10 s) for a process that may not be our child to exit
gone() {
    local i
    for i in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
}

# bg NAME cmd...: run in background with output in $TEST_TMP/NAME.log; pid in LAST_PID.
bg() {
    local name=$1
    shift
    "$@" >>"$TEST_TMP/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

# wait_for DESCRIPTION 'shell condition' [seconds=10]
wait_for() {
    local what=$1 cond=$2 secs=${3:-10}
    local end=$((SECONDS + secs))
    while ! eval "$cond"; do
        [ $SECONDS -ge $end ] && fail "timed out after ${secs}s waiting for: $what"
        sleep 0.1
    done
}

# mqtt_get TOPIC: the retained payload of TOPIC now ("" if none).
mqtt_get() {
    mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "$1" -C 1 -W 2 2>/dev/null || true
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
# expect STATUS TEXT cmd...: cmd exits with STATUS and says TEXT on stderr
expect() {
    local want=$1 text=$2 rc=0
    shift 2
    "$@" >/dev/null 2>"$TEST_TMP/expect.stderr" || rc=$?
    [ "$rc" -eq "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$TEST_TMP/expect.stderr")"
    assert_contains "$(cat "$TEST_TMP/expect.stderr")" "$text" "stderr of '$*'"
}
assert_contains() { case "$1" in *"$2"*) ;; *) fail "${3:-output} should contain '$2'; got: $1" ;; esac; }

# json_get JSON PYTHON-EXPR: evaluates EXPR with `d` = the parsed JSON, prints result.
json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# start_hub [args...]: the hub on $BROKER with a db in TEST_TMP; waits for "online".
start_hub() {
    bg hub "$CALLBELL" hub --db "$TEST_TMP/hub.db" "$@"
    HUB_PID=$LAST_PID
    wait_for "hub online" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = online ]'
}

# state TABLE: the retained state JSON of TABLE.
state() { mqtt_get "callbell/$CALLBELL_SITE/table/$1/state"; }
# state_field TABLE FIELD: a top-level field, or else that field of the table's oldest
# open request ("" when it has none) -- most tests open one request a table.
state_field() { json_get "$(state "$1")" "d['$2'] if '$2' in d else (d['requests'][0]['$2'] if d['requests'] else '')"; }
# req_field TABLE KIND FIELD: FIELD of TABLE's open request of KIND ("" when none is open).
req_field() { json_get "$(state "$1")" "next((r['$3'] for r in d['requests'] if r['kind'] == '$2'), '')"; }
