#!/bin/bash
# Teardown removes exactly what setup created for one attachment (veth, lease, record), leaves
# shared objects and other attachments alone, and is idempotent.
. "$(dirname "$0")/lib.sh"

make_container c1
make_container c2
# Setup brings lo up and teardown leaves it up: it belongs to the namespace, not to us.
ip -n c2 link set lo up
brnet setup --netns /run/netns/c1 --id c1 --ifname net1 >/dev/null
network_only=$(snapshot)
brnet setup --netns /run/netns/c2 --id c2 --json >"$TMPDIR/c2.json"
veth2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host_veth"])' "$TMPDIR/c2.json")

out=$(brnet teardown --id c2)
expect_eq "teardown output" "$out" "detached c2/eth0"
expect_eq "host veth gone" "$(ip -j link show "$veth2" 2>/dev/null || true)" ""
expect_eq "container interface gone" "$(ip -n c2 -j link show eth0 2>/dev/null || true)" ""
[ ! -e /run/brnet/attachments/c2@eth0.json ] || fail "record left behind"
expect_eq "leases" "$(cat /run/brnet/networks/brnet0/leases/[0-9]*)" "c1 net1"
echo "ok: lease released"
# Back to exactly the state with only c1: nothing of c2 left anywhere.
diff <(echo "$network_only") <(snapshot) >&2 || fail "teardown of c2 left a trace"
echo "ok: no trace of c2 (links, addresses, routes, nft, state)"
ip netns exec c1 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c1 lost connectivity"
echo "ok: c1 still reaches the gateway"
expect_eq "bridge stays" "$(link_field brnet0 operstate)" "UP"
expect_eq "masquerade stays while in use" "$(nft_rules_with_comment 'brnet network brnet0')" "1"

out=$(brnet teardown --id c2)
expect_eq "second teardown" "$out" "nothing to do: no attachment c2/eth0"

# c1 is attached as net1: a verb left to --ifname's default (eth0) finds nothing, and says
# where c1 is, rather than "nothing to do" alone (a script's teardown that removed nothing).
before=$(snapshot)
out=$(brnet teardown --id c1)
expect_eq "teardown of c1/eth0" "$out" "nothing to do: no attachment c1/eth0 (c1 is attached as c1/net1: give --ifname net1)"
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "the teardown of c1/eth0 touched c1/net1"; }
expect_refusal 1 "no attachment c1/eth0 (c1 is attached as c1/net1: give --ifname net1)" brnet check --id c1
expect_refusal 2 "no attachment c1/eth0 (c1 is attached as c1/net1: give --ifname net1)" brnet policy --id c1 --egress-deny-all
out=$(brnet teardown --id c1 --ifname eth0)
expect_eq "asked for eth0 by name: no hint" "$out" "nothing to do: no attachment c1/eth0"

# Teardown after the namespace is gone (the kernel already removed the pair).
ip netns del c1
brnet teardown --id c1 --ifname net1 >/dev/null
# Nothing but the attachments' lock file, which stays (as each network's does).
left=$(ls /run/brnet/attachments | grep -vx lock || true)
[ -z "$left" ] || fail "records left: $left"
echo "ok: teardown with the namespace gone"
brnet teardown --id c1 --ifname net1 --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["removed"] is False'
echo "ok: --json says nothing was removed"
echo PASS
