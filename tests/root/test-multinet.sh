#!/bin/bash
# A container on two networks: each network's published port is reachable from another
# machine, the second's answers leaving by its own interface (a source route in the
# namespace, made only for a second network); check sees the rule go; teardown of either
# network, in either order, leaves the other working and nothing of its own behind.
. "$(dirname "$0")/lib.sh"

make_upstream
HOST=$HOST_UPLINK_ADDR
make_container c
rules() { ip -n c -4 rule show | sed 's/[[:space:]]*$//'; }
# What the namespace holds: addresses, routes of every table, rules.
inside() {
	ip -n c -4 -j addr show | v4_addrs
	ip -n c -4 -j route show table all | v4_routes_tables
	rules
}
defaults="0:	from all lookup local
32766:	from all lookup main
32767:	from all lookup default"

brnet setup --netns /run/netns/c --id c -p 8080:80 >/dev/null
expect_eq "rules of a namespace on one network (the kernel's fast path)" "$(rules)" "$defaults"
one_net=$(inside)

# eth1 on a second network: its answers must leave by eth1, not by eth0's default route.
brnet setup --netns /run/netns/c --id c --ifname eth1 --bridge br2 --subnet 10.0.43.0/24 -p 8081:81 >/dev/null
table=$(python3 -c 'import ipaddress; print(int(ipaddress.ip_address("10.0.43.2")))')
expect_eq "rules with a second network" "$(rules)" "0:	from all lookup local
32765:	from 10.0.43.2 lookup $table
32766:	from all lookup main
32767:	from all lookup default"
expect_eq "table $table" "$(ip -n c -4 -j route show table "$table" | v4_routes)" "default 10.0.43.1 eth1 
10.0.43.0/24  eth1 10.0.43.2"
expect_eq "the namespace's default route is still eth0's" \
	"$(ip -n c -4 -j route get $UPSTREAM_ADDR | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["dev"])')" "eth0"
brnet check --id c >/dev/null || fail "check of c/eth0: $(brnet check --id c)"
brnet check --id c --ifname eth1 >/dev/null || fail "check of c/eth1: $(brnet check --id c --ifname eth1)"

# reach PORT INSIDE WHAT: upstream connects to the host's PORT; c answers on INSIDE.
reach() {
	listen c tcp 0.0.0.0 "$2"
	connect upstream tcp $HOST "$1" >/dev/null || fail "$3: upstream cannot reach port $1"
	expect_eq "$3: c sees the client as" "$(seen_by c tcp "$2")" $UPSTREAM_ADDR
}
reach 8080 80 "eth0's port"
reach 8081 81 "eth1's port"
listen c tcp 0.0.0.0 81
connect host tcp 127.0.0.1 8081 >/dev/null || fail "the host cannot reach eth1's port"

# check names a rule that went.
ip -n c rule del pref 32765
if out=$(brnet check --id c --ifname eth1); then fail "check passed without the rule: $out"; fi
case "$out" in *"no rule from 10.0.43.2 to table $table"*) ;; *) fail "check's words: $out" ;; esac
echo "ok: check names the missing rule"
brnet teardown --id c --ifname eth1 >/dev/null
[ "$one_net" = "$(inside)" ] || { diff <(echo "$one_net") <(inside) >&2; fail "teardown of eth1 without its rule left a trace"; }

# Teardown of eth1 while the namespace lives on removes its rule.
brnet setup --netns /run/netns/c --id c --ifname eth1 --bridge br2 --ip 10.0.43.2 -p 8081:81 >/dev/null
brnet teardown --id c --ifname eth1 >/dev/null
[ "$one_net" = "$(inside)" ] || { diff <(echo "$one_net") <(inside) >&2; fail "teardown of eth1 left a trace"; }
echo "ok: teardown of the second network leaves the first as it was"

# The first network goes first: the second's default route takes over, its port still works
# (its rule stays, as harmless as it is needed when another network comes).
brnet setup --netns /run/netns/c --id c --ifname eth1 --bridge br2 --ip 10.0.43.2 -p 8081:81 >/dev/null
brnet teardown --id c >/dev/null
reach 8081 81 "eth1's port, eth0 gone"
# eth0 comes back: now it is the second, with a rule of its own.
brnet setup --netns /run/netns/c --id c --ip 10.0.42.2 -p 8080:80 >/dev/null
expect_eq "rules with eth0 back second" "$(rules)" "0:	from all lookup local
32765:	from 10.0.43.2 lookup $table
32765:	from 10.0.42.2 lookup $(python3 -c 'import ipaddress; print(int(ipaddress.ip_address("10.0.42.2")))')
32766:	from all lookup main
32767:	from all lookup default"
reach 8080 80 "eth0's port, second now"
reach 8081 81 "eth1's port, first now"

# A namespace deleted under its attachments: teardown has no rule left to remove.
ip netns del c
brnet teardown --id c >/dev/null || fail "teardown of c/eth0 after its namespace went"
brnet teardown --id c --ifname eth1 >/dev/null || fail "teardown of c/eth1 after its namespace went"
echo PASS
