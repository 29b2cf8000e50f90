#!/bin/bash
# Any prefix from /8 to /30: gateway is the first host, addresses never the network, gateway or
# broadcast; a full subnet fails cleanly (exit 1) and changes nothing.
. "$(dirname "$0")/lib.sh"

for ns in a25 b25 a16 a30 b30; do make_container $ns; done

# /25, upper half: gateway .129, first lease .130.
brnet setup --netns /run/netns/a25 --id a25 --bridge br25 --subnet 10.0.42.128/25 >/dev/null
expect_eq "/25 gateway" "$(ip -j addr show br25 | python3 -c 'import json,sys; print([x["local"]+"/"+str(x["prefixlen"]) for x in json.load(sys.stdin)[0]["addr_info"] if x["family"]=="inet"][0])')" "10.0.42.129/25"
expect_eq "/25 address" "$(ip -n a25 -j addr show eth0 | python3 -c 'import json,sys; print([x["local"] for x in json.load(sys.stdin)[0]["addr_info"] if x["family"]=="inet"][0])')" "10.0.42.130"
# A second attachment on the same network needs no --subnet: the recorded one is used.
brnet setup --netns /run/netns/b25 --id b25 --bridge br25 >/dev/null
ip netns exec b25 ping -c1 -W2 10.0.42.130 >/dev/null || fail "/25 containers cannot reach each other"
echo "ok: /25 containers reach each other"

# /16 with a fixed address in another octet.
brnet setup --netns /run/netns/a16 --id a16 --bridge br16 --subnet 172.20.0.0/16 --ip 172.20.7.9 >/dev/null
expect_eq "/16 fixed address" "$(ip -n a16 -j addr show eth0 | python3 -c 'import json,sys; print([x["local"]+"/"+str(x["prefixlen"]) for x in json.load(sys.stdin)[0]["addr_info"] if x["family"]=="inet"][0])')" "172.20.7.9/16"
ip netns exec a16 ping -c1 -W2 172.20.0.1 >/dev/null || fail "/16 container cannot reach its gateway"
echo "ok: /16 container reaches its gateway"

# /30: exactly one container; the second gets exit 1 and changes nothing.
brnet setup --netns /run/netns/a30 --id a30 --bridge br30 --subnet 192.168.77.4/30 >/dev/null
expect_eq "/30 address" "$(ip -n a30 -j addr show eth0 | python3 -c 'import json,sys; print([x["local"] for x in json.load(sys.stdin)[0]["addr_info"] if x["family"]=="inet"][0])')" "192.168.77.6"
before=$(snapshot)
set +e
msg=$(brnet setup --netns /run/netns/b30 --id b30 --bridge br30 2>&1)
rc=$?
set -e
expect_eq "full subnet exit code" "$rc" "1"
case "$msg" in *"192.168.77.4/30 is full"*) echo "ok: full subnet message: $msg" ;; *) fail "unexpected message: $msg" ;; esac
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "full subnet changed the system"; }
echo "ok: full subnet left everything as it was"

# Overlapping networks are refused.
set +e
msg=$(brnet setup --netns /run/netns/b30 --id b30 --bridge brx --subnet 10.0.0.0/8 2>&1)
rc=$?
set -e
expect_eq "overlapping subnet exit code" "$rc" "2"
case "$msg" in *overlaps*) echo "ok: $msg" ;; *) fail "unexpected message: $msg" ;; esac

# A subnet the host already uses, refused before anything changes, naming what uses it: a
# route to part of it out of a link, an address of the host in it, or another bridge's whole
# subnet (Docker's docker0, say).
make_upstream
ip route add 10.77.1.0/24 dev up0
expect_refusal 2 "invalid subnet 10.77.0.0/16: the host routes 10.77.1.0/24 through up0" \
	brnet setup --netns /run/netns/b30 --id b30 --bridge brh1 --subnet 10.77.0.0/16
ip addr add 10.78.0.9/32 dev up0
expect_refusal 2 "invalid subnet 10.78.0.0/24: the host has the address 10.78.0.9 on up0" \
	brnet setup --netns /run/netns/b30 --id b30 --bridge brh2 --subnet 10.78.0.0/24
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
expect_refusal 2 "invalid subnet 172.17.0.0/16: the host routes 172.17.0.0/16 through docker0" \
	brnet setup --netns /run/netns/b30 --id b30 --bridge brh3 --subnet 172.17.0.0/16
# A blackhole of the whole subnet would drop the containers' replies: refused too.
ip route add blackhole 10.80.0.0/24
expect_refusal 2 "invalid subnet 10.80.0.0/24: the host drops what is sent to 10.80.0.0/24 (a blackhole route)" \
	brnet setup --netns /run/netns/b30 --id b30 --bridge brh4 --subnet 10.80.0.0/24
# Broader routes (a VPN's /8, the default one, a blackhole aggregating a range) are overridden
# by the bridge's more specific one, as wanted.
ip route add 10.0.0.0/8 dev up0
ip route add blackhole 10.79.0.0/16
brnet setup --netns /run/netns/b30 --id b30 --bridge brh5 --subnet 10.79.0.0/24 >/dev/null
ip netns exec b30 ping -c1 -W2 10.79.0.1 >/dev/null || fail "the container behind a broader route cannot reach its gateway"
echo "ok: a broader route and a blackhole do not stand in the way"
echo PASS
