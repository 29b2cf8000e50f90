#!/bin/bash
# cppcheck over the product's sources. Suppressed, with reasons:
#   memleak, resourceLeak: cppcheck does not model __attribute__((cleanup)), which frees and
#     closes our _cleanup_ locals on every return path (ASan/LSan runs check that for real);
#   missingIncludeSystem: system headers are not cppcheck's to parse.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v cppcheck >/dev/null || { echo "SKIP: no cppcheck"; exit 77; }
build=${1:-build}
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,performance,portability \
	--suppress=missingIncludeSystem --suppress=memleak --suppress=resourceLeak \
	-D_GNU_SOURCE -I include -I src -I "$build" src
echo "cppcheck: clean"
