#!/bin/bash
# Connections routed in (defect 15): another machine with a route to a network's subnet via
# this host reaches a container only through a published port or a connection the container
# made, unless the network lets routed connections in (--allow-routed, chosen by its first
# setup). check reports the rule gone; restore puts it back; an older network gets it.
. "$(dirname "$0")/lib.sh"

make_upstream
ip -n upstream route add 10.0.0.0/8 via $HOST_UPLINK_ADDR

# A network that keeps routed connections out (the default), a container publishing 80.
make_container c1
brnet setup --netns /run/netns/c1 --id c1 -p 8080:80 >/dev/null
serve c1 tcp:80 tcp:81 udp:81
serve upstream tcp:7000
expect_probe upstream tcp $HOST_UPLINK_ADDR 8080 open
expect_probe upstream tcp 10.0.42.2 80 timeout
expect_probe upstream tcp 10.0.42.2 81 timeout
expect_probe upstream udp 10.0.42.2 81 timeout
expect_probe c1 tcp $UPSTREAM_ADDR 7000 open
echo "ok: routed in, only the published port answers; the container's own connections work"

# A network that lets them in: the same container there is reachable by its address.
make_container c2
brnet setup --netns /run/netns/c2 --id c2 --bridge brr --subnet 10.0.43.0/24 --allow-routed >/dev/null
serve c2 tcp:81
expect_probe upstream tcp 10.0.43.2 81 open
# Between networks: routed too, so each network's choice holds for its own containers.
expect_probe c1 tcp 10.0.43.2 81 open
expect_probe c2 tcp 10.0.42.2 81 timeout
# The choice is the network's: a later setup need not repeat it, and cannot contradict it.
make_container c3
brnet setup --netns /run/netns/c3 --id c3 --bridge brr >/dev/null
expect_eq "recorded" "$(python3 -c 'import json; print(json.load(open("/run/brnet/networks/brr/network.json"))["routed"])')" "True"
make_container c4
expect_refusal 2 "network brnet0 was set up without letting routed connections in" \
	brnet setup --netns /run/netns/c4 --id c4 --allow-routed
echo "ok: --allow-routed is the network's choice"

# check sees the rule gone, restore puts it back.
handle=$(rule_handle inet brnet forward "brnet routed in brnet0")
[ -n "$handle" ] || fail "no routed-in rule for brnet0"
nft -j list chain inet brnet forward | grep -q '"brnet routed in brr"' && fail "brr, which lets them in, has the rule"
nft delete rule inet brnet forward handle "$handle"
expect_probe upstream tcp 10.0.42.2 81 open
set +e
out=$(brnet check --id c1 2>&1)
rc=$?
set -e
expect_eq "check without the rule" "$rc" "1"
case "$out" in *"brnet routed in brnet0"*) echo "ok: check says: $out" ;; *) fail "check did not name the rule: $out" ;; esac
brnet check --id c2 >/dev/null || fail "check of c2 (brr lets them in) fails"
brnet restore >/dev/null
brnet check --id c1 >/dev/null || fail "check fails after restore"
expect_probe upstream tcp 10.0.42.2 81 timeout
echo "ok: check reports the rule gone and restore puts it back"

# A network recorded by an older brnet (no "routed" in network.json, no rule): nothing asks
# for the rule until a setup decides, and records it; a CLI setup keeps them out by default,
# one that says --allow-routed (or a CNI ADD) lets them in.
routed_rule() { rule_handle inet brnet forward "brnet routed in $1"; }
forget_routed() {
	python3 - "/run/brnet/networks/$1/network.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["routed"]
json.dump(d, open(sys.argv[1], "w"))
PY
}
recorded_routed() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("routed"))' "/run/brnet/networks/$1/network.json"; }
nft delete rule inet brnet forward handle "$(routed_rule brnet0)"
forget_routed brnet0
brnet check --id c1 >/dev/null || fail "check asks an older network for the routed-in rule"
expect_eq "ls --networks: an older network's choice" "$(brnet ls --networks | awk '$1 == "brnet0" { print $6 }')" "-"
expect_probe upstream tcp 10.0.42.2 81 open
brnet setup --netns /run/netns/c4 --id c4 >/dev/null
expect_eq "an older network's choice after a CLI setup" "$(recorded_routed brnet0)" "False"
expect_probe upstream tcp 10.0.42.2 81 timeout
brnet check --id c1 >/dev/null || fail "check of the older network fails after its next setup"
forget_routed brr
make_container c5
brnet setup --netns /run/netns/c5 --id c5 --bridge brr --allow-routed >/dev/null
expect_eq "an older network's choice after --allow-routed" "$(recorded_routed brr)" "True"
expect_eq "no routed-in rule for brr" "$(routed_rule brr)" ""
expect_probe upstream tcp 10.0.43.2 81 open
echo "ok: an older network takes the choice of its next setup"

for id in c1 c2 c3 c4 c5; do brnet teardown --id $id >/dev/null; done
