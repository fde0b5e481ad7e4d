#!/usr/bin/env bash
# check-format.sh - every C file tracked by git is as clang-format (.clang-format) writes it.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r f; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.c' '*.h')
if [ ${#bad[@]} -gt 0 ]; then
    echo "not clang-formatted (run clang-format -i on them): ${bad[*]}"
    exit 1
fi
echo "all C files formatted"
