#!/bin/bash
# Random interleavings for 30 seconds on 2 cores: 8 workers run setup, teardown, gc and check
# over 100 ids. Then: no address is held twice (per the kernel), every live attachment passes
# check and reaches the gateway, and every torn-down one left nothing behind.
. "$(dirname "$0")/lib.sh"

IDS=100
WORKERS=8
SECONDS_TO_RUN=${BRNET_SOAK_SECONDS:-30}
for i in $(seq 0 $((IDS - 1))); do
	make_container "s$i"
	ip -n "s$i" link set lo up
done
brnet setup --netns /run/netns/s0 --id s0 >/dev/null && brnet teardown --id s0 >/dev/null
base=$(snapshot) # the network exists from here on

worker() {
	local w=$1 end=$((SECONDS + SECONDS_TO_RUN)) n=0 i op msg
	RANDOM=$((w * 7919))
	while [ $SECONDS -lt $end ]; do
		i=$((RANDOM % IDS))
		op=$((RANDOM % 10))
		if [ $op -lt 4 ]; then
			# "already exists" is the expected loser of a race; anything else is a failure
			msg=$("$BRNET" setup --netns /run/netns/s$i --id s$i -p $((20000 + i)):80 2>&1 >/dev/null) ||
				case "$msg" in *"already exists"*) ;; *) echo "worker $w: setup s$i: $msg" >&2 ;; esac
		elif [ $op -lt 8 ]; then
			"$BRNET" teardown --id s$i >/dev/null || echo "worker $w: teardown s$i failed" >&2
		elif [ $op -lt 9 ]; then
			"$BRNET" gc >/dev/null || echo "worker $w: gc failed" >&2
		else
			"$BRNET" check --id s$i >/dev/null 2>&1 || true # may race with teardown
		fi
		n=$((n + 1))
	done
	echo "$n"
}
pids=()
for w in $(seq $WORKERS); do
	worker "$w" >"$TMPDIR/worker.$w" 2>"$TMPDIR/worker.$w.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
errors=$(cat "$TMPDIR"/worker.*.err)
[ -z "$errors" ] || fail "workers reported: $errors"
echo "ok: $(cat "$TMPDIR"/worker.[0-9] | awk "{s+=\$1} END {print s}") operations by $WORKERS workers in ${SECONDS_TO_RUN}s"

# Invariants, per the kernel.
expect_eq "gc after the storm" "$(brnet gc)" "nothing to do"
live=$(brnet ls --json | python3 -c 'import json,sys; print(" ".join(a["id"] for a in json.load(sys.stdin)))')
addrs=""
for id in $live; do
	brnet check --id "$id" >/dev/null || fail "$id fails check: $(brnet check --id "$id")"
	ip netns exec "$id" ping -c1 -W2 10.0.42.1 >/dev/null || fail "$id cannot reach the gateway"
	addrs+="$(ip -n "$id" -4 -j addr show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["addr_info"][0]["local"])') "
done
dups=$(echo "$addrs" | tr ' ' '\n' | grep . | sort | uniq -d)
[ -z "$dups" ] || fail "addresses held twice: $dups"
echo "ok: $(echo "$live" | wc -w) live attachments pass check, reach the gateway, hold distinct addresses"
for i in $(seq 0 $((IDS - 1))); do
	case " $live " in *" s$i "*) continue ;; esac
	[ -z "$(ip -n s$i -j link show eth0 2>/dev/null)" ] || fail "torn-down s$i still has eth0"
done
for id in $live; do brnet teardown --id "$id" >/dev/null; done
[ "$base" = "$(snapshot)" ] || { diff <(echo "$base") <(snapshot) >&2; fail "the storm left a trace"; }
echo "ok: after tearing the rest down, nothing is left"
echo PASS
