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
echo PASS
