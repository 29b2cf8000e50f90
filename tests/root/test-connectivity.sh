#!/bin/bash
# Two containers on the default network: each reaches the gateway and the other with its own
# source address kept; traffic to the outside world is masqueraded behind the host.
. "$(dirname "$0")/lib.sh"

make_upstream
make_container c1
make_container c2
# The first setup makes the tables and writes the egress chain, after asking which sets of an
# older brnet are there to drop (none): no transaction the kernel refuses.
expect_eq "refused transactions, first setup" "$(refused "$BRNET" setup --netns /run/netns/c1 --id c1)" "0"
brnet setup --netns /run/netns/c2 --id c2 --mtu 1400 --json >"$TMPDIR/c2.json"

a2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$TMPDIR/c2.json")
expect_eq "second container gets the next address" "$a2" "10.0.42.3/24"
# --json reports the interface's MTU: the one asked for, or the kernel's default (not 0).
expect_eq "MTU asked for, in --json" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mtu"])' "$TMPDIR/c2.json")" "1400"
make_container c0
brnet setup --netns /run/netns/c0 --id c0 --json >"$TMPDIR/c0.json"
expect_eq "the kernel's MTU, in --json" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mtu"])' "$TMPDIR/c0.json")" \
	"$(ip -n c0 -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')"
brnet teardown --id c0 >/dev/null

# Kernel witnesses: the container side.
addr=$(ip -n c1 -j addr show eth0 | python3 -c 'import json,sys; a=json.load(sys.stdin)[0]; print([x["local"]+"/"+str(x["prefixlen"]) for x in a["addr_info"] if x["family"]=="inet"][0], a["operstate"])')
expect_eq "c1 eth0 address and state" "$addr" "10.0.42.2/24 UP"
route=$(ip -n c1 -j route show default | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["gateway"], r["dev"])')
expect_eq "c1 default route" "$route" "10.0.42.1 eth0"
lo=$(ip -n c1 -j link show lo | python3 -c 'import json,sys; print("UP" in json.load(sys.stdin)[0]["flags"])')
expect_eq "c1 lo up" "$lo" "True"
# An IPv4 network: no IPv6 address on eth0, not even a link-local one (lo keeps ::1).
expect_eq "c1 eth0 has no IPv6 address" "$(ip -n c1 -6 -o addr show dev eth0)" ""

# The host side: bridge with the gateway, veths on it and up.
queues() { # LINK [NS]: transmit/receive queues the kernel made
	ip ${2:+-n "$2"} -d -j link show "$1" |
		python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l["num_tx_queues"], l["num_rx_queues"], sep="/")'
}
gw=$(ip -j addr show brnet0 | python3 -c 'import json,sys; print([x["local"]+"/"+str(x["prefixlen"]) for x in json.load(sys.stdin)[0]["addr_info"] if x["family"]=="inet"])')
expect_eq "bridge carries the gateway" "$gw" "['10.0.42.1/24']"
# Multicast snooping off: with no querier the kernel floods multicast anyway, and snooping's
# per-port work made every setup on a full bridge slower (design.md).
mcast_snooping() { ip -d -j link show brnet0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_data"]["mcast_snooping"])'; }
expect_eq "bridge multicast snooping" "$(mcast_snooping)" "0"
for id in c1 c2; do
	veth=$(python3 -c 'import json; print([json.load(open(f))["host_veth"] for f in ["/run/brnet/attachments/'$id'@eth0.json"]][0])')
	case "$veth" in vb[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;; *) fail "host veth name $veth is not vb+8 hex" ;; esac
	expect_eq "$id host veth on brnet0" "$(link_field "$veth" master)" "brnet0"
	expect_eq "$id host veth up" "$(link_field "$veth" operstate)" "UP"
	expect_eq "$id host veth has no IPv6 link-local address" "$(ip -6 -o addr show dev "$veth")" ""
	expect_eq "$id host veth carries its owner's mark" "$(link_field "$veth" ifalias)" "brnet $id/eth0"
	# One queue each way on both ends, as asked at creation (the default is one per CPU).
	expect_eq "$id queues (host end, container end)" \
		"$(queues "$veth") $(queues eth0 "$id")" "1/1 1/1"
done
expect_eq "c2 MTU inside" "$(ip -n c2 -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" "1400"
expect_eq "c2 MTU of the host end" "$(link_field "$veth" mtu)" "1400"
expect_eq "ip_forward" "$(cat /proc/sys/net/ipv4/ip_forward)" "1"
expect_eq "one masquerade rule for two containers" "$(nft_rules_with_comment 'brnet network brnet0')" "1"

# Container <-> gateway.
ip netns exec c1 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c1 cannot ping the gateway"
echo "ok: c1 reaches the gateway"

# Container <-> container, source kept (no NAT between containers), TCP and UDP.
for proto in tcp udp; do
	listen c2 $proto 0.0.0.0 7000
	connect c1 $proto 10.0.42.3 7000 >/dev/null || fail "c1 cannot reach c2 over $proto"
	expect_eq "c2 sees c1's own address ($proto)" "$(seen_by c2 $proto 7000)" "10.0.42.2"
done

# Container -> outside: masqueraded behind the host's uplink address.
for proto in tcp udp; do
	listen upstream $proto 0.0.0.0 8000
	connect c1 $proto $UPSTREAM_ADDR 8000 >/dev/null || fail "c1 cannot reach upstream over $proto"
	expect_eq "upstream sees the host address ($proto)" "$(seen_by upstream $proto 8000)" "$HOST_UPLINK_ADDR"
done

# The host reaches the container directly.
listen c1 tcp 10.0.42.2 7100
connect host tcp 10.0.42.2 7100 >/dev/null || fail "host cannot reach c1"
expect_eq "c1 sees the gateway as the host's source" "$(seen_by c1 tcp 7100)" "10.0.42.1"

# Multicast between containers still arrives (flooded), with the sender's own address.
ip netns exec c2 python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("239.1.2.3", 7200))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4s", socket.inet_aton("239.1.2.3"), socket.inet_aton("10.0.42.3")))
s.settimeout(5)
data, peer = s.recvfrom(100)
print(data.decode(), peer[0])' >"$TMPDIR/mcast" &
mcast_rx=$!
sleep 0.5
ip netns exec c1 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.42.2"))
for _ in range(20):  # until the receiver, started just before, has joined
    s.sendto(b"hello", ("239.1.2.3", 7200))
    time.sleep(0.1)'
wait $mcast_rx || fail "c2 received no multicast from c1"
expect_eq "multicast from c1 at c2" "$(cat "$TMPDIR/mcast")" "hello 10.0.42.2"

# A bridge of an older brnet, snooping on: the next setup switches it off.
ip link set brnet0 type bridge mcast_snooping 1
make_container c3
brnet setup --netns /run/netns/c3 --id c3 >/dev/null
expect_eq "multicast snooping after a setup on an older bridge" "$(mcast_snooping)" "0"

# An MTU below IPv6's minimum (1280): the kernel gives such a link no IPv6 state and refuses
# any IPv6 setting on it, even one turning IPv6 off, so the setup sends none (it failed,
# "cannot bring ... up: Address family not supported by protocol"); likewise a kernel booted
# with ipv6.disable=1, for every link.
make_container c4
brnet setup --netns /run/netns/c4 --id c4 --mtu 1000 >/dev/null
expect_eq "c4 MTU inside" "$(ip -n c4 -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" "1000"
ip netns exec c4 ping -c1 -W2 -s 900 10.0.42.1 >/dev/null || fail "c4 (MTU 1000) cannot reach the gateway"
brnet check --id c4 >/dev/null || fail "check of c4 (MTU 1000): $(brnet check --id c4)"
brnet setup --netns /run/netns/c4 --id c4b --ifname eth1 --mtu 68 >/dev/null
brnet teardown --id c4b --ifname eth1 >/dev/null
brnet teardown --id c4 >/dev/null
echo "ok: MTU 1000 and 68, below IPv6's minimum"

# The bridge has an address of its own: a port with a lower one does not take its place (the
# gateway's MAC in every container's ARP cache would go stale when that port left).
bridge_mac=$(link_field brnet0 address)
ip link add lowp address 02:00:00:00:00:01 master brnet0 type veth peer name lowq
ip link set lowp up
expect_eq "bridge address with a lower port" "$(link_field brnet0 address)" "$bridge_mac"
ip link del lowp

# An address passed to another container: c5 at 10.0.42.50, reached by the host and by c1
# (their neighbour caches learn its MAC), goes; c6 gets the address, and both reach it at
# once. With a MAC of its own, c6 was unreachable from them until their entries for
# 10.0.42.50 went stale (up to a minute). The MAC is the address's.
make_container c5
make_container c6
brnet setup --netns /run/netns/c5 --id c5 --ip 10.0.42.50 >/dev/null
expect_eq "c5's MAC" "$(ip -n c5 -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')" "02:62:0a:00:2a:32"
ping -c1 -W2 10.0.42.50 >/dev/null || fail "the host cannot reach c5"
ip netns exec c1 ping -c1 -W2 10.0.42.50 >/dev/null || fail "c1 cannot reach c5"
brnet teardown --id c5 >/dev/null
brnet setup --netns /run/netns/c6 --id c6 --ip 10.0.42.50 >/dev/null
ping -c1 -W1 10.0.42.50 >/dev/null || fail "the host cannot reach c6 at c5's address: $(ip neigh show 10.0.42.50)"
ip netns exec c1 ping -c1 -W1 10.0.42.50 >/dev/null || fail "c1 cannot reach c6 at c5's address: $(ip -n c1 neigh show 10.0.42.50)"
echo "ok: an address passed to another container is reached at once, by the host and by c1"
brnet teardown --id c6 >/dev/null

# A new network's containers get the host's MTU towards the internet when a setup asks none
# (a cloud's 1460, a VPN's 1420 would otherwise meet containers sending 1500). brnet0, made
# while the host had no route out, keeps the kernel's default.
net_mtu() { brnet ls --networks --json | python3 -c 'import json,sys; print({n["bridge"]: n["mtu"] for n in json.load(sys.stdin)}[sys.argv[1]])' "$1"; }
eth0_mtu() { ip -n "$1" -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])'; }
ip link set up0 mtu 1400
ip route add default via $UPSTREAM_ADDR
make_container m1
make_container m2
make_container m3
brnet setup --netns /run/netns/m1 --id m1 --bridge brm1 --subnet 10.1.0.0/24 >/dev/null
expect_eq "MTU of a network made with a route out by up0 (1400)" "$(net_mtu brm1)" "1400"
expect_eq "m1's MTU" "$(eth0_mtu m1)" "1400"
ip netns exec m1 ping -c1 -W2 -M do -s 1372 $UPSTREAM_ADDR >/dev/null || fail "m1 cannot send 1400-byte packets out"
brnet setup --netns /run/netns/m2 --id m2 --bridge brm1 --mtu 1200 >/dev/null
expect_eq "an MTU asked for on that network" "$(eth0_mtu m2)" "1200"
brnet setup --netns /run/netns/m3 --id m3 >/dev/null
expect_eq "brnet0, made without a route out, records none" "$(net_mtu brnet0)" "None"
expect_eq "a container on brnet0" "$(eth0_mtu m3)" "1500"
# check warns of a network whose MTU is more than the route out now takes: brnet0 (none
# recorded: 1500) against up0's 1400; brm1 only once the route out is lowered below its 1400.
mtu_warnings() { brnet check --id "$1" --json | python3 -c 'import json,sys; [print(w) for w in json.load(sys.stdin)["warnings"] if "MTU" in w]'; }
w=$(mtu_warnings m1)
expect_eq "MTU warnings with the route out at 1400" "$(printf '%s\n' "$w" | grep -o '^network [a-z0-9]*')" "network brnet0"
case $w in *"MTU 1500 "*"(1400, by up0)"*"--mtu 1400"*) ;; *) fail "brnet0's MTU warning: $w" ;; esac
ip route replace default via $UPSTREAM_ADDR mtu 1300
w=$(mtu_warnings m3)
expect_eq "MTU warnings with the route out at 1300" "$(printf '%s\n' "$w" | grep -o '^network [a-z0-9]*' | sort | tr '\n' ' ')" "network brm1 network brnet0 "
case $w in *"network brm1 gives its containers MTU 1400 "*"(1300, by up0)"*) ;; *) fail "brm1's MTU warning: $w" ;; esac
out=$(brnet check --id m1 2>&1 >/dev/null) || fail "check of m1 failed on a warning: $out"
case $out in *"warning: network brm1 gives its containers MTU 1400"*) ;; *) fail "check printed no MTU warning: $out" ;; esac
ip route replace default via $UPSTREAM_ADDR mtu 1500
expect_eq "MTU warnings with the route out at up0's 1400 again" "$(mtu_warnings m1 | grep -c brm1)" "0"
echo "ok: check warns of a network whose MTU the route out no longer takes"
ip route replace default via $UPSTREAM_ADDR
for c in m1 m2 m3; do brnet teardown --id $c >/dev/null; done
# The route's own MTU when lower; nothing from a blackhole (nor from the loopback: netavark#1381).
ip route replace default via $UPSTREAM_ADDR mtu 1300
brnet setup --netns /run/netns/m1 --id m1 --bridge brm2 --subnet 10.2.0.0/24 >/dev/null
expect_eq "MTU of a network made with a route of MTU 1300" "$(net_mtu brm2)" "1300"
# A VPN that takes the internet without the default route (OpenVPN's 0/1 and 128/1) counts.
ip link add vpn0 mtu 1380 type veth peer name vpn1
ip link set vpn0 up
ip link set vpn1 up
ip addr add 203.0.113.1/30 dev vpn0
ip route add 0.0.0.0/1 via 203.0.113.2 dev vpn0
ip route add 128.0.0.0/1 via 203.0.113.2 dev vpn0
brnet setup --netns /run/netns/m2 --id m2 --bridge brm5 --subnet 10.5.0.0/24 >/dev/null
expect_eq "MTU of a network made behind a VPN of MTU 1380" "$(net_mtu brm5)" "1380"
brnet teardown --id m2 >/dev/null
ip link del vpn0
ip route replace blackhole default
brnet setup --netns /run/netns/m2 --id m2 --bridge brm3 --subnet 10.3.0.0/24 >/dev/null
expect_eq "MTU of a network made with a blackhole for a default route" "$(net_mtu brm3)" "None"
expect_eq "m2's MTU" "$(eth0_mtu m2)" "1500"
ip link set lo mtu 16000 # a loopback's MTU a veth could take
ip route replace default dev lo
brnet setup --netns /run/netns/m3 --id m3 --bridge brm4 --subnet 10.4.0.0/24 >/dev/null
expect_eq "MTU of a network made with a default route by the loopback" "$(net_mtu brm4)" "None"
ip route del default
ip link set lo mtu 65536
echo "ok: a new network's MTU is the host's towards the internet"
echo "PASS"
