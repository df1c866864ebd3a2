/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seed frames for fuzz_decap.c, as they arrive on the underlay port from
 * the peer chassis (192.168.100.2) for this one (192.168.100.1): each one
 * reaches a different part of the decap path with the snapshot of
 * decap_snapshot.c. Checksums of the IPv4 headers are right, so the
 * target can check that rewrites keep them right.
 */
#include <stdbool.h>
#include <string.h>

#include "dataplane/parse/parse.h"
#include "tests/fuzz/decap_seeds.h"

#define UL_PEER        0xc0a86402 /* 192.168.100.2 */
#define UL_SELF        0xc0a86401 /* 192.168.100.1 */
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint8_t mac_vm1[6] = {0, 0, 0, 0, 1, 1}, mac_vm2[6] = {0, 0, 0, 0, 1, 2},
                     mac_rvm[6] = {0, 0, 0, 0, 1, 3}, mac_vm3[6] = {0, 0, 0, 0, 3, 3},
                     mac_c1[6] = {0, 0, 0, 0, 3, 5}, mac_lr0_sw0[6] = {0, 0, 0, 0, 0xff, 1},
                     mac_lr0_sw1[6] = {0, 0, 0, 0, 0xff, 2},
                     mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                     mac_ul_self[6] = {0x02, 0, 0, 0, 0, 0x0a},
                     mac_ul_peer[6] = {0x02, 0, 0, 0, 0, 0x0b}, mac_zero[6];

struct seeds {
	struct pkt *v;
	unsigned n, max;
	uint32_t ip4[4]; /* IPv4 headers of the seed being built */
	unsigned n_ip4;
};

static struct pkt *next(struct seeds *s)
{
	struct pkt *b = &s->v[s->n < s->max ? s->n++ : s->max - 1];
	pkt_init(b);
	s->n_ip4 = 0;
	return b;
}

static uint32_t eth(struct pkt *b, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	uint32_t at = pkt_eth(b, type);
	memcpy(b->buf + at, dst, 6);
	memcpy(b->buf + at + 6, src, 6);
	return at;
}

static void ip4(struct seeds *s, struct pkt *b, uint8_t proto, uint32_t src, uint32_t dst)
{
	uint32_t at = pkt_ip4(b, proto, src, dst, 0);
	if (s->n_ip4 < 4)
		s->ip4[s->n_ip4++] = at;
}

/* The outer headers, from the peer to us, with the OVN option. */
static struct pkt *outer(struct seeds *s, uint32_t vni, uint16_t in, uint16_t out)
{
	struct pkt *b = next(s);
	eth(b, mac_ul_self, mac_ul_peer, 0x0800);
	ip4(s, b, 17, UL_PEER, UL_SELF);
	pkt_udp(b, 49152 + (uint16_t)s->n, 6081);
	pkt_geneve(b, vni, 0x6558, 0);
	pkt_geneve_ovn(b, in, out);
	return b;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

int32_t decap_l4_sum(const uint8_t *f, uint32_t len, const struct flow_key *k,
                     const struct flow_offsets *ofs, uint32_t *csum_at)
{
	if (!(k->flags & FLOW_F_L4) || k->nw_frag || ofs->l4 == 0)
		return -1;
	bool v6 = (k->flags & FLOW_F_IP6) != 0;
	const uint8_t *l3 = f + ofs->l3, *l4 = f + ofs->l4;
	uint32_t end = v6 ? ofs->l3 + 40u + ((uint32_t)l3[4] << 8 | l3[5])
	                  : ofs->l3 + ((uint32_t)l3[2] << 8 | l3[3]);
	uint32_t n = end - ofs->l4, sum = 0, at;
	if (end > len || end <= ofs->l4)
		return -1;
	switch (k->nw_proto) {
	case 6:
		at = 16;
		break;
	case 17:
		at = 6;
		break;
	case 1:
	case 58:
		if (v6 != (k->nw_proto == 58))
			return -1;
		at = 2;
		break;
	default:
		return -1;
	}
	if (at + 2 > n)
		return -1;
	if (k->nw_proto != 1) { /* the pseudo-header */
		sum = sum16(sum, l3 + (v6 ? 8 : 12), v6 ? 32 : 8);
		sum += k->nw_proto + (n >> 16) + (n & 0xffff);
	}
	sum = sum16(sum, l4, n);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	*csum_at = ofs->l4 + at;
	return (int32_t)sum;
}

static void done(struct seeds *s, struct pkt *b)
{
	struct flow_key k;
	struct flow_offsets ofs;
	struct flow_tunnel t;
	uint32_t at;
	int32_t sum;

	pkt_finish(b);
	for (unsigned i = 0; i < s->n_ip4; i++) {
		uint32_t ip = s->ip4[i], hsum;
		pkt_w16(b, ip + 10, 0);
		hsum = sum16(0, b->buf + ip, (b->buf[ip] & 0xf) * 4u);
		while (hsum >> 16)
			hsum = (hsum & 0xffff) + (hsum >> 16);
		pkt_w16(b, ip + 10, (uint16_t)~hsum);
	}
	/* The inner frame's L4 checksum too, where it has one. */
	if (parse_packet(b->buf, b->len, PARSE_F_TUNNEL, &k, &ofs, &t) != DROP_NONE)
		return;
	if (decap_l4_sum(b->buf, b->len, &k, &ofs, &at) < 0)
		return;
	pkt_w16(b, at, 0);
	sum = decap_l4_sum(b->buf, b->len, &k, &ofs, &at);
	pkt_w16(b, at, (uint16_t)~sum ? (uint16_t)~sum : 0xffff);
}

/* An inner IPv4 TCP frame. */
static void tcp4(struct seeds *s, struct pkt *b, const uint8_t dst[6], const uint8_t src[6],
                 uint32_t ip_src, uint32_t ip_dst, uint16_t dport)
{
	eth(b, dst, src, 0x0800);
	ip4(s, b, 6, ip_src, ip_dst);
	pkt_tcp(b, 40000, dport, 0x018, 5);
	pkt_zero(b, 16);
	done(s, b);
}

unsigned decap_seeds(struct pkt *v, unsigned max)
{
	static const uint8_t ip6_vm2[16] = {0xfd, 0, [15] = 0x0c},
	                     ip6_rvm[16] = {0xfd, 0, [15] = 0x0d},
	                     ip6_66[16] = {0xfd, 0, [15] = 0x66},
	                     ip6_ul[16] = {192, 168, 100, 1, [15] = 1};
	struct seeds s = {.v = v, .max = max};
	struct pkt *b;
	uint32_t at;

	/* sw0: to vm1 (psec passes), telnet to vm1 (ACL drop), to 10.0.0.66
	 * (rewritten to vm1's address), to vm2 port 8080 (L4 rewrite), an
	 * IPv6 frame to vm2, a frame port security drops. */
	tcp4(&s, outer(&s, 1, 3, 1), mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	tcp4(&s, outer(&s, 1, 3, 1), mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 23);
	b = outer(&s, 1, 3, 1);
	eth(b, mac_vm1, mac_rvm, 0x0800);
	ip4(&s, b, 17, IP(10, 0, 0, 13), IP(10, 0, 0, 66));
	pkt_udp(b, 5353, 53);
	pkt_zero(b, 12);
	done(&s, b);
	tcp4(&s, outer(&s, 1, 3, 2), mac_vm2, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 12), 8080);
	b = outer(&s, 1, 3, 2);
	eth(b, mac_vm2, mac_rvm, 0x86dd);
	pkt_ip6(b, 58, ip6_rvm, ip6_vm2);
	pkt_icmp6(b, 128, 0);
	done(&s, b);
	tcp4(&s, outer(&s, 1, 3, 1), mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 99), 80);
	b = outer(&s, 1, 3, 2); /* to fd00::66, rewritten to vm2's address */
	eth(b, mac_vm2, mac_rvm, 0x86dd);
	pkt_ip6(b, 17, ip6_rvm, ip6_66);
	pkt_udp(b, 5353, 53);
	pkt_zero(b, 12);
	done(&s, b);
	b = outer(&s, 1, 3, 2); /* a neighbour solicitation, to vm2 */
	eth(b, mac_vm2, mac_rvm, 0x86dd);
	pkt_ip6(b, 58, ip6_rvm, ip6_vm2);
	pkt_nd(b, 135, ip6_vm2);
	pkt_nd_opt(b, 1, 1, mac_rvm);
	done(&s, b);

	/* sw0's groups: a broadcast ARP for the router (flooded to vm1, vm2
	 * and the router, which answers through its patch port), and an
	 * unknown unicast frame. */
	b = outer(&s, 1, 3, 32768);
	eth(b, mac_bcast, mac_rvm, 0x0806);
	pkt_arp(b, 1, mac_rvm, IP(10, 0, 0, 13), mac_zero, IP(10, 0, 0, 1));
	done(&s, b);
	tcp4(&s, outer(&s, 1, 3, 32769), mac_rvm, mac_vm2, IP(10, 0, 0, 12), IP(10, 0, 0, 13), 22);

	/* sw1: routed on the peer already (source MAC the router's, TTL one
	 * lower), to vm3 and to the container port c1 (leaves tagged); a
	 * VLAN tagged frame flooded. */
	tcp4(&s, outer(&s, 3, 2, 1), mac_vm3, mac_lr0_sw1, IP(10, 0, 0, 13), IP(10, 1, 0, 13), 443);
	tcp4(&s, outer(&s, 3, 2, 4), mac_c1, mac_lr0_sw1, IP(10, 0, 0, 13), IP(10, 1, 0, 15), 22);
	b = outer(&s, 3, 2, 32768);
	eth(b, mac_bcast, mac_rvm, 0x8100);
	pkt_vlan(b, 7, 0x0800);
	ip4(&s, b, 17, IP(10, 1, 0, 14), IP(10, 1, 0, 255));
	pkt_udp(b, 68, 67);
	done(&s, b);

	/* lr0 from a tunnel: its egress, then sw1's ingress (routed, source
	 * rewritten); an echo request for the router (its answer needs an
	 * ARP first: generated); one whose TTL runs out (an ICMP error
	 * generated, for vm2's address); one to a next hop it has no MAC
	 * for (ARP generated). */
	tcp4(&s, outer(&s, 2, 1, 2), mac_vm3, mac_lr0_sw1, IP(10, 0, 0, 11), IP(10, 1, 0, 13), 80);
	b = outer(&s, 1, 3, 4);
	eth(b, mac_lr0_sw0, mac_rvm, 0x0800);
	ip4(&s, b, 1, IP(10, 0, 0, 13), IP(10, 0, 0, 1));
	pkt_icmp4(b, 8, 0);
	done(&s, b);
	b = outer(&s, 1, 3, 4);
	eth(b, mac_lr0_sw0, mac_vm2, 0x0800);
	at = (uint32_t)b->len;
	ip4(&s, b, 17, IP(10, 0, 0, 12), IP(10, 1, 0, 13));
	pkt_w8(b, at + 8, 1);
	pkt_udp(b, 1000, 2000);
	pkt_zero(b, 8);
	done(&s, b);
	tcp4(&s, outer(&s, 1, 3, 4), mac_lr0_sw0, mac_rvm, IP(10, 0, 0, 13), IP(10, 1, 0, 77), 80);

	/* Not for the pipeline: ARP for our encap IP (answered), Geneve
	 * without the OVN option, for a datapath or a port that is not here,
	 * to another address, plain UDP. */
	b = next(&s);
	eth(b, mac_bcast, mac_ul_peer, 0x0806);
	pkt_arp(b, 1, mac_ul_peer, UL_PEER, mac_zero, UL_SELF);
	done(&s, b);
	b = next(&s);
	eth(b, mac_ul_self, mac_ul_peer, 0x0800);
	ip4(&s, b, 17, UL_PEER, UL_SELF);
	pkt_udp(b, 49999, 6081);
	pkt_geneve(b, 1, 0x6558, 0);
	pkt_geneve_opt(b, 0xffff, 1, "abcd", 4);
	tcp4(&s, b, mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	tcp4(&s, outer(&s, 9, 3, 1), mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	tcp4(&s, outer(&s, 1, 3, 7), mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	b = outer(&s, 1, 3, 1);
	pkt_w32(b, 30, 0xc0a86409);
	tcp4(&s, b, mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	/* IPv6 outside, to an address that starts with our IPv4 encap IP's
	 * bytes: not ours either. */
	b = next(&s);
	eth(b, mac_ul_self, mac_ul_peer, 0x86dd);
	pkt_ip6(b, 17, ip6_rvm, ip6_ul);
	pkt_udp(b, 49998, 6081);
	pkt_geneve(b, 1, 0x6558, 0);
	pkt_geneve_ovn(b, 3, 1);
	tcp4(&s, b, mac_vm1, mac_rvm, IP(10, 0, 0, 13), IP(10, 0, 0, 11), 80);
	return s.n;
}
