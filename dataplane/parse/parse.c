/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet parser (contract in parse.h).
 *
 * Each layer is one function taking the offset where its header starts and
 * the offset where its enclosing packet ends: the frame for Ethernet, the IPv4
 * total length or IPv6 payload length for what IP carries, the UDP length for
 * Geneve and the inner frame. Trailing Ethernet padding therefore never counts
 * as L4 bytes. A layer checks that its header fits before touching it, always
 * as "need > end - off" with off <= end held as an invariant, so no sum can
 * wrap whatever len the caller passes.
 *
 * Offsets fit in the uint16_t fields of struct flow_offsets: every header
 * before L4 is bounded (two VLAN tags, at most PARSE_IP6_EXT_MAX extension
 * headers of at most 2,048 bytes, 252 bytes of Geneve options), so even the
 * inner L7 offset of a tunnelled packet stays under 34 KiB.
 *
 * flow_tunnel is written only when a Geneve header is decoded; callers test
 * FLOW_F_TUNNEL in the key rather than paying to clear it on every packet.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "dataplane/parse/parse.h"

#define ETH_HLEN        14
#define VLAN_HLEN       4
#define ARP_FIXED_LEN   8
#define ARP_ETH_IP4_LEN 28
#define IP4_HLEN        20
#define IP6_HLEN        40
#define IP6_EXT_MIN     8
#define TCP_HLEN        20
#define UDP_HLEN        8
#define SCTP_HLEN       12
#define ICMP4_HLEN      8  /* type, code, checksum and the 4-byte rest of header */
#define ICMP6_HLEN      4  /* type, code, checksum (RFC 4443 2.1) */
#define ND_FIXED_LEN    24 /* ICMPv6 header, flags/reserved, target address */
#define GENEVE_HLEN     8

#define ETH_TYPE_IP4  0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_QINQ 0x88a8
#define ETH_TYPE_IP6  0x86dd
#define ETH_TYPE_TEB  0x6558 /* Transparent Ethernet Bridging */

#define ARP_HTYPE_ETH 1

#define IP4_MF      0x2000
#define IP4_OFFMASK 0x1fff
#define IP6_OFFMASK 0xfff8

#define PROTO_HOPOPTS  0
#define PROTO_ICMP     1
#define PROTO_TCP      6
#define PROTO_UDP      17
#define PROTO_ROUTING  43
#define PROTO_FRAGMENT 44
#define PROTO_AH       51
#define PROTO_ICMP6    58
#define PROTO_DSTOPTS  60
#define PROTO_SCTP     132

#define ND_NS      135
#define ND_NA      136
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2

#define GENEVE_F_OAM  0x80
#define GENEVE_F_CRIT 0x40

struct parse_ctx {
	const uint8_t *data;
	struct flow_key *key;
	struct flow_offsets *ofs;
	struct flow_tunnel *tnl;
	unsigned flags;
};

/* Host-order value of a big-endian field. */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A 16-bit field as it sits in the packet (network order). */
static inline uint16_t raw16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static enum drop_reason parse_eth(const struct parse_ctx *c, uint32_t off, uint32_t end);

/*
 * Clear a key or tunnel. Not inlined, and in parts of at most 64 bytes: gcc
 * expands a larger memset(), or one on a path it guesses is cold (Geneve),
 * into rep stos, which costs more than parsing a whole packet (measured:
 * IPv4/TCP 15 -> 7 ns with generic tuning, Geneve 28-48 -> 20 ns).
 */
__attribute__((noinline)) static void key_clear(struct flow_key *key)
{
	_Static_assert(sizeof(*key) > 64, "key_clear() splits the key at 64 bytes");

	memset(key, 0, 64);
	memset((uint8_t *)key + 64, 0, sizeof(*key) - 64);
}

__attribute__((noinline)) static void tnl_clear(struct flow_tunnel *tnl)
{
	_Static_assert(sizeof(*tnl) <= 64, "tnl_clear() expects a small struct");

	memset(tnl, 0, sizeof(*tnl));
}

static void set_l4(const struct parse_ctx *c, uint32_t off, uint32_t hlen)
{
	c->key->flags |= FLOW_F_L4;
	c->ofs->l4 = (uint16_t)off;
	c->ofs->l7 = (uint16_t)(off + hlen);
}

static enum drop_reason parse_tcp(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	const uint8_t *p;
	uint32_t hlen;

	if (TCP_HLEN > end - off)
		return DROP_TCP_TRUNC;
	p = c->data + off;
	hlen = (p[12] >> 4) * 4u;
	if (hlen < TCP_HLEN || hlen > end - off)
		return DROP_TCP_BAD_OFFSET;
	key->tp_src = raw16(p);
	key->tp_dst = raw16(p + 2);
	key->tcp_flags = htons(rd16(p + 12) & 0x0fff);
	set_l4(c, off, hlen);
	return DROP_NONE;
}

/*
 * Geneve (RFC 8926) as OVN uses it (ovn-architecture(7)). The outer headers
 * already in the key move to flow_tunnel, then the key is cleared and
 * describes the inner frame, with offsets still counted from the outer frame
 * start. Only one level is decoded: the inner parse runs without
 * PARSE_F_TUNNEL.
 */
static enum drop_reason parse_geneve(const struct parse_ctx *c, const uint8_t *udp, uint32_t off,
                                     uint32_t end)
{
	struct flow_tunnel *tnl = c->tnl;
	struct flow_key *key = c->key;
	uint32_t opt, opt_end, olen;
	struct parse_ctx inner;
	enum drop_reason r;
	const uint8_t *p;

	if (GENEVE_HLEN > end - off)
		return DROP_GENEVE_TRUNC;
	p = c->data + off;
	if (p[0] >> 6 != 0)
		return DROP_GENEVE_BAD_VERSION;
	if (rd16(p + 2) != ETH_TYPE_TEB)
		return DROP_GENEVE_NOT_ETH;
	olen = (p[0] & 0x3f) * 4u;
	if (olen > end - off - GENEVE_HLEN)
		return DROP_GENEVE_TRUNC;

	tnl_clear(tnl);
	if (key->flags & FLOW_F_IP6)
		tnl->flags |= FLOW_TNL_F_IP6;
	/* An IPv4 key's address bytes past the fourth are zero. */
	memcpy(tnl->src, key->ip_src, 16);
	memcpy(tnl->dst, key->ip_dst, 16);
	tnl->ttl = key->nw_ttl;
	tnl->tos = key->nw_tos;
	tnl->udp_src = rd16(udp);
	tnl->vni = (uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6];
	tnl->opt_len = (uint8_t)olen;
	if (p[1] & GENEVE_F_OAM)
		tnl->flags |= FLOW_TNL_F_OAM;
	if (p[1] & GENEVE_F_CRIT)
		tnl->flags |= FLOW_TNL_F_CRIT;

	/*
	 * The option area, option headers and option data all come in 4-byte
	 * words, so an option header always fits; only its data can overrun.
	 */
	opt_end = off + GENEVE_HLEN + olen;
	for (opt = off + GENEVE_HLEN; opt < opt_end;) {
		const uint8_t *o = c->data + opt;
		uint32_t dlen;

		dlen = (o[3] & 0x1f) * 4u;
		if (dlen > opt_end - opt - 4)
			return DROP_GENEVE_BAD_OPT;
		if (rd16(o) == GENEVE_OVN_OPT_CLASS && o[2] == GENEVE_OVN_OPT_TYPE) {
			if (dlen != 4)
				return DROP_GENEVE_BAD_OVN_OPT;
			/* A repeated OVN option is ignored: the first one wins. */
			if (!(tnl->flags & FLOW_TNL_F_OVN_OPT)) {
				tnl->ovn_in = rd16(o + 4) & 0x7fff;
				tnl->ovn_out = rd16(o + 6);
				tnl->flags |= FLOW_TNL_F_OVN_OPT;
			}
		}
		opt += 4 + dlen;
	}

	key_clear(key);
	memset(c->ofs, 0, sizeof(*c->ofs));
	c->ofs->l2 = (uint16_t)opt_end;
	inner = *c;
	inner.flags &= ~(unsigned)PARSE_F_TUNNEL;
	r = parse_eth(&inner, opt_end, end);
	key->flags |= FLOW_F_TUNNEL;
	return r;
}

static enum drop_reason parse_udp(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	const uint8_t *p;
	uint32_t ulen;

	if (UDP_HLEN > end - off)
		return DROP_UDP_TRUNC;
	p = c->data + off;
	ulen = rd16(p + 4);
	/* A first fragment carries only part of the datagram ulen covers. */
	if (ulen < UDP_HLEN || (!key->nw_frag && ulen > end - off))
		return DROP_UDP_BAD_LEN;
	key->tp_src = raw16(p);
	key->tp_dst = raw16(p + 2);
	set_l4(c, off, UDP_HLEN);
	if ((c->flags & PARSE_F_TUNNEL) && !key->nw_frag && rd16(p + 2) == GENEVE_UDP_PORT)
		return parse_geneve(c, p, off + UDP_HLEN, off + ulen);
	return DROP_NONE;
}

static enum drop_reason parse_sctp(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	const uint8_t *p;

	if (SCTP_HLEN > end - off)
		return DROP_SCTP_TRUNC;
	p = c->data + off;
	c->key->tp_src = raw16(p);
	c->key->tp_dst = raw16(p + 2);
	set_l4(c, off, SCTP_HLEN);
	return DROP_NONE;
}

static enum drop_reason parse_icmp4(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	const uint8_t *p;

	if (ICMP4_HLEN > end - off)
		return DROP_ICMP4_TRUNC;
	p = c->data + off;
	c->key->tp_src = htons(p[0]);
	c->key->tp_dst = htons(p[1]);
	set_l4(c, off, ICMP4_HLEN);
	return DROP_NONE;
}

/*
 * Neighbor solicitation or advertisement (RFC 4861 4.3, 4.4). Only the
 * link-layer option that belongs to the message is kept (source in NS,
 * target in NA), and only the first one; every option is still checked.
 */
static enum drop_reason parse_nd(const struct parse_ctx *c, uint8_t type, uint32_t off,
                                 uint32_t end)
{
	struct flow_key *key = c->key;
	uint8_t want = type == ND_NS ? ND_OPT_SLL : ND_OPT_TLL;
	uint8_t *lladdr = type == ND_NS ? key->arp_sha : key->arp_tha;
	bool found = false;
	uint32_t opt;

	if (ND_FIXED_LEN > end - off)
		return DROP_ND_TRUNC;
	memcpy(key->nd_target, c->data + off + 8, 16);
	key->flags |= FLOW_F_ND;

	for (opt = off + ND_FIXED_LEN; opt < end;) {
		const uint8_t *o;
		uint32_t olen;

		if (2 > end - opt)
			return DROP_ND_BAD_OPT;
		o = c->data + opt;
		olen = o[1] * 8u;
		if (olen == 0 || olen > end - opt)
			return DROP_ND_BAD_OPT;
		if (o[0] == want && olen == 8 && !found) {
			memcpy(lladdr, o + 2, 6);
			found = true;
		}
		opt += olen;
	}
	return DROP_NONE;
}

static enum drop_reason parse_icmp6(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	const uint8_t *p;

	if (ICMP6_HLEN > end - off)
		return DROP_ICMP6_TRUNC;
	p = c->data + off;
	c->key->tp_src = htons(p[0]);
	c->key->tp_dst = htons(p[1]);
	set_l4(c, off, ICMP6_HLEN);
	if ((p[0] == ND_NS || p[0] == ND_NA) && p[1] == 0)
		return parse_nd(c, p[0], off, end);
	return DROP_NONE;
}

static enum drop_reason parse_l4(const struct parse_ctx *c, uint8_t proto, uint32_t off,
                                 uint32_t end)
{
	switch (proto) {
	case PROTO_TCP:
		return parse_tcp(c, off, end);
	case PROTO_UDP:
		return parse_udp(c, off, end);
	case PROTO_SCTP:
		return parse_sctp(c, off, end);
	case PROTO_ICMP:
		if (c->key->flags & FLOW_F_IP4)
			return parse_icmp4(c, off, end);
		break;
	case PROTO_ICMP6:
		if (c->key->flags & FLOW_F_IP6)
			return parse_icmp6(c, off, end);
		break;
	}
	return DROP_NONE;
}

static enum drop_reason parse_ip4(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	uint32_t hlen, total;
	const uint8_t *p;
	uint16_t frag;

	if (IP4_HLEN > end - off)
		return DROP_IP4_TRUNC;
	p = c->data + off;
	if (p[0] >> 4 != 4)
		return DROP_IP4_BAD_VERSION;
	hlen = (p[0] & 0x0f) * 4u;
	if (hlen < IP4_HLEN)
		return DROP_IP4_BAD_IHL;
	if (hlen > end - off)
		return DROP_IP4_TRUNC;
	total = rd16(p + 2);
	if (total < hlen || total > end - off)
		return DROP_IP4_BAD_LEN;

	key->flags |= FLOW_F_IP4;
	if (hlen > IP4_HLEN)
		key->flags |= FLOW_F_IP4_OPT;
	key->nw_tos = p[1];
	key->nw_ttl = p[8];
	key->nw_proto = p[9];
	memcpy(key->ip_src, p + 12, 4);
	memcpy(key->ip_dst, p + 16, 4);
	c->ofs->l3 = (uint16_t)off;

	frag = rd16(p + 6);
	if (frag & (IP4_MF | IP4_OFFMASK)) {
		key->nw_frag = FLOW_FRAG_ANY;
		if (frag & IP4_OFFMASK) {
			key->nw_frag |= FLOW_FRAG_LATER;
			return DROP_NONE;
		}
	}
	return parse_l4(c, p[9], off + hlen, off + total);
}

static bool ip6_is_ext(uint8_t nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_FRAGMENT ||
	       nh == PROTO_DSTOPTS || nh == PROTO_AH;
}

static enum drop_reason parse_ip6(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	uint32_t plen, label;
	const uint8_t *p;
	unsigned n_ext;
	uint8_t nh;

	if (IP6_HLEN > end - off)
		return DROP_IP6_TRUNC;
	p = c->data + off;
	if (p[0] >> 4 != 6)
		return DROP_IP6_BAD_VERSION;
	plen = rd16(p + 4);
	if (plen > end - off - IP6_HLEN)
		return DROP_IP6_BAD_LEN;

	key->flags |= FLOW_F_IP6;
	key->nw_tos = (uint8_t)(rd16(p) >> 4);
	memcpy(&label, p, sizeof(label));
	key->ip6_label = label & htonl(0x000fffff);
	key->nw_ttl = p[7];
	memcpy(key->ip_src, p + 8, 16);
	memcpy(key->ip_dst, p + 24, 16);
	c->ofs->l3 = (uint16_t)off;

	end = off + IP6_HLEN + plen;
	off += IP6_HLEN;
	nh = p[6];
	for (n_ext = 0; ip6_is_ext(nh); n_ext++) {
		uint32_t hlen;

		if (n_ext == PARSE_IP6_EXT_MAX)
			return DROP_IP6_EXT_TOO_MANY;
		if (IP6_EXT_MIN > end - off)
			return DROP_IP6_EXT_TRUNC;
		p = c->data + off;
		if (nh == PROTO_FRAGMENT)
			hlen = 8;
		else if (nh == PROTO_AH)
			hlen = (p[1] + 2u) * 4;
		else
			hlen = (p[1] + 1u) * 8;
		if (hlen > end - off)
			return DROP_IP6_EXT_TRUNC;
		off += hlen;
		if (nh == PROTO_FRAGMENT) {
			key->nw_frag = FLOW_FRAG_ANY;
			if (rd16(p + 2) & IP6_OFFMASK) {
				key->nw_frag |= FLOW_FRAG_LATER;
				key->nw_proto = p[0];
				return DROP_NONE;
			}
		}
		nh = p[0];
	}
	key->nw_proto = nh;
	return parse_l4(c, nh, off, end);
}

static enum drop_reason parse_arp(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	const uint8_t *p;
	uint16_t op;

	if (ARP_FIXED_LEN > end - off)
		return DROP_ARP_TRUNC;
	p = c->data + off;
	if (rd16(p) != ARP_HTYPE_ETH || rd16(p + 2) != ETH_TYPE_IP4 || p[4] != 6 || p[5] != 4)
		return DROP_ARP_BAD;
	if (ARP_ETH_IP4_LEN > end - off)
		return DROP_ARP_TRUNC;

	key->flags |= FLOW_F_ARP;
	/* An opcode that does not fit nw_proto must not alias a small one. */
	op = rd16(p + 6);
	key->nw_proto = op <= 0xff ? (uint8_t)op : 0;
	memcpy(key->arp_sha, p + 8, 6);
	memcpy(key->ip_src, p + 14, 4);
	memcpy(key->arp_tha, p + 18, 6);
	memcpy(key->ip_dst, p + 24, 4);
	c->ofs->l3 = (uint16_t)off;
	return DROP_NONE;
}

static enum drop_reason parse_eth(const struct parse_ctx *c, uint32_t off, uint32_t end)
{
	struct flow_key *key = c->key;
	const uint8_t *p;
	uint16_t type;

	if (ETH_HLEN > end - off)
		return DROP_ETH_TRUNC;
	p = c->data + off;
	memcpy(key->eth_dst, p, 6);
	memcpy(key->eth_src, p + 6, 6);
	type = rd16(p + 12);
	off += ETH_HLEN;

	while (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ) {
		if (key->n_vlans == FLOW_VLAN_MAX)
			return DROP_VLAN_TOO_MANY;
		if (VLAN_HLEN > end - off)
			return DROP_VLAN_TRUNC;
		p = c->data + off;
		key->vlan_tpid[key->n_vlans] = htons(type);
		key->vlan_tci[key->n_vlans] = raw16(p);
		key->n_vlans++;
		type = rd16(p + 2);
		off += VLAN_HLEN;
	}
	key->eth_type = htons(type);

	switch (type) {
	case ETH_TYPE_IP4:
		return parse_ip4(c, off, end);
	case ETH_TYPE_IP6:
		return parse_ip6(c, off, end);
	case ETH_TYPE_ARP:
		return parse_arp(c, off, end);
	}
	return DROP_NONE;
}

enum drop_reason parse_packet(const uint8_t *data, uint32_t len, unsigned flags,
                              struct flow_key *key, struct flow_offsets *ofs,
                              struct flow_tunnel *tnl)
{
	struct flow_offsets scratch;
	struct parse_ctx c = {
	        .data = data,
	        .key = key,
	        .ofs = ofs ? ofs : &scratch,
	        .tnl = tnl,
	        /* Without somewhere to put the outer headers, decode nothing. */
	        .flags = tnl ? flags : flags & ~(unsigned)PARSE_F_TUNNEL,
	};

	key_clear(key);
	memset(c.ofs, 0, sizeof(*c.ofs));
	return parse_eth(&c, 0, len);
}

/*
 * The frame a peer chassis almost always sends, checked in one go:
 * Ethernet without tags, IPv4 without options or fragmentation, UDP to
 * 6081, Geneve version 0 carrying Ethernet with exactly one option,
 * OVN's. Anything else is left to parse_packet(), which this must agree
 * with wherever it answers (the parser's fuzz target compares the two).
 */
bool parse_geneve4_fast(const uint8_t *data, uint32_t len, struct flow_key *key,
                        struct flow_offsets *ofs, struct flow_tunnel *tnl, enum drop_reason *r)
{
	enum {
		IP = ETH_HLEN,
		UDP = IP + IP4_HLEN,
		GNV = UDP + UDP_HLEN,
		OPT = GNV + GENEVE_HLEN,
		INNER = OPT + 8
	};
	if (len < INNER || rd16(data + 12) != ETH_TYPE_IP4)
		return false;
	const uint8_t *ip = data + IP, *udp = data + UDP, *g = data + GNV, *o = data + OPT;
	uint32_t total = rd16(ip + 2), ulen = rd16(udp + 4);
	if (ip[0] != 0x45 || ip[9] != PROTO_UDP || (rd16(ip + 6) & (IP4_MF | IP4_OFFMASK)) ||
	    total > len - IP || total < IP4_HLEN + UDP_HLEN || rd16(udp + 2) != GENEVE_UDP_PORT ||
	    ulen > total - IP4_HLEN || ulen < UDP_HLEN + GENEVE_HLEN + 8)
		return false;
	if (g[0] != 8 / 4 || rd16(g + 2) != ETH_TYPE_TEB || rd16(o) != GENEVE_OVN_OPT_CLASS ||
	    o[2] != GENEVE_OVN_OPT_TYPE || (o[3] & 0x1f) != 1)
		return false;

	struct parse_ctx c = {.data = data, .key = key, .ofs = ofs, .tnl = tnl, .flags = 0};
	tnl_clear(tnl);
	memcpy(tnl->src, ip + 12, 4);
	memcpy(tnl->dst, ip + 16, 4);
	tnl->ttl = ip[8];
	tnl->tos = ip[1];
	tnl->udp_src = rd16(udp);
	tnl->vni = (uint32_t)g[4] << 16 | (uint32_t)g[5] << 8 | g[6];
	tnl->opt_len = 8;
	tnl->flags = FLOW_TNL_F_OVN_OPT;
	if (g[1] & GENEVE_F_OAM)
		tnl->flags |= FLOW_TNL_F_OAM;
	if (g[1] & GENEVE_F_CRIT)
		tnl->flags |= FLOW_TNL_F_CRIT;
	tnl->ovn_in = rd16(o + 4) & 0x7fff;
	tnl->ovn_out = rd16(o + 6);
	key_clear(key);
	memset(ofs, 0, sizeof(*ofs));
	ofs->l2 = INNER;
	*r = parse_eth(&c, INNER, UDP + ulen);
	key->flags |= FLOW_F_TUNNEL;
	return true;
}
