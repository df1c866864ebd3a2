#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Container ports, one chassis: a logical port whose traffic rides on its
# parent VIF's interface under a VLAN tag (ovn-nbctl lsp-add SW CHILD
# PARENT TAG). Real OVN central, namespaces on af_packet ports, ferryd in
# mode ovn. The VM vm1 is a namespace whose eth0 is the parent vif and
# whose VLAN subinterface eth0.42 is the container c1. Proves:
#  - the child is claimed through its parent: vm1 and c1 bound here and up,
#    and so is a child c2 on a switch that has no other local port;
#  - vm2 <-> c1 ping both ways, with the frames for c1 leaving ferryd
#    tagged 42 on vm1's interface (eth0.42's counters: only a frame tagged
#    42 on eth0 reaches it) and c1's tagged frames accepted (where the
#    kernel has no VLAN devices, vlan_peer.py plays c1 on eth0 and also
#    proves nothing for c1's MAC arrives untagged);
#  - vm2 <-> vm1 untagged still works beside the child;
#  - c1 deleted: unreachable, and nothing more arrives tagged;
#  - c1 added again, then its parent deleted: c1 and c2 are released (no
#    chassis, down).
. "$(dirname "$0")/../lib/ferry.sh"
need_root

ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")
nb() { ovn-nbctl --timeout=10 "$@"; }

C1_MAC=02:00:00:00:00:21 C1_IP=10.0.0.21
instance vm1 10.0.0.11/24
instance vm2 10.0.0.12/24
# The container: a VLAN subinterface of vm1's eth0 with its own MAC and
# address. Its address is in vm1's subnet, so the container's packets are
# routed by source (table 42) out of eth0.42, and vm1 answers ARP only on
# the interface that holds the address. A kernel without 802.1Q devices
# gets vlan_peer.py on eth0 instead, which answers for c1 in VLAN 42 and
# counts what arrives tagged.
if on vm1 ip link add link eth0 name eth0.42 type vlan id 42 2>/dev/null; then
	C1_KERNEL=1
	on vm1 ip link set eth0.42 address "$C1_MAC" &&
		on vm1 ip addr add "$C1_IP/32" dev eth0.42 &&
		on vm1 ip link set eth0.42 up &&
		on vm1 ip rule add from "$C1_IP" lookup 42 &&
		on vm1 ip route add 10.0.0.0/24 dev eth0.42 src "$C1_IP" table 42 ||
		{ echo "FAIL: eth0.42 setup"; exit 1; }
	for k in all.arp_ignore=1 all.arp_announce=2 all.rp_filter=0 eth0.rp_filter=0 \
		eth0/42.rp_filter=0; do
		on vm1 sysctl -qw "net.ipv4.conf.$k" || { echo "FAIL: sysctl $k"; exit 1; }
	done
else
	C1_KERNEL=0
	echo "note: no 802.1Q devices in this kernel: c1 is vlan_peer.py on vm1's eth0"
	peer() { on vm1 python3 "$(dirname "$0")/vlan_peer.py" "$@"; }
	peer serve eth0 42 "$C1_MAC" "$C1_IP" "$T_DIR/c1.counts" &
	wait_for 10 test -s "$T_DIR/c1.counts" || { echo "FAIL: vlan_peer.py"; exit 1; }
fi
# c1_rx: frames that reached c1 (so arrived on vm1's eth0 tagged 42).
c1_rx() {
	if [ "$C1_KERNEL" = 1 ]; then
		on vm1 cat /sys/class/net/eth0.42/statistics/rx_packets
	else
		cut -d' ' -f1 "$T_DIR/c1.counts"
	fi
}
# c1_ping_vm2: c1 sends one echo request to vm2 (tagged 42) and gets the reply.
c1_ping_vm2() {
	if [ "$C1_KERNEL" = 1 ]; then
		on vm1 ping -c 1 -W 1 -I "$C1_IP" 10.0.0.12 >/dev/null 2>&1
	else
		peer ping eth0 42 "$C1_MAC" "$C1_IP" "$m2" 10.0.0.12
	fi
}

m1=$(mac_of vm1) m2=$(mac_of vm2)
nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
add_c1() { nb lsp-add sw0 c1 vm1 42 -- lsp-set-addresses c1 "$C1_MAC $C1_IP"; }
add_c1
# A child on a switch with no other local port: only its parent_port ties
# it to this chassis (the monitor conditions must bring it in).
nb ls-add sw1 -- lsp-add sw1 c2 vm1 43
nb --wait=sb sync
check_eq "northd gave c1 tag 42 and parent vm1" "42 vm1" \
	"$(ovn-sbctl --bare --columns=tag,parent_port find Port_Binding logical_port=c1 | xargs)"

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=127.0.0.1 --set dataplane.mode=ovn \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.vm2.devargs=net_af_packet1,iface=$(if_of vm2)" --set port.vm2.iface-id=vm2 ||
	exit 1
T_CLEANUP+=("kill $FERRYD_PID")

up_is() { [ "$(nb lsp-get-up "$1")" = "$2" ]; }
pb_chassis() {
	local u
	u=$(ovn-sbctl --bare --columns=chassis find Port_Binding logical_port="$1")
	[ -n "$u" ] && ovn-sbctl --bare --columns=name list Chassis "$u"
}
check "vm1 claimed and up" wait_for 20 up_is vm1 up
check "vm2 claimed and up" wait_for 20 up_is vm2 up
check "container port c1 claimed and up" wait_for 20 up_is c1 up
check_eq "c1 bound to hv1" hv1 "$(pb_chassis c1)"
check "container port c2 on another switch claimed and up" wait_for 20 up_is c2 up
nb --timeout=20 --wait=hv sync

pings() { on "$1" ping -c 1 -W 1 "${@:2}" >/dev/null 2>&1; }

rx0=$(c1_rx)
check "ping vm2 -> container c1" wait_for 10 pings vm2 "$C1_IP"
check "3 more pings vm2 -> c1, none lost" on vm2 ping -c 3 -i 0.2 -W 1 "$C1_IP"
rx1=$(c1_rx)
check "frames for c1 arrive tagged 42 on vm1's eth0 (c1 rx $rx0 -> $rx1)" \
	test $((rx1 - rx0)) -ge 4
check "ping container c1 -> vm2 (sent tagged 42)" wait_for 10 c1_ping_vm2
if [ "$C1_KERNEL" = 0 ]; then
	check_eq "nothing for c1's MAC arrived untagged or mis-tagged" 0 \
		"$(cut -d' ' -f2 "$T_DIR/c1.counts")"
fi

rx0=$(c1_rx)
check "ping vm2 -> vm1 (untagged parent) still works" wait_for 10 pings vm2 10.0.0.11
check "ping vm1 -> vm2 from the parent's own address" wait_for 10 pings vm1 -I 10.0.0.11 10.0.0.12
check_eq "vm1's traffic is not tagged 42 (c1 rx unchanged)" "$rx0" "$(c1_rx)"

nb lsp-del c1
unreachable() { ! on vm2 ping -c 1 -W 1 "$C1_IP" >/dev/null 2>&1; }
check "deleted c1 is unreachable" wait_for 10 unreachable
rx0=$(c1_rx)
on vm2 ping -c 2 -i 0.2 -W 1 "$C1_IP" >/dev/null 2>&1
check_eq "nothing tagged 42 reaches vm1 after c1 is deleted" "$rx0" "$(c1_rx)"
check "vm2 -> vm1 unaffected by c1's deletion" pings vm2 10.0.0.11

add_c1
check "c1 added again: claimed and up" wait_for 20 up_is c1 up
check "c1 reachable again" wait_for 10 pings vm2 "$C1_IP"
nb lsp-del vm1
no_chassis() { [ -z "$(ovn-sbctl --bare --columns=chassis find Port_Binding logical_port=$1)" ]; }
check "parent vm1 deleted: c1 released" wait_for 10 no_chassis c1
check "parent vm1 deleted: c1 down" wait_for 10 up_is c1 down
check "parent vm1 deleted: c2 released" wait_for 10 no_chassis c2

check "clean stop" ferryd_stop
t_done
