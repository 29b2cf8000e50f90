#!/bin/bash
# A network that does not masquerade (--no-masquerade, chosen by its first setup): what its
# containers send past the host keeps their own address, so another machine with a route to
# the subnet (a Kubernetes node) sees the pod itself; published ports, 127.0.0.1 publishing
# and the hairpin still work; check does not ask for the rule, restore does not add it; a
# network recorded before the choice existed masquerades, as it always did.
. "$(dirname "$0")/lib.sh"

make_upstream
ip -n upstream route add 10.0.0.0/8 via $HOST_UPLINK_ADDR
masq_rule() { rule_handle inet brnet postrouting "brnet network $1"; }
recorded_masq() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("masquerade"))' "/run/brnet/networks/$1/network.json"; }

# The default network, for contrast: masqueraded behind the uplink address.
make_container c1
brnet setup --netns /run/netns/c1 --id c1 >/dev/null
listen upstream tcp 0.0.0.0 8000
connect c1 tcp $UPSTREAM_ADDR 8000 >/dev/null || fail "c1 cannot reach upstream"
expect_eq "upstream sees the host for c1" "$(seen_by upstream tcp 8000)" "$HOST_UPLINK_ADDR"

# A network without masquerade: the container's own address, TCP and UDP.
make_container c2
brnet setup --netns /run/netns/c2 --id c2 --bridge brm --subnet 10.0.44.0/24 --no-masquerade \
	-p 8081:80 >/dev/null
expect_eq "recorded" "$(recorded_masq brm)" "False"
expect_eq "brm has no masquerade rule" "$(masq_rule brm)" ""
[ -n "$(rule_handle inet brnet postrouting "brnet hairpin brm")" ] || fail "brm lost its hairpin rule"
[ -n "$(rule_handle inet brnet postrouting "brnet localnet brm")" ] || fail "brm lost its 127.0.0.1 rule"
for proto in tcp udp; do
	listen upstream $proto 0.0.0.0 8001
	connect c2 $proto $UPSTREAM_ADDR 8001 >/dev/null || fail "c2 cannot reach upstream ($proto)"
	expect_eq "upstream sees c2's own address ($proto)" "$(seen_by upstream $proto 8001)" "10.0.44.2"
done

# Its published port, from another machine, from the host's 127.0.0.1, and from itself.
serve c2 tcp:80
expect_probe upstream tcp $HOST_UPLINK_ADDR 8081 open
expect_probe host tcp 127.0.0.1 8081 open
expect_probe c2 tcp $HOST_UPLINK_ADDR 8081 open
echo "ok: published ports work on a network without masquerade"

# The choice is the network's: joining needs no flag; contradicting it is refused, either way.
make_container c3
brnet setup --netns /run/netns/c3 --id c3 --bridge brm >/dev/null
expect_eq "brm still has no masquerade rule" "$(masq_rule brm)" ""
make_container c4
expect_refusal 2 "network brnet0 was set up masquerading traffic that leaves the host; this asks not to" \
	brnet setup --netns /run/netns/c4 --id c4 --no-masquerade

# ls --networks shows each network's choices, and how many attachments it has.
brnet ls --networks --json | python3 -c '
import json, sys
n = {x["bridge"]: x for x in json.load(sys.stdin)}
assert n["brm"] == {"bridge": "brm", "subnet": "10.0.44.0/24", "gateway": "10.0.44.1",
                    "attachments": 2, "mtu": None, "routed": False,
                    "masquerade": False, "masquerade_except": []}, n["brm"]
assert n["brnet0"]["masquerade"] is True and n["brnet0"]["attachments"] == 1, n["brnet0"]
assert len(n) == 2, n' || fail "ls --networks --json"
expect_eq "ls --networks, brm's row" "$(brnet ls --networks | awk '$1 == "brm" { print $4, $5, $6, $7 }')" "2 - no no"
expect_eq "ls --networks, its heading" "$(brnet ls --networks | head -n1 | tr -s ' ')" "BRIDGE SUBNET GATEWAY ATTACHMENTS MTU ROUTED-IN MASQUERADE"
# --network: one bridge's attachments, or its network; none of a bridge with none.
expect_eq "ls --network brm" "$(brnet ls --network brm | awk 'NR > 1 { print $1, $4 }' | sort | tr '\n' ' ')" "c2 brm c3 brm "
expect_eq "ls --network brnet0 --json" "$(brnet ls --network brnet0 --json | python3 -c 'import json, sys; print([a["id"] for a in json.load(sys.stdin)])')" "['c1']"
expect_eq "ls --networks --network brm" "$(brnet ls --networks --network=brm | awk 'NR > 1 { print $1, $4 }')" "brm 2"
expect_eq "ls --network of no network" "$(brnet ls --network br9 --json)" "[]"

# A network that masquerades, but not to some destinations (another node's pod subnet): those
# see the container itself, the rest the host.
ip -n upstream addr add 198.51.100.3/24 dev eth0
make_container c5
brnet setup --netns /run/netns/c5 --id c5 --bridge brx --subnet 10.0.45.0/24 \
	--no-masquerade-to 198.51.100.1 --no-masquerade-to 10.244.0.0/16 >/dev/null
listen upstream tcp $UPSTREAM_ADDR 8003
connect c5 tcp $UPSTREAM_ADDR 8003 >/dev/null || fail "c5 cannot reach upstream"
expect_eq "an exception sees c5's own address" "$(seen_by upstream tcp 8003)" "10.0.45.2"
listen upstream udp 198.51.100.3 8004
connect c5 udp 198.51.100.3 8004 >/dev/null || fail "c5 cannot reach upstream's other address"
expect_eq "another destination sees the host" "$(seen_by upstream udp 8004)" "$HOST_UPLINK_ADDR"
expect_eq "ls --networks, brx's masquerade" "$(brnet ls --networks | awk '$1 == "brx" { $1 = $2 = $3 = $4 = $5 = $6 = ""; print }' | sed 's/^ *//')" "yes, not to 10.244.0.0/16,198.51.100.1/32"
# The exceptions are the network's: none, or the same in any order, join; others are refused.
make_container c6
brnet setup --netns /run/netns/c6 --id c6 --bridge brx --no-masquerade-to 10.244.0.0/16 \
	--no-masquerade-to 198.51.100.1/32 >/dev/null
brnet teardown --id c6 >/dev/null
S=(brnet setup --netns /run/netns/c6 --id c6)
expect_refusal 2 "exceptions 10.244.0.0/16, 198.51.100.1/32; this asks for 198.51.100.0/24" \
	"${S[@]}" --bridge brx --no-masquerade-to 198.51.100.0/24
expect_refusal 2 "this asks for 10.244.0.0/16 (" "${S[@]}" --bridge brx --no-masquerade-to 10.244.0.0/16
expect_refusal 2 "exceptions none (it masquerades nothing)" "${S[@]}" --bridge brm --no-masquerade-to 10.244.0.0/16
expect_refusal 2 "masquerade exceptions are for a network that masquerades" \
	"${S[@]}" --bridge bry --subnet 10.0.46.0/24 --no-masquerade --no-masquerade-to 10.0.0.0/8
brnet setup --netns /run/netns/c6 --id c6 --bridge brx >/dev/null
# restore writes the rule again as the network has it.
nft delete rule inet brnet postrouting handle "$(masq_rule brx)"
brnet restore >/dev/null
rules=$(nft list chain inet brnet postrouting)
case "$rules" in
*'oifname != "brx" ip daddr != 10.244.0.0/16 ip daddr != 198.51.100.1 masquerade'*) ;;
*) fail "restore did not write brx's exceptions: $rules" ;;
esac
echo "ok: masquerade exceptions"

# check asks each network for its own rules; restore puts back only those.
brnet check --id c2 >/dev/null || fail "check of c2 asks for a masquerade rule"
nft delete rule inet brnet postrouting handle "$(masq_rule brnet0)"
expect_refusal 1 'rule "brnet network brnet0" is missing' brnet check --id c1
brnet restore >/dev/null
[ -n "$(masq_rule brnet0)" ] || fail "restore did not put brnet0's rule back"
expect_eq "restore adds no rule for brm" "$(masq_rule brm)" ""
brnet check --id c1 >/dev/null || fail "check of c1 fails after restore"

# A network recorded by an older brnet (no "masquerade" in network.json) masquerades.
python3 - /run/brnet/networks/brnet0/network.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["masquerade"]
json.dump(d, open(sys.argv[1], "w"))
PY
brnet check --id c1 >/dev/null || fail "check of an older network fails"
brnet setup --netns /run/netns/c4 --id c4 >/dev/null
listen upstream tcp 0.0.0.0 8002
connect c4 tcp $UPSTREAM_ADDR 8002 >/dev/null || fail "c4 cannot reach upstream"
expect_eq "upstream sees the host for c4" "$(seen_by upstream tcp 8002)" "$HOST_UPLINK_ADDR"
set +e
brnet setup --netns /run/netns/c4 --id c5 --no-masquerade >/dev/null 2>&1
rc=$?
set -e
expect_eq "--no-masquerade on an older network" "$rc" "2"

for id in c1 c2 c3 c4 c5 c6; do brnet teardown --id $id >/dev/null; done
expect_eq "teardown leaves brm without a masquerade rule" "$(masq_rule brm)" ""
echo "PASS"
