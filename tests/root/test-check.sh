#!/bin/bash
# brnet check asks the kernel, object by object, and names every object that is missing.
. "$(dirname "$0")/lib.sh"

make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 >/dev/null
brnet setup --netns /run/netns/c2 --id c2 >/dev/null
expect_eq "healthy attachment" "$(brnet check --id c1)" "c1/eth0: ok"
expect_eq "check --all, all healthy" "$(brnet check --all)" "c1/eth0: ok
c2/eth0: ok"

expect_problem() { # ID NEEDLE
	local out rc
	set +e
	out=$(brnet check --id "$1")
	rc=$?
	set -e
	expect_eq "check exit code ($2)" "$rc" "1"
	case "$out" in *"$2"*) echo "ok: reports: $2" ;; *) fail "check does not report '$2': $out" ;; esac
}

# The lease: gone, another attachment's, a file that names no owner.
lease=/run/brnet/networks/brnet0/leases/10.0.42.2
mv "$lease" "$TMPDIR/lease"
expect_problem c1 "no lease for c1/eth0: address 10.0.42.2 is not leased"
printf 'other eth0\n' >"$lease"
expect_problem c1 "no lease for c1/eth0: address 10.0.42.2 is leased to other/eth0"
: >"$lease"
expect_problem c1 "lease file /run/brnet/networks/brnet0/leases/10.0.42.2 is not \"ID IFNAME\""
mv "$TMPDIR/lease" "$lease"
expect_eq "lease back" "$(brnet check --id c1)" "c1/eth0: ok"
# Forwarding turned off behind brnet's back (sysctl --system with a file that says 0): the
# container reaches nothing past the host; restore turns it back on.
echo 0 >/proc/sys/net/ipv4/ip_forward
expect_problem c1 "net.ipv4.ip_forward is 0: nothing eth0 sends leaves the host"
brnet restore >/dev/null
expect_eq "forwarding back after restore" "$(cat /proc/sys/net/ipv4/ip_forward)" "1"
expect_eq "and check is content" "$(brnet check --id c1)" "c1/eth0: ok"
# route_localnet off on the bridge: a publisher's ports are not reached as 127.0.0.1.
make_container c3
brnet setup --netns /run/netns/c3 --id c3 -p 8080:80 >/dev/null
echo 0 >/proc/sys/net/ipv4/conf/brnet0/route_localnet
expect_problem c3 "route_localnet is off on bridge brnet0"
# --all: a line for each healthy attachment, a line naming the attachment for each problem,
# exit 1; --json, an object per attachment.
set +e
out=$(brnet check --all)
rc=$?
set -e
expect_eq "check --all exit, c3 with a problem" "$rc" "1"
expect_eq "check --all, c3 with a problem" "$out" "c1/eth0: ok
c2/eth0: ok
problem: c3/eth0: route_localnet is off on bridge brnet0: the host does not reach the published ports as 127.0.0.1"
{ brnet check --all --json || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is False and d["warnings"] == [], d
assert [(a["id"], a["ok"], len(a["problems"])) for a in d["attachments"]] == [("c1", True, 0), ("c2", True, 0), ("c3", False, 1)], d
assert d["attachments"][2]["problems"][0].startswith("route_localnet is off"), d' || fail "check --all --json"
echo "ok: check --all --json"
for args in "" "--all --id c1" "--all --ifname eth1"; do
	set +e
	# shellcheck disable=SC2086
	msg=$(brnet check $args 2>&1)
	rc=$?
	set -e
	expect_eq "check $args: exit" "$rc" "2"
	case "$msg" in *"--all"*) ;; *) fail "check $args: $msg" ;; esac
done
expect_eq "a non-publisher does not mind" "$(brnet check --id c1)" "c1/eth0: ok"
brnet restore >/dev/null
expect_eq "route_localnet back after restore" "$(brnet check --id c3)" "c3/eth0: ok"
brnet teardown --id c3 >/dev/null
ip -n c1 route del default
expect_problem c1 "no default route via 10.0.42.1 on eth0"
ip -n c1 addr flush dev eth0
expect_problem c1 "does not carry 10.0.42.2/24"
ip -n c1 link set eth0 down
expect_problem c1 "interface eth0 is down"
# Each problem is its own line, marked as a problem (not as missing: the interface is there).
expect_eq "a problem's line" "$(brnet check --id c1 | grep 'eth0 is down')" \
	"problem: interface eth0 is down in /run/netns/c1"
veth=$(python3 -c 'import json; print(json.load(open("/run/brnet/attachments/c1@eth0.json"))["host_veth"])')
ip link set "$veth" nomaster
expect_problem c1 "is not on bridge brnet0"
ip link del "$veth"
expect_problem c1 "host veth $veth is missing"
ip netns del c1
expect_problem c1 "namespace /run/netns/c1 is gone"
n_rules=$(nft -j list table inet brnet | python3 -c 'import json,sys; print(sum("rule" in x for x in json.load(sys.stdin)["nftables"]))')
nft delete table inet brnet
expect_problem c2 'rule "brnet network brnet0" is missing from table inet brnet'
expect_problem c2 'rule "brnet localnet guard" is missing from table inet brnet'
# One problem per rule of table inet brnet, all of them gone: as many as nft listed before.
{ brnet check --id c2 --json || true; } | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["problems"]; assert d["ok"] is False and len(p) == int(sys.argv[1]) and all("is missing from table inet brnet" in x for x in p), d' "$n_rules"
echo "ok: --json lists the problems"
set +e
msg=$(brnet check --id nosuch 2>&1)
rc=$?
set -e
expect_eq "check of an unknown attachment" "$rc" "1"
case "$msg" in *"no attachment nosuch/eth0"*) echo "ok: $msg" ;; *) fail "$msg" ;; esac
echo PASS
