#!/usr/bin/env bash
# The packaged services run as the system user and group "callbell" while an admin
# writes the site's registry as root. A registry file keeps the group and the group's
# read bit an admin gave it across `staff add` (never a bit for others), and a new one
# goes to the group "callbell", 0640, where that group exists; so a broker and a hub
# that run as a service's user and group (here uid/gid 4242, nothing else) read it,
# enforce the roles and store a device's press.
source "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
SVC=4242
reg_dir=$TEST_TMP/etc
mkdir -p "$reg_dir"
export CALLBELL_REGISTRY=$reg_dir/$CALLBELL_SITE.users
REG=$CALLBELL_REGISTRY
pw() { sed -n 's/^password: //p' "$TEST_TMP/$1.add"; }
mode_group() { stat -c '%a %g' "$1"; }

log "a new registry: 0640 for the group callbell where it exists, else 0600"
"$CALLBELL" staff add anna >"$TEST_TMP/anna.add" || fail "staff add anna"
if gid=$(getent group callbell | cut -d: -f3) && [ -n "$gid" ]; then
    want="640 $gid"
else
    want="600 $(id -g)"
fi
for f in "$REG" "$REG.hub" "$REG.admin"; do assert_eq "$(mode_group "$f")" "$want" "mode and group of new $f"; done

log "an admin gives the files to the services' group; the next change keeps that"
chgrp "$SVC" "$REG" "$REG.hub" "$REG.admin"
chmod 0640 "$REG.hub" "$REG.admin"
chmod 0644 "$REG" # a bit for others, by mistake
"$CALLBELL" staff add bob >"$TEST_TMP/bob.add" || fail "staff add bob"
"$CALLBELL" device add dev3 --tables 3 >"$TEST_TMP/dev3.add" || fail "device add dev3"
assert_eq "$(mode_group "$REG")" "640 $SVC" "registry after staff add (group kept, others' bit dropped)"
grep -q '^\[staff bob\]' "$REG" || fail "bob is not in the registry"
[ ! -e "$REG.tmp" ] || fail "a temporary file was left"

log "the broker and the hub as the services' user read it"
chmod 0711 "$TEST_TMP"
chgrp "$SVC" "$reg_dir"
chmod 0750 "$reg_dir"
svc_dir=$TEST_TMP/var
mkdir -p "$svc_dir"
chown "$SVC:$SVC" "$svc_dir"
as_service() { setpriv --reuid "$SVC" --regid "$SVC" --clear-groups env XDG_STATE_HOME="$svc_dir/state" "$@"; }
as_service test -r "$REG" || fail "the services' user cannot read the registry"
as_service test -r /dev/null -a ! -w "$REG" || fail "the services' user may write the registry"
PORT=$(free_port)
bg broker as_service "$CALLBELL" broker --port "$PORT" --ws-port 0 --data-dir "$svc_dir/broker"
wait_for "the broker enforces the roles" 'grep -q "roles: 1 devices, 2 staff" "$TEST_TMP/broker.log"' 15
export CALLBELL_BROKER=mqtt://127.0.0.1:$PORT
bg hub as_service "$CALLBELL" hub --db "$svc_dir/hub.db"
wait_for "the hub online, signed in with its registry credential" \
    'mosquitto_sub -h 127.0.0.1 -p "$PORT" -u anna -P "$(pw anna)" -t "callbell/$CALLBELL_SITE/hub/status" -C 1 -W 2 2>/dev/null | grep -q online' 15
grep -q "cannot read\|Permission denied" "$TEST_TMP/hub.log" "$TEST_TMP/broker.log" && fail "a service could not read a file"
"$CALLBELL" press 3 --broker "mqtt://dev3:$(pw dev3)@127.0.0.1:$PORT" >/dev/null || fail "press as dev3"
calls=$("$CALLBELL" calls --json --broker "mqtt://bob:$(pw bob)@127.0.0.1:$PORT")
assert_eq "$(json_get "$calls" "[c['table'] for c in d]")" "['3']" "the press stored by the hub"
echo ok
