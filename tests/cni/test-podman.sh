#!/bin/bash
# A real runtime: Podman (Debian 12's 4.3, CNI backend, crun) runs containers on brnet-cni
# networks. What libcni and Podman send is what docs/cni.md's harness imitates; this test is
# the witness that the imitation is right: address, MAC and route as Podman reports them; a
# published port on 127.0.0.1 and from another machine; container to container and to the
# outside (masqueraded); network reload (DEL, then ADD under Podman's port reservation), also
# after every table was flushed; connect and disconnect of a second network; restart; two
# networks with a fixed address and MAC; nothing left by removal or by a container that dies.
. "$(dirname "$0")/../root/lib.sh"

command -v podman >/dev/null || skip "needs podman"
command -v busybox >/dev/null || skip "needs busybox (static) for the image"
[ -x "${BRNET_CNI:-}" ] || fail "brnet-cni binary not found at '${BRNET_CNI:-}'"

# libcni keeps its results cache in /var/lib/cni and Podman its blob cache in
# /var/lib/containers/cache whatever they are told: both private to this mount namespace.
for d in /var/lib/cni /var/lib/containers; do
	mkdir -p $d
	mount -t tmpfs -o mode=0700 brnet-test-podman $d
done
# crun refuses a hybrid cgroup layout (v1 controllers and an empty v2 tree beside them); the
# containers run without cgroups here, so the v2 mount is dropped from this mount namespace.
if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi

W=$TMPDIR/podman
STATE=$W/brnet-cni
mkdir -p "$W/bin" "$W/net.d" "$W/rootfs/bin" "$W/rootfs/www"
ln -s "$BRNET_CNI" "$W/bin/brnet-cni"
cat >"$W/containers.conf" <<EOF
[network]
network_backend = "cni"
cni_plugin_dirs = ["$W/bin"]
network_config_dir = "$W/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
runtime = "crun"
image_copy_tmp_dir = "$TMPDIR"
EOF
# cniVersion 0.4.0 is what "podman network create" writes.
cat >"$W/net.d/bn.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "bn", "plugins": [
 {"type": "brnet-cni", "bridge": "bn0", "isGateway": true, "ipMasq": true,
  "stateDir": "$STATE", "ipam": {"type": "brnet", "subnet": "10.88.7.0/24"},
  "capabilities": {"portMappings": true, "ips": true}}]}
EOF
cat >"$W/net.d/bn2.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "bn2", "plugins": [
 {"type": "brnet-cni", "bridge": "bn1", "isGateway": true, "ipMasq": true,
  "stateDir": "$STATE", "ipam": {"type": "brnet", "subnet": "10.88.8.0/24"},
  "capabilities": {"portMappings": true, "ips": true, "mac": true}}]}
EOF
export CONTAINERS_CONF=$W/containers.conf
pm() {
	podman --root "$W/root" --runroot "$W/run" --storage-driver vfs "$@"
}
# --ulimit: Podman raises the open-file and process limits by default, which needs
# CAP_SYS_RESOURCE; not every test machine grants it.
run() {
	pm run --cgroups disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}
# ip_of NAME [NETWORK]: the container's address on NETWORK (bn), as Podman read it from the
# result.
ip_of() {
	pm inspect "$1" --format "{{(index .NetworkSettings.Networks \"${2:-bn}\").IPAddress}}"
}
mac_of() {
	pm inspect "$1" --format '{{(index .NetworkSettings.Networks "bn").MacAddress}}'
}
netns_of() {
	pm inspect "$1" --format '{{.NetworkSettings.SandboxKey}}'
}
attachments() {
	BRNET_STATE_DIR=$STATE brnet ls --json |
		python3 -c 'import json,sys; print(" ".join(sorted(a["origin"] + ":" + a["ifname"] + ":" + a["address"] + "".join(" " + p for p in a["publish"]) for a in json.load(sys.stdin))))'
}
default_routes() { # NAME: the container's default routes, in the kernel's order
	ip -n "$(basename "$(netns_of "$1")")" -4 -j route show default | v4_routes
}
# The publish map as the kernel holds it: "PROTO/PORT->ADDRESS:PORT" a line, sorted.
publish_map() {
	nft -j list map inet brnet publish | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for k, v in sorted(((e[0]["elem"]["val"]["concat"], e[1]["concat"]) for e in o.get("map", {}).get("elem", [])), key=str):
        print("%s/%s->%s:%s" % (k[0], k[1], v[0], v[1]))'
}
publish_elems() {
	publish_map | grep -c . || true
}
http_get() { # NS URL
	in_ns "$1" python3 -c 'import sys, urllib.request as u; print(u.urlopen(sys.argv[1], timeout=5).read().decode(), end="")' "$2"
}

cp "$(command -v busybox)" "$W/rootfs/bin/busybox"
for a in sh httpd wget nc echo timeout; do ln -s busybox "$W/rootfs/bin/$a"; done
echo hello-from-podman >"$W/rootfs/www/index.html"
tar -C "$W/rootfs" -c . | pm import -q - localhost/bb >/dev/null

make_upstream

expect_eq "podman lists the network (VERSION accepted)" \
	"$(pm network ls --format '{{.Name}} {{.Driver}}' | grep '^bn ')" "bn brnet-cni"

run -d --name web --network bn -p 8080:80 localhost/bb httpd -f -p 80 -h /www >/dev/null
WEB=$(ip_of web)
case "$WEB" in 10.88.7.*) echo "ok: web has $WEB" ;; *) fail "web's address: '$WEB'" ;; esac
NS=$(netns_of web)
MAC=$(mac_of web)
expect_eq "the MAC Podman reports is eth0's" \
	"$(ip -n "$(basename "$NS")" -j link show dev eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')" "$MAC"
expect_eq "the address is on the container's eth0" \
	"$(ip -n "$(basename "$NS")" -4 -j addr show dev eth0 | v4_addrs)" "eth0 ['$WEB/24']"
expect_eq "the container's default route" \
	"$(ip -n "$(basename "$NS")" -4 -j route show default | v4_routes)" "default 10.88.7.1 eth0 "
expect_eq "brnet's record of the attachment" "$(attachments)" "cni:bn:eth0:$WEB/24 8080:80/tcp"
# httpd listens a moment after Podman returns.
for _ in $(seq 50); do http_get host "http://$WEB/" >/dev/null 2>&1 && break; sleep 0.1; done

expect_eq "the container's address from the host" "$(http_get host "http://$WEB/")" hello-from-podman
expect_eq "published port on 127.0.0.1" "$(http_get host http://127.0.0.1:8080/)" hello-from-podman
expect_eq "published port from another machine" \
	"$(http_get upstream "http://$HOST_UPLINK_ADDR:8080/")" hello-from-podman

# Another container: reaches the first directly, and the outside world masqueraded.
expect_eq "container to container" \
	"$(run --rm --network bn localhost/bb timeout 5 wget -q -O - "http://$WEB/")" hello-from-podman
listen upstream tcp 0.0.0.0 7000
out=$(run --rm --network bn localhost/bb sh -c "echo ping | nc -w 5 $UPSTREAM_ADDR 7000")
case "$out" in pong*) echo "ok: container to the outside" ;; *) fail "container to the outside: '$out'" ;; esac
expect_eq "the outside sees the host's address" "$(seen_by upstream tcp 7000)" "$HOST_UPLINK_ADDR"
expect_eq "the --rm container's attachment is gone" "$(attachments)" "cni:bn:eth0:$WEB/24 8080:80/tcp"

# A reload tears the network down and sets it up again; Podman asks for the address and MAC
# it holds (CNI_ARGS IP= and MAC=). Podman keeps the published ports' sockets open meanwhile
# (its reservation): brnet-cni must not take them for another service's.
pm network reload web >/dev/null
expect_eq "address after a network reload" "$(ip_of web)" "$WEB"
expect_eq "MAC after a network reload" "$(mac_of web)" "$MAC"
expect_eq "published port after a network reload" "$(http_get host http://127.0.0.1:8080/)" \
	hello-from-podman
expect_eq "one attachment after a network reload" "$(attachments)" "cni:bn:eth0:$WEB/24 8080:80/tcp"
# What a reload is for: a firewall manager flushed every table (firewalld does on reload).
nft flush ruleset
pm network reload web >/dev/null
expect_eq "published port after a flush and a reload" "$(http_get host http://127.0.0.1:8080/)" \
	hello-from-podman
expect_eq "from another machine after a flush and a reload" \
	"$(http_get upstream "http://$HOST_UPLINK_ADDR:8080/")" hello-from-podman

# A second network. Podman sends the container's port mappings to every network it joins; a
# port leads to one address, the first network's, and the second ADD must not fail on it.
# The second default route comes after the first, which stays the one used.
pm network connect bn2 web
WEB2=$(ip_of web bn2)
expect_eq "two attachments, the port on the first" "$(attachments)" \
	"cni:bn2:eth1:$WEB2/24 cni:bn:eth0:$WEB/24 8080:80/tcp"
expect_eq "the kernel's map sends the port to the first address" "$(publish_map)" \
	"tcp/8080->$WEB:80"
expect_eq "default routes, the first network's first" "$(default_routes web)" \
	"default 10.88.7.1 eth0 
default 10.88.8.1 eth1 "
expect_eq "published port with two networks" "$(http_get host http://127.0.0.1:8080/)" \
	hello-from-podman
expect_eq "the second network's address" "$(http_get host "http://$WEB2/")" hello-from-podman
pm network disconnect bn2 web
expect_eq "disconnected from the second network" "$(attachments)" \
	"cni:bn:eth0:$WEB/24 8080:80/tcp"
expect_eq "no port left on the second bridge" "$(ip -j link show master bn1)" "[]"

# A restart is a DEL and an ADD around the container's processes; Podman asks for no
# address (it does for a reload), so the allocator picks the next one.
pm restart -t 0 web >/dev/null
WEB=$(ip_of web)
expect_eq "one attachment after a restart" "$(attachments)" "cni:bn:eth0:$WEB/24 8080:80/tcp"
for _ in $(seq 50); do http_get host "http://$WEB/" >/dev/null 2>&1 && break; sleep 0.1; done
expect_eq "published port after a restart" "$(http_get host http://127.0.0.1:8080/)" \
	hello-from-podman

# Both networks from the start, with a fixed address and MAC (CNI_ARGS IP= and MAC=).
run -d --name two --network bn:ip=10.88.7.77,mac=02:00:00:00:77:77 --network bn2 \
	-p 8082:80 localhost/bb httpd -f -p 80 -h /www >/dev/null
TWO2=$(ip_of two bn2)
expect_eq "a fixed address" "$(ip_of two)" 10.88.7.77
expect_eq "a fixed MAC" "$(mac_of two)" 02:00:00:00:77:77
# Which network becomes eth0, and which ADD comes first and so publishes the port, vary from
# run to run (Podman's map order).
expect_eq "both networks' attachments" "$(attachments | sed 's/:eth[01]:/:/g; s/ 8082:80\/tcp//')" \
	"cni:bn2:$TWO2/24 cni:bn:$WEB/24 8080:80/tcp cni:bn:10.88.7.77/24"
expect_eq "the port published once" "$(attachments | grep -o 8082:80/tcp)" 8082:80/tcp
expect_eq "the kernel's map holds it once, to one of its addresses" \
	"$(publish_map | grep -c "^tcp/8082->\(10.88.7.77\|$TWO2\):80$")" 1
# brnet ls lines its columns up under the headings, 64-character ids and all.
BRNET_STATE_DIR=$STATE brnet ls | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
starts = [lines[0].index(h) for h in ("IFNAME", "ADDRESS", "BRIDGE", "STATE", "NETNS", "PUBLISH")]
assert len(lines) == 4, lines
for l in lines[1:]:
    assert all(l[s - 1] == " " and l[s] != " " for s in starts[:-1]), (starts, l)
' || fail "brnet ls: columns not aligned"
echo "ok: brnet ls aligned"
for _ in $(seq 50); do http_get host "http://$TWO2/" >/dev/null 2>&1 && break; sleep 0.1; done
expect_eq "its published port" "$(http_get host http://127.0.0.1:8082/)" hello-from-podman
pm rm -f -t 0 two >/dev/null

# A container that dies: conmon runs Podman's cleanup, which sends the DEL.
run -d --name k --network bn -p 8090:80 localhost/bb httpd -f -p 80 -h /www >/dev/null
case "$(attachments)" in *8090*) ;; *) fail "the container to kill has no attachment" ;; esac
pm kill k >/dev/null
for _ in $(seq 50); do
	case "$(attachments)" in *8090*) sleep 0.1 ;; *) break ;; esac
done
expect_eq "a killed container's attachment is gone" "$(attachments)" \
	"cni:bn:eth0:$WEB/24 8080:80/tcp"
pm rm -f -t 0 k >/dev/null

NS=$(netns_of web)
pm rm -f -t 0 web >/dev/null
expect_eq "no attachment left" "$(attachments)" ""
expect_eq "no published port left" "$(publish_elems)" 0
expect_eq "no port left on the bridges" "$(ip -j link show master bn0)$(ip -j link show master bn1)" "[][]"
[ ! -e "$NS" ] || fail "the container's namespace $NS is still there"
echo "ok: nothing left behind"
