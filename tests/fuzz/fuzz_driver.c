/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Standalone driver for a fuzz target (fuzz_parse.c, fuzz_decap.c), so that
 * every build (gcc included) runs it under the sanitizers without
 * libFuzzer. The target brings its seeds and its report (fuzz_driver.h).
 *
 *   fuzz_driver [-n ITERATIONS] [-w DIR] [FILE...]
 *
 * It runs each FILE (a crash reproducer or corpus entry) once, then a fixed
 * number of mutations of valid seed packets drawn from a PRNG with a fixed
 * seed, so a failure reproduces exactly. -w writes the seeds to DIR as a
 * starting corpus for the libFuzzer build (README.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_driver.h"

static struct pkt seeds[FUZZ_SEEDS_MAX];
static unsigned n_seeds;

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

/*
 * The input being run, written to ./fuzz-driver-crash when a check aborts,
 * so that a failure can be replayed alone (and by a libFuzzer binary).
 */
static const struct pkt *current;

static void on_abort(int sig)
{
	int fd = open("fuzz-driver-crash", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && current != NULL) {
		if (write(fd, current->buf, current->len) == (ssize_t)current->len)
			(void)write(2, "input written to fuzz-driver-crash\n", 35);
	}
	if (fd >= 0)
		close(fd);
	signal(sig, SIG_DFL);
	raise(sig);
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

	n_seeds = fuzz_driver_seeds(seeds, FUZZ_SEEDS_MAX);
	if (seed_dir)
		return write_seeds(seed_dir) ? 1 : 0;
	for (int i = optind; i < argc; i++)
		if (run_file(argv[i]))
			return 1;

	signal(SIGABRT, on_abort);
	for (unsigned i = 0; i < n_seeds; i++) {
		current = &seeds[i];
		LLVMFuzzerTestOneInput(seeds[i].buf, seeds[i].len);
	}
	current = &b;
	for (unsigned long i = 0; i < iterations; i++) {
		b = seeds[rnd(n_seeds)];
		if (rnd(16) == 0) { /* splice the tail of another seed */
			const struct pkt *o = &seeds[rnd(n_seeds)];
			uint32_t cut = rnd(b.len + 1), from = rnd(o->len + 1);
			uint32_t n = o->len - from;

			b.len = cut;
			pkt_put(&b, o->buf + from, n < PKT_MAX - cut ? n : PKT_MAX - cut);
		}
		mutate(&b);
		LLVMFuzzerTestOneInput(b.buf, b.len);
	}
	return fuzz_driver_report((unsigned long)(argc - optind) + n_seeds + iterations,
	                          iterations);
}
