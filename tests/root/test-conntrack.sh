#!/bin/bash
# Connection tracking entries that published UDP ports leave behind. A UDP client that keeps
# sending from one port keeps its conntrack entry, and its NAT binding, alive: a container that
# replaces another on the same published port, or a port published after the client started,
# would never see it. Setup forgets such entries for its UDP ports; teardown forgets the flows
# its container answered; flows that are not a published port's stay. The conntrack tool is the
# witness.
. "$(dirname "$0")/lib.sh"

command -v conntrack >/dev/null || skip "needs conntrack (Debian package conntrack)"
make_upstream
ip -n upstream route add default via $HOST_UPLINK_ADDR

# send NS DST PORT SPORT: a client that sends a datagram every 50 ms from SPORT, until killed.
SENDER='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[3])))
while True:
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.05)'
send() {
	local ns=$1
	shift
	if [ "$ns" = host ]; then
		python3 -c "$SENDER" "$@" &
	else
		ip netns exec "$ns" python3 -c "$SENDER" "$@" &
	fi
	PIDS+=($!)
}

# heard NS PORT: the source of the first datagram NS receives on PORT within 2 s, or "nothing".
heard() {
	in_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(2)
try:
    print("%s:%d" % s.recvfrom(16)[1])
except socket.timeout:
    print("nothing")' "$2"
}

# entries ARGS...: the ids of the conntrack entries that conntrack -L ARGS lists.
entries() {
	conntrack -L "$@" -o id 2>/dev/null | sed -n 's/.*id=\([0-9]*\).*/\1/p' | sort | tr '\n' ' '
}

# 1. A container replaced by another on the same published port: the new one hears the client
#    that kept sending all along.
for c in a b c d; do make_container $c; done
brnet setup --netns /run/netns/a --id a -p 5353:5353/udp >/dev/null
send upstream $HOST_UPLINK_ADDR 5353 40000
expect_eq "a hears the client" "$(heard a 5353)" "$UPSTREAM_ADDR:40000"
A=$(brnet ls --json | python3 -c 'import json,sys; print([x["address"] for x in json.load(sys.stdin) if x["id"] == "a"][0].split("/")[0])')
[ -n "$(entries -p udp --reply-src "$A")" ] || fail "no entry answered by a ($A) to begin with"
brnet teardown --id a >/dev/null
expect_eq "no entry answered by a after its teardown" "$(entries --reply-src "$A")" ""
brnet setup --netns /run/netns/b --id b -p 5353:5353/udp >/dev/null
expect_eq "b, on a's port, hears the same client" "$(heard b 5353)" "$UPSTREAM_ADDR:40000"

# 2. A port published after its client started: the client's entry went to the host (no one
#    listened there), and now goes to the container.
send upstream $HOST_UPLINK_ADDR 5354 40001
for _ in $(seq 50); do [ -n "$(entries -p udp --dport 5354)" ] && break; sleep 0.05; done
[ -n "$(entries -p udp --dport 5354)" ] || fail "the client to 5354 made no entry"
brnet setup --netns /run/netns/c --id c -p 5354:5354/udp >/dev/null
expect_eq "c, publishing after the client started, hears it" "$(heard c 5354)" \
	"$UPSTREAM_ADDR:40001"

# 3. What is not a published port's stays: c's own flow out to port 5355 upstream
#    (masqueraded), the host's own flow to 5355, and b's entries, when d publishes 5355.
serve upstream udp:5355
send c $UPSTREAM_ADDR 5355 40002
send host $UPSTREAM_ADDR 5355 40003
for _ in $(seq 50); do
	[ "$(entries -p udp --dport 5355 | wc -w)" = 2 ] && break
	sleep 0.05
done
before=$(entries -p udp --dport 5355)
[ "$(echo $before | wc -w)" = 2 ] || fail "expected two flows to 5355, got: $before"
b_before=$(entries -p udp --dport 5353)
brnet setup --netns /run/netns/d --id d -p 5355:5355/udp >/dev/null
expect_eq "the flows out to 5355 kept their entries" "$(entries -p udp --dport 5355)" "$before"
expect_eq "b's entries untouched by d's setup" "$(entries -p udp --dport 5353)" "$b_before"

# 4. Only UDP ports pay for the walk: a setup or teardown publishing TCP dumps no conntrack
#    table (strace names the request IPCTNL_MSG_CT_GET, or by its number, 0x101).
ctnl_requests() {
	strace -f -qq -e trace=sendto,sendmsg -o "$TMPDIR/ct.st" "$@" >/dev/null
	grep -cE 'nlmsg_type=(0x101|NFNL_SUBSYS_CTNETLINK<<8\|IPCTNL_MSG_CT_GET)\b' "$TMPDIR/ct.st" || true
}
make_container e
expect_eq "ctnetlink dumps of a UDP publisher's teardown" "$(ctnl_requests "$BRNET" teardown --id d)" 1
expect_eq "ctnetlink dumps of a TCP publisher's setup" \
	"$(ctnl_requests "$BRNET" setup --netns /run/netns/e --id e -p 8080:80)" 0
expect_eq "ctnetlink dumps of a TCP publisher's teardown" "$(ctnl_requests "$BRNET" teardown --id e)" 0

for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
for c in b c; do brnet teardown --id $c >/dev/null; done
for addr in 10.0.42.3 10.0.42.4; do
	expect_eq "entries answered by $addr at the end" "$(entries --reply-src $addr)" ""
done
echo "PASS"
