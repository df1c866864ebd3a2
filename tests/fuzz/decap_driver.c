/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_decap.c in the deterministic driver (fuzz_driver.c): the seeds of
 * decap_seeds.c, and a report that fails a full run which never reached
 * some part of the decap path.
 */
#include <stdio.h>

#include "tests/fuzz/decap_seeds.h"
#include "tests/fuzz/fuzz_decap.h"
#include "tests/fuzz/fuzz_driver.h"

unsigned fuzz_driver_seeds(struct pkt *seeds, unsigned max)
{
	return decap_seeds(seeds, max);
}

/* What a full run must see at least once: each is a branch of the decap
 * path that only some inputs take. */
static const enum drop_reason must_drop[] = {
        DROP_GENEVE_TRUNC,     DROP_GENEVE_BAD_OPT, DROP_TUN_NO_OPTION, DROP_TUN_UNKNOWN_DP,
        DROP_TUN_UNKNOWN_PORT, DROP_UL_NOT_OURS,    DROP_PL_NO_MATCH,   DROP_PL_LFLOW_DROP,
};

int fuzz_driver_report(unsigned long inputs, unsigned long mutations)
{
	const struct fuzz_decap_stats *s = &fuzz_decap_stats;
	unsigned missed = 0;

	printf("%lu inputs, %lu decapsulated; cache: %lu misses, %lu inserts, %lu hits "
	       "(%lu decap), %lu checked\n",
	       inputs, s->decapsulated, s->misses, s->inserts, s->hits, s->decap_hits,
	       s->check_runs);
	printf("  out of mbufs (pass D): %lu\n", s->no_mbuf);
	printf("  sent: underlay %lu, vm1 %lu, vm2 %lu, vm3 %lu\n", s->sent[FUZZ_PORT_UNDERLAY],
	       s->sent[FUZZ_PORT_VM1], s->sent[FUZZ_PORT_VM2], s->sent[FUZZ_PORT_VM3]);
	for (unsigned r = 0; r < DROP__MAX; r++)
		if (s->drops[r])
			printf("  %-24s %lu\n", drop_reason_name(r), s->drops[r]);
	if (mutations < 100000)
		return 0;
	for (size_t i = 0; i < sizeof(must_drop) / sizeof(must_drop[0]); i++) {
		if (!s->drops[must_drop[i]]) {
			fprintf(stderr, "never reached: %s\n", drop_reason_name(must_drop[i]));
			missed++;
		}
	}
	for (unsigned p = 0; p < FUZZ_PORTS; p++) {
		if (!s->sent[p]) {
			fprintf(stderr, "never sent on port %u\n", p);
			missed++;
		}
	}
	if (!s->no_mbuf) {
		fprintf(stderr, "never ran out of mbufs\n");
		missed++;
	}
	if (!s->decap_hits || !s->inserts || !s->check_runs) {
		fprintf(stderr, "the flow cache was never hit\n");
		missed++;
	}
	return missed ? 1 : 0;
}
