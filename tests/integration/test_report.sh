#!/usr/bin/env bash
# `callbell report` on a seeded history: counts and nearest-rank percentiles per
# staff, hour, day, table, kind and section (a site file's [sections]), in text, CSV and JSON; the --since/--until window
# and the hub's local time (TZ); bad usage and an offline hub.
source "$(dirname "$0")/lib.sh"
export TZ=UTC # the hub's and the command's local time: hours and days below are UTC
start_broker
expect 3 "hub offline" "$CALLBELL" report
start_hub --tables 1-4 # creates the database (current schema), then stops for seeding
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true

at() { echo $(($(date -u -d "$1" +%s) * 1000)); }
# row ID TABLE KIND(0 call, 1 bill, 2 water) PRESSED ACK_S ACKED_BY CLOSE_S OUTCOME
row() {
    local p ack=0 closed=0
    p=$(at "$4")
    [ "$5" != - ] && ack=$((p + $5 * 1000))
    [ "$7" != - ] && closed=$((p + $7 * 1000))
    echo "INSERT INTO calls(id,table_id,kind,pressed_at,count,repeats,acked_at,acked_by,closed_at,closed_by,outcome)" \
        "VALUES($1,'$2',$3,$p,1,0,$ack,'$6',$closed,'x','$8');"
}
{
    row 1 1 0 "2026-11-19 23:59:59" 1 Ana 2 done # before --since
    row 2 1 0 "2026-11-20 12:00:00" 10 Ana 60 done
    row 3 1 1 "2026-11-20 12:10:00" 20 Ana 120 done
    row 4 2 0 "2026-11-20 12:20:00" 30 Bo 90 done
    row 5 2 2 "2026-11-20 12:30:00" - "" 15 cancelled
    row 6 3 0 "2026-11-20 19:00:00" 40 Bo 300 done
    row 7 3 1 "2026-11-20 19:05:00" 50 Ana 100 cancelled # acknowledged, then cancelled
    row 8 1 0 "2026-11-21 12:00:00" 5 "Cy, jr" 30 done
    row 9 4 0 "2026-11-21 12:01:00" 100 Ana 200 done
    row 10 1 0 "2026-11-22 00:00:00" 1000 Ana 2000 done # at --until: outside
} | sqlite3 "$TEST_TMP/hub.db"
start_hub --tables 1-4
window=(--since 2026-11-20 --until 2026-11-22)

header="group,key,requests,acknowledged,done,cancelled,ack_p50_s,ack_p90_s,ack_max_s,done_p50_s,done_p90_s,done_max_s"
overall="all,,8,7,6,2,30.0,100.0,100.0,90.0,300.0,300.0"
# acks 5 10 20 30 40 50 100: p50 = 4th of 7 = 30, p90 = 7th; done 30 60 90 120 200 300
assert_eq "$("$CALLBELL" report "${window[@]}" --by staff --csv)" "$header
staff,,1,0,0,1,,,,,,
staff,Ana,4,4,3,1,20.0,100.0,100.0,120.0,200.0,200.0
staff,Bo,2,2,2,0,30.0,40.0,40.0,90.0,300.0,300.0
staff,\"Cy, jr\",1,1,1,0,5.0,5.0,5.0,30.0,30.0,30.0
$overall" "report --by staff --csv"
assert_eq "$("$CALLBELL" report "${window[@]}" --by hour --csv)" "$header
hour,12,6,5,5,1,20.0,100.0,100.0,90.0,200.0,200.0
hour,19,2,2,1,1,40.0,50.0,50.0,300.0,300.0,300.0
$overall" "report --by hour --csv"
assert_eq "$("$CALLBELL" report "${window[@]}" --by day --csv)" "$header
day,2026-11-20,6,5,4,2,30.0,50.0,50.0,90.0,300.0,300.0
day,2026-11-21,2,2,2,0,5.0,100.0,100.0,30.0,200.0,200.0
$overall" "report --by day --csv"
assert_eq "$("$CALLBELL" report "${window[@]}" --csv)" "$header
$overall" "report --csv without --by"

# text: a line per table, then all
text=$("$CALLBELL" report "${window[@]}" --by table)
assert_eq "$(echo "$text" | head -n1 | awk '{print $1, $2, $3}')" "TABLE REQUESTS ACKED" "text header"
assert_eq "$(echo "$text" | awk '$1 == "1" {print $2, $3, $4, $5, $6, $7, $8, $9, $10, $11}')" \
    "3 3 3 0 10.0 20.0 20.0 60.0 120.0 120.0" "table 1 in text"
assert_eq "$(echo "$text" | awk '$1 == "2" {print $2, $3, $4, $5, $6, $9}')" "2 1 1 1 30.0 90.0" "table 2 in text"
assert_eq "$(echo "$text" | awk '$1 == "all" {print $2, $3, $4, $5, $6, $7, $8, $9, $10, $11}')" \
    "8 7 6 2 30.0 100.0 100.0 90.0 300.0 300.0" "all in text"
assert_eq "$("$CALLBELL" report "${window[@]}" --by staff | awk '/not acknowledged/ {print $3, $4, $5, $6}')" \
    "1 0 0 1" "the unacknowledged request in text"

# JSON: by kind, the hub's answer as it is
json=$("$CALLBELL" report "${window[@]}" --by kind --json)
assert_eq "$(json_get "$json" "[(g['key'], g['calls'], g['acked'], g['done_p90_s']) for g in d['groups']]")" \
    "[('bill', 2, 2, 120), ('call', 5, 5, 300), ('water', 1, 0, None)]" "report --by kind --json"
assert_eq "$(json_get "$json" "(d['by'], d['since'], d['until'])")" "('kind', $(at 2026-11-20), $(at 2026-11-22))" \
    "the window echoed"

# the hub's local time decides hours: in UTC+5:30 (no summer time) 19:00 UTC is 00:30
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
TZ=Asia/Kolkata start_hub --tables 1-4
assert_eq "$("$CALLBELL" report --since all --by hour --csv | cut -d, -f1-3 | tr '\n' ' ')" \
    "group,key,requests hour,00,2 hour,05,2 hour,17,5 hour,18,1 all,,10 " "hours in the hub's local time"

# by section: the site file's [sections] as the hub has them; table 4 is in none
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
site=$TEST_TMP/site.conf
cat >"$site" <<CONF
[site]
id = $CALLBELL_SITE
[broker]
url = $BROKER
[tables]
1 = Patio 1
2 = Patio 2
3 = Bar
4 = Window
[sections]
patio = 1, 2
bar = 3
CONF
start_hub --config "$site"
# patio: acks 5 10 20 30, done 30 60 90 120; bar: acks 40 50, done 300; none: table 4
assert_eq "$("$CALLBELL" report "${window[@]}" --by section --csv)" "$header
section,,1,1,1,0,100.0,100.0,100.0,200.0,200.0,200.0
section,bar,2,2,1,1,40.0,50.0,50.0,300.0,300.0,300.0
section,patio,5,4,4,1,10.0,30.0,30.0,60.0,120.0,120.0
$overall" "report --by section --csv"
assert_eq "$("$CALLBELL" report "${window[@]}" --by section | awk '/no section/ {print $3, $4, $5, $6}')" \
    "1 1 1 0" "the table in no section in text"
# a reload that moves table 4 into bar: the report groups as the hub has it now
sed -i 's/^bar = 3$/bar = 3, 4/' "$site"
kill -HUP "$HUB_PID"
wait_for "the reload logged" "grep -q \"section '' -> 'bar'\" \"\$TEST_TMP/hub.log\""
assert_eq "$("$CALLBELL" report "${window[@]}" --by section --csv | grep -c '^section,,')" 0 \
    "after the reload no table is in no section"

# bad usage
expect 2 "bad --by 'waiter'" "$CALLBELL" report --by waiter
expect 2 "--until must be later" "$CALLBELL" report --since 2026-11-20 --until 2026-11-19
expect 2 "bad --until" "$CALLBELL" report --until yesterday
expect 2 "exclude each other" "$CALLBELL" report --csv --json
echo ok
