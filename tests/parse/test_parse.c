/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser unit tests: Ethernet, VLAN, ARP, IPv4 and the L4 headers. IPv6,
 * Geneve and truncation live in the other test_parse_*.c files; main() here
 * runs every group.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tests/parse/parse_test.h"

enum drop_reason parse_exact(const struct pkt *b, uint32_t len, unsigned flags,
                             struct flow_key *key, struct flow_offsets *ofs,
                             struct flow_tunnel *tnl)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum drop_reason r;

	assert_non_null(copy);
	assert_true(len <= b->len);
	memcpy(copy, b->buf, len);
	r = parse_packet(copy, len, flags, key, ofs, tnl);
	free(copy);
	return r;
}

static enum drop_reason parse_all(const struct pkt *b, struct flow_key *key,
                                  struct flow_offsets *ofs)
{
	struct flow_tunnel tnl;

	return parse_exact(b, b->len, PARSE_F_TUNNEL, key, ofs, &tnl);
}

static void assert_ip4(const uint8_t *field, uint32_t host)
{
	uint32_t net = htonl(host);

	assert_memory_equal(field, &net, 4);
}

static void test_eth_plain(void **state)
{
	static const uint8_t zero[6];
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x88cc);
	pkt_zero(&b, 46);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_memory_equal(key.eth_dst, pkt_mac_a, 6);
	assert_memory_equal(key.eth_src, pkt_mac_b, 6);
	assert_int_equal(key.eth_type, htons(0x88cc));
	assert_int_equal(key.n_vlans, 0);
	assert_int_equal(key.flags, 0);
	assert_memory_equal(key.arp_sha, zero, 6);
	assert_int_equal(ofs.l2, 0);
	assert_int_equal(ofs.l3, 0);
	assert_int_equal(ofs.l4, 0);
	assert_int_equal(ofs.l7, 0);
}

static void test_vlan_one(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x8100);
	pkt_vlan(&b, 0x2064, 0x0800); /* PCP 1, VID 100 */
	pkt_ip4(&b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(&b, 1000, 2000);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.n_vlans, 1);
	assert_int_equal(key.vlan_tpid[0], htons(0x8100));
	assert_int_equal(key.vlan_tci[0], htons(0x2064));
	assert_int_equal(key.vlan_tpid[1], 0);
	assert_int_equal(key.eth_type, htons(0x0800));
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(ofs.l3, 18);
	assert_int_equal(ofs.l4, 38);
}

static void test_vlan_qinq(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x88a8);
	pkt_vlan(&b, 10, 0x8100);
	pkt_vlan(&b, 0xe014, 0x0806);
	pkt_arp(&b, 1, pkt_mac_b, PKT_IP4_B, pkt_mac_a, PKT_IP4_A);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.n_vlans, 2);
	assert_int_equal(key.vlan_tpid[0], htons(0x88a8));
	assert_int_equal(key.vlan_tci[0], htons(10));
	assert_int_equal(key.vlan_tpid[1], htons(0x8100));
	assert_int_equal(key.vlan_tci[1], htons(0xe014));
	assert_int_equal(key.eth_type, htons(0x0806));
	assert_int_equal(key.flags, FLOW_F_ARP);
	assert_int_equal(ofs.l3, 22);
}

static void test_vlan_too_many(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x8100);
	pkt_vlan(&b, 1, 0x8100);
	pkt_vlan(&b, 2, 0x88a8);
	pkt_vlan(&b, 3, 0x0800);
	pkt_ip4(&b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(&b, 1, 2);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, NULL), DROP_VLAN_TOO_MANY);
}

static void test_arp_request(void **state)
{
	static const uint8_t zero[6];
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0806);
	pkt_arp(&b, 1, pkt_mac_b, PKT_IP4_B, zero, PKT_IP4_A);
	pkt_pad(&b, 60);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_ARP);
	assert_int_equal(key.eth_type, htons(0x0806));
	assert_int_equal(key.nw_proto, 1);
	assert_ip4(key.ip_src, PKT_IP4_B);
	assert_ip4(key.ip_dst, PKT_IP4_A);
	assert_memory_equal(key.arp_sha, pkt_mac_b, 6);
	assert_memory_equal(key.arp_tha, zero, 6);
	assert_int_equal(ofs.l3, 14);
	assert_int_equal(ofs.l4, 0);
}

static void test_arp_reply(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0806);
	pkt_arp(&b, 2, pkt_mac_a, PKT_IP4_A, pkt_mac_b, PKT_IP4_B);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.nw_proto, 2);
	assert_memory_equal(key.arp_sha, pkt_mac_a, 6);
	assert_memory_equal(key.arp_tha, pkt_mac_b, 6);
	assert_ip4(key.ip_src, PKT_IP4_A);
	assert_ip4(key.ip_dst, PKT_IP4_B);
}

static void test_arp_opcode_wide(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0806);
	pkt_arp(&b, 0x0101, pkt_mac_a, PKT_IP4_A, pkt_mac_b, PKT_IP4_B);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	/* 0x0101 must not read as a request. */
	assert_int_equal(key.nw_proto, 0);
}

static void test_arp_unsupported(void **state)
{
	static const struct {
		uint32_t at;
		uint8_t v;
	} breaks[] = {
	        {14 + 1, 6},    /* htype IEEE 802 */
	        {14 + 2, 0x86}, /* ptype 0x8600 */
	        {14 + 4, 8},    /* hlen */
	        {14 + 5, 16},   /* plen */
	};
	struct flow_key key;
	struct pkt b;

	(void)state;
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		pkt_init(&b);
		pkt_eth(&b, 0x0806);
		pkt_arp(&b, 1, pkt_mac_a, PKT_IP4_A, pkt_mac_b, PKT_IP4_B);
		pkt_w8(&b, breaks[i].at, breaks[i].v);
		assert_drop(parse_all(&b, &key, NULL), DROP_ARP_BAD);
	}
}

static void build_ip4_udp(struct pkt *b, unsigned opt_words, uint32_t payload)
{
	pkt_init(b);
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, opt_words);
	pkt_udp(b, 5353, 53);
	pkt_zero(b, payload);
	pkt_finish(b);
}

static void test_ip4_udp(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ip4_udp(&b, 0, 4);
	pkt_w8(&b, 14 + 1, 0xb9); /* DSCP EF, ECN 1 */
	pkt_w8(&b, 14 + 8, 17);
	pkt_pad(&b, 60);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.eth_type, htons(0x0800));
	assert_int_equal(key.nw_proto, 17);
	assert_int_equal(key.nw_tos, 0xb9);
	assert_int_equal(key.nw_ttl, 17);
	assert_int_equal(key.nw_frag, 0);
	assert_ip4(key.ip_src, PKT_IP4_A);
	assert_ip4(key.ip_dst, PKT_IP4_B);
	assert_int_equal(key.tp_src, htons(5353));
	assert_int_equal(key.tp_dst, htons(53));
	assert_int_equal(key.tcp_flags, 0);
	assert_int_equal(ofs.l3, 14);
	assert_int_equal(ofs.l4, 34);
	assert_int_equal(ofs.l7, 42);
}

static void test_ip4_options(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ip4_udp(&b, 3, 0);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_IP4_OPT | FLOW_F_L4);
	assert_int_equal(ofs.l4, 14 + 32);
	assert_int_equal(key.tp_dst, htons(53));
}

/* Bytes past the IPv4 total length are Ethernet padding, not UDP payload. */
static void test_ip4_padding_not_l4(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ip4_udp(&b, 0, 2);
	pkt_pad(&b, 60);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	pkt_w16(&b, 34 + 4, 8 + 2 + 16); /* UDP length reaching into the padding */
	assert_drop(parse_all(&b, &key, NULL), DROP_UDP_BAD_LEN);
}

static void test_ip4_frag_first(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ip4_udp(&b, 0, 16);
	pkt_w16(&b, 14 + 6, 0x2000); /* MF, offset 0 */
	pkt_w16(&b, 34 + 4, 1400);   /* the whole datagram, not this fragment */
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.nw_frag, FLOW_FRAG_ANY);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.tp_src, htons(5353));
}

static void test_ip4_frag_later(void **state)
{
	/* Offset 8 bytes; MF with the largest offset; DF with offset 8. */
	static const uint16_t frags[] = {0x0001, 0x3fff, 0x4001};
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 6, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_zero(&b, 3); /* too short for any TCP header: must not be read */
	pkt_finish(&b);
	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		pkt_w16(&b, 14 + 6, frags[i]);
		assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
		assert_int_equal(key.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
		assert_int_equal(key.flags, FLOW_F_IP4);
		assert_int_equal(key.nw_proto, 6);
		assert_int_equal(key.tp_src, 0);
		assert_int_equal(ofs.l3, 14);
		assert_int_equal(ofs.l4, 0);
		assert_int_equal(ofs.l7, 0);
	}
}

static void test_ip4_dont_fragment(void **state)
{
	struct flow_key key;
	struct pkt b;

	(void)state;
	build_ip4_udp(&b, 0, 0);
	pkt_w16(&b, 14 + 6, 0x4000);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
	assert_int_equal(key.nw_frag, 0);
}

static void test_ip4_malformed(void **state)
{
	static const struct {
		uint32_t at;
		uint16_t v;
		int wide;
		enum drop_reason want;
	} cases[] = {
	        {14, 0x65, 0, DROP_IP4_BAD_VERSION}, /* version 6 under 0x0800 */
	        {14, 0x05, 0, DROP_IP4_BAD_VERSION},
	        {14, 0x44, 0, DROP_IP4_BAD_IHL},
	        {14, 0x40, 0, DROP_IP4_BAD_IHL},
	        {14, 0x4f, 0, DROP_IP4_TRUNC}, /* 60-byte header in a 28-byte packet */
	        {16, 29, 1, DROP_IP4_BAD_LEN}, /* total length past the frame */
	        {16, 0xffff, 1, DROP_IP4_BAD_LEN},
	        {16, 19, 1, DROP_IP4_BAD_LEN}, /* total length inside the header */
	        {16, 0, 1, DROP_IP4_BAD_LEN},
	};
	struct flow_key key;
	struct pkt b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_ip4_udp(&b, 0, 0);
		if (cases[i].wide)
			pkt_w16(&b, cases[i].at, cases[i].v);
		else
			pkt_w8(&b, cases[i].at, (uint8_t)cases[i].v);
		assert_drop(parse_all(&b, &key, NULL), cases[i].want);
	}

	/* With options, a total length covering only the fixed part is short. */
	build_ip4_udp(&b, 1, 0);
	pkt_w16(&b, 16, 20);
	assert_drop(parse_all(&b, &key, NULL), DROP_IP4_BAD_LEN);
}

static void test_tcp(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 6, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_tcp(&b, 40000, 443, 0x112, 8); /* NS, ACK, SYN; 12 bytes of options */
	pkt_zero(&b, 10);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 6);
	assert_int_equal(key.tp_src, htons(40000));
	assert_int_equal(key.tp_dst, htons(443));
	assert_int_equal(key.tcp_flags, htons(0x112));
	assert_int_equal(ofs.l4, 34);
	assert_int_equal(ofs.l7, 34 + 32);
}

static void test_tcp_bad_offset(void **state)
{
	static const uint8_t doffs[] = {0, 4, 6, 15};
	struct flow_key key;
	struct pkt b;

	(void)state;
	for (size_t i = 0; i < sizeof(doffs); i++) {
		pkt_init(&b);
		pkt_eth(&b, 0x0800);
		pkt_ip4(&b, 6, PKT_IP4_A, PKT_IP4_B, 0);
		pkt_tcp(&b, 1, 2, 0x002, 5);
		pkt_finish(&b);
		pkt_pad(&b, 60); /* padding must not count as TCP options */
		pkt_w8(&b, 34 + 12, (uint8_t)(doffs[i] << 4));
		assert_drop(parse_all(&b, &key, NULL), DROP_TCP_BAD_OFFSET);
	}
}

static void test_udp_bad_len(void **state)
{
	static const uint16_t lens[] = {0, 7, 8 + 5, 0xffff};
	struct flow_key key;
	struct pkt b;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		build_ip4_udp(&b, 0, 4);
		pkt_w16(&b, 34 + 4, lens[i]);
		assert_drop(parse_all(&b, &key, NULL), DROP_UDP_BAD_LEN);
	}
	/* Shorter than the IP payload is accepted: the rest is not UDP's. */
	build_ip4_udp(&b, 0, 4);
	pkt_w16(&b, 34 + 4, 8);
	assert_drop(parse_all(&b, &key, NULL), DROP_NONE);
}

static void test_sctp(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 132, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_sctp(&b, 2905, 3868);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
	assert_int_equal(key.nw_proto, 132);
	assert_int_equal(key.tp_src, htons(2905));
	assert_int_equal(key.tp_dst, htons(3868));
	assert_int_equal(ofs.l7, 34 + 12);
}

static void test_icmp4(void **state)
{
	static const uint8_t types[][2] = {{8, 0}, {0, 0}, {3, 4}, {11, 1}};
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		pkt_init(&b);
		pkt_eth(&b, 0x0800);
		pkt_ip4(&b, 1, PKT_IP4_A, PKT_IP4_B, 0);
		pkt_icmp4(&b, types[i][0], types[i][1]);
		pkt_finish(&b);
		assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
		assert_int_equal(key.flags, FLOW_F_IP4 | FLOW_F_L4);
		assert_int_equal(key.nw_proto, 1);
		assert_int_equal(key.tp_src, htons(types[i][0]));
		assert_int_equal(key.tp_dst, htons(types[i][1]));
		assert_int_equal(ofs.l4, 34);
		assert_int_equal(ofs.l7, 42);
	}
}

static void test_ip4_other_proto(void **state)
{
	struct flow_offsets ofs;
	struct flow_key key;
	struct pkt b;

	(void)state;
	pkt_init(&b);
	pkt_eth(&b, 0x0800);
	pkt_ip4(&b, 47, PKT_IP4_A, PKT_IP4_B, 0); /* GRE */
	pkt_zero(&b, 2);
	pkt_finish(&b);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4);
	assert_int_equal(key.nw_proto, 47);
	assert_int_equal(ofs.l4, 0);

	/* ICMPv6's number under IPv4 is not ICMP. */
	pkt_w8(&b, 14 + 9, 58);
	assert_drop(parse_all(&b, &key, &ofs), DROP_NONE);
	assert_int_equal(key.flags, FLOW_F_IP4);
}

/*
 * Two packets of one flow give byte-identical keys, whatever the key held
 * before and whatever differs outside the key (IP id, checksum, payload).
 */
static void test_key_deterministic(void **state)
{
	struct flow_key k1, k2;
	struct pkt b1, b2;

	(void)state;
	build_ip4_udp(&b1, 0, 4);
	build_ip4_udp(&b2, 0, 30);
	pkt_w16(&b2, 14 + 4, 0x9999);
	pkt_w32(&b2, 42, 0xffffffff);
	memset(&k1, 0x00, sizeof(k1));
	memset(&k2, 0xa5, sizeof(k2));
	assert_drop(parse_all(&b1, &k1, NULL), DROP_NONE);
	assert_drop(parse_all(&b2, &k2, NULL), DROP_NONE);
	assert_memory_equal(&k1, &k2, sizeof(k1));
}

int run_l2_l4_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_eth_plain),
	        cmocka_unit_test(test_vlan_one),
	        cmocka_unit_test(test_vlan_qinq),
	        cmocka_unit_test(test_vlan_too_many),
	        cmocka_unit_test(test_arp_request),
	        cmocka_unit_test(test_arp_reply),
	        cmocka_unit_test(test_arp_opcode_wide),
	        cmocka_unit_test(test_arp_unsupported),
	        cmocka_unit_test(test_ip4_udp),
	        cmocka_unit_test(test_ip4_options),
	        cmocka_unit_test(test_ip4_padding_not_l4),
	        cmocka_unit_test(test_ip4_frag_first),
	        cmocka_unit_test(test_ip4_frag_later),
	        cmocka_unit_test(test_ip4_dont_fragment),
	        cmocka_unit_test(test_ip4_malformed),
	        cmocka_unit_test(test_tcp),
	        cmocka_unit_test(test_tcp_bad_offset),
	        cmocka_unit_test(test_udp_bad_len),
	        cmocka_unit_test(test_sctp),
	        cmocka_unit_test(test_icmp4),
	        cmocka_unit_test(test_ip4_other_proto),
	        cmocka_unit_test(test_key_deterministic),
	};

	return cmocka_run_group_tests_name("parse-l2-l4", tests, NULL, NULL);
}

int main(void)
{
	int failed = 0;

	failed += run_l2_l4_tests();
	failed += run_ip6_tests();
	failed += run_geneve_tests();
	failed += run_trunc_tests();
	return failed ? 1 : 0;
}
