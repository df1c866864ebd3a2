/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_parse.c in the deterministic driver (fuzz_driver.c): a dozen valid
 * packets as seeds, and a report that fails a full run which never
 * reached one of the parser's drop reasons.
 */
#include <stdio.h>

#include "dataplane/parse/parse.h"
#include "tests/fuzz/fuzz_driver.h"
#include "tests/fuzz/fuzz_parse.h"

static struct pkt *seeds;
static unsigned n_seeds, max_seeds;

static struct pkt *next_seed(void)
{
	struct pkt *b = &seeds[n_seeds < max_seeds ? n_seeds++ : max_seeds - 1];

	pkt_init(b);
	return b;
}

unsigned fuzz_driver_seeds(struct pkt *v, unsigned max)
{
	static const uint8_t target[16] = {0xfe, 0x80, [15] = 7};
	struct pkt *b;

	seeds = v;
	max_seeds = max;
	n_seeds = 0;
	b = next_seed();
	pkt_eth(b, 0x88a8);
	pkt_vlan(b, 1, 0x8100);
	pkt_vlan(b, 2, 0x0800);
	pkt_ip4(b, 6, PKT_IP4_A, PKT_IP4_B, 2);
	pkt_tcp(b, 1234, 80, 0x018, 7);
	pkt_zero(b, 4);

	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, 68, 67);
	pkt_zero(b, 2);

	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 1, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_icmp4(b, 8, 0);

	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 132, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_sctp(b, 1, 2);

	b = next_seed();
	pkt_eth(b, 0x0806);
	pkt_arp(b, 1, pkt_mac_a, PKT_IP4_A, pkt_mac_b, PKT_IP4_B);

	b = next_seed();
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 0, pkt_ip6_a, pkt_ip6_b);
	pkt_ip6_ext(b, 0, 43, 8);
	pkt_ip6_ext(b, 43, 60, 8);
	pkt_ip6_ext(b, 60, 51, 8);
	pkt_ip6_ext(b, 51, 44, 12);
	pkt_ip6_frag(b, 17, 0, 1);
	pkt_udp(b, 5, 6);

	b = next_seed(); /* as many extension headers as are walked */
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 60, pkt_ip6_a, pkt_ip6_b);
	for (unsigned i = 1; i < PARSE_IP6_EXT_MAX; i++)
		pkt_ip6_ext(b, 60, 60, 8);
	pkt_ip6_ext(b, 60, 6, 8);
	pkt_tcp(b, 22, 2222, 0x002, 5);

	b = next_seed();
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_nd(b, 135, target);
	pkt_nd_opt(b, 14, 1, pkt_mac_a);
	pkt_nd_opt(b, 1, 1, pkt_mac_b);

	b = next_seed();
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 58, pkt_ip6_a, pkt_ip6_b);
	pkt_nd(b, 136, target);
	pkt_nd_opt(b, 2, 1, pkt_mac_a);

	b = next_seed();
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 6, pkt_ip6_a, pkt_ip6_b);
	pkt_tcp(b, 22, 2222, 0x002, 5);

	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, 49152, 6081);
	pkt_geneve(b, 0x123456, 0x6558, 0x40);
	pkt_geneve_opt(b, 0xffff, 1, "abcd", 4);
	pkt_geneve_ovn(b, 3, 0x8004);
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 6, PKT_IP4_B, PKT_IP4_A, 0);
	pkt_tcp(b, 80, 1234, 0x012, 5);

	b = next_seed();
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 17, pkt_ip6_a, pkt_ip6_b);
	pkt_udp(b, 49153, 6081);
	pkt_geneve(b, 1, 0x6558, 0);
	pkt_geneve_ovn(b, 1, 2);
	pkt_eth(b, 0x86dd);
	pkt_ip6(b, 58, pkt_ip6_b, pkt_ip6_a);
	pkt_icmp6(b, 128, 0);

	/* Geneve as a peer chassis sends it: parse_geneve4_fast()'s case. */
	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, 49155, 6081);
	pkt_geneve(b, 7, 0x6558, 0);
	pkt_geneve_ovn(b, 5, 6);
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 6, PKT_IP4_B, PKT_IP4_A, 0);
	pkt_tcp(b, 443, 50000, 0x010, 5);

	b = next_seed();
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, 49154, 6081);
	pkt_geneve(b, 2, 0x6558, 0);
	pkt_eth(b, 0x8100);
	pkt_vlan(b, 9, 0x0806);
	pkt_arp(b, 2, pkt_mac_a, PKT_IP4_A, pkt_mac_b, PKT_IP4_B);

	for (unsigned i = 0; i < n_seeds; i++)
		pkt_finish(&seeds[i]);
	pkt_pad(&seeds[2], 60);
	return n_seeds;
}

int fuzz_driver_report(unsigned long inputs, unsigned long mutations)
{
	unsigned missed = 0;

	printf("%lu inputs, %lu decapsulated, %lu by the fast Geneve path\n", inputs,
	       fuzz_parse_tunnelled, fuzz_parse_fast);
	for (unsigned r = 0; r < DROP__MAX; r++)
		if (fuzz_parse_results[r])
			printf("  %-24s %lu\n", drop_reason_name(r), fuzz_parse_results[r]);

	/*
	 * A full run must reach every reason the parser can give (those before
	 * DROP_NO_PEER): one it never reaches is code the mutations miss, and
	 * needs a seed.
	 */
	if (mutations < 100000)
		return 0;
	if (fuzz_parse_fast < 1000) {
		fprintf(stderr, "the fast Geneve path was hardly reached (%lu)\n", fuzz_parse_fast);
		missed++;
	}
	for (unsigned r = 0; r < DROP_NO_PEER; r++) {
		if (!fuzz_parse_results[r]) {
			fprintf(stderr, "never reached: %s\n", drop_reason_name(r));
			missed++;
		}
	}
	return missed ? 1 : 0;
}
