/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled logical flows: what the control plane's logical flow compiler
 * (control/lflow/) hands to the fast path.
 *
 * A logical flow's match compiles to a few conjunctions; each conjunction is
 * a list of atoms over the fields below. An atom is either a masked equality
 * (field & mask == value) or a membership test in a named set (address set,
 * port group, literal value set) that the fast path keeps as a hash set or an
 * LPM table, so that sets never multiply into cross products.
 *
 * Values are 128-bit integers in host order, the field's most significant bit
 * first, whatever the field's width: the fast path loads a field from struct
 * flow_key (network order) or from struct lflow_meta into a struct lflow_u128
 * before comparing. This keeps one comparison routine for every width.
 *
 * An action program is a byte array of instructions, each a struct lflow_insn
 * header followed by operands, 8-byte aligned. Nested actions (clone, arp,
 * ct_commit...) are sub-programs inline after their header, so that an
 * interpreter can enter or skip them without any parsing.
 */
#ifndef FERRY_DP_LFLOW_PROG_H
#define FERRY_DP_LFLOW_PROG_H

#include <stdbool.h>
#include <stdint.h>

struct lflow_u128 {
	uint64_t hi, lo;
};

/* Logical metadata carried with a packet through the logical pipelines. */
#define LFLOW_N_REGS 10
struct lflow_meta {
	uint32_t datapath; /* Datapath_Binding.tunnel_key */
	uint32_t inport;   /* Port_Binding.tunnel_key */
	uint32_t outport;  /* Port_Binding or Multicast_Group tunnel_key */
	uint32_t flags;    /* LFLOW_MF_* as OVN numbers them (flags.loopback...) */
	uint32_t reg[LFLOW_N_REGS];
	uint32_t ct_mark;
	uint8_t ct_state; /* LFLOW_CS_* */
	uint8_t pad[3];
	uint32_t pkt_mark;
	struct lflow_u128 ct_label;
};

/* ct_state bits, numbered as OVN's ct.* subfields use them. */
#define LFLOW_CS_NEW  0x01
#define LFLOW_CS_EST  0x02
#define LFLOW_CS_REL  0x04
#define LFLOW_CS_RPL  0x08
#define LFLOW_CS_INV  0x10
#define LFLOW_CS_TRK  0x20
#define LFLOW_CS_SNAT 0x40
#define LFLOW_CS_DNAT 0x80

/*
 * Physical fields: X(ENUM, name, width in bits, display format).
 * Formats: D decimal, H hex, E Ethernet, 4 IPv4, 6 IPv6, S string (port).
 * Fields sharing a flow_key member (tcp.src, udp.src, icmp4.type all live in
 * tp_src) stay distinct here; their prerequisites keep them apart.
 */
#define LFLOW_FIELDS(X)                              \
	X(INPORT, "inport", 32, 'S')                 \
	X(OUTPORT, "outport", 32, 'S')               \
	X(REG0, "reg0", 32, 'H')                     \
	X(REG1, "reg1", 32, 'H')                     \
	X(REG2, "reg2", 32, 'H')                     \
	X(REG3, "reg3", 32, 'H')                     \
	X(REG4, "reg4", 32, 'H')                     \
	X(REG5, "reg5", 32, 'H')                     \
	X(REG6, "reg6", 32, 'H')                     \
	X(REG7, "reg7", 32, 'H')                     \
	X(REG8, "reg8", 32, 'H')                     \
	X(REG9, "reg9", 32, 'H')                     \
	X(FLAGS, "flags", 32, 'H')                   \
	X(CT_STATE, "ct_state", 8, 'H')              \
	X(CT_MARK, "ct_mark", 32, 'H')               \
	X(CT_LABEL, "ct_label", 128, 'H')            \
	X(PKT_MARK, "pkt.mark", 32, 'H')             \
	X(ETH_SRC, "eth.src", 48, 'E')               \
	X(ETH_DST, "eth.dst", 48, 'E')               \
	X(ETH_TYPE, "eth.type", 16, 'H')             \
	X(VLAN_TCI, "vlan.tci", 16, 'H')             \
	X(IP_PROTO, "ip.proto", 8, 'D')              \
	X(IP_DSCP, "ip.dscp", 6, 'D')                \
	X(IP_ECN, "ip.ecn", 2, 'D')                  \
	X(IP_TTL, "ip.ttl", 8, 'D')                  \
	X(IP_FRAG, "ip.frag", 2, 'D')                \
	X(IP4_SRC, "ip4.src", 32, '4')               \
	X(IP4_DST, "ip4.dst", 32, '4')               \
	X(IP6_SRC, "ip6.src", 128, '6')              \
	X(IP6_DST, "ip6.dst", 128, '6')              \
	X(IP6_LABEL, "ip6.label", 20, 'H')           \
	X(ARP_OP, "arp.op", 16, 'D')                 \
	X(ARP_SPA, "arp.spa", 32, '4')               \
	X(ARP_TPA, "arp.tpa", 32, '4')               \
	X(ARP_SHA, "arp.sha", 48, 'E')               \
	X(ARP_THA, "arp.tha", 48, 'E')               \
	X(TCP_SRC, "tcp.src", 16, 'D')               \
	X(TCP_DST, "tcp.dst", 16, 'D')               \
	X(TCP_FLAGS, "tcp.flags", 12, 'H')           \
	X(UDP_SRC, "udp.src", 16, 'D')               \
	X(UDP_DST, "udp.dst", 16, 'D')               \
	X(SCTP_SRC, "sctp.src", 16, 'D')             \
	X(SCTP_DST, "sctp.dst", 16, 'D')             \
	X(ICMP4_TYPE, "icmp4.type", 8, 'D')          \
	X(ICMP4_CODE, "icmp4.code", 8, 'D')          \
	X(ICMP6_TYPE, "icmp6.type", 8, 'D')          \
	X(ICMP6_CODE, "icmp6.code", 8, 'D')          \
	X(ND_TARGET, "nd.target", 128, '6')          \
	X(ND_SLL, "nd.sll", 48, 'E')                 \
	X(ND_TLL, "nd.tll", 48, 'E')                 \
	X(ICMP4_FRAG_MTU, "icmp4.frag_mtu", 16, 'D') \
	X(ICMP6_FRAG_MTU, "icmp6.frag_mtu", 32, 'D')

enum lflow_field {
#define LFLOW_FIELD_ENUM(E, N, W, F) LFLOW_F_##E,
	LFLOW_FIELDS(LFLOW_FIELD_ENUM)
#undef LFLOW_FIELD_ENUM
	        LFLOW_F_N
};

/* Match atoms. */
enum lflow_atom_kind {
	LFLOW_ATOM_EQ = 0,  /* (field & mask) == value */
	LFLOW_ATOM_IN_SET,  /* field is in set set_id */
	LFLOW_ATOM_NOT_SET, /* field is not in set set_id */
	LFLOW_ATOM_NE,      /* (field & mask) != value: `inport != "p"' */
};

struct lflow_atom {
	uint16_t field; /* enum lflow_field */
	uint8_t kind;   /* enum lflow_atom_kind */
	uint8_t pad;
	uint32_t set_id; /* IN_SET/NOT_SET: index in the compiled set table */
	struct lflow_u128 value;
	struct lflow_u128 mask;
};

/*
 * Every action, once: X(ENUM, "name", executable now). The compiler expands
 * this list into its parser, formatter and encoder; opcode values are the
 * enum below, so the list order is part of the program format.
 */
#define LFLOW_ACTIONS(X)                                       \
	X(OUTPUT, "output", true)                              \
	X(NEXT, "next", true)                                  \
	X(DROP, "drop", true)                                  \
	X(LOAD, "load", true)                                  \
	X(MOVE, "move", true)                                  \
	X(EXCHANGE, "exchange", true)                          \
	X(PUSH, "push", true)                                  \
	X(POP, "pop", true)                                    \
	X(DEC_TTL, "ip.ttl--", true)                           \
	X(CLONE, "clone", true)                                \
	X(CT_NEXT, "ct_next", true)                            \
	X(CT_COMMIT, "ct_commit", true)                        \
	X(CT_COMMIT_NAT, "ct_commit_nat", true)                \
	X(CT_DNAT, "ct_dnat", true)                            \
	X(CT_SNAT, "ct_snat", true)                            \
	X(CT_DNAT_IN_CZONE, "ct_dnat_in_czone", true)          \
	X(CT_SNAT_IN_CZONE, "ct_snat_in_czone", true)          \
	X(CT_LB, "ct_lb", true)                                \
	X(CT_LB_MARK, "ct_lb_mark", true)                      \
	X(CT_CLEAR, "ct_clear", true)                          \
	X(CT_SNAT_TO_VIP, "ct_snat_to_vip", true)              \
	X(SELECT, "select", true)                              \
	X(ARP, "arp", true)                                   \
	X(ND_NS, "nd_ns", true)                               \
	X(ND_NA, "nd_na", true)                               \
	X(ND_NA_ROUTER, "nd_na_router", true)                 \
	X(ICMP4, "icmp4", true)                               \
	X(ICMP4_ERROR, "icmp4_error", true)                   \
	X(ICMP6, "icmp6", true)                               \
	X(ICMP6_ERROR, "icmp6_error", true)                   \
	X(IGMP, "igmp", false)                                 \
	X(TCP_RESET, "tcp_reset", true)                        \
	X(SCTP_ABORT, "sctp_abort", true)                      \
	X(REJECT, "reject", true)                              \
	X(GET_ARP, "get_arp", true)                           \
	X(PUT_ARP, "put_arp", true)                           \
	X(LOOKUP_ARP, "lookup_arp", true)                     \
	X(LOOKUP_ARP_IP, "lookup_arp_ip", true)               \
	X(GET_ND, "get_nd", true)                             \
	X(PUT_ND, "put_nd", true)                             \
	X(LOOKUP_ND, "lookup_nd", true)                       \
	X(LOOKUP_ND_IP, "lookup_nd_ip", true)                 \
	X(PUT_DHCP_OPTS, "put_dhcp_opts", false)               \
	X(PUT_DHCPV6_OPTS, "put_dhcpv6_opts", false)           \
	X(DNS_LOOKUP, "dns_lookup", false)                     \
	X(PUT_ND_RA_OPTS, "put_nd_ra_opts", false)             \
	X(HANDLE_DHCPV6_REPLY, "handle_dhcpv6_reply", false)   \
	X(SET_QUEUE, "set_queue", false)                       \
	X(LOG, "log", true)                                    \
	X(SET_METER, "set_meter", true)                        \
	X(CHECK_PKT_LARGER, "check_pkt_larger", true)         \
	X(TRIGGER_EVENT, "trigger_event", false)               \
	X(BIND_VPORT, "bind_vport", true)                      \
	X(HANDLE_SVC_CHECK, "handle_svc_check", false)         \
	X(HANDLE_BFD_MSG, "handle_bfd_msg", false)             \
	X(FWD_GROUP, "fwd_group", false)                       \
	X(CHK_LB_HAIRPIN, "chk_lb_hairpin", true)              \
	X(CHK_LB_HAIRPIN_REPLY, "chk_lb_hairpin_reply", true)  \
	X(PUT_FDB, "put_fdb", true)                           \
	X(GET_FDB, "get_fdb", true)                           \
	X(LOOKUP_FDB, "lookup_fdb", true)                     \
	X(CHECK_IN_PORT_SEC, "check_in_port_sec", true)       \
	X(CHECK_OUT_PORT_SEC, "check_out_port_sec", true)     \
	X(COMMIT_ECMP_NH, "commit_ecmp_nh", false)             \
	X(CHK_ECMP_NH_MAC, "chk_ecmp_nh_mac", false)           \
	X(CHK_ECMP_NH, "chk_ecmp_nh", false)                   \
	X(COMMIT_LB_AFF, "commit_lb_aff", true)                \
	X(CHK_LB_AFF, "chk_lb_aff", true)                      \
	X(SAMPLE, "sample", false)

enum lflow_op {
#define LFLOW_OP_ENUM(E, N, X) LFLOW_OP_##E,
	LFLOW_ACTIONS(LFLOW_OP_ENUM)
#undef LFLOW_OP_ENUM
	        LFLOW_OP_N
};

/*
 * One instruction: header, then (len - 1) 8-byte words of operands.
 *   flags & LFLOW_INSN_PUNT: the fast path cannot run this action yet; it
 *   counts it and hands the packet to the control plane (or drops it with a
 *   named reason when there is no handler).
 *   flags & LFLOW_INSN_NESTED: the last n_nested words are a sub-program.
 */
#define LFLOW_INSN_PUNT   0x01
#define LFLOW_INSN_NESTED 0x02

struct lflow_insn {
	uint8_t op;    /* enum lflow_op */
	uint8_t flags; /* LFLOW_INSN_* */
	uint16_t len;  /* total length in 8-byte words, header included */
	uint32_t arg;  /* small operand: next table, output group... */
};

/*
 * A field reference in operands: field id, first bit (from the least
 * significant end) and bit count. The registers overlay as OVN defines
 * (xxreg0 is reg0..reg3 with reg0 most significant; xreg4 is reg8:reg9): a
 * reference based on LFLOW_F_REGn may run past bit 31, and bit b then lives
 * in register n - b / 32, bit b % 32. xxreg0 is (REG3, 0, 128).
 */
struct lflow_fref {
	uint16_t field;
	uint8_t ofs;
	uint8_t n_bits; /* 1..128 */
};

/* log(): the first operand word (see the encoder). Severities count from
 * alert (0) to debug (4), as OVN names them. */
#define LFLOW_LOG_VERDICT_ALLOW  0
#define LFLOW_LOG_VERDICT_DROP   1
#define LFLOW_LOG_VERDICT_REJECT 2
#define LFLOW_LOG_NAME_MAX       63

/* ct_lb(backends=...): the first operand word's flags (bits 16-31) and
 * hash fields (bits 32 on); no hash fields: the 5-tuple. */
#define LFLOW_LB_IP6          0x1
#define LFLOW_LB_SKIP_SNAT    0x2
#define LFLOW_LB_FORCE_SNAT   0x4
#define LFLOW_LB_HASH_ETH_SRC 0x01
#define LFLOW_LB_HASH_ETH_DST 0x02
#define LFLOW_LB_HASH_IP_SRC  0x04
#define LFLOW_LB_HASH_IP_DST  0x08
#define LFLOW_LB_HASH_TP_SRC  0x10
#define LFLOW_LB_HASH_TP_DST  0x20
#define LFLOW_LB_HASH_PROTO   0x40

/* Table shapes: the lookup each logical table compiles to. */
enum lflow_shape {
	LFLOW_SHAPE_EMPTY = 0,
	LFLOW_SHAPE_EXACT, /* one hash on one field set, full masks */
	LFLOW_SHAPE_LPM,   /* longest prefix on one field */
	LFLOW_SHAPE_TUPLE, /* tuple-space search, a hash per mask, priority order */
};

#endif
