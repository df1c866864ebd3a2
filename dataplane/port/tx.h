/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sending a burst on a port from a worker: its own tx queue when the port
 * has one per worker, otherwise a shared queue under its spinlock.
 */
#ifndef FERRY_DP_PORT_TX_H
#define FERRY_DP_PORT_TX_H

#include <rte_ethdev.h>
#include <rte_spinlock.h>

#include "dataplane/api/dp.h"

/** @return how many of @p pkts the port took; the rest are still the caller's. */
static inline uint16_t dp_port_tx(const struct dp_port *out, unsigned worker,
                                  struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t q, sent;

	if (likely(out->txq_locks == NULL))
		return rte_eth_tx_burst(out->port_id, worker, pkts, n);
	q = worker % out->n_txq;
	rte_spinlock_lock(&out->txq_locks[q]);
	sent = rte_eth_tx_burst(out->port_id, q, pkts, n);
	rte_spinlock_unlock(&out->txq_locks[q]);
	return sent;
}

#endif
