#!/bin/bash
# A host whose firewall drops forwarded packets by default, as Docker leaves iptables' FORWARD
# chain (through iptables-nft, a base chain of table ip filter), or firewalld with its last
# rule: brnet's table cannot overrule it. The container then reaches nothing past the host, and brnet check says why, as a
# warning that does not fail the check; with the policy back to accept, no warning and
# traffic flows.
. "$(dirname "$0")/lib.sh"

make_upstream
make_container c1
brnet setup --netns /run/netns/c1 --id c1 >/dev/null
serve upstream tcp:8000

check_out() { # prints stdout, then the stderr lines, of brnet check --id c1; fails on exit != 0
	brnet check --id c1 "$@" 2>"$TMPDIR/check.err" || fail "check failed: $(cat "$TMPDIR/check.err")"
	cat "$TMPDIR/check.err"
}

expect_eq "no foreign table: no warning" "$(check_out)" "c1/eth0: ok"
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
expect_eq "two warnings" "$(check_out | grep -c '^warning: ')" "2"
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
*"warning: table ip filter, chain FORWARD, drops forwarded packets by default (its last rule"*) echo "ok: iptables' -j REJECT at the end" ;;
*) fail "check does not warn of iptables' REJECT: $(check_out)" ;;
esac
iptables-nft -F FORWARD
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_eq "rules flushed: no warning" "$(check_out)" "c1/eth0: ok"
brnet teardown --id c1 >/dev/null
echo "PASS"
