#!/bin/bash
# An existing link named like the bridge is validated, never silently reused: a non-bridge, a
# bridge with another address, or a subnet that differs from the recorded one are refused.
. "$(dirname "$0")/lib.sh"

make_container c1

expect_refused() { # WHAT PATTERN brnet-args...
	local what=$1 pattern=$2 msg rc
	shift 2
	local before
	before=$(snapshot)
	set +e
	msg=$(brnet "$@" 2>&1)
	rc=$?
	set -e
	[ $rc -ne 0 ] || fail "$what: accepted"
	case "$msg" in *$pattern*) ;; *) fail "$what: message does not say '$pattern': $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "$what: changed the system"; }
	echo "ok: $what refused (exit $rc): $msg"
}

ip link add brnet0 type veth peer name brnet0-peer
expect_refused "a veth named brnet0" "not a bridge" setup --netns /run/netns/c1 --id c1
ip link del brnet0

ip link add brnet0 type bridge
ip addr add 10.9.9.1/24 dev brnet0
expect_refused "a bridge with another address" "not the gateway 10.0.42.1/24" setup --netns /run/netns/c1 --id c1
ip addr flush dev brnet0
expect_refused "a bridge brnet did not create, without address" "refusing to adopt" setup --netns /run/netns/c1 --id c1
ip addr add 10.0.42.1/16 dev brnet0
expect_refused "a bridge with the gateway under another prefix" "carries 10.0.42.1/16" setup --netns /run/netns/c1 --id c1

# A bridge that carries the right gateway is adopted.
ip addr flush dev brnet0
ip addr add 10.0.42.1/24 dev brnet0
brnet setup --netns /run/netns/c1 --id c1 >/dev/null
echo "ok: a pre-made bridge with the right gateway is used"

make_container c2
expect_refused "a subnet other than the recorded one" "already serves 10.0.42.0/24" setup --netns /run/netns/c2 --id c2 --subnet 10.1.0.0/16

# A bridge deleted under a recorded network is re-created on the next setup.
brnet teardown --id c1 >/dev/null
ip link del brnet0
brnet setup --netns /run/netns/c2 --id c2 >/dev/null
expect_eq "bridge re-created" "$(link_field brnet0 operstate)" "UP"

# A bridge is the network of one state directory, which its mark (the bridge's alias) names:
# another state directory on it would lease from its own store, the same addresses again.
expect_eq "the bridge's mark" "$(link_field brnet0 ifalias)" "brnet state /run/brnet"
make_container c4
expect_refusal 2 "bridge brnet0 is the network of another brnet state directory (its mark: \"brnet state /run/brnet\")" \
	env BRNET_STATE_DIR=/run/other "$BRNET" setup --netns /run/netns/c4 --id c4
[ ! -e /run/other/networks/brnet0 ] || fail "the refused setup left a network in the other state directory"
# The same directory spelled otherwise is the same one.
BRNET_STATE_DIR=/run/brnet/ "$BRNET" setup --netns /run/netns/c4 --id c4 >/dev/null
brnet teardown --id c4 >/dev/null
# An older brnet's bridge has no mark: it stays the network's, and gets its mark.
ip link set brnet0 alias ""
brnet setup --netns /run/netns/c4 --id c4 >/dev/null
expect_eq "an unmarked bridge of ours marked" "$(link_field brnet0 ifalias)" "brnet state /run/brnet"
brnet teardown --id c4 >/dev/null

# A Linux bridge has 1023 port numbers: with c2 and 1022 veths on it, the next container is
# refused with the reason, and its rollback leaves nothing.
for i in $(seq 1 1022); do echo "link add pd$i master brnet0 type veth peer name pq$i"; done >"$TMPDIR/fill"
ip -batch "$TMPDIR/fill"
make_container c3
expect_refused "a container on a full bridge" "bridge brnet0 is full" setup --netns /run/netns/c3 --id c3
echo PASS
