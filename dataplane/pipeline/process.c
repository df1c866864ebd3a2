/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One burst, packet by packet: parse, find the logical port (table 0), run
 * the interpreter, turn its output records into frames (the original
 * rewritten for its last use, copies for the others, generated packets
 * built fresh), and send them in per-port bursts.
 */
#include "dataplane/pipeline/process.h"

#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dataplane/cache/cache.h"
#include "dataplane/geneve/geneve.h"
#include "dataplane/parse/parse.h"
#include "dataplane/pipeline/emit.h"
#include "dataplane/pipeline/exception.h"
#include "dataplane/pipeline/frag_early.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/live.h"
#include "dataplane/pipeline/meter.h"
#include "dataplane/pipeline/burst.h"
#include "dataplane/pipeline/underlay.h"
#include "dataplane/port/tx.h"

#define PREFETCH_AHEAD 4

static struct rte_ring *punt_ring;
static struct rte_mempool *punt_pool;
static struct ct_table *ct_table;
static struct ct_frags *ct_frags;
static struct ct_aff *ct_aff;

void pl_set_conntrack(struct ct_table *t, struct ct_frags *f, struct ct_aff *a)
{
	__atomic_store_n(&ct_frags, f, __ATOMIC_RELEASE);
	__atomic_store_n(&ct_aff, a, __ATOMIC_RELEASE);
	__atomic_store_n(&ct_table, t, __ATOMIC_RELEASE);
}

struct ct_table *pl_conntrack(void)
{
	return __atomic_load_n(&ct_table, __ATOMIC_ACQUIRE);
}

void pl_set_punt(struct rte_ring *r, struct rte_mempool *mp)
{
	__atomic_store_n(&punt_pool, mp, __ATOMIC_RELEASE);
	__atomic_store_n(&punt_ring, r, __ATOMIC_RELEASE);
}

void pl_txb_flush(struct txbs *x, struct txb *b)
{
	const struct dp_port *out = &x->t->ports[b->port];
	if (b->n == 0)
		return;
	if (unlikely(out->stats == NULL)) {
		rte_pktmbuf_free_bulk(b->pkts, b->n);
		b->n = 0;
		b->bytes = 0;
		return;
	}
	struct dp_port_stats *st = &out->stats[x->w->id];
	uint16_t sent = dp_port_tx(out, x->w->id, b->pkts, b->n);
	if (unlikely(sent < b->n)) {
		for (uint16_t i = sent; i < b->n; i++)
			b->bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
		st->drops[DROP_TX_FULL] += b->n - sent;
		rte_pktmbuf_free_bulk(b->pkts + sent, b->n - sent);
	}
	st->tx_bytes += b->bytes;
	st->tx_packets += sent;
	b->n = 0;
	b->bytes = 0;
}

void pl_punt_send(void *aux, const struct pl_punt *p)
{
	struct dp_port_stats *st = aux;
	struct rte_ring *r = __atomic_load_n(&punt_ring, __ATOMIC_ACQUIRE);
	struct rte_mempool *mp = __atomic_load_n(&punt_pool, __ATOMIC_ACQUIRE);
	struct pl_punt *copy;
	if (r == NULL || mp == NULL)
		return;
	/* Requests live in a preallocated pool: no heap on a worker. */
	if (rte_mempool_get(mp, (void **)&copy) < 0) {
		st->drops[DROP_PL_PUNT_FULL]++;
		return;
	}
	*copy = *p;
	if (rte_ring_enqueue(r, copy) < 0) {
		rte_mempool_put(mp, copy);
		st->drops[DROP_PL_PUNT_FULL]++;
	}
}

/* The frame for the @p i-th of @p n rewritten copies: the original for
 * the last, a copy for the others. NULL (counted) when no buffer. */
static struct rte_mbuf *copy_for(struct dp_port_stats *st, struct rte_mbuf *m, int i, int last)
{
	struct rte_mbuf *p = i == last ? m : rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
	if (unlikely(p == NULL))
		st->drops[DROP_PL_NO_MBUF]++;
	return p;
}

/* Where an encapsulated copy goes: the output record's tunnel fields. */
struct tun {
	uint16_t peer, in;
	uint32_t vni, out;
};

static bool encap(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                  struct rte_mbuf *p, struct tun t, const struct flow_key *final,
                  const struct flow_key *orig, const struct flow_offsets *ofs);

/* One packet's conntrack: the tracker's view of it, and the results of
 * the ct actions run so far (by a cache hit's replay, then handed to the
 * interpreter on a miss so that none runs twice). */
struct pkt_ct {
	struct pl_ct_env env;
	struct pl_ct_view view; /* of the packet as it came (replays only) */
	bool ready, viewed;
	uint8_t n;
	uint16_t zone[PL_CT_MAX];
	struct ct_result res[PL_CT_MAX];
};

static inline __attribute__((always_inline)) const struct pl_ct_env *
pkt_ct_env(struct pkt_ct *pc, const struct txbs *x, const struct rte_mbuf *m,
           const struct flow_offsets *ofs)
{
	if (pc->ready)
		return pc->env.t ? &pc->env : NULL;
	pc->ready = true;
	pc->env.t = __atomic_load_n(&ct_table, __ATOMIC_ACQUIRE);
	pc->env.now = x->now;
	pc->env.peek = false;
	pc->env.frags = __atomic_load_n(&ct_frags, __ATOMIC_ACQUIRE);
	pc->env.aff = __atomic_load_n(&ct_aff, __ATOMIC_ACQUIRE);
	pc->env.l4 = pc->env.l3 = NULL;
	pc->env.l4_len = pc->env.l3_len = 0;
	if (ofs->l3) {
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		const uint8_t *l3 = f + ofs->l3;
		uint32_t ip_end = (l3[0] >> 4) == 4
		                          ? ofs->l3 + ((uint32_t)l3[2] << 8 | l3[3])
		                          : ofs->l3 + 40u + ((uint32_t)l3[4] << 8 | l3[5]);
		if (ip_end > rte_pktmbuf_data_len(m))
			ip_end = rte_pktmbuf_data_len(m);
		pc->env.l3 = l3;
		pc->env.l3_len = ip_end > ofs->l3 ? ip_end - ofs->l3 : 0;
		if (ofs->l4) {
			pc->env.l4 = f + ofs->l4;
			pc->env.l4_len = ip_end > ofs->l4 ? ip_end - ofs->l4 : 0;
		}
	}
	return pc->env.t ? &pc->env : NULL;
}

/* Run entry @p e's action @p j (a ct action or a policer) on the packet:
 * the first candidate entry to reach a place runs it, the others compare
 * with its result. false: no tracker (a miss). */
static bool replay_op(struct txbs *x, struct pkt_ct *pc, struct fc_entry *e, unsigned j,
                      const struct flow_key *k, const struct rte_mbuf *m,
                      const struct flow_offsets *ofs)
{
	const struct pl_ct_op *o = &e->ct[j].op;
	struct ct_result *res = &pc->res[j];
	if (o->op == LFLOW_OP_SET_METER) {
		/* A policer's verdict, asked once a packet. */
		memset(res, 0, sizeof(*res));
		if (pl_police(o->policer, rte_pktmbuf_pkt_len(m) - ofs->l2, x->now))
			res->state = PL_METER_PASS;
		pc->zone[j] = 0;
		pc->n++;
		return true;
	}
	const struct pl_ct_env *env = pkt_ct_env(pc, x, m, ofs);
	if (env == NULL)
		return false;
	if (!pc->viewed) {
		pl_ct_view(env, k, &pc->view);
		pc->viewed = true;
		/* The buckets of every zone whose hint does not hold, at
		 * once (a connection hints find is one entry's: hot). */
		for (unsigned z = 0; z < e->n_ct; z++)
			if (!ct_hint_likely(&e->ct[z].hint) &&
			    (z == 0 || e->ct[z].op.zone != e->ct[z - 1].op.zone))
				ct_prefetch(env->t, e->ct[z].op.zone, pl_ct_hbase(&pc->view));
	}
	const struct ct_result *cur = o->cur >= 0 ? &pc->res[o->cur] : NULL;
	uint16_t cur_zone = o->cur >= 0 ? pc->zone[o->cur] : 0;
	struct pl_ct_view *v = &pc->view;
	/* The common case straight to the hint: a connection's packet, not a
	 * first fragment, tracked or committed (not a commit to the
	 * connection an action before found in this zone). */
	bool commit = o->op == LFLOW_OP_CT_COMMIT;
	bool done = false, lookup = false;
	if ((o->op == LFLOW_OP_CT_NEXT ||
	     (commit && !(cur != NULL && cur->conn != NULL && cur_zone == o->zone) &&
	      !pl_ct_absent(cur, cur_zone, o->zone))) &&
	    v->kind == CT_PKT_CONN && !v->first_frag && !env->peek) {
		bool seg = v->tp.proto == IPPROTO_TCP_ || v->tp.proto == IPPROTO_SCTP_;
		done = ct_process_hint(env->t, &e->ct[j].hint, o->zone, &v->tp,
		                       seg ? &v->seg : NULL, env->now, commit ? &o->commit : NULL,
		                       res);
		lookup = !done;
	}
	if (!done) {
		pl_ct_exec_view(env, v, o->op, o->zone, &o->commit, cur, cur_zone, res);
		ct_hint_learn(env->t, &e->ct[j].hint, res);
		x->ct_looked += lookup; /* a connection looked up, not hinted */
	}
	pc->zone[j] = o->zone;
	pc->n++;
	if (res->nat && o->nat_applies) {
		/* Translated: later actions see the new tuple, as the walk did. */
		v->tp = res->rw;
		v->hashed = false;
	}
	return true;
}

/* The cache entry for @p k whose ct actions, run now in order, give the
 * results its walk saw; NULL when none (the results run so far stay in
 * @p pc for the interpreter). */
static struct fc_entry *cache_find(struct txbs *x, struct fc *fc, const struct flow_key *k,
                                   const struct rte_mbuf *m, const struct flow_offsets *ofs,
                                   struct pkt_ct *pc)
{
	struct fc_cursor cur = {0};
	struct fc_entry *first = NULL; /* the first passed over */
	for (struct fc_entry *e = fc_lookup_from(fc, k, &cur); e != NULL;
	     e = fc_lookup_from(fc, k, &cur)) {
		unsigned j;
		for (j = 0; j < e->n_ct; j++) {
			if (j == pc->n && !replay_op(x, pc, e, j, k, m, ofs))
				return NULL;
			if (!fc_ct_matches(&e->ct[j], &pc->res[j]))
				break;
		}
		if (j == e->n_ct) {
			fc_promote(fc, &cur);
			if (likely(first == NULL)) {
				if (unlikely(e->passed))
					e->passed = 0;
			} else {
				e = fc_passed_over(fc, first, e);
			}
			fc_remember(fc, k->in_port, e);
			return e;
		}
		if (first == NULL)
			first = e;
	}
	return NULL;
}

/* Hand the ct results a cache lookup ran to the interpreter. */
static void ct_to_ctx(struct pl_ctx *c, struct pkt_ct *pc, const struct txbs *x,
                      const struct rte_mbuf *m, const struct flow_offsets *ofs)
{
	c->ct = pkt_ct_env(pc, x, m, ofs);
	c->n_ct_given = pc->n;
	for (uint8_t i = 0; i < pc->n; i++) {
		c->ct_res[i] = pc->res[i];
		c->ct_zone[i] = pc->zone[i];
	}
}

/* A cache hit: the entry's outputs and drops, no pipeline. */
static void hit(struct txbs *x, const struct pl_snapshot *s, struct fc *fc, struct fc_entry *e,
                struct dp_port_stats *st, struct rte_mbuf *m, const struct flow_key *k,
                const struct flow_offsets *ofs)
{
	e->packets++;
	fc->st.hits++;
	for (uint8_t i = 0; i < e->n_drops; i++)
		st->drops[e->drops[i]]++;
	for (int i = 0; i < e->n_out; i++) {
		struct flow_key final;
		struct rte_mbuf *p = copy_for(st, m, i, e->n_out - 1);
		if (p == NULL)
			continue;
		const struct fc_out *fo = &e->out[i];
		if (fo->kind == PL_KIND_PACKET && !fo->writes) {
			pl_out_send(x, st, p, fo->dpdk, fo->tag);
			continue;
		}
		/* Without writes the packet leaves as it came: no final key. */
		const struct flow_key *fk = k;
		if (fo->writes) {
			fc_apply(fo, k, &final);
			fk = &final;
			if (unlikely(pl_rewrite(p, k, ofs, &final) < 0 ||
			             (fo->natx.what && pl_rewrite_natx(p, ofs, &fo->natx) < 0))) {
				st->drops[DROP_IP4_BAD_LEN]++;
				rte_pktmbuf_free(p);
				continue;
			}
		}
		if (fo->kind == PL_KIND_ENCAP) {
			struct tun t = {.peer = fo->peer,
			                .in = fo->tun_in,
			                .vni = fo->vni,
			                .out = fo->outport};
			if (!encap(x, s, st, p, t, fk, k, ofs)) {
				rte_pktmbuf_free(p);
				continue;
			}
		}
		pl_out_send(x, st, p, e->out[i].dpdk, e->out[i].tag);
	}
	if (e->n_out == 0)
		rte_pktmbuf_free(m);
}

/* Check mode: the pipeline's answer for @p k against the entry's. */
/* Interpreter contexts, one per worker: too large for a worker's stack,
 * and thread-local storage costs a call per access in a PIC library. */
static struct pl_ctx worker_ctx[DP_WORKERS_MAX], check_ctx[DP_WORKERS_MAX];

static void check(struct fc *fc, const struct fc_entry *e, const struct pl_snapshot *s,
                  const struct flow_key *k, struct pl_binding b, const struct pkt_ct *pc)
{
	struct pl_ctx *c = &check_ctx[fc->worker];
	memset(c, 0, offsetof(struct pl_ctx, out));
	c->h.k = *k;
	c->s = s;
	c->track = true; /* drops and uncacheable walks show */
	/* The hit's ct results, replayed: the tracker is not asked twice. */
	c->ct = pc->ready ? &pc->env : NULL;
	c->n_ct_given = pc->n;
	memcpy(c->ct_res, pc->res, sizeof(c->ct_res));
	memcpy(c->ct_zone, pc->zone, sizeof(c->ct_zone));
	if (k->tun_vni)
		pl_run_decap(c, b.dp, k->tun_in, k->tun_out);
	else
		pl_run(c, b.dp, b.port);
	fc->st.check_runs++;
	bool same = c->n_out == e->n_out && c->n_drops == e->n_drops &&
	            memcmp(c->drops, e->drops, c->n_drops) == 0;
	for (int i = 0; same && i < c->n_out; i++) {
		struct flow_key final;
		fc_apply(&e->out[i], k, &final);
		same = c->out[i].dpdk == e->out[i].dpdk && c->out[i].tag == e->out[i].tag &&
		       c->out[i].kind == e->out[i].kind &&
		       (c->out[i].kind != PL_KIND_ENCAP ||
		        (c->out[i].peer == e->out[i].peer && c->out[i].vni == e->out[i].vni &&
		         c->out[i].tun_in == e->out[i].tun_in &&
		         c->out[i].outport == e->out[i].outport)) &&
		       memcmp(&final, &c->out[i].h.k, sizeof(final)) == 0 &&
		       c->out[i].natx.what == e->out[i].natx.what &&
		       (!c->out[i].natx.what || memcmp(&c->out[i].natx.t, &e->out[i].natx.t,
		                                       sizeof(e->out[i].natx.t)) == 0);
	}
	if (!same)
		fc->st.check_mismatches++;
}

/* This worker's interpreter context, set up for one packet from a port
 * counted in @p st. */
static struct pl_ctx *run_ctx(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                              const struct flow_key *k)
{
	struct pl_ctx *c = &worker_ctx[x->w->id];
	const struct pl_counters *n = &s->counters[x->w->id];
	c->h.k = *k;
	c->s = s;
	c->hits = n->hits;
	c->lf_drops = n->drops;
	c->lport_rx = n->lport_rx;
	c->lport_tx = n->lport_tx;
	c->port_drops = st->drops;
	c->punt = pl_punt_send;
	c->punt_aux = st;
	c->trace = NULL;
	c->track = false;
	c->ct = NULL;
	c->n_ct_given = 0;
	return c;
}

static bool uses_original(uint8_t kind)
{
	return kind == PL_KIND_PACKET || kind == PL_KIND_ENCAP;
}

/*
 * @p p, the inner frame of a packet that arrived as @p orig, is over the
 * overlay MTU: an IPv4 packet with DF or an IPv6 one gets ICMP "need to
 * fragment" / "packet too big" back through the port it came in by, from
 * the address it was sent to (as a router on the path would answer).
 */
static void too_big(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                    const struct rte_mbuf *p, const struct flow_key *orig,
                    const struct flow_offsets *ofs)
{
	const uint8_t *l3 = rte_pktmbuf_mtod(p, const uint8_t *) + ofs->l3;
	bool v6 = (orig->flags & FLOW_F_IP6) != 0;
	if (ofs->l3 == 0 || (!v6 && !(orig->flags & FLOW_F_IP4)) || (!v6 && !(l3[6] & 0x40)) ||
	    orig->in_port >= RTE_MAX_ETHPORTS)
		return;
	/* Never an ICMP error about an ICMP error. */
	if ((orig->flags & FLOW_F_L4) && orig->nw_proto == (v6 ? 58 : 1)) {
		uint8_t type = (uint8_t)rte_be_to_cpu_16(orig->tp_src);
		if (v6 ? type < 128 : (type != 0 && type != 8))
			return;
	}
	struct pl_out e = {.kind = v6 ? PL_KIND_ICMP6_ERROR : PL_KIND_ICMP4_ERROR};
	struct flow_key *k = &e.h.k;
	k->flags = (uint8_t)(v6 ? FLOW_F_IP6 : FLOW_F_IP4);
	memcpy(k->eth_src, orig->eth_dst, 6);
	memcpy(k->eth_dst, orig->eth_src, 6);
	memcpy(k->ip_src, orig->ip_dst, 16);
	memcpy(k->ip_dst, orig->ip_src, 16);
	k->nw_ttl = 64;
	k->nw_proto = v6 ? 58 : 1;
	k->tp_src = rte_cpu_to_be_16(v6 ? 2 : 3);
	k->tp_dst = rte_cpu_to_be_16(v6 ? 0 : 4);
	e.h.frag_mtu = s->underlay.overlay_mtu;
	struct rte_mbuf *m = pl_generate(&e, p, ofs);
	if (m == NULL) {
		st->drops[DROP_PL_NO_MBUF]++;
		return;
	}
	pl_out_send(x, st, m, orig->in_port, 0);
}

/* Put the outer headers in front of @p p (the inner frame, rewritten, of
 * a packet that arrived as @p orig). */
static bool encap(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                  struct rte_mbuf *p, struct tun t, const struct flow_key *final,
                  const struct flow_key *orig, const struct flow_offsets *ofs)
{
	const struct pl_peer *peer = &s->peers[t.peer];
	const struct pl_underlay *u = &s->underlay;
	struct pl_peer_stats *ps = &s->counters[x->w->id].peer[t.peer];
	if (unlikely(rte_pktmbuf_pkt_len(p) > u->max_inner)) {
		st->drops[DROP_TUN_TOO_BIG]++;
		ps->drops[PL_PD_TUN_TOO_BIG]++;
		too_big(x, s, st, p, orig, ofs);
		return false;
	}
	if (unlikely(!peer->resolved || peer->ip6 != u->ip6)) {
		st->drops[DROP_TUN_UNRESOLVED]++;
		ps->drops[PL_PD_TUN_UNRESOLVED]++;
		pl_underlay_resolve(x, s, st, p, t.peer);
		return false;
	}
	if (unlikely(peer->refresh))
		pl_underlay_resolve(x, s, st, p, t.peer);
	if (unlikely(p->nb_segs > 1 && rte_pktmbuf_linearize(p) < 0)) {
		st->drops[DROP_TUN_NO_ROOM]++;
		ps->drops[PL_PD_TUN_NO_ROOM]++;
		return false;
	}
	unsigned hl = u->ip6 ? GENEVE_ENCAP_LEN6 : GENEVE_ENCAP_LEN4;
	uint32_t inner_len = rte_pktmbuf_data_len(p);
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(p, (uint16_t)hl);
	if (unlikely(h == NULL)) {
		st->drops[DROP_TUN_NO_ROOM]++;
		ps->drops[PL_PD_TUN_NO_ROOM]++;
		return false;
	}
	struct geneve_meta meta = {.vni = t.vni,
	                           .in_port = t.in,
	                           .out_port = (uint16_t)t.out,
	                           .udp_src = geneve_udp_src(final)};
	geneve_tmpl_apply(h, &peer->tmpl, &meta, h + hl, inner_len);
	if (u->tx_csum) {
		/* The NIC sees a UDP datagram: its sums, nothing of the inner frame. */
		p->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
		p->ol_flags |= (u->ip6 ? RTE_MBUF_F_TX_IPV6
		                       : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
		               (peer->csum || u->ip6 ? RTE_MBUF_F_TX_UDP_CKSUM : 0);
		p->l2_len = 14;
		p->l3_len = u->ip6 ? 40 : 20;
	}
	ps->tx_packets++;
	ps->tx_bytes += rte_pktmbuf_pkt_len(p);
	return true;
}

/* The interpreter's output records as frames: the original packet for the
 * last record that carries it (rewritten, encapsulated), copies for the
 * others, generated packets built fresh. Consumes @p m. */
static void emit_outputs(struct txbs *x, const struct pl_snapshot *s, struct dp_port_stats *st,
                         const struct pl_ctx *c, struct rte_mbuf *m, const struct flow_key *k,
                         const struct flow_offsets *ofs)
{
	int last = -1;
	bool own = true; /* m is still ours to free */
	for (int i = 0; i < c->n_out; i++)
		if (uses_original(c->out[i].kind))
			last = i;
	for (int i = 0; i < c->n_out; i++) {
		const struct pl_out *o = &c->out[i];
		struct rte_mbuf *p;
		if (!uses_original(o->kind)) {
			p = pl_generate(o, m, ofs);
			if (unlikely(p == NULL)) {
				st->drops[DROP_PL_NO_MBUF]++;
				continue;
			}
		} else {
			p = copy_for(st, m, i, last);
			if (p == NULL)
				continue;
			if (p == m)
				own = false;
			if (unlikely(pl_rewrite(p, k, ofs, &o->h.k) < 0 ||
			             (o->natx.what && pl_rewrite_natx(p, ofs, &o->natx) < 0))) {
				st->drops[DROP_IP4_BAD_LEN]++;
				rte_pktmbuf_free(p);
				continue;
			}
			if (o->kind == PL_KIND_ENCAP && !encap(x, s, st, p,
			                                       (struct tun){.peer = o->peer,
			                                                    .in = o->tun_in,
			                                                    .vni = o->vni,
			                                                    .out = o->outport},
			                                       &o->h.k, k, ofs)) {
				rte_pktmbuf_free(p);
				continue;
			}
		}
		pl_out_send(x, st, p, o->dpdk, o->tag);
	}
	if (own)
		rte_pktmbuf_free(m);
}

/* A fragment's datagram (zone 0): false when it has none to tell. */
static bool frag_key(const struct rte_mbuf *m, const struct flow_key *k,
                     const struct flow_offsets *ofs, struct ct_frag_key *fk)
{
	if (!ofs->l3 || rte_pktmbuf_data_len(m) <= ofs->l3)
		return false;
	return ct_frag_key_of(k, rte_pktmbuf_mtod(m, const uint8_t *) + ofs->l3,
	                      rte_pktmbuf_data_len(m) - ofs->l3, fk) == 0;
}

/* A fragment (conntrack on): -1 when a later one is held for its first
 * (taken), 1 for a first (its datagram in @p first), 0 otherwise. */
static int early_frag(struct txbs *x, struct rte_mbuf *m, const struct flow_key *k,
                      const struct flow_offsets *ofs, uint16_t in_port, struct ct_frag_key *first)
{
	if (__atomic_load_n(&ct_table, __ATOMIC_RELAXED) == NULL || !frag_key(m, k, ofs, first))
		return 0;
	if (!(k->nw_frag & FLOW_FRAG_LATER))
		return 1;
	return pl_frag_hold(x->w->id, first, m, in_port, x->now) ? -1 : 0;
}

/* One packet from a local port. A later fragment whose first has not
 * passed is held (frag_early.h); @return true when @p m was a first
 * fragment, its datagram in @p first, so that the caller runs what was
 * held for it. */
static bool one_walk(struct txbs *x, const struct pl_snapshot *s, struct fc *fc,
                     struct dp_port_stats *st, uint16_t in_port, struct rte_mbuf *m,
                     const struct flow_key *pk, const struct flow_offsets *pofs,
                     struct ct_frag_key *first)
{
	bool was_first = false;
	struct flow_key k;
	struct flow_offsets ofs;
	enum drop_reason r;

	if (pk != NULL) { /* parsed already, looking ahead */
		k = *pk;
		ofs = *pofs;
	} else {
		r = parse_packet(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), 0,
		                 &k, &ofs, NULL);
		if (unlikely(r != DROP_NONE))
			goto drop;
	}
	const struct pl_vif *v = &s->vifs[in_port];
	struct pl_binding b = v->self;
	if (k.n_vlans && v->n_tagged) {
		uint16_t vid = rte_be_to_cpu_16(k.vlan_tci[0]) & 0xfff;
		for (uint16_t i = 0; i < v->n_tagged; i++)
			if (v->tags[i] == vid)
				b = v->tagged[i];
		if (b.dp != v->self.dp || b.port != v->self.port) {
			/* A container port: its tag is not part of the logical packet. */
			if (rte_vlan_strip(m) < 0) {
				r = DROP_VLAN_TRUNC;
				goto drop;
			}
			r = parse_packet(rte_pktmbuf_mtod(m, const uint8_t *),
			                 rte_pktmbuf_data_len(m), 0, &k, &ofs, NULL);
			if (r != DROP_NONE)
				goto drop;
		}
	}
	if (unlikely(b.dp >= s->n_datapaths)) {
		r = DROP_PL_UNBOUND;
		goto drop;
	}
	k.in_port = in_port;
	if (unlikely(k.nw_frag & FLOW_FRAG_ANY)) {
		int f = early_frag(x, m, &k, &ofs, in_port, first);
		if (f < 0)
			return false; /* held */
		was_first = f > 0;
	}
	struct pl_live *lv = pl_live_armed;
	if (unlikely(lv != NULL))
		pl_live_offer(lv, s, &k, b.dp, b.port);
	struct pkt_ct pc;
	pc.ready = pc.viewed = false;
	pc.n = 0;
	if (fc != NULL) {
		struct fc_entry *e = cache_find(x, fc, &k, m, &ofs, &pc);
		if (e != NULL) {
			if (unlikely(fc->check))
				check(fc, e, s, &k, b, &pc);
			hit(x, s, fc, e, st, m, &k, &ofs);
			return was_first;
		}
		fc->st.misses++;
	}
	struct pl_ctx *c = run_ctx(x, s, st, &k);
	c->pkt_len = rte_pktmbuf_pkt_len(m) - ofs.l2; /* the inner frame, when tunnelled */
	c->track = fc != NULL;
	ct_to_ctx(c, &pc, x, m, &ofs);
	pl_run(c, b.dp, b.port);
	if (fc != NULL)
		fc_insert(fc, s, &k, c);

	emit_outputs(x, s, st, c, m, &k, &ofs);
	return was_first;
drop:
	st->drops[r]++;
	rte_pktmbuf_free(m);
	return false;
}

static bool underlay_walk(struct txbs *x, const struct pl_snapshot *s, struct fc *fc,
                          struct dp_port_stats *st, uint16_t in_port, struct rte_mbuf *m,
                          struct ct_frag_key *first);

/* Held fragments @p m (from @p ports), their first passed: run as they
 * came, by their port's role. */
static void run_held(struct txbs *x, const struct pl_snapshot *s, struct fc *fc,
                     struct rte_mbuf **m, const uint16_t *ports, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct ct_frag_key k;
		const struct dp_port *p = &x->t->ports[ports[i]];
		if (p->stats == NULL) { /* its port went meanwhile */
			rte_pktmbuf_free(m[i]);
			continue;
		}
		struct dp_port_stats *st = &p->stats[x->w->id];
		if (p->role == DP_ROLE_UNDERLAY)
			underlay_walk(x, s, fc, st, ports[i], m[i], &k);
		else
			one_walk(x, s, fc, st, ports[i], m[i], NULL, NULL, &k);
	}
}

/* A packet looked at ahead of its turn (look_ahead()). */
struct ahead {
	bool parsed; /* k and ofs hold the packet's parse */
	struct flow_key k;
	struct flow_offsets ofs;
};

/* One packet from port @p in_port, a local port or the underlay; @p a:
 * its parse, when looking ahead made it. */
static void one(struct txbs *x, const struct pl_snapshot *s, struct fc *fc,
                struct dp_port_stats *st, uint16_t in_port, struct rte_mbuf *m,
                const struct ahead *a)
{
	struct ct_frag_key first;
	bool was_first = x->t->ports[in_port].role == DP_ROLE_UNDERLAY
	                         ? underlay_walk(x, s, fc, st, in_port, m, &first)
	                         : one_walk(x, s, fc, st, in_port, m, a ? &a->k : NULL,
	                                    a ? &a->ofs : NULL, &first);
	if (likely(!was_first))
		return;
	/* A first fragment passed: the later ones held for it follow now. */
	struct rte_mbuf *held[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	unsigned n = pl_frag_first(x->w->id, &first, x->now, held, ports);
	run_held(x, s, fc, held, ports, n);
}

/* The peer whose encap IP is @p src (outer IPv4 or IPv6), or NULL. */
static struct pl_peer_stats *peer_of(struct txbs *x, const struct pl_snapshot *s,
                                     const uint8_t *src, bool ip6)
{
	/* Fixed-size compares: the compiler inlines them, a call it would not. */
	if (!ip6) {
		uint32_t a;
		memcpy(&a, src, 4);
		for (uint16_t i = 0; i < s->n_peers; i++) {
			uint32_t b;
			memcpy(&b, s->peers[i].ip, 4);
			if (!s->peers[i].ip6 && a == b)
				return &s->counters[x->w->id].peer[i];
		}
		return NULL;
	}
	for (uint16_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].ip6 && memcmp(s->peers[i].ip, src, 16) == 0)
			return &s->counters[x->w->id].peer[i];
	return NULL;
}

static void peer_drop(struct pl_peer_stats *ps, enum drop_reason r)
{
	int slot = pl_peer_drop_slot(r);
	if (ps != NULL && slot >= 0)
		ps->drops[slot]++;
}

/*
 * A frame from the underlay: Geneve to our encap IP is decapsulated and
 * runs the egress pipeline of the port it names (as after OpenFlow table
 * 40), through the flow cache like local input: the key is the inner
 * frame's plus the VNI and the option's port keys. Everything else is the
 * underlay's own (underlay.c). An inner later fragment whose first has
 * not passed is held whole (frag_early.h); @return true when @p m was an
 * inner first fragment, its datagram in @p first.
 */
static bool underlay_walk(struct txbs *x, const struct pl_snapshot *s, struct fc *fc,
                          struct dp_port_stats *st, uint16_t in_port, struct rte_mbuf *m,
                          struct ct_frag_key *first)
{
	bool was_first = false;
	const struct pl_underlay *u = &s->underlay;
	struct flow_key k;
	struct flow_offsets ofs;
	struct flow_tunnel t;
	struct pl_peer_stats *ps = NULL;
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	enum drop_reason r;
	/* Geneve as peers send it in one go; anything else the general way. */
	if (!parse_geneve4_fast(data, rte_pktmbuf_data_len(m), &k, &ofs, &t, &r))
		r = parse_packet(data, rte_pktmbuf_data_len(m), PARSE_F_TUNNEL, &k, &ofs, &t);
	if (unlikely(r != DROP_NONE)) {
		/* A malformed Geneve header: the key still holds the outer
		 * addresses (parse.h), enough to charge a peer with it. */
		if (pl_peer_drop_slot(r) >= 0 && u->present &&
		    memcmp(k.ip_dst, u->ip, u->ip6 ? 16 : 4) == 0)
			ps = peer_of(x, s, k.ip_src, u->ip6);
		else if (pl_exception_to_host(x, in_port, m))
			return false; /* not ours to judge */
		goto drop_peer;
	}
	r = DROP_UL_NOT_OURS;
	if (!u->present || !(k.flags & FLOW_F_TUNNEL)) {
		pl_underlay_local(x, s, st, in_port, m, &k, &ofs);
		return false;
	}
	/* Geneve to another address is not ours, whatever it carries: the
	 * key describes its inner frame, which is no ARP of the underlay's. */
	if (!pl_underlay_to_us(u, &t)) {
		if (pl_exception_to_host(x, in_port, m))
			return false;
		goto drop;
	}
	ps = peer_of(x, s, t.src, (t.flags & FLOW_TNL_F_IP6) != 0);
	if (!(t.flags & FLOW_TNL_F_OVN_OPT)) {
		r = DROP_TUN_NO_OPTION;
		goto drop_peer;
	}
	/* Held whole, outer headers and all: it runs again as it came. */
	if (unlikely(k.nw_frag & FLOW_FRAG_ANY)) {
		int f = early_frag(x, m, &k, &ofs, in_port, first);
		if (f < 0)
			return false; /* held */
		was_first = f > 0;
	}
	/* The inner frame alone from here: offsets from its start. */
	uint16_t l2 = ofs.l2;
	uint32_t outer_len = rte_pktmbuf_pkt_len(m);
	rte_pktmbuf_adj(m, l2);
	ofs.l2 = 0;
	ofs.l3 = ofs.l3 ? (uint16_t)(ofs.l3 - l2) : 0;
	ofs.l4 = ofs.l4 ? (uint16_t)(ofs.l4 - l2) : 0;
	ofs.l7 = ofs.l7 ? (uint16_t)(ofs.l7 - l2) : 0;
	k.flags &= (uint8_t)~FLOW_F_TUNNEL;
	k.in_port = in_port;
	k.tun_vni = t.vni;
	k.tun_in = t.ovn_in;
	k.tun_out = t.ovn_out;
	struct pkt_ct pc;
	pc.ready = pc.viewed = false;
	pc.n = 0;
	if (fc != NULL) {
		/* An entry exists only for a datapath and port that existed when
		 * it was made, and goes when they change: no checks on a hit. */
		struct fc_entry *e = cache_find(x, fc, &k, m, &ofs, &pc);
		if (e != NULL) {
			if (ps != NULL) {
				ps->rx_packets++;
				ps->rx_bytes += outer_len;
			}
			fc->st.decap_hits++;
			if (unlikely(fc->check)) {
				const struct pl_datapath *dp = pl_datapath_find(s, t.vni);
				struct pl_binding b = {.dp = dp ? (uint32_t)(dp - s->datapaths)
				                                : 0};
				check(fc, e, s, &k, b, &pc);
			}
			hit(x, s, fc, e, st, m, &k, &ofs);
			return was_first;
		}
		fc->st.misses++;
	}
	const struct pl_datapath *dp = pl_datapath_find(s, t.vni);
	if (dp == NULL) {
		r = DROP_TUN_UNKNOWN_DP;
		goto drop_peer;
	}
	if (t.ovn_out < OVN_MCAST_KEY_MIN && pl_lport_find(dp, t.ovn_out) == NULL) {
		r = DROP_TUN_UNKNOWN_PORT;
		goto drop_peer;
	}
	if (ps != NULL) {
		ps->rx_packets++;
		ps->rx_bytes += outer_len;
	}
	struct pl_ctx *c = run_ctx(x, s, st, &k);
	c->pkt_len = rte_pktmbuf_pkt_len(m) - ofs.l2; /* the inner frame, when tunnelled */
	c->track = fc != NULL;
	ct_to_ctx(c, &pc, x, m, &ofs);
	pl_run_decap(c, (uint32_t)(dp - s->datapaths), t.ovn_in, t.ovn_out);
	if (fc != NULL)
		fc_insert(fc, s, &k, c);
	emit_outputs(x, s, st, c, m, &k, &ofs);
	return was_first;
drop_peer:
	peer_drop(ps, r);
drop:
	st->drops[r]++;
	rte_pktmbuf_free(m);
	return false;
}

/*
 * Many connections (hints do not hold): while a packet runs, the buckets
 * the next one will look up are on their way. The next packet is parsed
 * (the parse is kept for its turn), its cache entry found (its first
 * candidate, changing nothing) and the buckets of each zone its ct
 * actions track in prefetched. Only TCP, UDP and SCTP, not fragments or
 * tagged frames: a guess that is cheap to get wrong. (struct ahead is
 * above.)
 */
static void look_ahead(struct fc *fc, uint16_t in_port, const struct rte_mbuf *m, struct ahead *a)
{
	struct ct_table *t = __atomic_load_n(&ct_table, __ATOMIC_RELAXED);
	struct flow_key *k = &a->k;
	a->parsed = false;
	if (t == NULL || parse_packet(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
	                              0, k, &a->ofs, NULL) != DROP_NONE)
		return;
	a->parsed = true;
	if (!(k->flags & (FLOW_F_IP4 | FLOW_F_IP6)) || (k->nw_frag & FLOW_FRAG_ANY) || k->n_vlans ||
	    (k->nw_proto != IPPROTO_TCP_ && k->nw_proto != IPPROTO_UDP_ &&
	     k->nw_proto != IPPROTO_SCTP_))
		return;
	k->in_port = in_port;
	struct fc_cursor cur = {0};
	const struct fc_entry *e = fc_lookup_from(fc, k, &cur);
	struct ct_tuple tp;
	if (e == NULL || e->n_ct == 0 || ct_tuple_from_key(k, 0, &tp) != 0)
		return;
	uint64_t base = ct_tuple_hash_base(&tp), rbase = 0;
	for (unsigned z = 0; z < e->n_ct; z++) {
		const struct fc_ct *f = &e->ct[z];
		if (f->op.op == LFLOW_OP_SET_METER)
			continue;
		if (z == 0 || f->op.zone != e->ct[z - 1].op.zone)
			ct_prefetch(t, f->op.zone, base);
		/* A walk that commits a new connection: its insert looks the
		 * reply tuple up too, and locks that key's group. */
		if (f->op.op != LFLOW_OP_CT_COMMIT)
			continue;
		int j = (int)z - 1;
		while (j >= 0 &&
		       (e->ct[j].op.zone != f->op.zone || e->ct[j].op.op == LFLOW_OP_SET_METER))
			j--;
		if (j >= 0 && (e->ct[j].state & e->ct[j].op.state_mask & CT_CS_NEW)) {
			if (rbase == 0) {
				struct ct_tuple r;
				ct_tuple_reverse(&tp, &r);
				rbase = ct_tuple_hash_base(&r);
			}
			ct_prefetch(t, f->op.zone, rbase);
		}
	}
}

/* A burst's output buffers: 16 KiB, so set what is read, never the rest. */
static void txbs_init(struct txbs *x, const struct dp_tables *t, struct dp_worker *w)
{
	x->t = t;
	x->w = w;
	x->n = 0;
	x->ct_looked = 0;
	x->now = rte_rdtsc();
}

/* Per worker: whether the last burst's hits mostly looked connections up. */
static bool look_ahead_on[DP_WORKERS_MAX];

void pl_process(const struct dp_tables *t, const struct pl_snapshot *s, struct dp_worker *w,
                uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_stats *st = &t->ports[in_port].stats[w->id];
	struct txbs x;

	txbs_init(&x, t, w);
	for (uint16_t i = 0; i < n; i++)
		st->rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	st->rx_packets += n;
	if (unlikely(s == NULL)) {
		st->drops[DROP_PL_NO_PIPELINE] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	struct fc *fc = w->cache && w->cache->size ? w->cache : NULL;
	/* Headers of the next few packets on their way while this one runs:
	 * with many flows the frames are rarely in the cache. */
	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	bool ahead =
	        fc != NULL && look_ahead_on[w->id] && t->ports[in_port].role != DP_ROLE_UNDERLAY;
	struct ahead ah[2];
	if (ahead && n > 0)
		look_ahead(fc, in_port, pkts[0], &ah[0]);
	for (uint16_t i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (!ahead) {
			one(&x, s, fc, st, in_port, pkts[i], NULL);
			continue;
		}
		if (i + 1 < n)
			look_ahead(fc, in_port, pkts[i + 1], &ah[(i + 1) & 1]);
		const struct ahead *a = &ah[i & 1];
		one(&x, s, fc, st, in_port, pkts[i], a->parsed ? a : NULL);
	}
	look_ahead_on[w->id] = x.ct_looked > n;
	for (unsigned i = 0; i < x.n; i++)
		pl_txb_flush(&x, &x.b[i]);
}

void pl_frag_run_held(const struct dp_tables *t, const struct pl_snapshot *s, struct dp_worker *w)
{
	struct rte_mbuf *held[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	struct txbs x;

	txbs_init(&x, t, w);
	unsigned n = pl_frag_poll(t, w->id, x.now, held, ports);
	if (n == 0)
		return;
	if (unlikely(s == NULL)) {
		for (unsigned i = 0; i < n; i++) {
			const struct dp_port *p = &t->ports[ports[i]];
			if (p->stats != NULL)
				p->stats[w->id].drops[DROP_PL_NO_PIPELINE]++;
		}
		rte_pktmbuf_free_bulk(held, n);
		return;
	}
	run_held(&x, s, w->cache && w->cache->size ? w->cache : NULL, held, ports, n);
	for (unsigned i = 0; i < x.n; i++)
		pl_txb_flush(&x, &x.b[i]);
}
