/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/cache/cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

/* Keys are compared and masked a word at a time. */
typedef uint64_t __attribute__((may_alias, aligned(4))) word;
#define KEY_WORDS (sizeof(struct flow_key) / 8)
_Static_assert(sizeof(struct flow_key) % 8 == 0, "flow_key is a whole number of words");

static void key_and(const struct flow_key *a, const struct flow_key *m, struct flow_key *out)
{
	const word *x = (const word *)a, *y = (const word *)m;
	word *o = (word *)out;
	for (size_t i = 0; i < KEY_WORDS; i++)
		o[i] = x[i] & y[i];
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const word *x = (const word *)a, *y = (const word *)b;
	uint64_t d = 0;
	for (size_t i = 0; i < KEY_WORDS; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void fc_apply(const struct fc_out *o, const struct flow_key *k, struct flow_key *final)
{
	const word *x = (const word *)k, *w = (const word *)&o->wr, *v = (const word *)&o->val;
	word *f = (word *) final;
	for (size_t i = 0; i < KEY_WORDS; i++)
		f[i] = (x[i] & ~w[i]) | (v[i] & w[i]);
}

/* The masked key's hash, over only the words the mask keeps (a path
 * reads a few fields: six or seven of the key's thirteen words), folded
 * into two lanes and mixed: the lookup is dominated by it on a hit. */
static inline __attribute__((always_inline)) uint32_t
key_hash(const struct fc *c, const struct flow_key *k, uint16_t mask)
{
	const word *x = (const word *)k, *mw = (const word *)&c->masks[mask];
	const uint8_t *w = c->mask_words[mask];
	unsigned n = c->mask_nwords[mask];
	uint64_t a = 0x9e3779b97f4a7c15ull ^ mask, b = 0xc2b2ae3d27d4eb4full;
	for (unsigned i = 0; i < n; i += 2) {
		a = (a ^ (x[w[i]] & mw[w[i]])) * 0xff51afd7ed558ccdull;
		if (i + 1 < n)
			b = (b ^ (x[w[i + 1]] & mw[w[i + 1]])) * 0xc4ceb9fe1a85ec53ull;
	}
	a ^= b ^ (b >> 29);
	return (uint32_t)(a ^ (a >> 32));
}

/* Whether @p k under mask @p mask is entry key @p ek (zero outside it). */
static inline __attribute__((always_inline)) bool
key_match(const struct fc *c, const struct flow_key *k, uint16_t mask, const struct flow_key *ek)
{
	const word *x = (const word *)k, *mw = (const word *)&c->masks[mask], *e = (const word *)ek;
	const uint8_t *w = c->mask_words[mask];
	uint64_t d = 0;
	for (unsigned i = 0; i < c->mask_nwords[mask]; i++)
		d |= (x[w[i]] & mw[w[i]]) ^ e[w[i]];
	return d == 0;
}

/* The next entry for @p k under mask @p m, from probe cur->p on. */
static inline __attribute__((always_inline)) struct fc_entry *
probe(struct fc *c, const struct flow_key *k, uint8_t m, struct fc_cursor *cur)
{
	uint32_t h = key_hash(c, k, m);
	while (cur->p < FC_PROBES) {
		struct fc_entry *e = &c->e[(h + cur->p++) & (c->size - 1)];
		if (e->mask == m && e->hash == h && key_match(c, k, m, &e->key))
			return e;
	}
	return NULL;
}

struct fc_entry *fc_lookup_from(struct fc *c, const struct flow_key *k, struct fc_cursor *cur)
{
	if (!cur->memo) {
		/* The input port's last entry: any entry whose masked key is the
		 * packet's is an answer (others of its key come after). */
		cur->memo = true;
		uint32_t l = c->port_last[k->in_port & (FC_PORT_HINTS - 1)];
		if (l != 0) {
			struct fc_entry *e = &c->e[l - 1];
			if (e->mask != FC_FREE && key_match(c, k, e->mask, &e->key))
				return e;
		}
	}
	if (!cur->ordered) {
		/* The input port's last mask, then the others in order. */
		cur->port = (uint8_t)(k->in_port & (FC_PORT_HINTS - 1));
		uint8_t f = c->port_mask[cur->port];
		if (f != 0 && f <= c->n_masks && c->mask_refs[f - 1] != 0) {
			cur->first = f;
			struct fc_entry *e = probe(c, k, (uint8_t)(f - 1), cur);
			if (e != NULL)
				return e;
		}
		cur->ordered = true;
		cur->p = 0;
	}
	for (; cur->j < c->n_masks; cur->j++, cur->p = 0) {
		uint8_t m = c->order[cur->j];
		if (c->mask_refs[m] == 0 || m + 1 == cur->first)
			continue;
		struct fc_entry *e = probe(c, k, m, cur);
		if (e != NULL)
			return e;
	}
	return NULL;
}

void fc_promote(struct fc *c, const struct fc_cursor *cur)
{
	if (!cur->ordered)
		return; /* the port's own mask: already first for it */
	/* Busy masks move to the front, one step per hit. Not while a
	 * lookup goes on: its cursor would see a mask twice, or miss one. */
	uint16_t j = cur->j;
	if (j < c->n_masks) {
		c->port_mask[cur->port] = (uint8_t)(c->order[j] + 1);
		if (j > 0) {
			uint8_t m = c->order[j];
			c->order[j] = c->order[j - 1];
			c->order[j - 1] = m;
		}
	}
}

struct fc_entry *fc_passed_over(struct fc *c, struct fc_entry *first, struct fc_entry *taken)
{
	c->st.passed_over++;
	taken->passed = 0;
	/* Same mask and key: one probe sequence, either place is right. */
	if (first->mask != taken->mask || ++first->passed < FC_PASS_SWAP)
		return taken;
	c->st.swaps++;
	first->passed = 0;
	uint8_t tmp[256];
	uint8_t *a = (uint8_t *)first, *b = (uint8_t *)taken;
	for (size_t o = 0; o < sizeof(*first); o += sizeof(tmp)) {
		size_t n = RTE_MIN(sizeof(tmp), sizeof(*first) - o);
		memcpy(tmp, a + o, n);
		memcpy(a + o, b + o, n);
		memcpy(b + o, tmp, n);
	}
	return first;
}

struct fc_entry *fc_lookup(struct fc *c, const struct flow_key *k)
{
	struct fc_cursor cur = {0};
	struct fc_entry *e = fc_lookup_from(c, k, &cur);
	if (e != NULL)
		fc_promote(c, &cur);
	return e;
}

static void resolve(uint64_t v, const struct pl_snapshot *s, uint64_t packets, uint64_t *hits,
                    uint64_t *drops, uint64_t *rx, uint64_t *tx)
{
	if ((v & PL_VISIT_DEP) && !(v & (PL_VISIT_RX | PL_VISIT_TX)))
		return;
	uint32_t tid = (uint32_t)(v >> 32), idx = (uint32_t)(v >> 16) & 0xffff;
	uint32_t key = tid >> 7, pipeline = (tid >> 6) & 1, table = tid & 63;
	const struct pl_datapath *dp = pl_datapath_find(s, key);
	if (dp == NULL)
		return;
	if (v & (PL_VISIT_RX | PL_VISIT_TX)) {
		const struct pl_lport *p = pl_lport_find(dp, idx);
		uint64_t *c = (v & PL_VISIT_RX) ? rx : tx;
		if (p != NULL && c != NULL && p->idx < s->n_lports)
			c[p->idx] += packets;
		return;
	}
	const struct pl_table *t = &dp->tables[pipeline][table];
	if (v & PL_VISIT_MISS) {
		if (drops)
			drops[s->n_entry_ids + t->miss_id] += packets;
		return;
	}
	if (idx >= t->n)
		return;
	if (hits)
		hits[t->e[idx].id] += packets;
	if ((v & PL_VISIT_DROP) && drops)
		drops[t->e[idx].id] += packets;
}

void fc_fold(const struct fc_entry *e, uint64_t packets, const struct pl_snapshot *s,
             uint64_t *hits, uint64_t *drops, uint64_t *rx, uint64_t *tx)
{
	if (packets == 0 || s == NULL)
		return;
	uint16_t n = e->n_visit < PL_VISIT_MAX ? e->n_visit : PL_VISIT_MAX;
	for (uint16_t i = 0; i < n; i++)
		resolve(e->visit[i], s, packets, hits, drops, rx, tx);
}

static void entry_free(struct fc *c, struct fc_entry *e, const struct pl_snapshot *s)
{
	if (e->mask == FC_FREE)
		return;
	if (s != NULL && e->packets && c->worker < DP_WORKERS_MAX)
		fc_fold(e, e->packets, s, s->counters[c->worker].hits, s->counters[c->worker].drops,
		        s->counters[c->worker].lport_rx, s->counters[c->worker].lport_tx);
	e->packets = 0;
	if (c->mask_refs[e->mask])
		c->mask_refs[e->mask]--;
	e->mask = FC_FREE;
	c->n_entries--;
}

static void mask_set(struct fc *c, unsigned i, const struct flow_key *m)
{
	const word *w = (const word *)m;
	c->masks[i] = *m;
	c->mask_nwords[i] = 0;
	for (unsigned k = 0; k < KEY_WORDS; k++)
		if (w[k])
			c->mask_words[i][c->mask_nwords[i]++] = (uint8_t)k;
}

static int mask_get(struct fc *c, const struct flow_key *m)
{
	int free_slot = -1;
	for (uint16_t i = 0; i < c->n_masks; i++) {
		if (c->mask_refs[i] && key_eq(&c->masks[i], m))
			return i;
		if (c->mask_refs[i] == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		mask_set(c, (unsigned)free_slot, m);
		return free_slot;
	}
	if (c->n_masks == FC_MASKS_MAX)
		return -1;
	mask_set(c, c->n_masks, m);
	c->order[c->n_masks] = (uint8_t)c->n_masks;
	return c->n_masks++;
}

struct fc_entry *fc_insert(struct fc *c, const struct pl_snapshot *s, const struct flow_key *k,
                           const struct pl_ctx *x)
{
	if (x->uncacheable || x->n_out > FC_OUT_MAX || x->n_ct > PL_CT_MAX) {
		c->st.uncacheable++;
		return NULL;
	}
	for (uint16_t i = 0; i < x->n_out; i++)
		if (x->out[i].kind != PL_KIND_PACKET && x->out[i].kind != PL_KIND_ENCAP) {
			c->st.uncacheable++;
			return NULL;
		}
	struct flow_key m = x->rd;
	m.in_port = 0xffff;
	m.flags = 0xff;
	m.n_vlans = 0xff;
	if (k->tun_vni) /* decapsulated: the datapath and ports it came for */
		m.tun_vni = UINT32_MAX, m.tun_in = m.tun_out = UINT16_MAX;
	int mi = mask_get(c, &m);
	if (mi < 0) {
		c->st.uncacheable++;
		return NULL;
	}
	struct flow_key mk;
	key_and(k, &m, &mk);
	uint32_t h = key_hash(c, k, (uint16_t)mi);
	struct fc_entry *slot = NULL;
	for (uint32_t p = 0; p < FC_PROBES && slot == NULL; p++) {
		struct fc_entry *e = &c->e[(h + p) & (c->size - 1)];
		if (e->mask == FC_FREE)
			slot = e;
	}
	if (slot == NULL) {
		/* Full neighbourhood: evict the first, cheaply and fairly. */
		slot = &c->e[h & (c->size - 1)];
		entry_free(c, slot, s);
		c->st.evictions++;
	}
	c->mask_refs[mi]++;
	c->n_entries++;
	c->st.inserts++;
	slot->hash = h;
	slot->mask = (uint16_t)mi;
	slot->key = mk;
	slot->packets = 0;
	slot->passed = 0;
	slot->n_out = (uint8_t)x->n_out;
	for (uint16_t i = 0; i < x->n_out; i++) {
		slot->out[i].dpdk = x->out[i].dpdk;
		slot->out[i].tag = x->out[i].tag;
		slot->out[i].kind = x->out[i].kind;
		slot->out[i].peer = x->out[i].peer;
		slot->out[i].tun_in = x->out[i].tun_in;
		slot->out[i].vni = x->out[i].vni;
		slot->out[i].outport = x->out[i].outport;
		slot->out[i].wr = x->out[i].wr;
		slot->out[i].val = x->out[i].h.k;
		const word *w = (const word *)&slot->out[i].wr;
		uint64_t any = 0;
		for (size_t k2 = 0; k2 < KEY_WORDS; k2++)
			any |= w[k2];
		slot->out[i].natx = x->out[i].natx;
		slot->out[i].writes = any != 0 || x->out[i].natx.what != 0;
	}
	slot->n_drops = (uint8_t)x->n_drops;
	memcpy(slot->drops, x->drops, sizeof(slot->drops));
	slot->n_ct = x->n_ct;
	for (uint8_t i = 0; i < x->n_ct; i++) {
		const struct pl_ct_op *o = &x->ct_ops[i];
		const struct ct_result *r = &x->ct_res[i];
		struct fc_ct *f = &slot->ct[i];
		f->op = *o;
		f->state = r->state & o->state_mask;
		f->mark = r->mark & o->mark_mask;
		f->label_read = false;
		for (int b = 0; b < 16; b++) {
			f->label[b] = r->label[b] & o->label_mask[b];
			f->label_read |= o->label_mask[b] != 0;
		}
		f->nat = r->nat;
		memset(&f->hint, 0, sizeof(f->hint));
		if (r->nat)
			f->rw = r->rw;
		else
			memset(&f->rw, 0, sizeof(f->rw));
	}
	slot->n_visit = x->n_visit;
	memcpy(slot->visit, x->visit, x->n_visit * sizeof(slot->visit[0]));
	return slot;
}

void fc_flush(struct fc *c, const struct pl_snapshot *s)
{
	for (uint32_t i = 0; i < c->size; i++)
		entry_free(c, &c->e[i], s);
	c->n_masks = 0;
	memset(c->mask_refs, 0, sizeof(c->mask_refs));
	memset(c->port_mask, 0, sizeof(c->port_mask));
	memset(c->port_last, 0, sizeof(c->port_last));
	c->st.flushes++;
}

static bool changed(const struct pl_snapshot *s, uint32_t tid)
{
	uint32_t lo = 0, hi = s->n_changed;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (s->changed[mid] == tid)
			return true;
		if (s->changed[mid] < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void fc_switch(struct fc *c, const struct pl_snapshot *old, const struct pl_snapshot *s)
{
	if (s == NULL || old == NULL || s->prev_generation != old->generation ||
	    old->generation != c->snap_gen) {
		/* Cannot tell what changed: start again. */
		if (c->n_entries)
			fc_flush(c, old != NULL && old->generation == c->snap_gen ? old : NULL);
		__atomic_store_n(&c->snap_gen, s ? s->generation : 0, __ATOMIC_RELEASE);
		return;
	}
	if (s->n_changed) {
		for (uint32_t i = 0; i < c->size; i++) {
			struct fc_entry *e = &c->e[i];
			if (e->mask == FC_FREE)
				continue;
			for (uint16_t v = 0; v < e->n_visit; v++)
				if (changed(s, (uint32_t)(e->visit[v] >> 32))) {
					entry_free(c, e, old);
					c->st.invalidations++;
					break;
				}
		}
	}
	__atomic_store_n(&c->snap_gen, s->generation, __ATOMIC_RELEASE);
}

struct fc *fc_create(unsigned worker, unsigned entries, bool check)
{
	struct fc *c = calloc(1, sizeof(*c));
	uint32_t size = 16;
	while (size < entries && size < (1u << 30))
		size <<= 1;
	if (c == NULL || (c->e = calloc(size, sizeof(*c->e))) == NULL) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < size; i++)
		c->e[i].mask = FC_FREE;
	c->size = size;
	c->worker = worker;
	c->check = check;
	return c;
}

void fc_destroy(struct fc *c)
{
	if (c == NULL)
		return;
	free(c->e);
	free(c);
}
