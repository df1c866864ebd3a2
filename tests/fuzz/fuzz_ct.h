/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FERRY_TESTS_FUZZ_CT_H
#define FERRY_TESTS_FUZZ_CT_H

#include <stddef.h>
#include <stdint.h>

/*
 * One input of fuzz_ct.c is a sequence of records, each a packet for the
 * tracker: a 3-byte header, then the frame.
 *   byte 0: bits 0-1 the zone minus 1; bit 2 commit; bit 3 NAT (with
 *           commit); bit 4 SNAT instead of DNAT; bits 5-7 how far the
 *           clock moves before the packet (an index into a fixed table)
 *   byte 1: bits 0-1 the NAT address, bits 2-3 the NAT port (indexes into
 *           fixed tables), bits 4-7 the mark a commit sets (mask 0xf)
 *   byte 2: the frame's length, cut to what is left of the input
 */
#define FUZZ_CT_ZONE(z)     ((uint8_t)((z)-1))
#define FUZZ_CT_COMMIT      0x04
#define FUZZ_CT_NAT         0x08
#define FUZZ_CT_SNAT        0x10
#define FUZZ_CT_ADVANCE(i)  ((uint8_t)((i) << 5))
#define FUZZ_CT_ADDR(i)     ((uint8_t)(i))
#define FUZZ_CT_PORT(i)     ((uint8_t)((i) << 2))
#define FUZZ_CT_MARK(m)     ((uint8_t)((m) << 4))
#define FUZZ_CT_HDR         3
#define FUZZ_CT_ADVANCE_MAX 7

/* The table's size: an input of the driver (PKT_MAX bytes, some 45 short
 * frames) can fill it, so refusals and reuse are reached. */
#define FUZZ_CT_MAX_CONNS 32

/* What LLVMFuzzerTestOneInput saw, over every input. */
struct fuzz_ct_counts {
	unsigned long inputs, records, not_ip;
	unsigned long new_, est, rel, inv, rpl, nat;
	unsigned long creations, refusals, expirations, reclaimed;
	unsigned long frag_first, frag_followed, frag_unfollowed;
	unsigned long tcp_closing, tcp_closed, reopened;
	unsigned long hinted; /* results a hint found (ct_process_hint()) */
};
extern struct fuzz_ct_counts fuzz_ct;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
