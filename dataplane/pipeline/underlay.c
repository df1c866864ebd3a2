/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay port's own traffic, apart from Geneve for us (process.c
 * decapsulates that): ARP for our encap IP is answered in place and
 * teaches us the asker as a next hop; next hops are asked for when a peer
 * has none. Everything else is not ours. See docs/underlay.md.
 */
#include "dataplane/pipeline/underlay.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>

/* Per worker: what the underlay's own traffic cost and did. */
static struct pl_ul_stats ul_stats[DP_WORKERS_MAX] __rte_cache_aligned;

void pl_underlay_stats(unsigned n_workers, struct pl_ul_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < n_workers && w < DP_WORKERS_MAX; w++) {
		sum->unresolved += ul_stats[w].unresolved;
		sum->requests += ul_stats[w].requests;
		sum->probes += ul_stats[w].probes;
		sum->answered += ul_stats[w].answered;
		sum->echoes += ul_stats[w].echoes;
	}
}

/* Tell the control thread about next hop @p ip (16 bytes, IPv4 in the
 * first 4): at @p mac (kind PL_PUNT_UNDERLAY_NEIGH), or asked again. */
static void punt_next_hop(struct dp_port_stats *st, uint8_t kind, const uint8_t *ip, bool ip6,
                          const uint8_t *mac)
{
	struct pl_punt p = {.kind = kind, .ip6 = ip6};
	if (ip6) {
		for (int i = 0; i < 8; i++) {
			p.ip.hi = p.ip.hi << 8 | ip[i];
			p.ip.lo = p.ip.lo << 8 | ip[8 + i];
		}
	} else {
		p.ip.lo = (uint64_t)ip[0] << 24 | (uint64_t)ip[1] << 16 | (uint64_t)ip[2] << 8 |
		          ip[3];
	}
	if (mac)
		memcpy(p.mac, mac, 6);
	pl_punt_send(st, &p);
}

/* An ICMP echo request to our encap IP (@p k, at @p ofs) becomes, in
 * place, its reply: addresses swapped, type 0, both checksums updated. */
static void echo4(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                  uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                  const struct flow_offsets *ofs)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *ip = f + ofs->l3, *icmp = f + ofs->l4;
	memcpy(f, k->eth_src, 6);
	memcpy(f + 6, u->mac, 6);
	memcpy(ip + 16, k->ip_src, 4);
	memcpy(ip + 12, u->ip, 4);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	uint16_t c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
	/* Type 8 to 0: the one's complement sum loses 0x0800 (RFC 1624). */
	uint32_t sum = (uint32_t)(icmp[2] << 8 | icmp[3]) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	icmp[0] = 0;
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	pl_out_send(x, st, m, in_port, 0);
}

/* An ARP request for @p target from @p u, to @p dst (broadcast when NULL). */
static bool arp_request(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                        struct rte_mbuf *like, const uint8_t *target, const uint8_t *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(like->pool);
	uint8_t *f = m ? (uint8_t *)rte_pktmbuf_append(m, 42) : NULL;
	if (f == NULL) {
		rte_pktmbuf_free(m);
		st->drops[DROP_PL_NO_MBUF]++;
		return false;
	}
	static const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet/IPv4, request */
	if (dst)
		memcpy(f, dst, 6);
	else
		memset(f, 0xff, 6);
	memcpy(f + 6, u->mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	memcpy(f + 14, hdr, 8);
	memcpy(f + 22, u->mac, 6);
	memcpy(f + 28, u->ip, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, target, 4);
	pl_out_send(x, st, m, u->dpdk, 0);
	return true;
}

/* A peer's next hop is unknown (broadcast a request) or stale (ask it,
 * unicast), at most every 100 ms per peer. */
void pl_underlay_resolve(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                         struct rte_mbuf *like, uint16_t peer)
{
	static uint64_t last[DP_WORKERS_MAX][64];
	struct pl_ul_stats *us = &ul_stats[x->w->id];
	const struct pl_underlay *u = &s->underlay;
	const struct pl_peer *p = &s->peers[peer];
	bool stale = p->resolved && p->ip6 == u->ip6;
	if (!stale)
		us->unresolved++;
	if (p->ip6 != u->ip6 || u->ip6)
		return;
	uint64_t now = rte_rdtsc(), *l = &last[x->w->id][peer % 64];
	if (now - *l < rte_get_tsc_hz() / 10)
		return;
	*l = now;
	if (!arp_request(x, u, st, like, p->nh, stale ? p->mac : NULL))
		return;
	if (stale) {
		us->probes++;
		punt_next_hop(st, PL_PUNT_UNDERLAY_PROBE, p->nh, u->ip6, NULL);
	} else {
		us->requests++;
	}
}

void pl_underlay_local(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                       uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                       const struct flow_offsets *ofs)
{
	const struct pl_underlay *u = &s->underlay;
	if ((k->flags & FLOW_F_ARP) && memcmp(k->ip_dst, u->ip, 4) == 0) {
		if (memcmp(k->ip_src, "\0\0\0\0", 4) != 0)
			punt_next_hop(st, PL_PUNT_UNDERLAY_NEIGH, k->ip_src, false, k->arp_sha);
		if (k->nw_proto != 1) {
			rte_pktmbuf_free(m);
			return;
		}
		/* Answer in place: the request becomes the reply. */
		uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *a = f + ofs->l3;
		memcpy(f, k->eth_src, 6);
		memcpy(f + 6, u->mac, 6);
		a[7] = 2;
		memcpy(a + 18, k->arp_sha, 6);
		memcpy(a + 24, k->ip_src, 4);
		memcpy(a + 8, u->mac, 6);
		memcpy(a + 14, u->ip, 4);
		ul_stats[x->w->id].answered++;
		pl_out_send(x, st, m, in_port, 0);
		return;
	}
	if ((k->flags & FLOW_F_IP4) && k->nw_proto == 1 && !(k->nw_frag & FLOW_FRAG_ANY) &&
	    k->tp_src == RTE_BE16(8) && k->tp_dst == 0 && memcmp(k->ip_dst, u->ip, 4) == 0 &&
	    memcmp(k->eth_dst, u->mac, 6) == 0) {
		ul_stats[x->w->id].echoes++;
		echo4(x, u, st, in_port, m, k, ofs);
		return;
	}
	st->drops[DROP_UL_NOT_OURS]++;
	rte_pktmbuf_free(m);
}
