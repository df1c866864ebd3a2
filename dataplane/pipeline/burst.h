/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside one burst in mode ovn (process.c, underlay.c): frames collected
 * per output port and sent in bursts, and learning handed to the control
 * thread. Worker code only.
 */
#ifndef FERRY_PL_BURST_H
#define FERRY_PL_BURST_H

#include <rte_mbuf.h>

#include "dataplane/api/dp.h"
#include "dataplane/api/pipeline.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/port/tx.h"

#define TXB_PORTS 8

struct txb {
	uint16_t port, n;
	uint64_t bytes;
	struct rte_mbuf *pkts[DP_BURST_MAX];
};

struct txbs {
	const struct dp_tables *t;
	struct dp_worker *w;
	uint64_t now;       /* TSC at the burst's start: the tracker's clock */
	unsigned ct_looked; /* connections cache hits looked up (no hint held) */
	unsigned n;
	struct txb b[TXB_PORTS];
};

/** Send what @p b holds on its port, counting it there. */
void pl_txb_flush(struct txbs *x, struct txb *b);

static inline void pl_txb_add(struct txbs *x, uint16_t port, struct rte_mbuf *m)
{
	struct txb *b = NULL;
	for (unsigned i = 0; i < x->n; i++)
		if (x->b[i].port == port)
			b = &x->b[i];
	if (b == NULL) {
		if (x->n == TXB_PORTS) {
			pl_txb_flush(x, &x->b[0]);
			x->b[0].port = port;
			b = &x->b[0];
		} else {
			b = &x->b[x->n++];
			b->port = port;
			b->n = 0;
			b->bytes = 0;
		}
	}
	b->bytes += rte_pktmbuf_pkt_len(m);
	b->pkts[b->n++] = m;
	if (b->n == DP_BURST_MAX)
		pl_txb_flush(x, b);
}

/* Hand one frame to port @p dpdk, tagged when @p tag. Consumes @p p. */
static inline void pl_out_send(struct txbs *x, struct dp_port_stats *st, struct rte_mbuf *p,
                               uint16_t dpdk, uint16_t tag)
{
	if (tag) {
		if (unlikely(rte_vlan_insert(&p) < 0)) {
			st->drops[DROP_PL_NO_MBUF]++;
			rte_pktmbuf_free(p);
			return;
		}
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(rte_pktmbuf_mtod(p, uint8_t *) +
		                                                  sizeof(struct rte_ether_hdr));
		vh->vlan_tci = rte_cpu_to_be_16(tag);
	}
	pl_txb_add(x, dpdk, p);
}

/** Hand @p p (a struct pl_punt) to the control thread; @p aux is the
 *  input port's struct dp_port_stats, where a full ring is counted. */
void pl_punt_send(void *aux, const struct pl_punt *p);

#endif
