/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/pipeline/fields.h"

#include <string.h>

#include <rte_byteorder.h>

#include <stddef.h>

#define K(f, member, n, sh, m) \
	[LFLOW_F_##f] = {PL_FD_KEY, offsetof(struct flow_key, member), n, sh, m}
#define M(f, member) [LFLOW_F_##f] = {PL_FD_META, offsetof(struct lflow_meta, member), 4, 0, ~0ull}
#define R(n)         [LFLOW_F_REG##n] = {PL_FD_REGS, n, 4, 0, ~0ull}
_Static_assert(offsetof(struct pl_hdrs, m) >= sizeof(struct flow_key),
               "8-byte loads from the key's last fields stay inside struct pl_hdrs");
const struct pl_fdesc pl_fdesc[LFLOW_F_N] = {
        M(INPORT, inport),
        M(OUTPORT, outport),
        M(FLAGS, flags),
        M(CT_MARK, ct_mark),
        M(PKT_MARK, pkt_mark),
        R(0),
        R(1),
        R(2),
        R(3),
        R(4),
        R(5),
        R(6),
        R(7),
        R(8),
        R(9),
        K(ETH_SRC, eth_src, 6, 0, 0xffffffffffffull),
        K(ETH_DST, eth_dst, 6, 0, 0xffffffffffffull),
        K(ARP_SHA, arp_sha, 6, 0, 0xffffffffffffull),
        K(ARP_THA, arp_tha, 6, 0, 0xffffffffffffull),
        K(ND_SLL, arp_sha, 6, 0, 0xffffffffffffull),
        K(ND_TLL, arp_tha, 6, 0, 0xffffffffffffull),
        K(ETH_TYPE, eth_type, 2, 0, 0xffff),
        K(IP_PROTO, nw_proto, 1, 0, 0xff),
        K(ARP_OP, nw_proto, 1, 0, 0xff),
        K(IP_DSCP, nw_tos, 1, 2, 0x3f),
        K(IP_ECN, nw_tos, 1, 0, 3),
        K(IP_TTL, nw_ttl, 1, 0, 0xff),
        K(IP_FRAG, nw_frag, 1, 0, 3),
        K(IP4_SRC, ip_src, 4, 0, 0xffffffffull),
        K(IP4_DST, ip_dst, 4, 0, 0xffffffffull),
        K(ARP_SPA, ip_src, 4, 0, 0xffffffffull),
        K(ARP_TPA, ip_dst, 4, 0, 0xffffffffull),
        K(IP6_LABEL, ip6_label, 4, 0, 0xfffff),
        K(TCP_SRC, tp_src, 2, 0, 0xffff),
        K(TCP_DST, tp_dst, 2, 0, 0xffff),
        K(UDP_SRC, tp_src, 2, 0, 0xffff),
        K(UDP_DST, tp_dst, 2, 0, 0xffff),
        K(SCTP_SRC, tp_src, 2, 0, 0xffff),
        K(SCTP_DST, tp_dst, 2, 0, 0xffff),
        K(TCP_FLAGS, tcp_flags, 2, 0, 0xfff),
        K(ICMP4_TYPE, tp_src, 2, 0, 0xff),
        K(ICMP4_CODE, tp_dst, 2, 0, 0xff),
        K(ICMP6_TYPE, tp_src, 2, 0, 0xff),
        K(ICMP6_CODE, tp_dst, 2, 0, 0xff),
};
#undef K
#undef M
#undef R

static pl_u128 load_be(const uint8_t *p, unsigned n)
{
	pl_u128 v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void store_be(uint8_t *p, unsigned n, pl_u128 v, pl_u128 mask)
{
	pl_u128 old = load_be(p, n);
	v = (old & ~mask) | (v & mask);
	for (unsigned i = n; i-- > 0;) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint32_t merge32(uint32_t old, pl_u128 v, pl_u128 mask)
{
	return (uint32_t)((old & ~(uint32_t)mask) | ((uint32_t)v & (uint32_t)mask));
}

static uint16_t merge16be(uint16_t old_be, pl_u128 v, pl_u128 mask)
{
	uint16_t old = rte_be_to_cpu_16(old_be);
	return rte_cpu_to_be_16(
	        (uint16_t)((old & ~(uint16_t)mask) | ((uint16_t)v & (uint16_t)mask)));
}

static pl_u128 regs_get(const struct lflow_meta *m, unsigned n)
{
	pl_u128 v = 0;
	for (unsigned i = 0; i < 4 && i <= n; i++)
		v |= (pl_u128)m->reg[n - i] << (32 * i);
	return v;
}

static void regs_set(struct lflow_meta *m, unsigned n, pl_u128 v, pl_u128 mask)
{
	for (unsigned i = 0; i < 4 && i <= n; i++) {
		pl_u128 mi = (mask >> (32 * i)) & 0xffffffffu;
		if (mi)
			m->reg[n - i] = merge32(m->reg[n - i], v >> (32 * i), mi);
	}
}

pl_u128 pl_field_get(const struct pl_hdrs *h, unsigned field)
{
	const struct flow_key *k = &h->k;
	const struct lflow_meta *m = &h->m;

	switch (field) {
	case LFLOW_F_INPORT:
		return m->inport;
	case LFLOW_F_OUTPORT:
		return m->outport;
	case LFLOW_F_REG0 ... LFLOW_F_REG9:
		return regs_get(m, field - LFLOW_F_REG0);
	case LFLOW_F_FLAGS:
		return m->flags;
	case LFLOW_F_CT_STATE:
		return m->ct_state;
	case LFLOW_F_CT_MARK:
		return m->ct_mark;
	case LFLOW_F_CT_LABEL:
		return pl_u128_of(m->ct_label);
	case LFLOW_F_PKT_MARK:
		return m->pkt_mark;
	case LFLOW_F_ETH_SRC:
		return load_be(k->eth_src, 6);
	case LFLOW_F_ETH_DST:
		return load_be(k->eth_dst, 6);
	case LFLOW_F_ETH_TYPE:
		return rte_be_to_cpu_16(k->eth_type);
	case LFLOW_F_VLAN_TCI:
		/* OVS and OVN mark a present tag with bit 12 (CFI). */
		return k->n_vlans ? (rte_be_to_cpu_16(k->vlan_tci[0]) | 0x1000) : 0;
	case LFLOW_F_IP_PROTO:
	case LFLOW_F_ARP_OP:
		return k->nw_proto;
	case LFLOW_F_IP_DSCP:
		return k->nw_tos >> 2;
	case LFLOW_F_IP_ECN:
		return k->nw_tos & 3;
	case LFLOW_F_IP_TTL:
		return k->nw_ttl;
	case LFLOW_F_IP_FRAG:
		return k->nw_frag & 3;
	case LFLOW_F_IP4_SRC:
	case LFLOW_F_ARP_SPA:
		return load_be(k->ip_src, 4);
	case LFLOW_F_IP4_DST:
	case LFLOW_F_ARP_TPA:
		return load_be(k->ip_dst, 4);
	case LFLOW_F_IP6_SRC:
		return load_be(k->ip_src, 16);
	case LFLOW_F_IP6_DST:
		return load_be(k->ip_dst, 16);
	case LFLOW_F_IP6_LABEL:
		return rte_be_to_cpu_32(k->ip6_label) & 0xfffff;
	case LFLOW_F_ARP_SHA:
	case LFLOW_F_ND_SLL:
		return load_be(k->arp_sha, 6);
	case LFLOW_F_ARP_THA:
	case LFLOW_F_ND_TLL:
		return load_be(k->arp_tha, 6);
	case LFLOW_F_TCP_SRC:
	case LFLOW_F_UDP_SRC:
	case LFLOW_F_SCTP_SRC:
		return rte_be_to_cpu_16(k->tp_src);
	case LFLOW_F_TCP_DST:
	case LFLOW_F_UDP_DST:
	case LFLOW_F_SCTP_DST:
		return rte_be_to_cpu_16(k->tp_dst);
	case LFLOW_F_TCP_FLAGS:
		return rte_be_to_cpu_16(k->tcp_flags) & 0xfff;
	case LFLOW_F_ICMP4_TYPE:
	case LFLOW_F_ICMP6_TYPE:
		return rte_be_to_cpu_16(k->tp_src) & 0xff;
	case LFLOW_F_ICMP4_CODE:
	case LFLOW_F_ICMP6_CODE:
		return rte_be_to_cpu_16(k->tp_dst) & 0xff;
	case LFLOW_F_ND_TARGET:
		return load_be(k->nd_target, 16);
	case LFLOW_F_ICMP4_FRAG_MTU:
	case LFLOW_F_ICMP6_FRAG_MTU:
		return h->frag_mtu;
	}
	return 0;
}

void pl_field_set(struct pl_hdrs *h, unsigned field, pl_u128 v, pl_u128 mask)
{
	struct flow_key *k = &h->k;
	struct lflow_meta *m = &h->m;

	switch (field) {
	case LFLOW_F_INPORT:
		m->inport = merge32(m->inport, v, mask);
		break;
	case LFLOW_F_OUTPORT:
		m->outport = merge32(m->outport, v, mask);
		break;
	case LFLOW_F_REG0 ... LFLOW_F_REG9:
		regs_set(m, field - LFLOW_F_REG0, v, mask);
		break;
	case LFLOW_F_FLAGS:
		m->flags = merge32(m->flags, v, mask);
		break;
	case LFLOW_F_CT_STATE:
		m->ct_state = (uint8_t)merge32(m->ct_state, v, mask);
		break;
	case LFLOW_F_CT_MARK:
		m->ct_mark = merge32(m->ct_mark, v, mask);
		break;
	case LFLOW_F_CT_LABEL: {
		pl_u128 l = (pl_u128_of(m->ct_label) & ~mask) | (v & mask);
		m->ct_label.hi = (uint64_t)(l >> 64);
		m->ct_label.lo = (uint64_t)l;
		break;
	}
	case LFLOW_F_PKT_MARK:
		m->pkt_mark = merge32(m->pkt_mark, v, mask);
		break;
	case LFLOW_F_ETH_SRC:
		store_be(k->eth_src, 6, v, mask);
		break;
	case LFLOW_F_ETH_DST:
		store_be(k->eth_dst, 6, v, mask);
		break;
	case LFLOW_F_ETH_TYPE:
		k->eth_type = merge16be(k->eth_type, v, mask);
		break;
	case LFLOW_F_VLAN_TCI: {
		pl_u128 cur = pl_field_get(h, field);
		uint16_t t = (uint16_t)((cur & ~mask) | (v & mask));
		if (t & 0x1000) {
			k->n_vlans = k->n_vlans ? k->n_vlans : 1;
			k->vlan_tpid[0] =
			        k->vlan_tpid[0] ? k->vlan_tpid[0] : rte_cpu_to_be_16(0x8100);
			k->vlan_tci[0] = rte_cpu_to_be_16(t & ~0x1000);
		} else {
			k->n_vlans = 0;
			k->vlan_tci[0] = 0;
		}
		break;
	}
	case LFLOW_F_IP_PROTO:
	case LFLOW_F_ARP_OP:
		k->nw_proto = (uint8_t)merge32(k->nw_proto, v, mask);
		break;
	case LFLOW_F_IP_DSCP:
		k->nw_tos = (uint8_t)merge32(k->nw_tos, v << 2, (mask & 0x3f) << 2);
		break;
	case LFLOW_F_IP_ECN:
		k->nw_tos = (uint8_t)merge32(k->nw_tos, v, mask & 3);
		break;
	case LFLOW_F_IP_TTL:
		k->nw_ttl = (uint8_t)merge32(k->nw_ttl, v, mask);
		break;
	case LFLOW_F_IP_FRAG:
		k->nw_frag = (uint8_t)merge32(k->nw_frag, v, mask & 3);
		break;
	case LFLOW_F_IP4_SRC:
	case LFLOW_F_ARP_SPA:
		store_be(k->ip_src, 4, v, mask);
		break;
	case LFLOW_F_IP4_DST:
	case LFLOW_F_ARP_TPA:
		store_be(k->ip_dst, 4, v, mask);
		break;
	case LFLOW_F_IP6_SRC:
		store_be(k->ip_src, 16, v, mask);
		break;
	case LFLOW_F_IP6_DST:
		store_be(k->ip_dst, 16, v, mask);
		break;
	case LFLOW_F_IP6_LABEL:
		k->ip6_label = rte_cpu_to_be_32(
		        merge32(rte_be_to_cpu_32(k->ip6_label), v, mask & 0xfffff));
		break;
	case LFLOW_F_ARP_SHA:
	case LFLOW_F_ND_SLL:
		store_be(k->arp_sha, 6, v, mask);
		break;
	case LFLOW_F_ARP_THA:
	case LFLOW_F_ND_TLL:
		store_be(k->arp_tha, 6, v, mask);
		break;
	case LFLOW_F_TCP_SRC:
	case LFLOW_F_UDP_SRC:
	case LFLOW_F_SCTP_SRC:
		k->tp_src = merge16be(k->tp_src, v, mask);
		break;
	case LFLOW_F_TCP_DST:
	case LFLOW_F_UDP_DST:
	case LFLOW_F_SCTP_DST:
		k->tp_dst = merge16be(k->tp_dst, v, mask);
		break;
	case LFLOW_F_TCP_FLAGS:
		k->tcp_flags = merge16be(k->tcp_flags, v, mask & 0xfff);
		break;
	case LFLOW_F_ICMP4_TYPE:
	case LFLOW_F_ICMP6_TYPE:
		k->tp_src = merge16be(k->tp_src, v, mask & 0xff);
		break;
	case LFLOW_F_ICMP4_CODE:
	case LFLOW_F_ICMP6_CODE:
		k->tp_dst = merge16be(k->tp_dst, v, mask & 0xff);
		break;
	case LFLOW_F_ND_TARGET:
		store_be(k->nd_target, 16, v, mask);
		break;
	case LFLOW_F_ICMP4_FRAG_MTU:
	case LFLOW_F_ICMP6_FRAG_MTU:
		h->frag_mtu = merge32(h->frag_mtu, v, mask);
		break;
	}
}

void pl_field_mark(struct flow_key *mk, unsigned field, pl_u128 mask)
{
	struct pl_hdrs t;
	if (field < LFLOW_F_ETH_SRC || field == LFLOW_F_ICMP4_FRAG_MTU ||
	    field == LFLOW_F_ICMP6_FRAG_MTU)
		return; /* logical metadata: derived, never part of the key */
	if (field == LFLOW_F_VLAN_TCI) {
		mk->n_vlans = 0xff;
		mk->vlan_tci[0] |= rte_cpu_to_be_16((uint16_t)(mask & 0xefff));
		return;
	}
	memset(&t.k, 0, sizeof(t.k));
	pl_field_set(&t, field, ~(pl_u128)0, mask);
	uint8_t *d = (uint8_t *)mk;
	const uint8_t *m = (const uint8_t *)&t.k;
	for (size_t i = 0; i < sizeof(*mk); i++)
		d[i] |= m[i];
}
