/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where control meets the dataplane.
 *
 * The control thread owns everything; workers only read. What workers read
 * is one immutable generation of tables (struct dp_tables): which rx queues
 * each worker polls, and for every DPDK port its role, its cross-connect
 * peer and where to count. To change anything, control builds a whole new
 * generation, publishes it with one atomic pointer store (dp_publish()),
 * waits until every worker has passed a quiescent point (rte_rcu_qsbr), and
 * only then frees the old generation or closes a removed device. Workers
 * therefore take no lock, and a port change never stalls them.
 *
 * Counters are the exception to "workers only read": each worker writes its
 * own cache-aligned slot (one writer per slot, no atomics); control sums the
 * slots when asked, tolerating a torn read of a counter in flight.
 *
 * An rx queue is never moved from one worker to another while the port
 * lives, so two workers never poll one queue, even across a publish.
 */
#ifndef FERRY_DP_H
#define FERRY_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_spinlock.h>

#include "dataplane/api/drop.h"

#define DP_WORKERS_MAX 64
#define DP_RXQ_MAX     256 /* rx queues one worker may poll */
#define DP_PORT_NONE   UINT16_MAX
#define DP_BURST_MAX   256

/* One worker's counts for one port. */
struct dp_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DROP__MAX];
} __rte_cache_aligned;

/* One worker's own counts. */
struct dp_worker_stats {
	uint64_t packets;     /* received */
	uint64_t busy_cycles; /* TSC cycles in loop iterations that received packets */
	uint64_t idle_cycles; /* TSC cycles in empty iterations, sleeps included */
	uint64_t polls;       /* loop iterations */
	uint64_t sleeps;      /* times it backed off to sleeping */
} __rte_cache_aligned;

/* dp_port.role values the fast path tests (control's enum port_role). */
#define DP_ROLE_VIF      0
#define DP_ROLE_UNDERLAY 1
#define DP_ROLE_HOST     3 /* single-NIC mode: the host's side of the underlay */

enum dp_mode {
	DP_MODE_CROSS_CONNECT,
	DP_MODE_OVN, /* vif ports run the logical pipelines (dataplane/pipeline/) */
};

struct dp_port {
	struct dp_port_stats *stats; /* [n_workers], owned by control; NULL: not ours */
	/* A port with a tx queue per worker is used without locks. One with
	 * fewer (a single-queue af_packet, af_xdp or tap port under several
	 * workers) has worker w send on queue w % n_txq under that queue's
	 * lock; the lock is shared by workers only, never by control. */
	rte_spinlock_t *txq_locks; /* [n_txq], or NULL when each worker has its own */
	uint16_t n_txq;
	uint16_t port_id;
	uint16_t peer_id; /* cross-connect: DPDK port id or DP_PORT_NONE */
	uint8_t role;     /* enum port_role */
};

struct dp_rxq {
	uint16_t port_id;
	uint16_t queue_id;
};

struct dp_worker_rxqs {
	unsigned n;
	struct dp_rxq q[DP_RXQ_MAX];
};

/* One generation. Immutable once published. */
struct dp_tables {
	uint64_t generation;
	enum dp_mode mode;
	bool xc_parse;
	unsigned burst;
	struct dp_port ports[RTE_MAX_ETHPORTS]; /* by DPDK port id */
	struct dp_worker_rxqs rxqs[DP_WORKERS_MAX];
};

struct rte_rcu_qsbr;
struct fc;

struct dp_worker {
	unsigned id;    /* 0..n_workers-1: also its tx queue on every port */
	unsigned lcore; /* DPDK lcore id */
	unsigned cpu;   /* CPU it is pinned to */
	volatile bool stop;
	unsigned idle_sleep_us; /* longest back-off sleep; 0 = busy poll */
	struct rte_rcu_qsbr *rcu;
	struct fc *cache; /* mode ovn: this worker's flow cache (dataplane/cache/), or NULL */
	struct dp_worker_stats stats;
};

/** The generation workers use now (control thread and workers). */
struct dp_tables *dp_tables_current(void);

/**
 * Publish @p t (control thread only) and wait until no worker can still
 * read the previous generation.
 * @return the previous generation, for the caller to free
 */
struct dp_tables *dp_publish(struct dp_tables *t, struct rte_rcu_qsbr *rcu);

/** Worker lcore entry point: @p arg is its struct dp_worker. Runs until stop. */
int dp_worker_main(void *arg);

#endif
