#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The logical pipelines byte for byte. Real OVN central (ovsdb-server,
# ovn-northd); ferryd in mode ovn with three net_pcap ports bound by
# iface-id: vm1 reads frames and writes what comes back to it, vm2 and vm3
# only write. Every frame that leaves is compared, byte for byte, with the
# frame datapath.py computes on its own (headers packed by hand, checksums
# from scratch). Proves:
#  (a) vm1 -> vm2 on one switch leaves every byte unchanged (UDP, TCP,
#      ICMP, TTL 1, a zero UDP checksum, a 1,042-byte frame);
#  (b) vm1 -> vm3 across lr0: eth.src = lr0-sw1's MAC, eth.dst = vm3's,
#      TTL - 1, the IPv4 checksum recomputed, UDP/TCP checksums still right
#      (a zero UDP checksum stays zero; TOS, identification kept);
#  (c) ping to both router IPs comes back to vm1 as an echo reply,
#      addresses swapped, ICMP checksum right;
#  (d) ARP for vm2 (the switch's ARP responder) and for the router port
#      come back to vm1 as correct replies;
#  (e) TTL 1 across the router comes back to vm1 as ICMP time exceeded
#      quoting the original datagram, checksums right;
#  (f) spoofed source IP or MAC from vm1 (port security) produce nothing on
#      any port, and `ferryctl --json lflow drops' counts exactly those
#      packets against northd's port security drop flow;
#  and nothing else leaves any port, and nothing else is dropped.
#
# vm1's frames come from a pcap, written to the wire of a veth that vm1's
# port captures (net_pcap rx_iface_in): the test sends them only once the
# bindings are published. An rx_pcap port would read its whole file as
# soon as it is started, before its own logical port is claimed and in the
# snapshot, and every frame would be dropped as lport-unbound.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
HERE=$(dirname "$0")
frames() { python3 "$HERE/datapath.py" "$@"; }

ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")
nb() { ovn-nbctl --timeout=10 "$@"; }

nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router -- lsp-set-addresses sw$s-lr0 router \
		-- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
# The addresses datapath.py assumes.
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:01 10.0.0.11" \
	-- lsp-set-port-security vm1 "50:54:00:00:00:01 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:02 10.0.0.12" \
	-- lsp-set-port-security vm2 "50:54:00:00:00:02 10.0.0.12"
nb lsp-add sw1 vm3 -- lsp-set-addresses vm3 "50:54:00:00:00:03 10.0.1.13"
nb --wait=sb sync
frames gen "$T_DIR" || exit 1

# The wire into vm1's port: a veth whose far end sits alone in a namespace,
# with IPv6 off on both ends so that the kernel sends nothing of its own.
wire="f${T_ID}in"
ip netns add "$wire" || exit 1
T_NETNS+=("$wire")
ip link add "$wire" type veth peer name eth0 netns "$wire" || exit 1
T_LINKS+=("$wire")
sysctl -qw "net.ipv6.conf.$wire.disable_ipv6=1"
ip netns exec "$wire" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip link set "$wire" up
ip -n "$wire" link set eth0 up

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=127.0.0.1 --set dataplane.mode=ovn --hugepages off \
	--set "port.vm1.devargs=net_pcap0,rx_iface_in=$wire,tx_pcap=$T_DIR/out-vm1.pcap" \
	--set port.vm1.iface-id=vm1 \
	--set "port.vm2.devargs=net_pcap1,tx_pcap=$T_DIR/out-vm2.pcap" --set port.vm2.iface-id=vm2 \
	--set "port.vm3.devargs=net_pcap2,tx_pcap=$T_DIR/out-vm3.pcap" --set port.vm3.iface-id=vm3 ||
	exit 1
T_CLEANUP+=("kill $FERRYD_PID")

bound() {
	[ "$(fctl --json pipeline show |
		json '" ".join(sorted(p["name"] for d in j["datapaths"] for p in d["ports"] if "dpdk_port" in p))')" = "vm1 vm2 vm3" ]
}
check "vm1, vm2, vm3 bound to local ports in the published snapshot" wait_for 20 bound
check "northd sees the chassis done (--wait=hv)" nb --timeout=20 --wait=hv sync

exp() { json "$1" <"$T_DIR/expect.json"; }
n_in=$(exp 'j["frames"]')
counter() { fctl --json counters "$1" | json "j['ports']['$1']['$2']"; }
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }
check "send $n_in frames on vm1's wire" ip netns exec "$wire" python3 "$HERE/datapath.py" send "$T_DIR" eth0
check "vm1 received all $n_in" wait_for 10 counter_is vm1 rx_packets "$n_in"
for p in vm1 vm2 vm3; do
	n=$(exp "len(j['$p'])")
	check "$p transmitted $n" wait_for 10 counter_is "$p" tx_packets "$n"
done
n_spoofed=$(exp 'j["spoofed"]')
check_eq "vm1 drops: the spoofed frames, nothing else" "lflow-drop=$n_spoofed" \
	"$(fctl --json counters vm1 | json "' '.join(f'{k}={v}' for k, v in sorted(j['ports']['vm1']['drops'].items()))")"
# northd 23.03 drops what check_in_port_sec() failed in ls_in_apply_port_sec.
check_eq "lflow drops: the port security flow counts the spoofed frames" "$n_spoofed" \
	"$(fctl --json lflow drops 100 | json 'sum(r["packets"] for r in j if r["lflow"] and r["pipeline"] == "ingress" and r["match"] == "reg0[15] == 1")')"
check_eq "lflow drops: counted on sw0, where they were dropped (the flow is shared by a datapath group)" "sw0" \
	"$(fctl --json lflow drops 100 | json '",".join(sorted({r["datapath"] for r in j if r["lflow"] and r["match"] == "reg0[15] == 1" and r["packets"]}))')"

# Closing the pcap ports flushes what they wrote.
check "clean stop" ferryd_stop
check "every frame out is the one expected, byte for byte" frames check "$T_DIR"
t_done
