#!/usr/bin/env bash
# demo.sh - install what is missing, build, and run `callbell demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCALLBELL_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/callbell demo "$@"
