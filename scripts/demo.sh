#!/bin/bash
# The main job, from a fresh Debian 12 machine (run as root): installs the packages, builds
# brnet, and shows it at work. The demo runs inside a private network + mount namespace, so
# it leaves nothing on the machine: that namespace plays the host, and an empty network
# namespace plays the container.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BRNET_DEMO_INSIDE:-}" ]; then
	./scripts/deps.sh
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	echo "built $(./build/src/brnet version)"
	export BRNET_DEMO_INSIDE=1
	exec unshare --net --mount --propagation private bash "$0" "$@"
fi

mount -t tmpfs brnet-demo /run
mkdir -p /run/netns
ip link set lo up
export BRNET_STATE_DIR=/run/brnet
BRNET=$PWD/build/src/brnet

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

run ip netns add demo
say "brnet setup --netns /run/netns/demo --id demo"
"$BRNET" setup --netns /run/netns/demo --id demo
run ip -n demo -br addr show
run ip -n demo route show

say "ip netns exec demo python3 -m http.server --bind 10.0.42.2 8080 &"
ip netns exec demo python3 -m http.server --bind 10.0.42.2 8080 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	python3 -c 'import socket; socket.create_connection(("10.0.42.2", 8080), 0.2)' 2>/dev/null && break
	sleep 0.1
done
say "from the host: fetch http://10.0.42.2:8080/"
python3 -c 'import urllib.request; r = urllib.request.urlopen("http://10.0.42.2:8080/", timeout=5); print("HTTP", r.status, "-", len(r.read()), "bytes from the container")'
run nft list table inet brnet
kill $server; wait $server 2>/dev/null || true

say "brnet teardown --id demo"
"$BRNET" teardown --id demo
run ip -br link show
echo
echo "done: the container was attached, reached from the host, and detached without a trace."
