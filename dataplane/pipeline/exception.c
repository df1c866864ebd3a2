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

#include "dataplane/xconnect/xconnect.h"

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
	/* Both directions' losses are the host port's to show. */
	xc_forward(t, w, in_port, pkts, n, bytes,
	           in->role == DP_ROLE_HOST ? &ist->drops[DROP_UL_HOST_TX_FULL] : NULL);
}
