#!/usr/bin/env bash
# QoS 1 is at-least-once: the same (device, boot, seq) delivered twice is one press.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4
topic="callbell/$CALLBELL_SITE/table/2/press"
p1='{"v":1,"device":"dup-test","boot":9,"seq":1,"kind":"call","age_ms":0}'
p2='{"v":1,"device":"dup-test","boot":9,"seq":2,"kind":"call","age_ms":0}'
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" -m "$p1"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" -m "$p1"
wait_for "calling" '[ "$(state_field 2 status)" = calling ]'
sleep 0.5
assert_eq "$(state_field 2 count)" 1 "count after a duplicate"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" -m "$p2"
wait_for "second press counted" '[ "$(state_field 2 count)" = 2 ]'
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" -m "$p1"
sleep 0.5
assert_eq "$(state_field 2 count)" 2 "an old copy after a newer press is still a duplicate"
# the window survives a restart of the hub
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
start_hub --tables 1-4
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$topic" -m "$p2"
sleep 0.5
assert_eq "$(state_field 2 count)" 2 "duplicate after restart"
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "select count(*) from events")" 2 "events"
# a press published at QoS 0 is accepted like any other (docs/protocol.md "Topics")
p3='{"v":1,"device":"dup-test","boot":9,"seq":3,"kind":"call","age_ms":0}'
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 0 -t "$topic" -m "$p3"
wait_for "QoS 0 press counted" '[ "$(state_field 2 count)" = 3 ]'
echo ok
