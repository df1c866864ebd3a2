/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interpreter (see interp.h). Logical actions follow ovn-sb(5); the
 * physical stages follow ovn-architecture(7), "Architectural Physical Life
 * Cycle of a Packet": output in the ingress pipeline is OpenFlow tables
 * 37-41 (groups, loopback check), output in the egress pipeline is tables
 * 64-65 (delivery, or a patch port's clone into the peer's ingress with
 * registers, flags and connection state cleared).
 *
 * Connection tracking and log() are in interp_ct.c, the headers of
 * generated packets in interp_gen.c (interp_int.h between them).
 */
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/interp_int.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

/* What a program asks of its caller when it ends. */
#define RUN_END  (-1) /* actions done; nothing follows */
#define RUN_STOP (-2) /* drop, or the packet halted: stop this copy */

static int run_prog(struct pl_ctx *c, const uint64_t *p, uint32_t len, const struct pl_entry *e);
static void run_tables(struct pl_ctx *c, unsigned pipeline, unsigned table);

static void drop(struct pl_ctx *c, enum drop_reason r, uint32_t port)
{
	c->dropped = true;
	if (unlikely(c->track)) {
		if (c->n_drops < PL_DROPS_MAX)
			c->drops[c->n_drops++] = (uint8_t)r;
		else
			c->uncacheable = true;
	}
	if (c->port_drops)
		c->port_drops[r]++;
	if (unlikely(c->trace != NULL)) {
		struct pl_ev ev = {.type = PL_EV_DROP, .dp = c->dp, .reason = r, .port = port};
		c->trace(c->trace_aux, &ev);
	}
}

/* --- Tracking for the flow cache (no cost unless c->track). --- */

static const uint8_t field_width[LFLOW_F_N] = {
#define FIELD_WIDTH(E, N, W, F) [LFLOW_F_##E] = (W) > 255 ? 255 : (W),
        LFLOW_FIELDS(FIELD_WIDTH)
#undef FIELD_WIDTH
};

/* rd |= t & ~wr: bits read before this copy wrote them. */
static void merge_read(struct pl_ctx *c, const struct flow_key *t)
{
	uint8_t *rd = (uint8_t *)&c->rd;
	const uint8_t *tt = (const uint8_t *)t, *wr = (const uint8_t *)&c->wr;
	for (size_t i = 0; i < sizeof(c->rd); i++)
		rd[i] |= tt[i] & (uint8_t)~wr[i];
}

static void mark_read(struct pl_ctx *c, unsigned field, pl_u128 mask)
{
	if (likely(!c->track))
		return;
	if (field == LFLOW_F_CT_STATE || field == LFLOW_F_CT_MARK || field == LFLOW_F_CT_LABEL)
		pli_mark_ct_read(c, field, mask);
	if (field < LFLOW_F_ETH_SRC)
		return;
	struct flow_key t;
	memset(&t, 0, sizeof(t));
	pl_field_mark(&t, field, mask);
	merge_read(c, &t);
}

pl_u128 pli_rget(struct pl_ctx *c, struct lflow_fref f)
{
	mark_read(c, f.field, pl_low_mask(f.n_bits) << f.ofs);
	return pl_fref_get(&c->h, f);
}

static void wset(struct pl_ctx *c, unsigned field, pl_u128 v, pl_u128 mask)
{
	pl_field_set(&c->h, field, v, mask);
	if (unlikely(c->track))
		pl_field_mark(&c->wr, field, mask);
}

static void wfset(struct pl_ctx *c, struct lflow_fref f, pl_u128 v)
{
	wset(c, f.field, (v & pl_low_mask(f.n_bits)) << f.ofs, pl_low_mask(f.n_bits) << f.ofs);
}

static void visit(struct pl_ctx *c, uint32_t tid, uint32_t idx, unsigned flags)
{
	if (likely(!c->track))
		return;
	if (c->n_visit == PL_VISIT_MAX) {
		c->uncacheable = true;
		return;
	}
	c->visit[c->n_visit++] = ((uint64_t)tid << 32) | ((uint64_t)(idx & 0xffff) << 16) | flags;
}

void pli_dep(struct pl_ctx *c, unsigned what)
{
	visit(c, PL_TID(c->dp->key, 1, what), 0, PL_VISIT_DEP);
}

/* The last visit dropped: its entry's drop counter, not only its hit. */
static void visit_dropped(struct pl_ctx *c)
{
	if (c->track && c->n_visit)
		c->visit[c->n_visit - 1] |= PL_VISIT_DROP;
}

/* A packet entering (@p rx) or leaving logical port @p p of c->dp. */
static void count_port(struct pl_ctx *c, const struct pl_lport *p, bool rx)
{
	uint64_t *cnt = rx ? c->lport_rx : c->lport_tx;
	if (cnt)
		cnt[p->idx]++;
	visit(c, PL_TID(c->dp->key, 1, PL_DEP_PORTS), p->key, rx ? PL_VISIT_RX : PL_VISIT_TX);
}

/* The bits of @p mask at and above the highest bit of @p d (not zero). */
static pl_u128 from_top_bit(pl_u128 mask, pl_u128 d)
{
	uint64_t hi = (uint64_t)(d >> 64), lo = (uint64_t)d;
	unsigned top =
	        hi ? 127u - (unsigned)__builtin_clzll(hi) : 63u - (unsigned)__builtin_clzll(lo);
	return mask & ~((((pl_u128)1) << top) - 1);
}

/* The first matching entry. Tracking marks, for each entry tried, the
 * atoms evaluated up to the first that failed: the bits the outcome
 * depends on. A value that differs from an atom's needs only its bits
 * down to the highest that differs (as OVS's prefix tracking does for
 * ports): any packet that agrees on those differs there too. So a test
 * like `udp.src == 67' does not make every source port an entry. */
static const struct pl_entry *lookup_tracked(struct pl_ctx *c, const struct pl_table *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pl_entry *e = &t->e[i];
		bool ok = true;
		for (uint32_t k = 0; k < e->n_atoms && ok; k++) {
			const struct lflow_atom *a = &e->atoms[k];
			ok = pl_atom_matches(c->s, a, &c->h);
			if (a->kind == LFLOW_ATOM_IN_SET || a->kind == LFLOW_ATOM_NOT_SET) {
				mark_read(c, a->field, pl_low_mask(field_width[a->field]));
				continue;
			}
			pl_u128 m = pl_u128_of(a->mask);
			if (ok == (a->kind == LFLOW_ATOM_NE)) {
				/* Decided by a differing bit. */
				pl_u128 d =
				        (pl_field_get(&c->h, a->field) ^ pl_u128_of(a->value)) & m;
				if (d)
					m = from_top_bit(m, d);
			}
			mark_read(c, a->field, m);
		}
		if (ok)
			return e;
	}
	return NULL;
}

/* Whether entry @p e matches, marking what it read when tracking. */
static bool try_entry(struct pl_ctx *c, const struct pl_entry *e)
{
	if (likely(!c->track))
		return pl_entry_matches(c->s, e, &c->h);
	struct pl_table one = {.n = 1, .e = e};
	return lookup_tracked(c, &one) != NULL;
}

/* An indexed table: the bucket's entries and the wild ones, merged in
 * priority (index) order. */
static const struct pl_entry *lookup_indexed(struct pl_ctx *c, const struct pl_table *t)
{
	const struct pl_index *x = t->index;
	pl_u128 v = pl_field_get(&c->h, x->field) & pl_low_mask(field_width[x->field]);
	mark_read(c, x->field, pl_low_mask(field_width[x->field]));
	struct lflow_u128 key = {(uint64_t)(v >> 64), (uint64_t)v};
	uint32_t b = pl_index_bucket(x, key);
	const uint32_t *ca = &x->cand[x->bucket[b]], *wi = x->wild;
	uint32_t na = x->bucket[b + 1] - x->bucket[b], nw = x->n_wild, i = 0, j = 0;
	while (i < na || j < nw) {
		uint32_t k = (j == nw || (i < na && ca[i] < wi[j])) ? ca[i++] : wi[j++];
		if (try_entry(c, &t->e[k]))
			return &t->e[k];
	}
	return NULL;
}

static const struct pl_entry *lookup(struct pl_ctx *c, const struct pl_table *t)
{
	if (t->index != NULL)
		return lookup_indexed(c, t);
	if (unlikely(c->track))
		return lookup_tracked(c, t);
	for (uint32_t i = 0; i < t->n; i++)
		if (pl_entry_matches(c->s, &t->e[i], &c->h))
			return &t->e[i];
	return NULL;
}

/* Saved state around a clone, a generated packet or a patch crossing. */
struct saved {
	struct pl_hdrs h;
	struct flow_key wr;
	const struct pl_datapath *dp;
	uint8_t kind, pipeline;
	int8_t ct_live;
	struct pl_natx natx;
};

static void save(const struct pl_ctx *c, struct saved *s)
{
	s->h = c->h;
	if (c->track)
		s->wr = c->wr;
	s->dp = c->dp;
	s->kind = c->kind;
	s->pipeline = c->pipeline;
	s->ct_live = c->ct_live;
	s->natx = c->natx;
}

static void restore(struct pl_ctx *c, const struct saved *s)
{
	c->h = s->h;
	if (c->track)
		c->wr = s->wr;
	c->dp = s->dp;
	c->kind = s->kind;
	c->pipeline = s->pipeline;
	c->ct_live = s->ct_live;
	c->natx = s->natx;
}

static enum drop_reason port_type_drop(uint8_t type)
{
	switch (type) {
	case PL_PORT_REMOTE:
		return DROP_PL_OUT_REMOTE;
	case PL_PORT_UNBOUND:
		return DROP_PL_OUT_UNBOUND;
	case PL_PORT_LOCALNET:
		return DROP_PL_OUT_LOCALNET;
	case PL_PORT_L2GATEWAY:
		return DROP_PL_OUT_L2GW;
	case PL_PORT_EXTERNAL:
		return DROP_PL_OUT_EXTERNAL;
	case PL_PORT_CHASSISREDIRECT:
		return DROP_PL_OUT_CR;
	default:
		return DROP_PL_OUT_OTHER;
	}
}

static void emit(struct pl_ctx *c, const struct pl_lport *p)
{
	if (unlikely(c->n_out == PL_OUT_MAX)) {
		drop(c, DROP_PL_TOO_MANY, p->key);
		return;
	}
	struct pl_out *o = &c->out[c->n_out++];
	o->dpdk = p->dpdk;
	o->tag = p->tag;
	o->kind = c->kind;
	o->outport = p->key;
	o->h = c->h;
	o->natx = c->natx;
	count_port(c, p, false);
	if (c->track)
		o->wr = c->wr;
	if (unlikely(c->trace != NULL)) {
		struct pl_ev ev = {.type = PL_EV_DELIVER, .dp = c->dp, .port = p->key};
		c->trace(c->trace_aux, &ev);
	}
}

/* Table 39: to another chassis, in a Geneve tunnel, with the logical
 * ingress and egress keys; the egress pipeline runs over there. */
static void emit_encap(struct pl_ctx *c, uint16_t peer, uint32_t outport)
{
	if (unlikely(!c->s->underlay.present)) {
		drop(c, DROP_TUN_NO_UNDERLAY, outport);
		return;
	}
	if (unlikely(c->n_out == PL_OUT_MAX)) {
		drop(c, DROP_PL_TOO_MANY, outport);
		return;
	}
	visit(c, PL_DEP_TUNNELS, 0, PL_VISIT_DEP);
	pli_dep(c, PL_DEP_PORTS);
	struct pl_out *o = &c->out[c->n_out++];
	o->dpdk = c->s->underlay.dpdk;
	o->tag = 0;
	o->kind = PL_KIND_ENCAP;
	o->outport = outport;
	o->peer = peer;
	o->tun_in = (uint16_t)c->h.m.inport;
	o->vni = c->dp->key;
	o->h = c->h;
	o->natx = c->natx;
	if (c->track)
		o->wr = c->wr;
	if (unlikely(c->trace != NULL)) {
		struct pl_ev ev = {
		        .type = PL_EV_TUNNEL, .dp = c->dp, .port = outport, .peer = peer};
		c->trace(c->trace_aux, &ev);
	}
}

/* Tables 64-65: the egress pipeline said output. */
static void deliver(struct pl_ctx *c)
{
	pli_dep(c, PL_DEP_PORTS);
	const struct pl_lport *p = pl_lport_find(c->dp, c->h.m.outport);
	if (p == NULL) {
		drop(c, DROP_PL_OUT_UNKNOWN, c->h.m.outport);
		return;
	}
	switch (p->type) {
	case PL_PORT_VIF:
	case PL_PORT_LOCALPORT:
		if (p->dpdk == DP_PORT_NONE) {
			drop(c, DROP_PL_OUT_UNBOUND, p->key);
			return;
		}
		emit(c, p);
		return;
	case PL_PORT_PATCH: {
		if (p->peer_dp >= c->s->n_datapaths) {
			drop(c, DROP_PL_OUT_UNBOUND, p->key);
			return;
		}
		if (unlikely(c->trace != NULL)) {
			struct pl_ev ev = {.type = PL_EV_PATCH, .dp = c->dp, .port = p->key};
			c->trace(c->trace_aux, &ev);
		}
		struct saved sv;
		save(c, &sv);
		/* A clone: the peer starts with clean logical metadata. */
		memset(&c->h.m, 0, sizeof(c->h.m));
		c->h.frag_mtu = 0;
		c->ct_live = -1;
		count_port(c, p, false);
		c->dp = &c->s->datapaths[p->peer_dp];
		c->h.m.datapath = c->dp->key;
		c->h.m.inport = p->peer_key;
		const struct pl_lport *peer = pl_lport_find(c->dp, p->peer_key);
		if (peer != NULL)
			count_port(c, peer, true);
		run_tables(c, PL_INGRESS, 0);
		restore(c, &sv);
		return;
	}
	default:
		drop(c, port_type_drop(p->type), p->key);
	}
}

/* Tables 40-41 then the egress pipeline, for one unicast outport. */
static void to_egress(struct pl_ctx *c, bool from_group)
{
	uint32_t out = c->h.m.outport;
	pli_dep(c, PL_DEP_PORTS);
	const struct pl_lport *p = pl_lport_find(c->dp, out);
	if (p == NULL) {
		drop(c, DROP_PL_OUT_UNKNOWN, out);
		return;
	}
	if (out == c->h.m.inport && !(c->h.m.flags & 1)) {
		/* A group skips its sender silently, as table 41 does. */
		if (!from_group)
			drop(c, DROP_PL_LOOPBACK, out);
		return;
	}
	if (unlikely(c->trace != NULL)) {
		struct pl_ev ev = {.type = PL_EV_OUTPUT, .dp = c->dp, .port = out};
		c->trace(c->trace_aux, &ev);
	}
	switch (p->type) {
	case PL_PORT_VIF:
	case PL_PORT_LOCALPORT:
	case PL_PORT_PATCH:
		break;
	case PL_PORT_REMOTE:
		/* A group's remote members go by one copy per chassis (output()),
		 * and nothing from a tunnel goes back into one. */
		if (from_group || c->from_tunnel)
			return;
		if (p->chassis < c->s->n_peers) {
			emit_encap(c, p->chassis, out);
			return;
		}
		drop(c, DROP_PL_OUT_REMOTE, out);
		return;
	default:
		/* Uplinks are a later issue. */
		drop(c, port_type_drop(p->type), out);
		return;
	}
	/* OpenFlow table 39 clears the logical registers before the egress
	 * pipeline, so that local output behaves as output through a tunnel
	 * (which carries none); flags and connection state stay. */
	memset(c->h.m.reg, 0, sizeof(c->h.m.reg));
	run_tables(c, PL_EGRESS, 0);
}

/* Tables 37-41: the ingress pipeline said output. */
static void output(struct pl_ctx *c)
{
	uint32_t out = c->h.m.outport;
	if (out < OVN_MCAST_KEY_MIN) {
		to_egress(c, false);
		return;
	}
	pli_dep(c, PL_DEP_MCGROUP);
	const struct pl_mcgroup *g = pl_mcgroup_find(c->dp, out);
	if (g == NULL) {
		drop(c, DROP_PL_OUT_UNKNOWN, out);
		return;
	}
	uint16_t peers[PL_OUT_MAX];
	unsigned n_peers = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		const struct pl_lport *m = pl_lport_find(c->dp, g->ports[i]);
		if (m != NULL && m->type == PL_PORT_REMOTE) {
			/* One copy per remote chassis, not per remote port. */
			bool seen = m->chassis >= c->s->n_peers;
			for (unsigned k = 0; k < n_peers && !seen; k++)
				seen = peers[k] == m->chassis;
			if (!seen && n_peers < PL_OUT_MAX)
				peers[n_peers++] = m->chassis;
			continue;
		}
		struct saved sv;
		save(c, &sv);
		c->h.m.outport = g->ports[i];
		to_egress(c, true);
		restore(c, &sv);
	}
	if (!c->from_tunnel)
		for (unsigned k = 0; k < n_peers; k++)
			emit_encap(c, peers[k], out);
}

static uint32_t port_arg(struct pl_ctx *c, uint64_t w)
{
	if (w >> 63) {
		struct lflow_fref f;
		memcpy(&f, &w, sizeof(f));
		return (uint32_t)pli_rget(c, f);
	}
	return (uint32_t)w;
}

static pl_u128 value_arg(struct pl_ctx *c, uint64_t w)
{
	if (w >> 63) {
		struct lflow_fref f;
		memcpy(&f, &w, sizeof(f));
		return pli_rget(c, f);
	}
	return w;
}

static void result(struct pl_ctx *c, uint64_t dst, pl_u128 v)
{
	struct lflow_fref f;
	memcpy(&f, &dst, sizeof(f));
	if (f.n_bits)
		wfset(c, f, v);
}

static void punt_learn(struct pl_ctx *c, uint8_t kind, uint32_t port, pl_u128 ip, bool ip6,
                       pl_u128 mac)
{
	c->uncacheable = true; /* a side effect every packet must have */
	if (c->punt == NULL)
		return;
	struct pl_punt p = {.kind = kind, .dp_key = c->dp->key, .port_key = port, .ip6 = ip6};
	p.ip.hi = (uint64_t)(ip >> 64);
	p.ip.lo = (uint64_t)ip;
	for (int i = 5; i >= 0; i--) {
		p.mac[i] = (uint8_t)mac;
		mac >>= 8;
	}
	c->punt(c->punt_aux, &p);
}

/*
 * R = select(...): one member, by weight, from a hash of the packet's
 * addresses, protocol and ports, so that a flow keeps its member (ECMP).
 * The cache key then holds those fields: the choice depends on them.
 */
static void select_member(struct pl_ctx *c, const uint64_t *w, unsigned n)
{
	static const unsigned fields[] = {LFLOW_F_IP6_SRC, LFLOW_F_IP6_DST, LFLOW_F_IP_PROTO,
	                                  LFLOW_F_TCP_SRC, LFLOW_F_TCP_DST};
	uint64_t h = 0x9e3779b97f4a7c15ull, total = 0;
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		pl_u128 v = pl_field_get(&c->h, fields[i]);
		mark_read(c, fields[i], pl_low_mask(field_width[fields[i]]));
		h = (h ^ (uint64_t)v ^ (uint64_t)(v >> 64)) * 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	if (n < 2)
		return;
	for (unsigned i = 1; i < n; i++)
		total += w[i] & 0xffff;
	if (total == 0)
		return;
	uint64_t pick = h % total;
	for (unsigned i = 1; i < n; i++) {
		uint64_t weight = w[i] & 0xffff;
		if (pick < weight) {
			result(c, w[0], (w[i] >> 32) & 0xffff);
			return;
		}
		pick -= weight;
	}
}

static void not_executable(struct pl_ctx *c, const struct pl_entry *e)
{
	if (e && c->lf_drops)
		c->lf_drops[e->id]++;
	visit_dropped(c);
	drop(c, DROP_PL_NOT_EXEC, 0);
}

/* Trace: report what an entry's actions changed so far, once, before the
 * packet moves on (output, resubmit, a nested packet), so that the report
 * reads in the order things happen. */
static void trace_changes(struct pl_ctx *c, const struct pl_entry *e)
{
	if (likely(c->trace == NULL) || c->tr_done || c->tr_before == NULL)
		return;
	c->tr_done = true;
	struct pl_ev ev = {.type = PL_EV_ACTIONS,
	                   .dp = c->dp,
	                   .pipeline = c->pipeline,
	                   .entry = e,
	                   .before = c->tr_before,
	                   .after = &c->h};
	c->trace(c->trace_aux, &ev);
}

/* Run one action program; returns the next table to run as a tail call
 * ((pipeline << 8) | table), RUN_END or RUN_STOP. */
static int run_prog(struct pl_ctx *c, const uint64_t *p, uint32_t len, const struct pl_entry *e)
{
	uint32_t i = 0;
	while (i < len) {
		struct lflow_insn in;
		memcpy(&in, &p[i], sizeof(in));
		uint32_t next_i = i + (in.len ? in.len : 1);
		bool last = next_i >= len;

		if (unlikely(in.flags & LFLOW_INSN_PUNT)) {
			not_executable(c, e);
			return RUN_STOP;
		}
		switch (in.op) {
		case LFLOW_OP_NEXT: {
			unsigned table = in.arg & 0xff, pipeline = (in.arg >> 8) & 1;
			if (last)
				return (int)((pipeline << 8) | table);
			trace_changes(c, e);
			run_tables(c, pipeline, table);
			break;
		}
		case LFLOW_OP_OUTPUT:
			trace_changes(c, e);
			if (c->pipeline == PL_INGRESS)
				output(c);
			else
				deliver(c);
			break;
		case LFLOW_OP_DROP:
			if (e && c->lf_drops)
				c->lf_drops[e->id]++;
			visit_dropped(c);
			drop(c, DROP_PL_LFLOW_DROP, 0);
			return RUN_STOP;
		case LFLOW_OP_LOAD: {
			struct lflow_fref f = pli_fref_at(&OPND(p, i, 0), 0);
			pl_u128 v = ((pl_u128)OPND(p, i, 1) << 64) | OPND(p, i, 2);
			pl_u128 m = ((pl_u128)OPND(p, i, 3) << 64) | OPND(p, i, 4);
			m &= pl_low_mask(f.n_bits);
			wset(c, f.field, (v & m) << f.ofs, m << f.ofs);
			break;
		}
		case LFLOW_OP_MOVE: {
			struct lflow_fref d = pli_fref_at(&OPND(p, i, 0), 0),
			                  s = pli_fref_at(&OPND(p, i, 0), 1);
			wfset(c, d, pli_rget(c, s));
			break;
		}
		case LFLOW_OP_EXCHANGE: {
			struct lflow_fref d = pli_fref_at(&OPND(p, i, 0), 0),
			                  s = pli_fref_at(&OPND(p, i, 0), 1);
			pl_u128 a = pli_rget(c, d), b = pli_rget(c, s);
			wfset(c, d, b);
			wfset(c, s, a);
			break;
		}
		case LFLOW_OP_PUSH:
			if (c->n_stack == PL_STACK_MAX) {
				drop(c, DROP_PL_LOOP, 0);
				return RUN_STOP;
			}
			c->stack[c->n_stack++] = pli_rget(c, pli_fref_at(&OPND(p, i, 0), 0));
			break;
		case LFLOW_OP_POP:
			wfset(c, pli_fref_at(&OPND(p, i, 0), 0),
			      c->n_stack ? c->stack[--c->n_stack] : 0);
			break;
		case LFLOW_OP_CT_CLEAR:
			/* The packet forgets its connection; the tracker keeps it. */
			c->h.m.ct_state = 0;
			c->h.m.ct_mark = 0;
			c->h.m.ct_label.hi = c->h.m.ct_label.lo = 0;
			c->ct_live = -1;
			break;
		case LFLOW_OP_CT_NEXT:
		case LFLOW_OP_CT_COMMIT:
		case LFLOW_OP_CT_LB:
		case LFLOW_OP_CT_LB_MARK:
		case LFLOW_OP_CT_COMMIT_NAT:
		case LFLOW_OP_CT_DNAT:
		case LFLOW_OP_CT_SNAT:
		case LFLOW_OP_CT_DNAT_IN_CZONE:
		case LFLOW_OP_CT_SNAT_IN_CZONE:
		case LFLOW_OP_CT_SNAT_TO_VIP: {
			/* Operands: ct_commit's block, or the address and ports of
			 * ct_lb and the nat actions. */
			enum drop_reason why = pli_ct_action(c, in.op, &p[i + 1], next_i - i - 1);
			if (unlikely(why != DROP_NONE)) {
				/* Exhaustion: charged to the flow that asked for NAT. */
				if (why == DROP_CT_NAT_EXHAUSTED && e && c->lf_drops)
					c->lf_drops[e->id]++;
				drop(c, why, 0);
				return RUN_STOP;
			}
			if (in.op != LFLOW_OP_CT_COMMIT && in.op != LFLOW_OP_CT_SNAT_TO_VIP) {
				/* ct_next, ct_lb: the tracked packet goes on at the next
				 * table. */
				unsigned nt = c->table + 1u;
				if (last)
					return (int)((unsigned)c->pipeline << 8 | nt);
				trace_changes(c, e);
				run_tables(c, c->pipeline, nt);
			}
			break;
		}
		case LFLOW_OP_DEC_TTL:
			/* ovn-sb(5): a TTL that would reach zero halts processing. */
			mark_read(c, LFLOW_F_IP_TTL, 0xff);
			if (c->h.k.nw_ttl <= 1) {
				drop(c, DROP_PL_LFLOW_DROP, 0);
				return RUN_STOP;
			}
			wset(c, LFLOW_F_IP_TTL, c->h.k.nw_ttl - 1u, 0xff);
			break;
		case LFLOW_OP_CLONE:
		case LFLOW_OP_ARP:
		case LFLOW_OP_ND_NS:
		case LFLOW_OP_ND_NA:
		case LFLOW_OP_ND_NA_ROUTER:
		case LFLOW_OP_ICMP4:
		case LFLOW_OP_ICMP4_ERROR:
		case LFLOW_OP_ICMP6:
		case LFLOW_OP_ICMP6_ERROR:
		case LFLOW_OP_TCP_RESET:
		case LFLOW_OP_SCTP_ABORT:
		case LFLOW_OP_REJECT: {
			struct saved sv;
			if (c->depth >= PL_DEPTH_MAX) {
				drop(c, DROP_PL_LOOP, 0);
				return RUN_STOP;
			}
			trace_changes(c, e);
			save(c, &sv);
			const struct pl_ct_env *ct = c->ct;
			if (in.op != LFLOW_OP_CLONE) {
				pli_generate(c, in.op);
				pli_gen_ct_env(c);
			}
			if (unlikely(c->trace != NULL)) {
				struct pl_ev ev = {.type = PL_EV_NESTED, .dp = c->dp, .op = in.op};
				c->trace(c->trace_aux, &ev);
			}
			c->depth++;
			if (in.flags & LFLOW_INSN_NESTED) {
				int r = run_prog(c, &p[i + 1], next_i - i - 1, e);
				if (r >= 0)
					run_tables(c, (unsigned)r >> 8, (unsigned)r & 0xff);
			}
			c->depth--;
			restore(c, &sv);
			c->ct = ct;
			if (unlikely(c->trace != NULL)) {
				struct pl_ev ev = {
				        .type = PL_EV_NESTED, .dp = c->dp, .op = LFLOW_OP_N};
				c->trace(c->trace_aux, &ev);
			}
			break;
		}
		case LFLOW_OP_CHECK_IN_PORT_SEC:
		case LFLOW_OP_CHECK_OUT_PORT_SEC: {
			bool ing = in.op == LFLOW_OP_CHECK_IN_PORT_SEC;
			const struct pl_lport *lp =
			        pl_lport_find(c->dp, ing ? c->h.m.inport : c->h.m.outport);
			struct flow_key t, *rd = NULL;
			if (unlikely(c->track)) {
				memset(&t, 0, sizeof(t));
				rd = &t;
				pli_dep(c, PL_DEP_PORTS);
			}
			bool fails = lp != NULL && (ing ? pl_in_port_sec_fails(lp, &c->h, rd)
			                                : pl_out_port_sec_fails(lp, &c->h, rd));
			if (rd)
				merge_read(c, rd);
			result(c, OPND(p, i, 0), fails);
			break;
		}
		case LFLOW_OP_GET_ARP:
		case LFLOW_OP_GET_ND: {
			/* A miss stores zero: the router then resolves by ARP/ND. */
			const struct pl_neigh *nb = pl_neigh_find(c->dp, port_arg(c, OPND(p, i, 1)),
			                                          value_arg(c, OPND(p, i, 2)));
			pli_dep(c, PL_DEP_NEIGH);
			wset(c, LFLOW_F_ETH_DST, nb ? pli_mac_of(nb->mac) : 0, pl_low_mask(48));
			break;
		}
		case LFLOW_OP_LOOKUP_ARP:
		case LFLOW_OP_LOOKUP_ND: {
			pli_dep(c, PL_DEP_NEIGH);
			const struct pl_neigh *nb = pl_neigh_find(c->dp, port_arg(c, OPND(p, i, 1)),
			                                          value_arg(c, OPND(p, i, 2)));
			result(c, OPND(p, i, 0),
			       nb && pli_mac_of(nb->mac) == value_arg(c, OPND(p, i, 3)));
			break;
		}
		case LFLOW_OP_LOOKUP_ARP_IP:
		case LFLOW_OP_LOOKUP_ND_IP:
			pli_dep(c, PL_DEP_NEIGH);
			result(c, OPND(p, i, 0),
			       pl_neigh_find(c->dp, port_arg(c, OPND(p, i, 1)),
			                     value_arg(c, OPND(p, i, 2))) != NULL);
			break;
		case LFLOW_OP_LOOKUP_FDB: {
			/* R = lookup_fdb(P, A): A is known, and on port P. */
			pli_dep(c, PL_DEP_NEIGH);
			uint32_t port = port_arg(c, OPND(p, i, 1));
			const struct pl_fdb *f =
			        pl_fdb_find(c->dp, (uint64_t)value_arg(c, OPND(p, i, 2)));
			result(c, OPND(p, i, 0), f != NULL && f->port == port);
			break;
		}
		case LFLOW_OP_GET_FDB: {
			/* P = get_fdb(A): A's port, or 0 ("none") when unknown. */
			pli_dep(c, PL_DEP_NEIGH);
			const struct pl_fdb *f =
			        pl_fdb_find(c->dp, (uint64_t)value_arg(c, OPND(p, i, 1)));
			result(c, OPND(p, i, 0), f != NULL ? f->port : 0);
			break;
		}
		case LFLOW_OP_PUT_ARP:
		case LFLOW_OP_PUT_ND:
			punt_learn(c, PL_PUNT_MAC_BINDING, port_arg(c, OPND(p, i, 1)),
			           value_arg(c, OPND(p, i, 2)), in.op == LFLOW_OP_PUT_ND,
			           value_arg(c, OPND(p, i, 3)));
			break;
		case LFLOW_OP_PUT_FDB:
			punt_learn(c, PL_PUNT_FDB, port_arg(c, OPND(p, i, 1)), 0, false,
			           value_arg(c, OPND(p, i, 2)));
			break;
		case LFLOW_OP_SELECT:
			/* ovn-sb(5): processing moves on to the next table, and
			 * actions after select() do not take effect. */
			select_member(c, &p[i + 1], in.len - 1u);
			return (int)((unsigned)c->pipeline << 8 | (c->table + 1u));
		case LFLOW_OP_BIND_VPORT: {
			/* bind_vport(V, P): the virtual port V now lives behind P;
			 * the control thread writes the binding. */
			c->uncacheable = true;
			if (c->punt != NULL) {
				struct pl_punt b = {.kind = PL_PUNT_BIND_VPORT,
				                    .dp_key = c->dp->key,
				                    .port_key = (uint32_t)OPND(p, i, 1),
				                    .parent_key = port_arg(c, OPND(p, i, 2))};
				c->punt(c->punt_aux, &b);
			}
			break;
		}
		case LFLOW_OP_CHK_LB_HAIRPIN: {
			/* R = chk_lb_hairpin(): the packet was load balanced
			 * (translated to its backend) and the backend is its
			 * sender: a client reaching itself through the VIP. */
			mark_read(c, LFLOW_F_CT_STATE, LFLOW_CS_DNAT);
			bool hp = (c->h.m.ct_state & LFLOW_CS_DNAT) != 0;
			if (hp) {
				mark_read(c, LFLOW_F_IP6_SRC, pl_low_mask(128));
				mark_read(c, LFLOW_F_IP6_DST, pl_low_mask(128));
				hp = memcmp(c->h.k.ip_src, c->h.k.ip_dst, 16) == 0;
			}
			result(c, OPND(p, i, 0), hp);
			break;
		}
		case LFLOW_OP_CHK_LB_AFF:
			result(c, OPND(p, i, 0), pli_lb_aff_check(c));
			break;
		case LFLOW_OP_COMMIT_LB_AFF:
			pli_lb_aff_commit(c, &p[i + 1], in.len - 1u);
			break;
		case LFLOW_OP_CHK_LB_HAIRPIN_REPLY:
			result(c, OPND(p, i, 0), pli_lb_hairpin_reply(c));
			break;
		case LFLOW_OP_LOG:
			pli_log_packet(c, &p[i + 1], in.len - 1u);
			break;
		case LFLOW_OP_SET_METER:
			if (!pli_set_meter(c, in.arg)) {
				if (e && c->lf_drops)
					c->lf_drops[e->id]++;
				visit_dropped(c);
				drop(c, DROP_PL_METER, 0);
				return RUN_STOP;
			}
			break;
		case LFLOW_OP_CHECK_PKT_LARGER:
			/* Only gateway ports with an MTU use it; no such port runs
			 * here yet, so nothing is larger. */
			result(c, OPND(p, i, 0), 0);
			break;
		default:
			not_executable(c, e);
			return RUN_STOP;
		}
		i = next_i;
	}
	return RUN_END;
}

/* Look up and run tables from (pipeline, table) until a program ends
 * without a tail `next'. */
static void run_tables(struct pl_ctx *c, unsigned pipeline, unsigned table)
{
	uint8_t saved_pipeline = c->pipeline, saved_table = c->table;
	if (c->depth >= PL_DEPTH_MAX) {
		drop(c, DROP_PL_LOOP, 0);
		return;
	}
	c->depth++;
	for (;;) {
		if (++c->steps > PL_STEPS_MAX || table >= PL_TABLES_MAX) {
			drop(c, DROP_PL_LOOP, 0);
			break;
		}
		c->pipeline = (uint8_t)pipeline;
		c->table = (uint8_t)table;
		const struct pl_table *t = &c->dp->tables[pipeline][table];
		const struct pl_entry *e = lookup(c, t);
		struct pl_hdrs before;
		if (unlikely(c->trace != NULL))
			before = c->h;
		if (e == NULL) {
			if (unlikely(c->trace != NULL)) {
				struct pl_ev ev = {.type = PL_EV_TABLE,
				                   .dp = c->dp,
				                   .pipeline = (uint8_t)pipeline,
				                   .table = (uint16_t)table};
				c->trace(c->trace_aux, &ev);
			}
			if (c->lf_drops)
				c->lf_drops[c->s->n_entry_ids + t->miss_id]++;
			visit(c, PL_TID(c->dp->key, pipeline, table), 0, PL_VISIT_MISS);
			drop(c, DROP_PL_NO_MATCH, 0);
			break;
		}
		if (c->hits)
			c->hits[e->id]++;
		c->last = e;
		c->last_visit = c->n_visit;
		visit(c, PL_TID(c->dp->key, pipeline, table), (uint32_t)(e - t->e), 0);
		if (unlikely(c->trace != NULL)) {
			struct pl_ev ev = {.type = PL_EV_TABLE,
			                   .dp = c->dp,
			                   .pipeline = (uint8_t)pipeline,
			                   .table = (uint16_t)table,
			                   .entry = e,
			                   .before = &before};
			c->trace(c->trace_aux, &ev);
			c->tr_before = &before;
			c->tr_done = false;
		}
		/* Most tables end in a flow whose only action is `next;': go on
		 * without decoding its program. */
		int r = e->next_only >= 0 && likely(c->trace == NULL)
		                ? e->next_only
		                : run_prog(c, e->prog, e->prog_len, e);
		if (unlikely(c->trace != NULL)) {
			c->tr_before = &before;
			trace_changes(c, e);
			c->tr_before = NULL;
		}
		if (r < 0)
			break;
		pipeline = (unsigned)r >> 8;
		table = (unsigned)r & 0xff;
	}
	c->depth--;
	c->pipeline = saved_pipeline;
	c->table = saved_table;
}

static void run_init(struct pl_ctx *c, uint32_t dp, uint32_t inport)
{
	c->dp = &c->s->datapaths[dp];
	memset(&c->h.m, 0, sizeof(c->h.m));
	c->h.m.datapath = c->dp->key;
	c->h.m.inport = inport;
	c->h.frag_mtu = 0;
	c->kind = PL_KIND_PACKET;
	c->steps = c->depth = 0;
	c->n_out = 0;
	c->n_stack = 0;
	c->dropped = false;
	c->last = NULL;
	c->last_visit = 0;
	c->n_ct = 0;
	c->ct_live = -1;
	c->natx.what = 0;
}

static void track_init(struct pl_ctx *c)
{
	memset(&c->rd, 0, sizeof(c->rd));
	memset(&c->wr, 0, sizeof(c->wr));
	c->n_visit = c->n_drops = 0;
	c->uncacheable = false;
}

void pl_run_decap(struct pl_ctx *c, uint32_t dp, uint32_t inport, uint32_t outport)
{
	run_init(c, dp, inport);
	c->from_tunnel = true;
	if (c->track) {
		track_init(c);
		pli_dep(c, PL_DEP_PORTS); /* the egress port was checked against them */
	}
	c->h.m.outport = outport;
	c->pipeline = PL_INGRESS; /* output() below acts as table 40 */
	output(c);
	if (c->n_out == 0 && !c->dropped)
		drop(c, DROP_PL_LFLOW_DROP, 0);
	c->from_tunnel = false;
}

void pl_run(struct pl_ctx *c, uint32_t dp, uint32_t inport)
{
	run_init(c, dp, inport);
	c->from_tunnel = false;
	if (c->track) {
		track_init(c);
		visit(c, c->h.k.in_port, 0, PL_VISIT_DEP); /* table 0's mapping */
	}
	const struct pl_lport *in = pl_lport_find(c->dp, inport);
	if (in != NULL)
		count_port(c, in, true);
	run_tables(c, PL_INGRESS, 0);
	if (c->n_out == 0 && !c->dropped) {
		/* The actions ended without output: an implicit drop. */
		if (c->last && c->lf_drops)
			c->lf_drops[c->last->id]++;
		if (c->last && c->track && c->last_visit < c->n_visit)
			c->visit[c->last_visit] |= PL_VISIT_DROP;
		drop(c, DROP_PL_LFLOW_DROP, 0);
	}
}
