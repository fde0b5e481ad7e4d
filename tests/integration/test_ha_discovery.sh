#!/usr/bin/env bash
# `callbell hub --ha-discovery` on a 4-table site: every retained config checked
# against Home Assistant's MQTT discovery schema for its component (required keys and
# their types, availability, device), the same unique ids after a restart; a press
# fires the table's event and the waiting sensor counts; the button's payload, sent by
# a plain MQTT client, acknowledges like a board.
source "$(dirname "$0")/lib.sh"
start_broker
start_hub --tables 1-4 --ha-discovery

# configs SECONDS: every retained discovery config of this site, "topic payload" lines
configs() {
    mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "homeassistant/+/callbell_$CALLBELL_SITE/+/config" -v -W 2 \
        2>/dev/null || true
}
wait_for "16 configs" '[ "$(configs | wc -l)" -eq 16 ]'
configs >"$TEST_TMP/configs-1"

check_configs() {
    python3 - "$1" "$CALLBELL_SITE" <<'PY'
import json, re, sys
site = sys.argv[2]
# Home Assistant's MQTT discovery: required keys per component and the type of every
# key used (https://www.home-assistant.io/integrations/mqtt/ and each platform's page)
required = {
    "event": ["state_topic", "event_types"],
    "binary_sensor": ["state_topic"],
    "sensor": ["state_topic"],
    "button": ["command_topic"],
}
types = {
    "name": str, "unique_id": str, "state_topic": str, "command_topic": str, "event_types": list,
    "device_class": str, "value_template": str, "payload_on": str, "payload_off": str,
    "unit_of_measurement": str, "state_class": str, "payload_press": str, "availability": list,
    "device": dict, "origin": dict,
}
device_classes = {"event": {"button", "doorbell", "motion"}, "sensor": {"duration"}}
topic_re = re.compile(r"^homeassistant/(event|binary_sensor|sensor|button)/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)/config$")
ids, per_table = [], {}
for line in open(sys.argv[1]):
    topic, payload = line.rstrip("\n").split(" ", 1)
    m = topic_re.match(topic)
    assert m, f"discovery topic {topic}"
    component, node, obj = m.groups()
    assert node == f"callbell_{site}", topic
    c = json.loads(payload)
    for k in required[component]:
        assert k in c, f"{topic}: required {k} missing"
    for k, v in c.items():
        assert k in types, f"{topic}: unexpected key {k}"
        assert isinstance(v, types[k]), f"{topic}: {k} is {type(v).__name__}"
    if component in device_classes:
        assert c["device_class"] in device_classes[component], f"{topic}: device_class {c['device_class']}"
    assert re.fullmatch(r"[a-zA-Z0-9_-]+", c["unique_id"]), c["unique_id"]
    ids.append(c["unique_id"])
    table = obj.rsplit("_", 1)[0]
    per_table.setdefault(table, set()).add(component)
    for a in c["availability"]:
        assert a == {"topic": f"callbell/{site}/hub/status", "payload_available": "online",
                     "payload_not_available": "offline"}, a
    d = c["device"]
    assert d["identifiers"] == [f"callbell_{site}_table_{table}"] and isinstance(d["name"], str), d
    assert c["origin"]["name"] == "callbell"
    if component == "event":
        assert c["event_types"] == ["call", "bill", "water"], c["event_types"]
        assert c["state_topic"] == f"callbell/{site}/ha/{table}/event"
    if component == "binary_sensor":
        assert c["state_topic"] == f"callbell/{site}/table/{table}/state"
        assert "value_json.status" in c["value_template"] and c["payload_on"] == "ON"
    if component == "sensor":
        assert c["unit_of_measurement"] == "s" and c["state_class"] == "measurement"
    if component == "button":
        assert c["command_topic"] == f"callbell/{site}/table/{table}/cmd"
        cmd = json.loads(c["payload_press"])
        assert cmd["v"] == 1 and cmd["action"] == "ack" and cmd["by"], cmd
assert len(ids) == len(set(ids)), "unique ids repeat"
assert sorted(per_table) == ["1", "2", "3", "4"], sorted(per_table)
assert all(v == {"event", "binary_sensor", "sensor", "button"} for v in per_table.values()), per_table
print("\n".join(sorted(ids)))
PY
}
check_configs "$TEST_TMP/configs-1" >"$TEST_TMP/ids-1" || fail "configs do not follow the schema"
assert_eq "$(wc -l <"$TEST_TMP/ids-1")" 16 "unique ids"

# a press: the event fires once with the kind as event_type; waiting counts; calling is ON
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "callbell/$CALLBELL_SITE/ha/2/event" -v >"$TEST_TMP/events" 2>/dev/null &
PIDS+=("$!")
sleep 0.5
"$CALLBELL" press 2 --kind water >/dev/null
wait_for "the table's event" "grep -q 'event_type' '$TEST_TMP/events'"
event=$(head -n1 "$TEST_TMP/events" | cut -d' ' -f2-)
assert_eq "$(json_get "$event" "d['event_type'], d['level']")" "('water', 0)" "event payload"
wait_for "waiting seconds > 0" \
    '[ "$(mqtt_get "callbell/$CALLBELL_SITE/ha/2/waiting")" -gt 0 ] 2>/dev/null' 15
assert_eq "$(state_field 2 status)" calling "table 2"

# the button: its payload to its command topic, from a plain MQTT client
button=$(grep '^homeassistant/button/[^ ]*/2_acknowledge/config ' "$TEST_TMP/configs-1" | cut -d' ' -f2-)
cmd_topic=$(json_get "$button" "d['command_topic']")
press_payload=$(json_get "$button" "d['payload_press']")
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "$cmd_topic" -m "$press_payload"
wait_for "acknowledged by the button" '[ "$(req_field 2 water status)" = acknowledged ]'
assert_eq "$(req_field 2 water acked_by)" "Home Assistant" "acked_by"
wait_for "waiting back to 0" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/ha/2/waiting")" = 0 ]'

# a restart: the same unique ids, and no event again for the request still open
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
mosquitto_pub -h 127.0.0.1 -p "$PORT" -r -t "homeassistant/button/callbell_$CALLBELL_SITE/2_acknowledge/config" -n
start_hub --tables 1-4 --ha-discovery
wait_for "16 configs again" '[ "$(configs | wc -l)" -eq 16 ]'
configs >"$TEST_TMP/configs-2"
check_configs "$TEST_TMP/configs-2" >"$TEST_TMP/ids-2" || fail "configs after the restart"
assert_eq "$(cat "$TEST_TMP/ids-2")" "$(cat "$TEST_TMP/ids-1")" "unique ids after a restart"
sleep 1
assert_eq "$(grep -c event_type "$TEST_TMP/events")" 1 "events after the restart"
# without the option nothing is published for Home Assistant
assert_contains "$("$CALLBELL" hub --help)" "--ha-discovery"
echo ok
