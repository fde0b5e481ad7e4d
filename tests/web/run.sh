#!/usr/bin/env bash
# tests/web/run.sh - the web board's tests: protocol vectors (node) and Playwright
# end-to-end tests against a real `callbell broker` + `callbell hub` on loopback.
#
#   bash tests/web/run.sh            # from anywhere; CALLBELL_BIN defaults to build/callbell
#   bash tests/web/run.sh tests/web/tls.test.mjs   # only these test files
#
# Installs what is missing (Debian's chromium, the npm packages from web/package-lock.json),
# builds the page into tests/web/out/www (or takes $CALLBELL_WEB_DIR, the page CMake
# built), starts the broker (lighttpd serving that folder) and a hub with a
# temporary database on free 127.0.0.1 ports, runs `node --test tests/web/*.test.mjs`,
# and stops everything on exit. Screenshots and logs land in
# tests/web/out/ (gitignored). Exits non-zero when a test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

CALLBELL_BIN="${CALLBELL_BIN:-build/callbell}"
case "$CALLBELL_BIN" in /*) ;; */*) CALLBELL_BIN="$root/$CALLBELL_BIN" ;; esac
CB_SITE="${CB_SITE:-demo}"
out="$root/tests/web/out"

log() { printf 'web-tests: %s\n' "$*" >&2; }

# ---- what the tests need ------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs and npm"
  apt-get install -y nodejs npm >/dev/null || { apt-get update >/dev/null && apt-get install -y nodejs npm >/dev/null; }
fi
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium"
  apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
if [ ! -x /usr/sbin/lighttpd ] || [ ! -f /usr/lib/lighttpd/mod_openssl.so ]; then
  log "installing lighttpd (what serves the page; scripts/install-deps.sh turns its system service off)"
  apt-get install -y lighttpd lighttpd-mod-openssl >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y lighttpd lighttpd-mod-openssl >/dev/null; }
  systemctl stop lighttpd >/dev/null 2>&1 || true
  systemctl disable lighttpd >/dev/null 2>&1 || true
fi
if [ ! -f web/node_modules/mqtt/dist/mqtt.min.js ] || [ ! -f web/node_modules/uplot/dist/uPlot.iife.min.js ] || [ ! -d web/node_modules/playwright-core ]; then
  log "npm ci --prefix web"
  npm ci --prefix web --no-audit --no-fund >&2
fi
if [ ! -d tests/brokers/node_modules/aedes ] || [ ! -d tests/brokers/node_modules/ws ]; then
  log "npm ci --prefix tests/brokers (aedes, for startup.test.mjs)"
  npm ci --prefix tests/brokers --no-audit --no-fund >&2
fi
if [ ! -x "$CALLBELL_BIN" ]; then
  log "$CALLBELL_BIN not found: build the project first (cmake --build build) or set CALLBELL_BIN"
  exit 1
fi

# ---- page ------------------------------------------------------------------------
# The page as CMake built it (CALLBELL_WEB_DIR, e.g. build/web) when given, else built here.
rm -rf "$out"
mkdir -p "$out"
www="${CALLBELL_WEB_DIR:-}"
case "$www" in ''|/*) ;; *) www="$root/$www" ;; esac
if [ -n "$www" ] && [ -f "$www/index.html" ] && [ -f "$www/mqtt.min.js" ] && [ -f "$www/uPlot.iife.min.js" ]; then
  log "serving the board built in $www"
else
  if [ -n "$www" ]; then log "$www has no built board; building it here"; fi
  www="$out/www"
  node web/build.mjs "$www" >&2
fi

# ---- broker and hub on free loopback ports -------------------------------------------
tmp="$(mktemp -d /tmp/callbell-web.XXXXXX)"
pids=() # brokers and hubs, each in its own session (setsid)
cleanup() {
  rc=$?
  for pid in "${pids[@]}"; do
    # stop the whole group, children included
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  for _ in $(seq 1 $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "timed out waiting for $what"
  return 1
}
http_ok() { node -e '
  require("http").get(process.argv[1], (r) => { process.exit(r.statusCode === 200 ? 0 : 1); })
    .on("error", () => process.exit(1));' "$1"; }

# start_broker NAME MQTT_PORT WS_PORT [broker options...]: serves the page; returns once
# its web listener answers (log in $out/NAME.log)
start_broker() {
  local name="$1" port="$2" ws="$3"; shift 3
  mkdir -p "$tmp/$name"
  log "$name: MQTT 127.0.0.1:$port, WebSockets/HTTP 127.0.0.1:$ws"
  setsid "$CALLBELL_BIN" broker --port "$port" --ws-port "$ws" --http-dir "$www" \
    --data-dir "$tmp/$name" "$@" >"$out/$name.log" 2>&1 &
  pids+=("$!")
  if ! wait_for 15 "the $name's web listener" http_ok "http://127.0.0.1:$ws/index.html"; then
    cat "$out/$name.log" >&2
    exit 1
  fi
}
# start_hub NAME BROKER_URL: a hub for tables 1-4 with $tmp/NAME.db; its pid in hub_pid
start_hub() {
  setsid "$CALLBELL_BIN" hub --broker "$2" --db "$tmp/$1.db" --tables 1-4 --site "$CB_SITE" >"$out/$1.log" 2>&1 &
  hub_pid=$!
  pids+=("$hub_pid")
}

mqtt_port="$(free_port)"
ws_port="$(free_port)"
while [ "$ws_port" = "$mqtt_port" ]; do ws_port="$(free_port)"; done
start_broker broker "$mqtt_port" "$ws_port"

# a second broker that lets in only the users of a password file, with its own hub
auth_mqtt_port="$(free_port)"
auth_ws_port="$(free_port)"
mosquitto_passwd -c -b "$tmp/users" staff 'night shift' >/dev/null
start_broker auth-broker "$auth_mqtt_port" "$auth_ws_port" --password-file "$tmp/users"
start_hub auth-hub "mqtt://staff:night%20shift@127.0.0.1:$auth_mqtt_port"
export CB_AUTH_BOARD_URL="http://127.0.0.1:$auth_ws_port/" CB_AUTH_USER=staff CB_AUTH_PASS='night shift'

# a third broker that enforces the site's roles (README "Who may do what"): a staff
# and a display credential, a device for table 1, and a hub with its own credential
roles_mqtt_port="$(free_port)"
roles_ws_port="$(free_port)"
export CALLBELL_REGISTRY="$tmp/roles.users"
"$CALLBELL_BIN" staff add anna --site "$CB_SITE" >"$tmp/anna.add"
"$CALLBELL_BIN" display add wall --site "$CB_SITE" >"$tmp/wall.add"
"$CALLBELL_BIN" device add dev1 --tables 1 --site "$CB_SITE" >"$tmp/dev1.add"
pw() { sed -n 's/^password: //p' "$tmp/$1.add"; }
start_broker roles-broker "$roles_mqtt_port" "$roles_ws_port" --site "$CB_SITE"
start_hub roles-hub "mqtt://127.0.0.1:$roles_mqtt_port"
unset CALLBELL_REGISTRY
export CB_ROLES_BOARD_URL="http://127.0.0.1:$roles_ws_port/" CB_ROLES_STAFF_PASS="$(pw anna)"
export CB_ROLES_DISPLAY_PASS="$(pw wall)" CB_ROLES_DEVICE_URL="mqtt://dev1:$(pw dev1)@127.0.0.1:$roles_mqtt_port"

# a fourth: `callbell broker --tls` with its own CA: the page over https:// and its
# MQTT over WSS, both on the --wss-port (lighttpd, relaying WebSockets to Mosquitto)
tls_ws_port="$(free_port)"; tls_port="$(free_port)"; wss_port="$(free_port)"
start_broker tls-broker "$(free_port)" "$tls_ws_port" --tls --tls-port "$tls_port" --wss-port "$wss_port"
CALLBELL_CA_FILE="$tmp/tls-broker/tls/ca.pem" start_hub tls-hub "mqtts://localhost:$tls_port"
export CB_TLS_BOARD_URL="https://localhost:$wss_port/"
export CB_TLS_MQTT_URL="mqtts://localhost:$tls_port" CB_TLS_CA="$tmp/tls-broker/tls/ca.pem"
# Chromium trusts the broker's CA as a phone would: in the NSS store of a home of its own
export CB_TLS_HOME="$tmp/chromium-home"
mkdir -p "$CB_TLS_HOME/.pki/nssdb"
certutil -N -d "sql:$CB_TLS_HOME/.pki/nssdb" --empty-password
certutil -A -d "sql:$CB_TLS_HOME/.pki/nssdb" -t "C,," -n "callbell local CA" -i "$tmp/tls-broker/tls/ca.pem"

start_hub hub "mqtt://127.0.0.1:$mqtt_port" # last: its pid is the one the board tests stop
hub_db="$tmp/hub.db"

export CALLBELL_BIN CB_SITE
export CB_MQTT_URL="mqtt://127.0.0.1:$mqtt_port"
export CB_BOARD_URL="http://127.0.0.1:$ws_port/"
export CB_HUB_PID="$hub_pid"
export CB_HUB_DB="$hub_db"
export CB_TABLES="1-4"
export CB_OUT="$out"

# arguments: only these test files (e.g. tests/web/tls.test.mjs); all of them by default
if [ $# -gt 0 ]; then tests=("$@"); else tests=(tests/web/*.test.mjs); fi
log "running node --test ${tests[*]}"
set +e
node --test "${tests[@]}"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  log "FAILED (rc=$rc); logs: $out/broker.log $out/hub.log"
  tail -n 30 "$out/hub.log" >&2 || true
fi
log "screenshots: $(cd "$out" && ls -1 ./*.png 2>/dev/null | tr '\n' ' ')"
exit "$rc"
