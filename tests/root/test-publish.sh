#!/bin/bash
# Published ports: reachable over TCP and UDP from another machine, from the host (its own
# address and 127.0.0.1), from another container and from the publisher itself; client
# addresses kept; a HOST_IP binds to that address only; nothing else is hijacked; 127/8 from
# outside is dropped, and a port published on 127.0.0.1 is not reachable from the host's LAN;
# conflicts are refused; teardown removes exactly its own elements.
. "$(dirname "$0")/lib.sh"

make_upstream
ip addr add 198.51.100.3/24 dev up0 # a second host address, for the HOST_IP restriction
HOST=$HOST_UPLINK_ADDR
make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 -p 8080:80 -p 8080:80/udp -p "$HOST:9000:90" 2>"$TMPDIR/c1.err" >/dev/null
expect_eq "no warning for a HOST_IP the host has" "$(cat "$TMPDIR/c1.err")" ""
brnet setup --netns /run/netns/c2 --id c2 -p 8081:80 >/dev/null
C1=10.0.42.2
C2=10.0.42.3

# via NS PROTO DST PORT EXPECTED-SOURCE WHAT: c1 listens on 80; a client in NS connects.
via() {
	local ns=$1 proto=$2 dst=$3 port=$4 want=$5 what=$6 out
	listen c1 "$proto" 0.0.0.0 80
	out=$(connect "$ns" "$proto" "$dst" "$port") || fail "$what ($proto): no answer"
	expect_eq "$what ($proto): c1 sees the client as" "$(seen_by c1 "$proto" 80)" "$want"
}
for proto in tcp udp; do
	via upstream $proto $HOST 8080 $UPSTREAM_ADDR "from another machine, source kept"
	via host $proto $HOST 8080 $HOST "from the host to its own address"
	via host $proto 127.0.0.1 8080 10.0.42.1 "from the host to 127.0.0.1"
	via c2 $proto $HOST 8080 10.0.42.1 "from another container through the host"
	via c1 $proto $HOST 8080 10.0.42.1 "from the publisher itself (hairpin)"
done

# 0.0.0.0 as HOST_IP is every address, as Docker's and Podman's users write it (it published
# nothing: no packet is sent to 0.0.0.0).
make_container any
brnet setup --netns /run/netns/any --id any -p 0.0.0.0:8090:80 >/dev/null
listen any tcp 0.0.0.0 80
connect upstream tcp $HOST 8090 >/dev/null || fail "a port published on 0.0.0.0 is not reachable"
expect_eq "0.0.0.0:8090:80" "$(seen_by any tcp 80)" "$UPSTREAM_ADDR"
expect_eq "recorded as every address" "$(brnet ls --json | python3 -c 'import json,sys; print([x["publish"] for x in json.load(sys.stdin) if x["id"] == "any"][0])')" "['8090:80/tcp']"
brnet teardown --id any >/dev/null

# HOST_IP: only that address forwards.
listen c1 tcp 0.0.0.0 90
connect upstream tcp $HOST 9000 >/dev/null || fail "HOST_IP port not reachable on $HOST"
expect_eq "HOST_IP port on its address" "$(seen_by c1 tcp 90)" "$UPSTREAM_ADDR"
if connect upstream tcp 198.51.100.3 9000 >/dev/null 2>&1; then
	fail "HOST_IP port answered on another host address"
fi
echo "ok: HOST_IP port not forwarded on the host's other address"
cleanup; PIDS=()

# A HOST_IP the host does not have: published all the same (a floating address may come
# later), with a warning that nothing reaches it until then; then it does.
make_container fl
brnet setup --netns /run/netns/fl --id fl -p 198.51.100.4:9100:90 2>"$TMPDIR/fl.err" >/dev/null
expect_eq "a HOST_IP the host lacks: warned" "$(cat "$TMPDIR/fl.err")" \
	"brnet: warning: 198.51.100.4 is not an address of this host: nothing reaches 198.51.100.4:9100:90/tcp until it is"
ip addr add 198.51.100.4/24 dev up0
listen fl tcp 0.0.0.0 90
connect upstream tcp 198.51.100.4 9100 >/dev/null || fail "the HOST_IP port once the host has the address"
expect_eq "and forwards once the host has it" "$(seen_by fl tcp 90)" "$UPSTREAM_ADDR"
brnet teardown --id fl >/dev/null
cleanup; PIDS=()

# Nothing hijacked: a container reaching port 8080 of another machine gets that machine.
listen upstream tcp 0.0.0.0 8080
out=$(connect c2 tcp $UPSTREAM_ADDR 8080) || fail "c2 cannot reach upstream:8080"
expect_eq "port 8080 of another machine is that machine" "$out" "pong $UPSTREAM_ADDR"

# 127/8 arriving from the bridge is dropped (route_localnet is on there): a frame from c2 to
# the bridge's MAC with destination 127.0.0.1 must not reach a host service on 127.0.0.1.
expect_eq "route_localnet on the bridge" "$(cat /proc/sys/net/ipv4/conf/brnet0/route_localnet)" "1"
# martian NS DEV DSTMAC SRC PORT: one UDP datagram SRC -> 127.0.0.1:PORT out of DEV in NS,
# to DSTMAC (the host's), as a neighbour that ignores the rules would send it.
martian() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'PY'
import socket, struct, sys
dev, dst, srcip, port = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3], int(sys.argv[4])
src = bytes.fromhex(open("/sys/class/net/%s/address" % dev).read().strip().replace(":", ""))
payload = b"martian"
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                  socket.inet_aton(srcip), socket.inet_aton("127.0.0.1"))
s = sum(struct.unpack("!10H", hdr))
s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
hdr = hdr[:10] + struct.pack("!H", ~s & 0xffff) + hdr[12:]
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
p.bind((dev, 0))
p.send(dst + src + b"\x08\x00" + hdr + udp)
PY
}
# received_martian LISTEN-NS MARTIAN-ARGS...: true if a listener on 127.0.0.1 (or, in a
# container, on every address) at the martian's port gets it within a second.
received_martian() {
	local ns=$1 port=$6 bind=0.0.0.0
	shift
	[ "$ns" = host ] && bind=127.0.0.1
	in_ns "$ns" python3 -c '
import socket, subprocess, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[2], int(sys.argv[3]))); s.settimeout(1)
subprocess.run(["bash", "-c", sys.argv[1]], check=True)
try:
    s.recv(64); sys.exit(0)
except socket.timeout:
    sys.exit(1)' "$(declare -f martian in_ns); martian $*" "$bind" "$port"
}
BRMAC=$(link_field brnet0 address)
UPMAC=$(link_field up0 address)
from_c2=(c2 eth0 "$BRMAC" 10.0.42.3 7777)
if received_martian host "${from_c2[@]}"; then fail "a packet to 127.0.0.1 from the bridge reached the host"; fi
echo "ok: 127.0.0.1 from a container is dropped"

# A port published on 127.0.0.1 only is not reachable from the host's LAN: a neighbour that
# sends to 127.0.0.1:PORT with the host's MAC (the DNAT comes before routing, which would have
# dropped the martian, and the packet is forwarded, past the input guard).
make_container lo1
brnet setup --netns /run/netns/lo1 --id lo1 -p 127.0.0.1:7778:7778/udp >/dev/null
from_lan=(upstream eth0 "$UPMAC" $UPSTREAM_ADDR 7778)
if received_martian lo1 "${from_lan[@]}"; then fail "a neighbour reached a port published on 127.0.0.1"; fi
echo "ok: a port published on 127.0.0.1 is not reachable from a neighbour"

# The tests can fail: without the raw chain's rule the neighbour's packet reaches the
# container (the input guard does not see it); without it and the input guard, c2's packet
# reaches the host. The next setup puts both back.
delete_rule() { nft delete rule inet brnet "$1" handle "$(rule_handle inet brnet "$1" "$2")"; }
delete_rule raw "brnet localnet drop"
received_martian lo1 "${from_lan[@]}" || fail "control: without the raw rule the neighbour did not get through either"
delete_rule input "brnet localnet guard"
received_martian host "${from_c2[@]}" || fail "control: without both rules c2's martian did not arrive either"
echo "ok: control: without the rules both would have arrived"
make_container c3
brnet setup --netns /run/netns/c3 --id c3 >/dev/null # the next setup restores missing rules
expect_eq "guard rule restored" "$(nft_rules_with_comment 'brnet localnet guard')" "1"
expect_eq "raw rule restored" "$(nft_rules_with_comment 'brnet localnet drop')" "1"
if received_martian lo1 "${from_lan[@]}"; then fail "a neighbour reached 127.0.0.1 after the rules' repair"; fi
brnet teardown --id c3 >/dev/null
brnet teardown --id lo1 >/dev/null

# Conflicts: refused with port, protocol, address and owner; nothing changes.
refused() { # NEEDLE ARGS...
	local needle=$1 before msg rc
	shift
	before=$(snapshot)
	set +e
	msg=$("$BRNET" setup --netns /run/netns/c3 --id c3 "$@" 2>&1)
	rc=$?
	set -e
	expect_eq "refused: $*" "$rc" "2"
	case "$msg" in *"$needle"*) echo "ok: $msg" ;; *) fail "message lacks '$needle': $msg" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "refusal changed the system"; }
}
refused "port 8080/tcp on every address is already published by c1/eth0" -p 8080:80
refused "port 8080/udp on every address is already published by c1/eth0" -p 7999-8080:1000-1081/udp
refused "port 9000/tcp on $HOST is already published by c1/eth0" -p "$HOST:9000:80"
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",6000)); s.listen(); time.sleep(30)' &
PIDS+=($!)
sleep 0.3
refused "port 6000/tcp is in use on the host by a socket bound to 127.0.0.1" -p 6000:80
# A runtime that holds its containers' ports itself (as Podman does) says so: the port is
# published over the socket, and new connections go to the container.
brnet setup --netns /run/netns/c3 --id c3 -p 6000:80 --ignore-host-sockets >/dev/null
listen c3 tcp 0.0.0.0 80
connect upstream tcp $HOST 6000 >/dev/null || fail "the port published over a host socket does not reach c3"
expect_eq "the container got it" "$(seen_by c3 tcp 80)" "$UPSTREAM_ADDR"
brnet teardown --id c3 >/dev/null
for spec in 0:80 70000:80 80-90:80-85 1.2.3:80:80 80:80/sctpx "" 8080 :80 080:80 80:80/tcp/udp; do
	refused "invalid port spec" -p "$spec"
done

# check sees the elements; teardown removes exactly c1's, c2's keep working.
brnet check --id c1 >/dev/null || fail "check of c1 failed"
nft delete element inet brnet publish '{ tcp . 8080 }'
out=$(brnet check --id c1 || true)
case "$out" in *"published port 8080/tcp (8080:80/tcp) has no map element"*) echo "ok: check: $out" ;; *) fail "check: $out" ;; esac
brnet teardown --id c1 >/dev/null
left=$(nft -j list map inet brnet publish | python3 -c 'import json,sys; print(sorted(str(e) for o in json.load(sys.stdin)["nftables"] if "map" in o for e in o["map"].get("elem",[])))')
case "$left" in *8081*) ;; *) fail "c2's element is gone: $left" ;; esac
case "$left" in *8080*) fail "c1's elements stayed: $left" ;; esac
expect_eq "no host-IP elements left" "$(nft -j list map inet brnet publish_addr | python3 -c 'import json,sys; print(sum(len(o["map"].get("elem",[])) for o in json.load(sys.stdin)["nftables"] if "map" in o))')" "0"
listen c2 tcp 0.0.0.0 80
connect upstream tcp $HOST 8081 >/dev/null || fail "c2's port stopped working"
echo "ok: teardown removed c1's elements only; c2's port works"
echo PASS
