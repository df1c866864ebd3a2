#!/usr/bin/env bash
# The ferry sandbox: three chassis of one OVN cluster on this machine.
#
#   hv1, hv2   ferryd (mode ovn), each a chassis of its own
#   hv3        a stock chassis: ovn-controller + ovs-vswitchd (userspace
#              datapath) in a network namespace of its own
#
# They share a private OVN central (NB and SB ovsdb-server, ovn-northd)
# and an underlay (a Linux bridge in a namespace; encap IPs
# 192.168.88.1-3), and tunnel to each other in Geneve. Two logical
# switches joined by a distributed router, with instances (network
# namespaces) on every chassis:
#
#   sw0 10.88.0.0/24: vm1 (hv1, .11)  vm2 (hv2, .12)  vm3 (hv3, .13)
#   sw1 10.88.1.0/24: vm4 (hv2, .14)  vm5 (hv3, .15)
#   lr0: 10.88.0.1, 10.88.1.1
#
# The script builds ferry, starts all of it, sends ping and iperf3 between
# the instances across chassis and across the router, puts a stateful ACL
# on vm1 (its connections out pass, none come in), shows what OVN and
# ferryctl see (tunnels, a trace of a packet leaving through a tunnel,
# counters), and cleans up.
#
#   scripts/sandbox.sh          run the demo and clean up
#   scripts/sandbox.sh --keep   leave it running; Ctrl-C cleans up
#
# Needs root. Everything it makes has its own names and directory.
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
[ "$(id -u)" -eq 0 ] || { echo "sandbox: run as root (namespaces, af_packet)" >&2; exit 1; }

bash scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build control/ferryd control/ferryctl >/dev/null

export FERRYD=$PWD/build/control/ferryd FERRYCTL=$PWD/build/control/ferryctl
# The system tests' library: namespaces as instances, several ferryd, a
# stock chassis, the underlay, and cleanup of all of it at exit.
. tests/lib/ferry.sh
. tests/lib/underlay.sh
. tests/lib/stock-chassis.sh
set +e

say() { printf '\n== %s\n' "$*"; }
die() { echo "sandbox: $*" >&2; T_FAILS=1; exit 1; }
nb() { ovn-nbctl --timeout=20 "$@"; }

say "OVN central and the underlay"
ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || die "the OVN central did not start"
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")
underlay_create ul || die "no underlay"

# name switch address chassis
INSTANCES="vm1:sw0:10.88.0.11:hv1 vm2:sw0:10.88.0.12:hv2 vm3:sw0:10.88.0.13:hv3
	vm4:sw1:10.88.1.14:hv2 vm5:sw1:10.88.1.15:hv3"

say "stock chassis hv3: ovn-controller + ovs-vswitchd (datapath_type=netdev)"
stock_chassis_start hv3 192.168.88.3/24 ul || die "the stock chassis did not start"
for spec in $INSTANCES; do
	IFS=: read -r n _ addr ch <<<"$spec"
	# Every instance fits Geneve's 58 bytes in the 1500-byte underlay.
	if [ "$ch" = hv3 ]; then
		stock_vif hv3 "$n" "$addr/24" || die "instance $n"
	else
		instance "$n" "$addr/24" || die "instance $n"
		on "$n" ip link set eth0 mtu 1400
		ip link set "$(if_of "$n")" mtu 1400
	fi
	on "$n" ip route add default via "${addr%.*}.1"
done

say "logical topology: sw0 (vm1, vm2, vm3), sw1 (vm4, vm5), router lr0"
nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:88:00:01 10.88.0.1/24
nb lrp-add lr0 lr0-sw1 00:00:00:88:01:01 10.88.1.1/24
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router \
		-- lsp-set-addresses sw$s-lr0 router -- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
for spec in $INSTANCES; do
	IFS=: read -r n sw addr _ <<<"$spec"
	mac=$(mac_of "$n")
	nb lsp-add "$sw" "$n" -- lsp-set-addresses "$n" "$mac $addr" \
		-- lsp-set-port-security "$n" "$mac $addr"
done

# ferry_chassis NAME ENCAP INSTANCE...: ferryd as chassis NAME.
ferry_chassis() {
	local name=$1 encap=$2 i=0 p args
	shift 2
	args=(--set "chassis.system-id=$name" --set "chassis.hostname=$name"
		--set "chassis.ovn-remote=$OVN_SB_DB" --set "chassis.ovn-encap-ip=$encap"
		--set dataplane.mode=ovn)
	for p in "$@"; do
		args+=(--set "port.$p.devargs=net_af_packet$i,iface=$(if_of "$p")" --set "port.$p.iface-id=$p")
		i=$((i + 1))
	done
	underlay_attach ul "$name" || return 1
	args+=(--set "port.ul.devargs=net_af_packet$i,iface=$(underlay_if ul "$name")"
		--set port.ul.role=underlay)
	ferryd_start_as "$name" "${args[@]}"
}
say "ferry chassis hv1 (vm1) and hv2 (vm2, vm4)"
ferry_chassis hv1 192.168.88.1 vm1 || die "ferryd hv1 did not start"
ferry_chassis hv2 192.168.88.2 vm2 vm4 || die "ferryd hv2 did not start"

all_up() {
	local spec n
	for spec in $INSTANCES; do
		n=${spec%%:*}
		[ "$(nb lsp-get-up "$n")" = up ] || return 1
	done
}
wait_for 60 all_up || die "not every port came up"
nb --wait=hv sync || die "ovn-nbctl --wait=hv sync did not return"
echo "every port is up, and every chassis acknowledged (ovn-nbctl --wait=hv sync)"
say "ovn-sbctl show"
ovn-sbctl show

ping_it() {
	local from=$1 to=$2 what=$3
	printf '%-52s ' "ping $from -> $to ($what)"
	if wait_for 10 on "$from" ping -c 1 -W 1 "$to" && on "$from" ping -c 3 -i 0.2 -W 1 -q "$to" >"$T_DIR/ping.txt" 2>&1; then
		grep -o "[0-9]* received.*loss" "$T_DIR/ping.txt"
	else
		echo "FAILED"
		T_FAILS=$((T_FAILS + 1))
	fi
}
say "ping across chassis, and across the router"
ping_it vm1 10.88.0.12 "hv1 -> hv2, ferry to ferry"
ping_it vm1 10.88.0.13 "hv1 -> hv3, ferry to stock"
ping_it vm3 10.88.0.12 "hv3 -> hv2, stock to ferry"
ping_it vm1 10.88.1.14 "hv1 -> hv2, across lr0"
ping_it vm1 10.88.1.15 "hv1 -> hv3, across lr0"
ping_it vm5 10.88.0.11 "hv3 -> hv1, across lr0"

iperf() {
	local from=$1 to=$2 addr=$3 what=$4
	say "TCP $from -> $to ($what; iperf3, 3 s)"
	on "$to" iperf3 -s -1 -D -B "$addr" >/dev/null 2>&1
	wait_for 5 bash -c "ip netns exec $(ns_of "$to") ss -ltn | grep -q :5201"
	if ! on "$from" timeout 20 iperf3 -c "$addr" -t 3 | tail -4; then
		echo "FAILED"
		T_FAILS=$((T_FAILS + 1))
	fi
}
iperf vm1 vm3 10.88.0.13 "ferry to stock, one switch"
iperf vm1 vm4 10.88.1.14 "ferry to ferry, across lr0"

say "stateful ACL on vm1 (hv1): its connections out pass both ways, none come in"
nb acl-add sw0 from-lport 1002 'inport == "vm1" && ip4' allow-related
nb acl-add sw0 to-lport 1001 'outport == "vm1" && ip4' drop
nb --wait=hv sync || die "ovn-nbctl --wait=hv sync did not return"
ping_it vm1 10.88.0.13 "hv1 -> hv3, the replies through ferry's tracker"
printf '%-52s ' "ping vm3 -> 10.88.0.11 (a connection into vm1)"
if on vm3 ping -c 2 -i 0.3 -W 1 -q 10.88.0.11 >/dev/null 2>&1; then
	echo "FAILED: it passed"
	T_FAILS=$((T_FAILS + 1))
else
	echo "dropped, as the ACL says"
fi
say "ferryctl ct list (hv1)"; fctl_of hv1 ct list
nb acl-del sw0
nb --wait=hv sync || die "ovn-nbctl --wait=hv sync did not return"

m1=$(mac_of vm1)
say "ferryctl trace on hv1: vm1 -> vm3, one ICMP echo; it leaves through the tunnel to hv3"
fctl_of hv1 trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == $(mac_of vm3) && ip4.src == 10.88.0.11 && ip4.dst == 10.88.0.13 && ip.ttl == 64 && icmp4.type == 8" |
	grep -v "=> next;$" | grep -v "^  *1$"
say "ferryctl tunnel list (hv1)"; fctl_of hv1 tunnel list
say "ferryctl underlay (hv1)"; fctl_of hv1 underlay
say "ferryctl lport stats (hv2)"; fctl_of hv2 lport stats
say "ferryctl cache (hv1)"; fctl_of hv1 cache
say "ferryctl counters (hv1)"; fctl_of hv1 counters
say "ferryctl drops (hv1)"; fctl_of hv1 drops

if [ "$T_FAILS" -ne 0 ]; then
	say "$T_FAILS step(s) failed: the logs follow"
	exit 1
fi
say "everything above passed"
if [ $KEEP -eq 1 ]; then
	echo
	echo "sandbox running. Try:"
	echo "  $FERRYCTL -s $(ferryd_sock_of hv1) help      # hv2: $(ferryd_sock_of hv2)"
	echo "  ip netns exec $(ns_of vm1) ping 10.88.1.15"
	echo "  OVN_SB_DB=$OVN_SB_DB ovn-sbctl show"
	echo "Ctrl-C to stop."
	stop=
	trap 'stop=1' INT TERM
	while [ -z "$stop" ] && kill -0 "$(ferryd_pid_of hv1)" 2>/dev/null; do sleep 1; done
fi
say "stopping"
rc=0
for h in hv1 hv2; do
	if kill -0 "$(ferryd_pid_of $h)" 2>/dev/null; then
		ferryd_stop_as $h || rc=1
	fi
done
[ $rc -eq 0 ] && echo "ferryd stopped cleanly"
