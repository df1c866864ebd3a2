/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache: one per worker, so no locks.
 *
 * A miss runs the interpreter with tracking on (interp.h): it records which
 * header bits the walk read before writing them, what it wrote for each
 * copy that leaves, the logical tables (and port, group, neighbour data) it
 * depended on, and its drops. That becomes one wildcarded entry: key =
 * packet headers under the read mask (always with the input port, the
 * parser's flags and the VLAN count), result = for each output, the
 * written bits and their values; for each drop, its reason. Packets that
 * differ only in bits the pipeline never looked at share the entry, so a
 * million 5-tuples through ACL-free switches are one entry, not a million.
 *
 * Lookup is tuple-space search: one hash probe per distinct read mask
 * (few: every entry of one path shape shares a mask), busiest masks first
 * (a hit moves its mask one place forward).
 *
 * A hit bumps the entry's own packet counter; which logical flows it
 * stands for is the visit list, resolved against a snapshot only when the
 * entry dies (eviction, invalidation) or when ferryctl asks, so lflow
 * counters cost nothing per packet beyond that one counter.
 *
 * Precise invalidation: every dependency has a stable id (PL_TID). A
 * snapshot lists the ids whose content changed since the one before it;
 * when a worker moves to it, entries that depend on a changed id are
 * removed (their counts folded into the old snapshot, still alive: the
 * control thread frees a snapshot one publish late), the rest stay. A
 * worker that skipped a snapshot cannot tell what changed and flushes.
 *
 * Output to another chassis is cached like local output: a hit applies the
 * rewrites, then puts the peer's outer headers in front (dependency
 * PL_DEP_TUNNELS: a peer's address or next hop changing drops the entry).
 *
 * Conntrack (docs/conntrack.md): a walk through ct actions depends on
 * each action's result, not only on the headers. Its entry records the ct
 * actions in order (zone, commit), and for each what the rest of the walk
 * read of its result (struct pl_ct_op) with the values it saw. A hit runs
 * the actions on the tracker, in order, and checks each result under its
 * mask; a walk that saw other results is another entry with the same key
 * (fc_lookup_from() finds them in turn), so an established connection
 * costs one cache lookup, its tracker lookups and a few compares. The
 * results already known are handed to the interpreter on a miss: no ct
 * action runs twice for one packet.
 *
 * What is never cached: walks that generated packets (ARP, ND, ICMP built
 * from fields the key does not hold), punted to the control thread
 * (learning must happen for every packet until it has), made more than
 * FC_OUT_MAX copies, or recorded too many visits.
 */
#ifndef FERRY_DP_CACHE_H
#define FERRY_DP_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/api/flow_key.h"
#include "dataplane/api/pipeline.h"
#include "dataplane/pipeline/interp.h"

#define FC_OUT_MAX   2
#define FC_MASKS_MAX 64
#define FC_PROBES    8
/* Input ports (by their low bits) whose last mask is tried first: traffic
 * of two directions alternates between two masks, and a packet tries its
 * own port's before the busiest. */
#define FC_PORT_HINTS 64

struct fc_out {
	uint16_t dpdk, tag;
	uint8_t kind;          /* PL_KIND_PACKET, or PL_KIND_ENCAP: to another chassis */
	uint16_t peer, tun_in; /* PL_KIND_ENCAP: as in struct pl_out */
	uint32_t vni, outport;
	bool writes;             /* false: the packet leaves as it came (switching) */
	struct flow_key wr, val; /* final = (packet & ~wr) | (val & wr) */
	/* Beyond the key (an echo's id, an error's quote): fixed by the ct
	 * results, which a hit must match (their rw included). */
	struct pl_natx natx;
};

/* A ct action to replay, and the result the entry's walk saw (under the
 * masks in op). */
struct fc_ct {
	struct pl_ct_op op;
	uint8_t state;
	uint8_t nat;     /* the connection's translation: the walk wrote rw */
	bool label_read; /* any bit of op.label_mask */
	uint32_t mark;
	uint8_t label[16];
	struct ct_tuple rw;
	struct ct_hint hint; /* where the last hit found its connection */
};

struct fc_entry {
	uint32_t hash;
	uint16_t mask; /* index in masks, FC_FREE when the slot is free */
	uint8_t n_out, n_drops;
	uint8_t drops[PL_DROPS_MAX];
	uint16_t n_visit;
	uint8_t n_ct;     /* ct actions to replay, in order */
	uint8_t passed;   /* lookups in a row that took another entry of its key */
	uint64_t packets; /* hits not yet folded into logical flow counters */
	struct flow_key key;
	struct fc_out out[FC_OUT_MAX];
	struct fc_ct ct[PL_CT_MAX];
	uint64_t visit[PL_VISIT_MAX];
};

#define FC_FREE UINT16_MAX

struct fc_stats {
	uint64_t hits, misses, inserts, uncacheable, evictions, invalidations, flushes;
	uint64_t decap_hits; /* of the hits, Geneve input */
	uint64_t check_runs, check_mismatches;
	uint64_t passed_over; /* hits that passed an entry of their key (other ct results) */
	uint64_t swaps;       /* entries moved before one they were passed for */
};

struct fc {
	unsigned worker; /* whose counters entries fold into */
	uint32_t size;   /* slots, a power of two; 0: the cache is off */
	uint32_t n_entries;
	uint64_t snap_gen; /* generation of the snapshot the entries belong to */
	bool check;        /* run the interpreter beside every hit and compare */
	volatile bool flush_requested;
	uint16_t n_masks;
	uint32_t mask_refs[FC_MASKS_MAX];
	uint8_t order[FC_MASKS_MAX];          /* masks in lookup order, busiest first */
	uint8_t port_mask[FC_PORT_HINTS];     /* by input port: the mask last taken, + 1 */
	uint32_t port_last[FC_PORT_HINTS];    /* by input port: the entry last taken, + 1 */
	uint8_t mask_nwords[FC_MASKS_MAX];    /* words of the key a mask keeps ... */
	uint8_t mask_words[FC_MASKS_MAX][16]; /* ... and which (struct flow_key: 13) */
	struct flow_key masks[FC_MASKS_MAX];
	struct fc_entry *e; /* [size] */
	struct fc_stats st;
};

/**
 * A cache of at least @p entries (rounded up to a power of two) for worker
 * @p worker. Control thread only, before the worker runs.
 * @return NULL with errno set.
 */
struct fc *fc_create(unsigned worker, unsigned entries, bool check);
void fc_destroy(struct fc *c);

/** Apply an entry's output to a packet's headers: @p final from @p k. */
void fc_apply(const struct fc_out *o, const struct flow_key *k, struct flow_key *final);

/** The entry for @p k, or NULL. */
struct fc_entry *fc_lookup(struct fc *c, const struct flow_key *k);

/* Where fc_lookup_from() goes on; zero it before the first call. */
struct fc_cursor {
	uint16_t j;    /* place in the mask order */
	uint16_t p;    /* next probe */
	uint8_t first; /* the input port's last mask (+1), probed before the order */
	uint8_t port;  /* the input port's place in fc.port_mask */
	bool ordered;  /* past the first mask, in the order */
	bool memo;     /* the input port's last entry was tried */
};

/** The next entry whose key matches @p k (entries of walks through ct
 *  actions that saw other results share a key), or NULL. */
struct fc_entry *fc_lookup_from(struct fc *c, const struct flow_key *k, struct fc_cursor *cur);
/** The entry fc_lookup_from() just gave at @p cur is taken: its mask moves
 *  one step to the front, and is its input port's first next time. */
void fc_promote(struct fc *c, const struct fc_cursor *cur);
/** Entry @p e is taken for a packet from @p in_port: the next lookup
 *  for that port tries it first, before any hash (a train of one flow's
 *  packets then costs one key compare). */
static inline void fc_remember(struct fc *c, uint16_t in_port, const struct fc_entry *e)
{
	uint32_t v = (uint32_t)(e - c->e) + 1;
	uint32_t *l = &c->port_last[in_port & (FC_PORT_HINTS - 1)];
	if (*l != v)
		*l = v;
}

/**
 * A lookup passed over @p first (same key, other ct results) and took
 * @p taken: after FC_PASS_SWAP such lookups in a row, the two swap places,
 * so that the entry the traffic takes is probed first (a connection's
 * first packet left an entry for ct.new that its established packets
 * would otherwise meet first, every time). @return where @p taken's
 * contents now are.
 */
struct fc_entry *fc_passed_over(struct fc *c, struct fc_entry *first, struct fc_entry *taken);
#define FC_PASS_SWAP 64

/** Whether @p r is the result entry action @p f saw, under its masks. */
static inline bool fc_ct_matches(const struct fc_ct *f, const struct ct_result *r)
{
	uint64_t d = (uint64_t)((r->state & f->op.state_mask) ^ f->state);
	d |= (uint64_t)((r->mark & f->op.mark_mask) ^ f->mark);
	d |= (uint64_t)(r->nat ^ f->nat);
	if (f->label_read) {
		/* Most walks read no label: its bytes, just stored, stay there. */
		uint64_t l[2], m[2], v[2];
		memcpy(l, r->label, 16);
		memcpy(m, f->op.label_mask, 16);
		memcpy(v, f->label, 16);
		d |= ((l[0] & m[0]) ^ v[0]) | ((l[1] & m[1]) ^ v[1]);
	}
	if (d == 0 && f->nat)
		return memcmp(&r->rw, &f->rw, sizeof(f->rw)) == 0;
	return d == 0;
}

/**
 * Install what the tracked walk in @p x found for @p k (a miss).
 * @return the entry, or NULL when the walk is not cacheable.
 */
struct fc_entry *fc_insert(struct fc *c, const struct pl_snapshot *s, const struct flow_key *k,
                           const struct pl_ctx *x);

/** Move to snapshot @p s (see the essay above); @p s may be NULL. */
void fc_switch(struct fc *c, const struct pl_snapshot *old, const struct pl_snapshot *s);

/** Remove every entry, folding counts into @p s (NULL: counts are lost). */
void fc_flush(struct fc *c, const struct pl_snapshot *s);

/** Add @p e's packets to the logical flow and logical port counters it
 *  stands for in @p s, into @p hits, @p drops, @p rx and @p tx (a worker's
 *  counters, or a report's; any may be NULL). */
void fc_fold(const struct fc_entry *e, uint64_t packets, const struct pl_snapshot *s,
             uint64_t *hits, uint64_t *drops, uint64_t *rx, uint64_t *tx);

#endif
