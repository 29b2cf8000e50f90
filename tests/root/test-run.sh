#!/bin/bash
# brnet run: CMD runs attached, with our stdio and environment; its status becomes ours; the
# network is gone when it exits; a failed setup never starts CMD; signals are forwarded.
. "$(dirname "$0")/lib.sh"

make_upstream
brnet run true # creates the network; from here on a run must leave no trace
before=$(snapshot)

set +e
brnet run -- sh -c 'exit 3'
rc=$?
set -e
expect_eq "exit status of CMD" "$rc" "3"
set +e
brnet run -- sh -c 'kill -TERM $$'
rc=$?
set -e
expect_eq "CMD killed by SIGTERM" "$rc" "143"
expect_eq "stdin and stdout are the caller's" "$(echo hello | brnet run -- cat)" "hello"
expect_eq "environment is the caller's" "$(FOO=bar brnet run -- sh -c 'echo $FOO')" "bar"
expect_eq "user is the caller's" "$(brnet run -- id -u)" "$(id -u)"

# CMD has the network: its own address, the gateway, the outside world (masqueraded).
listen upstream tcp 0.0.0.0 8000
out=$(brnet run --id web -- sh -c "ip -j addr show eth0; python3 '$PEER' connect tcp $UPSTREAM_ADDR 8000")
addr=$(echo "$out" | head -n1 | python3 -c 'import json,sys; print([a["local"] for a in json.load(sys.stdin)[0]["addr_info"] if a["family"]=="inet"][0])')
case "$addr" in 10.0.42.*) echo "ok: CMD has $addr" ;; *) fail "CMD has no address: $out" ;; esac
expect_eq "upstream sees the host address" "$(seen_by upstream tcp 8000)" "$HOST_UPLINK_ADDR"
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "run left a trace"; }
echo "ok: no trace after CMD exits"

# A failed setup never starts CMD.
set +e
msg=$(brnet run --ip 10.0.43.9 -- touch "$TMPDIR/ran" 2>&1)
rc=$?
set -e
expect_eq "run with a bad --ip" "$rc" "2"
[ ! -e "$TMPDIR/ran" ] || fail "CMD ran although setup failed"
echo "ok: CMD did not start: $msg"
[ "$before" = "$(snapshot)" ] || fail "failed run left a trace"

# Signals sent to brnet reach CMD; then the network is torn down.
"$BRNET" run --id sig -- sleep 30 &
pid=$!
for _ in $(seq 100); do
	grep -qs '"active"' /run/brnet/attachments/sig@eth0.json && break
	sleep 0.05
done
listing=$(brnet ls)
case "$listing" in *"sig "*active*) echo "ok: ls shows the running attachment" ;; *) fail "ls: $listing" ;; esac
brnet check --id sig >/dev/null || fail "check of a running attachment failed"
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
expect_eq "brnet run after SIGTERM" "$rc" "143"
[ "$before" = "$(snapshot)" ] || fail "signalled run left a trace"
echo "ok: SIGTERM forwarded, network torn down"

# --user: CMD runs as that user, with no capability and no_new_privs. Without it, root's CMD
# can enter brnet's network namespace (the host's) through /proc and send from there, where no
# egress policy holds: the hole is shown first, so that the test can fail.
cat >"$TMPDIR/escape.py" <<'PY'
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
try:
    fd = os.open("/proc/%d/ns/net" % os.getppid(), os.O_RDONLY)
except OSError as e:
    sys.exit("open: %s" % e.strerror)
if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
    sys.exit("setns: %s" % os.strerror(ctypes.get_errno()))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"escaped\n")
print("escaped")
PY
chmod 0644 "$TMPDIR/escape.py"
listen upstream tcp 0.0.0.0 8001
set +e
out=$(brnet run --egress-deny-all -- python3 "$TMPDIR/escape.py" $UPSTREAM_ADDR 8001 2>&1)
set -e
case "$out" in *"can enter the host's network namespace"*escaped*) echo "ok: root's CMD leaves its policy, and was warned of" ;;
*) fail "root's CMD under a policy: $out" ;; esac
listen upstream tcp 0.0.0.0 8002
set +e
out=$(brnet run --user nobody --egress-deny-all -- python3 "$TMPDIR/escape.py" $UPSTREAM_ADDR 8002 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || fail "CMD as nobody left its policy: $out"
case "$out" in *warning*) fail "warned although CMD runs as nobody: $out" ;; *"open: Permission denied"*) ;;
*) fail "CMD as nobody: $out" ;; esac
echo "ok: CMD as nobody cannot leave its namespace: $out"
[ ! -s "$TMPDIR/listen.upstream.tcp.8002" ] || fail "upstream heard CMD as nobody: $(cat "$TMPDIR/listen.upstream.tcp.8002")"
# setup --pid: the same hole in a runtime's container is warned of when the process has it
# (root, CAP_SYS_ADMIN, brnet's PID and mount namespaces), and only then: not in PID and mount
# namespaces of its own, not without CAP_SYS_ADMIN, not without a policy.
esc_setup() { # ID PID [OPTIONS...]: setup's stderr; the attachment is torn down
	local id=$1 pid=$2 msg
	shift 2
	msg=$(brnet setup --pid "$pid" --id "$id" "$@" 2>&1 >/dev/null) || fail "setup --pid $pid: $msg"
	brnet teardown --id "$id" >/dev/null
	echo "$msg"
}
unshare --net sleep 600 &
shared=$!
unshare --net --pid --mount --fork --mount-proc sleep 600 &
own_parent=$!
unshare --net setpriv --bounding-set=-sys_admin sleep 600 &
no_admin=$!
PIDS+=($shared $own_parent $no_admin)
sleep 0.3
own=$(pgrep -P $own_parent)
case "$(esc_setup esc1 $shared --egress-deny-all)" in
*"process $shared holds CAP_SYS_ADMIN"*"where its egress policy does not hold"*) ;;
*) fail "setup --pid of a root process in brnet's namespaces was not warned of" ;; esac
for c in "esc2 $own --egress-deny-all" "esc3 $no_admin --egress-deny-all" "esc4 $shared"; do
	# shellcheck disable=SC2086
	msg=$(esc_setup $c)
	[ -z "$msg" ] || fail "setup --pid ($c) warned: $msg"
done
# A policy put on such a container later by brnet policy: the same warning, of the same
# process; not when the policy is taken off, nor for a container in namespaces of its own.
policy_msg() { # ID [OPTIONS...]: policy's stderr
	local id=$1 msg
	shift
	msg=$(brnet policy --id "$id" "$@" 2>&1 >/dev/null) || fail "policy --id $id: $msg"
	echo "$msg"
}
brnet setup --pid $shared --id esc5 >/dev/null
brnet setup --pid $own --id esc6 >/dev/null
case "$(policy_msg esc5 --egress-deny-all)" in
*"process $shared holds CAP_SYS_ADMIN"*"where its egress policy does not hold"*) ;;
*) fail "policy on a --pid container that can leave it was not warned of" ;; esac
msg=$(policy_msg esc5)
[ -z "$msg" ] || fail "policy taken off warned: $msg"
msg=$(policy_msg esc6 --egress-deny-all)
[ -z "$msg" ] || fail "policy on a container in namespaces of its own warned: $msg"
brnet teardown --id esc5 >/dev/null
brnet teardown --id esc6 >/dev/null
kill $shared $own_parent $no_admin
echo "ok: setup --pid and policy warn of a container that can leave its policy, and only of one"
status=$(brnet run -u nobody -- grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|CapAmb|NoNewPrivs):' /proc/self/status | tr -s '\t ' ' ')
expect_eq "CMD's credentials as nobody" "$status" "$(printf 'Uid: 65534 65534 65534 65534\nGid: 65534 65534 65534 65534\nGroups: 65534 \nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1')"

# With --dns the user's CMD reads the private resolv.conf, and cannot take it away.
out=$(brnet run --user nobody --dns 192.0.2.53 -- sh -c 'cat /etc/resolv.conf; umount /etc/resolv.conf 2>/dev/null && echo unmounted; true' 2>&1)
case "$out" in *"nameserver 192.0.2.53"*unmounted*) fail "nobody unmounted its resolv.conf: $out" ;;
*"nameserver 192.0.2.53"*) echo "ok: --user with --dns" ;; *) fail "--user with --dns: $out" ;; esac

# A user's groups are /etc/group's; with GROUP, that group alone; a uid without a passwd
# entry needs its group. (Private copies, bound in this test's own mount namespace.)
cp /etc/passwd "$TMPDIR/passwd"
cp /etc/group "$TMPDIR/group"
echo "brtest:x:4100:4100::/nonexistent:/usr/sbin/nologin" >>"$TMPDIR/passwd"
printf 'brtest:x:4100:\nbrtest-a:x:4101:brtest\nbrtest-b:x:4102:someone,brtest\nbrtest-c:x:4103:brtestx\n' >>"$TMPDIR/group"
mount --bind "$TMPDIR/passwd" /etc/passwd
mount --bind "$TMPDIR/group" /etc/group
expect_eq "a user's groups" "$(brnet run --user brtest -- id -G)" "4100 4101 4102"
expect_eq "a uid's groups" "$(brnet run --user 4100 -- id -u -n)" "brtest"
expect_eq "USER:GROUP" "$(brnet run --user brtest:brtest-b -- sh -c 'echo $(id -u) $(id -G)')" "4100 4102"
expect_eq "UID:GID without entries" "$(brnet run --user 4200:4201 -- sh -c 'echo $(id -u) $(id -G)')" "4200 4201"
expect_eq "root by name" "$(brnet run --user root -- id -u)" "0"

# Bad users are refused before anything changes, and CMD never runs.
expect_refusal 2 'no user "nosuchuser" in /etc/passwd' brnet run --user nosuchuser -- touch "$TMPDIR/ran"
expect_refusal 2 'no group "nosuchgroup" in /etc/group' brnet run --user brtest:nosuchgroup -- touch "$TMPDIR/ran"
expect_refusal 2 'no user has id 4200 in /etc/passwd' brnet run --user 4200 -- touch "$TMPDIR/ran"
expect_refusal 2 'user id "4294967295" is out of range' brnet run --user 4294967295 -- touch "$TMPDIR/ran"
expect_refusal 2 '--user ":5": give USER or USER:GROUP' brnet run --user :5 -- touch "$TMPDIR/ran"
[ ! -e "$TMPDIR/ran" ] || fail "CMD ran although --user was refused"
umount /etc/passwd /etc/group
echo PASS
