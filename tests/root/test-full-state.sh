#!/bin/bash
# A state directory with no room left: a setup fails naming the file it could not write, and
# leaves nothing behind (no lease file holds an address, no record, no veth, no element); once
# there is room again, the same setup works.
. "$(dirname "$0")/lib.sh"

export BRNET_STATE_DIR=/run/small
mkdir "$BRNET_STATE_DIR"
mount -t tmpfs -o size=256k brnet-small "$BRNET_STATE_DIR"
make_container c1
make_container c2
brnet setup --netns /run/netns/c1 --id c1 >/dev/null
before=$(snapshot)

# Fill it page by page, then give back what one page-sized write needs, and again: the
# setup's first write (its record) then fits and a later one does not, and then none does.
i=0
while dd if=/dev/zero of="$BRNET_STATE_DIR/fill.$i" bs=4096 count=1 status=none 2>/dev/null; do
	i=$((i + 1))
done
rm -f "$BRNET_STATE_DIR/fill.$i"
for room in 1 0; do
	[ "$room" = 1 ] && rm "$BRNET_STATE_DIR/fill.0"
	[ "$room" = 0 ] && dd if=/dev/zero of="$BRNET_STATE_DIR/fill.0" bs=4096 count=1 status=none
	set +e
	msg=$(brnet setup --netns /run/netns/c2 --id c2 2>&1)
	rc=$?
	set -e
	expect_eq "setup on a full state directory ($room page free): exit code" "$rc" "1"
	case "$msg" in
	*"No space left on device"*) echo "ok: $msg" ;;
	*) fail "the error does not say why: $msg" ;;
	esac
	ls "$BRNET_STATE_DIR"/networks/brnet0/leases/10.0.42.3 2>/dev/null && fail "a lease file of c2 is left"
	diff <(echo "$before") <(snapshot | grep -v '/fill\.') >&2 || fail "the failed setup left a trace"
	echo "ok: nothing left ($room page free)"
done

rm -f "$BRNET_STATE_DIR"/fill.*
brnet setup --netns /run/netns/c2 --id c2 >/dev/null
expect_eq "c2 once there is room" "$(brnet check --id c2)" "c2/eth0: ok"
echo PASS
