#!/bin/bash
# DNS for the container: brnet run gives CMD a read-only resolv.conf of its own and never touches
# the host's; setup --rootfs writes DIR/etc/resolv.conf without following a symlink out of DIR;
# no --dns means no resolv.conf at all; bad values are refused before anything changes.
. "$(dirname "$0")/lib.sh"

host_sum=$(sha256sum /etc/resolv.conf /etc/passwd)
expected='# written by brnet
nameserver 10.0.0.53
nameserver 10.0.0.54
search example.test corp.test
options ndots:2 edns0'

got=$(brnet run --dns 10.0.0.53 --dns 10.0.0.54 --dns-search example.test \
	--dns-search corp.test --dns-option ndots:2 --dns-option edns0 -- cat /etc/resolv.conf)
expect_eq "run: CMD reads the --dns settings" "$got" "$expected"
set +e
brnet run --dns 10.0.0.53 -- sh -c 'echo nameserver 6.6.6.6 > /etc/resolv.conf' 2>/dev/null
rc=$?
set -e
[ $rc -ne 0 ] || fail "run: CMD could write its resolv.conf"
echo "ok: run: resolv.conf is read-only to CMD"
touch /tmp/.brnet-dns-probe
expect_eq "run: /tmp of CMD is the host's, not the staging tmpfs" \
	"$(brnet run --dns 10.0.0.53 -- ls /tmp/.brnet-dns-probe)" "/tmp/.brnet-dns-probe"
rm -f /tmp/.brnet-dns-probe
expect_eq "run without --dns: CMD sees the host's file" \
	"$(brnet run -- sha256sum /etc/resolv.conf)" "$(sha256sum /etc/resolv.conf)"
expect_eq "run: the host's files are untouched" "$(sha256sum /etc/resolv.conf /etc/passwd)" "$host_sum"
grep -q brnet-resolv /proc/self/mountinfo && fail "a brnet mount leaked into the host's namespace"
echo "ok: no mount leaked"

# setup --rootfs: a malicious etc/resolv.conf -> /etc/passwd is replaced, not followed.
root=$TMPDIR/rootfs
mkdir -p "$root/etc"
ln -s /etc/passwd "$root/etc/resolv.conf"
make_container c1
brnet setup --netns /run/netns/c1 --id c1 --dns 10.0.0.53 --dns-search example.test --rootfs "$root" >/dev/null
[ -f "$root/etc/resolv.conf" ] && [ ! -L "$root/etc/resolv.conf" ] || fail "rootfs: resolv.conf is not a regular file"
expect_eq "rootfs: content" "$(cat "$root/etc/resolv.conf")" "# written by brnet
nameserver 10.0.0.53
search example.test"
expect_eq "rootfs: /etc/passwd untouched" "$(sha256sum /etc/resolv.conf /etc/passwd)" "$host_sum"
brnet teardown --id c1

# etc itself a symlink out of the root: resolved inside the root, where it leads nowhere.
root2=$TMPDIR/rootfs2
mkdir -p "$root2"
ln -s /etc "$root2/etc"
make_container c2
ip -n c2 link set lo up # setup brings it up, and teardown leaves the container's lo alone
before=$(snapshot)
set +e
msg=$(brnet setup --netns /run/netns/c2 --id c2 --dns 10.0.0.53 --rootfs "$root2" 2>&1)
rc=$?
set -e
expect_eq "rootfs with etc -> /etc fails" "$rc" "1"
echo "ok: $msg"
expect_eq "rootfs: the host's files are untouched" "$(sha256sum /etc/resolv.conf /etc/passwd)" "$host_sum"
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "a failed --rootfs left the attachment"; }
echo "ok: a failed resolv.conf write undid the setup"

# setup --resolv-bind: bound read-only over /etc/resolv.conf in a running container's own
# mount namespace, seen through /proc/PID/root; the host's file and mounts are untouched.
unshare --mount --net --propagation private sleep 60 &
ctr=$!
PIDS+=($ctr)
sleep 0.3
brnet setup --pid $ctr --id bound --dns 10.0.0.53 --dns-search example.test --resolv-bind >/dev/null
expect_eq "resolv-bind: the container's view" "$(cat /proc/$ctr/root/etc/resolv.conf)" "# written by brnet
nameserver 10.0.0.53
search example.test"
! (echo "nameserver 6.6.6.6" >/proc/$ctr/root/etc/resolv.conf) 2>/dev/null || fail "resolv-bind: the bound file is writable"
expect_eq "resolv-bind: the host's files are untouched" "$(sha256sum /etc/resolv.conf /etc/passwd)" "$host_sum"
grep -q brnet-resolv /proc/self/mountinfo && fail "resolv-bind: a mount leaked into the host's namespace"
echo "ok: --resolv-bind binds into the container only"
brnet teardown --id bound >/dev/null
kill $ctr

# No --dns: no resolv.conf at all, never an empty one.
root3=$TMPDIR/rootfs3
mkdir -p "$root3/etc"
brnet setup --netns /run/netns/c2 --id c2 --rootfs "$root3" >/dev/null
[ ! -e "$root3/etc/resolv.conf" ] || fail "a resolv.conf was written without --dns"
echo "ok: no --dns, no resolv.conf"
brnet teardown --id c2

# Bad input: exit 2, the value named, nothing changed.
before=$(snapshot)
for args in "--dns 300.1.1.1" "--dns ::1" "--dns-search a..b" "--dns-search -x.com" \
	"--dns-option nd%ots" "--dns-option ndots:" \
	"--dns 1.1.1.1 --dns 1.1.1.2 --dns 1.1.1.3 --dns 1.1.1.4"; do
	set +e
	# shellcheck disable=SC2086
	msg=$(brnet run $args -- touch "$TMPDIR/ran" 2>&1)
	rc=$?
	set -e
	expect_eq "run $args" "$rc" "2"
	value=${args##* }
	case "$msg" in *"$value"*) ;; *) fail "message does not name $value: $msg" ;; esac
	[ ! -e "$TMPDIR/ran" ] || fail "CMD ran with $args"
done
set +e
brnet setup --netns /run/netns/c2 --id c3 --dns 10.0.0.53 --resolv-bind 2>/dev/null
rc0=$?
brnet setup --netns /run/netns/c2 --id c3 --dns 10.0.0.53 --rootfs relative/dir 2>/dev/null
rc1=$?
brnet setup --netns /run/netns/c2 --id c3 --dns 10.0.0.53 --rootfs "$TMPDIR/missing" 2>/dev/null
rc2=$?
set -e
expect_eq "setup --resolv-bind without --pid" "$rc0" "2"
expect_eq "setup with a relative --rootfs" "$rc1" "2"
expect_eq "setup with a missing --rootfs" "$rc2" "2"
[ "$before" = "$(snapshot)" ] || { diff <(echo "$before") <(snapshot) >&2; fail "bad input changed the system"; }
echo "ok: bad input changed nothing"

# run without --dns on a host whose resolv.conf names only its own loopback (systemd-resolved's
# stub, a local dnsmasq): CMD's namespace cannot reach those. (The sandbox's own mounts.)
printf '# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan.example\n' >"$TMPDIR/stub.conf"
mount --bind "$TMPDIR/stub.conf" /etc/resolv.conf
out=$(brnet run -- cat /etc/resolv.conf 2>"$TMPDIR/run.err")
expect_eq "run, loopback resolvers, no systemd-resolved: CMD reads the host's file" "$out" "$(cat "$TMPDIR/stub.conf")"
case "$(cat "$TMPDIR/run.err")" in
*"warning: /etc/resolv.conf names no resolver that CMD's network namespace can reach"*"give --dns ADDR"*) echo "ok: and is warned" ;;
*) fail "no warning of unreachable resolvers: $(cat "$TMPDIR/run.err")" ;;
esac
# systemd-resolved's list of upstream resolvers: CMD gets those it can reach, as with --dns.
mkdir -p /run/systemd/resolve
printf '# managed by systemd-resolved\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nnameserver 192.0.2.54\nsearch corp.example lan.example\n' >/run/systemd/resolve/resolv.conf
out=$(brnet run -- cat /etc/resolv.conf 2>"$TMPDIR/run.err")
expect_eq "run, loopback resolvers: systemd-resolved's upstreams" "$out" "# written by brnet
nameserver 192.0.2.53
nameserver 192.0.2.54
search corp.example lan.example"
expect_eq "and no warning" "$(cat "$TMPDIR/run.err")" ""
expect_eq "run --dns-search with the upstreams: the search list given" \
	"$(brnet run --dns-search mine.example -- cat /etc/resolv.conf)" "# written by brnet
nameserver 192.0.2.53
nameserver 192.0.2.54
search mine.example"
expect_eq "run --dns: only what is given" "$(brnet run --dns 10.0.0.53 -- cat /etc/resolv.conf)" "# written by brnet
nameserver 10.0.0.53"
# A resolver of the host's that CMD can reach: the host's file, as it is.
printf 'nameserver 127.0.0.53\nnameserver 192.0.2.99\n' >"$TMPDIR/stub.conf"
expect_eq "run, one reachable resolver: the host's file" \
	"$(brnet run -- cat /etc/resolv.conf 2>&1)" "$(cat "$TMPDIR/stub.conf")"
umount /etc/resolv.conf
