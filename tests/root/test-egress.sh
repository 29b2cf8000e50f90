#!/bin/bash
# The egress policy: a container reaches exactly what it is allowed, over real TCP and UDP,
# whatever it does in its own namespace; replies to inbound connections pass; a replacement
# keeps established connections; bad input changes nothing.
. "$(dirname "$0")/lib.sh"

make_upstream
# A second upstream network, 203.0.113.0/24 (TEST-NET-3), for destinations outside a policy.
ip -n upstream addr add 203.0.113.1/24 dev eth0
ip route add 203.0.113.0/24 via $UPSTREAM_ADDR
ip -n upstream route add 10.0.0.0/8 via $HOST_UPLINK_ADDR 2>/dev/null || true

serve upstream tcp:8080 tcp:8081 udp:5353 udp:5354 udp:53 tcp:53
serve host tcp:9000

# 1. An allowed CIDR on all ports; everything else dropped (timeout, not refused).
make_container c1
brnet setup --netns /run/netns/c1 --id c1 --egress-allow 198.51.100.0/24 >/dev/null
expect_probe c1 tcp $UPSTREAM_ADDR 8080 open
expect_probe c1 tcp $UPSTREAM_ADDR 8081 open
expect_probe c1 udp $UPSTREAM_ADDR 5353 open
expect_probe c1 tcp 203.0.113.1 8080 timeout
expect_probe c1 udp 203.0.113.1 5353 timeout
# Without a policy the same destinations answer: the timeouts above are the policy's.
make_container free
out=$(brnet setup --netns /run/netns/free --id free)
case $out in *egress*) fail "setup's line names a policy free does not have: $out" ;; esac
expect_probe free tcp 203.0.113.1 8080 open
expect_probe free tcp 10.0.42.1 9000 open

# 1b. A /18 is matched at /20, as four elements: an address in the last of them answers, and
# one outside the /18 does not.
make_container c18
brnet setup --netns /run/netns/c18 --id c18 --egress-allow 203.0.64.0/18 >/dev/null
expect_eq "elements of a /18" "$(nft -j list table inet brnet | python3 -c '
import json, sys
print(sorted(e for o in json.load(sys.stdin)["nftables"] if "set" in o and o["set"]["name"].endswith("_20")
             for e in o["set"].get("elem", [])))')" "['203.0.112.0', '203.0.64.0', '203.0.80.0', '203.0.96.0']"
expect_probe c18 tcp 203.0.113.1 8080 open
expect_probe c18 tcp $UPSTREAM_ADDR 8080 timeout
brnet check --id c18 >/dev/null || fail "check of c18: $(brnet check --id c18)"
# One of its list's rules deleted: check sees it.
read -r chain handle < <(nft -j list table inet brnet | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and r["chain"].startswith("allow_") and "_20" in json.dumps(r["expr"]):
        print(r["chain"], r["handle"]); break')
nft delete rule inet brnet "$chain" handle "$handle"
brnet check --id c18 >/dev/null 2>&1 && fail "check missed a rule gone from the list"
brnet teardown --id c18 >/dev/null

# 2. One TCP port only: other TCP ports and UDP are dropped.
make_container c2
brnet setup --netns /run/netns/c2 --id c2 --egress-allow 198.51.100.1 --egress-tcp-port 8080 >/dev/null
expect_probe c2 tcp $UPSTREAM_ADDR 8080 open
expect_probe c2 tcp $UPSTREAM_ADDR 8081 timeout
expect_probe c2 udp $UPSTREAM_ADDR 5353 timeout

# 3. A UDP port allowlist.
make_container c3
brnet setup --netns /run/netns/c3 --id c3 --egress-allow 198.51.100.0/24 --egress-udp-port 5353 >/dev/null
expect_probe c3 udp $UPSTREAM_ADDR 5353 open
expect_probe c3 udp $UPSTREAM_ADDR 5354 timeout
expect_probe c3 tcp $UPSTREAM_ADDR 8080 timeout

# 4. Deny all, DNS to the resolver allowed by default and not with --no-egress-dns; DNS to
# any other server is not allowed either way.
make_container c4
brnet setup --netns /run/netns/c4 --id c4 --egress-deny-all --dns 203.0.113.1 >/dev/null
expect_probe c4 udp 203.0.113.1 53 open
expect_probe c4 tcp 203.0.113.1 53 open
expect_probe c4 udp $UPSTREAM_ADDR 53 timeout
expect_probe c4 tcp $UPSTREAM_ADDR 8080 timeout
! in_ns c4 ping -c1 -W1 10.0.42.1 >/dev/null 2>&1 || fail "c4 pinged the gateway under deny-all"
make_container c5
out=$(brnet setup --netns /run/netns/c5 --id c5 --egress-deny-all --dns 203.0.113.1 --no-egress-dns)
case $out in "attached c5/eth0: "*", egress deny-all,no-dns") ;; *) fail "setup's line does not end with c5's policy: $out" ;; esac
expect_probe c5 udp 203.0.113.1 53 timeout

# 5. Under a policy the host's services and the other containers are out of reach...
expect_probe c1 tcp 10.0.42.1 9000 timeout
expect_probe c4 tcp $HOST_UPLINK_ADDR 9000 timeout
expect_probe c4 tcp 10.0.42.1 9000 timeout
serve free tcp:7000
free_addr=$(brnet ls --json | python3 -c 'import json,sys; print([a["address"] for a in json.load(sys.stdin) if a["id"]=="free"][0].split("/")[0])')
expect_probe c1 tcp "$free_addr" 7000 timeout
# ...but connections made to a policed container get their replies.
serve c4 tcp:7001
c4_addr=$(brnet ls --json | python3 -c 'import json,sys; print([a["address"] for a in json.load(sys.stdin) if a["id"]=="c4"][0].split("/")[0])')
expect_probe free tcp "$c4_addr" 7001 open
expect_probe host tcp "$c4_addr" 7001 open

# 6. Inbound through a published port, under deny-all: the reply passes.
make_container web
brnet setup --netns /run/netns/web --id web --egress-deny-all -p 8088:80 >/dev/null
serve web tcp:80
expect_probe upstream tcp $HOST_UPLINK_ADDR 8088 open

# 7. The workload has CAP_NET_ADMIN in its namespace: it flushes its ruleset, renumbers itself
# and reroutes, and still reaches nothing it is not allowed to.
in_ns c2 nft flush ruleset
in_ns c2 ip route replace default via 10.0.42.1
expect_probe c2 tcp $UPSTREAM_ADDR 8081 timeout
c2_addr=$(in_ns c2 ip -j -4 addr show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["addr_info"][0]["local"])')
in_ns c2 ip addr flush dev eth0
in_ns c2 ip addr add 10.0.42.200/24 dev eth0
in_ns c2 ip route add default via 10.0.42.1
expect_probe c2 tcp $UPSTREAM_ADDR 8081 timeout
expect_probe c2 tcp 203.0.113.1 8080 timeout
in_ns c2 ip addr flush dev eth0
in_ns c2 ip addr add "$c2_addr/24" dev eth0
in_ns c2 ip route add default via 10.0.42.1
expect_probe c2 tcp $UPSTREAM_ADDR 8080 open
echo "ok: tampering inside the namespace changes nothing"

# 8. brnet policy replaces a policy atomically; an established allowed connection survives.
in_ns c1 python3 "$PROBE" hold $UPSTREAM_ADDR 8080 3 >"$TMPDIR/hold" &
holder=$!
sleep 0.5
brnet policy --id c1 --egress-deny-all >/dev/null
expect_probe c1 tcp $UPSTREAM_ADDR 8081 timeout
wait $holder
expect_eq "established connection across the replacement" "$(cat "$TMPDIR/hold")" "held"
brnet policy --id c1 --egress-allow 203.0.113.0/24 >/dev/null
expect_probe c1 tcp 203.0.113.1 8080 open
expect_probe c1 tcp $UPSTREAM_ADDR 8080 timeout
brnet check --id c1 >/dev/null || fail "check fails after a replacement"
brnet policy --id c1 >/dev/null
expect_probe c1 tcp $UPSTREAM_ADDR 8080 open
echo "ok: policy replaced, then removed"
# A replacement the kernel refuses leaves the record as the kernel is: the old policy.
if [ "${BRNET_TEST_HOOKS:-0}" = 1 ]; then
	record_before=$(cat /run/brnet/attachments/c1@eth0.json)
	set +e
	msg=$(BRNET_FAIL_STEP=policy "$BRNET" policy --id c1 --egress-deny-all 2>&1)
	rc=$?
	set -e
	expect_eq "refused replacement" "$rc" "1"
	case "$msg" in *"injected failure"*) ;; *) fail "unexpected message: $msg" ;; esac
	expect_eq "record after a refused replacement" "$(cat /run/brnet/attachments/c1@eth0.json)" "$record_before"
	brnet check --id c1 >/dev/null || fail "check fails after a refused replacement"
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 open
	echo "ok: a refused replacement changes nothing"
	# One killed after its record: the kernel keeps the old policy (none) until gc applies
	# the recorded one.
	set +e
	BRNET_KILL_STEP=policy "$BRNET" policy --id c1 --egress-deny-all >/dev/null 2>&1
	rc=$?
	out=$(brnet check --id c1 2>&1)
	check_rc=$?
	set -e
	expect_eq "killed replacement" "$rc" "137"
	expect_eq "check after a killed replacement" "$check_rc" "1"
	case "$out" in *"brnet policy was interrupted before the kernel had it (brnet gc applies the recorded one)"*) ;; *) fail "check after a killed replacement: $out" ;; esac
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 open
	expect_eq "gc finishes the replacement" "$(brnet gc | grep -c '^apply the recorded egress policy of c1/eth0: brnet policy was interrupted')" "1"
	brnet check --id c1 >/dev/null || fail "check fails after gc finished a replacement"
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 timeout
	expect_eq "gc again" "$(brnet gc)" "nothing to do"
	# Killed again (removing the policy): restore applies the record, where it failed before
	# (the kernel's element for the container named the old policy: "File exists").
	set +e
	BRNET_KILL_STEP=policy "$BRNET" policy --id c1 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "killed removal" "$rc" "137"
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 timeout
	brnet restore >/dev/null || fail "restore after a killed replacement"
	brnet check --id c1 >/dev/null || fail "check fails after restore finished a replacement"
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 open
	# After a flush, with a container after it in the list whose policy is the killed one's
	# new list: the batch must make that list for it (restore failed with ENOENT).
	make_container kp
	set +e
	BRNET_KILL_STEP=policy "$BRNET" policy --id c1 --egress-allow 203.0.113.0/24 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "killed replacement" "$rc" "137"
	brnet setup --netns /run/netns/kp --id kp --egress-allow 203.0.113.0/24 >/dev/null
	nft flush ruleset
	brnet restore >/dev/null || fail "restore after a flush, with a killed replacement"
	brnet check --all >/dev/null || fail "check --all after that restore: $(brnet check --all 2>&1)"
	expect_probe c1 tcp 203.0.113.1 8080 open
	expect_probe c1 tcp $UPSTREAM_ADDR 8080 timeout
	brnet policy --id c1 >/dev/null
	brnet teardown --id kp >/dev/null
	echo "ok: a killed replacement is finished by gc, and by restore"
fi

# 9. check sees the elements; restore puts them back after a flush.
nft flush ruleset
set +e
out=$(brnet check --id c3 2>&1)
set -e
case "$out" in *"egress policy"*) echo "ok: check reports the lost policy" ;; *) fail "check did not report the policy: $out" ;; esac
brnet restore >/dev/null
brnet check --id c3 >/dev/null || fail "check fails after restore"
expect_probe c3 udp $UPSTREAM_ADDR 5354 timeout
expect_probe c3 udp $UPSTREAM_ADDR 5353 open

# 10. Denied packets of an attachment with --egress-log reach brnet events, once each and at
# most 5 a minute (after a burst of 5); those of one without it do not.
send_udp() { in_ns "$1" python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('$2', $3))"; }
make_container lg
brnet setup --netns /run/netns/lg --id lg --egress-deny-all --egress-log >/dev/null
lg_addr=$(brnet ls --json | python3 -c 'import json,sys; print([a["address"] for a in json.load(sys.stdin) if a["id"]=="lg"][0].split("/")[0])')
brnet events --json --timeout 2 >"$TMPDIR/events" &
events=$!
sleep 0.5
send_udp c4 $UPSTREAM_ADDR 5354
send_udp lg $UPSTREAM_ADDR 5354
wait $events
expect_eq "one event line" "$(wc -l <"$TMPDIR/events")" "1"
expect_eq "the event" "$(cat "$TMPDIR/events")" \
	"{\"id\":\"lg\",\"ifname\":\"eth0\",\"source\":\"$lg_addr\",\"protocol\":\"udp\",\"destination\":\"$UPSTREAM_ADDR\",\"port\":5354,\"action\":\"drop\"}"
brnet events --timeout 2 >"$TMPDIR/events" &
events=$!
sleep 0.5
# The kernel gives a group to one socket: a second listener is told who has it.
set +e
msg=$(brnet events --timeout 1 2>&1)
rc=$?
set -e
expect_eq "a second brnet events" "$rc" "1"
case "$msg" in
*"cannot bind NFLOG group 4242: another listener has it (process "[0-9]*", brnet), and the kernel gives"*) echo "ok: the second listener names the first" ;;
*) fail "a second brnet events: $msg" ;;
esac
for _ in $(seq 12); do send_udp lg $UPSTREAM_ADDR 5355; done
wait $events
n=$(wc -l <"$TMPDIR/events")
[ "$n" -ge 1 ] && [ "$n" -le 5 ] || fail "12 denied packets gave $n event lines, expected 1 to 5"
echo "ok: 12 denied packets, $n events (rate-limited)"
brnet teardown --id lg >/dev/null

# 10b. A long allowlist from a file: 10,000 destinations (and comments, blank lines, a CIDR
# inside another) are 10,000 elements of one list; the one of them that is reachable answers,
# the rest of the world does not. A second container with the same list, given in another
# order, shares it: one map element, no second list. The last container takes the list away.
make_container big
make_container big2
{
	echo "# generated: 10,000 /32s in 100.64.0.0/10, then the upstream host"
	for j in $(seq 1 9999); do echo "100.$((64 + (j >> 16))).$(((j >> 8) & 255)).$((j & 255))/32"; done
	echo ""
	echo "$UPSTREAM_ADDR   # the one reachable destination"
	echo "100.64.0.0/24"
	echo "100.64.0.7/32 # inside the /24 above"
} >"$TMPDIR/allow.txt"
sort -r "$TMPDIR/allow.txt" >"$TMPDIR/allow-reversed.txt"
list_chains() { # the allowlists' chains, one a line
	nft -j list table inet brnet | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    if "chain" in o and o["chain"]["name"].startswith("allow_"): print(o["chain"]["name"])'
}
allow_elems() { # in every allowlist's sets
	nft -j list table inet brnet | python3 -c '
import json, sys
print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"]
          if "set" in o and o["set"]["name"].startswith("allow_")))'
}
others=$(allow_elems) # the lists of the containers above
before=$(list_chains)
brnet setup --netns /run/netns/big --id big --egress-allow-file "$TMPDIR/allow.txt" >/dev/null
# 9,999 /32s, of which the /24 (one element) replaces the 255 it covers, plus the upstream host
expect_eq "elements of a 10,000-line allowlist" "$(($(allow_elems) - others))" "$((9999 - 255 + 1 + 1))"
list=$(comm -13 <(echo "$before" | sort) <(list_chains | sort))
expect_eq "new lists after the first container" "$(echo "$list" | wc -w)" "1"
# The same list in another order, through a pipe on standard input.
# shellcheck disable=SC2002
cat "$TMPDIR/allow-reversed.txt" | brnet setup --netns /run/netns/big2 --id big2 --egress-allow-file - >/dev/null
expect_eq "lists after the second container" "$(list_chains | sort)" "$( (echo "$before"; echo "$list") | grep . | sort)"
expect_eq "elements after the second container" "$(($(allow_elems) - others))" "$((9999 - 255 + 1 + 1))"
# On disk too the list is kept once: each container's allowlist file links the list's file.
allow_files=$(find "$BRNET_STATE_DIR/attachments" -name '*.allow' | wc -l)
expect_eq "files of the two containers' list" \
	"$(find "$BRNET_STATE_DIR/attachments" -name 'big*.allow' -printf '%i %n\n' | sort -u)" \
	"$(find "$BRNET_STATE_DIR/attachments" -name 'big@*.allow' -printf '%i 3')"
for c in big big2; do
	expect_probe $c tcp $UPSTREAM_ADDR 8080 open
	expect_probe $c tcp 203.0.113.1 8080 timeout
	brnet check --id $c >/dev/null || fail "check of $c after a 10,000-line policy"
done
# The kernel keeps a list that a container uses: its chain cannot be deleted under it; and gc
# leaves a list in use alone.
nft delete chain inet brnet "$list" 2>/dev/null && fail "a list in use was deleted"
out=$(brnet gc)
case "$out" in *allowlist*) fail "gc touched an allowlist in use: $out" ;; esac
expect_eq "lists after gc" "$(list_chains | grep -c "$list")" "1"
brnet check --id big2 >/dev/null || fail "check of big2 after gc"
brnet teardown --id big >/dev/null
expect_eq "the list after its first container went" "$(list_chains | grep -c "$list")" "1"
expect_probe big2 tcp $UPSTREAM_ADDR 8080 open
# Tampering that check sees: a destination gone from the shared list.
nft delete element inet brnet "${list}_32" '{ 100.64.39.15 }'
brnet check --id big2 >/dev/null 2>&1 && fail "check missed a destination gone from the list"
nft add element inet brnet "${list}_32" '{ 100.64.39.15 }'
brnet teardown --id big2 >/dev/null
expect_eq "allowlist elements after the last teardown" "$(allow_elems)" "$others"
expect_eq "lists after the last teardown" "$(list_chains)" "$before"
expect_eq "allowlist files after the last teardown" \
	"$(find "$BRNET_STATE_DIR/attachments" -name '*.allow' | wc -l)" "$((allow_files - 3))"
echo "ok: a 10,000-line allowlist file, shared by two containers"

# 10b. A transaction the kernel refuses costs its abort (milliseconds: it waits for the other
# CPUs). The first container with a list, the next one joining it, and their teardowns ask
# before they act: none of them sends a transaction the kernel refuses.
printf '192.0.2.0/25\n' >"$TMPDIR/new-list.txt"
lists_before=$(list_chains)
make_container r1
make_container r2
expect_eq "refused, first container with a list" \
	"$(refused "$BRNET" setup --netns /run/netns/r1 --id r1 --egress-allow-file "$TMPDIR/new-list.txt")" "0"
expect_eq "refused, second container joining it" \
	"$(refused "$BRNET" setup --netns /run/netns/r2 --id r2 --egress-allow-file "$TMPDIR/new-list.txt")" "0"
expect_eq "refused, teardown while the list is shared" "$(refused "$BRNET" teardown --id r1)" "0"
expect_eq "refused, the last teardown" "$(refused "$BRNET" teardown --id r2)" "0"
expect_eq "the lists after the last teardown" "$(list_chains)" "$lists_before"
echo "ok: no refused transaction on the way"
printf '198.51.100.0/24\n10.0.0.1/8\n' >"$TMPDIR/bad-allow.txt"
# CRLF lines (the value named without its CR), a comment after a tab, a blank line, and a last
# line without its newline: each counted.
printf '# from elsewhere\r\n198.51.100.0/24\t# upstream\r\n \r\n10.0.0.1/8\r\n' >"$TMPDIR/crlf-allow.txt"
printf '198.51.100.0/24\n\n10.0.0.1/8' >"$TMPDIR/tail-allow.txt"
# The file is read a buffer at a time: a bad line far into it, across many reads, is counted
# right; a line longer than the buffer, and a NUL byte, are refused by number.
{ head -n 5000 "$TMPDIR/allow.txt"; echo 10.0.0.1/8; } >"$TMPDIR/deep-allow.txt"
{ echo 198.51.100.0/24; printf '#%4095s\n' ''; } >"$TMPDIR/long-allow.txt"
{ echo 198.51.100.0/24; printf '#%4094s\n' ''; echo 10.0.0.1/8; } >"$TMPDIR/edge-allow.txt"
printf '198.51.100.0/24\n10.0.0.0/8\0junk\n' >"$TMPDIR/nul-allow.txt"

# 10b. --egress-reject: what the policy denies is answered (ICMP administratively
# prohibited), so a connection fails at once where it would wait out its retries: to other
# machines, to the host's services, to another container across the bridge; allowed traffic
# passes as before. Its element is checked, and a replacement sets or clears it.
rejected() { # the set's addresses (its elements carry their owner as a comment)
	nft -j list set inet brnet egress_rejected | python3 -c '
import json, sys
print(*sorted(e["elem"]["val"] if isinstance(e, dict) else e for o in json.load(sys.stdin)["nftables"]
              if "set" in o for e in o["set"].get("elem", [])))'
}
make_container rj
make_container rjpeer
brnet setup --netns /run/netns/rjpeer --id rjpeer --ip 10.0.42.77 >/dev/null
serve rjpeer tcp:7000
brnet setup --netns /run/netns/rj --id rj --ip 10.0.42.78 --egress-allow 198.51.100.0/24 --egress-reject --json >"$TMPDIR/rj.json"
# The policy as setup --json, ls --json and ls show it (null, and an empty cell, without one).
expect_eq "rj's policy in setup --json" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["egress"])' "$TMPDIR/rj.json")" \
	"{'allow': ['198.51.100.0/24'], 'tcp_ports': [], 'udp_ports': [], 'dns': [], 'dns_allowed': True, 'log': False, 'reject': True}"
expect_eq "policies in ls --json" "$(brnet ls --json | python3 -c 'import json,sys; print(*[a["egress"] for a in json.load(sys.stdin) if a["id"] in ("c2", "rjpeer")])')" \
	"{'allow': ['198.51.100.1/32'], 'tcp_ports': [8080], 'udp_ports': [], 'dns': [], 'dns_allowed': True, 'log': False, 'reject': False} None"
ls_egress() { brnet ls | awk -v id="$1" 'NR == 1 { col = index($0, "EGRESS") } $1 == id { print substr($0, col) }'; }
expect_eq "rj's EGRESS column" "$(ls_egress rj)" "allow:1,reject"
expect_eq "c2's EGRESS column" "$(ls_egress c2)" "allow:1,tcp:8080"
expect_eq "rjpeer's EGRESS column" "$(ls_egress rjpeer)" ""
expect_eq "c4's resolvers in ls --json" "$(brnet ls --json | python3 -c 'import json,sys; print(*[a["egress"]["dns"] for a in json.load(sys.stdin) if a["id"] == "c4"])')" "['203.0.113.1']"
expect_eq "c5's EGRESS column" "$(ls_egress c5)" "deny-all,no-dns"
expect_probe rj tcp $UPSTREAM_ADDR 8080 open
expect_probe rj tcp 203.0.113.1 8080 unreachable
expect_probe rj udpc 203.0.113.1 5353 unreachable
expect_probe rj tcp 10.0.42.1 9000 unreachable
expect_probe rj tcp 10.0.42.77 7000 unreachable
case $(in_ns rj ping -c1 -W1 203.0.113.1 2>&1) in
*"Packet filtered"*) ;;
*) fail "rj's ping to a denied destination was not answered as filtered: $(in_ns rj ping -c1 -W1 203.0.113.1 2>&1)" ;;
esac
expect_probe rjpeer tcp 203.0.113.1 8080 open
expect_eq "egress_rejected" "$(rejected)" "10.0.42.78"
brnet check --id rj >/dev/null || fail "check of rj: $(brnet check --id rj)"
nft delete element inet brnet egress_rejected '{ 10.0.42.78 }'
brnet check --id rj >/dev/null 2>&1 && fail "check missed rj's element gone from egress_rejected"
brnet policy --id rj --egress-allow 198.51.100.0/24 >/dev/null
expect_probe rj tcp 203.0.113.1 8080 timeout
expect_eq "egress_rejected after a policy without it" "$(rejected)" ""
brnet policy --id rj --egress-deny-all --egress-reject >/dev/null
expect_probe rj tcp $UPSTREAM_ADDR 8080 unreachable
expect_eq "egress_rejected after a policy with it" "$(rejected)" "10.0.42.78"
expect_eq "rj's EGRESS column after the replacement" "$(ls_egress rj)" "deny-all,reject"
# Its events say whether a packet was dropped or rejected, as the policy is when it comes (the
# reader has read the records at the first event, before the second policy).
brnet policy --id rj --egress-deny-all --egress-log >/dev/null
brnet events --timeout 2 >"$TMPDIR/events" &
events=$!
sleep 0.5
send_udp rj $UPSTREAM_ADDR 5356
sleep 0.5
brnet policy --id rj --egress-deny-all --egress-reject --egress-log >/dev/null
send_udp rj $UPSTREAM_ADDR 5357
wait $events
expect_eq "rj's events" "$(cat "$TMPDIR/events")" "dropped rj/eth0 (10.0.42.78): udp $UPSTREAM_ADDR port 5356
rejected rj/eth0 (10.0.42.78): udp $UPSTREAM_ADDR port 5357"
brnet check --id rj >/dev/null || fail "check of rj after its replacement: $(brnet check --id rj)"
brnet teardown --id rj >/dev/null
brnet teardown --id rjpeer >/dev/null
expect_eq "egress_rejected after rj's teardown" "$(rejected)" ""
echo "ok: --egress-reject answers what the policy denies"

# 11. Bad input: exit 2, the value named, nothing changed.
make_container bad
before=$(snapshot)
for args in "--egress-allow 10.0.0.1/8" "--egress-allow 300.0.0.0/8" "--egress-allow fd00::/8" \
	"--egress-allow 10.0.0.0/33" "--egress-deny-all --egress-tcp-port 0" \
	"--egress-deny-all --egress-udp-port 65536" "--egress-deny-all --egress-tcp-port x1"; do
	set +e
	# shellcheck disable=SC2086
	msg=$(brnet setup --netns /run/netns/bad --id bad $args 2>&1)
	rc=$?
	set -e
	expect_eq "setup $args" "$rc" "2"
	value=${args##* }
	case "$msg" in *"$value"*) ;; *) fail "message does not name $value: $msg" ;; esac
done
# A file: its bad line named with the value, and a file that cannot be read.
for spec in "bad-allow.txt|bad-allow.txt:2: invalid CIDR 10.0.0.1/8:" \
	"crlf-allow.txt|crlf-allow.txt:4: invalid CIDR 10.0.0.1/8:" \
	"tail-allow.txt|tail-allow.txt:3: invalid CIDR 10.0.0.1/8:" \
	"deep-allow.txt|deep-allow.txt:5001: invalid CIDR 10.0.0.1/8:" \
	"long-allow.txt|long-allow.txt:2: line longer than 4095 bytes" \
	"edge-allow.txt|edge-allow.txt:3: invalid CIDR 10.0.0.1/8:" \
	"nul-allow.txt|nul-allow.txt:2: a NUL byte in the line" \
	".|cannot read --egress-allow-file $TMPDIR/.: Is a directory" \
	"no-such-file|no-such-file: No such file"; do
	set +e
	msg=$(brnet setup --netns /run/netns/bad --id bad --egress-allow-file "$TMPDIR/${spec%%|*}" 2>&1)
	rc=$?
	set -e
	expect_eq "setup --egress-allow-file ${spec%%|*}" "$rc" "2"
	case "$msg" in *"${spec#*|}"*) ;; *) fail "message does not name '${spec#*|}': $msg" ;; esac
done
set +e # and from a pipe
msg=$(brnet setup --netns /run/netns/bad --id bad --egress-allow-file <(tail -n 2 "$TMPDIR/bad-allow.txt") 2>&1)
rc=$?
set -e
expect_eq "setup --egress-allow-file from a pipe" "$rc" "2"
case "$msg" in */dev/fd/*":2: invalid CIDR 10.0.0.1/8:"*) ;; *) fail "a pipe's bad line: $msg" ;; esac
set +e
msg=$(brnet setup --netns /run/netns/bad --id bad --egress-allow-file - <"$TMPDIR/tail-allow.txt" 2>&1)
rc=$?
set -e
expect_eq "setup --egress-allow-file - (standard input)" "$rc" "2"
case "$msg" in *"standard input:3: invalid CIDR 10.0.0.1/8:"*) ;; *) fail "standard input's bad line: $msg" ;; esac
set +e
brnet setup --netns /run/netns/bad --id bad --egress-tcp-port 80 >/dev/null 2>&1
rc1=$?
brnet policy --id nosuch --egress-deny-all >/dev/null 2>&1
rc2=$?
msg=$(brnet setup --netns /run/netns/bad --id bad --egress-reject 2>&1)
rc3=$?
set -e
expect_eq "ports without a policy" "$rc1" "2"
expect_eq "policy for an unknown id" "$rc2" "2"
expect_eq "--egress-reject without a policy" "$rc3" "2"
case "$msg" in *"rejecting denied packets needs a policy"*) ;; *) fail "--egress-reject alone: $msg" ;; esac
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "bad input changed the system"; }
echo "ok: bad input changed nothing"

# A policy holds between containers of one bridge only when br_netfilter hands bridged
# traffic to the IP hooks. With the host-wide switch off (some hosts turn it off for their
# VMs' bridges), a policy turns on the bridge's own; check reports it gone; restore puts it
# back. (Without br_netfilter at all a policy is refused; the module cannot be unloaded here.)
nf_switch() { ip -d -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_data"]["nf_call_iptables"])'; }
sysctl -qw net.bridge.bridge-nf-call-iptables=0
make_container nfp
make_container nft
brnet setup --netns /run/netns/nft --id nft --bridge brnf --subnet 10.77.0.0/24 >/dev/null
expect_eq "a bridge without a policy keeps its switch" "$(nf_switch brnf)" "0"
brnet setup --netns /run/netns/nfp --id nfp --bridge brnf --egress-deny-all >/dev/null
expect_eq "the bridge's own nf_call_iptables" "$(nf_switch brnf)" "1"
! ip netns exec nfp ping -c1 -W1 10.77.0.2 >/dev/null 2>&1 || fail "the policy does not hold between containers"
brnet check --id nfp >/dev/null || fail "check fails with the bridge's own switch on"
ip link set brnf type bridge nf_call_iptables 0
ip netns exec nfp ping -c1 -W2 10.77.0.2 >/dev/null 2>&1 || fail "the probe does not work"
set +e
out=$(brnet check --id nfp 2>&1)
rc=$?
set -e
expect_eq "check with no switch on" "$rc" "1"
case "$out" in *"does not hold between containers"*nf_call_iptables*) echo "ok: check says: $out" ;; *) fail "check did not report the switch: $out" ;; esac
brnet restore >/dev/null
expect_eq "restore turns the bridge's switch on" "$(nf_switch brnf)" "1"
! ip netns exec nfp ping -c1 -W1 10.77.0.2 >/dev/null 2>&1 || fail "the policy does not hold after restore"
brnet check --id nfp >/dev/null || fail "check fails after restore"
# brnet policy on a live attachment does the same.
ip link set brnf type bridge nf_call_iptables 0
brnet policy --id nfp --egress-deny-all >/dev/null
expect_eq "brnet policy turns the bridge's switch on" "$(nf_switch brnf)" "1"
sysctl -qw net.bridge.bridge-nf-call-iptables=1
brnet teardown --id nfp >/dev/null
brnet teardown --id nft >/dev/null
echo "ok: a policy turns on its bridge's own br_netfilter switch when the host's is off"

# Teardown leaves no element behind.
for id in c1 c2 c3 c4 c5 web free; do brnet teardown --id $id >/dev/null; done
for set in set:egress_policed map:egress_list set:egress_portlimited set:egress_ports \
	set:egress_dns set:egress_logged set:egress_rejected; do
	out=$(nft -j list "${set%%:*}" inet brnet "${set#*:}") || fail "cannot list $set"
	case "$out" in *'"elem"'*) fail "elements left in $set" ;; esac
done
expect_eq "allowlists after the last container" "$(list_chains)" ""
echo "ok: teardown removed every policy element and allowlist"

# Older brnets kept allowlists per container: in one interval set, egress_allow, then in one
# set per prefix length (egress_allow24...), referenced from the egress chain. When the chain
# is written afresh the old sets go, with their elements.
nft add set inet brnet egress_allow '{ type ipv4_addr; flags interval; }'
nft add element inet brnet egress_allow '{ 10.9.0.0/16 }'
nft add set inet brnet egress_allow24 '{ type ipv4_addr . ipv4_addr; }'
nft add element inet brnet egress_allow24 '{ 10.0.42.9 . 203.0.113.0 }'
nft flush chain inet brnet egress
nft add rule inet brnet egress ip daddr @egress_allow accept
nft add rule inet brnet egress ip saddr . ip daddr @egress_allow24 accept
make_container upgraded
brnet setup --netns /run/netns/upgraded --id upgraded >/dev/null
for set in egress_allow egress_allow24; do
	nft list set inet brnet $set >/dev/null 2>&1 && fail "the old $set set is still there"
done
expect_eq "egress chain written afresh" "$(nft_rules_with_comment 'brnet egress drop')" "1"
echo "ok: the sets of older brnets are gone"
brnet teardown --id upgraded >/dev/null
