#!/usr/bin/env bash
# Install what ferry needs to build, test and run its sandbox, from Debian 12
# packages. Safe to run again; does nothing when everything is present.
set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config
	dpdk dpdk-dev libdpdk-dev libnuma-dev
	libjansson-dev libinih-dev libevent-dev libssl-dev libcmocka-dev liburcu-dev
	# tests, sandbox, benchmarks
	iproute2 iputils-ping ethtool procps psmisc python3 python3-scapy python3-matplotlib iperf3 tshark
	openvswitch-switch openvswitch-switch-dpdk ovn-central ovn-host
	clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian packages start system daemons we do not use; tests run their own.
for s in ovn-central ovn-host openvswitch-switch; do
	systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true
done
