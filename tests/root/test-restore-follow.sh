#!/bin/bash
# brnet restore --follow: what a flush, a deleted rule or element, a deleted bridge or
# forwarding turned off takes away comes back by itself, judged by traffic; setups and
# teardowns beside it (and flushes among them) leave nothing behind; what brnet itself
# deletes (a teardown's elements, a list) starts no restore.
. "$(dirname "$0")/lib.sh"

OUT=$TMPDIR/follow.out

# restores: how many restores --follow has reported so far
restores() { grep -c '^restored ' "$OUT" || true; }

# wait_restores N: until --follow has reported N restores (5 s at most)
wait_restores() {
	for _ in $(seq 100); do
		[ "$(restores)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "expected $1 restores, saw: $(cat "$OUT")"
}

make_upstream
make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 -p 8080:80 >/dev/null
brnet setup --netns /run/netns/c2 --id c2 --egress-allow "$UPSTREAM_ADDR" >/dev/null
listen upstream tcp 0.0.0.0 7000

brnet restore --follow >"$OUT" 2>&1 &
FOLLOW=$!
PIDS+=("$FOLLOW")
wait_restores 1
expect_eq "the first restore, at start" "$(head -n1 "$OUT")" \
	"restored table inet brnet for 1 network (start)"

# A flush: every rule, set and element of ours goes; the published port and the policy come
# back without anyone running restore.
nft flush ruleset
wait_restores 2
case "$(sed -n 2p "$OUT")" in
*"(table inet brnet deleted)" | *"(table bridge brnet deleted)") echo "ok: the flush is named" ;;
*) fail "second restore: $(sed -n 2p "$OUT")" ;;
esac
brnet check --all >/dev/null || fail "check after the flush: $(brnet check --all)"
listen c1 tcp 0.0.0.0 80
connect upstream tcp "$HOST_UPLINK_ADDR" 8080 >/dev/null || fail "published port after the flush"
connect c2 tcp "$UPSTREAM_ADDR" 7000 >/dev/null || fail "c2's allowed destination after the flush"
echo "ok: port and policy back after a flush"

# One rule deleted: the masquerade. Containers' traffic would leave with their own address.
nft delete rule inet brnet postrouting handle "$(rule_handle inet brnet postrouting "brnet network brnet0")"
wait_restores 3
expect_eq "the rule is named" "$(sed -n 3p "$OUT")" \
	"restored table inet brnet for 1 network (rule of chain inet brnet postrouting deleted)"
listen upstream tcp 0.0.0.0 7001
connect c2 tcp "$UPSTREAM_ADDR" 7001 >/dev/null || fail "c2 out after the rule came back"
expect_eq "masqueraded again" "$(seen_by upstream tcp 7001)" "$HOST_UPLINK_ADDR"

# The bridge deleted: made again with its gateway, the host ends put back.
ip link del brnet0
wait_restores 4
expect_eq "the bridge is named" "$(sed -n 4p "$OUT")" \
	"restored table inet brnet for 1 network (bridge brnet0 deleted)"
listen c1 tcp 0.0.0.0 80
connect upstream tcp "$HOST_UPLINK_ADDR" 8080 >/dev/null || fail "published port after the bridge came back"
echo "ok: bridge back"

# Elements deleted by hand: c1's published port (its map, flushed) and the anti-spoofing
# addresses of both (a set of table bridge brnet). Each comes back, named by its owner.
nft flush map inet brnet publish
wait_restores 5
case "$(sed -n 5p "$OUT")" in
*"(element of c1/eth0 deleted from set inet brnet publish)") echo "ok: the element is named" ;;
*) fail "the restore after the map's flush: $(sed -n 5p "$OUT")" ;;
esac
listen c1 tcp 0.0.0.0 80
connect upstream tcp "$HOST_UPLINK_ADDR" 8080 >/dev/null || fail "published port after its element came back"
nft flush set bridge brnet guard_addr
wait_restores 6
brnet check --all >/dev/null || fail "check after the guard's elements came back: $(brnet check --all)"
listen upstream tcp 0.0.0.0 7003
connect c2 tcp "$UPSTREAM_ADDR" 7003 >/dev/null || fail "c2 out after its guard element came back"
echo "ok: elements deleted by hand come back"

# What brnet deletes itself starts nothing: a teardown's elements, and the allowlist that
# went with its last container.
make_container c3
brnet setup --netns /run/netns/c3 --id c3 -p 8083:80 --egress-allow 192.0.2.0/24 >/dev/null
brnet teardown --id c3 >/dev/null
expect_eq "the list went with c3" "$(nft list ruleset | grep -c 'chain allow_')" "1"
sleep 0.5
expect_eq "no restore for a teardown" "$(restores)" "6"
# Nor does an element taken out and put back in one transaction (a DELSETELEM notice of an
# active attachment, all of whose elements are there when it is read)...
c1_addr=$(brnet ls --json | python3 -c 'import json,sys; print([a["address"] for a in json.load(sys.stdin) if a["id"] == "c1"][0].split("/")[0])')
nft -f - <<EOF
delete element inet brnet publish { tcp . 8080 }
add element inet brnet publish { tcp . 8080 comment "c1/eth0" : $c1_addr . 80 }
EOF
sleep 0.5
expect_eq "no restore for an element put back at once" "$(restores)" "6"
# ...or a policy replaced: its elements go and come in one transaction.
for cidr in 192.0.2.0/24 198.18.0.0/15 "$UPSTREAM_ADDR"; do
	brnet policy --id c2 --egress-allow "$UPSTREAM_ADDR" --egress-allow "$cidr" >/dev/null
	sleep 0.2
done
sleep 0.3
expect_eq "no restore for brnet policy" "$(restores)" "6"

# A restore that fails is reported and the next notice tries again.
echo '{' >"$BRNET_STATE_DIR/attachments/broken@eth0.json"
nft flush ruleset
for _ in $(seq 100); do
	grep -q '^brnet: failed to restore' "$OUT" && break
	sleep 0.05
done
grep -q '^brnet: failed to restore (table .* brnet deleted): corrupt record broken@eth0.json' "$OUT" ||
	fail "a failed restore is reported: $(cat "$OUT")"
kill -0 "$FOLLOW" || fail "--follow ended after a failed restore"
rm "$BRNET_STATE_DIR/attachments/broken@eth0.json"
ip link del brnet0
wait_restores 7
brnet check --all >/dev/null || fail "check after the failed restore was followed by one: $(brnet check --all)"
echo "ok: a failed restore is reported, the next one repairs"

# Setups and teardowns beside it, with flushes and deleted rules among them: afterwards every
# attachment is whole and nothing is left over that gc would remove. (A soak: the narrow race
# of a restore with a teardown is pinned down by test-restore's paused restore.)
for i in 1 2 3 4; do make_container "w$i"; done
worker() {
	for round in $(seq 6); do
		brnet setup --netns "/run/netns/w$1" --id "w$1" -p "$((9000 + $1)):80" \
			--egress-allow 203.0.113.0/24 >/dev/null 2>&1 || true
		brnet teardown --id "w$1" >/dev/null 2>&1 || true
		[ $((round % 2)) = 0 ] || brnet setup --netns "/run/netns/w$1" --id "w$1" \
			-p "$((9000 + $1)):80" >/dev/null 2>&1 || true
		[ $((round % 2)) = 0 ] || brnet teardown --id "w$1" >/dev/null 2>&1 || true
	done
}
workers=()
for i in 1 2 3 4; do
	worker "$i" &
	workers+=($!)
done
for round in $(seq 12); do
	sleep 0.15
	if [ $((round % 4)) = 0 ]; then
		nft flush ruleset
	else
		handle=$(rule_handle inet brnet postrouting "brnet network brnet0")
		[ -z "$handle" ] || nft delete rule inet brnet postrouting handle "$handle" || true
	fi
done
wait "${workers[@]}"
# Leave the last flush its restore.
before=$(restores)
for _ in $(seq 60); do
	sleep 0.05
	[ "$(restores)" = "$before" ] || before=$(restores)
done
brnet check --all >/dev/null || fail "check after the workers: $(brnet check --all)"
expect_eq "gc finds nothing after the workers" "$(brnet gc --dry-run)" "nothing to do"
for i in 1 2 3 4; do
	if nft list ruleset | grep -q "\"w$i/eth0\""; then fail "an element of w$i is left"; fi
done
echo "ok: setups and teardowns beside restores leave nothing"

# A notice that a process (root) wrote to nf_tables' group itself, saying table inet brnet
# was deleted: only the kernel's are believed.
n=$(restores)
python3 -c '
import socket, struct
name = b"brnet\0"
attr = struct.pack("=HH", 4 + len(name), 1) + name + b"\0" * (-len(name) % 4)
body = struct.pack("=BBH", 1, 0, 0) + attr  # nfgenmsg: inet; NFTA_TABLE_NAME
msg = struct.pack("=IHHII", 16 + len(body), 10 << 8 | 2, 0, 0, 0) + body  # NFT_MSG_DELTABLE
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
s.sendto(msg, (0, 1 << (7 - 1)))  # NFNLGRP_NFTABLES
'
sleep 0.5
expect_eq "no restore for a notice from a process" "$(restores)" "$n"

# Forwarding turned off (a hardening script, sysctl --system): nothing from the containers
# would leave the host until someone turned it on again.
n=$(restores)
sysctl -qw net.ipv4.ip_forward=0
wait_restores $((n + 1))
expect_eq "forwarding off is named" "$(tail -n1 "$OUT")" \
	"restored table inet brnet for 1 network (net.ipv4.ip_forward turned off)"
expect_eq "forwarding on again" "$(sysctl -n net.ipv4.ip_forward)" "1"
listen upstream tcp 0.0.0.0 7002
connect c2 tcp "$UPSTREAM_ADDR" 7002 >/dev/null || fail "c2 out after forwarding came back"

# A network removed while it follows: the removal's deleted rules start a restore, which
# must not make the network again (one that overlapped the removal would wait for the
# network's lock, and then find no record).
brnet setup --netns /run/netns/w1 --id w1 --bridge br9 --subnet 10.99.0.0/24 >/dev/null
brnet teardown --id w1 >/dev/null
n=$(restores)
brnet teardown --network br9 >/dev/null
wait_restores $((n + 1))
sleep 0.3
if ip link show br9 >/dev/null 2>&1; then fail "br9 made again after its removal"; fi
if nft list ruleset | grep -q 'br9'; then fail "br9's rules put back after its removal"; fi
[ ! -e "$BRNET_STATE_DIR/networks/br9" ] || fail "br9's state is back"
brnet check --all >/dev/null || fail "check after br9's removal: $(brnet check --all)"
echo "ok: a network removed while following stays removed"

expect_sigterm_ends "$FOLLOW"
