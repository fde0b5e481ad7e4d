#!/usr/bin/env bash
# The terminal board on a 40-table floor in an 80x24 terminal: every table has its tile
# on screen, every open request is listed, and typing / and a table's id selects that
# table's oldest request so a/d act on it, without scrolling a long queue by hand.
source "$(dirname "$0")/lib.sh"

start_broker
start_hub --tables 1-40
for t in 3 12 27 33 38 40; do "$CALLBELL" press "$t" >/dev/null || fail "press $t"; done
wait_for "table 40 calling" '[ "$(state_field 40 status)" = calling ]'

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
"${TMUX_CMD[@]}" -f /dev/null new-session -d -x 80 -y 24 -s board \
    "env CALLBELL_BROKER='$CALLBELL_BROKER' CALLBELL_SITE='$CALLBELL_SITE' TERM=screen \
     '$CALLBELL' board --name Tess 2>'$TEST_TMP/board.log'; echo \"board exited rc=\$?\"; sleep 60"
screen() { "${TMUX_CMD[@]}" capture-pane -p -t board; }
keys() { "${TMUX_CMD[@]}" send-keys -t board "$@"; }
wait_for "board drawn" "screen | grep -q 'hub online'"
wait_for "the six requests listed" '[ "$(screen | grep -cE "^[> ] [0-9]+ +call +calling")" -eq 6 ]'
[ "$(screen | wc -l)" -le 24 ] || fail "drawn past 24 lines"
tiles=$(screen | sed -n '2,/TABLE  KIND/p' | tr -s ' ' '\n' | grep -xE '[0-9]+' | sort -n | uniq | tr '\n' ' ')
assert_eq "$tiles" "$(seq -s ' ' 1 40) " "tables with a tile on the 80x24 screen"

log "/ 33 Enter selects table 33's request; a acknowledges it"
keys / 3 3 Enter
wait_for "33 selected" "screen | grep -qE '^> 33 +call'"
screen | grep -q "table 33: its oldest open request is selected" || fail "no word about the jump: $(screen)"
keys a
wait_for "33 acknowledged by Tess" '[ "$(state_field 33 acked_by)" = Tess ]'
[ "$(state_field 12 status)" = calling ] || fail "the ack went to another table"

log "a table with nothing open, and one that does not exist"
keys / 2 0 Enter
wait_for "20 has nothing open" "screen | grep -q 'table 20 has no open request'"
keys / 9 9 Enter
wait_for "no table 99" "screen | grep -q \"no table '99' on this site\""
log "s signs in to sections from the keyboard; an empty line signs out"
keys s p a t i o , b a r Enter
wait_for "signed in on the board" "screen | grep -q 'signed in to patio,bar'"
wait_for "the hub knows" 'grep -q "sign-in: Tess as staff for patio,bar" "$TEST_TMP/hub.log"'
keys s P Enter
wait_for "a bad section refused" "screen | grep -q \"sections 'P' refused\""
keys BSpace Enter
wait_for "signed out" 'grep -q "Tess signed out" "$TEST_TMP/hub.log"'
log "ok"
