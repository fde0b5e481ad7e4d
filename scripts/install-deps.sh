#!/usr/bin/env bash
# install-deps.sh [run|test] - installs what callbell needs on Debian, only what is
# missing: `run` for building and running (`callbell demo`), `test` adds the test
# tools (cmocka, clang's libFuzzer, the ARM cross compiler, Chromium, tmux), and
# ejabberd / RabbitMQ when CALLBELL_TEST_EJABBERD=1 / CALLBELL_TEST_RABBITMQ=1 ask for
# the integration tests on them (their system services kept off).
set -euo pipefail
profile=${1:-run}
cd "$(dirname "$0")/.."

run_pkgs=(build-essential cmake pkg-config mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev
          libncurses-dev libcjson-dev libinih-dev libsystemd-dev libcurl4-openssl-dev help2man ca-certificates openssl
          lighttpd lighttpd-mod-openssl)
test_pkgs=(libcmocka-dev clang clang-format libclang-rt-14-dev gcc-arm-none-eabi libnewlib-arm-none-eabi tmux chromium libnss3-tools
           python3 sqlite3 openssl lintian dpkg-dev file systemd iproute2 nftables)
# Brokers the integration suite also runs on only when asked (tests/integration/
# CMakeLists.txt): CALLBELL_TEST_EJABBERD=1, CALLBELL_TEST_RABBITMQ=1.
opt_brokers=()
[ "${CALLBELL_TEST_EJABBERD:-}" = 1 ] && opt_brokers+=(ejabberd)
[ "${CALLBELL_TEST_RABBITMQ:-}" = 1 ] && opt_brokers+=(rabbitmq-server)
pkgs=("${run_pkgs[@]}")
[ "$profile" = test ] && pkgs+=("${test_pkgs[@]}" "${opt_brokers[@]}")

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with npm inside): only the commands matter.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # ejabberd's and RabbitMQ's packages start a system-wide broker listening on every
    # interface; the tests start their own on loopback. Debian's policy-rc.d keeps
    # package scripts from starting services while we install (101: not allowed).
    policy=""
    if [ ${#opt_brokers[@]} -gt 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod 0755 "$policy"
    fi
    rc=0
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || rc=$?
    [ -z "$policy" ] || $sudo rm -f "$policy"
    [ "$rc" -eq 0 ] || exit "$rc"
    # Debian's lighttpd package enables (and where it can, starts) a system-wide web
    # server on port 80. `callbell broker` runs a lighttpd of its own with its own config
    # and needs none: turn the system one off again.
    for service in lighttpd ejabberd rabbitmq-server; do
        case " ${missing[*]} " in
        *" $service "*)
            if command -v systemctl >/dev/null; then
                $sudo systemctl stop "$service" >/dev/null 2>&1 || true
                $sudo systemctl disable "$service" >/dev/null 2>&1 || true
            fi
            ;;
        esac
    done
fi

# The web board's packages (mqtt.js, playwright-core), exactly as locked.
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci (web/)"
    npm ci --prefix web --no-audit --no-fund --loglevel=error
fi

# Brokers other than Mosquitto that the integration tests start (aedes), as locked.
if [ ! -d tests/brokers/node_modules ] ||
    [ tests/brokers/package-lock.json -nt tests/brokers/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci (tests/brokers/)"
    npm ci --prefix tests/brokers --no-audit --no-fund --loglevel=error
fi
