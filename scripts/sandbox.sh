#!/usr/bin/env bash
# The ferry sandbox: builds ferry, starts a private OVN central (NB and SB
# ovsdb-server, ovn-northd), creates two logical switches joined by a
# distributed router, and three instances (network namespaces with veth
# pairs): vm1 and vm2 on sw0 (10.88.0.0/24), vm3 on sw1 (10.88.1.0/24).
# ferryd runs as a chassis in mode ovn: it binds the three ports, compiles
# the logical flows and runs them in its fast path. The script sends
# traffic on one switch and across the router, and shows what OVN and
# ferryctl see, a trace included.
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
	for n in vm1 vm2 vm3; do
		ip netns del "fsb-$n" 2>/dev/null || true
		ip link del "fsb-$n" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

# name switch address gateway
INSTANCES="vm1:sw0:10.88.0.11:10.88.0.1 vm2:sw0:10.88.0.12:10.88.0.1 vm3:sw1:10.88.1.13:10.88.1.1"
for spec in $INSTANCES; do
	IFS=: read -r n _ addr gw <<<"$spec"
	ip netns add "fsb-$n"
	ip link add "fsb-$n" type veth peer name eth0 netns "fsb-$n"
	ip -n "fsb-$n" addr add "$addr/24" dev eth0
	ip -n "fsb-$n" link set eth0 up
	ip -n "fsb-$n" link set lo up
	ip -n "fsb-$n" route add default via "$gw"
	ip netns exec "fsb-$n" ethtool -K eth0 tx off >/dev/null
	ip link set "fsb-$n" up
done

echo "== OVN central: switches sw0 (vm1, vm2) and sw1 (vm3), router lr0 between them"
ovn_central_start "$DIR/ovn" 2>/dev/null
ovn-nbctl ls-add sw0 -- ls-add sw1 -- lr-add lr0
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:88:00:01 10.88.0.1/24
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:88:01:01 10.88.1.1/24
for s in 0 1; do
	ovn-nbctl lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router \
		-- lsp-set-addresses sw$s-lr0 router -- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
ports=()
i=0
for spec in $INSTANCES; do
	IFS=: read -r n sw addr _ <<<"$spec"
	mac=$(ip netns exec "fsb-$n" cat /sys/class/net/eth0/address)
	ovn-nbctl lsp-add "$sw" "$n" -- lsp-set-addresses "$n" "$mac $addr" \
		-- lsp-set-port-security "$n" "$mac $addr"
	ports+=(--set "port.$n.devargs=net_af_packet$i,iface=fsb-$n" --set "port.$n.iface-id=$n")
	i=$((i + 1))
done

echo "== starting ferryd as chassis sandbox-hv1 (mode ovn)"
build/control/ferryd -c config/ferryd.conf --socket "$SOCK" \
	--system-id sandbox-hv1 --ovn-remote "$OVN_SB_DB" --ovn-encap-ip 127.0.0.1 \
	--set dataplane.mode=ovn "${ports[@]}" >"$DIR/ferryd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do $FERRYCTL show >/dev/null 2>&1 && break; sleep 0.1; done
$FERRYCTL show
ovn-nbctl --timeout=20 --wait=hv sync
for _ in $(seq 100); do
	[ "$(ovn-nbctl lsp-get-up vm1)$(ovn-nbctl lsp-get-up vm2)$(ovn-nbctl lsp-get-up vm3)" = "upupup" ] && break
	sleep 0.1
done
echo "== ovn-sbctl show"; ovn-sbctl show
echo "== ovn-nbctl lsp-get-up: vm1 $(ovn-nbctl lsp-get-up vm1), vm2 $(ovn-nbctl lsp-get-up vm2), vm3 $(ovn-nbctl lsp-get-up vm3)"
echo "== ferryctl chassis bindings"; $FERRYCTL chassis bindings
echo "== ferryctl lflow summary"; $FERRYCTL lflow summary
echo "== ferryctl pipeline show"; $FERRYCTL pipeline show

echo "== ping vm1 -> vm2 (one switch)"
ip netns exec fsb-vm1 ping -c 3 -i 0.2 10.88.0.12
echo "== ping vm1 -> vm3 (across the router)"
ip netns exec fsb-vm1 ping -c 3 -i 0.2 10.88.1.13
echo "== TCP vm1 -> vm3 across the router (iperf3, 3 s)"
ip netns exec fsb-vm3 iperf3 -s -1 -D -B 10.88.1.13 >/dev/null
for _ in $(seq 50); do ip netns exec fsb-vm3 ss -ltn | grep -q :5201 && break; sleep 0.1; done
ip netns exec fsb-vm1 iperf3 -c 10.88.1.13 -t 3 | tail -4
m1=$(ip netns exec fsb-vm1 cat /sys/class/net/eth0/address)
echo "== ferryctl trace: vm1 -> vm3, one ICMP echo"
$FERRYCTL trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == 00:00:00:88:00:01 && ip4.src == 10.88.0.11 && ip4.dst == 10.88.1.13 && ip.ttl == 64 && icmp4.type == 8" |
	grep -v "=> next;$" | grep -v "^  *1$"
echo "== ferryctl port list"; $FERRYCTL port list
echo "== ferryctl counters"; $FERRYCTL counters
echo "== ferryctl cache"; $FERRYCTL cache
echo "== ferryctl lport stats"; $FERRYCTL lport stats
echo "== ferryctl drops"; $FERRYCTL drops
echo "== ferryctl worker list"; $FERRYCTL worker list

if [ $KEEP -eq 1 ]; then
	echo
	echo "sandbox running. Try:"
	echo "  $FERRYCTL help"
	echo "  ip netns exec fsb-vm1 ping 10.88.0.2"
	echo "Ctrl-C to stop."
	wait "$PID"
fi
