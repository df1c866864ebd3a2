/* SPDX-License-Identifier: Apache-2.0 */
#include <rte_rcu_qsbr.h>

#include "dataplane/api/dp.h"

/* Workers start on an empty generation, so they never see NULL. */
static struct dp_tables dp_empty = {.burst = 32};
static struct dp_tables *dp_current = &dp_empty;

struct dp_tables *dp_tables_current(void)
{
	return __atomic_load_n(&dp_current, __ATOMIC_ACQUIRE);
}

struct dp_tables *dp_publish(struct dp_tables *t, struct rte_rcu_qsbr *rcu)
{
	struct dp_tables *old = __atomic_exchange_n(&dp_current, t, __ATOMIC_ACQ_REL);

	/* Returns once every online worker has reported a quiescent state
	 * after the store above; offline (sleeping) workers are skipped, and
	 * they load the pointer afresh when they wake. */
	rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	return old == &dp_empty ? NULL : old;
}
