/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the files of control/port/. */
#ifndef FERRY_PORT_PRIV_H
#define FERRY_PORT_PRIV_H

#include <sys/queue.h>

#include <rte_ethdev.h>

#include "control/conf/conf.h"
#include "control/port/port.h"
#include "dataplane/api/dp.h"

#define PORT_RXQ_MAX 64

struct port {
	TAILQ_ENTRY(port) next;
	struct port_conf conf; /* owned copy */
	uint16_t port_id;
	struct rte_device *dev;
	unsigned n_rxq;
	unsigned n_txq;
	uint8_t rxq_worker[PORT_RXQ_MAX]; /* which worker polls each rx queue; never changes */
	struct dp_port_stats *stats;      /* [n_workers] */
	rte_spinlock_t *txq_locks;        /* [n_txq] when n_txq < workers, else NULL */
	bool link_up;
	uint64_t tx_offloads; /* enabled at configure */
	uint32_t link_speed;  /* Mb/s */
	char driver[64];
};

TAILQ_HEAD(port_list, port);

/* Shared state of the port module (control thread only). */
struct port_state {
	const struct ferry_conf *conf;
	struct port_list ports;
	unsigned n_ports;
	struct rte_mempool *pool;
	unsigned pool_size;
	struct rte_rcu_qsbr *rcu;
	struct dp_worker *workers[DP_WORKERS_MAX];
	unsigned n_workers;
	uint64_t generation;
	uint64_t started_tsc;
};

extern struct port_state port_state;

/* workers.c */
int workers_start(const struct ferry_conf *conf, char *err, size_t errlen);
void workers_stop(void);
/* Build a generation from the port list and publish it. @return 0 or -ENOMEM */
int tables_rebuild(void);
/* The worker that should take the next rx queue of @p adding (not yet in
 * the port list, @p n_assigned of its queues placed): the one with fewest. */
unsigned workers_least_loaded(const struct port *adding, unsigned n_assigned);

/* port.c */
struct port *port_find(const char *name);

/* host.c: single-NIC mode, the host exception port of underlay @p ul. */
int port_host_add(struct port *ul, char *err, size_t errlen);
void port_host_del(struct port *ul);

/* port_ctl.c: sum one port's counters over workers */
void port_stats_sum(const struct port *p, struct dp_port_stats *sum);

#endif
