/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Standalone driver for fuzz_parse.c, so that every build (gcc included)
 * runs the fuzz target under the sanitizers without libFuzzer.
 *
 *   fuzz_driver [-n ITERATIONS] [-w DIR] [FILE...]
 *
 * It runs each FILE (a crash reproducer or corpus entry) once, then a fixed
 * number of mutations of valid seed packets drawn from a PRNG with a fixed
 * seed, so a failure reproduces exactly. -w writes the seeds to DIR as a
 * starting corpus for the libFuzzer build (README.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/parse/parse.h"
#include "tests/fuzz/fuzz_parse.h"
#include "tests/parse/pkt_build.h"

#define MAX_SEEDS 16

static struct pkt seeds[MAX_SEEDS];
static unsigned n_seeds;

static struct pkt *next_seed(void)
{
	struct pkt *b = &seeds[n_seeds++];

	pkt_init(b);
	return b;
}

static void build_seeds(void)
{
	static const uint8_t target[16] = {0xfe, 0x80, [15] = 7};
	struct pkt *b;

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
}

/* xorshift64*: small, fast, and the same sequence on every machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/* Values that sit on a boundary of some header field. */
static const uint16_t interesting[] = {
        0,     1,      2,      3,      4,      5,      6,      7,    8,      15,     16,     17,
        20,    40,     43,     44,     51,     58,     59,     60,   63,     0x7f,   0x80,   0xff,
        0x100, 0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x6558, 6081, 0x7fff, 0x8000, 0xfff8, 0xffff,
};

static void mutate(struct pkt *b)
{
	unsigned n = 1 + rnd(4);

	while (n--) {
		uint32_t at = b->len ? rnd(b->len) : 0;
		uint16_t v = interesting[rnd(sizeof(interesting) / sizeof(interesting[0]))];

		switch (rnd(8)) {
		case 0:
			if (b->len)
				b->buf[at] ^= (uint8_t)(1u << rnd(8));
			break;
		case 1:
			if (b->len)
				b->buf[at] = (uint8_t)rnd(256);
			break;
		case 2:
			if (b->len)
				b->buf[at] = (uint8_t)v;
			break;
		case 3:
			if (at + 2 <= b->len)
				pkt_w16(b, at, v);
			break;
		case 4: /* cut */
			b->len = rnd(b->len + 1);
			break;
		case 5: /* append */
			for (uint32_t k = rnd(32); k && b->len < PKT_MAX; k--)
				b->buf[b->len++] = (uint8_t)rnd(256);
			break;
		case 6: /* insert bytes, shifting the rest */
			if (b->len + 8 <= PKT_MAX) {
				uint32_t k = 1 + rnd(8);

				memmove(b->buf + at + k, b->buf + at, b->len - at);
				for (uint32_t i = 0; i < k; i++)
					b->buf[at + i] = (uint8_t)rnd(256);
				b->len += k;
			}
			break;
		case 7: /* delete bytes */
			if (b->len) {
				uint32_t k = 1 + rnd(b->len - at < 8 ? b->len - at : 8);

				memmove(b->buf + at, b->buf + at + k, b->len - at - k);
				b->len -= k;
			}
			break;
		}
	}
}

static int run_file(const char *path)
{
	static uint8_t data[1 << 20];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	LLVMFuzzerTestOneInput(data, n);
	return 0;
}

static int write_seeds(const char *dir)
{
	for (unsigned i = 0; i < n_seeds; i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%02u", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(seeds[i].buf, 1, seeds[i].len, f) != seeds[i].len) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	}
	printf("wrote %u seeds to %s\n", n_seeds, dir);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long iterations = 1000000;
	const char *seed_dir = NULL;
	unsigned missed = 0;
	struct pkt b;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		switch (opt) {
		case 'n':
			iterations = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			seed_dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-w DIR] [FILE...]\n", argv[0]);
			return 2;
		}
	}

	build_seeds();
	if (seed_dir)
		return write_seeds(seed_dir) ? 1 : 0;
	for (int i = optind; i < argc; i++)
		if (run_file(argv[i]))
			return 1;

	for (unsigned i = 0; i < n_seeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].buf, seeds[i].len);
	for (unsigned long i = 0; i < iterations; i++) {
		b = seeds[rnd(n_seeds)];
		if (rnd(16) == 0) { /* splice the tail of another seed */
			const struct pkt *o = &seeds[rnd(n_seeds)];
			uint32_t cut = rnd(b.len + 1), from = rnd(o->len + 1);

			b.len = cut;
			pkt_put(&b, o->buf + from, o->len - from);
		}
		mutate(&b);
		LLVMFuzzerTestOneInput(b.buf, b.len);
	}

	printf("%lu inputs, %lu decapsulated\n",
	       (unsigned long)(argc - optind) + n_seeds + iterations, fuzz_parse_tunnelled);
	for (unsigned r = 0; r < DROP__MAX; r++)
		if (fuzz_parse_results[r])
			printf("  %-24s %lu\n", drop_reason_name(r), fuzz_parse_results[r]);

	/*
	 * A full run must reach every reason the parser can give (those before
	 * DROP_NO_PEER): one it never reaches is code the mutations miss, and
	 * needs a seed.
	 */
	if (iterations < 100000)
		return 0;
	for (unsigned r = 0; r < DROP_NO_PEER; r++) {
		if (!fuzz_parse_results[r]) {
			fprintf(stderr, "never reached: %s\n", drop_reason_name(r));
			missed++;
		}
	}
	return missed ? 1 : 0;
}
