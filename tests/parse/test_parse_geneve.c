/* SPDX-License-Identifier: Apache-2.0 */
/* Parser unit tests: Geneve decapsulation with OVN's metadata option. */
#include <arpa/inet.h>
#include <string.h>

#include "tests/parse/parse_test.h"

#define OUTER_IP4  0xc0000201 /* 192.0.2.1 */
#define OUTER_IP4B 0xc0000202
#define INNER_IP4  0x0a010101
#define INNER_IP4B 0x0a010102
#define VNI        0x123456

/* Where the Geneve and inner headers of a built packet start. */
struct gnv {
	uint32_t udp;
	uint32_t geneve;
	uint32_t ovn_opt;
	uint32_t inner;
};

static const uint8_t inner_mac[6] = {0x0a, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t outer6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t outer6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* Outer IPv4 (or IPv6) + UDP + Geneve with the OVN option; no inner frame yet. */
static void build_outer(struct pkt *b, struct gnv *g, int ip6)
{
	pkt_init(b);
	pkt_eth(b, ip6 ? 0x86dd : 0x0800);
	if (ip6)
		pkt_ip6(b, 17, outer6_a, outer6_b);
	else
		pkt_ip4(b, 17, OUTER_IP4, OUTER_IP4B, 0);
	g->udp = pkt_udp(b, 54321, 6081);
	g->geneve = pkt_geneve(b, VNI, 0x6558, 0x40);
	g->ovn_opt = pkt_geneve_ovn(b, 5, 0x8001);
	g->inner = b->len;
}

static void add_inner_tcp(struct pkt *b)
{
	uint32_t eth = pkt_eth(b, 0x0800);

	memcpy(b->buf + eth + 6, inner_mac, 6);
	pkt_ip4(b, 6, INNER_IP4, INNER_IP4B, 0);
	pkt_tcp(b, 33333, 80, 0x002, 5);
}

static void build_ip4_tcp(struct pkt *b, struct gnv *g)
{
	build_outer(b, g, 0);
	add_inner_tcp(b);
	pkt_finish(b);
}

static enum drop_reason parse_tnl(const struct pkt *b, struct flow_key *key,
                                  struct flow_offsets *ofs, struct flow_tunnel *tnl)
{
	return parse_exact(b, b->len, PARSE_F_TUNNEL, key, ofs, tnl);
}

static void test_geneve_ip4(void **state)
{
	struct flow_offsets ofs;
	struct flow_tunnel tnl;
	struct flow_key key;
	uint32_t a = htonl(OUTER_IP4), z = htonl(OUTER_IP4B);
	uint8_t zero[12] = {0};
	struct gnv g;
	struct pkt b;

	(void)state;
	build_ip4_tcp(&b, &g);
	pkt_w8(&b, 14 + 1, 0x20);
	pkt_w8(&b, 14 + 8, 33);
	memset(&tnl, 0xa5, sizeof(tnl));
	assert_drop(parse_tnl(&b, &key, &ofs, &tnl), DROP_NONE);

	assert_memory_equal(tnl.src, &a, 4);
	assert_memory_equal(tnl.dst, &z, 4);
	assert_memory_equal(tnl.src + 4, zero, 12);
	assert_memory_equal(tnl.dst + 4, zero, 12);
	assert_int_equal(tnl.vni, VNI);
	assert_int_equal(tnl.udp_src, 54321);
	assert_int_equal(tnl.ovn_in, 5);
	assert_int_equal(tnl.ovn_out, 0x8001);
	assert_true(tnl.ovn_out >= OVN_MCAST_KEY_MIN);
	assert_int_equal(tnl.opt_len, 8);
	assert_int_equal(tnl.flags, FLOW_TNL_F_OVN_OPT | FLOW_TNL_F_CRIT);
	assert_int_equal(tnl.ttl, 33);
	assert_int_equal(tnl.tos, 0x20);

	assert_int_equal(key.flags, FLOW_F_TUNNEL | FLOW_F_IP4 | FLOW_F_L4);
	assert_memory_equal(key.eth_src, inner_mac, 6);
	assert_memory_equal(key.eth_dst, pkt_mac_a, 6);
	assert_int_equal(key.eth_type, htons(0x0800));
	assert_int_equal(key.nw_ttl, 64);
	assert_int_equal(key.nw_tos, 0);
	a = htonl(INNER_IP4);
	z = htonl(INNER_IP4B);
	assert_memory_equal(key.ip_src, &a, 4);
	assert_memory_equal(key.ip_dst, &z, 4);
	assert_int_equal(key.nw_proto, 6);
	assert_int_equal(key.tp_src, htons(33333));
	assert_int_equal(key.tp_dst, htons(80));
	assert_int_equal(key.tcp_flags, htons(0x002));

	assert_int_equal(g.inner, 14 + 20 + 8 + 8 + 8);
	assert_int_equal(ofs.l2, g.inner);
	assert_int_equal(ofs.l3, g.inner + 14);
	assert_int_equal(ofs.l4, g.inner + 34);
	assert_int_equal(ofs.l7, g.inner + 54);
}

static void test_geneve_ip6_arp(void **state)
{
	struct flow_offsets ofs;
	struct flow_tunnel tnl;
	struct flow_key key;
	struct gnv g;
	struct pkt b;

	(void)state;
	build_outer(&b, &g, 1);
	pkt_eth(&b, 0x0806);
	pkt_arp(&b, 1, inner_mac, INNER_IP4, pkt_mac_a, INNER_IP4B);
	pkt_finish(&b);
	pkt_w32(&b, 14, 0x6a012345); /* traffic class 0xa0, flow label 0x12345 */
	assert_drop(parse_tnl(&b, &key, &ofs, &tnl), DROP_NONE);

	assert_int_equal(tnl.flags, FLOW_TNL_F_IP6 | FLOW_TNL_F_OVN_OPT | FLOW_TNL_F_CRIT);
	assert_memory_equal(tnl.src, outer6_a, 16);
	assert_memory_equal(tnl.dst, outer6_b, 16);
	assert_int_equal(tnl.tos, 0xa0);
	assert_int_equal(tnl.ttl, 64);
	assert_int_equal(tnl.vni, VNI);

	assert_int_equal(key.flags, FLOW_F_TUNNEL | FLOW_F_ARP);
	assert_int_equal(key.ip6_label, 0); /* the outer label is not the inner key's */
	assert_int_equal(key.nw_proto, 1);
	assert_memory_equal(key.arp_sha, inner_mac, 6);
	assert_int_equal(ofs.l2, 14 + 40 + 8 + 16);
	assert_int_equal(ofs.l3, ofs.l2 + 14);
	assert_int_equal(ofs.l4, 0);
}

/* Without PARSE_F_TUNNEL (or nowhere to put it), Geneve is plain UDP. */
static void test_geneve_not_decoded(void **state)
{
	struct flow_offsets ofs;
	struct flow_tunnel tnl, before;
	struct flow_key key;
	uint32_t a = htonl(OUTER_IP4);
	struct gnv g;
	struct pkt b;

	(void)state;
	build_ip4_tcp(&b, &g);
	memset(&tnl, 0xa5, sizeof(tnl));
	before = tnl;
	assert_drop(parse_exact(&b, b.len, 0, &key, &ofs, &tnl), DROP_NONE);
	assert_memory_equal(&tnl, &before, sizeof(tnl));
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 17);
	assert_int_equal(key.tp_src, htons(54321));
	assert_int_equal(key.tp_dst, htons(6081));
	assert_memory_equal(key.ip_src, &a, 4);
	assert_int_equal(ofs.l2, 0);
	assert_int_equal(ofs.l4, g.udp);

	assert_drop(parse_exact(&b, b.len, PARSE_F_TUNNEL, &key, &ofs, NULL), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);

	/* Another destination port is not Geneve. */
	pkt_w16(&b, g.udp + 2, 6082);
	assert_drop(parse_tnl(&b, &key, &ofs, &tnl), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.tp_dst, htons(6082));

	/* Nor is a fragment, which cannot be decapsulated alone. */
	pkt_w16(&b, g.udp + 2, 6081);
	pkt_w16(&b, 14 + 6, 0x2000);
	assert_drop(parse_tnl(&b, &key, &ofs, &tnl), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.nw_frag, FLOW_FRAG_ANY);
}

static void test_geneve_options(void **state)
{
	static const uint8_t other[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct flow_tunnel tnl;
	struct flow_key key;
	struct pkt b;

	(void)state;
	/* Another option first, then OVN's with the reserved bit set. */
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 17, OUTER_IP4, OUTER_IP4B, 0);
	pkt_udp(&b, 1, 6081);
	pkt_geneve(&b, 7, 0x6558, 0x80);
	pkt_geneve_opt(&b, 0xffff, 0x01, other, sizeof(other));
	pkt_geneve_opt(&b, 0x0102, 0x81, NULL, 0); /* same class, other type */
	pkt_geneve_ovn(&b, 0x8000 | 0x7fff, 3);
	pkt_geneve_ovn(&b, 9, 9); /* a repeat does not override */
	add_inner_tcp(&b);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_NONE);
	assert_int_equal(tnl.opt_len, 12 + 4 + 8 + 8);
	assert_int_equal(tnl.flags, FLOW_TNL_F_OVN_OPT | FLOW_TNL_F_OAM);
	assert_int_equal(tnl.ovn_in, 0x7fff);
	assert_int_equal(tnl.ovn_out, 3);
	assert_int_equal(tnl.vni, 7);
	assert_int_equal(key.tp_dst, htons(80));

	/* No options at all. */
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 17, OUTER_IP4, OUTER_IP4B, 0);
	pkt_udp(&b, 1, 6081);
	pkt_geneve(&b, 0xffffff, 0x6558, 0);
	add_inner_tcp(&b);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_NONE);
	assert_int_equal(tnl.opt_len, 0);
	assert_int_equal(tnl.flags, 0);
	assert_int_equal(tnl.ovn_in, 0);
	assert_int_equal(tnl.ovn_out, 0);
	assert_int_equal(tnl.vni, 0xffffff);
	assert_int_equal(key.flags, FLOW_F_TUNNEL | FLOW_F_IP4 | FLOW_F_L4);
}

static void test_geneve_malformed(void **state)
{
	struct flow_tunnel tnl;
	struct flow_key key;
	struct gnv g;
	struct pkt b;

	(void)state;
	build_ip4_tcp(&b, &g);
	pkt_w8(&b, g.geneve, 0x40 | 2); /* version 1 */
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_BAD_VERSION);

	build_ip4_tcp(&b, &g);
	pkt_w16(&b, g.geneve + 2, 0x0800); /* IPv4 payload, not Ethernet */
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_NOT_ETH);

	/* Options longer than the UDP payload: 63 words. */
	build_ip4_tcp(&b, &g);
	pkt_w8(&b, g.geneve, 0x3f);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_TRUNC);

	/* Options past the UDP payload, into the frame's padding. */
	build_outer(&b, &g, 0);
	pkt_finish(&b);
	pkt_w8(&b, g.geneve, 3);
	pkt_pad(&b, 80);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_TRUNC);

	/* An option running past the option area (12 bytes in 8). */
	build_ip4_tcp(&b, &g);
	pkt_w8(&b, g.ovn_opt + 3, 2);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_BAD_OPT);

	/* OVN's option data past a shorter option area (4 bytes). */
	build_ip4_tcp(&b, &g);
	pkt_w8(&b, g.geneve, 1);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_BAD_OPT);

	/* OVN's option with 8 bytes, then with none. */
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 17, OUTER_IP4, OUTER_IP4B, 0);
	pkt_udp(&b, 1, 6081);
	pkt_geneve(&b, VNI, 0x6558, 0x40);
	pkt_geneve_opt(&b, 0x0102, 0x80, "\0\0\0\1\0\0\0\2", 8);
	add_inner_tcp(&b);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_BAD_OVN_OPT);

	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 17, OUTER_IP4, OUTER_IP4B, 0);
	pkt_udp(&b, 1, 6081);
	pkt_geneve(&b, VNI, 0x6558, 0x40);
	pkt_geneve_opt(&b, 0x0102, 0x80, NULL, 0);
	add_inner_tcp(&b);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_BAD_OVN_OPT);

	/* A Geneve header cut by the UDP length. */
	build_outer(&b, &g, 0);
	pkt_finish(&b);
	pkt_w16(&b, g.udp + 4, 8 + 7);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_GENEVE_TRUNC);
}

/* The inner frame ends where UDP does, not where the outer frame does. */
static void test_geneve_inner_bounds(void **state)
{
	struct flow_tunnel tnl;
	struct flow_key key;
	struct gnv g;
	struct pkt b;

	(void)state;
	build_outer(&b, &g, 0);
	pkt_zero(&b, 10);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_ETH_TRUNC);
	assert_int_equal(tnl.vni, VNI);

	build_ip4_tcp(&b, &g);
	pkt_zero(&b, 20); /* outer Ethernet padding */
	pkt_w16(&b, g.inner + 14 + 2, 40 + 20);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_IP4_BAD_LEN);

	/* A UDP length shorter than the IP payload cuts the inner frame too. */
	build_ip4_tcp(&b, &g);
	pkt_w16(&b, g.udp + 4, (uint16_t)(b.len - g.udp - 1));
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_IP4_BAD_LEN);
}

/* Only one level is decoded: Geneve in Geneve shows as inner UDP. */
static void test_geneve_nested(void **state)
{
	struct flow_tunnel tnl;
	struct flow_key key;
	struct gnv g;
	struct pkt b;

	(void)state;
	build_outer(&b, &g, 0);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 17, INNER_IP4, INNER_IP4B, 0);
	pkt_udp(&b, 777, 6081);
	pkt_geneve(&b, 99, 0x6558, 0);
	add_inner_tcp(&b);
	pkt_finish(&b);
	assert_drop(parse_tnl(&b, &key, NULL, &tnl), DROP_NONE);
	assert_int_equal(tnl.vni, VNI);
	assert_int_equal(tnl.udp_src, 54321);
	assert_int_equal(key.flags, FLOW_F_TUNNEL | FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.tp_src, htons(777));
	assert_int_equal(key.tp_dst, htons(6081));
}

int run_geneve_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_geneve_ip4),
	        cmocka_unit_test(test_geneve_ip6_arp),
	        cmocka_unit_test(test_geneve_not_decoded),
	        cmocka_unit_test(test_geneve_options),
	        cmocka_unit_test(test_geneve_malformed),
	        cmocka_unit_test(test_geneve_inner_bounds),
	        cmocka_unit_test(test_geneve_nested),
	};

	return cmocka_run_group_tests_name("parse-geneve", tests, NULL, NULL);
}
