/* SPDX-License-Identifier: Apache-2.0 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dataplane/api/dp.h"
#include "dataplane/parse/parse.h"
#include "dataplane/port/tx.h"
#include "dataplane/xconnect/xconnect.h"

/* Parse each packet; keep the good ones in place, count and free the rest. */
static uint16_t xc_parse_burst(struct dp_port_stats *st, uint16_t in_port, struct rte_mbuf **pkts,
                               uint16_t n)
{
	struct flow_key key;
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum drop_reason r;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		r = parse_packet(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), 0,
		                 &key, NULL, NULL);
		key.in_port = in_port;
		if (unlikely(r != DROP_NONE)) {
			st->drops[r]++;
			rte_pktmbuf_free(m);
			continue;
		}
		pkts[kept++] = m;
	}
	return kept;
}

void xc_process(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_stats *ist = &t->ports[in_port].stats[w->id];
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	ist->rx_packets += n;
	ist->rx_bytes += bytes;

	if (t->xc_parse) {
		n = xc_parse_burst(ist, in_port, pkts, n);
		if (n == 0)
			return;
		bytes = 0;
		for (uint16_t i = 0; i < n; i++)
			bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}

	xc_forward(t, w, in_port, pkts, n, bytes, NULL);
}

void xc_forward(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                struct rte_mbuf **pkts, uint16_t n, uint64_t bytes, uint64_t *lost)
{
	const struct dp_port *in = &t->ports[in_port];
	const struct dp_port *out = in->peer_id != DP_PORT_NONE ? &t->ports[in->peer_id] : NULL;
	if (unlikely(out == NULL || out->stats == NULL)) {
		in->stats[w->id].drops[DROP_NO_PEER] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	struct dp_port_stats *ost = &out->stats[w->id];
	uint16_t sent = dp_port_tx(out, w->id, pkts, n);
	if (unlikely(sent < n)) {
		uint16_t unsent = n - sent;

		for (uint16_t i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		*(lost ? lost : &ost->drops[DROP_TX_FULL]) += unsent;
		rte_pktmbuf_free_bulk(pkts + sent, unsent);
	}
	ost->tx_packets += sent;
	ost->tx_bytes += bytes;
}
