/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-NIC mode: the host exception port (control/port/host.c) and its
 * underlay are each other's peer. What the host writes leaves by the
 * underlay unchanged; what arrives on the underlay and is not ferry's
 * goes to the host unchanged (underlay.c, process.c); with no pipeline
 * snapshot yet (or any more) everything from the underlay does. The host
 * keeps its network while ferry has no Southbound data, which it may
 * reach through this very path.
 */
#include "dataplane/pipeline/exception.h"

#include "dataplane/port/tx.h"

void pl_exception_forward(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                          struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port *in = &t->ports[in_port];
	struct dp_port_stats *ist = &in->stats[w->id];
	uint64_t bytes = 0;
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	ist->rx_packets += n;
	ist->rx_bytes += bytes;
	const struct dp_port *out = in->peer_id != DP_PORT_NONE ? &t->ports[in->peer_id] : NULL;
	if (unlikely(out == NULL || out->stats == NULL)) {
		ist->drops[DROP_NO_PEER] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	struct dp_port_stats *ost = &out->stats[w->id];
	uint16_t sent = dp_port_tx(out, w->id, pkts, n);
	if (unlikely(sent < n)) {
		for (uint16_t i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		/* Both directions' losses are the host port's to show. */
		if (in->role == DP_ROLE_HOST)
			ist->drops[DROP_UL_HOST_TX_FULL] += n - sent;
		else
			ost->drops[DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	ost->tx_packets += sent;
	ost->tx_bytes += bytes;
}
