#!/bin/bash
# A host whose firewall drops forwarded packets by default, as Docker leaves iptables' FORWARD
# chain (through iptables-nft, a base chain of table ip filter): brnet's table cannot overrule
# it. The container then reaches nothing past the host, and brnet check says why, as a
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
brnet teardown --id c1 >/dev/null
echo "PASS"
