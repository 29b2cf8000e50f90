#!/bin/bash
# brnet restore: after `nft flush ruleset`, one command brings back every network's rules,
# every published port and every egress allowlist; on an intact table it changes nothing.
. "$(dirname "$0")/lib.sh"

# Nothing recorded: nothing made (the anti-spoofing table was, before).
expect_eq "restore with no network" "$(brnet restore)" "nothing to restore: no network is recorded"
expect_eq "no table made" "$(nft list tables)" ""

make_upstream
make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 -p 8080:80 -p "$HOST_UPLINK_ADDR:9000:90/udp" >/dev/null
brnet setup --netns /run/netns/c2 --id c2 --bridge br2 --subnet 10.9.0.0/24 -p 8081:80 >/dev/null
# Two containers with one allowlist: restore creates the list once (twice would be refused).
make_container c3
make_container c4
for c in c3 c4; do
	brnet setup --netns /run/netns/$c --id $c --egress-allow 198.51.100.0/24 --egress-allow 192.0.2.7 >/dev/null
done
# An MTU below IPv6's minimum: its ends have no IPv6 to turn off (putting them back on the
# bridge failed, "Address family not supported by protocol", when restore tried).
make_container c5
brnet setup --netns /run/netns/c5 --id c5 --mtu 1000 >/dev/null
intact=$(nft -j list ruleset)

nft flush ruleset
set +e
brnet check --id c1 >/dev/null 2>&1
rc=$?
set -e
expect_eq "check sees the flushed table" "$rc" "1"
set +e
hint=$(brnet check --id c1 2>&1 >/dev/null)
set -e
case "$hint" in "hint: 'brnet restore' puts back what brnet's tables and bridges lack"*) echo "ok: check says what mends it, on stderr" ;; *) fail "check's hint: $hint" ;; esac
if connect upstream tcp $HOST_UPLINK_ADDR 8080 >/dev/null 2>&1; then fail "port works without rules?"; fi

out=$(brnet restore)
expect_eq "restore output" "$out" "restored table inet brnet for 2 networks"
for id in c1 c2 c3 c4; do brnet check --id $id >/dev/null || fail "check of $id after restore: $(brnet check --id $id)"; done
expect_eq "no hint from a check that finds nothing" "$(brnet check --all 2>&1 >/dev/null)" ""
expect_eq "allowlists after restore" "$(nft list ruleset | grep -c 'chain allow_')" "1"
listen upstream tcp 0.0.0.0 7001
connect c3 tcp $UPSTREAM_ADDR 7001 >/dev/null || fail "c3's allowlist after restore"
echo "ok: check passes after restore"
listen c1 tcp 0.0.0.0 80
connect upstream tcp $HOST_UPLINK_ADDR 8080 >/dev/null || fail "published port after restore"
expect_eq "source kept after restore" "$(seen_by c1 tcp 80)" "$UPSTREAM_ADDR"
listen c1 udp 0.0.0.0 90
connect upstream udp $HOST_UPLINK_ADDR 9000 >/dev/null || fail "host-IP udp port after restore"
listen upstream tcp 0.0.0.0 7000
connect c2 tcp $UPSTREAM_ADDR 7000 >/dev/null || fail "masquerade of br2 after restore"
expect_eq "br2 masqueraded after restore" "$(seen_by upstream tcp 7000)" "$HOST_UPLINK_ADDR"

# Idempotent: a second restore, and a restore of an intact table, change nothing.
after=$(nft -j list ruleset | python3 -c 'import json,sys; print(sorted(json.dumps({k: {x: y for x, y in v.items() if x != "handle"} for k, v in o.items()}, sort_keys=True) for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o))')
brnet restore >/dev/null
again=$(nft -j list ruleset | python3 -c 'import json,sys; print(sorted(json.dumps({k: {x: y for x, y in v.items() if x != "handle"} for k, v in o.items()}, sort_keys=True) for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o))')
expect_eq "second restore changes nothing" "$again" "$after"
orig=$(echo "$intact" | python3 -c 'import json,sys; print(sorted(json.dumps({k: {x: y for x, y in v.items() if x != "handle"} for k, v in o.items()}, sort_keys=True) for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o))')
expect_eq "restored table equals the original (handles aside)" "$after" "$orig"
# A bridge deleted under live attachments: check names it, restore re-creates it with its
# gateway and puts the host ends back.
bridge_mac=$(link_field brnet0 address)
ip link del brnet0
out=$(brnet check --id c1 || true)
case "$out" in *"bridge brnet0 is missing"*) echo "ok: check: bridge missing" ;; *) fail "check: $out" ;; esac
brnet restore >/dev/null
brnet check --id c1 >/dev/null || fail "check after the bridge was restored: $(brnet check --id c1)"
expect_eq "the restored bridge's address (what c1's ARP cache holds)" "$(link_field brnet0 address)" "$bridge_mac"
ip netns exec c1 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c1 cannot reach the restored gateway"
brnet check --id c5 >/dev/null || fail "check of c5 (MTU 1000) after the bridge was restored: $(brnet check --id c5)"
ip netns exec c5 ping -c1 -W2 -s 900 10.0.42.1 >/dev/null || fail "c5 (MTU 1000) cannot reach the restored gateway"
listen c1 tcp 0.0.0.0 80
connect c1 tcp $HOST_UPLINK_ADDR 8080 >/dev/null || fail "hairpin after the bridge was restored"
echo "ok: bridge, gateway and ports restored"

# A teardown while a restore has read the records and not yet sent its transaction: the
# teardown waits for the restore's lock on the attachment. (Before, it went ahead, and the
# restore then put back its elements: a port published by an attachment that was gone, until
# gc.)
if [ "${BRNET_TEST_HOOKS:-0}" = 1 ]; then
	make_container c6
	brnet setup --netns /run/netns/c6 --id c6 -p 8086:80 >/dev/null
	nft flush ruleset
	BRNET_PAUSE_STEP=restore-commit "$BRNET" restore >/dev/null &
	restore_pid=$!
	for _ in $(seq 100); do
		[ "$(cut -d' ' -f3 "/proc/$restore_pid/stat")" = T ] && break
		sleep 0.05
	done
	"$BRNET" teardown --id c6 >/dev/null &
	teardown_pid=$!
	sleep 0.3
	kill -CONT "$restore_pid"
	wait "$restore_pid" || fail "the paused restore failed"
	wait "$teardown_pid" || fail "the teardown beside the restore failed"
	if nft list ruleset | grep -q '"c6/eth0"'; then fail "the restore put back c6's elements"; fi
	expect_eq "gc finds nothing after a teardown beside a restore" "$(brnet gc --dry-run)" \
		"nothing to do"
	brnet check --all >/dev/null || fail "check after the restore: $(brnet check --all)"
fi
echo PASS
