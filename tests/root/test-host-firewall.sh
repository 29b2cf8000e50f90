#!/bin/bash
# A host whose firewall drops forwarded packets by default, as Docker leaves iptables' FORWARD
# chain (through iptables-nft, a base chain of table ip filter), or firewalld with its last
# rule, or iptables-legacy's FORWARD: brnet's table cannot overrule it. The container then
# reaches nothing past the host, and brnet check says why, as a
# warning that does not fail the check; with the policy back to accept, no warning and
# traffic flows. Rules that accept the network's traffic before the drop (Docker's
# DOCKER-USER, firewalld's trusted zone) are followed: then no warning either, and the warning
# names what is still dropped.
. "$(dirname "$0")/lib.sh"

make_uplink_publisher

check_out() { # prints stdout, then the stderr lines, of brnet check --id c1; fails on exit != 0
	brnet check --id c1 "$@" 2>"$TMPDIR/check.err" || fail "check failed: $(cat "$TMPDIR/check.err")"
	cat "$TMPDIR/check.err"
}

expect_eq "no foreign table: no warning" "$(check_out)" "c1/eth0: ok"
# iptables-legacy's table is asked for only where it exists: asking would make one.
! grep -qx filter /proc/net/ip_tables_names 2>/dev/null || fail "check made iptables-legacy's filter table"
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open

nft add table ip filter
nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
nft add chain ip filter INPUT '{ type filter hook input priority 0; policy drop; }'
nft add table ip6 filter
nft add chain ip6 filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
out=$(check_out)
expect_eq "one warning (ip filter FORWARD; not INPUT, not ip6)" "$(grep -c '^warning: ' <<<"$out")" "1"
case "$out" in
*"warning: table ip filter, chain FORWARD, drops forwarded packets by default"*) echo "ok: check names the chain" ;;
*) fail "check does not warn of ip filter FORWARD: $out" ;;
esac
case "$out" in *"c1/eth0: ok"*) echo "ok: the attachment itself is still whole" ;; *) fail "check: $out" ;; esac
brnet check --id c1 --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is True and d["problems"] == [], d
assert len(d["warnings"]) == 1 and "table ip filter, chain FORWARD" in d["warnings"][0], d'
echo "ok: --json carries the warning"

# Another family's table (inet, as firewalld's) is looked at too; ours never is.
nft add table inet other
nft add chain inet other filter_FORWARD '{ type filter hook forward priority 0; policy drop; }'
out=$(check_out)
expect_eq "two warnings" "$(grep -c '^warning: ' <<<"$out")" "2"
case "$out" in
*"(nft insert rule inet other filter_FORWARD iifname brnet0 accept, and again with oifname)"*) echo "ok: nft's command for a table of nobody known" ;;
*) fail "check on inet other: $out" ;;
esac
nft delete table inet other

nft chain ip filter FORWARD '{ policy accept; }'
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "policy accept: no warning" "$(check_out)" "c1/eth0: ok"

# A chain that accepts by policy and ends in a rule that drops or rejects everything left, as
# firewalld's filter_FORWARD does (and RHEL's iptables rules, "-A FORWARD -j REJECT"): the
# same stop, the same warning, naming the rule.
nft add table inet firewalld
nft add chain inet firewalld filter_FORWARD '{ type filter hook forward priority 10; policy accept; }'
nft add rule inet firewalld filter_FORWARD ct state established,related accept
nft add rule inet firewalld filter_FORWARD iifname lo accept
nft add rule inet firewalld filter_FORWARD reject with icmpx admin-prohibited
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 unreachable
out=$(check_out)
expect_eq "a last rule that rejects: one warning" "$(grep -c '^warning: ' <<<"$out")" "1"
case "$out" in
*"warning: table inet firewalld, chain filter_FORWARD, drops forwarded packets by default (its last rule drops or rejects all)"*"trusted zone"*)
	echo "ok: check names the chain and its last rule" ;;
*) fail "check does not warn of firewalld's filter_FORWARD: $out" ;;
esac
# A last rule that matches first (here, only what comes in on eth9) stops only that.
nft add rule inet firewalld filter_FORWARD iifname eth9 drop
expect_eq "a last rule that matches: no warning" "$(check_out)" "c1/eth0: ok"
nft delete table inet firewalld
nft add rule ip filter FORWARD counter drop
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
case "$(check_out)" in
*"warning: table ip filter, chain FORWARD, drops forwarded packets by default (its last rule"*) echo "ok: a counted drop at the end" ;;
*) fail "check does not warn of ip filter FORWARD's last rule: $(check_out)" ;;
esac
nft delete table ip filter
# iptables-nft's REJECT is a target (xtables' own, in an nf_tables expression), not nft's reject.
iptables-nft -A FORWARD -j REJECT
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 refused # REJECT's default: port unreachable
case "$(check_out)" in
*"warning: table ip filter, chain FORWARD, drops forwarded packets by default (its last rule"*"(iptables -I FORWARD -i brnet0 -j ACCEPT, and again with -o brnet0)"*)
	echo "ok: iptables' -j REJECT at the end, and iptables' command" ;;
*) fail "check does not warn of iptables' REJECT: $(check_out)" ;;
esac
iptables-nft -F FORWARD
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "rules flushed: no warning" "$(check_out)" "c1/eth0: ok"

# Docker's FORWARD chain, through iptables-nft: policy drop, DOCKER-USER first.
iptables-nft -P FORWARD DROP
iptables-nft -N DOCKER-USER
iptables-nft -A FORWARD -j DOCKER-USER
iptables-nft -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-nft -A DOCKER-USER -j RETURN
out=$(check_out)
case "$out" in
*"chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, what its containers send past this host, connections to its published ports from other hosts, traffic between its containers: "*"iptables -I DOCKER-USER -i brnet0 -j ACCEPT, and again with -o brnet0"*)
	echo "ok: Docker's FORWARD: all three named, with the rules to add" ;;
*) fail "check on Docker's FORWARD: $out" ;;
esac
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 timeout
# brnet run says so before CMD starts (CMD's own output comes after); of its network only.
brnet run --id r1 -- sh -c 'echo cmd-started >&2' 2>"$TMPDIR/run.err" || fail "run: $(cat "$TMPDIR/run.err")"
case "$(tr '\n' '|' <"$TMPDIR/run.err")" in
"brnet: warning: table ip filter, chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0,"*"|cmd-started|")
	echo "ok: run warns of the firewall before CMD" ;;
*) fail "run's stderr: $(cat "$TMPDIR/run.err")" ;;
esac
brnet run --id r2 --bridge br1 --subnet 10.0.43.0/24 -- true 2>"$TMPDIR/run.err" || fail "run on br1: $(cat "$TMPDIR/run.err")"
expect_eq "run on br1: its one warning, of br1" "$(grep -c 'of network br1,' "$TMPDIR/run.err") $(grep -c 'brnet0' "$TMPDIR/run.err")" "1 0"
brnet teardown --network br1 >/dev/null
# setup says so once, when it makes the network: the first setup on br2 warns, the second does
# not (check does), nor does a setup on brnet0, made before the firewall.
make_container s1
make_container s2
make_container s3
brnet setup --netns /run/netns/s1 --id s1 --bridge br2 --subnet 10.0.44.0/24 >/dev/null 2>"$TMPDIR/setup.err" || fail "setup on br2: $(cat "$TMPDIR/setup.err")"
expect_eq "setup making br2: one warning, of br2" "$(grep -c '^brnet: warning: table ip filter, chain FORWARD, .* of network br2,' "$TMPDIR/setup.err") $(wc -l <"$TMPDIR/setup.err")" "1 1"
brnet setup --netns /run/netns/s2 --id s2 --bridge br2 >/dev/null 2>"$TMPDIR/setup.err" || fail "setup on br2: $(cat "$TMPDIR/setup.err")"
expect_eq "the second setup on br2: silent" "$(cat "$TMPDIR/setup.err")" ""
brnet setup --netns /run/netns/s3 --id s3 >/dev/null 2>"$TMPDIR/setup.err" || fail "setup on brnet0: $(cat "$TMPDIR/setup.err")"
expect_eq "a setup on brnet0: silent" "$(cat "$TMPDIR/setup.err")" ""
for id in s1 s2 s3; do brnet teardown --id "$id" >/dev/null; done
brnet teardown --network br2 >/dev/null
for ns in s1 s2 s3; do ip netns del "$ns"; done
# What goes out is accepted: replies come back through the conntrack rule; published ports
# stay closed, and the warning says so alone.
iptables-nft -I DOCKER-USER -i brnet0 -j ACCEPT
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 timeout
out=$(check_out)
expect_eq "DOCKER-USER accepts -i brnet0: one warning" "$(grep -c '^warning: ' <<<"$out")" "1"
case "$out" in
*"seen to accept, of network brnet0, connections to its published ports from other hosts: accept"*) echo "ok: only the published ports are named" ;;
*) fail "check with -i brnet0 accepted: $out" ;;
esac
iptables-nft -I DOCKER-USER -o brnet0 -j ACCEPT
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_eq "DOCKER-USER accepts the bridge both ways: no warning" "$(check_out)" "c1/eth0: ok"
expect_eq "nor from run" "$(brnet run --id r3 -- true 2>&1)" ""
# A drop of some of the traffic (a port) before the accept is the admin's choice for it: the
# rest is accepted and reaches no default drop, so no warning (whose advice, an accept
# inserted first, would undo the block).
iptables-nft -I DOCKER-USER -p tcp --dport 8001 -j DROP
expect_probe c1 tcp "$UPSTREAM_ADDR" 8001 timeout
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "a port's drop first: no warning" "$(check_out)" "c1/eth0: ok"
# A return of some of it to FORWARD, before the accept: those reach the policy's drop, and
# the warning is back.
iptables-nft -I DOCKER-USER -p tcp --dport 8002 -j RETURN
expect_probe c1 tcp "$UPSTREAM_ADDR" 8002 timeout
expect_eq "a port's return first: the warning" "$(check_out | grep -c '^warning: ')" "1"
iptables-nft -D DOCKER-USER -p tcp --dport 8002 -j RETURN
iptables-nft -D DOCKER-USER -p tcp --dport 8001 -j DROP
# One that may only accept (ufw's ICMP rules come before the user's): no warning either.
iptables-nft -I DOCKER-USER -p icmp --icmp-type echo-request -j ACCEPT
expect_eq "an ICMP accept first: no warning" "$(check_out)" "c1/eth0: ok"
iptables-nft -F
iptables-nft -X

# ufw's FORWARD (through iptables-nft): policy drop, its own chains, conntrack and ICMP
# accepts before the user's rules.
iptables-nft -N ufw-before-forward
iptables-nft -N ufw-user-forward
iptables-nft -A FORWARD -j ufw-before-forward
iptables-nft -A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-nft -A ufw-before-forward -p icmp --icmp-type echo-request -j ACCEPT
iptables-nft -A ufw-before-forward -j ufw-user-forward
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
case "$(check_out)" in
*"chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, what its containers send past this host, connections to its published ports from other hosts, traffic between its containers: accept them there first (for ufw: ufw route allow in on brnet0, and ufw route allow out on brnet0)"*)
	echo "ok: ufw's FORWARD, with ufw's command" ;;
*) fail "check on ufw's FORWARD: $(check_out)" ;;
esac
# what "ufw route allow in on brnet0" and "... out on brnet0" write
iptables-nft -A ufw-user-forward -i brnet0 -j ACCEPT
iptables-nft -A ufw-user-forward -o brnet0 -j ACCEPT
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_eq "ufw routes the bridge both ways: no warning" "$(check_out)" "c1/eth0: ok"
iptables-nft -F
iptables-nft -X
iptables-nft -P FORWARD ACCEPT

# firewalld's layout (1.x, nftables backend): zones dispatched by interface or source address
# from filter_FORWARD_POLICIES, the trusted zone's chain accepting all.
nft -f - <<'NFT'
table inet firewalld {
	chain filter_FORWARD {
		type filter hook forward priority filter + 10; policy accept;
		ct state { established, related } accept
		ct status dnat accept
		iifname "lo" accept
		ct state invalid drop
		ip6 daddr { ::/96, ::ffff:0.0.0.0/96 } reject with icmpv6 addr-unreachable
		jump filter_FORWARD_POLICIES
		reject with icmpx admin-prohibited
	}
	chain filter_FORWARD_POLICIES {
		iifname "up0" oifname "up0" jump filter_FWD_public
		jump filter_FWD_public
	}
	chain filter_FWD_public {
	}
	chain filter_FWD_trusted {
		accept
	}
}
NFT
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 unreachable
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open # "ct status dnat accept"
out=$(check_out)
case "$out" in
*"chain filter_FORWARD, drops forwarded packets by default (its last rule drops or rejects all), and no rule before that is seen to accept, of network brnet0, what its containers send past this host, traffic between its containers: "*"firewall-cmd --zone=trusted --add-interface=brnet0"*)
	echo "ok: firewalld: what goes out and between named, not the published ports" ;;
*) fail "check on firewalld's layout: $out" ;;
esac
nft insert rule inet firewalld filter_FORWARD_POLICIES iifname brnet0 jump filter_FWD_trusted
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "brnet0 in the trusted zone: no warning" "$(check_out)" "c1/eth0: ok"
# The zone by source address (firewall-cmd --zone=trusted --add-source): the subnet, or a
# prefix holding it, is accepted; half of it is not known to be.
nft flush chain inet firewalld filter_FORWARD_POLICIES
nft add rule inet firewalld filter_FORWARD_POLICIES ip saddr 10.0.0.0/8 jump filter_FWD_trusted
nft add rule inet firewalld filter_FORWARD_POLICIES jump filter_FWD_public
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "the zone by a source prefix holding the subnet: no warning" "$(check_out)" "c1/eth0: ok"
nft flush chain inet firewalld filter_FORWARD_POLICIES
nft add rule inet firewalld filter_FORWARD_POLICIES ip saddr 10.0.42.0/25 jump filter_FWD_trusted
nft add rule inet firewalld filter_FORWARD_POLICIES jump filter_FWD_public
expect_eq "half the subnet in the zone: the warning stays" "$(check_out | grep -c '^warning: ')" "1"
nft delete table inet firewalld

# A hand-written ruleset (the nftables wiki's, Arch's): ct state in a verdict map, then the
# bridge accepted both ways by a verdict map of interfaces. Each map's element for the
# packet's key is asked of the kernel: none for a new connection's state, the bridge's accept.
nft -f - <<'NFT'
table inet hostfw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		jump admin
		iifname vmap { "brnet0" : accept, "eth9" : drop }
		oifname vmap { "brnet0" : jump to_bridge }
	}
	chain admin {
	}
	chain to_bridge {
		accept
	}
}
NFT
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_eq "verdict maps that accept the bridge: no warning" "$(check_out)" "c1/eth0: ok"
# A return of some (a port) before admin's end: both ways meet the bridge's accept.
nft add rule inet hostfw admin tcp dport 8002 return
expect_eq "a port's return that meets the same accept: no warning" "$(check_out)" "c1/eth0: ok"
# A goto of some to a chain that drops them: the ways end apart, and that is warned of.
nft add chain inet hostfw blocked
nft add rule inet hostfw blocked drop
nft add rule inet hostfw admin tcp dport 8003 goto blocked
expect_probe c1 tcp "$UPSTREAM_ADDR" 8003 timeout
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "a port's goto to a drop: the warning" "$(check_out | grep -c '^warning: ')" "1"
nft flush chain inet hostfw admin
# The bridge's element gone from the map of what comes in: what goes out is dropped.
nft flush chain inet hostfw forward
nft add rule inet hostfw forward 'ct state vmap { established : accept, related : accept, invalid : drop }'
nft add rule inet hostfw forward 'oifname vmap { "brnet0" : jump to_bridge }'
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
case "$(check_out)" in
*"table inet hostfw, chain forward, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, what its containers send past this host"*)
	echo "ok: a verdict map without the bridge's element: what goes out named" ;;
*) fail "check on the verdict maps: $(check_out)" ;;
esac
nft delete table inet hostfw

# iptables-legacy (Docker's or ufw's, where iptables is the legacy one): nf_tables does not
# show its tables; check reads its filter table from the kernel's legacy interface.
iptables-legacy -P FORWARD DROP
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 timeout
case "$(check_out)" in
*"warning: iptables-legacy's table filter, chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, what its containers send past this host, connections to its published ports from other hosts, traffic between its containers: accept them there first (iptables-legacy -I FORWARD -i brnet0 -j ACCEPT, and again with -o brnet0)"*)
	echo "ok: iptables-legacy's FORWARD policy drop" ;;
*) fail "check on iptables-legacy's FORWARD: $(check_out)" ;;
esac
iptables-legacy -N DOCKER-USER
iptables-legacy -A FORWARD -j DOCKER-USER
iptables-legacy -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-legacy -A DOCKER-USER -p tcp --dport 8001 -j DROP
iptables-legacy -A DOCKER-USER -i brnet0 -j ACCEPT
iptables-legacy -A DOCKER-USER -j RETURN
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 timeout
case "$(check_out)" in
*"iptables-legacy's table filter, chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, connections to its published ports from other hosts: accept them there first (for Docker, in its DOCKER-USER chain: iptables-legacy -I DOCKER-USER -i brnet0 -j ACCEPT, and again with -o brnet0)"*)
	echo "ok: Docker's DOCKER-USER through iptables-legacy: the published ports named" ;;
*) fail "check on Docker's layout through iptables-legacy: $(check_out)" ;;
esac
iptables-legacy -I DOCKER-USER 3 -o brnet0 -j ACCEPT
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_eq "iptables-legacy's DOCKER-USER accepts the bridge both ways: no warning" "$(check_out)" "c1/eth0: ok"
iptables-legacy -F
iptables-legacy -X
iptables-legacy -P FORWARD ACCEPT
expect_eq "iptables-legacy's table back to accept: no warning" "$(check_out)" "c1/eth0: ok"

# A large table whose other rules come first, as a Kubernetes node's may (kube-proxy's or
# Calico's chains before Docker's FORWARD): 30,000 of them. Each chain's start is found by an
# index, not by looking through the rules before it at every jump.
{
	echo 'table ip filter {'
	echo '	chain KUBE-FILLER {'
	for ((i = 0; i < 30000; i++)); do
		echo "		ip daddr 198.51.100.$((i % 250 + 1)) tcp dport $((i + 1024)) drop"
	done
	echo '	}'
	echo '	chain FORWARD {'
	echo '		type filter hook forward priority 0; policy drop;'
	echo '		jump KUBE-FORWARD'
	echo '		jump KUBE-SERVICES'
	echo '		jump DOCKER-USER'
	echo '	}'
	echo '	chain KUBE-FORWARD {'
	echo '		ct state invalid drop'
	echo '		meta mark & 0x4000 == 0x4000 accept'
	echo '	}'
	echo '	chain KUBE-SERVICES {'
	echo '	}'
	echo '	chain DOCKER-USER {'
	echo '		iifname "brnet0" accept'
	echo '		oifname "brnet0" accept'
	echo '	}'
	echo '}'
} > "$TMPDIR/large.nft"
nft -f "$TMPDIR/large.nft"
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_eq "30,000 rules before FORWARD, the bridge accepted: no warning" "$(check_out)" "c1/eth0: ok"
nft delete rule ip filter DOCKER-USER handle "$(nft -a list chain ip filter DOCKER-USER | awk '/oifname "brnet0" accept/ { print $NF }')"
case "$(check_out)" in
*"chain FORWARD, drops forwarded packets by default (policy drop), and no rule before that is seen to accept, of network brnet0, connections to its published ports from other hosts: accept"*)
	echo "ok: the large table's FORWARD followed: only what comes in named" ;;
*) fail "check on the large table: $(check_out)" ;;
esac
nft delete table ip filter
brnet teardown --id c1 >/dev/null
echo "PASS"
