/* SPDX-License-Identifier: Apache-2.0 */
#include "symtab.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/api/lflow_prog.h"

/* F: field, N: nominal field, S: string, P: predicate, O: OVN field.
 * Nominal fields are those whose OpenFlow field takes no mask, as in
 * ovn-controller: only == (after negation) and no partial bit selection. */
#define F(name, fld, ofs, w, rw, pre)                                           \
	{                                                                       \
		name, SYM_FIELD, LFLOW_F_##fld, ofs, w, false, rw, pre, NULL, 0 \
	}
#define N(name, fld, w, pre)                                                    \
	{                                                                       \
		name, SYM_FIELD, LFLOW_F_##fld, 0, w, true, false, pre, NULL, 0 \
	}
/* NW: nominal (the OpenFlow field takes no mask) but writable. */
#define NW(name, fld, w, pre)                                                  \
	{                                                                      \
		name, SYM_FIELD, LFLOW_F_##fld, 0, w, true, true, pre, NULL, 0 \
	}
#define S(name, fld)                                                              \
	{                                                                         \
		name, SYM_STRING, LFLOW_F_##fld, 0, 32, true, true, NULL, NULL, 0 \
	}
#define P(name, exp)                                                     \
	{                                                                \
		name, SYM_PREDICATE, 0, 0, 1, false, false, NULL, exp, 0 \
	}
#define O(name, fld, w, pre)                                                        \
	{                                                                           \
		name, SYM_OVN_FIELD, LFLOW_F_##fld, 0, w, false, true, pre, NULL, 0 \
	}

static struct lf_symbol symbols[] = {
        S("inport", INPORT),
        S("outport", OUTPORT),
        /* Registers: xxreg0 = reg0..reg3 with reg0 most significant; xreg0 =
         * reg0:reg1; xreg4 = reg8:reg9. Overlays use the lowest register as base. */
        F("xxreg0", REG3, 0, 128, true, NULL),
        F("xxreg1", REG7, 0, 128, true, NULL),
        F("xreg0", REG1, 0, 64, true, NULL),
        F("xreg1", REG3, 0, 64, true, NULL),
        F("xreg2", REG5, 0, 64, true, NULL),
        F("xreg3", REG7, 0, 64, true, NULL),
        F("xreg4", REG9, 0, 64, true, NULL),
        F("reg0", REG0, 0, 32, true, NULL),
        F("reg1", REG1, 0, 32, true, NULL),
        F("reg2", REG2, 0, 32, true, NULL),
        F("reg3", REG3, 0, 32, true, NULL),
        F("reg4", REG4, 0, 32, true, NULL),
        F("reg5", REG5, 0, 32, true, NULL),
        F("reg6", REG6, 0, 32, true, NULL),
        F("reg7", REG7, 0, 32, true, NULL),
        F("reg8", REG8, 0, 32, true, NULL),
        F("reg9", REG9, 0, 32, true, NULL),
        F("flags", FLAGS, 0, 32, true, NULL),
        F("flags.loopback", FLAGS, 0, 1, true, NULL),
        F("flags.force_snat_for_dnat", FLAGS, 2, 1, true, NULL),
        F("flags.force_snat_for_lb", FLAGS, 3, 1, true, NULL),
        F("flags.skip_snat_for_lb", FLAGS, 9, 1, true, NULL),
        F("flags.use_snat_zone", FLAGS, 11, 1, true, NULL),
        F("flags.localnet", FLAGS, 15, 1, true, NULL),
        F("flags.from_ctrl", FLAGS, 16, 1, true, NULL),
        F("pkt.mark", PKT_MARK, 0, 32, true, NULL),
        /* Connection tracking. */
        F("ct_state", CT_STATE, 0, 8, false, NULL),
        F("ct.new", CT_STATE, 0, 1, false, "ct.trk"),
        F("ct.est", CT_STATE, 1, 1, false, "ct.trk"),
        F("ct.rel", CT_STATE, 2, 1, false, "ct.trk"),
        F("ct.rpl", CT_STATE, 3, 1, false, "ct.trk"),
        F("ct.inv", CT_STATE, 4, 1, false, "ct.trk"),
        F("ct.trk", CT_STATE, 5, 1, false, NULL),
        F("ct.snat", CT_STATE, 6, 1, false, "ct.trk"),
        F("ct.dnat", CT_STATE, 7, 1, false, "ct.trk"),
        F("ct_mark", CT_MARK, 0, 32, true, NULL),
        F("ct_mark.blocked", CT_MARK, 0, 1, true, NULL),
        F("ct_mark.natted", CT_MARK, 1, 1, true, NULL),
        F("ct_mark.skip_snat", CT_MARK, 2, 1, true, NULL),
        F("ct_mark.force_snat", CT_MARK, 3, 1, true, NULL),
        F("ct_mark.ecmp_reply_port", CT_MARK, 16, 16, true, NULL),
        F("ct_label", CT_LABEL, 0, 128, true, NULL),
        F("ct_label.blocked", CT_LABEL, 0, 1, true, NULL),
        F("ct_label.natted", CT_LABEL, 1, 1, true, NULL),
        F("ct_label.skip_snat", CT_LABEL, 2, 1, true, NULL),
        F("ct_label.force_snat", CT_LABEL, 3, 1, true, NULL),
        F("ct_label.ecmp_reply_eth", CT_LABEL, 32, 48, true, NULL),
        F("ct_label.ecmp_reply_port", CT_LABEL, 80, 16, true, NULL),
        F("ct_label.label", CT_LABEL, 96, 32, true, NULL),
        /* Ethernet and VLAN. */
        F("eth.src", ETH_SRC, 0, 48, true, NULL),
        F("eth.dst", ETH_DST, 0, 48, true, NULL),
        N("eth.type", ETH_TYPE, 16, NULL),
        P("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff"),
        F("eth.mcast", ETH_DST, 40, 1, false, NULL),
        P("eth.mcastv6", "eth.dst[32..47] == 0x3333"),
        F("vlan.tci", VLAN_TCI, 0, 16, true, NULL),
        P("vlan.present", "vlan.tci[12]"),
        F("vlan.pcp", VLAN_TCI, 13, 3, true, "vlan.present"),
        F("vlan.vid", VLAN_TCI, 0, 12, true, "vlan.present"),
        /* IP. */
        P("ip4", "eth.type == 0x800"),
        P("ip6", "eth.type == 0x86dd"),
        P("ip", "ip4 || ip6"),
        N("ip.proto", IP_PROTO, 8, "ip"),
        NW("ip.dscp", IP_DSCP, 6, "ip"),
        NW("ip.ecn", IP_ECN, 2, "ip"),
        NW("ip.ttl", IP_TTL, 8, "ip"),
        F("ip.frag", IP_FRAG, 0, 2, false, "ip"),
        P("ip.is_frag", "ip.frag[0]"),
        P("ip.later_frag", "ip.frag[1]"),
        P("ip.first_frag", "ip.is_frag && !ip.later_frag"),
        F("ip4.src", IP4_SRC, 0, 32, true, "ip4"),
        F("ip4.dst", IP4_DST, 0, 32, true, "ip4"),
        P("ip4.src_mcast", "ip4.src[28..31] == 0xe"),
        P("ip4.mcast", "eth.mcast && ip4.dst[28..31] == 0xe"),
        F("ip6.src", IP6_SRC, 0, 128, true, "ip6"),
        F("ip6.dst", IP6_DST, 0, 128, true, "ip6"),
        F("ip6.label", IP6_LABEL, 0, 20, true, "ip6"),
        P("ip6.mcast_rsvd", "ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0"),
        P("ip6.mcast_all_nodes", "ip6.dst == ff01::1 || ip6.dst == ff02::1"),
        P("ip6.mcast_all_rtrs", "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2"),
        P("ip6.mcast_sol_node", "ip6.dst == ff02::1:ff00:0000/104"),
        P("ip6.mcast_flood", "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || "
                             "ip6.mcast_all_rtrs || ip6.mcast_sol_node)"),
        P("ip6.mcast", "eth.mcastv6 && ip6.dst[120..127] == 0xff"),
        /* ICMP, IGMP, ND, MLD. */
        P("icmp4", "ip4 && ip.proto == 1"),
        NW("icmp4.type", ICMP4_TYPE, 8, "icmp4"),
        NW("icmp4.code", ICMP4_CODE, 8, "icmp4"),
        P("igmp", "ip4.mcast && ip.proto == 2"),
        P("icmp6", "ip6 && ip.proto == 58"),
        NW("icmp6.type", ICMP6_TYPE, 8, "icmp6"),
        NW("icmp6.code", ICMP6_CODE, 8, "icmp6"),
        P("icmp", "icmp4 || icmp6"),
        P("nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255"),
        P("nd_ns", "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255"),
        P("nd_ns_mcast", "ip6.mcast && icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255"),
        P("nd_na", "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255"),
        P("nd_rs", "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255"),
        P("nd_ra", "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255"),
        F("nd.target", ND_TARGET, 0, 128, true, "nd"),
        F("nd.sll", ND_SLL, 0, 48, true, "nd_ns"),
        F("nd.tll", ND_TLL, 0, 48, true, "nd_na"),
        P("mldv1", "eth.mcastv6 && ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}"),
        P("mldv2", "eth.mcastv6 && ip6.dst == ff02::16 && icmp6.type == 143"),
        /* ARP and RARP share the ARP fields. */
        P("arp", "eth.type == 0x806"),
        NW("arp.op", ARP_OP, 16, "arp"),
        F("arp.spa", ARP_SPA, 0, 32, true, "arp"),
        F("arp.tpa", ARP_TPA, 0, 32, true, "arp"),
        F("arp.sha", ARP_SHA, 0, 48, true, "arp"),
        F("arp.tha", ARP_THA, 0, 48, true, "arp"),
        P("rarp", "eth.type == 0x8035"),
        NW("rarp.op", ARP_OP, 16, "rarp"),
        F("rarp.spa", ARP_SPA, 0, 32, true, "rarp"),
        F("rarp.tpa", ARP_TPA, 0, 32, true, "rarp"),
        F("rarp.sha", ARP_SHA, 0, 48, true, "rarp"),
        F("rarp.tha", ARP_THA, 0, 48, true, "rarp"),
        /* L4. */
        P("tcp", "ip.proto == 6"),
        F("tcp.src", TCP_SRC, 0, 16, true, "tcp"),
        F("tcp.dst", TCP_DST, 0, 16, true, "tcp"),
        F("tcp.flags", TCP_FLAGS, 0, 12, false, "tcp"),
        P("udp", "ip.proto == 17"),
        F("udp.src", UDP_SRC, 0, 16, true, "udp"),
        F("udp.dst", UDP_DST, 0, 16, true, "udp"),
        P("sctp", "ip.proto == 132"),
        F("sctp.src", SCTP_SRC, 0, 16, true, "sctp"),
        F("sctp.dst", SCTP_DST, 0, 16, true, "sctp"),
        /* OVN fields: set by actions only. */
        O("icmp4.frag_mtu", ICMP4_FRAG_MTU, 16, "icmp4"),
        O("icmp6.frag_mtu", ICMP6_FRAG_MTU, 32, "icmp6"),
};

#define N_SYMBOLS ((int)(sizeof(symbols) / sizeof(symbols[0])))

/* Open-addressing hash of symbol names, built on first use. */
#define SYM_HASH_SIZE 512
static const struct lf_symbol *sym_hash[SYM_HASH_SIZE];
static bool sym_hash_ready;

static unsigned name_hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void build_hash(void)
{
	for (int i = 0; i < N_SYMBOLS; i++) {
		symbols[i].index = i;
		unsigned h = name_hash(symbols[i].name) % SYM_HASH_SIZE;
		while (sym_hash[h] != NULL)
			h = (h + 1) % SYM_HASH_SIZE;
		sym_hash[h] = &symbols[i];
	}
	sym_hash_ready = true;
}

const struct lf_symbol *symtab_lookup(const char *name)
{
	if (!sym_hash_ready)
		build_hash();
	unsigned h = name_hash(name) % SYM_HASH_SIZE;
	while (sym_hash[h] != NULL) {
		if (strcmp(sym_hash[h]->name, name) == 0)
			return sym_hash[h];
		h = (h + 1) % SYM_HASH_SIZE;
	}
	return NULL;
}

int symtab_count(void)
{
	return N_SYMBOLS;
}

const struct lf_symbol *symtab_at(int i)
{
	if (!sym_hash_ready)
		build_hash();
	return i >= 0 && i < N_SYMBOLS ? &symbols[i] : NULL;
}

static const struct {
	const char *name;
	unsigned width;
	char fmt;
} fields[] = {
#define FIELD_ROW(E, NAME, W, FMT) {NAME, W, FMT},
        LFLOW_FIELDS(FIELD_ROW)
#undef FIELD_ROW
};

unsigned lflow_field_width(unsigned f)
{
	return f < LFLOW_F_N ? fields[f].width : 0;
}

const char *lflow_field_name(unsigned f)
{
	return f < LFLOW_F_N ? fields[f].name : "?";
}

char lflow_field_format(unsigned f)
{
	return f < LFLOW_F_N ? fields[f].fmt : 'H';
}
