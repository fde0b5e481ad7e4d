#!/usr/bin/env bash
# `callbell hub --ha-discovery` on a 4-table site: every retained config checked
# against Home Assistant's MQTT discovery schema for its component (required keys and
# their types, availability, device), the same unique ids after a restart; a press
# fires the table's event and the waiting sensor counts; the button's payload, sent by
# a plain MQTT client, acknowledges like a board; a button device's battery and
# connectivity; a table that leaves the site and a retired device take their configs.
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

# check_configs FILE TABLES DEVICES: the schema, and exactly these tables and devices
check_configs() {
    python3 - "$1" "$CALLBELL_SITE" "$2" "$3" <<'PY'
import json, re, sys
site = sys.argv[2]
want_tables, want_devices = sys.argv[3].split(), sys.argv[4].split()
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
    "device": dict, "origin": dict, "availability_mode": str,
}
device_classes = {"event": {"button", "doorbell", "motion"}, "sensor": {"duration", "voltage"},
                  "binary_sensor": {"connectivity"}}
hub_status = {"topic": f"callbell/{site}/hub/status", "payload_available": "online", "payload_not_available": "offline"}
per_device = {}
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
    if component in device_classes and (component != "binary_sensor" or "device_class" in c):
        assert c["device_class"] in device_classes[component], f"{topic}: device_class {c['device_class']}"
    assert re.fullmatch(r"[a-zA-Z0-9_-]+", c["unique_id"]), c["unique_id"]
    ids.append(c["unique_id"])
    assert c["availability"][0] == hub_status, c["availability"]
    assert c["origin"]["name"] == "callbell"
    owner, what = obj.rsplit("_", 1)
    d = c["device"]
    assert isinstance(d["name"], str) and isinstance(d["identifiers"], list), d
    if what in ("battery", "connectivity"):
        per_device.setdefault(owner, set()).add(what)
        assert d["identifiers"] == [f"callbell_{site}_device_{owner}"] and d["sw_version"] == "0.1.0", d
        status = f"callbell/{site}/device/{owner}/status"
        if what == "battery":
            assert component == "sensor" and c["state_topic"] == f"callbell/{site}/device/{owner}/info"
            assert c["unit_of_measurement"] == "mV" and "battery_mv" in c["value_template"]
            assert c["availability"][1]["topic"] == status and c["availability_mode"] == "all"
        else:
            assert component == "binary_sensor" and c["state_topic"] == status
            assert (c["payload_on"], c["payload_off"]) == ("online", "offline")
        continue
    table = owner
    per_table.setdefault(table, set()).add(component)
    assert len(c["availability"]) == 1
    assert d["identifiers"] == [f"callbell_{site}_table_{table}"], d
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
assert sorted(per_table) == want_tables, sorted(per_table)
assert all(v == {"event", "binary_sensor", "sensor", "button"} for v in per_table.values()), per_table
assert sorted(per_device) == want_devices, sorted(per_device)
assert all(v == {"battery", "connectivity"} for v in per_device.values()), per_device
print("\n".join(sorted(ids)))
PY
}
check_configs "$TEST_TMP/configs-1" "1 2 3 4" "" >"$TEST_TMP/ids-1" || fail "configs do not follow the schema"
assert_eq "$(wc -l <"$TEST_TMP/ids-1")" 16 "unique ids"

# a button device (it publishes info): its battery and connectivity appear
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -t "callbell/$CALLBELL_SITE/device/dev-a/status" -m online
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -t "callbell/$CALLBELL_SITE/device/dev-a/info" \
    -m '{"v":1,"fw":"0.1.0","battery_mv":3900,"uptime_s":5}'
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/1/press" \
    -m '{"v":1,"device":"dev-a","boot":1,"seq":1,"kind":"call","age_ms":0}'
wait_for "18 configs" '[ "$(configs | wc -l)" -eq 18 ]'
configs >"$TEST_TMP/configs-dev"
check_configs "$TEST_TMP/configs-dev" "1 2 3 4" "dev-a" >/dev/null || fail "device configs"
"$CALLBELL" done 1 >/dev/null

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

# a restart: the same unique ids (a config lost meanwhile comes back), and no event
# again for the request still open
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
mosquitto_pub -h 127.0.0.1 -p "$PORT" -r -t "homeassistant/button/callbell_$CALLBELL_SITE/2_acknowledge/config" -n
start_hub --tables 1-4 --ha-discovery
wait_for "18 configs again" '[ "$(configs | wc -l)" -eq 18 ]'
configs >"$TEST_TMP/configs-2"
check_configs "$TEST_TMP/configs-2" "1 2 3 4" "dev-a" >"$TEST_TMP/ids-2" || fail "configs after the restart"
assert_eq "$(grep -v dev-a "$TEST_TMP/ids-2")" "$(cat "$TEST_TMP/ids-1")" "unique ids after a restart"
sleep 1
assert_eq "$(grep -c event_type "$TEST_TMP/events")" 1 "events after the restart"

# table 4 leaves the site: its four configs are removed, the others stay
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
start_hub --tables 1-3 --ha-discovery
wait_for "14 configs" '[ "$(configs | wc -l)" -eq 14 ]'
configs >"$TEST_TMP/configs-3"
check_configs "$TEST_TMP/configs-3" "1 2 3" "dev-a" >/dev/null || fail "configs after table 4 left"
# the device retired (its retained info cleared): its two configs go
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -r -t "callbell/$CALLBELL_SITE/device/dev-a/info" -n
wait_for "12 configs" '[ "$(configs | wc -l)" -eq 12 ]'
configs >"$TEST_TMP/configs-4"
check_configs "$TEST_TMP/configs-4" "1 2 3" "" >/dev/null || fail "configs after the device left"
# with a site file: the table's name and its kinds
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
cat >"$TEST_TMP/site.conf" <<CONF
[site]
id = $CALLBELL_SITE
name = Trattoria Sole
[tables]
1 = Window 1
2 = Table 2
3 = Bar
[kinds]
1 = call, bill, cancel
CONF
start_hub --config "$TEST_TMP/site.conf" --ha-discovery
wait_for "12 configs from the site file" '[ "$(configs | grep -c "/config {")" -eq 12 ]'
event=$(configs | grep "^homeassistant/event/callbell_$CALLBELL_SITE/1_request/config " | cut -d' ' -f2-)
assert_eq "$(json_get "$event" "d['event_types'], d['device']['name']")" "(['call', 'bill'], 'Window 1 (Trattoria Sole)')" \
    "table 1 from the site file"
event=$(configs | grep "^homeassistant/event/callbell_$CALLBELL_SITE/2_request/config " | cut -d' ' -f2-)
assert_eq "$(json_get "$event" "d['event_types'], d['device']['name']")" \
    "(['call', 'bill', 'water'], 'Table 2 (Trattoria Sole)')" "table 2 from the site file"
# without the option nothing is published for Home Assistant
assert_contains "$("$CALLBELL" hub --help)" "--ha-discovery"
echo ok
