/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load balancer affinity (ct.h): which backend a client was given for a
 * VIP, remembered for the load balancer's affinity timeout (idle: a
 * lookup that finds it starts the timeout again), so that its next
 * connections go to the same backend. OVN asks with commit_lb_aff() when
 * a connection is made and chk_lb_aff() before the next is balanced.
 *
 * Direct-mapped, one small lock per slot (lock order: alone, as the
 * fragment table's): a new client may take an old client's slot, and
 * then the old one's next connection is balanced afresh (counted).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/conntrack/ct.h"
#include "dataplane/conntrack/ct_lock.h"

struct ct_aff_slot {
	uint32_t lock;
	uint32_t timeout_s;
	uint64_t expiry; /* 0: free */
	struct ct_aff_key k;
	uint8_t backend[16];
	uint16_t bport;
};

struct ct_aff {
	uint32_t mask;
	uint64_t hz;
	struct ct_aff_slot *slot;
	struct ct_aff_stats st;
};

struct ct_aff *ct_aff_create(unsigned n, uint64_t hz)
{
	uint32_t size = 64;
	while (size < n && size < (1u << 24))
		size <<= 1;
	struct ct_aff *a = calloc(1, sizeof(*a));
	if (a == NULL || (a->slot = calloc(size, sizeof(*a->slot))) == NULL) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	a->mask = size - 1;
	a->hz = hz;
	return a;
}

void ct_aff_destroy(struct ct_aff *a)
{
	if (a == NULL)
		return;
	free(a->slot);
	free(a);
}

static struct ct_aff_slot *slot_of(struct ct_aff *a, const struct ct_aff_key *k)
{
	uint64_t w[4], h = ((uint64_t)k->dp << 24 | (uint64_t)k->vport << 8 | k->proto) *
	                   0x9e3779b97f4a7c15ULL;
	memcpy(w, k->client, 16);
	memcpy(w + 2, k->vip, 16);
	h ^= (w[0] ^ w[1] * 31) * 0xff51afd7ed558ccdULL;
	h ^= (w[2] ^ w[3] * 31) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return &a->slot[h & a->mask];
}

void ct_aff_learn(struct ct_aff *a, const struct ct_aff_key *k, const uint8_t backend[16],
                  uint16_t bport, uint32_t timeout_s, uint64_t now)
{
	struct ct_aff_slot *s = slot_of(a, k);
	ct_spin_lock(&s->lock);
	if (s->expiry > now && memcmp(&s->k, k, sizeof(*k)) != 0)
		__atomic_fetch_add(&a->st.evicted, 1, __ATOMIC_RELAXED);
	s->k = *k;
	memcpy(s->backend, backend, 16);
	s->bport = bport;
	s->timeout_s = timeout_s;
	s->expiry = now + (uint64_t)timeout_s * a->hz;
	ct_spin_unlock(&s->lock);
	__atomic_fetch_add(&a->st.learned, 1, __ATOMIC_RELAXED);
}

bool ct_aff_find(struct ct_aff *a, const struct ct_aff_key *k, uint64_t now, uint8_t backend[16],
                 uint16_t *bport)
{
	struct ct_aff_slot *s = slot_of(a, k);
	bool ok;
	ct_spin_lock(&s->lock);
	ok = s->expiry > now && memcmp(&s->k, k, sizeof(*k)) == 0;
	if (ok) {
		memcpy(backend, s->backend, 16);
		*bport = s->bport;
		s->expiry = now + (uint64_t)s->timeout_s * a->hz; /* an idle timeout */
	}
	ct_spin_unlock(&s->lock);
	__atomic_fetch_add(ok ? &a->st.hits : &a->st.misses, 1, __ATOMIC_RELAXED);
	return ok;
}

void ct_aff_stats(const struct ct_aff *a, struct ct_aff_stats *st)
{
	st->learned = __atomic_load_n(&a->st.learned, __ATOMIC_RELAXED);
	st->hits = __atomic_load_n(&a->st.hits, __ATOMIC_RELAXED);
	st->misses = __atomic_load_n(&a->st.misses, __ATOMIC_RELAXED);
	st->evicted = __atomic_load_n(&a->st.evicted, __ATOMIC_RELAXED);
}
