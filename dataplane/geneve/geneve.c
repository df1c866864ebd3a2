/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/geneve/geneve.h"

#include <string.h>

#include "dataplane/api/cksum.h"

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The one's complement sum of @p n bytes as big-endian 16-bit words, added
 * to @p sum, eight bytes at a time: the sum of words read in the host's
 * order is the byte-swapped sum of the big-endian words (RFC 1071), so
 * only the folded result needs swapping.
 */
static uint32_t sum_wide(uint32_t sum, const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		s += (w & 0xffffffffu) + (w >> 32);
	}
	if (n >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s += w;
		p += 4, n -= 4;
	}
	if (n >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2, n -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n)
		s += *p; /* the high byte of a big-endian word: low in the host's */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return sum + (uint32_t)(((s & 0xff) << 8) | (s >> 8));
#else
	if (n)
		s += (uint32_t)*p << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return sum + (uint32_t)s;
#endif
}

static uint16_t udp_src_of(uint64_t h)
{
	h ^= h >> 31;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint16_t)(49152 + (h & 16383));
}

uint16_t geneve_udp_src(const struct flow_key *k)
{
	uint64_t e = (uint64_t)k->tp_src | (uint64_t)k->tp_dst << 16 | (uint64_t)k->nw_proto << 32;
	if (k->flags & FLOW_F_IP4) {
		/* IPv4: the addresses fill one word, the rest zero anyway. */
		uint32_t sa, da;
		memcpy(&sa, k->ip_src, 4);
		memcpy(&da, k->ip_dst, 4);
		uint64_t a = (uint64_t)sa | (uint64_t)da << 32;
		return udp_src_of((a * 0x9e3779b97f4a7c15ull) ^ ((e + 1) * 0xff51afd7ed558ccdull));
	}
	/* Independent products (they run side by side), then one mix. */
	uint64_t a, b, c, d;
	memcpy(&a, k->ip_src, 8);
	memcpy(&b, k->ip_src + 8, 8);
	memcpy(&c, k->ip_dst, 8);
	memcpy(&d, k->ip_dst + 8, 8);
	return udp_src_of((a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^
	                  (c * 0x165667b19e3779f9ull) ^ (d * 0x27d4eb2f165667c5ull) ^
	                  ((e + 1) * 0xff51afd7ed558ccdull));
}

unsigned geneve_encap(uint8_t *out, const struct geneve_path *p, const struct geneve_meta *m,
                      const uint8_t *inner, uint32_t inner_len)
{
	unsigned l3 = p->ip6 ? 40 : 20;
	uint32_t udp_len = 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN + inner_len;
	uint8_t *ip = out + 14, *udp = ip + l3, *g = udp + 8;

	memcpy(out, p->eth_dst, 6);
	memcpy(out + 6, p->eth_src, 6);
	w16(out + 12, p->ip6 ? 0x86dd : 0x0800);

	memset(ip, 0, l3);
	if (p->ip6) {
		ip[0] = 0x60;
		w16(ip + 4, (uint16_t)udp_len);
		ip[6] = 17;
		ip[7] = p->ttl;
		memcpy(ip + 8, p->src, 16);
		memcpy(ip + 24, p->dst, 16);
	} else {
		ip[0] = 0x45;
		w16(ip + 2, (uint16_t)(20 + udp_len));
		w16(ip + 6, 0x4000); /* DF: the underlay must not fragment */
		ip[8] = p->ttl;
		ip[9] = 17;
		memcpy(ip + 12, p->src, 4);
		memcpy(ip + 16, p->dst, 4);
		if (!p->offload)
			w16(ip + 10, cksum_fold(cksum_add(0, ip, 20)));
	}

	w16(udp, m->udp_src);
	w16(udp + 2, GENEVE_UDP_PORT);
	w16(udp + 4, (uint16_t)udp_len);
	w16(udp + 6, 0);

	/* Version 0, option length in 4-byte words, protocol: Ethernet. */
	g[0] = GENEVE_OPT_OVN_LEN / 4;
	g[1] = 0;
	w16(g + 2, 0x6558);
	g[4] = (uint8_t)(m->vni >> 16);
	g[5] = (uint8_t)(m->vni >> 8);
	g[6] = (uint8_t)m->vni;
	g[7] = 0;
	uint8_t *o = g + GENEVE_HDR_LEN;
	w16(o, GENEVE_OVN_OPT_CLASS);
	o[2] = GENEVE_OVN_OPT_TYPE;
	o[3] = 1; /* 4 bytes of data */
	w16(o + 4, m->in_port & 0x7fff);
	w16(o + 6, m->out_port);

	if (p->csum || p->ip6) {
		uint32_t s = 0;
		if (p->ip6)
			s = cksum_add(0, ip + 8, 32);
		else
			s = cksum_add(0, ip + 12, 8);
		s += 17 + udp_len;
		if (p->offload) {
			w16(udp + 6, cksum_fold_raw(s));
			return 14 + l3 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN;
		}
		s = cksum_add(s, udp, 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN);
		s = sum_wide(s, inner, inner_len);
		uint16_t c = cksum_fold(s);
		w16(udp + 6, c ? c : 0xffff);
	}
	return 14 + l3 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN;
}

void geneve_tmpl_init(struct geneve_tmpl *t, const struct geneve_path *p)
{
	static const uint8_t zero[GENEVE_ENCAP_MAX];
	struct geneve_meta m = {0};
	memset(t, 0, sizeof(*t));
	t->ip6 = p->ip6;
	t->csum = p->csum || p->ip6;
	t->offload = p->offload;
	/* The headers of an empty frame with zero keys and ports, no sums. */
	struct geneve_path q = *p;
	q.csum = false;
	q.offload = true;
	t->len = (uint8_t)geneve_encap(t->hdr, &q, &m, zero, 0);
	uint8_t *ip = t->hdr + 14, *udp = ip + (p->ip6 ? 40 : 20);
	if (p->ip6) {
		w16(ip + 4, 0);
	} else {
		w16(ip + 2, 0);
		t->ip_sum = cksum_add(0, ip, 20);
	}
	w16(udp + 4, 0);
	w16(udp + 6, 0);
	t->ph_sum = cksum_add(0, p->ip6 ? ip + 8 : ip + 12, p->ip6 ? 32 : 8) + 17;
	t->hdr_sum = cksum_add(0, udp, 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN);
}

unsigned geneve_tmpl_apply(uint8_t *out, const struct geneve_tmpl *t, const struct geneve_meta *m,
                           const uint8_t *inner, uint32_t inner_len)
{
	unsigned l3 = t->ip6 ? 40 : 20;
	uint32_t udp_len = 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN + inner_len;
	uint8_t *ip = out + 14, *udp = ip + l3, *g = udp + 8, *o = g + GENEVE_HDR_LEN;
	uint16_t in = m->in_port & 0x7fff;
	memcpy(out, t->hdr, t->len);
	if (t->ip6) {
		w16(ip + 4, (uint16_t)udp_len);
	} else {
		w16(ip + 2, (uint16_t)(20 + udp_len));
		if (!t->offload)
			w16(ip + 10, cksum_fold(t->ip_sum + 20 + udp_len));
	}
	w16(udp, m->udp_src);
	w16(udp + 4, (uint16_t)udp_len);
	g[4] = (uint8_t)(m->vni >> 16);
	g[5] = (uint8_t)(m->vni >> 8);
	g[6] = (uint8_t)m->vni;
	w16(o + 4, in);
	w16(o + 6, m->out_port);
	if (!t->csum)
		return t->len;
	if (t->offload) {
		w16(udp + 6, cksum_fold_raw(t->ph_sum + udp_len));
		return t->len;
	}
	/* UDP's length counts twice: the pseudo-header's and its own. */
	uint32_t s = t->ph_sum + t->hdr_sum + 2 * udp_len + m->udp_src + ((m->vni >> 8) & 0xffff) +
	             ((m->vni & 0xff) << 8) + in + m->out_port;
	uint16_t c = cksum_fold(sum_wide(s, inner, inner_len));
	w16(udp + 6, c ? c : 0xffff);
	return t->len;
}
