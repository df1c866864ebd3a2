# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: the data-plane scenarios, one function each.
# A scenario says which logical ports the source (net_pcap, infinite_rx)
# and the sink (net_null, no-rx) are bound as ("underlay" for the
# underlay port), which pcap it replays (topology.sh writes them), and
# how each switch proves the packets went through the OVN pipeline:
#
#   S_SRC, S_DST     logical port names, or "underlay"
#   S_PCAP           the pcap's kind for topo_pcap
#   S_TUNNEL         ferry: hv2's tunnel counter that must grow (tx_packets
#                    for encap, rx_packets for decap), or empty
#   S_OVS_ACTIONS    OVS: extended regexes that must each match the
#                    actions of a datapath flow that has carried packets
#                    (flows printed with port names)
#   S_TITLE          its name in the table and the JSON
#   S_CT             true: the path runs through conntrack; ferry's proof
#                    adds connections in its table, and its table is sized
#                    for the flows (two zones each)
#   S_FLOWS, S_SIZES "all": run with every flow count (--flows) or frame
#                    size (--sizes); "first": with the first only; for
#                    S_FLOWS, a number: that many flows, whatever --flows
#   S_REPLY          the pcap's kind that the sink's port replays too
#                    (net_pcap, infinite_rx, its transmit dropped): the
#                    flows' replies, so that traffic runs both ways and
#                    the sink is both ports; empty: one way
#   S_FEED           true: the source is a memif port that feed.sh fills
#                    once with the pcap, after the switch is ready, and
#                    the run measures that one pass, not a window
#
# Adding a scenario (conntrack, NAT, load balancers): a case here that
# sets these, its ports and rows in topology.sh (topo_build) and its
# frames in topo_pcap, and its name in SCENARIOS_ALL (the order of the
# table). Nothing else in the harness knows the scenarios.

# shellcheck disable=SC2034 # read by compare.sh
SCENARIOS_ALL=(switch router encap decap acl acl-est acl-new)

# shellcheck disable=SC2034 # S_* are read by compare.sh
scenario() {
	local vni opt
	S_TUNNEL='' S_OVS_ACTIONS=() S_FLOWS=first S_SIZES=first S_CT=false S_REPLY='' S_FEED=false
	vni=$(printf '0x%x' "${DP_KEY:-0}")
	case $1 in
	switch) # 1: vif to vif on one logical switch, vm1's port security on
		S_TITLE="1 vif to vif, one switch" S_SRC=vm1 S_DST=vm2 S_PCAP=switch
		S_FLOWS=all S_SIZES=all
		S_OVS_ACTIONS=("in_port\\(in\\),.*eth\\(src=$M1,dst=$M2\\).*actions:out\$") ;;
	router) # 2: vif to vif across the distributed router lr0
		S_TITLE="2 vif to vif, across lr0" S_SRC=vm1 S_DST=vm3 S_PCAP=router
		S_FLOWS=all
		# Routed: both MACs rewritten, TTL decremented, out to vm3.
		S_OVS_ACTIONS=("in_port\\(in\\),.*actions:set\\(eth\\(src=00:00:00:00:ff:02,dst=$M3\\)\\),set\\(ipv4\\(ttl=63\\)\\),out\$") ;;
	encap) # 3: vif to vm4 on hv2: Geneve out of the underlay
		S_TITLE="3 Geneve encap, vif to hv2" S_SRC=vm1 S_DST=underlay S_PCAP=encap
		S_TUNNEL=tx_packets
		# OVN's option: ingress port vm1, egress port vm4.
		opt=$(printf '0x%x' $(((${K1:-0} << 16) | ${K4:-0})))
		S_OVS_ACTIONS=("in_port\\(in\\),.*actions:tnl_push\\(tnl_port\\(genev_sys_6081\\),header\\(.*eth\\(dst=$HV2_MAC,src=$UL_MAC,.*ipv4\\(src=$ENCAP_IP,dst=$HV2_IP,.*udp\\(src=0,dst=6081,.*geneve\\(.*vni=$vni,options\\(\\{class=0x102,type=0x80,len=4,$opt\\}\\)\\)\\),out_port\\(br-phy\\)\\),ul\$") ;;
	decap) # 4: Geneve from vm4 on hv2 into the underlay, to vif vm1
		S_TITLE="4 Geneve decap, hv2 to vif" S_SRC=underlay S_DST=vm1 S_PCAP=decap
		S_TUNNEL=rx_packets
		# Popped, then the inner frame, matched on sw0's tunnel key and
		# OVN's option (ingress vm4, egress vm1), out to vm1.
		opt=$(printf '0x%x' $(((${K4:-0} << 16) | ${K1:-0})))
		S_OVS_ACTIONS=("in_port\\(ul\\),.*actions:tnl_pop\\(genev_sys_6081\\)\$"
			"^tunnel\\(tun_id=$vni,src=$HV2_IP,dst=$ENCAP_IP,geneve\\(\\{class=0x102,type=0x80,len=4,$opt/0x7fffffff\\}\\).*in_port\\(genev_sys_6081\\).*actions:out\$") ;;
	acl) # 5: scenario 1 with an allow-related ACL on the source port (sw2)
		# Every packet is tracked in vm5's zone (ingress) and vm6's
		# (egress) and committed in both: the source sends one way, so
		# each flow is a committed, unreplied UDP connection.
		S_TITLE="5 allow-related ACL, one switch" S_SRC=vm5 S_DST=vm6 S_PCAP=acl
		S_FLOWS=all S_CT=true
		S_OVS_ACTIONS=("in_port\\(in\\),.*actions:ct\\(zone=[0-9]+\\),recirc"
			"actions:ct\\(commit,zone=[0-9]+.*\\),out\$") ;;
	acl-est) # 5 established: scenario 5 with each flow's replies
		# vm6 replays the replies as vm5 replays the flows, so that every
		# connection has seen both ways in both zones (vm5's egress lets
		# a reply through only as ct.est && ct.rpl: the drop ACL) and
		# no packet commits. Proven per connection before the window.
		S_TITLE="5 allow-related ACL, established (both ways)" S_SRC=vm5 S_DST=vm6
		S_PCAP=acl S_REPLY=acl-reply S_FLOWS=all S_CT=true
		S_OVS_ACTIONS=("ct_state\\([^)]*\\+est[^)]*\\).*in_port\\(in\\),.*actions:out\$"
			"ct_state\\([^)]*\\+est[^)]*\\).*in_port\\(out\\),.*actions:in\$") ;;
	acl-new) # 5 new connections: distinct TCP SYNs through scenario 5
		# A finite pcap of $ACL_SYNS SYNs, each a new connection in both
		# zones, fed once through a memif port after the switch is ready;
		# the cost is the forwarding core's busy cycles over that pass.
		S_TITLE="5 allow-related ACL, new TCP connections" S_SRC=vm5 S_DST=vm6
		S_PCAP=acl-syn S_FEED=true S_FLOWS=$ACL_SYNS S_CT=true
		S_OVS_ACTIONS=("actions:ct\\(commit,zone=[0-9]+.*\\),out\$") ;;
	control) # 7: the control plane, measured by control.sh
		S_TITLE="7 control plane" ;;
	*) echo "unknown scenario: $1" >&2; return 1 ;;
	esac
}
