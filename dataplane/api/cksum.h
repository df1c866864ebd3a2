/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Internet checksum (RFC 1071) over bytes in network order, for code
 * that builds or rewrites headers without DPDK (the tracker's NAT, the
 * Geneve encapsulation; both run in unit tests with no EAL).
 */
#ifndef FERRY_DP_CKSUM_H
#define FERRY_DP_CKSUM_H

#include <stdint.h>

/* @p sum plus the one's complement sum of @p n bytes as big-endian 16-bit
 * words (an odd last byte is the high half of a word), not folded. */
static inline uint32_t cksum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/* @p sum folded to 16 bits, not complemented (a pseudo-header's partial). */
static inline uint16_t cksum_fold_raw(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum field's value for @p sum: folded and complemented. */
static inline uint16_t cksum_fold(uint32_t sum)
{
	return (uint16_t)~cksum_fold_raw(sum);
}

#endif
