#!/bin/bash
# Anti-spoofing, always on: a container sends only from its own MAC and IPv4 address (IP, ARP
# and the frame's source), whatever it does inside its namespace; the elements come and go with
# the attachment; check sees them, restore puts them back.
. "$(dirname "$0")/lib.sh"

make_upstream
make_container a
make_container b
ip -n b link set lo up # setup brings it up; teardown leaves the container's lo alone
brnet setup --netns /run/netns/a --id a >/dev/null
before_b=$(snapshot)
brnet setup --netns /run/netns/b --id b >/dev/null
A=10.0.42.2
B=10.0.42.3
reach() { local ns=$1; shift; ip netns exec "$ns" ping -c1 -W1 "$@" >/dev/null 2>&1; }
reach_from() { local ns=$1 src=$2 dst=$3; ip netns exec "$ns" ping -c1 -W1 -I "$src" "$dst" >/dev/null 2>&1; }
# Positive checks after a forgery: the neighbour entries the forged packets left unresolved
# (FAILED, with probes backing off) go first, and a slow machine gets three tries.
reach_again() {
	ip -n "$1" neigh flush all
	for _ in 1 2 3; do reach_from "$@" && return 0; done
	return 1
}

reach_from a $A $B || fail "a cannot reach b from its own address"
reach_from a $A 10.0.42.1 || fail "a cannot reach the gateway"
reach_from a $A $UPSTREAM_ADDR || fail "a cannot reach upstream"
echo "ok: the container's own address works"

# A second address inside the container: its packets and its ARP go nowhere.
ip -n a addr add 10.0.42.99/24 dev eth0
for dst in $B 10.0.42.1 $UPSTREAM_ADDR; do
	! reach_from a 10.0.42.99 $dst || fail "a reached $dst from a spoofed address"
done
echo "ok: a spoofed source address reaches nobody"
ip -n a addr del 10.0.42.99/24 dev eth0

# The workload has CAP_NET_ADMIN in its namespace: it renumbers itself, and is cut off.
ip -n a addr flush dev eth0
ip -n a addr add 10.0.42.50/24 dev eth0
ip -n a route add default via 10.0.42.1
for dst in $B 10.0.42.1 $UPSTREAM_ADDR; do
	! reach a $dst || fail "a renumbered to 10.0.42.50 reached $dst"
done
echo "ok: a renumbered container reaches nobody"
ip -n a addr flush dev eth0
ip -n a addr add $A/24 dev eth0
ip -n a route add default via 10.0.42.1
reach_again a $A $B || fail "a lost its network after getting its address back"

# Another MAC: every frame from it is dropped.
mac=$(ip -n a -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
ip -n a link set eth0 address 02:de:ad:be:ef:01
ip -n a neigh flush all
! reach a $B || fail "a reached b with a forged MAC"
! reach a 10.0.42.1 || fail "a reached the gateway with a forged MAC"
echo "ok: a forged MAC reaches nobody"
ip -n a link set eth0 address "$mac"
reach_again a $A $B || fail "a lost its network after getting its MAC back"

# IPv6: the network is IPv4 only, and the egress policy and the checks above key on IPv4
# addresses, so IPv6 frames from a container are dropped. eth0 has no link-local address,
# but the workload can add one: it reaches neither the other container nor the host.
ip -n a addr add fe80::a/64 dev eth0 nodad
ip -n b addr add fe80::b/64 dev eth0 nodad
ping6() { ip netns exec "$1" ping -6 -c1 -W1 "$2%eth0" >/dev/null 2>&1; }
! ping6 a fe80::b || fail "a reached b over IPv6"
! ping6 b fe80::a || fail "b reached a over IPv6"
ip addr add fe80::1/64 dev brnet0 nodad
! ping6 a fe80::1 || fail "a reached the host over IPv6"
# The same addresses on a bridge outside our guard reach each other: the probe works.
ip link add name v6a type veth peer name v6b
ip addr add fe80::c/64 dev v6a nodad
ip link set v6b netns a
ip -n a addr add fe80::d/64 dev v6b nodad
ip link set v6a up
ip -n a link set v6b up
ip netns exec a ping -6 -c1 -W2 fe80::c%v6b >/dev/null 2>&1 || fail "the IPv6 probe does not work"
ip -n a link del v6b
ip addr del fe80::1/64 dev brnet0
ip -n a addr del fe80::a/64 dev eth0
ip -n b addr del fe80::b/64 dev eth0
echo "ok: IPv6 from a container reaches neither another container nor the host"

# ARP poisoning: a claims b's address in a raw ARP reply to the gateway. With arp_accept the
# host takes unsolicited replies, so without the guard it would learn a's MAC for b.
sysctl -qw net.ipv4.conf.brnet0.arp_accept=1
ip neigh flush dev brnet0
ip netns exec a python3 - "$mac" $B <<'PY'
import socket, struct, sys
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
claim = socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
bcast = b"\xff" * 6
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac, claim, bcast, socket.inet_aton("10.0.42.1"))
for _ in range(3):
    s.send(bcast + mac + struct.pack("!H", 0x0806) + arp)
PY
sleep 0.2
got=$(ip -j neigh show $B dev brnet0 | python3 -c 'import json,sys; n=json.load(sys.stdin); print(n[0].get("lladdr","") if n else "")')
[ "$got" != "$mac" ] || fail "the host learnt a's MAC for b's address"
echo "ok: a forged ARP reply is dropped (host has '$got' for $B)"

# Teardown takes exactly its own elements.
brnet teardown --id b
[ "$before_b" = "$(snapshot)" ] || { diff <(echo "$before_b") <(snapshot) >&2; fail "teardown of b left a trace"; }
nft -j list set bridge brnet guard_addr | grep -q '"a/eth0"' || fail "teardown of b removed a's elements"
echo "ok: teardown removes exactly its own elements"

# check sees the elements; a flushed ruleset is reported and restored.
brnet check --id a >/dev/null || fail "check reports a problem on a healthy attachment"
nft flush ruleset
set +e
out=$(brnet check --id a 2>&1)
rc=$?
set -e
expect_eq "check after nft flush ruleset" "$rc" "1"
case "$out" in *"anti-spoofing"*) echo "ok: check names the missing anti-spoofing" ;; *) fail "check did not report anti-spoofing: $out" ;; esac
brnet restore >/dev/null
brnet check --id a >/dev/null || fail "check fails after restore"
ip -n a addr add 10.0.42.99/24 dev eth0
! reach_from a 10.0.42.99 10.0.42.1 || fail "spoofing works after restore"
ip -n a addr del 10.0.42.99/24 dev eth0
reach_again a $A 10.0.42.1 || fail "a lost its network after restore"
echo "ok: restore puts anti-spoofing back"

# The guard of an older brnet let IPv6 through, in a rule named "brnet guard ethertype": the
# next setup finds its own rule missing and writes the chain afresh, without the old one.
guard_rule() { rule_handle bridge brnet guard "$1"; }
nft delete rule bridge brnet guard handle "$(guard_rule "brnet guard ipv4 arp only")"
nft add rule bridge brnet guard iifname @guarded ether type != { ip, arp, ip6 } drop comment '"brnet guard ethertype"'
make_container c
brnet setup --netns /run/netns/c --id c >/dev/null
expect_eq "old ethertype rule gone" "$(guard_rule "brnet guard ethertype")" ""
[ -n "$(guard_rule "brnet guard ipv4 arp only")" ] || fail "the setup did not put the ethertype rule back"
expect_eq "guard rules after the rewrite" \
	"$(nft -j list chain bridge brnet guard | python3 -c 'import json,sys; print(sum("rule" in o for o in json.load(sys.stdin)["nftables"]))')" "5"
brnet check --id a >/dev/null || fail "check fails after the guard was rewritten"
echo "ok: an older guard chain is written afresh by the next setup"

