#!/bin/bash
# No helper processes: setup and teardown exec nothing (the one execve is brnet itself).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "needs strace"

make_upstream
make_container c1
for verb in "setup --netns /run/netns/c1 --id c1" "teardown --id c1"; do
	# LeakSanitizer cannot run under ptrace; the other suites cover leaks.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -e trace=execve -o "$TMPDIR/trace" "$BRNET" $verb >/dev/null
	n=$(grep -c 'execve(' "$TMPDIR/trace")
	expect_eq "execve count of brnet ${verb%% *}" "$n" "1"
done
echo PASS
