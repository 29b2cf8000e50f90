#!/bin/bash
# Installs the Debian 12 packages brnet needs to build and test; a no-op when all are there.
set -euo pipefail

PACKAGES=(
	gcc libc6-dev meson ninja-build pkg-config
	libmnl-dev libnftnl-dev libjansson-dev libcmocka-dev
	iproute2 nftables conntrack util-linux mount procps kmod python3 strace iputils-ping
	clang-format clang-tidy cppcheck valgrind systemd
	containernetworking-plugins iptables netavark iperf3
	podman crun conmon busybox-static
	containerd runc python3-grpcio
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "brnet: installing ${missing[*]}"
	# Installed, not started: containerd's package would start a daemon on the machine, and
	# the tests run their own in private namespaces (policy-rc.d, while this runs).
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
