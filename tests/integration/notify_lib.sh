# notify_lib.sh - for the notify tests, after lib.sh: an HTTP receiver on 127.0.0.1
# (http_receiver.py) that logs each request it gets to $RECEIVED, and counts of them.
RPORT=$(free_port)
RECEIVED="$TEST_TMP/received.jsonl"
touch "$RECEIVED"

start_receiver() {
    bg receiver python3 "$(dirname "$0")/http_receiver.py" "$RPORT" "$RECEIVED"
    RECEIVER_PID=$LAST_PID
    wait_for "the receiver on $RPORT" "(echo > /dev/tcp/127.0.0.1/$RPORT) 2>/dev/null"
}
# received PYTHON-FILTER: how many received requests match (r: the record, b: its JSON
# body or None, h: its headers)
received() {
    python3 - "$RECEIVED" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    h = r["headers"]
    try:
        b = json.loads(r["body"])
    except ValueError:
        b = None
    if eval(sys.argv[2]):
        n += 1
print(n)
PY
}
# wait_count SECONDS FILTER N: until N requests match, at most SECONDS (whole seconds)
wait_count() {
    local end=$(($(date +%s%N) / 1000000 + ${1%.*} * 1000))
    while [ "$(received "$2")" -lt "$3" ]; do
        [ $(($(date +%s%N) / 1000000)) -ge "$end" ] && fail "no $3 x [$2] within $1 s; got $(received "$2")"
        sleep 0.05
    done
}
