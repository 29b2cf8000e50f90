#!/bin/bash
# clang-tidy over the product's sources, with the checks and the justified exclusions of
# .clang-tidy; every finding is an error. The path-sensitive clang-analyzer-* checks are left
# out here for time (18 s a file on this CI's 2 cores; cppcheck and the ASan/UBSan runs cover
# that ground): run them by hand with
#   clang-tidy -p build --checks='clang-analyzer-*' src/**/*.c
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-tidy >/dev/null || { echo "SKIP: no clang-tidy"; exit 77; }
build=${1:-build}
status=0
for f in $(find src -name '*.c' | sort); do
	clang-tidy -p "$build" --quiet --checks='-clang-analyzer-*' "$f" 2>/dev/null || status=1
done
[ $status -eq 0 ] && echo "clang-tidy: clean"
exit $status
