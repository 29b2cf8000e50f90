#!/bin/bash
# bench/bench.py --quick: the performance report's whole machinery (every tool, every stage,
# the report) runs against this build, so that bench/run does not rot between the runs that
# measure. Only what does not depend on timing is checked: every stage's figures are there,
# brnet and brnet-cni exec exactly one process per operation, the CNI chain more.
. "$(dirname "$0")/lib.sh"

for tool in iperf3 strace; do
	command -v $tool >/dev/null || skip "needs $tool"
done
[ -x /usr/lib/cni/bridge ] || skip "needs containernetworking-plugins"
[ -x "$BENCH_SPAWN" ] && [ -x "$BENCH_FLOOR" ] || fail "bench/spawn or bench/floor not built"
sysctl -qw net.ipv4.ip_forward=1

out=$TMPDIR/bench
# The bench counts processes under strace, where LeakSanitizer cannot run (it stops the
# process it checks with ptrace): in an ASan build, no leak check here; the other tests have it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	python3 "$HERE/../../bench/bench.py" --quick --brnet "$BRNET" --brnet-cni "$BRNET_CNI" \
	--spawn "$BENCH_SPAWN" --floor "$BENCH_FLOOR" --out "$out" >"$TMPDIR/bench.log" 2>&1 ||
	fail "bench.py --quick: $(tail -20 "$TMPDIR/bench.log")"
report=$out/report.md
[ -s "$report" ] && [ -s "$out/raw.json" ] || fail "no report or raw.json in $out"
grep -q '^\*\*A smoke run (`--quick`)' "$report" || fail "the report does not say it is a smoke run"

# Every target has a row and a verdict (whatever it is: timings here mean nothing).
rows=$(sed -n '/^## Headline/,/^## 1\./p' "$report" | grep -cE '\| (met|\*\*missed\*\*) \|$')
expect_eq "headline rows with a verdict" "$rows" 15
! grep -nwE 'nan|refused' "$report" || fail "a figure is missing from the report"
for section in "## 1. Setup" "## 2. Scale" "## 3. Published ports" "## 4. Data path" \
	"## 5. Peak RSS" "## 6. Egress policy"; do
	grep -qF "$section" "$report" || fail "no section \"$section\""
done
grep -qE '^\| 10000 \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \|' "$report" ||
	fail "no 10,000-CIDR policy row: $(grep -A4 '^## 6' "$report")"

# Processes per operation (strace counts them: deterministic).
grep -qF '| exactly one process per operation | 1 | met |' "$report" ||
	fail "brnet execs more than itself: $(grep -F 'one process' "$report")"
for tool in 'brnet (CLI)' 'brnet-cni (CNI ADD/DEL)' 'floor (bench/floor)'; do
	row=$(grep -F "| $tool |" "$report" | tail -1) # section 5's
	case "$row" in *" MiB | 1 / 1 | 1 / 1 |") ;; *) fail "$tool: not one process per operation: $row" ;; esac
done
# The CNI reference plugins as a runtime chains them: bridge execs host-local (and, with
# ipMasq, iptables), and portmap runs after them when a port is published.
cni=$(grep -F '| CNI bridge + host-local (+ portmap) |' "$report" | tail -1)
read -r setup0 setup1 <<<"$(echo "$cni" | awk -F'|' '{split($4, a, "/"); split($5, b, "/"); print a[1] + 0, b[1] + 0}')"
[ "$setup0" -ge 2 ] && [ "$setup1" -gt "$setup0" ] || fail "CNI chain not run as a runtime would: $cni"
echo "ok: bench.py --quick ran every stage: $(sed -n '/^## Headline/,/^## 1\./p' "$report" | grep -c '| met |') of 15 verdicts met (meaningless here)"
