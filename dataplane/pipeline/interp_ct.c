/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interpreter's connection tracking (interp.h, docs/conntrack.md): the
 * ct actions (zones, commits, translations, load balancing and affinity),
 * what a generated packet shows the tracker, log() and set_meter (whose
 * verdicts the flow cache replays as it replays ct actions). The tables,
 * the other actions and the walk stay in interp.c.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/interp_int.h"
#include "dataplane/pipeline/meter.h"

/* log(...): the packet and the ACL's words, to the control thread, which
 * writes ferry's log (rate limited by the ACL's meter). Every packet of
 * such a walk must log: it is not cached (allow-related ACLs log a
 * connection's first packet; the rest take walks without log()). */
void pli_log_packet(struct pl_ctx *c, const uint64_t *w, unsigned n)
{
	c->uncacheable = true;
	if (c->punt == NULL || n < 1)
		return;
	struct pl_punt l;
	memset(&l, 0, sizeof(l));
	l.kind = PL_PUNT_LOG;
	l.dp_key = c->dp->key;
	l.port_key = c->h.m.inport;
	l.parent_key = c->h.m.outport;
	l.log_verdict = (uint8_t)w[0];
	l.log_severity = (uint8_t)(w[0] >> 8);
	l.log_pipeline = c->pipeline;
	unsigned nl = (w[0] >> 16) & 0xff, ml = (w[0] >> 24) & 0xff;
	unsigned nw = (nl + 7) / 8, mw = (ml + 7) / 8;
	if (nl > LFLOW_LOG_NAME_MAX || ml > LFLOW_LOG_NAME_MAX || 1 + nw + mw > n)
		return;
	memcpy(l.log_name, &w[1], nl);
	memcpy(l.log_meter, &w[1 + nw], ml);
	l.key = c->h.k;
	c->punt(c->punt_aux, &l);
}

/* The zone of a ct action here, as ovn-controller assigns them: a router
 * tracks ct_snat in its SNAT zone and everything else (ct_next, ct_commit,
 * ct_dnat, ct_lb, the _in_czone variants) in its DNAT zone; a switch
 * tracks in the zone of the port the pipeline belongs to (ingress: the
 * inport's, egress: the outport's, or the inport's for a router port), except ct_snat and
 * ct_snat_to_vip (hairpin) in its SNAT zone and ct_dnat in its DNAT zone. */
static uint16_t ct_zone_of(struct pl_ctx *c, unsigned op)
{
	pli_dep(c, PL_DEP_PORTS);
	bool snat = op == LFLOW_OP_CT_SNAT || op == LFLOW_OP_CT_SNAT_TO_VIP ||
	            op == LFLOW_OP_CHK_LB_HAIRPIN_REPLY;
	if (c->dp->router)
		return snat ? c->dp->snat_zone : c->dp->dnat_zone;
	if (snat)
		return c->dp->snat_zone;
	if (op == LFLOW_OP_CT_DNAT)
		return c->dp->dnat_zone;
	const struct pl_lport *p =
	        pl_lport_find(c->dp, c->pipeline == PL_INGRESS ? c->h.m.inport : c->h.m.outport);
	if (p != NULL && p->zone == 0 && c->pipeline != PL_INGRESS)
		/* A port without a zone of its own (a router port): the egress
		 * tracks in the inport's, where ovn-controller leaves its zone
		 * register. A commit there updates the ingress's connection. */
		p = pl_lport_find(c->dp, c->h.m.inport);
	return p != NULL ? p->zone : 0;
}

static void label_bytes(pl_u128 v, uint8_t b[16])
{
	for (int i = 15; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* ct_commit { ct_mark...; ct_label...; }: the loads and moves of its block
 * as one value and mask per field (the parser allows nothing else). */
static void commit_of(struct pl_ctx *c, const uint64_t *p, uint32_t len, struct ct_commit *m)
{
	pl_u128 label = 0, label_mask = 0;
	memset(m, 0, sizeof(*m));
	for (uint32_t i = 0; i < len;) {
		struct lflow_insn in;
		memcpy(&in, &p[i], sizeof(in));
		uint32_t next_i = i + (in.len ? in.len : 1);
		struct lflow_fref f = pli_fref_at(&OPND(p, i, 0), 0);
		pl_u128 v = 0, mask = pl_low_mask(f.n_bits);
		if (in.op == LFLOW_OP_LOAD) {
			v = ((pl_u128)OPND(p, i, 1) << 64) | OPND(p, i, 2);
			mask &= ((pl_u128)OPND(p, i, 3) << 64) | OPND(p, i, 4);
		} else if (in.op == LFLOW_OP_MOVE) {
			v = pli_rget(c, pli_fref_at(&OPND(p, i, 0), 1));
		} else {
			i = next_i;
			continue;
		}
		v = (v & mask) << f.ofs;
		mask <<= f.ofs;
		if (f.field == LFLOW_F_CT_MARK) {
			m->mark = (m->mark & ~(uint32_t)mask) | (uint32_t)v;
			m->mark_mask |= (uint32_t)mask;
		} else if (f.field == LFLOW_F_CT_LABEL) {
			label = (label & ~mask) | v;
			label_mask |= mask;
		}
		i = next_i;
	}
	label_bytes(label, m->label);
	label_bytes(label_mask, m->label_mask);
}

/* Whether header bits that make the connection's tuple were written
 * before this ct action, other than by NAT: a cache hit tracks the packet
 * as it came, translated by the NAT results it replays. */
static bool tuple_written(const struct pl_ctx *c)
{
	const struct flow_key *w = &c->wr, *n = &c->nat_wr;
	uint8_t any = (uint8_t)(w->nw_proto & ~n->nw_proto);
	uint16_t ports = (uint16_t)((w->tp_src & ~n->tp_src) | (w->tp_dst & ~n->tp_dst));
	any |= (uint8_t)ports | (uint8_t)(ports >> 8);
	for (int i = 0; i < 16; i++)
		any |= (uint8_t)((w->ip_src[i] & ~n->ip_src[i]) | (w->ip_dst[i] & ~n->ip_dst[i]));
	return any != 0;
}

static void mark_nat_written(struct pl_ctx *c, uint8_t *(*field)(struct flow_key *), unsigned n)
{
	struct flow_key *w[2] = {&c->wr, &c->nat_wr};
	for (int i = 0; i < 2; i++)
		memset(field(w[i]), 0xff, n);
}

static uint8_t *ip_src_of(struct flow_key *k)
{
	return k->ip_src;
}

static uint8_t *ip_dst_of(struct flow_key *k)
{
	return k->ip_dst;
}

/* An ICMP error related to a translated connection (ct_nat.c): the quote
 * goes back as its sender sent it, and the error's addresses follow the
 * quote's that change (only those: the error's source is any router's). */
static void apply_nat_related(struct pl_ctx *c, const struct ct_result *r)
{
	struct flow_key *k = &c->h.k;
	unsigned alen = r->rw.ip6 ? 16 : 4, ch = ct_nat_quote_changes(r);
	if (ch & CT_NAT_SRC) {
		memcpy(k->ip_dst, r->rw.src, alen);
		if (unlikely(c->track))
			mark_nat_written(c, ip_dst_of, alen);
	}
	if (ch & CT_NAT_DST) {
		memcpy(k->ip_src, r->rw.dst, alen);
		if (unlikely(c->track))
			mark_nat_written(c, ip_src_of, alen);
	}
	c->natx.what |= PL_NATX_QUOTE;
	c->natx.t = r->rw;
}

/* A translated connection's packet takes its translated tuple; an ICMP
 * echo's identifier, which the key does not hold, goes in natx. */
static void apply_nat(struct pl_ctx *c, const struct ct_result *r)
{
	struct flow_key *k = &c->h.k;
	unsigned alen = r->rw.ip6 ? 16 : 4;
	bool icmp = r->rw.proto == 1 || r->rw.proto == 58;
	if (r->state & CT_CS_REL) {
		apply_nat_related(c, r);
		return;
	}
	memcpy(k->ip_src, r->rw.src, alen);
	memcpy(k->ip_dst, r->rw.dst, alen);
	if (!icmp && (k->flags & FLOW_F_L4)) {
		k->tp_src = r->rw.sport;
		k->tp_dst = r->rw.dport;
	}
	if (icmp && (k->flags & FLOW_F_L4)) {
		c->natx.what |= PL_NATX_ECHO_ID;
		c->natx.t = r->rw;
	}
	if (unlikely(c->track)) {
		mark_nat_written(c, ip_src_of, alen);
		mark_nat_written(c, ip_dst_of, alen);
		if (!icmp && (k->flags & FLOW_F_L4))
			c->wr.tp_src = c->wr.tp_dst = c->nat_wr.tp_src = c->nat_wr.tp_dst = 0xffff;
	}
}

/* Run ct action @p op on the packet as the walk has it: its key, and what
 * earlier translations changed beyond it (an echo's id, an error's quote),
 * as a cache hit's replay sees it (process.c). */
static void ct_exec(struct pl_ctx *c, unsigned op, uint16_t zone, const struct ct_commit *m,
                    const struct ct_result *cur, uint16_t cur_zone, struct ct_result *res)
{
	struct pl_ct_view v;
	pl_ct_view(c->ct, &c->h.k, &v);
	if (unlikely(c->natx.what)) {
		bool rel = v.kind == CT_PKT_RELATED && (c->natx.what & PL_NATX_QUOTE);
		bool echo = v.kind == CT_PKT_CONN && (c->natx.what & PL_NATX_ECHO_ID) &&
		            (v.tp.proto == 1 || v.tp.proto == 58);
		if (rel)
			v.tp = c->natx.t;
		else if (echo)
			v.tp.sport = c->natx.t.sport;
		if (rel || echo)
			v.hashed = false;
	}
	pl_ct_exec_view(c->ct, &v, op, zone, m, cur, cur_zone, res);
}

/* The walk's next ct action: @p op (LFLOW_OP_CT_NEXT, LFLOW_OP_CT_COMMIT
 * with @p m, or the look of LFLOW_OP_CHK_LB_HAIRPIN_REPLY) in @p zone, run
 * now or its result taken from a cache lookup's, and recorded for the
 * cache entry. @p cur: the action whose connection the packet has, or -1.
 * @return its place among the walk's ct actions, -1 past PL_CT_MAX. */
/* Keep result @p res of the walk's action @p idx (@p op in @p zone) for
 * the rest of the walk. @return its record for the cache entry, to
 * complete, when tracking and within PL_CT_MAX; else NULL. */
static struct pl_ct_op *record_op(struct pl_ctx *c, unsigned idx, unsigned op, uint16_t zone,
                                  int8_t cur, const struct ct_result *res)
{
	if (idx >= PL_CT_MAX) {
		if (unlikely(c->track))
			c->uncacheable = true;
		return NULL;
	}
	c->ct_res[idx] = *res;
	c->ct_zone[idx] = zone;
	if (likely(!c->track))
		return NULL;
	struct pl_ct_op *o = &c->ct_ops[idx];
	memset(o, 0, sizeof(*o));
	o->op = (uint8_t)op;
	o->cur = cur;
	o->zone = zone;
	return o;
}

static int run_ct_op(struct pl_ctx *c, unsigned op, uint16_t zone, const struct ct_commit *m,
                     bool nat_applies, int8_t cur, struct ct_result *res)
{
	unsigned idx = c->n_ct++;
	if (idx < c->n_ct_given)
		*res = c->ct_res[idx];
	else
		ct_exec(c, op, zone, m, cur >= 0 ? &c->ct_res[cur] : NULL,
		        cur >= 0 ? c->ct_zone[cur] : 0, res);
	if (unlikely(c->track) && tuple_written(c))
		c->uncacheable = true;
	struct pl_ct_op *o = record_op(c, idx, op, zone, cur, res);
	if (o != NULL) {
		o->nat_applies = nat_applies;
		if (op == LFLOW_OP_CT_COMMIT)
			o->commit = *m;
	}
	return idx < PL_CT_MAX ? (int)idx : -1;
}

/* set_meter: the policer's verdict, recorded as a ct action is: the walk
 * after it depends on it, so a cache entry for each verdict shares the key
 * and a hit asks the policer again (process.c). A trace asks nothing (it
 * takes no tokens) and passes. */
bool pli_set_meter(struct pl_ctx *c, uint32_t slot1)
{
	uint32_t slot = slot1 ? slot1 - 1 : PL_POLICER_NONE;
	unsigned idx = c->n_ct++;
	struct ct_result res;
	if (idx < c->n_ct_given) {
		res = c->ct_res[idx];
	} else {
		memset(&res, 0, sizeof(res));
		bool pass = c->trace != NULL || (c->ct != NULL && c->ct->peek) ||
		            pl_police(slot, c->pkt_len, c->ct ? c->ct->now : rte_rdtsc());
		res.state = pass ? PL_METER_PASS : 0;
	}
	struct pl_ct_op *o = record_op(c, idx, LFLOW_OP_SET_METER, 0, -1, &res);
	if (o != NULL) {
		o->policer = slot;
		o->state_mask = PL_METER_PASS;
	}
	return (res.state & PL_METER_PASS) != 0;
}

/* The VIP a load-balanced packet was sent to, as OVN keeps it in reg1 or
 * xxreg1 (network order into @p a); false when there is none. */
static bool vip_of(struct pl_ctx *c, uint8_t a[16])
{
	memset(a, 0, 16);
	if (c->h.k.flags & FLOW_F_IP6) {
		pl_u128 v = pli_rget(c, (struct lflow_fref){LFLOW_F_REG7, 0, 128});
		label_bytes(v, a);
		return v != 0;
	}
	uint32_t v = rte_cpu_to_be_32(c->h.m.reg[1]);
	memcpy(a, &v, 4);
	return v != 0;
}

/* ct_lb(backends=...) for a new connection: the backend, by a hash of the
 * configured fields (the 5-tuple by default), as a commit with DNAT. */
static void lb_commit(struct pl_ctx *c, unsigned op, const uint64_t *w, uint32_t n,
                      struct ct_commit *m)
{
	const struct flow_key *k = &c->h.k;
	unsigned n_be = (unsigned)(w[0] & 0xffff), flags = (unsigned)(w[0] >> 16) & 0xffff;
	unsigned hf = (unsigned)(w[0] >> 32);
	if (hf == 0)
		hf = LFLOW_LB_HASH_IP_SRC | LFLOW_LB_HASH_IP_DST | LFLOW_LB_HASH_TP_SRC |
		     LFLOW_LB_HASH_TP_DST | LFLOW_LB_HASH_PROTO;
	uint64_t h = 0x9e3779b97f4a7c15ull, v[2];
	if (hf & LFLOW_LB_HASH_ETH_SRC)
		h = (h ^ pli_mac_of(k->eth_src)) * 0xff51afd7ed558ccdull;
	if (hf & LFLOW_LB_HASH_ETH_DST)
		h = (h ^ pli_mac_of(k->eth_dst)) * 0xff51afd7ed558ccdull;
	if (hf & LFLOW_LB_HASH_IP_SRC) {
		memcpy(v, k->ip_src, 16);
		h = (h ^ v[0] ^ (v[1] << 1)) * 0xc4ceb9fe1a85ec53ull;
	}
	if (hf & LFLOW_LB_HASH_IP_DST) {
		memcpy(v, k->ip_dst, 16);
		h = (h ^ v[0] ^ (v[1] << 1)) * 0xff51afd7ed558ccdull;
	}
	if (hf & LFLOW_LB_HASH_TP_SRC)
		h = (h ^ k->tp_src) * 0xc4ceb9fe1a85ec53ull;
	if (hf & LFLOW_LB_HASH_TP_DST)
		h = (h ^ ((uint64_t)k->tp_dst << 16)) * 0xff51afd7ed558ccdull;
	if (hf & LFLOW_LB_HASH_PROTO)
		h = (h ^ ((uint64_t)k->nw_proto << 32)) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	memset(m, 0, sizeof(*m));
	if (n_be == 0 || 1 + 3 * n_be > n)
		return;
	const uint64_t *be = &w[1 + 3 * (h % n_be)];
	/* The natted bit (and skip/force SNAT), where the action keeps them. */
	uint32_t bits = 0x2 | ((flags & LFLOW_LB_SKIP_SNAT) ? 0x4 : 0) |
	                ((flags & LFLOW_LB_FORCE_SNAT) ? 0x8 : 0);
	if (op == LFLOW_OP_CT_LB_MARK) {
		m->mark = m->mark_mask = bits;
	} else {
		m->label[15] = m->label_mask[15] = (uint8_t)bits;
	}
	m->nat = CT_NAT_DST;
	if (k->flags & FLOW_F_IP6) {
		label_bytes(((pl_u128)be[0] << 64) | be[1], m->nat_addr);
	} else {
		uint32_t a = rte_cpu_to_be_32((uint32_t)be[1]);
		memcpy(m->nat_addr, &a, 4);
	}
	m->nat_port = rte_cpu_to_be_16((uint16_t)be[2]);
}

/* ct_next or ct_commit: track the packet, fill ct_state, ct_mark and
 * ct_label. */
enum drop_reason pli_ct_action(struct pl_ctx *c, unsigned op, const uint64_t *nested,
                               uint32_t n_nested)
{
	struct ct_commit m;
	struct ct_result res;
	if (c->ct == NULL)
		return DROP_CT_UNAVAILABLE;
	/* The actions with nat in OVS's terms take their connection's
	 * translation; with an address, a new connection gets one. */
	bool lb = op == LFLOW_OP_CT_LB || op == LFLOW_OP_CT_LB_MARK;
	bool to_vip = op == LFLOW_OP_CT_SNAT_TO_VIP;
	bool snat = op == LFLOW_OP_CT_SNAT || op == LFLOW_OP_CT_SNAT_IN_CZONE || to_vip;
	bool natop = lb || snat || op == LFLOW_OP_CT_COMMIT_NAT || op == LFLOW_OP_CT_DNAT ||
	             op == LFLOW_OP_CT_DNAT_IN_CZONE;
	uint16_t zone = ct_zone_of(c, op);
	unsigned run_op = op == LFLOW_OP_CT_COMMIT ? op : LFLOW_OP_CT_NEXT;
	memset(&m, 0, sizeof(m));
	if (op == LFLOW_OP_CT_COMMIT)
		commit_of(c, nested, n_nested, &m);
	if (lb && n_nested > 0) {
		/* A new connection to a VIP: committed, translated to a backend.
		 * Its first packet only: not cached (the choice is per packet). */
		lb_commit(c, op, nested, n_nested, &m);
		run_op = LFLOW_OP_CT_COMMIT;
		c->uncacheable = true;
	} else if (natop && !lb && n_nested >= 4) {
		/* ct_dnat(IP[, PORTS]), ct_snat(...): committed with that
		 * translation when new; a known connection keeps its own. */
		m.nat = snat ? CT_NAT_SRC : CT_NAT_DST;
		if (nested[0] & 1)
			label_bytes(((pl_u128)nested[1] << 64) | nested[2], m.nat_addr);
		else {
			uint32_t a = rte_cpu_to_be_32((uint32_t)nested[2]);
			memcpy(m.nat_addr, &a, 4);
		}
		m.nat_port = rte_cpu_to_be_16((uint16_t)nested[3]);
		m.nat_port_max = (uint16_t)(nested[3] >> 16);
		run_op = LFLOW_OP_CT_COMMIT;
	} else if (to_vip) {
		/* ct_snat_to_vip: a client load balanced to itself (hairpin)
		 * is committed with the VIP it asked for as its source, so that
		 * it answers the VIP. OVN's pre_stateful stage keeps the VIP in
		 * reg1 (IPv4) or xxreg1 (IPv6); without one, nothing happens. */
		if (!vip_of(c, m.nat_addr))
			return DROP_NONE;
		m.nat = CT_NAT_SRC;
		run_op = LFLOW_OP_CT_COMMIT;
	}
	int8_t cur = c->ct_live;
	c->ct_live = (int8_t)run_ct_op(c, run_op, zone, &m, natop, cur, &res);
	if (unlikely(res.why == CT_WHY_NAT_EXHAUSTED) && natop) {
		/* A connection that needed a translation and found none: it
		 * may not leave untranslated (the kernel's NAT drops it too).
		 * Rare, and no ct field tells it: not cached. */
		c->uncacheable = true;
		return DROP_CT_NAT_EXHAUSTED;
	}
	if (res.nat && natop)
		apply_nat(c, &res);
	c->h.m.ct_state = res.state;
	c->h.m.ct_mark = res.mark;
	uint64_t hi = 0, lo = 0;
	for (int i = 0; i < 8; i++) {
		hi = hi << 8 | res.label[i];
		lo = lo << 8 | res.label[8 + i];
	}
	c->h.m.ct_label.hi = hi;
	c->h.m.ct_label.lo = lo;
	return DROP_NONE;
}

/* chk_lb_hairpin_reply(): whether the packet answers a hairpinned
 * connection, that is, a connection of the switch's SNAT zone, where
 * ct_snat_to_vip commits them (ovn-controller learns the backend's address
 * and port from the connection's first packet instead; the tracker knows
 * more precisely). A look that changes nothing, and not the packet's
 * connection: the ct fields keep the last ct action's result. */
bool pli_lb_hairpin_reply(struct pl_ctx *c)
{
	struct ct_result res;
	if (c->ct == NULL || !(c->h.k.flags & (FLOW_F_IP4 | FLOW_F_IP6)))
		return false;
	uint16_t zone = ct_zone_of(c, LFLOW_OP_CHK_LB_HAIRPIN_REPLY);
	int idx = run_ct_op(c, LFLOW_OP_CHK_LB_HAIRPIN_REPLY, zone, NULL, false, -1, &res);
	if (unlikely(c->track) && idx >= 0)
		c->ct_ops[idx].state_mask = LFLOW_CS_RPL; /* what the walk reads */
	return (res.state & LFLOW_CS_RPL) != 0;
}

/* Affinity (ct_aff.c): the walks that ask or learn are a connection's
 * first packet (OVN asks only for ct.new), and depend on the table: not
 * cached. OVN keeps the VIP in reg1 (IPv4) or xxreg1 (IPv6) and its port
 * in reg2[0..15], and wants the backend in reg4 or xxreg0, its port in
 * reg8[0..15]. */
static bool lb_aff_key(struct pl_ctx *c, struct ct_aff_key *k)
{
	memset(k, 0, sizeof(*k));
	if (c->ct == NULL || c->ct->aff == NULL || !(c->h.k.flags & (FLOW_F_IP4 | FLOW_F_IP6)))
		return false;
	k->dp = c->dp->key;
	k->proto = c->h.k.nw_proto;
	k->ip6 = (c->h.k.flags & FLOW_F_IP6) != 0;
	memcpy(k->client, c->h.k.ip_src, k->ip6 ? 16 : 4);
	return true;
}

static pl_u128 u128_of_bytes(const uint8_t b[16])
{
	pl_u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

bool pli_lb_aff_check(struct pl_ctx *c)
{
	struct ct_aff_key k;
	uint8_t be[16];
	uint16_t port;
	c->uncacheable = true;
	if (!lb_aff_key(c, &k))
		return false;
	vip_of(c, k.vip);
	k.vport = rte_cpu_to_be_16((uint16_t)c->h.m.reg[2]);
	if (!ct_aff_find(c->ct->aff, &k, c->ct->now, be, &port))
		return false;
	if (k.ip6) {
		pl_field_set(&c->h, LFLOW_F_REG3, u128_of_bytes(be), pl_low_mask(128));
	} else {
		uint32_t b;
		memcpy(&b, be, 4);
		c->h.m.reg[4] = rte_be_to_cpu_32(b);
	}
	c->h.m.reg[8] = (c->h.m.reg[8] & 0xffff0000u) | rte_be_to_cpu_16(port);
	return true;
}

void pli_lb_aff_commit(struct pl_ctx *c, const uint64_t *w, unsigned n)
{
	struct ct_aff_key k;
	c->uncacheable = true;
	if (n < 7 || c->ct == NULL || c->ct->peek || !lb_aff_key(c, &k))
		return;
	bool v6 = (w[0] & 0x100) != 0;
	if (v6 != (k.ip6 != 0))
		return;
	k.proto = (uint8_t)w[0];
	uint8_t b[16] = {0};
	if (v6) {
		label_bytes(((pl_u128)w[1] << 64) | w[2], k.vip);
		label_bytes(((pl_u128)w[4] << 64) | w[5], b);
	} else {
		uint32_t vip = rte_cpu_to_be_32((uint32_t)w[2]),
		         be = rte_cpu_to_be_32((uint32_t)w[5]);
		memcpy(k.vip, &vip, 4);
		memcpy(b, &be, 4);
	}
	k.vport = rte_cpu_to_be_16((uint16_t)w[3]);
	ct_aff_learn(c->ct->aff, &k, b, rte_cpu_to_be_16((uint16_t)w[6]), (uint32_t)(w[0] >> 32),
	             c->ct->now);
}

/* A read of ct_state, ct_mark or ct_label: a bit of the live ct result
 * the rest of the walk depends on (the continuation's key). */
void pli_mark_ct_read(struct pl_ctx *c, unsigned field, pl_u128 mask)
{
	if (c->ct_live < 0 || c->ct_live >= PL_CT_MAX)
		return;
	struct pl_ct_op *o = &c->ct_ops[c->ct_live];
	if (field == LFLOW_F_CT_STATE)
		o->state_mask |= (uint8_t)mask;
	else if (field == LFLOW_F_CT_MARK)
		o->mark_mask |= (uint32_t)mask;
	else
		for (int i = 0; i < 16; i++)
			o->label_mask[i] |= (uint8_t)(mask >> (8 * (15 - i)));
}
