#!/bin/bash
# brnet check's reading of another table's forward chain, against the kernel's: random
# rulesets (fwgen.py, seeded) of jumps, gotos and returns over rules that apply, miss, or may
# apply to a container's new connection out, loaded into a table that drops by default (of
# nf_tables, or iptables-legacy's, which check reads from its blob). The
# probe, a real connection from the container, is among the connections no rule that may
# apply catches, which is what check judges: when check does not name "what its containers
# send past this host", the probe must get through; when the rulesets take no way that check
# cannot follow (no return or goto that may be taken), when it names it, the probe must not.
# A connection to a published port from the uplink is judged the first way too.
. "$(dirname "$0")/lib.sh"

make_uplink_publisher
expect_probe c1 tcp "$UPSTREAM_ADDR" 8000 open
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open

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
		named=no
		case "$out" in *"$where"*"what its containers send past this host"*) named=yes ;; esac
		got=$(probe c1 tcp "$UPSTREAM_ADDR" 8000)
		if [ $named = no ] && [ "$got" != open ]; then
			fail "seed $seed ($mode): check sees the connection out accepted, the kernel says $got: $(cat "$TMPDIR/rules")"
		fi
		if [ $mode != forks ] && [ $named = yes ] && [ "$got" = open ]; then
			fail "seed $seed ($mode): check names the connection out, the kernel lets it through: $(cat "$TMPDIR/rules")"
		fi
		seen[$mode-$named-$got]=$((${seen[$mode-$named-$got]:-0} + 1))
		# The published port, from the uplink: a rule that applies to what goes out may
		# only maybe apply to what comes in (its source), so one way only.
		case "$out" in *"$where"*"connections to its published ports from other hosts"*) named=yes ;; *) named=no ;; esac
		got=$(probe upstream tcp "$HOST_UPLINK_ADDR" 8080)
		if [ $named = no ] && [ "$got" != open ]; then
			fail "seed $seed ($mode): check sees the published port's connection accepted, the kernel says $got: $(cat "$TMPDIR/rules")"
		fi
		seen[in-$named-$got]=$((${seen[in-$named-$got]:-0} + 1))
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
echo "ok: $((3 * SEEDS)) random rulesets (nft, iptables-legacy), check agrees with the kernel"
brnet teardown --id c1 >/dev/null
echo "PASS"
