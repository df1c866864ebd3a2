/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay port's own traffic, apart from Geneve for us (process.c
 * decapsulates that). For an IPv4 encap IP: ARP requests for it are
 * answered in place, ICMP echo requests too; for an IPv6 one, neighbour
 * solicitations get an advertisement and ICMPv6 echo requests a reply.
 * Requests and answers to us teach the control thread our next hops
 * (control/pipeline/underlay.c keeps and ages them); a next hop a peer
 * needs is asked for, broadcast (ARP) or to its solicited-node group (ND)
 * while unknown, unicast while stale. Everything else is not ours. See
 * docs/underlay.md.
 */
#include "dataplane/pipeline/underlay.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>

#include "dataplane/pipeline/emit.h"
#include "dataplane/pipeline/exception.h"

/* Per worker, a cache line each: what the underlay's own traffic did. */
static struct {
	struct pl_ul_stats s;
} __rte_cache_aligned ul_counts[DP_WORKERS_MAX];

static inline struct pl_ul_stats *counts(const struct txbs *x)
{
	return &ul_counts[x->w->id].s;
}

void pl_underlay_stats(unsigned n_workers, struct pl_ul_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < n_workers && w < DP_WORKERS_MAX; w++) {
		const struct pl_ul_stats *c = &ul_counts[w].s;
		sum->unresolved += c->unresolved;
		sum->requests += c->requests;
		sum->probes += c->probes;
		sum->answered += c->answered;
		sum->echoes += c->echoes;
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

/* An ICMP or ICMPv6 echo request to our encap IP (@p k, at @p ofs)
 * becomes, in place, its reply: addresses swapped, the reply's type, the
 * checksums updated (the ICMPv6 pseudo-header sums the same swapped). */
static void echo(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                 uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                 const struct flow_offsets *ofs)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *ip = f + ofs->l3, *icmp = f + ofs->l4;
	memcpy(f, k->eth_src, 6);
	memcpy(f + 6, u->mac, 6);
	if (u->ip6) {
		memcpy(ip + 24, k->ip_src, 16);
		memcpy(ip + 8, u->ip, 16);
		ip[7] = 64;
		pl_csum_replace(icmp + 2, 128 << 8, 129 << 8);
		icmp[0] = 129;
	} else {
		memcpy(ip + 16, k->ip_src, 4);
		memcpy(ip + 12, u->ip, 4);
		ip[8] = 64;
		ip[10] = ip[11] = 0;
		uint16_t c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
		memcpy(ip + 10, &c, 2);
		pl_csum_replace(icmp + 2, 8 << 8, 0);
		icmp[0] = 0;
	}
	counts(x)->echoes++;
	pl_out_send(x, st, m, in_port, 0);
}

/* A fresh frame of @p len bytes from @p like's pool, or NULL (counted). */
static uint8_t *frame(struct dp_port_stats *st, struct rte_mbuf *like, uint16_t len,
                      struct rte_mbuf **out)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(like->pool);
	uint8_t *f = m ? (uint8_t *)rte_pktmbuf_append(m, len) : NULL;
	if (f == NULL) {
		rte_pktmbuf_free(m);
		st->drops[DROP_PL_NO_MBUF]++;
		return NULL;
	}
	*out = m;
	return f;
}

/* An ARP request for @p target from @p u, to @p dst (broadcast when NULL). */
static bool arp_request(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                        struct rte_mbuf *like, const uint8_t *target, const uint8_t *dst)
{
	struct rte_mbuf *m;
	uint8_t *f = frame(st, like, 42, &m);
	if (f == NULL)
		return false;
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

/*
 * A neighbour solicitation (type 135) or advertisement (136) from @p u:
 * Ethernet, IPv6 (hop limit 255, RFC 4861 7.1), the message with its
 * target and one link-layer option (source in a solicitation, target in
 * an advertisement), 86 bytes. @p flags: the advertisement's R/S/O bits.
 */
static bool nd_send(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                    struct rte_mbuf *like, uint16_t port, uint8_t type, uint8_t flags,
                    const uint8_t *eth_dst, const uint8_t *ip_dst, const uint8_t *target)
{
	struct rte_mbuf *m;
	uint8_t *f = frame(st, like, 86, &m);
	if (f == NULL)
		return false;
	uint8_t *ip = f + 14, *nd = ip + 40;
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, u->mac, 6);
	f[12] = 0x86, f[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[5] = 32; /* payload length */
	ip[6] = 58; /* ICMPv6 */
	ip[7] = 255;
	memcpy(ip + 8, u->ip, 16);
	memcpy(ip + 24, ip_dst, 16);
	memset(nd, 0, 32);
	nd[0] = type;
	nd[4] = flags;
	memcpy(nd + 8, target, 16);
	nd[24] = type == 135 ? 1 : 2; /* source / target link-layer address */
	nd[25] = 1;                   /* 8 bytes */
	memcpy(nd + 26, u->mac, 6);
	uint16_t c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, nd);
	memcpy(nd + 2, &c, 2);
	pl_out_send(x, st, m, port, 0);
	return true;
}

/* A solicitation for @p target: to its solicited-node group (RFC 4291
 * 2.7.1) when @p dst is NULL, else unicast to @p dst (a stale next hop). */
static bool ns_request(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                       struct rte_mbuf *like, const uint8_t *target, const uint8_t *dst)
{
	uint8_t ip[16] = {0xff, 0x02, [11] = 1, [12] = 0xff}, mac[6] = {0x33, 0x33, 0xff};
	if (dst) {
		memcpy(ip, target, 16);
		memcpy(mac, dst, 6);
	} else {
		memcpy(ip + 13, target + 13, 3);
		memcpy(mac + 3, target + 13, 3);
	}
	return nd_send(x, u, st, like, u->dpdk, 135, 0, mac, ip, target);
}

/* A peer's next hop is unknown (broadcast a request) or stale (ask it,
 * unicast), at most every 100 ms per next hop (and worker). */
void pl_underlay_resolve(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                         struct rte_mbuf *like, uint16_t peer)
{
	static uint64_t last[DP_WORKERS_MAX][64];
	struct pl_ul_stats *us = counts(x);
	const struct pl_underlay *u = &s->underlay;
	const struct pl_peer *p = &s->peers[peer];
	bool stale = p->resolved && p->ip6 == u->ip6;
	if (!stale)
		us->unresolved++;
	if (p->ip6 != u->ip6)
		return;
	/* Limited per next hop: the peers behind one gateway ask it once. */
	uint32_t h = 0;
	for (int i = 0; i < 16; i++)
		h = h * 31 + p->nh[i];
	uint64_t now = rte_rdtsc(), *l = &last[x->w->id][h % 64];
	if (now - *l < rte_get_tsc_hz() / 10)
		return;
	*l = now;
	if (!(u->ip6 ? ns_request : arp_request)(x, u, st, like, p->nh, stale ? p->mac : NULL))
		return;
	if (stale) {
		us->probes++;
		punt_next_hop(st, PL_PUNT_UNDERLAY_PROBE, p->nh, u->ip6, NULL);
	} else {
		us->requests++;
	}
}

/* A neighbour solicitation for our encap IP: it teaches us the asker and
 * gets an advertisement, solicited and override; a duplicate address check
 * (from ::) is answered to all nodes, unsolicited (RFC 4861 7.2.4). */
static void ns_answer(struct txbs *x, const struct pl_underlay *u, struct dp_port_stats *st,
                      uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k)
{
	static const uint8_t any[16], all_nodes[16] = {0xff, 0x02, [15] = 1},
	                              all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1}, none[6];
	bool dad = memcmp(k->ip_src, any, 16) == 0;
	if (!dad && memcmp(k->arp_sha, none, 6) != 0)
		punt_next_hop(st, PL_PUNT_UNDERLAY_NEIGH, k->ip_src, true, k->arp_sha);
	if (dad)
		nd_send(x, u, st, m, in_port, 136, 0x20, all_nodes_mac, all_nodes, u->ip);
	else
		nd_send(x, u, st, m, in_port, 136, 0x60, k->eth_src, k->ip_src, u->ip);
	counts(x)->answered++;
	rte_pktmbuf_free(m);
}

void pl_underlay_local(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                       uint16_t in_port, struct rte_mbuf *m, const struct flow_key *k,
                       const struct flow_offsets *ofs)
{
	const struct pl_underlay *u = &s->underlay;
	if (!u->present)
		goto not_ours;
	if (u->ip6) {
		static const uint8_t none[6];
		/* ND only from the link: hop limit 255 (RFC 4861 7.1). */
		bool nd = (k->flags & FLOW_F_ND) && k->nw_ttl == 255;
		if (nd && k->tp_src == RTE_BE16(135) && memcmp(k->nd_target, u->ip, 16) == 0) {
			ns_answer(x, u, st, in_port, m, k);
			return;
		}
		if (nd && k->tp_src == RTE_BE16(136) && memcmp(k->ip_dst, u->ip, 16) == 0 &&
		    memcmp(k->arp_tha, none, 6) != 0) {
			punt_next_hop(st, PL_PUNT_UNDERLAY_NEIGH, k->nd_target, true, k->arp_tha);
			/* The host may share the encap IP, and have asked. */
			if (!pl_exception_to_host(x, in_port, m))
				rte_pktmbuf_free(m);
			return;
		}
		if ((k->flags & FLOW_F_IP6) && k->nw_proto == 58 && !(k->nw_frag & FLOW_FRAG_ANY) &&
		    k->tp_src == RTE_BE16(128) && k->tp_dst == 0 &&
		    memcmp(k->ip_dst, u->ip, 16) == 0 && memcmp(k->eth_dst, u->mac, 6) == 0) {
			echo(x, u, st, in_port, m, k, ofs);
			return;
		}
		goto not_ours;
	}
	if ((k->flags & FLOW_F_ARP) && memcmp(k->ip_dst, u->ip, 4) == 0) {
		if (memcmp(k->ip_src, "\0\0\0\0", 4) != 0)
			punt_next_hop(st, PL_PUNT_UNDERLAY_NEIGH, k->ip_src, false, k->arp_sha);
		if (k->nw_proto != 1) {
			/* The host may share the encap IP, and have asked. */
			if (!pl_exception_to_host(x, in_port, m))
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
		counts(x)->answered++;
		pl_out_send(x, st, m, in_port, 0);
		return;
	}
	if ((k->flags & FLOW_F_IP4) && k->nw_proto == 1 && !(k->nw_frag & FLOW_FRAG_ANY) &&
	    k->tp_src == RTE_BE16(8) && k->tp_dst == 0 && memcmp(k->ip_dst, u->ip, 4) == 0 &&
	    memcmp(k->eth_dst, u->mac, 6) == 0) {
		echo(x, u, st, in_port, m, k, ofs);
		return;
	}
not_ours:
	if (pl_exception_to_host(x, in_port, m))
		return;
	st->drops[DROP_UL_NOT_OURS]++;
	rte_pktmbuf_free(m);
}
