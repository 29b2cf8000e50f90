#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion: each verb's options are the ones its --help lists, and ids and bridges
# come from a state directory's records. Needs no root: the records are written by hand.
# Usage: test-bash.sh BRNET COMPLETION
set -euo pipefail

BRNET=$(realpath "$1")
COMPLETION=$2
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# brnet on PATH, as a user has it.
mkdir "$TMP/bin"
ln -s "$BRNET" "$TMP/bin/brnet"
printf '#!/bin/sh\n' >"$TMP/bin/brnet-test-workload"
chmod +x "$TMP/bin/brnet-test-workload"
PATH=$TMP/bin:$PATH
# shellcheck source=/dev/null
. "$COMPLETION"

# One attachment (c1, on brnet0) and one network (brx) in a state directory of our own.
STATE=$TMP/state
mkdir -p "$STATE/attachments" "$STATE/networks/brx"
cat >"$STATE/attachments/c1@eth0.json" <<'EOF'
{"version": 1, "id": "c1", "ifname": "eth0", "bridge": "brnet0", "subnet": "10.0.42.0/24",
 "address": "10.0.42.2", "gateway": "10.0.42.1", "host_veth": "vbba3da249",
 "mac": "36:61:59:b3:13:9f", "mtu": 0, "netns": "/run/netns/c1", "pid": 0, "pid_start": 0,
 "state": "active", "journal": ["lease", "guard", "veth", "container"], "publish": [],
 "hairpin": false, "origin": ""}
EOF
printf '{"bridge": "brx", "subnet": "10.9.0.0/24", "routed": false, "masquerade": true}\n' \
	>"$STATE/networks/brx/network.json"
[ "$(brnet --state-dir "$STATE" ls | wc -l)" = 2 ] || {
	echo "FAIL: the hand-written record does not list"
	exit 1
}

# The completions of the words given, the last being the one completed (bash's own split:
# "--id=x" is three words), sorted, once each (compgen -c repeats a name PATH has twice), on
# one line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_brnet
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

expect() { # WHAT EXPECTED WORDS...
	local what=$1 want=$2 got
	shift 2
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		echo "ok: $what"
	else
		echo "FAIL: $what: expected '$want', got '$got'"
		failed=1
	fi
}

verbs="check events gc help ls policy restore run setup teardown version"
expect "verbs" "$verbs" brnet ""
expect "a verb's start" "setup" brnet se
expect "verbs after --state-dir" "$verbs" brnet --state-dir /tmp ""
expect "global options" "--help --state-dir" brnet -

# Every verb's options are its --help's long options, no more, no fewer.
help_options() {
	brnet "$1" --help | grep -E '^ {2,}-' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u |
		tr '\n' ' ' | sed 's/ $//'
}
for verb in $verbs; do
	expect "$verb's options are its --help's" "$(help_options "$verb")" brnet "$verb" -
done
expect "an option's start" "--egress-reject" brnet policy --egress-r

expect "ids" "c1" brnet --state-dir "$STATE" teardown --id ""
expect "ids, --state-dir after the verb" "c1" brnet check --state-dir "$STATE" --id c
expect "ids, --id=" "c1" brnet --state-dir "$STATE" policy --id = ""
expect "ids, --state-dir=" "c1" brnet --state-dir = "$STATE" check --id ""
expect "bridges" "brx" brnet --state-dir "$STATE" setup --netns /run/netns/x --bridge ""
expect "networks to remove" "brx" brnet --state-dir "$STATE" teardown --network b
expect "an empty state directory has no ids" "" brnet --state-dir "$TMP/none" check --id ""
expect "a value is not guessed" "" brnet setup --ip ""
expect "nothing after version" "" brnet version -
expect "help's verb" "restore run" brnet help r
expect "nothing after help's verb" "" brnet help run ""

# run: options, then the command (what bash would complete), then the command's arguments.
expect "run's command" "brnet-test-workload" brnet run --id x --publish 8080:80 brnet-test-w
expect "run's command after --" "brnet-test-workload" brnet run -- brnet-test-w
expect "run's options before the command" "--id --ifname --ignore-host-sockets --ip" brnet run --i
expect "the command's arguments are not brnet's" "" brnet run sleep --i

if [ "$failed" = 0 ]; then
	echo "all completions as expected"
fi
exit "$failed"
