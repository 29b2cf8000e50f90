#!/bin/bash
# No helper processes: no verb of brnet, and no verb of brnet-cni with its built-in IPAM, execs
# anything (the one execve is the program itself), UDP ports and their conntrack step
# included. The only execs in the product are the user's own command (brnet run) and a
# delegated IPAM plugin (brnet-cni).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "needs strace"
[ -x "${BRNET_CNI:-}" ] || fail "brnet-cni not found at '${BRNET_CNI:-}'"

# execs CMD...: run under strace, print how many execve it made; its stdout goes to $TMPDIR/out.
execs() {
	# LeakSanitizer cannot run under ptrace; the other suites cover leaks.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -e trace=execve -o "$TMPDIR/trace" "$@" >"$TMPDIR/out" && rc=0 || rc=$?
	echo $rc >"$TMPDIR/rc"
	grep -c 'execve(' "$TMPDIR/trace"
}

make_upstream
make_container c1
mkdir -p "$TMPDIR/root/etc"
unshare --mount --net --propagation private sleep 60 &
ctr=$!
PIDS+=($ctr)
sleep 0.3
for verb in "setup --netns /run/netns/c1 --id c1 -p 8080:80 -p 5353:53/udp --dns 10.0.0.53 --rootfs $TMPDIR/root --egress-allow 198.51.100.0/24 --egress-log" \
	"setup --pid $ctr --id c2 --dns 10.0.0.53 --resolv-bind" \
	"policy --id c1 --egress-deny-all" "check --id c1" "ls" "restore" "gc" \
	"events --timeout 1" "teardown --id c1" "teardown --id c2"; do
	# shellcheck disable=SC2086
	expect_eq "execve count of brnet ${verb%% --*}" "$(execs "$BRNET" $verb)" "1"
	expect_eq "exit status of brnet ${verb%% --*}" "$(cat "$TMPDIR/rc")" "0"
done

make_container c3
conf='{"cniVersion":"1.1.0","name":"noexec","type":"brnet-cni","bridge":"cni9","ipam":{"type":"brnet","subnet":"10.77.0.0/24"},"runtimeConfig":{"portMappings":[{"hostPort":9090,"containerPort":80},{"hostPort":9091,"containerPort":53,"protocol":"udp"}]}}'
for cmd in ADD CHECK DEL STATUS GC VERSION; do
	if [ $cmd = CHECK ]; then
		input=$(python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["prevResult"]=json.load(open(sys.argv[2])); print(json.dumps(c))' "$conf" "$TMPDIR/add.json")
	else
		input=$conf
	fi
	n=$(echo "$input" | CNI_COMMAND=$cmd CNI_CONTAINERID=c3 CNI_IFNAME=eth0 CNI_NETNS=/run/netns/c3 \
		CNI_PATH=/nonexistent execs "$BRNET_CNI")
	expect_eq "execve count of brnet-cni $cmd" "$n" "1"
	[ $cmd = ADD ] && cp "$TMPDIR/out" "$TMPDIR/add.json"
	expect_eq "exit status of brnet-cni $cmd" "$(cat "$TMPDIR/rc")" "0"
done
echo PASS
