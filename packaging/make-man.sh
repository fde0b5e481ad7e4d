#!/bin/sh
# make-man.sh CALLBELL OUTDIR VERSION EXAMPLE - the man pages, made by help2man from
# the program's own --help texts (one source: they cannot drift from the program):
# callbell(1), callbell-<command>(1) for each command `callbell --help` lists, and
# callbell.conf(5) from `callbell config --reference` with EXAMPLE as its example.
# Pages are written gzipped (-9n, reproducible) as Debian wants them.
set -eu
callbell=$1 out=$2 version=$3 example=$4
mkdir -p "$out/wrap"
see_also=".BR callbell.conf (5),"

page() { # page NAME SECTION DESCRIPTION EXECUTABLE [help2man options...]
    name=$1 section=$2 what=$3 exe=$4
    shift 4
    help2man --no-info --no-discard-stderr --section="$section" --name="$what" \
        --version-string="$version" "$@" --output="$out/$name.$section" "$exe"
    gzip -9nf "$out/$name.$section"
}

# help2man runs "PROGRAM --help": a tiny wrapper per command stands in for PROGRAM.
wrapper() { # wrapper NAME ARGS...
    w="$out/wrap/$1"
    shift
    printf '#!/bin/sh\n[ "$1" = --version ] && exec echo %s\nexec "%s" %s "$@"\n' "$version" "$callbell" "$*" >"$w"
    chmod +x "$w"
    echo "$w"
}

commands=$("$callbell" --help | sed -n 's/^  \([a-z]*\)  *\(.*\)$/\1 \2/p')
cat >"$out/see-also.h2m" <<H2M
[SEE ALSO]
.BR callbell (1),
$(echo "$commands" | while read -r cmd _; do printf '.BR callbell-%s (1),\n' "$cmd"; done)
$see_also
.BR mosquitto (8)
H2M
page callbell 1 "restaurant service-call system over MQTT" "$(wrapper callbell)" --include="$out/see-also.h2m"
echo "$commands" | while read -r cmd what; do
    page "callbell-$cmd" 1 "$what" "$(wrapper "callbell-$cmd" "$cmd")" --include="$out/see-also.h2m"
done

{
    echo "[EXAMPLE]"
    echo ".nf"
    # troff: a backslash is \e; a leading . ' or [ (a help2man section) is escaped
    sed -e 's/\\/\\e/g' -e 's/^\([.'"'"'[]\)/\\\&\1/' "$example"
    echo ".fi"
    echo "[FILES]"
    echo ".TP"
    echo ".I /etc/callbell/SITE.conf"
    echo "the site file of site SITE, read by callbell-hub@SITE.service"
    cat "$out/see-also.h2m"
} >"$out/conf.h2m"
printf '#!/bin/sh\n[ "$1" = --version ] && exec echo %s\nexec "%s" config --reference\n' "$version" "$callbell" \
    >"$out/wrap/callbell.conf"
chmod +x "$out/wrap/callbell.conf"
page callbell.conf 5 "the callbell site file" "$out/wrap/callbell.conf" --include="$out/conf.h2m" \
    --manual="File Formats"
rm -rf "$out/wrap"
