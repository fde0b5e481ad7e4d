#!/usr/bin/env bash
# A database written by the one-call-per-table hub (schema 1) is migrated in place:
# its open calls become open requests of their kind, with their ack and repeats, the
# history stays, and the hub goes on from the highest call id.
source "$(dirname "$0")/lib.sh"
start_broker
DB="$TEST_TMP/hub.db"
now=$(($(date +%s) * 1000))
sqlite3 "$DB" <<SQL
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
INSERT INTO meta VALUES('site','$CALLBELL_SITE'),('schema','1');
CREATE TABLE tables(id TEXT PRIMARY KEY, status INT, kind INT, call INT, count INT, repeats INT, pressed_at INT,
  acked_by TEXT, acked_at INT, updated_at INT, last_alert_at INT) WITHOUT ROWID;
CREATE TABLE devices(id TEXT PRIMARY KEY, boot INT, max_seq INT, window INT, last_seen INT) WITHOUT ROWID;
CREATE TABLE calls(id INTEGER PRIMARY KEY, table_id TEXT, kind INT, pressed_at INT, count INT, repeats INT,
  acked_at INT, acked_by TEXT, closed_at INT, closed_by TEXT, outcome TEXT);
CREATE TABLE events(id INTEGER PRIMARY KEY, at INT, table_id TEXT, call INT, effect TEXT, kind INT, who TEXT,
  boot INT, seq INT);
INSERT INTO tables VALUES('1',1,1,7,2,1,$now,'',0,$now,$now);
INSERT INTO tables VALUES('2',2,2,8,1,0,$now,'Ana',$now,$now,$now);
INSERT INTO tables VALUES('3',0,0,0,0,0,0,'',0,$now,0);
INSERT INTO devices VALUES('dev-a',5,3,7,$now);
INSERT INTO calls VALUES(6,'3',0,$((now - 60000)),1,0,$((now - 50000)),'Bo',$((now - 40000)),'Bo','done');
INSERT INTO calls VALUES(7,'1',1,$now,2,1,0,'',0,'','open');
INSERT INTO calls VALUES(8,'2',2,$now,1,0,$now,'Ana',0,'','open');
INSERT INTO events VALUES(1,$now,'1',7,'opened',1,'dev-a',5,1);
SQL
start_hub --tables 1-4
assert_eq "$(sqlite3 "$DB" "select value from meta where key='schema'")" 3 "schema migrated"
# schema 3 stores the escalation level; a migrated request gets what its repeats reach
# (1 re-alert: the floor)
assert_eq "$(req_field 1 bill level)" floor "table 1's bill level from its repeats"
assert_eq "$(req_field 1 bill status)" calling "table 1's bill"
assert_eq "$(req_field 1 bill count)" 2 "its count"
assert_eq "$(req_field 1 bill repeats)" 1 "its repeats"
assert_eq "$(req_field 2 water status)" acknowledged "table 2's water"
assert_eq "$(req_field 2 water acked_by)" Ana "its ack"
assert_eq "$(state_field 3 status)" idle "table 3"
# a duplicate of the device's old press is still recognised (its window survived)
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "callbell/$CALLBELL_SITE/table/1/press" \
    -m '{"v":1,"device":"dev-a","boot":5,"seq":3,"kind":"bill","age_ms":0}'
"$CALLBELL" press 1 --kind water >/dev/null
assert_eq "$(req_field 1 water call)" 9 "new requests go on from the highest id"
assert_eq "$(req_field 1 bill count)" 2 "the old press's copy was a duplicate"
"$CALLBELL" done 2 --by Bo >/dev/null
stats=$("$CALLBELL" stats --since all --json)
assert_eq "$(json_get "$stats" "d['overall']['calls'], d['overall']['done']")" "(4, 2)" "history kept"
echo ok
