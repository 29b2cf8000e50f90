#!/bin/bash
# Without CAP_NET_ADMIN (a user's shell, as nobody here): every verb that needs it is refused
# promptly, says what it needs, and leaves the kernel and the state directory as they were. A
# first setup whose bridge the kernel refused used to leave the network recorded (its subnet
# then bound the next setup), and `brnet events` waited ten seconds for answers nfnetlink
# never sends an unprivileged sender, then blamed the kernel.
. "$(dirname "$0")/lib.sh"

make_container c1
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
as_nobody true || skip "cannot drop to nobody with setpriv"

# A state directory nobody may write, so that what is refused is the kernel's part.
mkdir -m 0700 "$TMPDIR/nobody"
chown 65534:65534 "$TMPDIR/nobody"
export BRNET_STATE_DIR=$TMPDIR/nobody/state

need="brnet needs CAP_NET_ADMIN: run it as root"
expect_refusal 1 "$need" as_nobody "$BRNET" setup --netns /run/netns/c1 --id c1 --bridge brx \
	--subnet 10.77.0.0/24
[ ! -e "$BRNET_STATE_DIR/networks/brx" ] || fail "the refused first setup left networks/brx: $(ls -A "$BRNET_STATE_DIR/networks/brx")"
# The network's subnet is not bound: root sets it up with another.
brnet setup --netns /run/netns/c1 --id c1 --bridge brx --subnet 10.78.0.0/24 >/dev/null
expect_eq "the subnet root chose" "$(ip -4 -j addr show dev brx | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["addr_info"][0]["local"])')" "10.78.0.1"
# From here the state directory is root's, as /run/brnet is: nobody may read it.
chown -R root:root "$BRNET_STATE_DIR"
chmod -R a+rX "$BRNET_STATE_DIR"
chmod a+x "$TMPDIR/nobody"

expect_refusal 1 "$need" as_nobody "$BRNET" teardown --id c1
expect_refusal 1 "$need" as_nobody "$BRNET" teardown --network brx
expect_refusal 1 "$need" as_nobody "$BRNET" gc
expect_refusal 1 "$need" as_nobody "$BRNET" restore
expect_refusal 1 "$need" as_nobody "$BRNET" run -- true
# nf_tables requests, several in one send (the bridge's events and check's table reads).
expect_refusal 1 "Operation not permitted ($need)" as_nobody "$BRNET" events --count 1 --timeout 30
# The same refusal while root listens on the group (which the kernel refuses with the same
# error): what an unprivileged user lacks is still the capability, not the group.
"$BRNET" events --follow >/dev/null 2>&1 &
listener=$!
sleep 0.3
grep -q '^ *4242 ' /proc/net/netfilter/nfnetlink_log || fail "root's brnet events did not bind"
expect_refusal 1 "Operation not permitted ($need)" as_nobody "$BRNET" events --count 1 --timeout 30
kill "$listener"
wait "$listener" 2>/dev/null || true
expect_refusal 1 "$need" as_nobody "$BRNET" policy --id c1 --egress-deny-all
echo PASS
