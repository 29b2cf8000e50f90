#!/bin/bash
# Every malformed or out-of-range value: a one-line error naming the value, exit 2, and the
# kernel and the state directory exactly as they were (compared with ip -j, nft -j and a hash
# of every state file).
. "$(dirname "$0")/lib.sh"

make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 >/dev/null # the network exists, 10.0.42.2 is taken
: >"$TMPDIR/not-a-netns"
long_id=$(printf 'a%.0s' $(seq 65))

n=0
bad() { # EXPECTED-EXIT NEEDLE ARGS...
	local want=$1 needle=$2 before msg rc
	shift 2
	before=$(snapshot)
	set +e
	msg=$("$BRNET" "$@" 2>&1 >/dev/null)
	rc=$?
	set -e
	[ "$rc" = "$want" ] || fail "brnet $*: exit $rc, expected $want ($msg)"
	[ "$(printf '%s\n' "$msg" | grep -c .)" -le 2 ] || fail "brnet $*: error is not short: $msg"
	case "$msg" in *"$needle"*) ;; *) fail "brnet $*: message does not name '$needle': $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "brnet $*: changed the system"; }
	n=$((n + 1))
	echo "ok: $* -> exit $rc: $(printf '%s' "$msg" | head -n1)"
}

S=(setup --netns /run/netns/c2 --id c2)
bad 2 "0123456789abcdef" "${S[@]}" --ifname 0123456789abcdef
bad 2 "eth 0" "${S[@]}" --ifname "eth 0"
bad 2 "eth0;x" "${S[@]}" --ifname "eth0;x"
bad 2 "br/0" "${S[@]}" --bridge br/0
bad 2 "averyveryverylongbr" "${S[@]}" --bridge averyveryverylongbr
bad 2 "host bits" "${S[@]}" --subnet 10.0.42.1/24
bad 2 "/8 to /30" "${S[@]}" --bridge br7 --subnet 10.0.0.0/7
bad 2 "/8 to /30" "${S[@]}" --bridge br31 --subnet 10.0.0.0/31
bad 2 "010.0.42.0/24" "${S[@]}" --subnet 010.0.42.0/24
# Ranges no interface of a network can use: the kernel refused the gateway of the first only
# after the bridge was made; the others were set up and could not work.
bad 2 "within 0.0.0.0/8" "${S[@]}" --bridge br8 --subnet 0.0.0.0/24
bad 2 "within 127.0.0.0/8" "${S[@]}" --bridge br8 --subnet 127.1.0.0/24
bad 2 "within 224.0.0.0/4" "${S[@]}" --bridge br8 --subnet 224.1.0.0/24
bad 2 "10.0.42.007" "${S[@]}" --ip 10.0.42.007
bad 2 "10.0.43.5" "${S[@]}" --ip 10.0.43.5
bad 2 "10.0.42.1" "${S[@]}" --ip 10.0.42.1
bad 2 "10.0.42.255" "${S[@]}" --ip 10.0.42.255
bad 2 "10.0.42.2 is taken by c1" "${S[@]}" --ip 10.0.42.2
bad 2 "MTU 67" "${S[@]}" --mtu 67
bad 2 "MTU 65536" "${S[@]}" --mtu 65536
bad 2 "MTU \"12ab\"" "${S[@]}" --mtu 12ab
bad 2 "pid 4194303" setup --pid 4194303 --id c2
bad 2 "pid \"-1\"" setup --pid -1 --id c2
bad 2 "not-a-netns" setup --netns "$TMPDIR/not-a-netns" --id c2
bad 2 "/proc/self/ns/mnt" setup --netns /proc/self/ns/mnt --id c2
bad 2 "/no/such/netns" setup --netns /no/such/netns --id c2
# brnet's own namespace, the bridge's (with a default route there, as on any host, this was
# refused only by luck: the container's default route clashed with the host's).
ip route add blackhole default
bad 2 "/proc/self/ns/net\": it is this process's own" setup --netns /proc/self/ns/net --id c2
bad 2 "pid $$: it is in this process's own" setup --pid $$ --id c2
ip route del blackhole default
# A namespace file whose name is not UTF-8: the record (JSON) could not name it. Before, the
# bridge was made and the setup then failed with "No such device".
bad_utf8=$'/run/netns/c2\xff'
touch "$bad_utf8"
mount --bind /run/netns/c2 "$bad_utf8"
bad 2 "not valid UTF-8" setup --netns "$bad_utf8" --id c2 --bridge br8
umount "$bad_utf8"
rm "$bad_utf8"
bad 2 "a/b" setup --netns /run/netns/c2 --id a/b
bad 2 "longer than 64" setup --netns /run/netns/c2 --id "$long_id"
bad 2 "missing --id" teardown
bad 2 "a/b" teardown --id a/b
bad 2 "missing --pid or --netns" setup --id c2
bad 2 "only one of" setup --id c2 --pid 1 --netns /run/netns/c2
bad 2 "unknown option" setup --id c2 --netns /run/netns/c2 --frobnicate
bad 2 "unknown verb" frobnicate
bad 2 'unknown verb "frobnicate"' help frobnicate
expect_eq "brnet help VERB" "$(brnet help run)" "$(brnet run --help)"
expect_eq "brnet help" "$(brnet help)" "$(brnet --help)"
bad 2 "--id is not an option of brnet ls" ls --id c1
bad 2 "--frobnicate" ls --networks --frobnicate
bad 2 "ls: --network: invalid bridge name \"a/b\"" ls --network a/b
bad 1 "already exists" setup --netns /run/netns/c1 --id c1
# A link that is not ours under the name c2's host end would take: refused, and left alone
# (the rollback once deleted it).
hv=$(brnet setup --netns /run/netns/c2 --id c2 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["host_veth"])')
brnet teardown --id c2 >/dev/null
ip link add "$hv" type veth peer name foreign0
bad 1 "host interface $hv already exists" setup --netns /run/netns/c2 --id c2
ip link show "$hv" >/dev/null || fail "the failed setup deleted $hv, which was not its own"
ip link del "$hv"
echo "ok: $n bad inputs refused without a trace"
echo PASS
