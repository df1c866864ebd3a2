/* SPDX-License-Identifier: Apache-2.0 */
/* Single-NIC mode's host exception path (exception.c). Worker code only. */
#ifndef FERRY_PL_EXCEPTION_H
#define FERRY_PL_EXCEPTION_H

#include <stdbool.h>

#include "dataplane/pipeline/burst.h"

/** A burst the host wrote to its exception port @p in_port: out by the
 *  underlay, unchanged. Consumes every mbuf. */
void pl_exception_from_host(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                            struct rte_mbuf **pkts, uint16_t n);

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
