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
echo PASS
