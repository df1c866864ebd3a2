#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two ferry chassis (issue 8): hv1 and hv2, each a ferryd of its own, on
# one underlay, against a real OVN central. Topology and checks in
# rig.sh, the same as interop.sh runs against a stock chassis. Proves,
# both ways:
#  - both chassis bind their ports and acknowledge ovn-nbctl --wait=hv;
#  - ping and TCP (1 MiB, byte for byte), IPv4 and IPv6, on one switch
#    and across the distributed router;
#  - ARP from one chassis resolves an instance on the other;
#  - broadcast reaches every port of the switch on both chassis, unknown
#    unicast only the ports with addresses "unknown", once each;
#  - on the wire (dumpcap on hv1's underlay link, tshark to decode): VNI,
#    OVN's option (class 0x0102, type 0x80) with the port keys and the
#    multicast group keys, UDP 6081 with a good checksum;
#  - a port moved between the chassis, hv2 restarted with another encap
#    IP, hv2 leaving (exit --cleanup) and back: traffic follows within a second of the
#    Southbound database showing the change;
#  - each ferry's flow cache agreed with its pipeline on every hit.
. "$(dirname "$0")/rig.sh"
need_root
rig_need_tools

rig_start
ferry_vif vm1 10.0.0.11/24 fd00::11/64
ferry_vif vmu1 10.0.0.21/24
ferry_vif vm5a 10.0.0.15/24
ferry_vif vm2 10.0.0.12/24 fd00::12/64
ferry_vif vm4 10.0.1.14/24 fd00:0:0:1::14/64
ferry_vif vmu2 10.0.0.22/24
ferry_vif vm5b 10.0.0.15/24
rig_topology
underlay_attach ul hv1
underlay_attach ul hv2
HV2_PORTS=(vm2 vm4 vmu2 vm5b:vm5)
HV2_ENCAP=192.168.100.2
ferry_chassis hv1 192.168.100.1 -- vm1 vmu1 vm5a:vm5 || exit 1
ferry_chassis hv2 $HV2_ENCAP -- "${HV2_PORTS[@]}" || exit 1

# hv2's encap IP changes: ferryd restarts with the new one.
hv2_set_encap() {
	HV2_ENCAP=$1
	ferryd_stop_as hv2
	ferry_chassis hv2 "$HV2_ENCAP" -- "${HV2_PORTS[@]}"
}
# hv2 leaves: ferryctl exit --cleanup releases its ports and deletes its
# Chassis row on the way out.
hv2_delete() {
	local pid rc
	pid=$(ferryd_pid_of hv2)
	fctl_of hv2 exit --cleanup >/dev/null || return 1
	wait "$pid"
	rc=$?
	unset "FERRYD_PIDS[hv2]"
	return $rc
}
hv2_return() { ferry_chassis hv2 "$HV2_ENCAP" -- "${HV2_PORTS[@]}"; }

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
rig_check_cache hv2
check "hv1: clean stop" ferryd_stop_as hv1
check "hv2: clean stop" ferryd_stop_as hv2
t_done
