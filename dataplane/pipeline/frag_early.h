/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fragments that come before their first.
 *
 * The tracker follows fragments (ct_frag.c): a later fragment, which has
 * no ports, gets the result its datagram's first fragment got. One that
 * arrives before its first could not be classified and was ct.inv, so a
 * stateful ACL dropped a datagram whose fragments came out of order. Now
 * such a fragment is held, per worker, until its first comes through
 * this worker; it then runs right after the first (and follows it). One
 * held past PL_FRAG_HOLD_MS is dropped as `frag-first-missing': without
 * its first, its datagram could not be reassembled anyway.
 *
 * Held per worker, without a lock. The datagrams whose first passed are
 * remembered in one small direct-mapped table that all workers share,
 * one spinlock per slot (taken for fragments only): the fragments of a
 * datagram usually arrive on one queue (RSS hashes the addresses alone
 * for fragments), but not always (a Geneve sender may hash the first
 * fragment's ports into the outer UDP source port, and the later ones
 * have none). A later fragment of a datagram not remembered is held (at
 * most PL_FRAG_HOLD_MAX at a time per worker; past that it runs as before
 * and is counted). The worker that passes the first runs its own held
 * ones right after it; the others find theirs within a few polls
 * (pl_frag_poll()). Held fragments sit on the one mbuf pool, freed when
 * the worker stops. Local ports and the underlay (Geneve's inner frames)
 * alike.
 */
#ifndef FERRY_PL_FRAG_EARLY_H
#define FERRY_PL_FRAG_EARLY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/api/dp.h"
#include "dataplane/conntrack/ct.h"

#define PL_FRAG_HOLD_MAX 64 /* held fragments per worker */
#define PL_FRAG_HOLD_MS  1000

struct pl_frag_early_stats {
	uint64_t held;     /* later fragments held for their first */
	uint64_t released; /* run after their first */
	uint64_t expired;  /* dropped: no first within PL_FRAG_HOLD_MS */
	uint64_t overflow; /* not held: PL_FRAG_HOLD_MAX already were */
};

/** Worker @p w: hold later fragment @p m (datagram @p k, from @p in_port)
 *  unless its first passed here. @return true when held (taken). */
bool pl_frag_hold(unsigned w, const struct ct_frag_key *k, struct rte_mbuf *m, uint16_t in_port,
                  uint64_t now);
/** Worker @p w passed the first fragment of @p k: its later ones need no
 *  holding; @return how many held ones it hands back in @p m, @p ports. */
unsigned pl_frag_first(unsigned w, const struct ct_frag_key *k, uint64_t now, struct rte_mbuf **m,
                       uint16_t *ports);
/** Worker @p w, every few polls: hand back in @p m, @p ports (room for
 *  PL_FRAG_HOLD_MAX) the held fragments whose first passed on another
 *  worker, and drop those held too long (counted on their port).
 *  @return how many it hands back. */
unsigned pl_frag_poll(const struct dp_tables *t, unsigned w, uint64_t now, struct rte_mbuf **m,
                      uint16_t *ports);
/** Worker @p w stops: free what it holds. */
void pl_frag_flush(unsigned w);
/** Every worker's counts, added. */
void pl_frag_early_stats(struct pl_frag_early_stats *st);

#endif
