#!/usr/bin/env bash
# run-rp2040js.sh - builds the Pico W firmware and runs the image in the rp2040js
# emulator (npm, firmware/rp2040js/run.mjs): boot log on USB serial, a press on each
# button -> "press queued" for its table and kind, a 20 us glitch -> nothing, the
# setup console's set / save / reboot -> the settings kept; power=sleepy -> the idle
# device sleeps with the radio off and a press wakes it and is queued.
#
# Needs what CI does not have, so it skips (saying so, exit 0) without:
#   PICO_SDK_PATH    a pico-sdk 2.x checkout with its submodules (docs/firmware.md)
#   RP2040_BOOTROM   the RP2040 boot ROM for the emulator: a raw 16 KiB .bin, or the
#                    demo/bootrom.ts of rp2040js's source repository (the npm package
#                    does not ship it)
# Optional: picotool_DIR (a built picotool, so the build also makes the .uf2),
# BUILD_DIR (default build-pico-emu), RP2040JS_LIMIT_S (per step,
# default 240), RP2040JS_VERBOSE=1 (echo the device's serial output).
#
# What the emulator cannot show: it has no CYW43 Wi-Fi chip (no network, no broker,
# no on-board LED, no VSYS reading) and does not emulate writing flash (run.mjs does
# the boot ROM's erase and program on the emulated flash itself).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${PICO_SDK_PATH:-}" ]; then
    echo "run-rp2040js: SKIP: PICO_SDK_PATH is not set, so the firmware is not built or run in rp2040js"
    exit 0
fi
if [ -z "${RP2040_BOOTROM:-}" ] || [ ! -f "${RP2040_BOOTROM}" ]; then
    echo "run-rp2040js: SKIP: RP2040_BOOTROM (the RP2040 boot ROM for the emulator) is not set or missing"
    exit 0
fi
command -v node >/dev/null || { echo "run-rp2040js: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
command -v arm-none-eabi-gcc >/dev/null ||
    { echo "run-rp2040js: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi" >&2; exit 1; }

# rp2040js cannot wake a dormant RP2040 (the crystal stops; it emulates no clock
# restart): the image it runs is built without pico-extras, so a sleepy device
# sleeps lightly (CPU waiting for interrupts) and the wake-by-button check means
# something. With PICO_EXTRAS_PATH set, that check waited 240 s for nothing.
if [ -n "${PICO_EXTRAS_PATH:-}" ]; then
    echo "run-rp2040js: building without pico-extras (PICO_EXTRAS_PATH ignored): the emulator has no dormant mode"
    unset PICO_EXTRAS_PATH
fi
build=${BUILD_DIR:-$root/build-pico-emu}
mkdir -p "$build"
picotool_args=(-DPICO_NO_PICOTOOL=1)
if [ -n "${picotool_DIR:-}" ]; then picotool_args=(-Dpicotool_DIR="$picotool_DIR"); fi
cmake -S "$root/firmware/pico_w" -B "$build" -DPICO_BOARD=pico_w -UPICO_EXTRAS_PATH "${picotool_args[@]}" >"$build/cmake.log" 2>&1 ||
    { tail -n 20 "$build/cmake.log" >&2; exit 1; }
cmake --build "$build" -j2 >"$build/build.log" 2>&1 || { grep -E "error|warning" "$build/build.log" | head -20 >&2; exit 1; }
arm-none-eabi-size "$build/callbell_pico_w.elf"

cd "$root/firmware/rp2040js"
npm ci --no-audit --no-fund --silent
node run.mjs --image "$build/callbell_pico_w.bin" --bootrom "$RP2040_BOOTROM"
