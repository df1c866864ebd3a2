/* SPDX-License-Identifier: Apache-2.0 */
/* The underlay port's own traffic (underlay.c). Worker code only. */
#ifndef FERRY_PL_UNDERLAY_H
#define FERRY_PL_UNDERLAY_H

#include "dataplane/pipeline/burst.h"

#include <string.h>

/** Whether Geneve with outer headers @p t is for our encap IP. */
static inline bool pl_underlay_to_us(const struct pl_underlay *u, const struct flow_tunnel *t)
{
	if (!!(t->flags & FLOW_TNL_F_IP6) != u->ip6)
		return false;
	/* Fixed sizes: inlined compares, not a call per packet. */
	return u->ip6 ? memcmp(t->dst, u->ip, 16) == 0 : memcmp(t->dst, u->ip, 4) == 0;
}

/**
 * A frame from the underlay port @p in_port, parsed as @p k / @p ofs, that
 * is not Geneve to our encap IP: answered, learned from, or dropped as
 * not ours. Consumes @p m.
 */
void pl_underlay_local(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                       uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                       const struct flow_offsets *ofs);

/**
 * Peer @p peer's next hop is unresolved (a packet to it is being dropped:
 * counted, and a request broadcast) or stale (asked again, unicast); at
 * most one request every 100 ms per next hop. @p like lends its mempool.
 */
void pl_underlay_resolve(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                         struct rte_mbuf *like, uint16_t peer);

/* The underlay's own traffic, summed over workers (ferryctl underlay). */
struct pl_ul_stats {
	uint64_t unresolved; /* packets to a peer whose next hop was unknown */
	uint64_t requests;   /* ARP requests / neighbour solicitations broadcast */
	uint64_t probes;     /* unicast requests to stale next hops */
	uint64_t answered;   /* ARP requests / solicitations for the encap IP answered */
	uint64_t echoes;     /* echo requests to the encap IP answered */
};

/** Sum the counters of @p n_workers workers into @p sum (control thread). */
void pl_underlay_stats(unsigned n_workers, struct pl_ul_stats *sum);

#endif
