#!/bin/bash
# 50 concurrent setups on one network get 50 distinct addresses and all reach the gateway;
# 50 concurrent teardowns leave nothing.
. "$(dirname "$0")/lib.sh"

N=50
make_container first
brnet setup --netns /run/netns/first --id first >/dev/null # the network exists
for i in $(seq $N); do
	make_container "n$i"
	ip -n "n$i" link set lo up # setup raises it, teardown leaves it: it is the namespace's
done
before=$(snapshot)

pids=()
for i in $(seq $N); do
	"$BRNET" setup --netns /run/netns/n$i --id n$i >/dev/null 2>"$TMPDIR/err.$i" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "setup n$((i + 1)) failed: $(cat "$TMPDIR/err.$((i + 1))")"
done
echo "ok: $N concurrent setups succeeded"

# Distinct addresses, per the kernel (not per brnet).
for i in $(seq $N); do
	ip -n n$i -j addr show eth0 | python3 -c 'import json,sys; print([a["local"] for a in json.load(sys.stdin)[0]["addr_info"] if a["family"]=="inet"][0])'
done >"$TMPDIR/addrs"
expect_eq "distinct addresses" "$(sort -u "$TMPDIR/addrs" | wc -l)" "$N"
grep -qx 10.0.42.2 "$TMPDIR/addrs" && fail "an address of a live attachment was handed out again"
for i in $(seq $N); do
	ip netns exec n$i ping -c1 -W2 10.0.42.1 >/dev/null || fail "n$i cannot reach the gateway"
done
echo "ok: all $N reach the gateway"

pids=()
for i in $(seq $N); do
	"$BRNET" teardown --id n$i >/dev/null 2>"$TMPDIR/err.$i" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "teardown n$((i + 1)) failed: $(cat "$TMPDIR/err.$((i + 1))")"
done
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "concurrent teardowns left a trace"; }
echo "ok: $N concurrent teardowns left nothing"
# One allowlist, many containers at once: the first transaction creates it, the others are
# refused (EEXIST) and try again with one map element; a second wave sets up while the first
# tears down, so some setups find the list and lose it to the last teardown (ENOENT) and
# create it again. Every setup succeeds, there is one list, and the last teardown removes it.
M=12
for j in $(seq 1000); do echo "100.$((64 + (j >> 16))).$(((j >> 8) & 255)).$((j & 255))"; done >"$TMPDIR/allow.txt"
lists() { nft -j list table inet brnet | python3 -c '
import json, sys
print(sum(1 for o in json.load(sys.stdin)["nftables"] if o.get("chain", {}).get("name", "").startswith("allow_")))'; }
for i in $(seq $((2 * M))); do
	make_container "p$i"
	ip -n "p$i" link set lo up
done
before=$(snapshot)
pids=()
for i in $(seq $M); do
	"$BRNET" setup --netns /run/netns/p$i --id p$i --egress-allow-file "$TMPDIR/allow.txt" >/dev/null 2>"$TMPDIR/err.p$i" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "setup p$((i + 1)) failed: $(cat "$TMPDIR/err.p$((i + 1))")"
done
expect_eq "lists for $M containers with one allowlist" "$(lists)" "1"
pids=()
for i in $(seq $M); do
	"$BRNET" teardown --id p$i >/dev/null 2>"$TMPDIR/err.p$i" &
	pids+=($!)
	"$BRNET" setup --netns /run/netns/p$((M + i)) --id p$((M + i)) --egress-allow-file "$TMPDIR/allow.txt" >/dev/null 2>"$TMPDIR/err.p$((M + i))" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || fail "a setup or teardown failed: $(cat "$TMPDIR"/err.p*)"
done
expect_eq "lists after the second wave" "$(lists)" "1"
for i in $(seq $((M + 1)) $((2 * M))); do
	"$BRNET" check --id p$i >/dev/null || fail "check p$i: $("$BRNET" check --id p$i 2>&1)"
done
for i in $(seq $((M + 1)) $((2 * M))); do "$BRNET" teardown --id p$i >/dev/null; done
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "the allowlist waves left a trace"; }
echo "ok: $M setups at once share one allowlist; a wave beside teardowns gets it back; nothing left"
echo PASS
