/* SPDX-License-Identifier: Apache-2.0 */
/* Parser unit tests: IPv6, its extension headers, ICMPv6 and ND. */
#include <arpa/inet.h>
#include <string.h>

#include "tests/parse/parse_test.h"

#define L3 14
#define L4 (14 + 40)

static const uint8_t target[16] = {0xfe, 0x80, [8] = 0x02, [15] = 0x42};
static const uint8_t mac_c[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};

static enum drop_reason parse_all(const struct pkt *b, struct flow_key *key,
                                  struct flow_offsets *ofs)
{
	return parse_exact(b, b->len, 0, key, ofs, NULL);
}

static void test_ip6_tcp(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 6, pkt_ip6_a, pkt_ip6_b);
	pkt_tcp(&b, 22, 50000, 0x018, 5); /* PSH, ACK */
	pkt_zero(&b, 7);
	pkt_finish(&b);
	pkt_w32(&b, L3, 0x6b9abcde); /* traffic class 0xb9, flow label 0xabcde */
	pkt_w8(&b, L3 + 7, 3);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4);
	assert_int_equal(key.eth_type, htons(0x86dd));
	assert_int_equal(key.nw_tos, 0xb9);
	assert_int_equal(key.ip6_label, htonl(0xabcde));
	assert_int_equal(key.nw_ttl, 3);
	assert_int_equal(key.nw_proto, 6);
	assert_int_equal(key.nw_frag, 0);
	assert_memory_equal(key.ip_src, pkt_ip6_a, 16);
	assert_memory_equal(key.ip_dst, pkt_ip6_b, 16);
	assert_int_equal(key.tp_src, htons(22));
	assert_int_equal(key.tp_dst, htons(50000));
	assert_int_equal(key.tcp_flags, htons(0x018));
	assert_int_equal(ofs.l3, L3);
	assert_int_equal(ofs.l4, L4);
	assert_int_equal(ofs.l7, L4 + 20);
}

static void test_ip6_ext_chain(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 0, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(&b, 0, 43, 8);   /* hop-by-hop */
	pkt_ip6_ext(&b, 43, 60, 24); /* routing */
	pkt_ip6_ext(&b, 60, 51, 16); /* destination options */
	pkt_ip6_ext(&b, 51, 17, 20); /* AH: 4-byte units, not 8 */
	pkt_udp(&b, 1111, 2222);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 17);
	assert_int_equal(key.nw_frag, 0);
	assert_int_equal(key.tp_src, htons(1111));
	assert_int_equal(key.tp_dst, htons(2222));
	assert_int_equal(ofs.l3, L3);
	assert_int_equal(ofs.l4, L4 + 8 + 24 + 16 + 20);
}

static void build_ext_n(struct pkt *b, unsigned n)
{
	pkt_init(b);
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, n ? 60 : 6, pkt_ip6_a, pkt_ip6_b);
	for (unsigned i = 0; i < n; i++)
		pkt_ip6_ext(b, 60, i + 1 < n ? 60 : 6, 8);
	pkt_tcp(b, 1, 2, 0x002, 5);
	pkt_finish(b);
}

static void test_ip6_ext_max(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ext_n(&b, PARSE_IP6_EXT_MAX);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.nw_proto, 6);
	assert_int_equal(ofs.l4, L4 + 8 * PARSE_IP6_EXT_MAX);
	build_ext_n(&b, PARSE_IP6_EXT_MAX + 1);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_EXT_TOO_MANY);
}

static void test_ip6_ext_trunc(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	/* Hop-by-hop claiming 48 bytes where the payload has 8 + 20. */
	build_ext_n(&b, 1);
	pkt_w8(&b, L4 + 1, 5);
	pkt_zero(&b, 40); /* frame bytes past the payload length do not count */
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_EXT_TRUNC);

	/* AH claiming (4 + 2) * 4 = 24 bytes where the payload has 20. */
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 51, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(&b, 51, 59, 20);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	pkt_w8(&b, L4 + 1, 4);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_EXT_TRUNC);

	/* An extension header shorter than its 8-byte minimum. */
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 44, pkt_ip6_a, pkt_ip6_b);
	pkt_zero(&b, 7);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_EXT_TRUNC);
}

static void test_ip6_no_next_header(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 0, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(&b, 0, 59, 8);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6);
	assert_int_equal(key.nw_proto, 59);
	assert_int_equal(ofs.l4, 0);

	/* ICMPv4's number under IPv6 is not ICMP. */
	pkt_w8(&b, L4, 1);
	pkt_zero(&b, 8);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6);
	assert_int_equal(key.nw_proto, 1);
}

static void test_ip6_frag_first(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 0, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(&b, 0, 44, 8);
	pkt_ip6_frag(&b, 17, 0, 1);
	pkt_udp(&b, 3000, 4000);
	pkt_zero(&b, 8);
	pkt_finish(&b);
	pkt_w16(&b, L4 + 16 + 4, 3000); /* the whole datagram's length */
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.nw_frag, FLOW_FRAG_ANY);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 17);
	assert_int_equal(key.tp_dst, htons(4000));
	assert_int_equal(ofs.l4, L4 + 16);
}

static void test_ip6_frag_later(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 44, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_frag(&b, 6, 185, 0);
	pkt_zero(&b, 5); /* not a TCP header: must not be read */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
	assert_int_equal(key.flags, FLOW_F_IP6);
	assert_int_equal(key.nw_proto, 6);
	assert_int_equal(key.tp_src, 0);
	assert_int_equal(ofs.l4, 0);
}

static void test_ip6_malformed(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ext_n(&b, 0);
	pkt_w8(&b, L3, 0x45);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_BAD_VERSION);

	build_ext_n(&b, 0);
	pkt_w16(&b, L3 + 4, 21);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_BAD_LEN);
	pkt_w16(&b, L3 + 4, 0xffff);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP6_BAD_LEN);

	/* A payload length shorter than the TCP header cuts TCP, not IPv6. */
	pkt_w16(&b, L3 + 4, 19);
	assert_drop(parse_all(&b, &key, NULL), DROP_TCP_TRUNC);
}

static void test_icmp6_echo(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_icmp6(&b, 128, 0);
	pkt_zero(&b, 56);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 58);
	assert_int_equal(key.tp_src, htons(128));
	assert_int_equal(key.tp_dst, htons(0));
	assert_int_equal(ofs.l4, L4);
	assert_int_equal(ofs.l7, L4 + 4);
}

static void build_nd(struct pkt *b, uint8_t type)
{
	pkt_init(b);
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_w8(b, L3 + 7, 255);
	pkt_nd(b, type, target);
}

static void test_nd_ns(void **state)
{
	static const uint8_t zero[6];
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_nd(&b, 135);
	pkt_nd_opt(&b, 1, 1, mac_c);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4 | FLOW_F_ND);
	assert_int_equal(key.tp_src, htons(135));
	assert_int_equal(key.tp_dst, 0);
	assert_int_equal(key.nw_ttl, 255);
	assert_memory_equal(key.nd_target, target, 16);
	assert_memory_equal(key.arp_sha, mac_c, 6);
	assert_memory_equal(key.arp_tha, zero, 6);
}

static void test_nd_na(void **state)
{
	static const uint8_t zero[6];
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_nd(&b, 136);
	pkt_nd_opt(&b, 2, 1, mac_c);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4 | FLOW_F_ND);
	assert_int_equal(key.tp_src, htons(136));
	assert_memory_equal(key.nd_target, target, 16);
	assert_memory_equal(key.arp_tha, mac_c, 6);
	assert_memory_equal(key.arp_sha, zero, 6);
}

/* Other options are skipped; only the message's own, first, 8-byte one counts. */
static void test_nd_options_walk(void **state)
{
	static const uint8_t zero[6];
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_nd(&b, 135);
	pkt_nd_opt(&b, 14, 1, pkt_mac_a); /* nonce */
	pkt_nd_opt(&b, 2, 1, pkt_mac_b);  /* target link-layer: not in an NS */
	pkt_nd_opt(&b, 1, 2, pkt_mac_b);  /* 16 bytes: not an Ethernet address */
	pkt_nd_opt(&b, 1, 1, mac_c);
	pkt_nd_opt(&b, 1, 1, pkt_mac_a); /* a second one does not override */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_memory_equal(key.arp_sha, mac_c, 6);
	assert_memory_equal(key.arp_tha, zero, 6);

	build_nd(&b, 136);
	pkt_finish(&b);
	pkt_zero(&b, 2); /* past the payload length: padding, not an option */
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_memory_equal(key.arp_tha, zero, 6);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4 | FLOW_F_ND);
}

static void test_nd_bad_opt(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_nd(&b, 135);
	pkt_nd_opt(&b, 1, 0, mac_c); /* length 0 */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_ND_BAD_OPT);

	build_nd(&b, 136);
	pkt_nd_opt(&b, 2, 1, mac_c);
	pkt_finish(&b);
	pkt_w8(&b, L4 + 24 + 1, 2); /* 16 bytes where 8 remain */
	assert_drop(parse_all(&b, &key, NULL), DROP_ND_BAD_OPT);

	build_nd(&b, 136);
	pkt_zero(&b, 1); /* a lone byte: no room for type and length */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_ND_BAD_OPT);

	build_nd(&b, 135);
	pkt_nd_opt(&b, 14, 1, mac_c);
	pkt_nd_opt(&b, 1, 0, mac_c); /* a bad option after a good one */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_ND_BAD_OPT);
}

static void test_nd_trunc(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x86dd);
	pkt_ip6(&b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_icmp6(&b, 135, 0);
	pkt_zero(&b, 15); /* 23 of the 24 fixed bytes */
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_ND_TRUNC);

	/* The same bytes with a non-zero code are plain ICMPv6. */
	pkt_w8(&b, L4 + 1, 1);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP6 | FLOW_F_L4);
	assert_int_equal(key.tp_dst, htons(1));
}

int run_ip6_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ip6_tcp),
	        cmocka_unit_test(test_ip6_ext_chain),
	        cmocka_unit_test(test_ip6_ext_max),
	        cmocka_unit_test(test_ip6_ext_trunc),
	        cmocka_unit_test(test_ip6_no_next_header),
	        cmocka_unit_test(test_ip6_frag_first),
	        cmocka_unit_test(test_ip6_frag_later),
	        cmocka_unit_test(test_ip6_malformed),
	        cmocka_unit_test(test_icmp6_echo),
	        cmocka_unit_test(test_nd_ns),
	        cmocka_unit_test(test_nd_na),
	        cmocka_unit_test(test_nd_options_walk),
	        cmocka_unit_test(test_nd_bad_opt),
	        cmocka_unit_test(test_nd_trunc),
	};

	return cmocka_run_group_tests_name("parse-ip6", tests, NULL, NULL);
}
