/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port security, as check_in_port_sec() and check_out_port_sec() test it
 * against Port_Binding.port_security (ovn-nb(5), Logical_Switch_Port
 * port_security). Each entry is a MAC with optional addresses:
 *   - the MAC alone: that source (destination) MAC, any L3;
 *   - with addresses: IPv4 only from (to) the listed IPv4 addresses (plus
 *     the DHCP discover from 0.0.0.0), IPv6 only from (to) the listed ones
 *     plus the MAC's link-local address (and :: for duplicate address
 *     detection); a family with no address listed is refused; ARP and ND
 *     must carry the MAC and a listed address.
 * A port without port security passes everything.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "dataplane/pipeline/interp.h"

#define MARK(f, bits)                                                      \
	do {                                                               \
		if (rd)                                                    \
			pl_field_mark(rd, LFLOW_F_##f, pl_low_mask(bits)); \
	} while (0)

static bool mac_eq(const uint8_t a[6], const uint8_t b[6])
{
	return memcmp(a, b, 6) == 0;
}

static bool in_list(const struct lflow_u128 *v, const struct lflow_u128 *m, unsigned n, pl_u128 a)
{
	/* "10.0.0.5/24" is that host; "10.0.0.0/24" (no host bits) the subnet. */
	for (unsigned i = 0; i < n; i++) {
		pl_u128 addr = pl_u128_of(v[i]), mask = pl_u128_of(m[i]);
		if ((addr & ~mask) != 0 ? a == addr : (a & mask) == addr)
			return true;
	}
	return false;
}

static pl_u128 link_local(const uint8_t mac[6])
{
	uint8_t b[16] = {
	        0xfe,   0x80,   0,    0,    0,      0,      0,     0, (uint8_t)(mac[0] ^ 2),
	        mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]};
	pl_u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = (v << 8) | b[i];
	return v;
}

static pl_u128 be_addr(const uint8_t *p, unsigned n)
{
	pl_u128 v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static bool l3_in_ok(const struct pl_psec *e, const struct flow_key *k, struct flow_key *rd)
{
	bool any = e->n4 || e->n6;
	if (k->flags & FLOW_F_ARP) {
		MARK(ARP_SHA, 48);
		MARK(ARP_SPA, 32);
		if (!mac_eq(k->arp_sha, e->mac))
			return false;
		return !any ||
		       (e->n4 && in_list(e->ip4, e->ip4_mask, e->n4, be_addr(k->ip_src, 4)));
	}
	if (!any)
		return true;
	if (k->flags & FLOW_F_IP4) {
		pl_u128 src = be_addr(k->ip_src, 4);
		if (e->n4 == 0)
			return false;
		MARK(IP4_SRC, 32);
		if (in_list(e->ip4, e->ip4_mask, e->n4, src))
			return true;
		if (src == 0) {
			MARK(IP4_DST, 32);
			MARK(IP_PROTO, 8);
			MARK(UDP_SRC, 16);
			MARK(UDP_DST, 16);
		}
		return src == 0 && be_addr(k->ip_dst, 4) == 0xffffffffu && k->nw_proto == 17 &&
		       rte_be_to_cpu_16(k->tp_src) == 68 && rte_be_to_cpu_16(k->tp_dst) == 67;
	}
	if (k->flags & FLOW_F_IP6) {
		pl_u128 src = be_addr(k->ip_src, 16);
		if (e->n6 == 0)
			return false;
		MARK(IP6_SRC, 128);
		if (k->flags & FLOW_F_ND) {
			MARK(ICMP6_TYPE, 8);
			MARK(ND_SLL, 48);
			MARK(ND_TLL, 48);
			MARK(ND_TARGET, 128);
			/* NS: sll is the MAC or absent; NA: the target is ours. */
			static const uint8_t zero[6];
			if (rte_be_to_cpu_16(k->tp_src) == 135)
				return mac_eq(k->arp_sha, e->mac) || mac_eq(k->arp_sha, zero);
			if (!mac_eq(k->arp_tha, e->mac) && !mac_eq(k->arp_tha, zero))
				return false;
			pl_u128 t = be_addr(k->nd_target, 16);
			return t == link_local(e->mac) || in_list(e->ip6, e->ip6_mask, e->n6, t);
		}
		return src == 0 || src == link_local(e->mac) ||
		       in_list(e->ip6, e->ip6_mask, e->n6, src);
	}
	return true; /* neither IP nor ARP: the MAC was enough */
}

bool pl_in_port_sec_fails(const struct pl_lport *p, const struct pl_hdrs *h, struct flow_key *rd)
{
	if (p->n_psec == 0)
		return false;
	MARK(ETH_SRC, 48);
	for (unsigned i = 0; i < p->n_psec; i++)
		if (mac_eq(h->k.eth_src, p->psec[i].mac) && l3_in_ok(&p->psec[i], &h->k, rd))
			return false;
	return true;
}

static bool l3_out_ok(const struct pl_psec *e, const struct flow_key *k, struct flow_key *rd)
{
	if (!(e->n4 || e->n6))
		return true;
	if (k->flags & FLOW_F_IP4) {
		pl_u128 dst = be_addr(k->ip_dst, 4);
		MARK(IP4_DST, 32);
		if (dst == 0xffffffffu || (dst >> 28) == 0xe)
			return true;
		if (e->n4 == 0)
			return false;
		for (unsigned i = 0; i < e->n4; i++) {
			pl_u128 m = pl_u128_of(e->ip4_mask[i]);
			/* The address itself, or its subnet's broadcast. */
			if (in_list(&e->ip4[i], &e->ip4_mask[i], 1, dst) ||
			    dst == ((pl_u128_of(e->ip4[i]) & m) | (~m & 0xffffffffu)))
				return true;
		}
		return false;
	}
	if (k->flags & FLOW_F_IP6) {
		pl_u128 dst = be_addr(k->ip_dst, 16);
		MARK(IP6_DST, 128);
		if (k->ip_dst[0] == 0xff)
			return true;
		if (e->n6 == 0)
			return false;
		return dst == link_local(e->mac) || in_list(e->ip6, e->ip6_mask, e->n6, dst);
	}
	return true;
}

bool pl_out_port_sec_fails(const struct pl_lport *p, const struct pl_hdrs *h, struct flow_key *rd)
{
	if (p->n_psec == 0)
		return false;
	MARK(ETH_DST, 48);
	if (h->k.eth_dst[0] & 1) /* broadcast and multicast go to every port */
		return false;
	for (unsigned i = 0; i < p->n_psec; i++)
		if (mac_eq(h->k.eth_dst, p->psec[i].mac) && l3_out_ok(&p->psec[i], &h->k, rd))
			return false;
	return true;
}
