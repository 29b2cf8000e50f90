#!/bin/bash
# A setup on a network whose rules were checked, and whose tables have not changed since,
# skips the rule dumps (lib/nft/fingerprint.h); any change to our tables, a foreign state file
# or a flushed ruleset makes the next setup check (and repair) every rule again.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "needs strace"

# How many rule dumps one setup makes, counted at the system call.
rule_dumps() { # ID
	make_container "$1"
	strace -f -qq -e trace=sendto -e signal=none -o "$TMPDIR/$1.strace" \
		"$BRNET" setup --netns "/run/netns/$1" --id "$1" >/dev/null
	grep -c 'NFT_MSG_GETRULE, nlmsg_flags=[A-Z_|]*NLM_F_DUMP' "$TMPDIR/$1.strace" || true
}
masquerade_handle() {
	nft -j -a list chain inet brnet postrouting | python3 -c '
import json, sys
print([o["rule"]["handle"] for o in json.load(sys.stdin)["nftables"]
       if o.get("rule", {}).get("comment") == "brnet network brnet0"][0])'
}

# The first setup makes the tables, then checks them once more (the fingerprint it keeps is
# read before a check that found every rule).
expect_eq "first setup: both tables checked, made, checked again" "$(rule_dumps c1)" "4"
[ -s /run/brnet/networks/brnet0/nft-checked ] || fail "no fingerprint kept"
expect_eq "second setup: no dump" "$(rule_dumps c2)" "0"

# A rule of ours deleted: the chain's count changes, the next setup checks, repairs and
# checks again.
nft delete rule inet brnet postrouting handle "$(masquerade_handle)"
expect_eq "after a deleted rule: checked, repaired, checked again" "$(rule_dumps c3)" "4"
expect_eq "masquerade rule repaired" "$(nft_rules_with_comment 'brnet network brnet0')" "1"
expect_eq "after the repair: no dump" "$(rule_dumps c4)" "0"

# A rule added by someone else to one of our chains: checked again (ours are all there).
nft add rule inet brnet forward counter
expect_eq "after a foreign rule: checked" "$(rule_dumps c5)" "2"

# A foreign rule whose user data lies about its length: a comment TLV of 255 bytes with 2
# there (the kernel keeps user data as written; nft cannot write it). It names none of our
# rules: setup checks beside it, and check passes. (That the walk stays inside the user data
# is for test-nft and the fuzz corpus to show: in a real dump an overrun reads the next
# message, which no sanitizer sees.)
python3 "$HERE/badrule.py" forward 00ff6162 || fail "could not plant the rule"
expect_eq "after a rule with malformed user data: checked" "$(rule_dumps c5b)" "2"
brnet check --id c1 >/dev/null || fail "check failed beside a rule with malformed user data"
echo "ok: check beside a rule with malformed user data"

# A fingerprint that is not this system's (another boot, a copied state directory).
sed -i 's/^boot [^ ]*/boot 00000000-0000-0000-0000-000000000000/' \
	/run/brnet/networks/brnet0/nft-checked
expect_eq "after another boot's fingerprint: checked" "$(rule_dumps c6)" "2"

# The whole ruleset flushed (a firewall reload): the tables come back whole.
nft flush ruleset
expect_eq "after a flush: checked, made, checked again" "$(rule_dumps c7)" "4"
expect_eq "masquerade rule back" "$(nft_rules_with_comment 'brnet network brnet0')" "1"
expect_eq "guard chain back" "$(nft -j list chain bridge brnet guard >/dev/null && echo yes)" "yes"
ip netns exec c7 ping -c1 -W2 10.0.42.1 >/dev/null || fail "c7 cannot reach the gateway"
echo "ok: c7 reaches the gateway"
echo PASS
