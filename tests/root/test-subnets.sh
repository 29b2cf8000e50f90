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
echo PASS
