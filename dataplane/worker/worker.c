/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker loop: poll every rx queue this generation gives us, hand each
 * burst to the mode's handler, report quiescence, repeat.
 *
 * Idle back-off: after IDLE_SPIN empty iterations in a row the worker
 * sleeps, starting at SLEEP_MIN_US and doubling up to idle_sleep_us, so an
 * idle ferryd costs a few wake-ups per millisecond instead of a whole core.
 * The first packet resets the back-off. While asleep the worker is offline
 * for RCU, so a publish does not wait for it to wake up.
 *
 * The sleep is the only system call here and it happens only when there is
 * nothing to do.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/api/dp.h"
#include "dataplane/api/pipeline.h"
#include "dataplane/cache/cache.h"
#include "dataplane/pipeline/exception.h"
#include "dataplane/pipeline/frag_early.h"
#include "dataplane/pipeline/process.h"
#include "dataplane/xconnect/xconnect.h"

#define IDLE_SPIN    256
#define SLEEP_MIN_US 16

static void worker_sleep(struct dp_worker *w, unsigned us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L};

	rte_rcu_qsbr_thread_offline(w->rcu, w->id);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->rcu, w->id);
	w->stats.sleeps++;
}

/*
 * Keep the flow cache in step with the snapshot. @p prev is the snapshot
 * the cache last saw; it is alive here only when it is the new one's
 * direct predecessor (control frees snapshots one publish late), which is
 * exactly when fc_switch() may fold counts into it.
 */
static void cache_sync(struct dp_worker *w, const struct pl_snapshot **prev,
                       const struct pl_snapshot *pl)
{
	struct fc *c = w->cache;
	uint64_t gen = pl ? pl->generation : 0;
	if (unlikely(c->flush_requested)) {
		fc_flush(c, gen == c->snap_gen ? pl : NULL);
		c->flush_requested = false;
	}
	if (likely(gen == c->snap_gen))
		return;
	bool direct = pl != NULL && *prev != NULL && pl->prev_generation == c->snap_gen;
	fc_switch(c, direct ? *prev : NULL, pl);
	*prev = pl;
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct rte_mbuf *pkts[DP_BURST_MAX];
	unsigned empty = 0, sleep_us = SLEEP_MIN_US; /* clamped to the limit at each sleep */
	uint64_t t0, t1;
	const struct pl_snapshot *cache_pl = NULL;

	rte_rcu_qsbr_thread_register(w->rcu, w->id);
	rte_rcu_qsbr_thread_online(w->rcu, w->id);
	t0 = rte_rdtsc();

	while (!w->stop) {
		const struct dp_tables *t = dp_tables_current();
		const struct pl_snapshot *pl = pl_current();

		if (w->cache != NULL)
			cache_sync(w, &cache_pl, pl);
		const struct dp_worker_rxqs *rq = &t->rxqs[w->id];
		uint64_t got = 0;

		for (unsigned i = 0; i < rq->n; i++) {
			uint16_t port = rq->q[i].port_id;
			uint16_t n = rte_eth_rx_burst(port, rq->q[i].queue_id, pkts, t->burst);

			if (n == 0)
				continue;
			got += n;
			if (t->mode == DP_MODE_OVN && pl_exception_port(t, pl, port))
				pl_exception_forward(t, w, port, pkts, n);
			else if (t->mode == DP_MODE_OVN)
				pl_process(t, pl, w, port, pkts, n);
			else
				xc_process(t, w, port, pkts, n);
		}
		w->stats.polls++;
		/* Idle connections expire without traffic: a few buckets of the
		 * shared table every few polls, from a shared cursor. */
		struct ct_table *ct = t->mode == DP_MODE_OVN ? pl_conntrack() : NULL;
		if (ct != NULL && (w->stats.polls & 7) == 0) {
			uint64_t now = rte_rdtsc();
			ct_sweep(ct, now, 8);
			pl_frag_run_held(t, pl, w); /* fragments held for their first */
		}
		rte_rcu_qsbr_quiescent(w->rcu, w->id);

		if (got) {
			w->stats.packets += got;
			empty = 0;
			sleep_us = SLEEP_MIN_US;
			t1 = rte_rdtsc();
			w->stats.busy_cycles += t1 - t0;
			t0 = t1;
			continue;
		}
		/* ferryctl worker idle-sleep may change the limit at any time. */
		unsigned sleep_max = __atomic_load_n(&w->idle_sleep_us, __ATOMIC_RELAXED);
		if (++empty >= IDLE_SPIN && sleep_max) {
			sleep_us = RTE_MIN(sleep_us, sleep_max);
			worker_sleep(w, sleep_us);
			if (sleep_us < sleep_max)
				sleep_us = RTE_MIN(sleep_us * 2, sleep_max);
		}
		t1 = rte_rdtsc();
		w->stats.idle_cycles += t1 - t0;
		t0 = t1;
	}

	pl_frag_flush(w->id);
	rte_rcu_qsbr_thread_offline(w->rcu, w->id);
	rte_rcu_qsbr_thread_unregister(w->rcu, w->id);
	return 0;
}
