#!/bin/bash
# Two first setups racing for the same, not yet existing bridge both succeed with distinct
# addresses; repeated on fresh bridges so the window is hit from both sides.
. "$(dirname "$0")/lib.sh"

for round in 1 2 3 4 5; do
	br=race$round
	make_container r${round}a
	make_container r${round}b
	"$BRNET" setup --netns /run/netns/r${round}a --id r${round}a --bridge $br --subnet 10.$round.0.0/24 --json >"$TMPDIR/a.json" &
	pa=$!
	"$BRNET" setup --netns /run/netns/r${round}b --id r${round}b --bridge $br --subnet 10.$round.0.0/24 --json >"$TMPDIR/b.json" &
	pb=$!
	wait $pa || fail "round $round: first setup failed"
	wait $pb || fail "round $round: second setup failed"
	a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$TMPDIR/a.json")
	b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$TMPDIR/b.json")
	[ "$a" != "$b" ] || fail "round $round: both got $a"
	expect_eq "round $round: one masquerade rule" "$(nft_rules_with_comment "brnet network $br")" "1"
	ip netns exec r${round}a ping -c1 -W2 10.$round.0.1 >/dev/null || fail "round $round: no gateway"
	echo "ok: round $round: $a and $b"
done
echo PASS
