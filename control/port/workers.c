/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Workers, the packet pool, and publishing dataplane generations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "control/log/log.h"
#include "control/port/port_priv.h"
#include "dataplane/cache/cache.h"

struct port_state port_state = {.ports = TAILQ_HEAD_INITIALIZER(port_state.ports)};

int workers_start(const struct ferry_conf *c, char *err, size_t errlen)
{
	struct port_state *s = &port_state;
	unsigned lcore, i = 0;
	size_t sz;

	s->conf = c;
	s->n_workers = c->n_workers;
	s->pool_size = conf_mbufs(c);
	s->pool = rte_pktmbuf_pool_create(
	        "ferry_mbufs", s->pool_size,
	        RTE_MIN(c->mbuf_cache, (unsigned)RTE_MEMPOOL_CACHE_MAX_SIZE), 0,
	        RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (s->pool == NULL) {
		snprintf(err, errlen, "cannot allocate %u mbufs: %s (lower mbufs or raise memory)",
		         s->pool_size, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	LOG(INFO, PORT, "mbuf pool: %u mbufs of %u bytes (%.1f MiB), per-lcore cache %u",
	    s->pool_size, RTE_MBUF_DEFAULT_BUF_SIZE + (unsigned)sizeof(struct rte_mbuf),
	    s->pool_size * (double)(RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf)) /
	            (1 << 20),
	    c->mbuf_cache);

	sz = rte_rcu_qsbr_get_memsize(s->n_workers);
	s->rcu = rte_zmalloc("ferry_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (s->rcu == NULL || rte_rcu_qsbr_init(s->rcu, s->n_workers) < 0) {
		snprintf(err, errlen, "cannot set up RCU for %u workers", s->n_workers);
		return -ENOMEM;
	}

	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct dp_worker *w;

		if (i == s->n_workers)
			break;
		w = rte_zmalloc_socket("ferry_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
		                       rte_lcore_to_socket_id(lcore));
		if (w == NULL) {
			snprintf(err, errlen, "cannot allocate worker %u", i);
			return -ENOMEM;
		}
		w->id = i;
		w->lcore = lcore;
		w->cpu = c->worker_cpus[i];
		w->idle_sleep_us = c->idle_sleep_us;
		w->rcu = s->rcu;
		if (c->mode == CONF_MODE_OVN && c->cache_entries > 0) {
			w->cache = fc_create(i, c->cache_entries, c->cache_check);
			if (w->cache == NULL) {
				snprintf(err, errlen, "cannot allocate a flow cache of %u entries",
				         c->cache_entries);
				rte_free(w);
				return -ENOMEM;
			}
		}
		s->workers[i++] = w;
	}
	if (i != s->n_workers) {
		snprintf(err, errlen, "EAL gave %u worker lcores, %u configured", i, s->n_workers);
		return -EINVAL;
	}
	s->started_tsc = rte_rdtsc();
	for (i = 0; i < s->n_workers; i++) {
		struct dp_worker *w = s->workers[i];

		if (rte_eal_remote_launch(dp_worker_main, w, w->lcore) < 0) {
			snprintf(err, errlen, "cannot launch worker %u on lcore %u", i, w->lcore);
			return -EBUSY;
		}
		LOG(INFO, PORT, "worker %u: lcore %u on CPU %u", i, w->lcore, w->cpu);
	}
	return 0;
}

void workers_stop(void)
{
	struct port_state *s = &port_state;
	struct dp_tables *old;

	for (unsigned i = 0; i < s->n_workers; i++)
		if (s->workers[i])
			s->workers[i]->stop = true;
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; i < s->n_workers; i++) {
		if (s->workers[i])
			fc_destroy(s->workers[i]->cache);
		rte_free(s->workers[i]);
		s->workers[i] = NULL;
	}
	/* Nobody reads tables now: drop the last generation. */
	if (s->rcu) {
		old = dp_publish(NULL, s->rcu);
		free(old);
	}
	rte_free(s->rcu);
	s->rcu = NULL;
	rte_mempool_free(s->pool);
	s->pool = NULL;
}

unsigned workers_least_loaded(const struct port *adding, unsigned n_assigned)
{
	struct port_state *s = &port_state;
	unsigned load[DP_WORKERS_MAX] = {0}, best = 0;
	struct port *p;

	TAILQ_FOREACH (p, &s->ports, next)
		for (unsigned q = 0; q < p->n_rxq; q++)
			load[p->rxq_worker[q]]++;
	for (unsigned q = 0; q < n_assigned; q++)
		load[adding->rxq_worker[q]]++;
	for (unsigned w = 1; w < s->n_workers; w++)
		if (load[w] < load[best])
			best = w;
	return best;
}

_Static_assert(PORT_ROLE_VIF == DP_ROLE_VIF && PORT_ROLE_UNDERLAY == DP_ROLE_UNDERLAY &&
                       PORT_ROLE_HOST == DP_ROLE_HOST,
               "the fast path tests port roles by value");

struct rte_rcu_qsbr *port_workers_rcu(void)
{
	return port_state.rcu;
}

unsigned port_n_workers(void)
{
	return port_state.n_workers;
}

struct fc *port_worker_cache(unsigned i)
{
	return i < port_state.n_workers && port_state.workers[i] ? port_state.workers[i]->cache : NULL;
}

int tables_rebuild(void)
{
	struct port_state *s = &port_state;
	struct dp_tables *t = calloc(1, sizeof(*t)), *old;
	struct port *p;

	if (t == NULL)
		return -ENOMEM;
	t->generation = ++s->generation;
	t->mode = s->conf->mode == CONF_MODE_OVN ? DP_MODE_OVN : DP_MODE_CROSS_CONNECT;
	t->xc_parse = s->conf->xc_parse;
	t->burst = s->conf->burst;
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++)
		t->ports[i].peer_id = DP_PORT_NONE;
	TAILQ_FOREACH (p, &s->ports, next) {
		struct dp_port *dp = &t->ports[p->port_id];
		struct port *peer = p->conf.peer ? port_find(p->conf.peer) : NULL;

		dp->port_id = p->port_id;
		dp->peer_id = peer ? peer->port_id : DP_PORT_NONE;
		dp->role = p->conf.role;
		dp->stats = p->stats;
		dp->txq_locks = p->txq_locks;
		dp->n_txq = p->n_txq;
		for (unsigned q = 0; q < p->n_rxq; q++) {
			struct dp_worker_rxqs *rq = &t->rxqs[p->rxq_worker[q]];

			if (rq->n == DP_RXQ_MAX) {
				LOG(ERR, PORT,
				    "worker %u polls %d queues already; queue %u of %s "
				    "left unpolled",
				    p->rxq_worker[q], DP_RXQ_MAX, q, p->conf.name);
				continue;
			}
			rq->q[rq->n].port_id = p->port_id;
			rq->q[rq->n].queue_id = q;
			rq->n++;
		}
	}
	old = dp_publish(t, s->rcu);
	free(old);
	return 0;
}
