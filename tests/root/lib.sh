# SPDX-License-Identifier: LGPL-2.1-or-later
# Root test harness. Sourced by every root test: re-executes the test inside private network,
# mount and PID namespaces with a tmpfs on /run, so the test's "host" is a namespace of its own with no
# link to the real network, its own nf_tables ruleset and its own state directory. An
# "upstream" namespace at 198.51.100.1 (TEST-NET-2) plays the outside world.
#
# Without root, a test skips (exit 77) locally and fails in CI (CI=true or BRNET_MUST_WORK=1).

set -euo pipefail
# Debian's tools first: the witnesses are what scripts/deps.sh installs (python3, which
# python3-grpcio extends, ip, nft). A version manager's shim earlier in PATH (pyenv's costs
# 0.2 s a call, and the tests call python3 hundreds of times) ran root-publish out of time.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BRNET:=$HERE/../../build/src/brnet}"
PEER="$HERE/peer.py"
UPSTREAM_ADDR=198.51.100.1
HOST_UPLINK_ADDR=198.51.100.2

# must_work: whether this run may not skip (CI=true, as .ci/run sets, or BRNET_MUST_WORK).
must_work() {
	[ "${CI:-}" = true ] || [ -n "${BRNET_MUST_WORK:-}" ]
}

skip() {
	if must_work; then
		echo "FAIL: cannot run here, and this run must not skip: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

if [ -z "${BRNET_SANDBOX:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root"
	for tool in unshare ip nft python3; do
		command -v $tool >/dev/null || skip "needs $tool"
	done
	[ -x "$BRNET" ] || fail "brnet binary not found at $BRNET"
	unshare --net --mount --pid --fork --mount-proc true 2>/dev/null || skip "cannot create namespaces"
	export BRNET_SANDBOX=1
	# PID namespace too: a test can only ever see (and signal) its own processes.
	exec unshare --net --mount --pid --fork --mount-proc --propagation private bash "$0" "$@"
fi

# Inside the sandbox from here on.
mount -t tmpfs -o mode=0755 brnet-test /run
mkdir -p /run/netns
export BRNET_STATE_DIR=/run/brnet
export TMPDIR=/run/tmp
mkdir -p "$TMPDIR"
ip link set lo up
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# The outside world: a namespace reached through a veth, with no route back to any
# container subnet, so that container traffic reaches it only if it is masqueraded.
make_upstream() {
	ip netns add upstream
	ip link add up0 type veth peer name eth0 netns upstream
	ip addr add "$HOST_UPLINK_ADDR/24" dev up0
	ip link set up0 up
	ip -n upstream addr add "$UPSTREAM_ADDR/24" dev eth0
	ip -n upstream link set eth0 up
	ip -n upstream link set lo up
}

# The host's route out through upstream, which what containers send past the host is judged
# to take, and container c1 publishing 8080:80; servers on upstream's tcp:8000 and c1's tcp:80.
make_uplink_publisher() {
	make_upstream
	ip route add default via "$UPSTREAM_ADDR"
	make_container c1
	brnet setup --netns /run/netns/c1 --id c1 -p 8080:80 >/dev/null
	serve upstream tcp:8000
	serve c1 tcp:80
}

# An empty network namespace for a container.
make_container() {
	ip netns add "$1"
}

# Reachability probes (probe.py): serve NS PROTO:PORT... starts a server in NS (killed at
# exit); expect_probe NS PROTO ADDR PORT WANT checks "open", "refused", "unreachable" or
# "timeout".
PROBE="$HERE/probe.py"
serve() {
	local ns=$1 ready="$TMPDIR/ready.$1.$RANDOM"
	shift
	in_ns "$ns" python3 "$PROBE" serve "$ready" "$@" >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do [ -e "$ready" ] && return 0; sleep 0.05; done
	fail "probe server in $ns did not start"
}
probe() { in_ns "$1" python3 "$PROBE" check "$2" "$3" "$4"; }
expect_probe() {
	expect_eq "$1 -> $2 $3:$4" "$(probe "$1" "$2" "$3" "$4")" "$5"
}

# rule_handle FAMILY TABLE CHAIN COMMENT: the handle of the rule with that comment, or nothing.
rule_handle() {
	nft -j -a list chain "$1" "$2" "$3" | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and r.get("comment") == sys.argv[1]:
        print(r["handle"])' "$4"
}

# refused CMD...: how many nf_tables changes the kernel refused while CMD ran. A refused
# transaction costs its abort, milliseconds (the kernel waits for the other CPUs): brnet asks
# before it acts where an answer is likely to be no.
refused() {
	strace -f -qq -e trace=recvmsg -o "$TMPDIR/refused.st" "$@" >/dev/null
	grep -cE 'error=-E[A-Z]+, msg=\{[^}]*NFNL_SUBSYS_NFTABLES<<8\|NFT_MSG_(NEW|DEL)' \
		"$TMPDIR/refused.st" || true
}

brnet() {
	"$BRNET" "$@"
}

# expect_refusal EXIT NEEDLE CMD...: CMD exits EXIT, says NEEDLE, and leaves the kernel and the
# state directory as they were.
expect_refusal() {
	local want=$1 needle=$2 before msg rc
	shift 2
	before=$(snapshot)
	set +e
	msg=$("$@" 2>&1)
	rc=$?
	set -e
	[ "$rc" = "$want" ] || fail "$*: exit $rc, expected $want: $msg"
	case "$msg" in *"$needle"*) ;; *) fail "$*: does not say '$needle': $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "$*: changed the system"; }
	echo "ok: $* -> exit $rc: $(printf '%s' "$msg" | head -n1)"
}

# in NS CMD...: run in a namespace ("host" for this one).
in_ns() {
	local ns=$1
	shift
	if [ "$ns" = host ]; then "$@"; else ip netns exec "$ns" "$@"; fi
}

# listen NS PROTO ADDR PORT: start a one-shot listener; its output goes to $TMPDIR/listen.NS.PORT
listen() {
	local ns=$1 proto=$2 addr=$3 port=$4
	local out="$TMPDIR/listen.$ns.$proto.$port" ready="$TMPDIR/ready.$ns.$proto.$port"
	rm -f "$out" "$ready"
	in_ns "$ns" python3 "$PEER" listen "$proto" "$addr" "$port" "$ready" >"$out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		[ -e "$ready" ] && return 0
		sleep 0.05
	done
	fail "listener $ns $proto $addr:$port did not start: $(cat "$out")"
}

# connect NS PROTO ADDR PORT: one request/answer; returns non-zero on failure.
connect() {
	in_ns "$1" python3 "$PEER" connect "$2" "$3" "$4"
}

# seen_by NS PROTO PORT: the client address the listener saw (waits for it).
seen_by() {
	local out="$TMPDIR/listen.$1.$2.$3"
	for _ in $(seq 100); do
		if [ -s "$out" ]; then
			head -n1 "$out"
			return 0
		fi
		sleep 0.05
	done
	fail "listener $1 $2 port $3 saw no client"
}

# expect_sigterm_ends PID: a follower (restore or gc --follow) ends on SIGTERM, as under
# systemd's stop, with the status of that signal.
expect_sigterm_ends() {
	local rc
	kill "$1"
	set +e
	wait "$1"
	rc=$?
	set -e
	expect_eq "SIGTERM ends it" "$rc" "143"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
	echo "ok: $1"
}

# IPv4 only, and without flags that follow carrier state (linkdown) or IPv6 autoconfiguration,
# which move on their own timetable. brnet is IPv4-only for now.
v4_addrs() {
	python3 -c 'import json,sys; [print(l["ifname"], [a["local"]+"/"+str(a["prefixlen"]) for a in l["addr_info"]]) for l in json.load(sys.stdin)]'
}
v4_routes() {
	python3 -c 'import json,sys; [print(r.get("dst"), r.get("gateway",""), r.get("dev"), r.get("prefsrc","")) for r in json.load(sys.stdin)]'
}
# The same for `route show table all`, with each route's table.
v4_routes_tables() {
	python3 -c 'import json,sys; [print(r.get("table","main"), r.get("type",""), r.get("dst"), r.get("gateway",""), r.get("dev"), r.get("prefsrc","")) for r in json.load(sys.stdin)]'
}

# A snapshot of everything brnet could change: host links and addresses, the nf_tables
# ruleset, routes, and the state directory (names and contents).
snapshot() {
	local out
	out=$(snapshot_raw)
	# A witness that printed nothing would make every comparison pass: refuse that.
	case "$out" in *"lo  True 65536"*"lo ['127.0.0.1/8']"*) ;; *) fail "snapshot is incomplete: $out" ;; esac
	printf '%s\n' "$out"
}

snapshot_raw() {
	{
		ip -j link show | python3 -c 'import json,sys; [print(l["ifname"], l.get("master",""), "UP" in l["flags"], l["mtu"]) for l in json.load(sys.stdin)]'
		ip -4 -j addr show | v4_addrs
		ip -4 -j route show | v4_routes
		# The log limiters of egress_lograte are the kernel's own, and expire.
		nft -j list ruleset | python3 -c 'import json,sys; r=json.load(sys.stdin); [x["set"].pop("elem", None) for x in r["nftables"] if x.get("set", {}).get("name") == "egress_lograte"]; print(json.dumps(r))'
		for ns in $(ip netns list | awk '{print $1}'); do
			echo "ns $ns"
			ip -n "$ns" -4 -j addr show | v4_addrs
			ip -n "$ns" -4 -j route show table all | v4_routes_tables
			ip -n "$ns" -4 rule show
		done
		# Files only: the empty skeleton (attachments/, networks/, a network's leases/)
		# holds no state, nor does the attachments' lock file (empty, made by the first
		# operation that locks an attachment, refused or not, and never removed), nor the
		# next-fit cursor (the symlink leases/last), which moves on purpose: a released
		# address is reused last. nft-checked is a cache of the tables' fingerprint at the
		# last full rule check, which any setup that finds the tables changed (an allowlist
		# came or went) writes again: its presence counts, its content does not.
		if [ -d "$BRNET_STATE_DIR" ]; then
			(cd "$BRNET_STATE_DIR" && find . -type f ! -path ./attachments/lock | sort &&
				find . -type f ! -name nft-checked ! -path ./attachments/lock \
					-exec sha256sum {} + | sort)
		fi
	} 2>&1
}

# JSON field of the first host link named $1 (empty if none).
link_field() {
	ip -j link show "$1" 2>/dev/null | python3 -c "import json,sys; l=json.load(sys.stdin); print(l[0].get('$2','') if l else '')" 2>/dev/null || true
}

# The number of rules in table inet brnet whose comment is $1, per nft -j.
nft_rules_with_comment() {
	nft -j list table inet brnet 2>/dev/null | python3 -c "
import json,sys
n=0
for o in json.load(sys.stdin)['nftables']:
    r=o.get('rule')
    if r and r.get('comment')=='$1': n+=1
print(n)" || echo 0
}
