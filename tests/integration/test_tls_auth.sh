#!/usr/bin/env bash
# A broker like HiveMQ Cloud's: TLS only, users with passwords. The hub, a press, an
# ack and `calls` work over mqtts://user:pass@... (a password with '%', escaped); a wrong password, a certificate
# nobody vouches for and an unreadable CA file each get an error naming the problem.
# (A CA made here stands in for a public one: CALLBELL_CA_FILE.)
source "$(dirname "$0")/lib.sh"
cd "$TEST_TMP"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=callbell test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
    -extfile san.ext 2>/dev/null
mosquitto_passwd -c -b passwd staff '50% off'
chmod 644 server.key passwd # mosquitto drops to the test's user
PORT=$(free_port)
cat >mosquitto.conf <<CONF
user $(id -un)
listener $PORT 127.0.0.1
cafile $TEST_TMP/ca.pem
certfile $TEST_TMP/server.pem
keyfile $TEST_TMP/server.key
allow_anonymous false
password_file $TEST_TMP/passwd
CONF
mosquitto -c mosquitto.conf >>broker.log 2>&1 &
BROKER_PID=$!
wait_for "TLS broker listening" "(echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null"
export CALLBELL_BROKER="mqtts://staff:50%25%20off@127.0.0.1:$PORT" CALLBELL_CA_FILE=$TEST_TMP/ca.pem
sub() { mosquitto_sub -h 127.0.0.1 -p "$PORT" --cafile ca.pem -u staff -P '50% off' -t "$1" -C 1 -W 3 2>/dev/null || true; }

bg hub "$CALLBELL" hub --db "$TEST_TMP/hub.db" --tables 1-4
wait_for "hub online over TLS" '[ "$(sub "callbell/$CALLBELL_SITE/hub/status")" = online ]'
"$CALLBELL" press 2 --kind bill >press.out || fail "press over TLS failed: $(cat press.out)"
wait_for "table 2 calling" '[ "$(json_get "$(sub "callbell/$CALLBELL_SITE/table/2/state")" "d[\"status\"]")" = calling ]'
"$CALLBELL" ack 2 --by Ana >/dev/null || fail "ack over TLS failed"
calls=$("$CALLBELL" calls --json)
assert_eq "$(json_get "$calls" '[(c["table"], c["kind"], c["status"], c["acked_by"]) for c in d]')" \
    "[('2', 'bill', 'acknowledged', 'Ana')]" "calls over TLS"

# what goes wrong, said plainly (exit 1 each)
expect 1 "refused the connection: Not authorized" \
    "$CALLBELL" press 1 --broker "mqtts://staff:wrong@127.0.0.1:$PORT"
expect 1 "certificate verify failed" env -u CALLBELL_CA_FILE "$CALLBELL" press 1
expect 1 "CALLBELL_CA_FILE=" env -u CALLBELL_CA_FILE "$CALLBELL" press 1
expect 1 "cannot read CALLBELL_CA_FILE $TEST_TMP/none.pem: No such file or directory" \
    env CALLBELL_CA_FILE="$TEST_TMP/none.pem" "$CALLBELL" press 1
# nothing of it reached the hub: table 1 is still idle
assert_eq "$(json_get "$(sub "callbell/$CALLBELL_SITE/table/1/state")" "d['status']")" idle "table 1"
echo ok
