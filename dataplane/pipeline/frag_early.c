/* SPDX-License-Identifier: Apache-2.0 */
/* Fragments that come before their first (frag_early.h). */
#include "dataplane/pipeline/frag_early.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_spinlock.h>

#define SEEN 1024 /* datagrams whose first passed, direct-mapped */

struct held {
	struct rte_mbuf *m;
	uint64_t since;
	struct ct_frag_key k;
	uint16_t in_port;
};

struct worker_frags {
	unsigned n;
	struct held h[PL_FRAG_HOLD_MAX];
	struct pl_frag_early_stats st;
} __attribute__((aligned(64)));

static struct worker_frags wf[DP_WORKERS_MAX];

/* Shared by the workers: a first may pass on one and its later fragments
 * arrive on another (a Geneve sender may hash a first fragment's ports
 * into the outer source port, and the later ones have none). One lock
 * per slot, taken for fragments only. */
static struct seen_slot {
	rte_spinlock_t lock;
	uint64_t until; /* 0: free */
	struct ct_frag_key k;
} seen[SEEN];

static uint64_t ticks_ms(uint64_t ms)
{
	return rte_get_tsc_hz() / 1000 * ms;
}

static unsigned seen_slot(const struct ct_frag_key *k)
{
	uint64_t a, b;
	memcpy(&a, k->src, 8);
	memcpy(&b, k->dst, 8);
	uint64_t h = (a ^ (b << 1) ^ ((uint64_t)k->id << 17) ^ k->proto) * 0x9e3779b97f4a7c15ull;
	return (unsigned)(h >> 54) & (SEEN - 1); /* the top bits: SEEN is 2^10 */
}

static bool same(const struct ct_frag_key *a, const struct ct_frag_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Whether the first of @p k passed (on any worker) within the hold time. */
static bool first_passed(const struct ct_frag_key *k, uint64_t now)
{
	struct seen_slot *s = &seen[seen_slot(k)];
	rte_spinlock_lock(&s->lock);
	bool yes = s->until > now && same(&s->k, k);
	rte_spinlock_unlock(&s->lock);
	return yes;
}

bool pl_frag_hold(unsigned w, const struct ct_frag_key *k, struct rte_mbuf *m, uint16_t in_port,
                  uint64_t now)
{
	struct worker_frags *f = &wf[w];
	if (first_passed(k, now))
		return false; /* it follows */
	if (f->n == PL_FRAG_HOLD_MAX) {
		f->st.overflow++;
		return false;
	}
	f->h[f->n++] = (struct held){.m = m, .since = now, .k = *k, .in_port = in_port};
	f->st.held++;
	return true;
}

unsigned pl_frag_first(unsigned w, const struct ct_frag_key *k, uint64_t now, struct rte_mbuf **m,
                       uint16_t *ports)
{
	struct worker_frags *f = &wf[w];
	struct seen_slot *s = &seen[seen_slot(k)];
	unsigned n = 0;
	rte_spinlock_lock(&s->lock);
	s->k = *k;
	s->until = now + ticks_ms(PL_FRAG_HOLD_MS);
	rte_spinlock_unlock(&s->lock);
	for (unsigned i = 0; i < f->n;) {
		if (!same(&f->h[i].k, k)) {
			i++;
			continue;
		}
		m[n] = f->h[i].m;
		ports[n++] = f->h[i].in_port;
		f->h[i] = f->h[--f->n]; /* order among the later ones does not matter */
	}
	f->st.released += n;
	return n;
}

unsigned pl_frag_poll(const struct dp_tables *t, unsigned w, uint64_t now, struct rte_mbuf **m,
                      uint16_t *ports)
{
	struct worker_frags *f = &wf[w];
	uint64_t hold = ticks_ms(PL_FRAG_HOLD_MS);
	unsigned n = 0;
	for (unsigned i = 0; i < f->n;) {
		if (first_passed(&f->h[i].k, now)) { /* on another worker */
			m[n] = f->h[i].m;
			ports[n++] = f->h[i].in_port;
			f->st.released++;
			f->h[i] = f->h[--f->n];
			continue;
		}
		if (now - f->h[i].since < hold) {
			i++;
			continue;
		}
		const struct dp_port *p = &t->ports[f->h[i].in_port];
		if (p->stats != NULL)
			p->stats[w].drops[DROP_CT_FRAG_FIRST_MISSING]++;
		rte_pktmbuf_free(f->h[i].m);
		f->st.expired++;
		f->h[i] = f->h[--f->n];
	}
	return n;
}

void pl_frag_flush(unsigned w)
{
	struct worker_frags *f = &wf[w];
	for (unsigned i = 0; i < f->n; i++)
		rte_pktmbuf_free(f->h[i].m);
	f->n = 0;
}

void pl_frag_early_stats(struct pl_frag_early_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned w = 0; w < DP_WORKERS_MAX; w++) {
		st->held += __atomic_load_n(&wf[w].st.held, __ATOMIC_RELAXED);
		st->released += __atomic_load_n(&wf[w].st.released, __ATOMIC_RELAXED);
		st->expired += __atomic_load_n(&wf[w].st.expired, __ATOMIC_RELAXED);
		st->overflow += __atomic_load_n(&wf[w].st.overflow, __ATOMIC_RELAXED);
	}
}
