/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drop reasons: the one closed list of why the fast path let a packet go.
 *
 * Every drop is counted under exactly one of these names, per port and
 * globally. The list is an X-macro so that the enum, the names shown by
 * ferryctl and the help text cannot drift apart. Names are stable: they
 * appear in JSON output and scripts match on them, so rename nothing and
 * append new reasons at the end of their group.
 */
#ifndef FERRY_DP_DROP_H
#define FERRY_DP_DROP_H

/* X(ENUM, "name", "what happened") */
#define DROP_REASONS(X)                                                                            \
	X(ETH_TRUNC, "eth-truncated", "frame shorter than an Ethernet header")                     \
	X(VLAN_TRUNC, "vlan-truncated", "frame ends inside an 802.1Q/802.1ad tag")                 \
	X(VLAN_TOO_MANY, "vlan-too-many", "more than two VLAN tags")                               \
	X(ARP_TRUNC, "arp-truncated", "frame ends inside the ARP header")                          \
	X(ARP_BAD, "arp-unsupported", "ARP for other than Ethernet/IPv4")                          \
	X(IP4_TRUNC, "ip4-truncated", "frame ends inside the IPv4 header")                         \
	X(IP4_BAD_VERSION, "ip4-bad-version", "IPv4 ethertype but version is not 4")               \
	X(IP4_BAD_IHL, "ip4-bad-ihl", "IPv4 header length under 20 bytes")                         \
	X(IP4_BAD_LEN, "ip4-bad-length", "IPv4 total length disagrees with header or frame")       \
	X(IP6_TRUNC, "ip6-truncated", "frame ends inside the IPv6 header")                         \
	X(IP6_BAD_VERSION, "ip6-bad-version", "IPv6 ethertype but version is not 6")               \
	X(IP6_BAD_LEN, "ip6-bad-length", "IPv6 payload length exceeds the frame")                  \
	X(IP6_EXT_TRUNC, "ip6-ext-truncated", "IPv6 extension header runs past the packet")        \
	X(IP6_EXT_TOO_MANY, "ip6-ext-too-many", "more IPv6 extension headers than allowed")        \
	X(TCP_TRUNC, "tcp-truncated", "packet ends inside the TCP header")                         \
	X(TCP_BAD_OFFSET, "tcp-bad-offset", "TCP data offset under 5 or past the packet")          \
	X(UDP_TRUNC, "udp-truncated", "packet ends inside the UDP header")                         \
	X(UDP_BAD_LEN, "udp-bad-length", "UDP length under 8 or past the packet")                  \
	X(SCTP_TRUNC, "sctp-truncated", "packet ends inside the SCTP common header")               \
	X(ICMP4_TRUNC, "icmp4-truncated", "packet ends inside the ICMPv4 header")                  \
	X(ICMP6_TRUNC, "icmp6-truncated", "packet ends inside the ICMPv6 header")                  \
	X(ND_TRUNC, "nd-truncated", "neighbor discovery message shorter than its fixed part")      \
	X(ND_BAD_OPT, "nd-bad-option", "neighbor discovery option of length 0 or past the packet") \
	X(GENEVE_TRUNC, "geneve-truncated", "packet ends inside the Geneve header or options")     \
	X(GENEVE_BAD_VERSION, "geneve-bad-version", "Geneve version is not 0")                     \
	X(GENEVE_BAD_OPT, "geneve-bad-option", "Geneve option runs past the option area")          \
	X(GENEVE_BAD_OVN_OPT, "geneve-bad-ovn-option", "OVN metadata option is not 4 bytes")       \
	X(GENEVE_NOT_ETH, "geneve-not-ethernet", "Geneve payload is not Ethernet")                 \
	X(NO_PEER, "no-peer", "cross-connect peer port is absent")                                 \
	X(TX_FULL, "tx-full", "transmit queue did not take the packet")                            \
	X(PORT_STOPPING, "port-stopping", "packet arrived for a port being removed")               \
	X(PL_UNBOUND, "lport-unbound", "port (or VLAN tag) stands for no logical port bound here")  \
	X(PL_LFLOW_DROP, "lflow-drop", "a logical flow's drop action, or no output")               \
	X(PL_NO_MATCH, "lflow-no-match", "no logical flow matched in a logical table")             \
	X(PL_LOOP, "pipeline-loop", "resubmit or patch depth limit reached")                       \
	X(PL_LOOPBACK, "loopback", "outport is the inport and flags.loopback is not set")          \
	X(PL_NOT_EXEC, "action-not-executable", "a logical flow action the fast path cannot run yet") \
	X(PL_OUT_UNKNOWN, "outport-unknown", "outport names no port or multicast group")           \
	X(PL_OUT_REMOTE, "outport-remote", "outport is bound on another chassis (no tunnels yet)")  \
	X(PL_OUT_UNBOUND, "outport-unbound", "outport is bound nowhere, or has no local port")      \
	X(PL_OUT_LOCALNET, "outport-localnet", "outport is a localnet port (not supported yet)")    \
	X(PL_OUT_L2GW, "outport-l2gateway", "outport is an l2gateway port (not supported yet)")     \
	X(PL_OUT_EXTERNAL, "outport-external", "outport is an external port (not supported yet)")   \
	X(PL_OUT_CR, "outport-chassisredirect", "outport is a chassisredirect port (not supported yet)") \
	X(PL_OUT_OTHER, "outport-other", "outport has a type this version does not handle")       \
	X(PL_TOO_MANY, "too-many-copies", "more output copies than one packet may make")          \
	X(PL_NO_MBUF, "no-mbuf", "no packet buffer for a copy or a generated packet")             \
	X(PL_NO_PIPELINE, "no-pipeline", "mode ovn but no logical flows published yet")          \
	X(PL_PUNT_FULL, "punt-full", "the punt ring to the control thread was full")              \
	X(UL_NOT_OURS, "underlay-not-ours", "underlay frame not for our encap IP (nor ARP/ICMP for it)") \
	X(TUN_NO_UNDERLAY, "tunnel-no-underlay", "output to another chassis without an underlay port")  \
	X(TUN_UNRESOLVED, "tunnel-unresolved", "the peer's next hop MAC is not known yet (ARP sent)")    \
	X(TUN_NO_OPTION, "tunnel-no-ovn-option", "Geneve without OVN's metadata option")               \
	X(TUN_UNKNOWN_DP, "tunnel-unknown-datapath", "Geneve VNI names no datapath here")              \
	X(TUN_UNKNOWN_PORT, "tunnel-unknown-port", "Geneve egress port names no port of the datapath")  \
	X(TUN_NO_ROOM, "tunnel-no-headroom", "no room in the buffer for the outer headers")            \
	X(TUN_TOO_BIG, "tunnel-too-big", "inner packet over the overlay MTU (ICMP sent back when DF)") \
	X(UL_HOST_TX_FULL, "host-to-underlay-full", "the underlay did not take a frame from the host") \
	X(CT_UNAVAILABLE, "ct-unavailable", "a ct action without a connection tracker")       \
	X(CT_NAT_EXHAUSTED, "ct-nat-exhausted", "a new connection found no free translation") \
	X(PL_METER, "meter-drop", "over a logical flow's set_meter rate (QoS bandwidth limit)") \
	X(CT_FRAG_FIRST_MISSING, "frag-first-missing", "a later fragment whose first did not come within 1 s")

enum drop_reason {
	DROP_NONE = 0,
#define DROP_ENUM(e, name, help) DROP_##e,
	DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
	        DROP__MAX
};

/** @return the stable name of @p r ("eth-truncated"), or "none"/"unknown". */
const char *drop_reason_name(enum drop_reason r);

/** @return a one-line explanation of @p r. */
const char *drop_reason_help(enum drop_reason r);

#endif
