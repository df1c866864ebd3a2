/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/geneve/geneve.h"

#include <string.h>

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One's complement sum of 16-bit big-endian words. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold_raw(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t fold(uint32_t sum)
{
	return (uint16_t)~fold_raw(sum);
}

uint16_t geneve_udp_src(const struct flow_key *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ k->nw_proto;
	for (int i = 0; i < 16; i++)
		h = (h ^ k->ip_src[i] ^ (uint64_t)k->ip_dst[i] << 8) * 0x100000001b3ull;
	h = (h ^ k->tp_src ^ (uint64_t)k->tp_dst << 16) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint16_t)(49152 + h % 16384);
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
			w16(ip + 10, fold(sum16(0, ip, 20)));
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
			s = sum16(0, ip + 8, 32);
		else
			s = sum16(0, ip + 12, 8);
		s += 17 + udp_len;
		if (p->offload) {
			w16(udp + 6, fold_raw(s));
			return 14 + l3 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN;
		}
		s = sum16(s, udp, 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN);
		s = sum16(s, inner, inner_len);
		uint16_t c = fold(s);
		w16(udp + 6, c ? c : 0xffff);
	}
	return 14 + l3 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN;
}
