/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports, as the control plane sees them: a name, DPDK devargs, a role, and
 * the DPDK port behind them. Adding a port probes and starts the device,
 * then publishes new dataplane tables that poll it; removing one publishes
 * tables without it, waits until no worker can still touch it (RCU
 * quiescence), and only then stops and closes the device. Traffic on other
 * ports goes on throughout.
 */
#ifndef FERRY_PORT_H
#define FERRY_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "control/conf/conf.h"

struct ferry_conf;

enum port_event {
	PORT_EV_ADDED,   /* started and polled */
	PORT_EV_REMOVED, /* no longer polled; the device is closed */
	PORT_EV_LINK,    /* link state changed */
};

/* What observers learn of a port. Valid during the callback only. */
struct port_info {
	const char *name;
	const char *devargs;
	enum port_role role;
	const char *iface_id;   /* vif only, else NULL */
	const char *network;    /* uplink only, else NULL */
	const char *neighbours; /* underlay only: static next hops, validated, or NULL */
	uint16_t port_id;       /* DPDK port id */
	bool link_up;
	uint64_t tx_offloads; /* RTE_ETH_TX_OFFLOAD_* enabled on the port */
	const struct port_conf *conf; /* every key of the port */
};

typedef void (*port_event_fn)(enum port_event ev, const struct port_info *p, void *arg);

/** Call @p fn for every port event from now on (and ADDED for ports already there). */
int port_subscribe(port_event_fn fn, void *arg);

/** Add the port described by @p pc (copied). @return 0 or -errno with @p err set. */
int port_add(const struct port_conf *pc, char *err, size_t errlen);

/** Remove port @p name. @return 0, -ENOENT. */
int port_del(const char *name, char *err, size_t errlen);

/** Remove every port (shutdown). */
void port_del_all(void);

/** Read every port's link state and tell observers of changes (call once a second). */
void port_link_poll(void);

/** Start the port module: workers, mempool and tables from @p conf. */
int port_init(const struct ferry_conf *conf, char *err, size_t errlen);

/** Stop workers and free what port_init() made. */
void port_fini(void);

struct rte_rcu_qsbr;
/** The workers' RCU state, for other publishers (NULL before port_init()). */
struct rte_rcu_qsbr *port_workers_rcu(void);
/** How many workers run. */
unsigned port_n_workers(void);

struct fc;
/** Worker @p i's flow cache, or NULL (none, or no such worker). */
struct fc *port_worker_cache(unsigned i);

struct dp_port_stats;
/** Port @p name's counters summed over workers; @return false: no such port. */
bool port_counters(const char *name, struct dp_port_stats *sum);

struct ctl_req;
/** Let another module add lines to `ferryctl drops' (text only). */
void port_ctl_drops_hook(void (*fn)(struct ctl_req *req));

/** Register the port, worker and counter commands with the control socket. */
void port_ctl_register(void);

#endif
