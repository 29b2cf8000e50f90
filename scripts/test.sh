#!/bin/bash
# The whole test suite, from a fresh Debian 12 machine (run as root):
#   installs the packages, builds twice (plain, and with ASan+UBSan), both with the test-only
#   fault hooks and warnings as errors, runs unit, root (private namespaces), CNI cases,
#   fuzz-replay and lint (clang-format, clang-tidy, cppcheck) suites in each, the unit and
#   fuzz-replay suites once more under valgrind, and ends with "N passed, N failed, N skipped".
# In CI (CI=true, as .ci/run sets; or BRNET_MUST_WORK=1) a test that cannot run fails instead
# of skipping, and any skip fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
# The egress policy's tests need br_netfilter (as Kubernetes does); a fresh machine may not
# have it loaded. Without it those tests fail, naming the sysctl.
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || modprobe br_netfilter || true

builds=(build-test build-asan)
declare -A opts=(
	[build-test]="-Dtest_hooks=true --werror"
	[build-asan]="-Dtest_hooks=true --werror -Db_sanitize=address,undefined -Db_lundef=false"
)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
for b in "${builds[@]}"; do
	echo "== $b"
	if [ ! -d "$b" ]; then
		# shellcheck disable=SC2086
		meson setup "$b" ${opts[$b]} >/dev/null
	fi
	ninja -C "$b" >/dev/null
	meson test -C "$b" --print-errorlogs --num-processes 2 || status=1
done

echo "== build-test under valgrind (unit and fuzz-replay suites)"
meson test -C build-test --setup valgrind --suite unit --suite fuzz --print-errorlogs || status=1

python3 - build-test/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
	build-test/meson-logs/testlog-valgrind.json <<'PY'
import json, os, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for log in sys.argv[1:]:
    with open(log) as f:
        for line in f:
            r = json.loads(line)["result"]
            key = {"OK": "passed", "EXPECTEDFAIL": "passed", "SKIP": "skipped"}.get(r, "failed")
            counts[key] += 1
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
# In CI nothing may skip: root tests already fail there instead of skipping, and this
# catches any other skip (a lint tool missing, say).
if (os.environ.get("CI") == "true" or os.environ.get("BRNET_MUST_WORK")) and counts["skipped"]:
    print("skips are failures in CI", file=sys.stderr)
    sys.exit(1)
sys.exit(1 if counts["failed"] else 0)
PY
rc=$?
[ $rc -eq 0 ] && [ $status -eq 0 ]
