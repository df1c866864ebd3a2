#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interoperation (issue 8): a ferry chassis (hv1) and a stock chassis
# (hv2: ovn-controller with ovs-vswitchd's userspace datapath, in its own
# namespace, see tests/lib/stock-chassis.sh) on one underlay, against a
# real OVN central. Topology and checks in rig.sh. Proves, both ways:
#  - both chassis bind their ports and acknowledge ovn-nbctl --wait=hv;
#  - ping and TCP (1 MiB, byte for byte), IPv4 and IPv6, on one switch
#    and across the distributed router (each chassis routes what it sends);
#  - ARP from one chassis resolves an instance on the other;
#  - broadcast reaches every port of the switch on both chassis, unknown
#    unicast only the ports with addresses "unknown", once each;
#  - on the wire (dumpcap on hv1's underlay link, tshark to decode): VNI,
#    OVN's option (class 0x0102, type 0x80) with the port keys and the
#    multicast group keys, UDP 6081 with a good checksum, as the stock
#    chassis writes them too;
#  - a port moved between the chassis, hv2's encap IP changed, hv2
#    deleted and back: traffic follows within a second of the Southbound
#    database showing the change;
#  - stateful ACLs (allow-related) protect an instance on either chassis
#    alike: its connections out pass both ways, those in are dropped;
#  - switch load balancers translate on the client's chassis, whichever
#    kind it is, with three backends on the two chassis; a backend asking
#    its own VIP (hairpin) is answered by itself on either chassis;
#  - ferry's flow cache agreed with its pipeline on every hit.
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/../lib/stock-chassis.sh"
need_root
rig_need_tools
for t in ovn-controller "$OVS_VSWITCHD"; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

rig_start
check "stock chassis hv2 starts" stock_chassis_start hv2 192.168.100.2/24 || exit 1
ferry_vif vm1 10.0.0.11/24 fd00::11/64
ferry_vif vmu1 10.0.0.21/24
ferry_vif vm5a 10.0.0.15/24
stock_vif hv2 vm2 10.0.0.12/24 fd00::12/64
stock_vif hv2 vm4 10.0.1.14/24 fd00:0:0:1::14/64
stock_vif hv2 vmu2 10.0.0.22/24
stock_vif hv2 vm5b 10.0.0.15/24
stock_vsctl hv2 set Interface vm5b external_ids:iface-id=vm5
rig_topology
underlay_attach ul hv1
ferry_chassis hv1 192.168.100.1 -- vm1 vmu1 vm5a:vm5 || exit 1

# What the stock chassis does when hv2 changes.
hv2_set_encap() {
	local ns
	ns=$(stock_ns hv2)
	# The new address is a secondary one: it must survive the old one.
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.br-phy.promote_secondaries=1
	ip -n "$ns" addr add "$1/24" dev br-phy
	stock_vsctl hv2 set Open_vSwitch . "external_ids:ovn-encap-ip=$1"
	ip -n "$ns" addr del 192.168.100.2/24 dev br-phy
}
# hv2 dies (ovn-controller stopped as for a restart, leaving its rows)
# and an operator deletes its Chassis row.
hv2_delete() {
	stock_controller_stop hv2
	sb chassis-del hv2
}
hv2_return() { stock_controller_start hv2; }

rig_check_chassis
rig_check_traffic
rig_check_arp
rig_check_wire
rig_check_move
rig_check_encap_change
rig_check_delete
rig_check_acl
rig_check_lb
rig_check_cache hv1
check "hv1: clean stop" ferryd_stop_as hv1
t_done
