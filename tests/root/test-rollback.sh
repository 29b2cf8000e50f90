#!/bin/bash
# A failure at any step of setup undoes every step already done; a kill at any step leaves a
# journal from which teardown removes everything; so does a kill at any step of teardown. Needs a build with -Dtest_hooks=true.
. "$(dirname "$0")/lib.sh"
[ "${BRNET_TEST_HOOKS:-0}" = 1 ] || skip "brnet was built without -Dtest_hooks=true"

make_container c1
make_container c2
ip -n c2 link set lo up # setup brings it up and, as it belongs to the namespace, leaves it up
brnet setup --netns /run/netns/c1 --id c1 -p 8081:80 >/dev/null

for step in lease publish guard egress veth container; do
	before=$(snapshot)
	set +e
	msg=$(BRNET_FAIL_STEP=$step "$BRNET" setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 2>&1)
	rc=$?
	set -e
	expect_eq "failure at $step: exit code" "$rc" "1"
	case "$msg" in *"injected failure at step $step"*) ;; *) fail "unexpected message: $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "failure at $step left a trace"; }
	echo "ok: failure at $step rolled back completely"
done

# The same by number: the Nth step this process reaches (setup with a port and a policy has six).
for n in 1 2 3 4 5 6; do
	before=$(snapshot)
	set +e
	msg=$(BRNET_FAIL_STEP=$n "$BRNET" setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 2>&1)
	rc=$?
	set -e
	expect_eq "failure at step #$n: exit code" "$rc" "1"
	case "$msg" in *"injected failure at step"*) ;; *) fail "unexpected message: $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "failure at step #$n left a trace"; }
done
echo "ok: failures at steps #1-#6 rolled back completely"

for step in lease publish guard egress veth container; do
	before=$(snapshot)
	set +e
	BRNET_KILL_STEP=$step "$BRNET" setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "kill at $step: killed by SIGKILL" "$rc" "137"
	[ -e /run/brnet/attachments/c2@eth0.json ] || fail "kill at $step left no journal"
	brnet teardown --id c2 >/dev/null
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "kill at $step: teardown left a trace"; }
	echo "ok: kill at $step: the journal let teardown remove everything"
done

for step in undo-veth undo-egress undo-guard undo-publish undo-lease; do
	before=$(snapshot)
	brnet setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 >/dev/null
	set +e
	BRNET_KILL_STEP=$step "$BRNET" teardown --id c2 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "teardown killed at $step" "$rc" "137"
	state=$(python3 -c 'import json; print(json.load(open("/run/brnet/attachments/c2@eth0.json"))["state"])')
	expect_eq "record after a teardown killed at $step" "$state" "cleaned"
	out=$(brnet teardown --id c2)
	expect_eq "second teardown finishes" "$out" "detached c2/eth0"
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "kill at $step: left a trace"; }
	echo "ok: teardown killed at $step is finished by the next teardown"
done

# A second network's source route (a rule in the namespace, which outlives the interface):
# undone on failure, after a kill, and by a teardown killed at its undo.
second=(setup --netns /run/netns/c1 --id c1 --ifname eth1 --bridge br2 --subnet 10.0.43.0/24)
before=$(snapshot)
set +e
msg=$(BRNET_FAIL_STEP=source-route "$BRNET" "${second[@]}" 2>&1)
rc=$?
set -e
expect_eq "failure at source-route: exit code" "$rc" "1"
case "$msg" in *"injected failure at step source-route"*) ;; *) fail "unexpected message: $msg" ;; esac
# The network br2 came to stay, as a first setup's does; nothing of the attachment did.
brnet teardown --network br2 >/dev/null
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "failure at source-route left a trace"; }
echo "ok: failure at source-route rolled back completely"
set +e
BRNET_KILL_STEP=source-route "$BRNET" "${second[@]}" >/dev/null 2>&1
rc=$?
set -e
expect_eq "kill at source-route: killed by SIGKILL" "$rc" "137"
brnet teardown --id c1 --ifname eth1 >/dev/null
brnet teardown --network br2 >/dev/null
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "kill at source-route: teardown left a trace"; }
echo "ok: kill at source-route: the journal let teardown remove everything"
brnet "${second[@]}" >/dev/null
[ "$(ip -n c1 -4 rule show | grep -c 'from 10.0.43.2 lookup')" = 1 ] || fail "no source route: $(ip -n c1 rule)"
set +e
BRNET_KILL_STEP=undo-source-route "$BRNET" teardown --id c1 --ifname eth1 >/dev/null 2>&1
rc=$?
set -e
expect_eq "teardown killed at undo-source-route" "$rc" "137"
expect_eq "second teardown finishes" "$(brnet teardown --id c1 --ifname eth1)" "detached c1/eth1"
brnet teardown --network br2 >/dev/null
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "kill at undo-source-route: left a trace"; }
echo "ok: teardown killed at undo-source-route is finished by the next teardown"

# Host veth names are 32 bits of a hash: a link of c3's name may be another attachment's. A
# setup of c3 killed after journaling its veth (before creating it) must not let teardown take
# that link: it carries the other attachment's mark.
make_container c3
name=$(brnet setup --netns /run/netns/c3 --id c3 | sed -n 's/.*host veth \(vb[0-9a-f]*\).*/\1/p')
[ -n "$name" ] || fail "no host veth name in setup's output"
expect_eq "c3's host end carries its mark" "$(link_field "$name" ifalias)" "brnet c3/eth0"
brnet teardown --id c3 >/dev/null
ip link add "$name" type veth peer name vbforeign1
ip link set "$name" alias "brnet other/eth0"
set +e
BRNET_KILL_STEP=veth "$BRNET" setup --netns /run/netns/c3 --id c3 >/dev/null 2>&1
rc=$?
set -e
expect_eq "setup of c3 killed at the veth step" "$rc" "137"
brnet teardown --id c3 >/dev/null
expect_eq "the other attachment's link after c3's teardown" "$(link_field "$name" ifname)" "$name"
# A setup that meets it says whose it is, and leaves it.
msg=$("$BRNET" setup --netns /run/netns/c3 --id c3 2>&1) && fail "setup of c3 over another's link succeeded"
case "$msg" in *"$name is taken"*"brnet other/eth0"*"another --id"*) ;; *) fail "collision message: $msg" ;; esac
expect_eq "the other attachment's link after c3's failed setup" "$(link_field "$name" ifname)" "$name"
ip link del "$name"
echo "ok: teardown leaves a link of its name that carries another attachment's mark"

# The survivor kept its network throughout.
ip netns exec c1 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c1 lost connectivity"
echo PASS
