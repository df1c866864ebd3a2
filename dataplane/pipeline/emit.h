/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From output records to frames: rewriting a copy of the original packet to
 * the headers the pipeline left it with (checksums kept right), or building
 * a generated packet (ARP, ND, ICMP) from its headers. Worker code: no
 * allocation but from the packet's own mempool, no system call, no log.
 */
#ifndef FERRY_PL_EMIT_H
#define FERRY_PL_EMIT_H

#include <rte_mbuf.h>

#include "dataplane/api/flow_key.h"
#include "dataplane/pipeline/interp.h"

/**
 * Rewrite @p m, parsed as @p orig with offsets @p ofs, so that its headers
 * are @p k. @return 0, or -EINVAL when the frame cannot take them.
 */
int pl_rewrite(struct rte_mbuf *m, const struct flow_key *orig, const struct flow_offsets *ofs,
               const struct flow_key *k);

/**
 * Write to @p m (parsed with offsets @p ofs, its headers already
 * rewritten) what a translation changes beyond the key: an ICMP echo's id,
 * an ICMP error's quote (dataplane/conntrack/ct_nat.c).
 * @return 0, or -EINVAL when the frame has no such header.
 */
int pl_rewrite_natx(struct rte_mbuf *m, const struct flow_offsets *ofs, const struct pl_natx *x);

/**
 * Build the generated packet @p o describes (o->kind is not PL_KIND_PACKET)
 * in a new mbuf from @p orig's pool; ICMP errors quote @p orig (parsed with
 * offsets @p ofs). @return the mbuf, or NULL when none is free.
 */
struct rte_mbuf *pl_generate(const struct pl_out *o, const struct rte_mbuf *orig,
                             const struct flow_offsets *ofs);

/**
 * The checksum at @p c (two bytes, network order, updated in place) after
 * a 16-bit word of what it covers changed from @p old to @p new (host-order
 * values of the big-endian words): RFC 1624, equation 3.
 */
static inline void pl_csum_replace(uint8_t *c, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t) ~(c[0] << 8 | c[1]) + (uint32_t)(uint16_t)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c[0] = (uint8_t)(~sum >> 8);
	c[1] = (uint8_t)~sum;
}

#endif
