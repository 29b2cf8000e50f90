#!/bin/bash
# brnet gc --follow: an attachment whose container's namespace goes away without a teardown
# is removed at once (record, lease, published port, policy), judged by what the next setup
# may take; teardowns and live containers are left alone.
. "$(dirname "$0")/lib.sh"

OUT=$TMPDIR/gc-follow.out

# wait_line PATTERN: until --follow has printed a line matching PATTERN (5 s at most)
wait_line() {
	for _ in $(seq 100); do
		grep -qE "$1" "$OUT" && return 0
		sleep 0.05
	done
	fail "expected a line like '$1', saw: $(cat "$OUT")"
}

expect_refusal 2 "--follow takes neither --dry-run nor --json" brnet gc --follow --dry-run

make_container live
brnet setup --netns /run/netns/live --id live -p 8090:80 >/dev/null

# pinned_process: a process in a namespace of its own that a mount keeps too, in $pid: when
# it ends, its namespace and its veth stay; only its process says the container is gone.
pinned_process() {
	unshare --net sleep 600 &
	pid=$!
	PIDS+=("$pid")
	sleep 0.2
	touch "/run/netns/keep-$1"
	mount --bind "/proc/$pid/ns/net" "/run/netns/keep-$1"
}
# One set up before gc follows (found when it starts), one after (found by its veth's notice).
pinned_process before
before_pid=$pid
brnet setup --pid "$pid" --id pid-before -p 8083:80 >/dev/null

brnet gc --follow >"$OUT" 2>&1 &
FOLLOW=$!
PIDS+=("$FOLLOW")
sleep 0.3

# A container whose process was its namespace's only holder: it ends, the namespace and the
# veth go with it, and so does the attachment, with its port, its lease and its policy.
unshare --net sleep 600 &
pid=$!
PIDS+=("$pid")
sleep 0.2
brnet setup --pid "$pid" --id proc -p 8081:80 --ip 10.0.42.50 --egress-allow 192.0.2.0/24 >/dev/null
kill "$pid"
wait_line '^remove attachment proc/eth0'
for _ in $(seq 40); do
	[ -z "$(brnet ls --json | python3 -c 'import json,sys; print(*[a["id"] for a in json.load(sys.stdin) if a["id"] == "proc"])')" ] && break
	sleep 0.05
done
make_container next
brnet setup --netns /run/netns/next --id next -p 8081:80 --ip 10.0.42.50 >/dev/null ||
	fail "the port and address of the gone container are still held"
expect_eq "its allowlist went with it" "$(nft list ruleset | grep -c 'chain allow_')" "0"
echo "ok: a container that ended is collected"

# A --pid container's process ends while a mount keeps its namespace: its veth stays, and its
# process is what gc follows. Without that, the next gc run would have found it.
pinned_process after
brnet setup --pid "$pid" --id pid-after -p 8084:80 >/dev/null
sleep 0.2
kill "$before_pid"
wait_line '^remove attachment pid-before/eth0'
kill "$pid"
wait_line '^remove attachment pid-after/eth0'
for port in 8083 8084; do
	brnet setup --netns /run/netns/next --id "next-$port" --ifname "e$port" -p "$port:80" >/dev/null ||
		fail "port $port of a --pid container whose process ended is still held"
	brnet teardown --id "next-$port" --ifname "e$port" >/dev/null
done
echo "ok: a --pid container whose process ended is collected, its namespace kept by a mount"

# A namespace removed by its path (a runtime's pin): the same.
make_container pinned
brnet setup --netns /run/netns/pinned --id pinned -p 8082:80 >/dev/null
ip netns del pinned
wait_line '^remove attachment pinned/eth0'
echo "ok: a namespace removed by its path is collected"

# Teardowns and live containers: nothing to say.
lines=$(wc -l <"$OUT")
brnet teardown --id next >/dev/null
sleep 0.5
expect_eq "nothing for a teardown" "$(wc -l <"$OUT")" "$lines"
brnet check --id live >/dev/null || fail "the live container after gc runs: $(brnet check --id live)"
listen live tcp 0.0.0.0 80
make_upstream
connect upstream tcp "$HOST_UPLINK_ADDR" 8090 >/dev/null || fail "the live container's port"
expect_eq "gc finds nothing left" "$(brnet gc --dry-run)" "nothing to do"

expect_sigterm_ends "$FOLLOW"
