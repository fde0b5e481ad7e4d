#!/usr/bin/env bash
# `callbell broker` serves the web board through Debian's lighttpd: each file with its
# MIME type (a JavaScript one for the scripts and the service worker), no directory
# listing, WebSockets on the same port handed to Mosquitto; with --tls the page over
# https:// (HTTP/2 too) with the CA it made, and a client without that CA is refused.
# lighttpd killed -9 comes back; nothing is left running once the broker stops.
source "$(dirname "$0")/lib.sh"
if [ ! -x /usr/sbin/lighttpd ] && ! command -v lighttpd >/dev/null; then
    echo "skipped: lighttpd is not installed (scripts/install-deps.sh)"
    exit 77
fi
command -v curl >/dev/null || { echo "skipped: no curl"; exit 77; }

www=$TEST_TMP/www
mkdir -p "$www/sub"
printf '<!doctype html><title>board</title>\n' >"$www/index.html"
for f in app.js sw.js style.css board.webmanifest sub/secret.txt; do echo "/* $f */" >"$www/$f"; done

# get URL [curl options]: "<status> <content type>"
get() { local url=$1; shift; curl -sS -m 5 -o /dev/null -w '%{http_code} %{content_type}' "$@" "$url"; }
# upgrade URL [curl options]: the status line of a WebSocket upgrade for MQTT
upgrade() {
    local url=$1; shift
    { curl -s -i -m 2 --http1.1 "$@" -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
        -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" -H "Sec-WebSocket-Protocol: mqtt" "$url" || true; } |
        head -1 | tr -d '\r'
}
# children NAME: the broker's child process NAME ("" if none)
child() { pgrep -P "$BPID" -x "$1" || true; }

# ---- plain http -----------------------------------------------------------------
PORT=$(free_port); WS=$(free_port)
bg broker "$CALLBELL" broker --port "$PORT" --ws-port "$WS" --http-dir "$www" --data-dir "$TEST_TMP/plain"
BPID=$LAST_PID
wait_for "broker up" 'grep -q "^Ctrl-C stops it" "$TEST_TMP/broker.log"' 20
assert_contains "$(cat "$TEST_TMP/broker.log")" "web board: http://127.0.0.1:$WS/"
assert_contains "$(cat "$TEST_TMP/broker.log")" "web server: lighttpd"
B=http://127.0.0.1:$WS
assert_eq "$(get "$B/")" "200 text/html; charset=utf-8" "index"
assert_eq "$(get "$B/app.js")" "200 text/javascript; charset=utf-8" "app.js"
assert_eq "$(get "$B/sw.js")" "200 text/javascript; charset=utf-8" "sw.js"
assert_eq "$(get "$B/style.css")" "200 text/css; charset=utf-8" "style.css"
assert_eq "$(get "$B/board.webmanifest")" "200 application/manifest+json" "manifest"
assert_eq "$(get "$B/nope.js" | cut -d' ' -f1)" 404 "a missing file"
listing=$(curl -s -m 5 "$B/sub/")
case "$listing" in *secret.txt*) fail "a directory is listed: $listing" ;; esac
assert_eq "$(get "$B/sub/" | cut -d' ' -f1)" 403 "a directory without index.html"
curl -sI -m 5 "$B/app.js" | grep -qi '^cache-control: no-cache' || fail "no Cache-Control: no-cache"
# MQTT over WebSockets on the same port, answered by Mosquitto
assert_eq "$(upgrade "$B/")" "HTTP/1.1 101 Switching Protocols" "WebSocket upgrade"
conf=$TEST_TMP/plain/mosquitto.conf
grep -q http_dir "$conf" && fail "mosquitto still serves files: $(cat "$conf")"
grep -q "^listener $WS " "$conf" && fail "mosquitto listens on the public WebSockets port"
grep -q "^server.bind = \"127.0.0.1\"$" "$TEST_TMP/plain/lighttpd.conf" || fail "lighttpd not bound to --bind"

# killed: restarted, and the page is back
LPID=$(child lighttpd)
MPID=$(child mosquitto)
[ -n "$LPID" ] && [ -n "$MPID" ] || fail "lighttpd ($LPID) and mosquitto ($MPID) should be the broker's children"
kill -9 "$LPID"
wait_for "lighttpd restarted" 'grep -q "restarted lighttpd" "$TEST_TMP/broker.log"' 10
assert_contains "$(cat "$TEST_TMP/broker.log")" "lighttpd killed by signal 9"
wait_for "the page back" '[ "$(get "$B/app.js" 2>/dev/null)" = "200 text/javascript; charset=utf-8" ]' 10
NEW=$(child lighttpd)
[ -n "$NEW" ] && [ "$NEW" != "$LPID" ] || fail "no new lighttpd (was $LPID, now '$NEW')"
assert_eq "$(upgrade "$B/")" "HTTP/1.1 101 Switching Protocols" "WebSocket upgrade after the restart"
kill -INT "$BPID"
wait "$BPID" || true
for p in "$NEW" "$MPID"; do kill -0 "$p" 2>/dev/null && fail "process $p still running after the broker stopped"; done
curl -s -m 2 -o /dev/null "$B/" && fail "the page is still served after the broker stopped"

# ---- --tls: https:// ------------------------------------------------------------------
PORT=$(free_port); WS=$(free_port); TLS=$(free_port); WSS=$(free_port)
bg broker-tls "$CALLBELL" broker --tls --port "$PORT" --ws-port "$WS" --tls-port "$TLS" --wss-port "$WSS" \
    --http-dir "$www" --data-dir "$TEST_TMP/tls"
BPID=$LAST_PID
wait_for "TLS broker up" 'grep -q "^Ctrl-C stops it" "$TEST_TMP/broker-tls.log"' 20
assert_contains "$(cat "$TEST_TMP/broker-tls.log")" "web board over TLS: https://127.0.0.1:$WSS/"
CA=$TEST_TMP/tls/tls/ca.pem
S=https://localhost:$WSS
assert_eq "$(get "$S/" --cacert "$CA")" "200 text/html; charset=utf-8" "index over https"
assert_eq "$(get "$S/app.js" --cacert "$CA")" "200 text/javascript; charset=utf-8" "app.js over https"
assert_eq "$(get "$S/sw.js" --cacert "$CA")" "200 text/javascript; charset=utf-8" "sw.js over https"
# HTTP/2 by ALPN, what Chromium negotiates (Mosquitto's file server failed there)
assert_eq "$(curl -sS -m 5 -o /dev/null -w '%{http_version} %{http_code}' --http2 --cacert "$CA" "$S/app.js")" "2 200" \
    "HTTP/2"
# without the CA: curl refuses the certificate (60: peer certificate cannot be authenticated)
rc=0
curl -sS -m 5 -o /dev/null "$S/" 2>"$TEST_TMP/nocA.err" || rc=$?
assert_eq "$rc" 60 "curl without the CA"
assert_eq "$(upgrade "$S/" --cacert "$CA")" "HTTP/1.1 101 Switching Protocols" "WSS upgrade"
# the plain page is still there for the LAN
assert_eq "$(get "http://127.0.0.1:$WS/app.js")" "200 text/javascript; charset=utf-8" "app.js over http with --tls"
LPID=$(child lighttpd)
MPID=$(child mosquitto)
kill -INT "$BPID"
wait "$BPID" || true
for p in "$LPID" "$MPID"; do kill -0 "$p" 2>/dev/null && fail "process $p still running after the TLS broker stopped"; done
echo ok
