/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Truncation: every packet below is parsed at every length short of its own,
 * from a buffer of exactly that many bytes, in two ways:
 *   - raw: the bytes are simply cut, so the outer length fields now claim
 *     more than the frame holds;
 *   - refit: the length fields are rewritten to match the cut, as a sender
 *     of the shorter packet would have, so the cut shows at the header it
 *     falls in.
 * Each way has a table saying which drop reason each range of lengths must
 * give; DROP_NONE marks lengths where the shorter packet is valid.
 */
#include <string.h>

#include "tests/parse/parse_test.h"

struct seg {
	uint32_t upto; /* lengths below this (and above the previous) */
	enum drop_reason r;
};

struct sample {
	const char *name;
	void (*build)(struct pkt *b);
	unsigned refit_mask;
	struct seg raw[4];
	struct seg refit[10];
};

static void build_vlan2_ip4_tcp(struct pkt *b)
{
	pkt_eth(b, 0x88a8);
	pkt_vlan(b, 1, 0x8100);
	pkt_vlan(b, 2, 0x0800);
	pkt_ip4(b, 6, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_tcp(b, 1, 2, 0x010, 6);
}

static void build_ip4opt_udp(struct pkt *b)
{
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 2);
	pkt_udp(b, 1, 2);
}

static void build_ip6_frag_udp(struct pkt *b)
{
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 0, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(b, 0, 44, 8);
	pkt_ip6_frag(b, 17, 0, 1);
	pkt_udp(b, 1, 2);
}

static void build_ip6_ns(struct pkt *b)
{
	static const uint8_t target[16] = {0xfe, 0x80, [15] = 1};

	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_nd(b, 135, target);
	pkt_nd_opt(b, 1, 1, pkt_mac_b);
}

static void build_vlan_arp(struct pkt *b)
{
	pkt_eth(b, 0x8100);
	pkt_vlan(b, 5, 0x0806);
	pkt_arp(b, 1, pkt_mac_b, PKT_IP4_B, pkt_mac_a, PKT_IP4_A);
}

static void build_geneve_ip6_tcp(struct pkt *b)
{
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, 49152, 6081);
	pkt_geneve(b, 5, 0x6558, 0x40);
	pkt_geneve_ovn(b, 1, 2);
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 6, pkt_ip6_a, pkt_ip6_b);
	pkt_tcp(b, 1, 2, 0x002, 5);
}

static void build_ip4_icmp(struct pkt *b)
{
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 1, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_icmp4(b, 8, 0);
}

static void build_ip6_sctp(struct pkt *b)
{
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 132, pkt_ip6_a, pkt_ip6_b);
	pkt_sctp(b, 1, 2);
}

static void build_geneve6_arp(struct pkt *b)
{
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 17, pkt_ip6_a, pkt_ip6_b);
	pkt_udp(b, 49152, 6081);
	pkt_geneve(b, 5, 0x6558, 0);
	pkt_eth(b, 0x0806);
	pkt_arp(b, 2, pkt_mac_b, PKT_IP4_B, pkt_mac_a, PKT_IP4_A);
}

static const struct sample samples[] = {
        {"vlan2-ip4-tcp",
         build_vlan2_ip4_tcp,
         PKT_FIX_IP,
         {{14, DROP_ETH_TRUNC},
          {22, DROP_VLAN_TRUNC},
          {42, DROP_IP4_TRUNC},
          {66, DROP_IP4_BAD_LEN}},
         {{14, DROP_ETH_TRUNC},
          {22, DROP_VLAN_TRUNC},
          {42, DROP_IP4_TRUNC},
          {62, DROP_TCP_TRUNC},
          {66, DROP_TCP_BAD_OFFSET}}},
        {"ip4opt-udp",
         build_ip4opt_udp,
         PKT_FIX_IP | PKT_FIX_UDP,
         {{14, DROP_ETH_TRUNC}, {42, DROP_IP4_TRUNC}, {50, DROP_IP4_BAD_LEN}},
         {{14, DROP_ETH_TRUNC}, {42, DROP_IP4_TRUNC}, {50, DROP_UDP_TRUNC}}},
        {"ip6-frag-udp",
         build_ip6_frag_udp,
         PKT_FIX_IP,
         {{14, DROP_ETH_TRUNC}, {54, DROP_IP6_TRUNC}, {78, DROP_IP6_BAD_LEN}},
         {{14, DROP_ETH_TRUNC},
          {54, DROP_IP6_TRUNC},
          {70, DROP_IP6_EXT_TRUNC},
          {78, DROP_UDP_TRUNC}}},
        {"ip6-ns-sll",
         build_ip6_ns,
         PKT_FIX_IP,
         {{14, DROP_ETH_TRUNC}, {54, DROP_IP6_TRUNC}, {86, DROP_IP6_BAD_LEN}},
         {{14, DROP_ETH_TRUNC},
          {54, DROP_IP6_TRUNC},
          {58, DROP_ICMP6_TRUNC},
          {78, DROP_ND_TRUNC},
          {79, DROP_NONE},
          {86, DROP_ND_BAD_OPT}}},
        {"vlan-arp",
         build_vlan_arp,
         0,
         {{14, DROP_ETH_TRUNC}, {18, DROP_VLAN_TRUNC}, {46, DROP_ARP_TRUNC}},
         {{14, DROP_ETH_TRUNC}, {18, DROP_VLAN_TRUNC}, {46, DROP_ARP_TRUNC}}},
        {"geneve-ip6-tcp",
         build_geneve_ip6_tcp,
         PKT_FIX_IP | PKT_FIX_UDP,
         {{14, DROP_ETH_TRUNC}, {34, DROP_IP4_TRUNC}, {132, DROP_IP4_BAD_LEN}},
         {{14, DROP_ETH_TRUNC},
          {34, DROP_IP4_TRUNC},
          {42, DROP_UDP_TRUNC},
          {58, DROP_GENEVE_TRUNC},
          {72, DROP_ETH_TRUNC},
          {112, DROP_IP6_TRUNC},
          {132, DROP_TCP_TRUNC}}},
        {"ip4-icmp",
         build_ip4_icmp,
         PKT_FIX_IP,
         {{14, DROP_ETH_TRUNC}, {34, DROP_IP4_TRUNC}, {42, DROP_IP4_BAD_LEN}},
         {{14, DROP_ETH_TRUNC}, {34, DROP_IP4_TRUNC}, {42, DROP_ICMP4_TRUNC}}},
        {"ip6-sctp",
         build_ip6_sctp,
         PKT_FIX_IP,
         {{14, DROP_ETH_TRUNC}, {54, DROP_IP6_TRUNC}, {66, DROP_IP6_BAD_LEN}},
         {{14, DROP_ETH_TRUNC}, {54, DROP_IP6_TRUNC}, {66, DROP_SCTP_TRUNC}}},
        {"geneve6-arp",
         build_geneve6_arp,
         PKT_FIX_IP | PKT_FIX_UDP,
         {{14, DROP_ETH_TRUNC}, {54, DROP_IP6_TRUNC}, {112, DROP_IP6_BAD_LEN}},
         {{14, DROP_ETH_TRUNC},
          {54, DROP_IP6_TRUNC},
          {62, DROP_UDP_TRUNC},
          {70, DROP_GENEVE_TRUNC},
          {84, DROP_ETH_TRUNC},
          {112, DROP_ARP_TRUNC}}},
};

static enum drop_reason expect(const struct seg *segs, size_t n_segs, uint32_t len)
{
	for (size_t i = 0; i < n_segs && segs[i].upto; i++)
		if (len < segs[i].upto)
			return segs[i].r;
	fail_msg("length %u is past the table", len);
	return DROP_NONE;
}

static uint32_t table_end(const struct seg *segs, size_t n_segs)
{
	uint32_t end = 0;

	for (size_t i = 0; i < n_segs && segs[i].upto; i++) {
		assert_true(segs[i].upto > end);
		end = segs[i].upto;
	}
	return end;
}

static void check_sample(const struct sample *s)
{
	const size_t n_raw = sizeof(s->raw) / sizeof(s->raw[0]);
	const size_t n_refit = sizeof(s->refit) / sizeof(s->refit[0]);
	struct flow_tunnel tnl;
	struct flow_key key;
	struct pkt full, cut;

	pkt_init(&full);
	s->build(&full);
	pkt_finish(&full);
	print_message("%s: %u bytes\n", s->name, full.len);
	assert_int_equal(table_end(s->raw, n_raw), full.len);
	assert_int_equal(table_end(s->refit, n_refit), full.len);
	assert_drop(parse_exact(&full, full.len, PARSE_F_TUNNEL, &key, NULL, &tnl), DROP_NONE);

	for (uint32_t len = 0; len < full.len; len++) {
		enum drop_reason r;

		r = parse_exact(&full, len, PARSE_F_TUNNEL, &key, NULL, &tnl);
		if (r != expect(s->raw, n_raw, len))
			fail_msg("%s raw %u: got %s, want %s", s->name, len, drop_reason_name(r),
			         drop_reason_name(expect(s->raw, n_raw, len)));

		cut = full;
		pkt_refit(&cut, len, s->refit_mask);
		r = parse_exact(&cut, len, PARSE_F_TUNNEL, &key, NULL, &tnl);
		if (r != expect(s->refit, n_refit, len))
			fail_msg("%s refit %u: got %s, want %s", s->name, len, drop_reason_name(r),
			         drop_reason_name(expect(s->refit, n_refit, len)));
	}
}

static void test_truncate_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_sample(&samples[i]);
}

/* Any cut of a frame parsed without PARSE_F_TUNNEL fails at the outer IP. */
static void test_truncate_untunnelled(void **state)
{
	struct flow_key key;
	struct pkt full;

	(void)state;
	pkt_init(&full);
	build_geneve_ip6_tcp(&full);
	pkt_finish(&full);
	for (uint32_t len = 14 + 20; len < full.len; len++)
		assert_drop(parse_exact(&full, len, 0, &key, NULL, NULL), DROP_IP4_BAD_LEN);
}

int run_trunc_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_truncate_all),
	        cmocka_unit_test(test_truncate_untunnelled),
	};

	return cmocka_run_group_tests_name("parse-truncation", tests, NULL, NULL);
}
