/* SPDX-License-Identifier: Apache-2.0 */
/* Single-NIC mode's host exception path (exception.c). Worker code only. */
#ifndef FERRY_PL_EXCEPTION_H
#define FERRY_PL_EXCEPTION_H

#include <stdbool.h>

#include "dataplane/pipeline/burst.h"

/** A burst from the host's exception port @p in_port out by the underlay,
 *  or from the underlay to the host, unchanged (its peer either way).
 *  Consumes every mbuf. */
void pl_exception_forward(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                          struct rte_mbuf **pkts, uint16_t n);

/** Whether a burst from @p port takes the exception path as a whole: it
 *  is the host's, or the underlay's while there is no snapshot @p s. */
static inline bool pl_exception_port(const struct dp_tables *t, const struct pl_snapshot *s,
                                     uint16_t port)
{
	const struct dp_port *p = &t->ports[port];
	return p->role == DP_ROLE_HOST ||
	       (s == NULL && p->role == DP_ROLE_UNDERLAY && p->peer_id != DP_PORT_NONE);
}

/** Hand @p m, from underlay port @p in_port, to the host when the
 *  underlay has an exception port; @return false (@p m still the
 *  caller's) when it has none. */
static inline bool pl_exception_to_host(struct txbs *x, uint16_t in_port, struct rte_mbuf *m)
{
	uint16_t host = x->t->ports[in_port].peer_id;
	if (host == DP_PORT_NONE)
		return false;
	pl_txb_add(x, host, m);
	return true;
}

#endif
