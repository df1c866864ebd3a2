/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FERRY_TESTS_FUZZ_DECAP_H
#define FERRY_TESTS_FUZZ_DECAP_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/drop.h"
#include "dataplane/api/pipeline.h"

/* DPDK port ids of the ring ports fuzz_decap.c creates, in this order. */
#define FUZZ_PORT_UNDERLAY 0
#define FUZZ_PORT_VM1      1
#define FUZZ_PORT_VM2      2
#define FUZZ_PORT_VM3      3
#define FUZZ_PORTS         4

/** The snapshot of decap_snapshot.c (built once, never freed). */
struct pl_snapshot *fuzz_decap_snapshot(void);

/* What LLVMFuzzerTestOneInput saw, for the driver's report. */
struct fuzz_decap_stats {
	unsigned long inputs;
	unsigned long drops[DROP__MAX]; /* by reason, first pass */
	unsigned long sent[FUZZ_PORTS]; /* frames out per port, first pass */
	unsigned long decapsulated;     /* the OVN option checks passed, first pass */
	unsigned long hits, decap_hits, misses, inserts, check_runs;
	unsigned long no_mbuf; /* copies and generated packets that found no mbuf */
};
extern struct fuzz_decap_stats fuzz_decap_stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
