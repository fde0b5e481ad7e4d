#!/usr/bin/env bash
# Sections and the escalation chain, end to end: three terminal boards (Ana signed in
# to the patio, Bo to the bar, Max a manager in no section) in tmux on a real broker
# and hub. A patio call rings Ana's board only; unanswered, it reaches the floor at
# the first re-alert (Ana and Bo ring, the manager does not) and the managers at the
# third (Max rings too); the state carries the level. A section nobody is signed in
# to, and a table in no section, ring everyone from the start; a board that quits
# signs out at once. The level is stored: a hub killed -9 and restarted keeps it.
source "$(dirname "$0")/lib.sh"

start_broker
site=$TEST_TMP/site.conf
cat >"$site" <<CONF
[site]
id = $CALLBELL_SITE
[broker]
url = $BROKER
[hub]
realert = 2
ack_timeout = 300
[tables]
1 = Patio 1
2 = Patio 2
3 = Bar
4 = Window
[sections]
patio = 1, 2
bar = 3
CONF
unset CALLBELL_BROKER
start_hub --config "$site"
wait_for "table 1 published with its section" '[ "$(state_field 1 section)" = patio ]'

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
# board NAME ARGS...: a board in tmux session NAME; each bell it rings is a line in NAME.bells
board() {
    local name=$1
    shift
    touch "$TEST_TMP/$name.bells"
    "${TMUX_CMD[@]}" -f /dev/null new-session -d -x 110 -y 30 -s "$name" \
        "env TERM=screen '$CALLBELL' board --config '$site' --name $name $* 2>'$TEST_TMP/$name.log'; sleep 60"
    "${TMUX_CMD[@]}" set-hook -t "$name" alert-bell "run-shell 'echo bell >>$TEST_TMP/$name.bells'" >/dev/null
}
board Ana --section patio
board Bo --section bar
board Max --role manager
"${TMUX_CMD[@]}" set-option -g monitor-bell on >/dev/null
"${TMUX_CMD[@]}" set-option -g bell-action any >/dev/null
screen() { "${TMUX_CMD[@]}" capture-pane -p -t "$1"; }
bells() { wc -l <"$TEST_TMP/$1.bells"; }
for who in Ana Bo Max; do wait_for "$who's board drawn" "screen $who | grep -q 'hub online'"; done
wait_for "the hub knows who is where" \
    'grep -q "sign-in: Ana as staff for patio" "$TEST_TMP/hub.log" && grep -q "sign-in: Bo as staff for bar" "$TEST_TMP/hub.log" && grep -q "sign-in: Max as manager for no section" "$TEST_TMP/hub.log"'
screen Ana | grep -q "staff in patio" || fail "Ana's board should say where she is signed in: $(screen Ana)"

log "a patio call rings Ana's board only"
"$CALLBELL" press 1 --config "$site" >/dev/null || fail "press 1"
wait_for "table 1 calling at section level" '[ "$(state_field 1 level)" = section ]'
wait_for "Ana's bell" '[ "$(bells Ana)" -ge 1 ]' 5
wait_for "Bo sees the call" "screen Bo | grep -qE '^[> ] Patio 1 +call'"
# the hub's answer to `calls` (the boards' start-up view) carries level and section
calls=$("$CALLBELL" calls --json --config "$site")
assert_eq "$(json_get "$calls" "[(c['table'], c['section'], c['level']) for c in d]")" "[('1', 'patio', 'section')]" \
    "calls --json: the table's section and the request's level"
[ "$(bells Bo)" -eq 0 ] || fail "Bo (bar) rang for a patio call at section level"
[ "$(bells Max)" -eq 0 ] || fail "the manager rang for a patio call at section level"

log "unanswered: the floor at the first re-alert"
wait_for "table 1 at floor level" '[ "$(state_field 1 level)" = floor ]' 6
[ "$(state_field 1 repeats)" -eq 1 ] || fail "the floor comes with the first re-alert, not $(state_field 1 repeats)"
wait_for "Bo's bell at floor level" '[ "$(bells Bo)" -ge 1 ]' 5
wait_for "Bo's board shows the level" "screen Bo | grep -qE '^[> ] Patio 1 +call .* -> floor'"
[ "$(bells Max)" -eq 0 ] || fail "the manager rang at floor level"

log "the managers at the third re-alert"
wait_for "table 1 at manager level" '[ "$(state_field 1 level)" = manager ]' 10
[ "$(state_field 1 repeats)" -eq 3 ] || fail "the managers come with the third re-alert, not $(state_field 1 repeats)"
wait_for "Max's bell at manager level" '[ "$(bells Max)" -ge 1 ]' 5
wait_for "Max's board shows the level" "screen Max | grep -qE '^[> ] Patio 1 +call .* -> manager'"
call=$(state_field 1 call)
"$CALLBELL" done 1 --config "$site" --by Ana >/dev/null || fail "done 1"
wait_for "table 1 idle" '[ "$(state_field 1 status)" = idle ]'

log "a table in no section rings everyone from the start"
before_bo=$(bells Bo)
"$CALLBELL" press 4 --config "$site" >/dev/null || fail "press 4"
wait_for "table 4 calling at floor level" '[ "$(state_field 4 level)" = floor ]'
wait_for "Bo's bell for table 4" '[ "$(bells Bo)" -gt "$before_bo" ]' 5
"$CALLBELL" done 4 --config "$site" --by Bo >/dev/null || fail "done 4"

log "a board that quits signs out: its section's calls ring everyone"
"${TMUX_CMD[@]}" send-keys -t Bo q
wait_for "Bo signed out" 'grep -q "Bo signed out" "$TEST_TMP/hub.log"'
before_ana=$(bells Ana)
"$CALLBELL" press 3 --config "$site" >/dev/null || fail "press 3"
wait_for "table 3 calling" '[ "$(state_field 3 status)" = calling ]'
assert_eq "$(state_field 3 level)" floor "level of a call in a section nobody is signed in to"
wait_for "Ana's bell for the bar" '[ "$(bells Ana)" -gt "$before_ana" ]' 5
[ -n "$call" ] || fail "no call id"

log "a level is stored: a hub killed and restarted keeps table 3 at the floor"
# a re-alert only after 300 s, so its repeats (0) alone would put it back to its section
"$CALLBELL" done 3 --config "$site" --by Ana >/dev/null || fail "done 3"
sed -i 's/^realert = 2$/realert = 300/' "$site"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
start_hub --config "$site"
"$CALLBELL" press 3 --config "$site" >/dev/null || fail "press 3 again"
wait_for "table 3 calling at floor level" '[ "$(state_field 3 level)" = floor ]'
assert_eq "$(sqlite3 "$TEST_TMP/hub.db" "SELECT level FROM calls WHERE outcome='open' AND table_id='3'")" 1 \
    "the stored level (1 = floor)"
kill -9 "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
start_hub --config "$site"
assert_eq "$(req_field 3 call repeats)" 0 "repeats after the restart"
assert_eq "$(req_field 3 call level)" floor "level after the restart"
log "ok"
