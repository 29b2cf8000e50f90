#!/bin/bash
# A failure at any step of setup undoes every step already done; a kill at any step leaves a
# journal from which teardown removes everything. Needs a build with -Dtest_hooks=true.
. "$(dirname "$0")/lib.sh"
[ "${BRNET_TEST_HOOKS:-0}" = 1 ] || skip "brnet was built without -Dtest_hooks=true"

make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 >/dev/null

for step in lease veth container; do
	before=$(snapshot)
	set +e
	msg=$(BRNET_FAIL_STEP=$step "$BRNET" setup --netns /run/netns/c2 --id c2 2>&1)
	rc=$?
	set -e
	expect_eq "failure at $step: exit code" "$rc" "1"
	case "$msg" in *"injected failure at step $step"*) ;; *) fail "unexpected message: $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "failure at $step left a trace"; }
	echo "ok: failure at $step rolled back completely"
done

for step in lease veth container; do
	before=$(snapshot)
	set +e
	BRNET_KILL_STEP=$step "$BRNET" setup --netns /run/netns/c2 --id c2 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "kill at $step: killed by SIGKILL" "$rc" "137"
	[ -e /run/brnet/attachments/c2@eth0.json ] || fail "kill at $step left no journal"
	brnet teardown --id c2 >/dev/null
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "kill at $step: teardown left a trace"; }
	echo "ok: kill at $step: the journal let teardown remove everything"
done

# The survivor kept its network throughout.
ip netns exec c1 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c1 lost connectivity"
echo PASS
