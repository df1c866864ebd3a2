/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fragments, followed (ct.h): the first fragment of a datagram carries
 * the ports and is tracked as any packet; its result is kept here under
 * the datagram's identity (zone, addresses, protocol, IP id) for a few
 * seconds, and the later fragments, which have no ports, get the same
 * result. No fragment is reassembled: what arrives leaves as it came. A
 * later fragment that arrives before its first is held by the pipeline
 * until the first has passed (dataplane/pipeline/frag_early.h); one that
 * still finds no first (its slot taken by another datagram, or more held
 * than the pipeline keeps) cannot be classified: it is ct.inv, counted
 * as unfollowed.
 *
 * The table is direct-mapped, one small lock per slot: the fragments of a
 * datagram arrive on one queue (RSS hashes addresses alone for them), so
 * the lock is almost never contended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/conntrack/ct.h"
#include "dataplane/conntrack/ct_lock.h"

struct ct_frag_slot {
	uint32_t lock;
	uint64_t expiry; /* 0: free */
	struct ct_frag_key k;
	struct ct_result r;
};

struct ct_frags {
	uint32_t mask;
	uint64_t timeout; /* ticks */
	struct ct_frag_slot *slot;
	struct ct_frag_stats st;
};

struct ct_frags *ct_frags_create(unsigned n, unsigned timeout_s, uint64_t hz)
{
	uint32_t size = 64;
	while (size < n && size < (1u << 24))
		size <<= 1;
	struct ct_frags *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->slot = calloc(size, sizeof(*f->slot))) == NULL) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->mask = size - 1;
	f->timeout = (uint64_t)(timeout_s ? timeout_s : 5) * hz;
	return f;
}

void ct_frags_destroy(struct ct_frags *f)
{
	if (f == NULL)
		return;
	free(f->slot);
	free(f);
}

static struct ct_frag_slot *slot_of(struct ct_frags *f, const struct ct_frag_key *k)
{
	uint64_t w[4], h = (uint64_t)k->id * 0x9e3779b97f4a7c15ULL;
	memcpy(w, k->src, 16);
	memcpy(w + 2, k->dst, 16);
	h ^= (w[0] ^ w[1] * 31) * 0xff51afd7ed558ccdULL;
	h ^= (w[2] ^ w[3] * 31 ^ ((uint64_t)k->zone << 8 | k->proto)) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return &f->slot[h & f->mask];
}

void ct_frag_note(struct ct_frags *f, const struct ct_frag_key *k, const struct ct_result *r,
                  uint64_t now)
{
	struct ct_frag_slot *s = slot_of(f, k);
	ct_spin_lock(&s->lock);
	if (s->expiry > now && memcmp(&s->k, k, sizeof(*k)) != 0)
		__atomic_fetch_add(&f->st.evicted, 1, __ATOMIC_RELAXED);
	s->k = *k;
	s->r = *r;
	s->r.conn = NULL; /* it may be freed before the last fragment comes */
	s->expiry = now + f->timeout;
	ct_spin_unlock(&s->lock);
	__atomic_fetch_add(&f->st.first, 1, __ATOMIC_RELAXED);
}

bool ct_frag_follow(struct ct_frags *f, const struct ct_frag_key *k, uint64_t now,
                    struct ct_result *r)
{
	struct ct_frag_slot *s = slot_of(f, k);
	bool ok;
	ct_spin_lock(&s->lock);
	ok = s->expiry > now && memcmp(&s->k, k, sizeof(*k)) == 0;
	if (ok)
		*r = s->r;
	ct_spin_unlock(&s->lock);
	__atomic_fetch_add(ok ? &f->st.followed : &f->st.unfollowed, 1, __ATOMIC_RELAXED);
	return ok;
}

void ct_frags_stats(const struct ct_frags *f, struct ct_frag_stats *st)
{
	st->first = __atomic_load_n(&f->st.first, __ATOMIC_RELAXED);
	st->followed = __atomic_load_n(&f->st.followed, __ATOMIC_RELAXED);
	st->unfollowed = __atomic_load_n(&f->st.unfollowed, __ATOMIC_RELAXED);
	st->evicted = __atomic_load_n(&f->st.evicted, __ATOMIC_RELAXED);
}

int ct_frag_key_of(const struct flow_key *k, const uint8_t *l3, uint32_t l3_len,
                   struct ct_frag_key *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->ip6 = (k->flags & FLOW_F_IP6) != 0;
	fk->proto = k->nw_proto;
	memcpy(fk->src, k->ip_src, 16);
	memcpy(fk->dst, k->ip_dst, 16);
	if (l3 == NULL)
		return -EINVAL;
	if (!fk->ip6) {
		if (l3_len < 20)
			return -EINVAL;
		fk->id = (uint32_t)l3[4] << 8 | l3[5];
		return 0;
	}
	/* The fragment header, after the extension headers before it. */
	uint8_t nh = l3[6];
	uint32_t off = 40;
	for (int n = 0; n < 8 && off + 8 <= l3_len; n++) {
		const uint8_t *p = l3 + off;
		if (nh == 44) {
			fk->id = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 |
			         p[7];
			return 0;
		}
		if (nh != 0 && nh != 43 && nh != 60 && nh != 51)
			break;
		off += nh == 51 ? (p[1] + 2u) * 4 : (p[1] + 1u) * 8;
		nh = p[0];
	}
	return -EINVAL;
}
