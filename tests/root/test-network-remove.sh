#!/bin/bash
# brnet teardown --network: a network without attachments goes whole (its rules in every
# chain, its bridge, its state), and its next setup chooses subnet and properties anew. Refused,
# changing nothing, while an attachment or a bridge port remains; idempotent; a setup waiting
# for the network while it is removed makes it again.
. "$(dirname "$0")/lib.sh"

make_upstream
network_rules() { nft -j list table inet brnet | python3 -c '
import json, sys
print(sorted(o["rule"]["comment"] for o in json.load(sys.stdin)["nftables"]
             if "rule" in o and o["rule"].get("comment", "").endswith(" " + sys.argv[1])))' "$1"; }

make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 >/dev/null # brnet0 stays throughout
brnet setup --netns /run/netns/c2 --id c2 --bridge brm --subnet 10.0.44.0/24 --no-masquerade \
	-p 8080:80 >/dev/null
expect_eq "brm's rules" "$(network_rules brm)" "['brnet hairpin brm', 'brnet localnet brm', 'brnet routed in brm']"

expect_refusal 1 "network brm has 1 attachment: c2/eth0 (tear it down first)" brnet teardown --network brm
brnet teardown --id c2 >/dev/null
ip link add vbstray type veth peer name vbstray-p
ip link set vbstray master brm
expect_refusal 1 "bridge brm still has 1 port: vbstray" brnet teardown --network brm
ip link del vbstray
expect_refusal 2 "br/0" brnet teardown --network br/0
expect_refusal 2 "one or the other" brnet teardown --network brm --id c2

expect_eq "removed" "$(brnet teardown --network brm)" "removed network brm"
expect_eq "no rule of brm" "$(network_rules brm)" "[]"
ip link show brm >/dev/null 2>&1 && fail "bridge brm is still there"
[ -e /run/brnet/networks/brm ] && fail "networks/brm is still there"
expect_eq "brnet0's rules stay" "$(network_rules brnet0)" "['brnet hairpin brnet0', 'brnet localnet brnet0', 'brnet network brnet0', 'brnet routed in brnet0']"
[ -n "$(rule_handle inet brnet prerouting "brnet publish (prerouting)")" ] || fail "a global rule went"
brnet check --id c1 >/dev/null || fail "check of c1 fails after brm went"
expect_eq "again" "$(brnet teardown --network brm --json)" '{"network": "brm", "removed": false, "bridge_kept": false}'
[ -e /run/brnet/networks/brm ] && fail "a second removal left a directory"

# Made again, with another subnet and masquerading: what the first one chose is forgotten.
brnet setup --netns /run/netns/c2 --id c2 --bridge brm --subnet 10.0.45.0/24 >/dev/null
expect_eq "brm's rules, made again" "$(network_rules brm)" "['brnet hairpin brm', 'brnet localnet brm', 'brnet network brm', 'brnet routed in brm']"
listen upstream tcp 0.0.0.0 8000
connect c2 tcp $UPSTREAM_ADDR 8000 >/dev/null || fail "c2 cannot reach upstream"
expect_eq "masqueraded now" "$(seen_by upstream tcp 8000)" "$HOST_UPLINK_ADDR"
brnet teardown --id c2 >/dev/null

# What a kill during a removal leaves: the rules and the bridge gone, the record still there.
# The next removal finishes; so would the next setup, which makes them again.
nft delete rule inet brnet postrouting handle "$(rule_handle inet brnet postrouting "brnet network brm")"
ip link del brm
expect_eq "a removal finishes" "$(brnet teardown --network brm)" "removed network brm"
expect_eq "no rule of brm" "$(network_rules brm)" "[]"

# Killed after each of its steps (test builds): the record outlives the rest, the next
# removal finishes, and a setup in between makes the network whole again.
if [ "${BRNET_TEST_HOOKS:-0}" = 1 ]; then
	for step in remove-rules remove-bridge; do
		brnet setup --netns /run/netns/c2 --id c2 --bridge brk --subnet 10.0.48.0/24 >/dev/null
		brnet teardown --id c2 >/dev/null
		set +e
		BRNET_KILL_STEP=$step "$BRNET" teardown --network brk >/dev/null 2>&1
		rc=$?
		set -e
		expect_eq "killed after $step" "$rc" "137"
		[ -e /run/brnet/networks/brk/network.json ] || fail "killed after $step: the record went"
		expect_eq "killed after $step: brk's rules" "$(network_rules brk)" "[]"
		if [ $step = remove-rules ]; then
			brnet setup --netns /run/netns/c2 --id c2 --bridge brk >/dev/null
			expect_eq "made whole by a setup" "$(network_rules brk)" "['brnet hairpin brk', 'brnet localnet brk', 'brnet network brk', 'brnet routed in brk']"
			brnet check --id c2 >/dev/null || fail "check after a setup made brk whole"
			brnet teardown --id c2 >/dev/null
		fi
		expect_eq "finished" "$(brnet teardown --network brk)" "removed network brk"
		ip link show brk >/dev/null 2>&1 && fail "bridge brk left after $step"
		[ -e /run/brnet/networks/brk ] && fail "networks/brk left after $step"
	done
else
	echo "ok: (no kill points in this build)"
fi

# A setup that waits for the network's lock while the network is removed under it (as a
# removal does: the bridge, then the state directory, with the lock held) makes the network
# anew rather than failing on the vanished directory.
brnet setup --netns /run/netns/c2 --id c2 --bridge brw --subnet 10.0.46.0/24 >/dev/null
brnet teardown --id c2 >/dev/null
python3 - /run/brnet/networks/brw "$TMPDIR/held" "$TMPDIR/go" <<'PY' &
import fcntl, os, struct, sys, time
d, held, go = sys.argv[1:]
fd = os.open(os.path.join(d, "lock"), os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
open(held, "w").close()
while not os.path.exists(go):
    time.sleep(0.05)
os.system("ip link del brw")
for root, dirs, files in os.walk(d, topdown=False):
    for f in files + dirs:
        p = os.path.join(root, f)
        os.rmdir(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
os.rmdir(d)
os.close(fd)
PY
holder=$!
for _ in $(seq 100); do [ -e "$TMPDIR/held" ] && break; sleep 0.05; done
brnet setup --netns /run/netns/c2 --id c2 --bridge brw --subnet 10.0.46.0/24 --json >"$TMPDIR/setup.out" 2>&1 &
setup=$!
sleep 0.3
touch "$TMPDIR/go"
wait $holder
wait $setup || fail "the waiting setup failed: $(cat "$TMPDIR/setup.out")"
[ -e /run/brnet/networks/brw/network.json ] || fail "the waiting setup did not record its network"
ip link show brw >/dev/null || fail "the waiting setup did not make its bridge"
brnet check --id c2 >/dev/null || fail "check of c2 fails"

brnet teardown --id c2 >/dev/null

# A record of brnet0 in a second state directory (two directories could both record one
# bridge before bridges were marked): removing it there takes only that record; the bridge
# and its rules are /run/brnet's network, whose container keeps working.
mkdir -p /run/other/networks
cp -a /run/brnet/networks/brnet0 /run/other/networks/
rm -rf /run/other/networks/brnet0/leases
rules_before=$(network_rules brnet0)
expect_eq "another directory's record goes alone" "$(brnet --state-dir /run/other teardown --network brnet0)" \
	"removed network brnet0 from this state directory (bridge brnet0 and its rules are another state directory's network: left)"
[ -e /run/other/networks/brnet0 ] && fail "the other directory's record is still there"
ip link show brnet0 >/dev/null 2>&1 || fail "bridge brnet0 went with another directory's record"
expect_eq "brnet0's rules stay with its record elsewhere" "$(network_rules brnet0)" "$rules_before"
brnet check --id c1 >/dev/null || fail "check of c1 fails after the other record went"
brnet teardown --id c1 >/dev/null
echo "PASS"
