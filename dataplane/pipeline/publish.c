/* SPDX-License-Identifier: Apache-2.0 */
#include <rte_rcu_qsbr.h>

#include "dataplane/api/pipeline.h"

static struct pl_snapshot *pl_cur;

const struct pl_snapshot *pl_current(void)
{
	return __atomic_load_n(&pl_cur, __ATOMIC_ACQUIRE);
}

struct pl_snapshot *pl_publish(struct pl_snapshot *s, struct rte_rcu_qsbr *rcu)
{
	struct pl_snapshot *old = __atomic_exchange_n(&pl_cur, s, __ATOMIC_ACQ_REL);
	if (rcu != NULL)
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	return old;
}
