#!/bin/bash
# The main job, from a fresh Debian 12 machine (run as root): installs the packages, builds
# brnet, and shows it at work: `brnet run` starts a web server in a fresh, networked
# namespace with its port published, the host fetches a page through 127.0.0.1:8080, and the
# network goes when the server does.
# The demo runs inside a private network + mount namespace, so it leaves nothing on the
# machine: that namespace plays the host.
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

say() { printf '\n\033[1m$ %s\033[0m\n' "${*/#$BRNET/brnet}"; }
run() { say "$*"; "$@"; }

say "brnet run -v --id demo -p 8080:8000 -- python3 -m http.server 8000 &"
"$BRNET" run -v --id demo -p 8080:8000 -- python3 -m http.server 8000 >/dev/null 2>"$BRNET_STATE_DIR.demo.log" &
runner=$!
trap 'kill $runner 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	python3 -c 'import socket; socket.create_connection(("10.0.42.2", 8000), 0.2)' 2>/dev/null && break
	sleep 0.1
done
cat "$BRNET_STATE_DIR.demo.log"
run "$BRNET" ls
run "$BRNET" check --id demo
say "from the host: fetch the published port, http://127.0.0.1:8080/"
python3 -c 'import urllib.request; r = urllib.request.urlopen("http://127.0.0.1:8080/", timeout=5); print("HTTP", r.status, "-", len(r.read()), "bytes from the container")'
run nft list table inet brnet

say "kill -TERM <brnet run>   # forwarded to the server; brnet tears the network down"
kill -TERM $runner
wait $runner || echo "brnet run exited with $? (128+15: the server was terminated)"
run "$BRNET" ls
run ip -br link show
echo
echo "done: the command ran attached, was reached through its published port, and its network is gone."
