/* SPDX-License-Identifier: Apache-2.0 */
/* The underlay port's own traffic (underlay.c). Worker code only. */
#ifndef FERRY_PL_UNDERLAY_H
#define FERRY_PL_UNDERLAY_H

#include "dataplane/pipeline/burst.h"

/**
 * A frame from the underlay port @p in_port, parsed as @p k / @p ofs, that
 * is not Geneve to our encap IP: answered, learned from, or dropped as
 * not ours. Consumes @p m.
 */
void pl_underlay_local(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                       uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                       const struct flow_offsets *ofs);

/** Ask the underlay for peer @p peer's next hop (at most every 100 ms per
 *  peer); @p like lends its mempool. */
void pl_underlay_resolve(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                         struct rte_mbuf *like, uint16_t peer);

#endif
