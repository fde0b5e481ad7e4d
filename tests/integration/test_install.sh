#!/usr/bin/env bash
# Installed like a Debian service: a DESTDIR `cmake --install` holds every file in
# its FHS place; the systemd units pass `systemd-analyze verify`; the .deb that
# `cpack -G DEB` makes lists the same files and passes lintian; and the callbell
# unpacked from it (`dpkg-deb -x` into a throwaway root) runs a hub, takes a press and
# serves the web board from its own /usr/share/callbell/web.
source "$(dirname "$0")/lib.sh"
build=$(cd "$(dirname "$CALLBELL")" && pwd)
expected=(
    usr/bin/callbell
    usr/share/callbell/web/index.html
    usr/share/callbell/web/mqtt.min.js
    usr/share/man/man1/callbell.1.gz
    usr/share/man/man5/callbell.conf.5.gz
    lib/systemd/system/callbell-broker.service
    lib/systemd/system/callbell-hub@.service
    lib/systemd/system/callbell-notify@.service
    usr/share/callbell/web/reports.html
    usr/share/callbell/web/uPlot.iife.min.js
    usr/share/callbell/web/sw.js
    etc/callbell/example.conf
    usr/lib/sysusers.d/callbell.conf
    usr/share/doc/callbell/copyright
    usr/share/doc/callbell/changelog.Debian.gz
)
for cmd in $("$CALLBELL" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p'); do
    expected+=("usr/share/man/man1/callbell-$cmd.1.gz")
done
[ ${#expected[@]} -ge 20 ] || fail "expected a man page per command, got ${#expected[@]} files"

# 1. cmake --install into a DESTDIR
root=$TEST_TMP/root
DESTDIR=$root cmake --install "$build" --prefix /usr >"$TEST_TMP/install.log" 2>&1 || fail "cmake --install failed"
for f in "${expected[@]}"; do [ -f "$root/$f" ] || fail "cmake --install did not install /$f"; done
grep -q "^ExecStart=/usr/bin/callbell hub --config /etc/callbell/%i.conf" "$root/lib/systemd/system/callbell-hub@.service" ||
    fail "hub unit does not run the installed binary on the site file"
assert_contains "$(zcat "$root/usr/share/man/man1/callbell-hub.1.gz")" "ack\-timeout" "callbell-hub(1)"
assert_contains "$(zcat "$root/usr/share/man/man5/callbell.conf.5.gz")" "late_after" "callbell.conf(5)"

# 2. the units: systemd-analyze verify (warnings count as failures), pointed at this
# install's binary; and their sandboxing stays tight
mkdir -p "$TEST_TMP/units"
sed "s|/usr/bin/callbell|$root/usr/bin/callbell|" "$root/lib/systemd/system/callbell-broker.service" \
    >"$TEST_TMP/units/callbell-broker.service"
sed "s|/usr/bin/callbell|$root/usr/bin/callbell|" "$root/lib/systemd/system/callbell-hub@.service" \
    >"$TEST_TMP/units/callbell-hub@trattoria.service"
sed "s|/usr/bin/callbell|$root/usr/bin/callbell|" "$root/lib/systemd/system/callbell-notify@.service" \
    >"$TEST_TMP/units/callbell-notify@trattoria.service"
for u in "$TEST_TMP"/units/*.service; do
    out=$(systemd-analyze verify --man=no "$u" 2>&1) || fail "systemd-analyze verify $(basename "$u"): $out"
    [ -z "$out" ] || fail "systemd-analyze verify $(basename "$u") warns: $out"
    systemd-analyze security --offline=yes --threshold=25 "$u" >"$TEST_TMP/security.log" 2>&1 ||
        fail "$(basename "$u") is exposed: $(tail -n 1 "$TEST_TMP/security.log")"
done
# they run as the static system user from sysusers.d, whose group reads the registry
# root writes (a DynamicUser could not): systemd-sysusers makes it in a throwaway root
for u in "$TEST_TMP"/units/*.service; do
    grep -q '^User=callbell$' "$u" && grep -q '^Group=callbell$' "$u" || fail "$(basename "$u") does not run as callbell"
    grep -q '^DynamicUser=yes' "$u" && fail "$(basename "$u") runs as a dynamic user"
done
sysroot=$TEST_TMP/sysroot
mkdir -p "$sysroot/etc"
systemd-sysusers --root="$sysroot" "$root/usr/lib/sysusers.d/callbell.conf" >"$TEST_TMP/sysusers.log" 2>&1 ||
    fail "systemd-sysusers: $(cat "$TEST_TMP/sysusers.log")"
grep -q '^callbell:x:[0-9]*:[0-9]*:callbell service-call system:/var/lib/callbell:' "$sysroot/etc/passwd" ||
    fail "no callbell user from sysusers.d: $(cat "$sysroot/etc/passwd")"
grep -q '^callbell:x:' "$sysroot/etc/group" || fail "no callbell group from sysusers.d"
printf '[Service]\nExecStart=/bin/true\nRestart=sometimes\n' >"$TEST_TMP/units/bad.service"
[ -n "$(systemd-analyze verify --man=no "$TEST_TMP/units/bad.service" 2>&1)" ] || fail "verify should flag a bad unit"

# 3. the .deb: cpack, its file list, lintian
(cd "$build" && cpack -G DEB -B "$TEST_TMP/pkg") >"$TEST_TMP/cpack.log" 2>&1 || fail "cpack failed"
deb=$(ls "$TEST_TMP"/pkg/callbell_*.deb)
listing=$(dpkg-deb -c "$deb")
for f in "${expected[@]}"; do assert_contains "$listing" " ./$f" "dpkg-deb -c"; done
depends=$(dpkg-deb -f "$deb" Depends)
for pkg in "mosquitto," "systemd | systemd-standalone-sysusers" libmosquitto1 libsqlite3-0 libncursesw6 libcjson1 libinih1 libcurl4; do
    assert_contains "$depends" "$pkg" "the package's Depends"
done
assert_eq "$(dpkg-deb -I "$deb" conffiles)" "/etc/callbell/example.conf" "conffiles"
# libcurl is loaded by `callbell notify` only (notify/curl_lib.h), never mapped by a hub
ldd "$root/usr/bin/callbell" | grep -q libcurl && fail "callbell links libcurl: every hub would map it"
assert_contains "$(dpkg-deb -I "$deb" postinst)" "systemd-sysusers callbell.conf" "the postinst"
# errors and warnings fail; a first upload that closes no Debian bug is no defect here
lintian --fail-on error,warning --suppress-tags initial-upload-closes-no-bugs "$deb" >"$TEST_TMP/lintian.log" 2>&1 ||
    fail "lintian: $(cat "$TEST_TMP/lintian.log")"
log "lintian: $(grep -c '^E:' "$TEST_TMP/lintian.log") errors, $(grep -c '^W:' "$TEST_TMP/lintian.log") warnings"

# 4. the packaged callbell, unpacked into a throwaway root, against a real broker
deb_root=$TEST_TMP/deb-root
dpkg-deb -x "$deb" "$deb_root"
cb=$deb_root/usr/bin/callbell
"$cb" config check "$deb_root/etc/callbell/example.conf" >/dev/null || fail "the packaged example.conf is refused"
start_broker
sed -e "s|^id = trattoria|id = $CALLBELL_SITE|" -e "s|^url = .*|url = $BROKER|" \
    "$deb_root/etc/callbell/example.conf" >"$TEST_TMP/site.conf"
unset CALLBELL_BROKER
# as systemd starts it: stderr is the journal (JOURNAL_STREAM names it), which keeps the time
touch "$TEST_TMP/hub.log"
bg hub env JOURNAL_STREAM="$(stat -c %d:%i "$TEST_TMP/hub.log")" "$cb" hub --config "$TEST_TMP/site.conf" \
    --db "$TEST_TMP/hub.db"
wait_for "packaged hub online" '[ "$(mqtt_get "callbell/$CALLBELL_SITE/hub/status")" = online ]'
[ -s "$TEST_TMP/hub.log" ] || fail "the hub logged nothing"
grep -E '^[0-9]{4}-' "$TEST_TMP/hub.log" && fail "the hub stamps its own time although stderr is the journal"
grep -q '^hub: ' "$TEST_TMP/hub.log" || fail "hub log lines should start 'hub: '"
"$cb" press patio-2 --config "$TEST_TMP/site.conf" >/dev/null || fail "press with the packaged callbell"
wait_for "patio-2 calling" '[ "$(state_field patio-2 status)" = calling ]'
calls=$("$cb" calls --json --config "$TEST_TMP/site.conf")
assert_eq "$(json_get "$calls" "d[0]['table']")" patio-2 "calls from the packaged callbell"
# `callbell broker` from the package serves the package's web board
P2=$(free_port) WS=$(free_port)
bg pkg-broker env -u CALLBELL_WEB_DIR "$cb" broker --port "$P2" --ws-port "$WS" --data-dir "$TEST_TMP/bdata"
wait_for "packaged broker up" 'grep -q "web board: http://127.0.0.1:$WS/" "$TEST_TMP/pkg-broker.log"' 15
page=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$WS/index.html').read().decode())")
assert_contains "$page" "mqtt.min.js" "web board served from the package"
# lighttpd.conf's document-root, or mosquitto.conf's http_dir where lighttpd is missing
served=$(cat "$TEST_TMP/bdata/lighttpd.conf" "$TEST_TMP/bdata/mosquitto.conf" 2>/dev/null |
    grep -E '^(server.document-root|http_dir) ' || true)
assert_contains "$served" "$deb_root/usr/share/callbell/web" "the packaged broker's web board"
echo ok
