#!/bin/bash
# brnet gc: after a SIGKILL at every step of setup and teardown, gc leaves nothing behind, while
# a live container keeps its network throughout; attachments whose namespace or process died
# are removed, live ones never; orphans (veths, leases, map elements) go; --dry-run changes
# nothing; gc running beside setups does not disturb them. Needs -Dtest_hooks=true.
. "$(dirname "$0")/lib.sh"
[ "${BRNET_TEST_HOOKS:-0}" = 1 ] || skip "brnet was built without -Dtest_hooks=true"

make_upstream
make_container live
brnet setup --netns /run/netns/live --id live -p 8090:80 >/dev/null
make_container c2
ip -n c2 link set lo up # setup raises it and leaves it: it is the namespace's
before=$(snapshot)

live_ok() {
	ip netns exec live ping -c1 -W2 10.0.42.1 >/dev/null || fail "live lost its gateway ($1)"
	listen live tcp 0.0.0.0 80
	connect upstream tcp $HOST_UPLINK_ADDR 8090 >/dev/null || fail "live's port stopped ($1)"
	seen_by live tcp 80 >/dev/null
	brnet check --id live >/dev/null || fail "check of live failed ($1)"
}

gc_expect() { # NEEDLE: run gc, expect NEEDLE in its report, then nothing left
	local out
	out=$(brnet gc)
	case "$out" in *"$1"*) ;; *) fail "gc did not report '$1': $out" ;; esac
	[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "gc left a trace after: $1"; }
	expect_eq "second gc" "$(brnet gc)" "nothing to do"
}

for step in lease publish guard egress veth container; do
	set +e
	BRNET_KILL_STEP=$step "$BRNET" setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "setup killed at $step" "$rc" "137"
	gc_expect "remove attachment c2/eth0: setup was interrupted"
	live_ok "after a kill at $step"
	echo "ok: kill at $step repaired by gc"
done
for step in undo-veth undo-egress undo-guard undo-publish undo-lease; do
	brnet setup --netns /run/netns/c2 --id c2 -p 8080:80 --egress-allow 198.51.100.0/24 --egress-tcp-port 80 >/dev/null
	set +e
	BRNET_KILL_STEP=$step "$BRNET" teardown --id c2 >/dev/null 2>&1
	rc=$?
	set -e
	expect_eq "teardown killed at $step" "$rc" "137"
	gc_expect "remove attachment c2/eth0: teardown was interrupted"
	live_ok "after a kill at $step"
	echo "ok: kill at $step repaired by gc"
done

# A namespace that is gone takes its attachment with it.
make_container gone
brnet setup --netns /run/netns/gone --id gone -p 8085:80 >/dev/null
ip netns del gone
out=$(brnet gc)
case "$out" in *"remove attachment gone/eth0: its namespace is gone"*) echo "ok: $out" ;; *) fail "gc: $out" ;; esac
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "gone namespace left a trace"; }

# A namespace deleted and another made at its path (a runtime that re-creates a container's,
# ip netns del and add): the pair went with the old one, and its port and address were held
# for nothing while gc said "nothing to do". Now gc removes it, and the port is free again.
make_container again
brnet setup --netns /run/netns/again --id again -p 8086:80 >/dev/null
before_again=$(snapshot)
ip netns del again
# The kernel destroys a deleted namespace's links from a work queue: wait for the host end,
# which goes with its peer, or gc may still see the pair (as it rightly did in a loaded CI).
for _ in $(seq 100); do
	ip -d link show | grep -q "alias brnet again/eth0" || break
	sleep 0.05
done
ip netns add again
out=$(brnet gc)
case "$out" in *"remove attachment again/eth0: its veth pair is gone"*) echo "ok: $out" ;; *) fail "gc: $out" ;; esac
expect_eq "gc after the replaced namespace" "$(brnet gc)" "nothing to do"
make_container other
brnet setup --netns /run/netns/other --id other -p 8086:80 >/dev/null || fail "the port of the replaced namespace's attachment is still held"
brnet teardown --id other >/dev/null
ip netns del other
ip netns del again
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "replaced namespace left a trace"; }
echo "ok: a replaced namespace's attachment is collected"

# A process: alive means untouched, even when brnet itself was killed; dead means removed.
"$BRNET" run --id proc -p 8086:80 -- sleep 60 &
runner=$!
for _ in $(seq 100); do
	grep -qs '"active"' /run/brnet/attachments/proc@eth0.json && break
	sleep 0.05
done
# The command's pid, as recorded (never a guess by name: other sleeps may be running).
sleeper=$(python3 -c 'import json; print(json.load(open("/run/brnet/attachments/proc@eth0.json"))["pid"])')
kill -KILL $runner
wait $runner 2>/dev/null || true
[ -e /proc/$sleeper ] || fail "the command did not outlive brnet"
expect_eq "gc leaves a live process's attachment" "$(brnet gc)" "nothing to do"
brnet check --id proc >/dev/null || fail "proc is not intact"
kill -KILL "$sleeper"
# dead once gone or a zombie (whoever reaps it may take its time; its namespace is already gone)
for _ in $(seq 100); do
	state=$(sed 's/.*) //' /proc/$sleeper/stat 2>/dev/null | cut -c1 || true)
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.05
done
out=$(brnet gc)
case "$out" in *"remove attachment proc/eth0: its process is gone"*) echo "ok: $out" ;; *) fail "gc: $out" ;; esac
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "dead process left a trace"; }

# Orphans that no record owns.
ip link add vb0badf00d type veth peer name orphanpeer
ip link set vb0badf00d master brnet0
ip link add vbcafe0001 type veth peer name notours # not on our bridge: not ours to delete
printf 'ghost eth0\n' >/run/brnet/networks/brnet0/leases/10.0.42.200
: >/run/brnet/networks/brnet0/leases/10.0.42.201 # a setup killed between creating and filling it
nft add element inet brnet publish '{ tcp . 9999 comment "ghost/eth0" : 10.0.42.200 . 80 }'
nft add element inet brnet publish '{ tcp . 9998 comment "other/eth0" : 192.168.9.9 . 80 }'
nft add element bridge brnet guarded '{ "vbghost01" comment "ghost/eth0" }'
nft add element bridge brnet guard_addr '{ "vbghost01" . 10.0.42.200 comment "ghost/eth0" }'
nft add element inet brnet egress_policed '{ 10.0.42.200 comment "ghost/eth0" }'
# Allowlists left by kills: one no container jumps to, one whose last user is the ghost
# above, and a set without its chain.
nft add chain inet brnet allow_0123456789abcdef0123456789abcdef
nft add set inet brnet allow_0123456789abcdef0123456789abcdef_24 '{ type ipv4_addr; }'
nft add element inet brnet allow_0123456789abcdef0123456789abcdef_24 '{ 203.0.113.0 }'
nft add rule inet brnet allow_0123456789abcdef0123456789abcdef ip daddr \& 255.255.255.0 @allow_0123456789abcdef0123456789abcdef_24 accept
nft add chain inet brnet allow_fedcba9876543210fedcba9876543210
nft add set inet brnet allow_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_8 '{ type ipv4_addr; }' # its chain gone
nft add element inet brnet egress_list '{ 10.0.42.200 comment "ghost/eth0" : jump allow_fedcba9876543210fedcba9876543210 }'
# The list file of a setup killed before its record was written.
printf '203.0.113.0/24\n' >"$BRNET_STATE_DIR/attachments/ghost@eth0.$(printf '%064d' 0).allow"
# A list's own file that no attachment's file links any more (a kill between writing and
# linking it).
shared=".$(printf '1%.0s' $(seq 64)).allow"
printf '198.51.100.0/24\n' >"$BRNET_STATE_DIR/attachments/$shared"
# The lock file of an older brnet's operation on an attachment, killed before it removed it.
: >"$BRNET_STATE_DIR/attachments/ghost@eth0.lock"
dry_before=$(snapshot)
out=$(brnet gc --dry-run)
for needle in "delete host veth vb0badf00d" "release lease 10.0.42.200 of ghost/eth0" \
	"release lease 10.0.42.201 of brnet0: its file names no owner" "remove published ports of ghost/eth0" \
	"remove anti-spoofing elements of ghost/eth0" "remove egress policy elements of ghost/eth0" \
	"remove egress allowlist allow_0123456789abcdef0123456789abcdef" \
	"remove allowlist file ghost@eth0.0000" "remove allowlist file $shared: no attachment links it" \
	"remove lock file ghost@eth0.lock"; do
	case "$out" in *"$needle"*"(dry run)"*) ;; *) fail "dry run does not list '$needle': $out" ;; esac
done
[ "$dry_before" = "$(snapshot)" ] || fail "--dry-run changed something"
echo "ok: --dry-run lists and changes nothing"
brnet gc --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["dry_run"] is False and len(d["actions"]) == 12, d'
[ ! -e "$BRNET_STATE_DIR/attachments/$shared" ] || fail "a list's file that nothing links left"
expect_eq "orphan veth on our bridge deleted" "$(link_field vb0badf00d ifname)" ""
[ ! -e "$BRNET_STATE_DIR/attachments/ghost@eth0.lock" ] || fail "an older brnet's lock file left"
expect_eq "veth not on our bridge kept" "$(link_field vbcafe0001 ifname)" "vbcafe0001"
ip link del vbcafe0001
expect_eq "element pointing outside our subnets kept" "$(nft -j list map inet brnet publish | grep -c 192.168.9.9)" "1"
nft delete element inet brnet publish '{ tcp . 9998 }'
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "orphans left a trace"; }
echo "ok: orphans removed, foreign objects kept"

# gc beside concurrent setups never disturbs them.
for i in $(seq 12); do make_container "k$i"; done
( for _ in $(seq 30); do "$BRNET" gc >/dev/null 2>&1 || true; done ) &
gcloop=$!
pids=()
for i in $(seq 12); do
	"$BRNET" setup --netns /run/netns/k$i --id k$i >/dev/null 2>"$TMPDIR/err.$i" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "setup k$((i + 1)) failed beside gc: $(cat "$TMPDIR/err.$((i + 1))")"
done
wait $gcloop
for i in $(seq 12); do brnet check --id k$i >/dev/null || fail "k$i damaged by gc"; done
echo "ok: 12 setups beside a gc loop are intact"
live_ok "at the end"

# Elements whose attachment has no record are removed only under that attachment's lock: an
# operation holding it (a setup of the same id that began after gc listed the elements) keeps
# them.
make_container o1
brnet setup --netns /run/netns/o1 --id o1 -p 18080:80 >/dev/null
rm /run/brnet/attachments/o1@eth0.json
owned_elements() { nft -j list ruleset | grep -o '"o1/eth0"' | wc -l; }
[ "$(owned_elements)" -gt 0 ] || fail "no elements of o1 to begin with"
mkfifo "$TMPDIR/hold"
# The attachment's lock is one byte of attachments/lock, at FNV-1a("o1@eth0") >> 2.
python3 -c '
import fcntl, os, struct, sys
h = 14695981039346656037
for b in b"o1@eth0":
    h = ((h ^ b) * 1099511628211) % 2**64
fd = os.open("/run/brnet/attachments/lock", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, h >> 2, 1, 0))
print("locked", flush=True)
sys.stdin.read()' <"$TMPDIR/hold" >"$TMPDIR/held" &
holder=$!
exec 9>"$TMPDIR/hold"
while ! grep -q locked "$TMPDIR/held" 2>/dev/null; do sleep 0.05; done
brnet gc >/dev/null
[ "$(owned_elements)" -gt 0 ] || fail "gc removed the elements of a locked attachment"
echo "ok: gc leaves the elements of an attachment an operation holds"
exec 9>&-
wait $holder
brnet gc >/dev/null
expect_eq "elements of o1 once the lock is free" "$(owned_elements)" "0"

# A network as an older brnet left it, its leases in leases.json: gc --dry-run reads them and
# leaves the file where it is; gc moves them into leases/, each to its address.
net=/run/brnet/networks/brnet0
leases_before=$(cd "$net/leases" && grep -H . [0-9]* | sort)
python3 - "$net" <<'PY'
import json, os, sys
net = sys.argv[1]
d = os.path.join(net, "leases")
leases = []
for name in sorted(os.listdir(d)):
    if name[0].isdigit():
        lid, ifname = open(os.path.join(d, name)).read().split()
        leases.append({"address": name, "id": lid, "ifname": ifname})
        os.unlink(os.path.join(d, name))
os.unlink(os.path.join(d, "last"))
os.rmdir(d)
json.dump({"subnet": "10.0.42.0/24", "last": None, "leases": leases}, open(os.path.join(net, "leases.json"), "w"))
PY
out=$(brnet check --id k1) || fail "check did not find k1's lease in leases.json: $out"
[ -e "$net/leases.json" ] && [ ! -e "$net/leases" ] || fail "check moved the leases: $out"
echo "ok: check reads an older brnet's leases.json and moves nothing"
out=$(brnet gc --dry-run)
[ -e "$net/leases.json" ] && [ ! -e "$net/leases" ] || fail "gc --dry-run moved the leases: $out"
case "$out" in *"release lease"*) fail "gc --dry-run would release a live lease: $out" ;; esac
echo "ok: gc --dry-run leaves an older brnet's leases.json as it is"
brnet gc >/dev/null
[ ! -e "$net/leases.json" ] || fail "leases.json left after gc"
expect_eq "the moved leases" "$(cd "$net/leases" && grep -H . [0-9]* | sort)" "$leases_before"
for i in $(seq 12); do brnet check --id k$i >/dev/null || fail "k$i lost its lease in the move"; done
# Every operation above locked its attachment in attachments/lock: none made a file of its own.
expect_eq "lock files of single attachments" "$(find "$BRNET_STATE_DIR/attachments" -name '*.lock' | wc -l)" "0"

# More networks than gc once had room for (64): an orphan veth on each of 70 networks' bridges
# is found (the networks past the 64th were left out, their orphans kept for ever).
make_container many
for k in $(seq 70); do
	brnet setup --netns /run/netns/many --id many --bridge "brg$k" --subnet "10.200.$k.0/24" >/dev/null
	brnet teardown --id many >/dev/null
	ip link add "$(printf 'vb%08x' $((0xbe000000 + k)))" master "brg$k" type veth peer name "orph$k"
done
out=$(brnet gc)
expect_eq "orphan veths deleted on 70 networks" "$(grep -c '^delete host veth vbbe0000.*: no attachment owns it' <<<"$out")" "70"
expect_eq "none left" "$(ip -o link show | grep -c ' vbbe0000')" "0"
echo PASS
