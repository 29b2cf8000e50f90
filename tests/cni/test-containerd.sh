#!/bin/bash
# A Kubernetes node's runtime: containerd's CRI plugin (Debian 12's 1.6, runc) gives pods their
# network with brnet-cni, asked through the CRI calls the kubelet makes (tests/cni/cri.py).
# containerd runs the loopback plugin, then brnet-cni with the pod's hostPort mappings, which
# go-cni sends as Go structs ({"HostPort": ...}); it tears the network down at
# StopPodSandbox. Checked: the runtime's NetworkReady; the pod's address as containerd reports
# it against brnet's record and the kernel; the hostPort from another machine; pod to pod;
# nothing left after stop and remove.
. "$(dirname "$0")/../root/lib.sh"

command -v containerd >/dev/null || skip "needs containerd"
command -v runc >/dev/null || skip "needs runc"
command -v busybox >/dev/null || skip "needs busybox (static) for the image"
/usr/bin/python3 -c 'import grpc' 2>/dev/null || skip "needs python3-grpcio"
[ -x /usr/lib/cni/loopback ] || skip "needs containernetworking-plugins (loopback)"
[ -x "${BRNET_CNI:-}" ] || fail "brnet-cni binary not found at '${BRNET_CNI:-}'"

# libcni keeps its results cache in /var/lib/cni whatever it is told.
mkdir -p /var/lib/cni
mount -t tmpfs -o mode=0700 brnet-test-containerd /var/lib/cni

W=$TMPDIR/containerd
STATE=$W/brnet-cni
SOCK=$W/containerd.sock
CRI=(/usr/bin/python3 "$HERE/../cni/cri.py")
mkdir -p "$W/bin" "$W/net.d"
ln -s "$BRNET_CNI" "$W/bin/brnet-cni"
ln -s /usr/lib/cni/loopback "$W/bin/loopback"
cat >"$W/net.d/10-brnet.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "k8s-pod-network", "plugins": [
 {"type": "brnet-cni", "bridge": "cni0", "hairpinMode": true,
  "noMasqueradeTo": ["10.244.0.0/16"], "stateDir": "$STATE",
  "capabilities": {"portMappings": true},
  "ipam": {"type": "brnet", "subnet": "10.244.1.0/24"}}]}
EOF
# Cgroups off: the pods run in this test's namespaces, not under the machine's cgroup tree.
cat >"$W/config.toml" <<EOF
version = 2
root = "$W/root"
state = "$W/state"
[grpc]
  address = "$SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:test"
  disable_cgroup = true
  disable_apparmor = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$W/bin"
    conf_dir = "$W/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
EOF
containerd --config "$W/config.toml" >"$W/containerd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "containerd did not start: $(tail -5 "$W/containerd.log")"
# The sandbox image: busybox sleeping, as the pause container would.
"${CRI[@]}" image "$W/pause.tar" localhost/pause:test /bin/sleep 3600
ctr -a "$SOCK" -n k8s.io images import "$W/pause.tar" >/dev/null

pods() {
	BRNET_STATE_DIR=$STATE brnet ls --json
}
pod_field() { # ID FIELD: a field of the pod's brnet attachment
	pods | python3 -c 'import json,sys; print(*[a[sys.argv[2]] for a in json.load(sys.stdin) if a["id"] == sys.argv[1]])' "$1" "$2"
}
status_field() { # ID FIELD: containerd's PodSandboxStatus
	"${CRI[@]}" status "$SOCK" "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
fail_with_log() {
	fail "$1: $(grep 'level=error' "$W/containerd.log" | tail -2)"
}

expect_eq "NetworkReady" "$("${CRI[@]}" ready "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["NetworkReady"]["status"])')" "True"
make_upstream

# A pod with a hostPort, and one without.
web=$("${CRI[@]}" run "$SOCK" web uid-web 8080:80) || fail_with_log "RunPodSandbox web"
db=$("${CRI[@]}" run "$SOCK" db uid-db) || fail_with_log "RunPodSandbox db"
expect_eq "web is ready" "$(status_field "$web" state)" "0"
web_ip=$(status_field "$web" ip)
db_ip=$(status_field "$db" ip)
expect_eq "containerd's address for web is brnet's" "$web_ip/24" "$(pod_field "$web" address)"
expect_eq "containerd's address for db is brnet's" "$db_ip/24" "$(pod_field "$db" address)"
expect_eq "web's hostPort is published" "$(pod_field "$web" publish)" "['8080:80/tcp']"
expect_eq "the kernel's publish map sends it to web" "$(nft -j list map inet brnet publish | python3 -c '
import json, sys
print(sorted("%s/%s->%s:%s" % (*e[0]["elem"]["val"]["concat"], *e[1]["concat"]) for o in json.load(sys.stdin)["nftables"] for e in o.get("map", {}).get("elem", [])))')" "['tcp/8080->$web_ip:80']"
expect_eq "the network's origin" "$(pod_field "$web" origin)" "cni:k8s-pod-network"
web_ns=$(basename "$(pod_field "$web" netns)")
db_ns=$(basename "$(pod_field "$db" netns)")
expect_eq "web's eth0 in the kernel" "$(ip -n "$web_ns" -j addr show eth0 | v4_addrs)" "eth0 ['$web_ip/24']"

# The hostPort from another machine; pod to pod by address.
serve "$web_ns" tcp:80
expect_probe upstream tcp "$HOST_UPLINK_ADDR" 8080 open
expect_probe "$db_ns" tcp "$web_ip" 80 open
listen upstream tcp 0.0.0.0 8000
connect "$db_ns" tcp "$UPSTREAM_ADDR" 8000 >/dev/null || fail "db cannot reach upstream"
expect_eq "upstream sees the node" "$(seen_by upstream tcp 8000)" "$HOST_UPLINK_ADDR"

# StopPodSandbox tears the network down (DEL); RemovePodSandbox forgets the pod.
for id in "$web" "$db"; do
	"${CRI[@]}" stop "$SOCK" "$id" || fail_with_log "StopPodSandbox"
	"${CRI[@]}" remove "$SOCK" "$id" || fail_with_log "RemovePodSandbox"
done
expect_eq "no attachment left" "$(pods)" "[]"
expect_eq "no host veth left" "$(ip -j link show type veth | python3 -c 'import json,sys; print([l["ifname"] for l in json.load(sys.stdin) if l["ifname"] != "up0"])')" "[]"
expect_eq "no published port left" "$(nft -j list map inet brnet publish | python3 -c 'import json,sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))')" "0"
echo "PASS"
