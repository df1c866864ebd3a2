/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow key: every header field the fast path may match on, extracted
 * once per packet by the parser (dataplane/parse/).
 *
 * Fields hold values in network byte order, exactly as they sit in the
 * packet, so that a key can be hashed and compared as plain bytes and a
 * compiled match (value, mask) is built the same way. Fields a packet does
 * not have are zero; a whole key is zeroed before parsing, so two packets of
 * the same flow give byte-identical keys.
 *
 * Overloaded fields follow the OVN/OVS convention, which the logical flow
 * compiler relies on:
 *   - ARP: nw_proto holds the opcode (low byte), ip4 src/dst hold spa/tpa,
 *     arp_sha/arp_tha hold sha/tha.
 *   - ICMPv4/ICMPv6: tp_src holds the type, tp_dst the code.
 *   - ND: nd_target holds the target address, arp_sha the source
 *     link-layer option (NS), arp_tha the target link-layer option (NA).
 *
 * For a Geneve packet (parsed with PARSE_F_TUNNEL on an underlay port) the
 * outer headers go to struct flow_tunnel and the key describes the inner
 * frame, as OVS and OVN treat a decapsulated packet.
 */
#ifndef FERRY_DP_FLOW_KEY_H
#define FERRY_DP_FLOW_KEY_H

#include <stdint.h>

#define FLOW_VLAN_MAX 2

/* flow_key.nw_frag */
#define FLOW_FRAG_ANY   0x01 /* packet is a fragment (first or later) */
#define FLOW_FRAG_LATER 0x02 /* fragment offset is not zero: no L4 header */

/* flow_key.flags */
#define FLOW_F_IP4     0x01
#define FLOW_F_IP6     0x02
#define FLOW_F_ARP     0x04
#define FLOW_F_L4      0x08 /* tp_src/tp_dst are valid (TCP, UDP, SCTP, ICMP) */
#define FLOW_F_ND      0x10 /* ICMPv6 neighbor solicitation or advertisement */
#define FLOW_F_IP4_OPT 0x20 /* IPv4 header carries options */
#define FLOW_F_TUNNEL  0x40 /* outer Geneve headers were stripped into flow_tunnel */

/* flow_tunnel.flags */
#define FLOW_TNL_F_IP6     0x01 /* outer header is IPv6 */
#define FLOW_TNL_F_OVN_OPT 0x02 /* OVN metadata option (class 0x0102 type 0x80) present */
#define FLOW_TNL_F_OAM     0x04 /* Geneve O bit */
#define FLOW_TNL_F_CRIT    0x08 /* Geneve C bit: a critical option is present */

/* Geneve constants from ovn-architecture(7). */
#define GENEVE_UDP_PORT      6081
#define GENEVE_OVN_OPT_CLASS 0x0102
#define GENEVE_OVN_OPT_TYPE  0x80
/* Egress port keys at and above this value name multicast groups. */
#define OVN_MCAST_KEY_MIN 32768

struct flow_tunnel {
	uint8_t src[16]; /* outer source address (IPv4 in the first 4 bytes) */
	uint8_t dst[16];
	uint32_t vni;     /* host order, 24 bits: Datapath_Binding.tunnel_key */
	uint16_t udp_src; /* host order */
	uint16_t ovn_in;  /* host order, 15 bits: logical ingress port key */
	uint16_t ovn_out; /* host order, 16 bits: logical egress port key */
	uint8_t opt_len;  /* bytes of Geneve options */
	uint8_t flags;    /* FLOW_TNL_F_* */
	uint8_t ttl;
	uint8_t tos;
};

struct flow_key {
	uint16_t in_port; /* DPDK port id the packet arrived on */
	uint8_t flags;    /* FLOW_F_* */
	uint8_t n_vlans;  /* tags present, outermost first */
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint16_t vlan_tpid[FLOW_VLAN_MAX]; /* network order: 0x8100, 0x88a8 */
	uint16_t vlan_tci[FLOW_VLAN_MAX];  /* network order */
	uint16_t eth_type;                 /* network order: innermost ethertype */

	uint8_t nw_proto;   /* IP protocol, or ARP opcode low byte */
	uint8_t nw_tos;     /* DSCP and ECN */
	uint8_t nw_ttl;     /* TTL or hop limit */
	uint8_t nw_frag;    /* FLOW_FRAG_* */
	uint32_t ip6_label; /* network order, 20 bits */
	uint8_t ip_src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t ip_dst[16];

	uint16_t tp_src;    /* network order; ICMP: type in the low byte */
	uint16_t tp_dst;    /* network order; ICMP: code in the low byte */
	uint16_t tcp_flags; /* network order, 12 bits */
	uint16_t pad;

	uint8_t arp_sha[6]; /* ARP sha, or ND source link-layer address */
	uint8_t arp_tha[6]; /* ARP tha, or ND target link-layer address */
	uint8_t nd_target[16];

	/* Where a decapsulated packet came from, set by the decapsulation
	 * path (zero from the parser): the flow cache keys on it. */
	uint32_t tun_vni;         /* host order: the datapath's tunnel key */
	uint16_t tun_in, tun_out; /* host order: the OVN option's port keys */
};

/* Where each layer starts in the frame, for actions that rewrite headers. */
struct flow_offsets {
	uint16_t l2; /* inner Ethernet header (0 unless tunnelled) */
	uint16_t l3; /* IPv4/IPv6/ARP header, 0 if none */
	uint16_t l4; /* TCP/UDP/SCTP/ICMP header, 0 if none */
	uint16_t l7; /* first byte after the L4 header, 0 if none */
};

#endif
