#!/bin/bash
# brnet check's reading of another table's forward chain, against the kernel's: random
# rulesets (fwgen.py, seeded) of jumps, gotos and returns over rules that apply, miss, or may
# apply to a container's new connection out, loaded into a table that drops by default (of
# nf_tables, or iptables-legacy's, which check reads from its blob). The
# probe, a real connection from the container, is among the connections no rule that may
# apply catches, which is what check judges: when check does not name "what its containers
# send past this host", the probe must get through; when the rulesets take no way that check
# cannot follow (no return or goto that may be taken), when it names it, the probe must not.
# A connection to a published port from the uplink, and one between two containers (where
# br_netfilter shows it to the IP hooks), are judged the first way too.
. "$(dirname "$0")/lib.sh"

make_uplink_publisher
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
# A second container, for what passes between two (br_netfilter shows it to the IP hooks).
make_container c2
c2_addr=$(brnet setup --netns /run/netns/c2 --id c2 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["address"].split("/")[0])')
serve c2 tcp:7000
expect_probe c1 tcp "$c2_addr" 7000 open
between=yes
if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" != 1 ]; then
	must_work && fail "bridged traffic does not pass the IP hooks here (br_netfilter, which scripts/test.sh loads)"
	echo "SKIP (part): traffic between containers, without br_netfilter"
	between=no
fi

# judge PACKET WORDS [both]: what check says of PACKET in $out (WORDS named, or not) against
# the probe's answer in $TMPDIR/got.PACKET. Not named: it must be open; with both, named: it
# must not be.
judge() {
	local named=no got
	got=$(cat "$TMPDIR/got.$1")
	case "$out" in *"$where"*"$2"*) named=yes ;; esac
	if [ $named = no ] && [ "$got" != open ]; then
		fail "seed $seed ($mode): check sees $1 accepted, the kernel says $got: $(cat "$TMPDIR/rules")"
	fi
	if [ "${3:-}" = both ] && [ $named = yes ] && [ "$got" = open ]; then
		fail "seed $seed ($mode): check names $1, the kernel lets it through: $(cat "$TMPDIR/rules")"
	fi
	local k=$1-$named-$got
	[ "$1" = out ] && k=$mode-$named-$got
	seen[$k]=$((${seen[$k]:-0} + 1))
}

SEEDS=${FWEVAL_SEEDS:-25}
declare -A seen
for mode in exact forks legacy; do
	for ((seed = 1; seed <= SEEDS; seed++)); do
		python3 "$HERE/fwgen.py" "$seed" "$mode" up0 >"$TMPDIR/rules"
		if [ $mode = legacy ]; then
			iptables-legacy-restore <"$TMPDIR/rules" || fail "iptables-legacy-restore refused seed $seed: $(cat "$TMPDIR/rules")"
			where="iptables-legacy's table filter, chain FORWARD,"
		else
			nft -f "$TMPDIR/rules" || fail "nft refused seed $seed ($mode): $(cat "$TMPDIR/rules")"
			where="table inet fwgen, chain forward,"
		fi
		out=$(brnet check --id c1 2>&1) || fail "check failed on seed $seed ($mode): $out"
		# The three connections at once: each that is dropped waits out its second.
		probe c1 tcp "$UPSTREAM_ADDR" 8000 >"$TMPDIR/got.out" &
		probes=($!)
		probe upstream tcp "$HOST_UPLINK_ADDR" 8080 >"$TMPDIR/got.in" &
		probes+=($!)
		if [ $between = yes ]; then
			probe c1 tcp "$c2_addr" 7000 >"$TMPDIR/got.between" &
			probes+=($!)
		fi
		wait "${probes[@]}"
		# What goes out: both ways.
		judge out "what its containers send past this host" "$([ $mode != forks ] && echo both)"
		# The published port, from the uplink: a rule that applies to what goes out may only
		# maybe apply to what comes in (its source), so one way only; so between containers.
		judge in "connections to its published ports from other hosts"
		[ $between = no ] || judge between "traffic between its containers"
		if [ $mode = legacy ]; then
			iptables-legacy -P FORWARD ACCEPT
			iptables-legacy -F
			iptables-legacy -X
		else
			nft delete table inet fwgen
		fi
	done
done
for k in "${!seen[@]}"; do echo "  $k: ${seen[$k]}"; done | sort
# Both answers were met in each mode, or the rulesets tested little.
for k in exact-no-open exact-yes-timeout forks-no-open legacy-no-open legacy-yes-timeout in-no-open in-yes-timeout; do
	[ "${seen[$k]:-0}" -gt 0 ] || fail "no seed gave $k"
done
[ $between = no ] || [ "${seen[between-no-open]:-0}" -gt 0 ] || fail "no seed gave between-no-open"
echo "ok: $((3 * SEEDS)) random rulesets (nft, iptables-legacy), check agrees with the kernel"
brnet teardown --id c1 >/dev/null
echo "PASS"
