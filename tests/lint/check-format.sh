#!/bin/bash
# Every C file is formatted as .clang-format says (kernel-like, 100 columns).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "SKIP: no clang-format"; exit 77; }
find include src tests fuzz bench -name '*.[ch]' -print0 2>/dev/null |
	xargs -0 clang-format --dry-run --Werror
echo "formatted"
