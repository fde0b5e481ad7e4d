#!/usr/bin/env bash
# The terminal board, drawn by tmux, takes the site from the hub's site message: tiles
# and queue lines show display names (UTF-8; a long one cut with "…", never in half a
# character), the title shows the restaurant's name, and the colours follow the site's
# thresholds (warn after 2 s, late after 4 s here, not the built-in 60/180). A reload
# that renames a table renames it on the board; a table that leaves goes from it.
source "$(dirname "$0")/lib.sh"

start_broker
site=$TEST_TMP/site.conf
long="Terrasse côté jardin, près de la fontaine"
write_site() { # write_site NAME-OF-1 [more table lines]
    local one=$1
    shift
    {
        printf '[site]\nid = %s\nname = Trattoria Sole\n[broker]\nurl = %s\n' "$CALLBELL_SITE" "$BROKER"
        printf '[board]\nwarn_after = 2\nlate_after = 4\n[tables]\n1 = %s\n' "$one"
        printf '%s\n' "$@"
    } >"$site"
}
write_site "Fenêtre 1" "patio = $long" "bar = Bar"
start_hub --config "$site"

TMUX_CMD=(tmux -L "cb-$TEST_NAME-$$")
"${TMUX_CMD[@]}" -f /dev/null new-session -d -x 100 -y 30 -s board \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 CALLBELL_BROKER='$CALLBELL_BROKER' CALLBELL_SITE='$CALLBELL_SITE' TERM=screen \
     '$CALLBELL' board --name Tess 2>'$TEST_TMP/board.log'; echo \"board exited rc=\$?\"; sleep 60"
screen() { "${TMUX_CMD[@]}" capture-pane -p -t board; }
screen_has() { screen | grep -q -- "$1"; }
# the queue line of TABLE-NAME with its colour escapes (tmux -e)
coloured_line() { "${TMUX_CMD[@]}" capture-pane -e -p -t board | grep -- "$1" | grep -E 'calling|acknowledged'; }

wait_for "board drawn with the hub online" "screen_has 'hub online'"
wait_for "the title names the restaurant" "screen_has 'site Trattoria Sole ($CALLBELL_SITE)'"
wait_for "tile with a UTF-8 display name" "screen_has ' Fenêtre 1 '"
screen_has " Bar " || fail "no tile for Bar: $(screen)"
# the long name is cut on its tile, with an ellipsis, not in the middle of "ô"
screen_has "Terrasse côté jar…" || fail "the long name is not cut with an ellipsis: $(screen)"

"$CALLBELL" press 1 >/dev/null
wait_for "queue line with the display name" "screen | grep -qE '^[> ] Fenêtre 1 +call +calling'"
wait_for "news line with the display name" "screen_has 'Fenêtre 1: call requested'"
# the site's thresholds: red (late) after 4 s, where the built-in ones would say cyan (new)
wait_for "the line turns late (red) by the site's 4 s" "coloured_line 'Fenêtre 1' | grep -q $'\e\\[31m'" 10
"$CALLBELL" press patio >/dev/null
wait_for "a long name in the queue, cut to the column" "screen | grep -qE '^[> ] Terrasse côté jardin, près de l… +call'"

# a reload renames table 1 and removes bar (idle): the board follows
write_site "Window 1" "patio = $long"
kill -HUP "$HUB_PID"
wait_for "renamed on the board" "screen_has ' Window 1 '"
wait_for "bar left the board" "! screen_has ' Bar '"
screen_has "Fenêtre" && fail "the old name is still shown: $(screen)"
log "ok"
