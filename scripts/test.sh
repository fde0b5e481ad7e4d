#!/usr/bin/env bash
# test.sh - every test callbell has, from a fresh clone on Debian: installs what is
# missing, then builds and runs
#   1. unit tests of the portable core (release build, -Werror at -O2),
#   2. unit + integration tests under AddressSanitizer and UBSan (real Mosquitto on
#      free loopback ports, the real binaries, the board in tmux),
#   3. the core built for the Pico W's Cortex-M0+ (arm-none-eabi-gcc -Os) and its size,
#   4. the libFuzzer targets: payload decoders, the site file, the setup console and
#      settings record (short runs),
#   5. the web board in headless Chromium (Playwright) against broker + hub.
# Ends with one line "test.sh: N passed, M failed"; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
scripts/install-deps.sh test || { echo "test.sh: installing dependencies failed"; exit 1; }

passed=0
failed=0
failures=()
step() {
    local name=$1
    shift
    echo
    echo "=== $name"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "=== $name: ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "=== $name: FAILED ($((SECONDS - start)) s)"
    fi
}

build() { # build DIR cmake-args...
    local dir=$1
    shift
    cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
    if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
        grep -E -A3 "error|warning" "$dir.build.log" | head -n 60
        echo "build of $dir failed (full log: $dir.build.log)"
        return 1
    fi
}

release_unit() {
    build build-release -DCMAKE_BUILD_TYPE=Release && ctest --test-dir build-release -R '^unit[.]' --output-on-failure
}

sanitized_all() {
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DCALLBELL_SANITIZE=ON &&
        ctest --test-dir build-asan --output-on-failure -j2
}

fuzz() {
    CC=clang build build-fuzz -DCALLBELL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo || return 1
    mkdir -p build-fuzz/work
    build-fuzz/tests/fuzz/fuzz_payload -max_total_time=30 -print_final_stats=1 build-fuzz/work tests/fuzz/corpus \
        2>&1 | tail -n 12 || return 1
    mkdir -p build-fuzz/site-work
    build-fuzz/tests/fuzz/fuzz_site_config -max_total_time=15 -print_final_stats=1 build-fuzz/site-work \
        tests/fuzz/corpus-site 2>&1 | tail -n 6 || return 1
    mkdir -p build-fuzz/work-settings
    build-fuzz/tests/fuzz/fuzz_settings -max_total_time=20 -print_final_stats=1 build-fuzz/work-settings \
        tests/fuzz/corpus-settings 2>&1 | tail -n 12
}

web() {
    CALLBELL_BIN="$root/build-asan/callbell" CALLBELL_WEB_DIR="$root/build-asan/web" tests/web/run.sh
}

step "formatting (clang-format)" scripts/check-format.sh
step "release build + unit tests" release_unit
step "ASan+UBSan build + unit and integration tests" sanitized_all
step "portable core for Cortex-M0+" scripts/build-core-arm.sh build-arm
step "libFuzzer: payload decoders (30 s), site file (15 s), setup console and settings (20 s)" fuzz
step "web board in Chromium" web

echo
[ $failed -gt 0 ] && echo "failed: ${failures[*]}"
echo "test.sh: $passed passed, $failed failed"
[ $failed -eq 0 ]
