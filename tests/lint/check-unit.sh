#!/bin/bash
# A systemd unit as systemd reads it: systemd-analyze verify, with ExecStart pointing at the
# built brnet (restore or gc --follow), says nothing (a misspelt key or value is only a
# warning there: any output fails).
#   check-unit.sh UNIT.in BRNET
set -euo pipefail
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit="$tmp/$(basename "$1" .in)"
sed "s#@sbindir@/brnet#$2#" "$1" >"$unit"
grep -qE "^ExecStart=$2 (restore|gc) --follow$" "$unit" || { echo "FAIL: ExecStart not as expected"; exit 1; }
out=$(systemd-analyze verify --man=no "$unit" 2>&1) || { echo "FAIL: $out"; exit 1; }
[ -z "$out" ] || { echo "FAIL: $out"; exit 1; }
echo "unit verified"
