#!/usr/bin/env bash
# `callbell broker --tls`: a local CA and a server certificate for this machine's names
# (made once, reused), MQTT over TLS: the hub, a press, an ack and `calls` connect with
# the generated CA and the site's credentials; a client that does not trust the CA
# fails with the clear message; the plain port then listens on 127.0.0.1 only.
source "$(dirname "$0")/lib.sh"
S=$CALLBELL_SITE
pw() { sed -n 's/^password: //p' "$TEST_TMP/$1.add"; }
"$CALLBELL" device add dev2 --tables 2 >"$TEST_TMP/dev2.add"
"$CALLBELL" staff add anna >"$TEST_TMP/anna.add"
PORT=$(free_port); WS=$(free_port); TLS=$(free_port); WSS=$(free_port)
start() {
    bg broker "$CALLBELL" broker --tls --port "$PORT" --ws-port "$WS" --tls-port "$TLS" --wss-port "$WSS" \
        --bind 0.0.0.0 --data-dir "$TEST_TMP/bdata"
    BPID=$LAST_PID
    wait_for "TLS broker up" 'grep -q "mqtts: mqtts://127.0.0.1:$TLS" "$TEST_TMP/broker.log"' 20
}
start
CA=$TEST_TMP/bdata/tls/ca.pem
assert_contains "$(cat "$TEST_TMP/broker.log")" "for DNS:localhost,IP:127.0.0.1,IP:::1"
assert_eq "$(stat -c %a "$TEST_TMP/bdata/tls/server.key")" 600 "server key mode"
assert_eq "$(stat -c %a "$TEST_TMP/bdata/tls/ca.key")" 600 "CA key mode"
grep -q "^listener $PORT 127.0.0.1$" "$TEST_TMP/bdata/mosquitto.conf" || fail "plain listener not local-only"
openssl verify -CAfile "$CA" "$TEST_TMP/bdata/tls/server.pem" >/dev/null || fail "server cert not signed by the CA"
openssl x509 -in "$TEST_TMP/bdata/tls/server.pem" -noout -ext subjectAltName | grep -q "IP Address:127.0.0.1" ||
    fail "no 127.0.0.1 in the certificate"

export CALLBELL_CA_FILE=$CA
URL() { echo "mqtts://$1:$(pw "$1")@localhost:$TLS"; }
bg hub "$CALLBELL" hub --db "$TEST_TMP/hub.db" --tables 1-4 --broker "mqtts://localhost:$TLS"
sub() { mosquitto_sub -h localhost -p "$TLS" --cafile "$CA" -u anna -P "$(pw anna)" -t "$1" -C 1 -W 3 2>/dev/null || true; }
wait_for "hub online over TLS" '[ "$(sub "callbell/$S/hub/status")" = online ]' 15
"$CALLBELL" press 2 --broker "$(URL dev2)" >"$TEST_TMP/press.out" || fail "press over TLS: $(cat "$TEST_TMP/press.out")"
assert_contains "$(cat "$TEST_TMP/press.out")" "stored by the hub"
"$CALLBELL" ack 2 --by Anna --broker "$(URL anna)" >/dev/null || fail "ack over TLS"
calls=$("$CALLBELL" calls --json --broker "$(URL anna)")
assert_eq "$(json_get "$calls" '[(c["table"], c["status"], c["acked_by"]) for c in d]')" \
    "[('2', 'acknowledged', 'Anna')]" "calls over TLS"
# a client that does not trust the CA: the message that exists for it
expect 1 "certificate verify failed" env -u CALLBELL_CA_FILE "$CALLBELL" press 2 --broker "$(URL dev2)"
expect 1 "CALLBELL_CA_FILE=" env -u CALLBELL_CA_FILE "$CALLBELL" press 2 --broker "$(URL dev2)"
# WSS answers a TLS handshake with the same certificate
echo | openssl s_client -connect "127.0.0.1:$WSS" -CAfile "$CA" -verify_return_error >"$TEST_TMP/wss.out" 2>&1 ||
    fail "WSS TLS handshake: $(tail -3 "$TEST_TMP/wss.out")"

# a restart reuses the CA (phones trust it once)
sum=$(sha256sum "$CA")
kill -INT "$BPID"
wait "$BPID" || true
start
assert_eq "$(sha256sum "$CA")" "$sum" "the CA after a restart"
# given files instead
expect 2 "--tls-cert, --tls-key and --tls-ca go together" \
    "$CALLBELL" broker --tls-cert "$CA" --port "$(free_port)" --data-dir "$TEST_TMP/b2"
echo ok
