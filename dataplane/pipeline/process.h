/* SPDX-License-Identifier: Apache-2.0 */
/* The worker's handler in mode ovn: a burst from one port through the
 * logical pipelines and out. */
#ifndef FERRY_PL_PROCESS_H
#define FERRY_PL_PROCESS_H

#include <rte_mbuf.h>

#include "dataplane/api/dp.h"
#include "dataplane/api/pipeline.h"

/* Hands learned neighbours and FDB entries to the control thread. */
struct rte_ring;
struct rte_mempool;
/** Where workers put struct pl_punt requests (elements of @p mp). */
void pl_set_punt(struct rte_ring *r, struct rte_mempool *mp);

struct ct_table;
struct ct_frags;
struct ct_aff;
/** The connection tracker the workers use, its fragment table and its
 *  load balancer affinity table (NULL: none; control only). */
void pl_set_conntrack(struct ct_table *t, struct ct_frags *f, struct ct_aff *a);
/** The tracker set, or NULL. */
struct ct_table *pl_conntrack(void);

void pl_process(const struct dp_tables *t, const struct pl_snapshot *s, struct dp_worker *w,
                uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);

/** Worker @p w, every few polls: run the fragments it held whose first
 *  passed on another worker, drop those held too long (frag_early.h). */
void pl_frag_run_held(const struct dp_tables *t, const struct pl_snapshot *s, struct dp_worker *w);

#endif
