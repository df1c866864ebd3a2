#!/usr/bin/env bash
# The ferry sandbox: builds ferry, starts a private OVN central (NB and SB
# ovsdb-server, ovn-northd), creates a logical switch with two ports and two
# instances (network namespaces with veth pairs), starts ferryd as a chassis
# that binds those ports and compiles the switch's logical flows, sends
# traffic between the instances, and shows what OVN and ferryctl see.
#
# Until the logical pipelines land, ferryd forwards between the two ports
# in cross-connect mode; binding, flow compilation and traffic are real.
#
#   scripts/sandbox.sh          run the demo and clean up
#   scripts/sandbox.sh --keep   leave it running; Ctrl-C cleans up
#
# Needs root. Uses its own names (fsb-*) and a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
[ "$(id -u)" -eq 0 ] || { echo "sandbox: run as root (namespaces, af_packet)" >&2; exit 1; }

bash scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

DIR=$(mktemp -d /tmp/ferry-sandbox.XXXXXX)
SOCK=$DIR/ferryd.sock
FERRYCTL="build/control/ferryctl -s $SOCK"
PID=

. tests/lib/ovn-central.sh

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ovn_central_stop "$DIR/ovn" >/dev/null 2>&1
	for n in vm1 vm2; do
		ip netns del "fsb-$n" 2>/dev/null || true
		ip link del "fsb-$n" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

i=0
for n in vm1 vm2; do
	i=$((i + 1))
	ip netns add "fsb-$n"
	ip link add "fsb-$n" type veth peer name eth0 netns "fsb-$n"
	ip -n "fsb-$n" addr add "10.88.0.$i/24" dev eth0
	ip -n "fsb-$n" link set eth0 up
	ip -n "fsb-$n" link set lo up
	ip netns exec "fsb-$n" ethtool -K eth0 tx off >/dev/null
	ip link set "fsb-$n" up
done

echo "== OVN central: logical switch sw0 with ports vm1 and vm2"
ovn_central_start "$DIR/ovn" 2>/dev/null
ovn-nbctl ls-add sw0
for i in 1 2; do
	mac=$(ip netns exec "fsb-vm$i" cat /sys/class/net/eth0/address)
	ovn-nbctl lsp-add sw0 "vm$i" -- lsp-set-addresses "vm$i" "$mac 10.88.0.$i"
done

echo "== starting ferryd as chassis sandbox-hv1 (ports vm1 <-> vm2 cross-connected)"
build/control/ferryd -c config/ferryd.conf --socket "$SOCK" \
	--system-id sandbox-hv1 --ovn-remote "$OVN_SB_DB" --ovn-encap-ip 127.0.0.1 \
	--set port.vm1.devargs=net_af_packet0,iface=fsb-vm1 --set port.vm1.peer=vm2 \
	--set port.vm1.iface-id=vm1 \
	--set port.vm2.devargs=net_af_packet1,iface=fsb-vm2 --set port.vm2.peer=vm1 \
	--set port.vm2.iface-id=vm2 \
	>"$DIR/ferryd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do $FERRYCTL show >/dev/null 2>&1 && break; sleep 0.1; done
$FERRYCTL show
ovn-nbctl --timeout=20 --wait=hv sync
for _ in $(seq 100); do
	[ "$(ovn-nbctl lsp-get-up vm1)$(ovn-nbctl lsp-get-up vm2)" = "upup" ] && break
	sleep 0.1
done
echo "== ovn-sbctl show"; ovn-sbctl show
echo "== ovn-nbctl lsp-get-up: vm1 $(ovn-nbctl lsp-get-up vm1), vm2 $(ovn-nbctl lsp-get-up vm2)"
echo "== ferryctl sb status"; $FERRYCTL sb status
echo "== ferryctl chassis bindings"; $FERRYCTL chassis bindings
echo "== ferryctl lflow summary"; $FERRYCTL lflow summary

echo "== ping vm1 -> vm2"
ip netns exec fsb-vm1 ping -c 3 -i 0.2 10.88.0.2
echo "== TCP vm1 -> vm2 (iperf3, 3 s)"
ip netns exec fsb-vm2 iperf3 -s -1 -D -B 10.88.0.2 >/dev/null
sleep 0.3
ip netns exec fsb-vm1 iperf3 -c 10.88.0.2 -t 3 | tail -4
echo "== ferryctl port list"; $FERRYCTL port list
echo "== ferryctl counters"; $FERRYCTL counters
echo "== ferryctl worker list"; $FERRYCTL worker list

if [ $KEEP -eq 1 ]; then
	echo
	echo "sandbox running. Try:"
	echo "  $FERRYCTL help"
	echo "  ip netns exec fsb-vm1 ping 10.88.0.2"
	echo "Ctrl-C to stop."
	wait "$PID"
fi
