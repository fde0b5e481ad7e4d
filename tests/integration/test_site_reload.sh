#!/usr/bin/env bash
# The site as the hub runs it: the retained site message matches the site file; a
# reload (SIGHUP, what `systemctl reload` sends) adds, renames and removes tables -- a
# removed table with an open request is served until that request is done, then its
# retained state is cleared -- and a bad file on reload is refused with the reason in
# the log while the site keeps running unchanged.
source "$(dirname "$0")/lib.sh"

start_broker
site=$TEST_TMP/site.conf
write_site() { # write_site WARN LATE TABLE-LINES... (REALERT in the environment, default 60)
    local warn=$1 late=$2
    shift 2
    {
        printf '[site]\nid = %s\nname = Trattoria Sole\n[broker]\nurl = %s\n' "$CALLBELL_SITE" "$BROKER"
        printf '[hub]\nrealert = %s\n' "${REALERT:-60}"
        printf '[board]\nwarn_after = %s\nlate_after = %s\n[tables]\n' "$warn" "$late"
        printf '%s\n' "$@"
        case " $* " in *"bar = Bar"*) printf '[kinds]\nbar = call, water\n' ;; esac
        if [ -n "${SECTIONS:-}" ]; then printf '[sections]\n%s\n' "$SECTIONS"; fi
    } >"$site"
}
site_msg() { mqtt_get "callbell/$CALLBELL_SITE/hub/site"; }
site_get() { json_get "$(site_msg)" "$1"; }
names() { site_get "','.join(t['id'] + '=' + t['name'] for t in d['tables'])"; }
reload() {
    kill -HUP "$HUB_PID"
    wait_for "reload logged ($1)" "grep -q \"$1\" \"\$TEST_TMP/hub.log\""
}

write_site 60 180 "1 = Window 1" "bar = Bar" "patio-2 = Patio 2"
# systemd's notify socket (Type=notify): what the hub tells systemd, one line a message
bg notify python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
' "$TEST_TMP/notify.sock"
wait_for "notify socket" '[ -S "$TEST_TMP/notify.sock" ]'
NOTIFY_SOCKET=$TEST_TMP/notify.sock start_hub --config "$site"
wait_for "READY=1 to systemd" 'grep -q "READY=1" "$TEST_TMP/notify.log"'

# ---- the site message is the file as understood ----
wait_for "site message" '[ -n "$(site_msg)" ]'
msg=$(site_msg)
assert_eq "$(json_get "$msg" "d['name']")" "Trattoria Sole" "site name"
assert_eq "$(json_get "$msg" "(d['warn_s'], d['late_s'], d['realert_s'], d['ack_timeout_s'])")" "(60, 180, 60, 300)"
assert_eq "$(names)" "1=Window 1,bar=Bar,patio-2=Patio 2" "tables"
assert_eq "$(json_get "$msg" "d['table_count']")" 3
assert_eq "$(json_get "$msg" "[t.get('kinds') for t in d['tables']]")" "[None, ['call', 'water'], None]" "kinds"
# the core's decoder accepts what the hub published (`callbell board` reads it with it)
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$msg"

# ---- a table offers the buttons the file gives it ----
expect 1 "table bar has no bill button (it offers call, water)" "$CALLBELL" press bar --kind bill
[ "$(state_field bar status)" = idle ] || fail "a refused bill press changed bar"

# ---- an open request on bar, then a reload that renames, adds and removes ----
"$CALLBELL" press bar >/dev/null
wait_for "bar calling" '[ "$(state_field bar status)" = calling ]'
REALERT=2 write_site 30 90 "1 = Fenêtre 1" "patio-2 = Patio 2" "7 = Garden 7"
reload "reloaded $site:"
wait_for "RELOADING=1 then READY=1 to systemd" '[ "$(tail -n 2 "$TEST_TMP/notify.log" | tr "\n" " ")" = "RELOADING=1 READY=1 " ]'
line=$(grep "reloaded $site:" "$TEST_TMP/hub.log")
assert_contains "$line" "added 7 'Garden 7'"
assert_contains "$line" "removed bar (served until its 1 open request is closed)"
assert_contains "$line" "changed 1 'Window 1' -> 'Fenêtre 1'"
assert_contains "$line" "board colours 60/180 -> 30/90 s"
assert_contains "$line" "re-alert 60 -> 2 s"
wait_for "site message renamed" '[ "$(names)" = "1=Fenêtre 1,patio-2=Patio 2,7=Garden 7" ]'
assert_eq "$(site_get "(d['warn_s'], d['late_s'], d['realert_s'])")" "(30, 90, 2)" "thresholds after reload"
wait_for "table 7 published idle" '[ "$(state_field 7 status)" = idle ]'
"$CALLBELL" press 7 >/dev/null
wait_for "the added table takes presses" '[ "$(state_field 7 status)" = calling ]'
wait_for "the reloaded re-alert time (2 s) applies" '[ "$(state_field 7 repeats)" -ge 1 ]' 8
# a reload that puts tables in sections: their states say so (boards ring by it)
SECTIONS="garden = 7" REALERT=2 write_site 30 90 "1 = Fenêtre 1" "patio-2 = Patio 2" "7 = Garden 7"
reload "changed 7 (section '' -> 'garden')"
wait_for "table 7 now in section garden" '[ "$(state_field 7 section)" = garden ]'
assert_eq "$(state_field 1 section)" "" "table 1 in no section"
# bar left the file: still served (its request open), no new presses
assert_eq "$(state_field bar status)" calling "bar keeps its open request"
expect 1 "table bar is not one of this site's tables" "$CALLBELL" press bar --kind water
"$CALLBELL" done bar --by Ana >/dev/null
wait_for "bar's retained state cleared once its request is done" '[ -z "$(state bar)" ]'
grep -q "table bar: its last open request is closed; it has left the site" "$TEST_TMP/hub.log" ||
    fail "no log line for bar leaving"

# ---- a bad file on reload is refused; the running site is unchanged ----
printf '[site]\nid = %s\n[board]\nwarn_after = soon\n[tables]\n1 = One\n' "$CALLBELL_SITE" >"$site"
reload "reload of $site refused"
assert_contains "$(grep "refused" "$TEST_TMP/hub.log")" "site.conf:4: [board] warn_after"
assert_contains "$(grep "refused" "$TEST_TMP/hub.log")" "the site keeps running unchanged"
kill -0 "$HUB_PID" || fail "the hub stopped on a bad reload"
assert_eq "$(names)" "1=Fenêtre 1,patio-2=Patio 2,7=Garden 7" "site after a refused reload"
"$CALLBELL" press patio-2 >/dev/null
wait_for "the site keeps taking presses" '[ "$(state_field patio-2 status)" = calling ]'

# ---- a removed idle table goes at once; a table can come back ----
write_site 30 90 "1 = Fenêtre 1" "patio-2 = Patio 2" "7 = Garden 7" "bar = Bar"
reload "added bar 'Bar'"
wait_for "bar back, idle" '[ "$(state_field bar status)" = idle ]'
write_site 30 90 "1 = Fenêtre 1" "patio-2 = Patio 2" "7 = Garden 7"
reload "site.conf: removed bar$"
wait_for "idle bar cleared at once" '[ -z "$(state bar)" ]'

# ---- after a restart the hub serves the file as it is now ----
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
start_hub --config "$site"
wait_for "site after restart" '[ "$(names)" = "1=Fenêtre 1,patio-2=Patio 2,7=Garden 7" ]'
[ -z "$(state bar)" ] || fail "bar must stay gone after a restart"
log "ok"
