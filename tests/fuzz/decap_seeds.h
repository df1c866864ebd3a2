/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FERRY_TESTS_FUZZ_DECAP_SEEDS_H
#define FERRY_TESTS_FUZZ_DECAP_SEEDS_H

#include "dataplane/api/flow_key.h"
#include "tests/parse/pkt_build.h"

#define DECAP_SEEDS_MAX 32

/** Valid frames on the underlay for the snapshot of decap_snapshot.c, into
 *  @p seeds (at most @p max). @return how many. */
unsigned decap_seeds(struct pkt *seeds, unsigned max);

/**
 * The folded ones' complement sum over the L4 header and payload of the
 * frame in @p f (parsed into @p k, @p ofs), with the pseudo-header where
 * the protocol has one; @p csum_at gets the checksum field's offset.
 * @return the sum (0xffff: the checksum is right), or -1 when there is no
 *         checksum to tell (no L4 header, a fragment, a length that does
 *         not fit, a protocol without one).
 */
int32_t decap_l4_sum(const uint8_t *f, uint32_t len, const struct flow_key *k,
                     const struct flow_offsets *ofs, uint32_t *csum_at);

#endif
