#!/usr/bin/env bash
# build-core-arm.sh - proves the portable core builds for the Pico W (Cortex-M0+)
# with no heap, no I/O and no warnings, and reports its code size.
#
# usage: scripts/build-core-arm.sh [build-dir]   (default: build-arm)
# Prints `arm-none-eabi-size -t` for every object and a final line
#   core_text_bytes: N B
# Exits non-zero if any file fails to compile or archive.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-build-arm}"
cc="${ARM_CC:-arm-none-eabi-gcc}"
ar="${ARM_AR:-arm-none-eabi-ar}"
size="${ARM_SIZE:-arm-none-eabi-size}"
cflags=(-mcpu=cortex-m0plus -mthumb -Os -std=c11 -Wall -Wextra -Werror
    -ffunction-sections -fdata-sections -I"$root/lib/include")

mkdir -p "$out/obj"
rm -f "$out"/obj/*.o "$out/libcallbell_core.a"

shopt -s nullglob
sources=("$root"/lib/src/*.c)
if [ "${#sources[@]}" -eq 0 ]; then
    echo "build-core-arm: no sources in $root/lib/src" >&2
    exit 1
fi

objs=()
for src in "${sources[@]}"; do
    obj="$out/obj/$(basename "${src%.c}").o"
    "$cc" "${cflags[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done

"$ar" rcs "$out/libcallbell_core.a" "${objs[@]}"
"$size" -t "$out/libcallbell_core.a"

# The "(TOTALS)" line's first column is the summed .text.
text="$("$size" -t "$out/libcallbell_core.a" | awk '/\(TOTALS\)/ { print $1 }')"
if [ -z "$text" ]; then
    echo "build-core-arm: could not read the size totals" >&2
    exit 1
fi
echo "core_text_bytes: $text B"
