/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port lifecycle: probe, configure, start, publish; and the reverse.
 */
/* rte_devargs_reset() is still experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "control/log/log.h"
#include "control/port/port_priv.h"

#define SUBSCRIBERS_MAX 8

static struct {
	port_event_fn fn;
	void *arg;
} subscribers[SUBSCRIBERS_MAX];
static unsigned n_subscribers;

struct port *port_find(const char *name)
{
	struct port *p;

	TAILQ_FOREACH (p, &port_state.ports, next)
		if (!strcmp(p->conf.name, name))
			return p;
	return NULL;
}

static struct port *port_find_id(uint16_t port_id)
{
	struct port *p;

	TAILQ_FOREACH (p, &port_state.ports, next)
		if (p->port_id == port_id)
			return p;
	return NULL;
}

static void port_notify_one(port_event_fn fn, void *arg, enum port_event ev, const struct port *p)
{
	struct port_info info = {
	        .name = p->conf.name,
	        .devargs = p->conf.devargs,
	        .role = p->conf.role,
	        .iface_id = p->conf.iface_id,
	        .network = p->conf.network,
	        .neighbours = p->conf.neighbours,
	        .port_id = p->port_id,
	        .link_up = p->link_up,
	        .tx_offloads = p->tx_offloads,
	        .conf = &p->conf,
	};

	fn(ev, &info, arg);
}

static void port_notify(enum port_event ev, const struct port *p)
{
	for (unsigned i = 0; i < n_subscribers; i++)
		port_notify_one(subscribers[i].fn, subscribers[i].arg, ev, p);
}

int port_subscribe(port_event_fn fn, void *arg)
{
	struct port *p;

	if (n_subscribers == SUBSCRIBERS_MAX)
		return -ENOSPC;
	subscribers[n_subscribers].fn = fn;
	subscribers[n_subscribers].arg = arg;
	n_subscribers++;
	TAILQ_FOREACH (p, &port_state.ports, next)
		port_notify_one(fn, arg, PORT_EV_ADDED, p);
	return 0;
}

/* The ethdev that probing @p devargs produced. */
static int port_lookup(const char *devargs, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_dev_iterator it;
	size_t n = strcspn(devargs, ",");

	if (n >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	if (rte_eth_iterator_init(&it, devargs) == 0) {
		uint16_t id = rte_eth_iterator_next(&it);

		rte_eth_iterator_cleanup(&it);
		if (id != RTE_MAX_ETHPORTS) {
			*port_id = id;
			return 0;
		}
	}
	return -ENODEV;
}

/* With fewer tx queues than workers, workers share them under locks. */
static int port_txq_locks(struct port *p)
{
	if (p->n_txq >= port_state.n_workers)
		return 0;
	p->txq_locks =
	        aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(p->n_txq * sizeof(rte_spinlock_t),
	                                                          RTE_CACHE_LINE_SIZE));
	if (p->txq_locks == NULL)
		return -ENOMEM;
	for (unsigned q = 0; q < p->n_txq; q++)
		rte_spinlock_init(&p->txq_locks[q]);
	LOG(NOTICE, PORT,
	    "port %s: %u tx queues for %u workers: workers share them under a lock "
	    "(af_packet: qpairs=%u gives each its own)",
	    p->conf.name, p->n_txq, port_state.n_workers, port_state.n_workers);
	return 0;
}

/* Undo a probe that produced no ethdev, so a retry does not find the
 * device "already there". */
static void port_detach_devargs(const char *devargs)
{
	struct rte_devargs da;

	if (rte_devargs_parse(&da, devargs) < 0)
		return;
	if (da.bus && rte_eal_hotplug_remove(rte_bus_name(da.bus), da.name) < 0)
		LOG(WARNING, PORT, "cannot detach '%s' after a failed add", devargs);
	rte_devargs_reset(&da);
}

static int port_configure(struct port *p, char *err, size_t errlen)
{
	const struct ferry_conf *c = port_state.conf;
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = c->rx_desc, nb_txd = c->tx_desc;
	int socket, rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0) {
		snprintf(err, errlen, "port %s: cannot read device info: %s", p->conf.name,
		         strerror(-rc));
		return rc;
	}
	p->dev = info.device;
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->n_rxq = p->conf.rxqs;
	p->n_txq = p->conf.txqs ? p->conf.txqs : port_state.n_workers;
	if (p->n_rxq > info.max_rx_queues || p->n_rxq > PORT_RXQ_MAX) {
		snprintf(err, errlen, "port %s: %u rx queues asked, the device offers %u",
		         p->conf.name, p->n_rxq, RTE_MIN(info.max_rx_queues, PORT_RXQ_MAX));
		return -EINVAL;
	}
	if (p->n_txq > info.max_tx_queues)
		p->n_txq = info.max_tx_queues;
	/* af_packet's qpairs=N makes the kernel spread frames over N sockets:
	 * polling fewer loses whatever lands on the others. */
	if (!strcmp(info.driver_name, "net_af_packet") && p->n_rxq < info.max_rx_queues)
		LOG(WARNING, PORT,
		    "port %s: the device has %u rx queues and ferry polls %u: frames on the "
		    "others are lost (set rxqs=%u)",
		    p->conf.name, info.max_rx_queues, p->n_rxq, info.max_rx_queues);
	if (p->n_txq == 0) {
		snprintf(err, errlen, "port %s: the device has no tx queue", p->conf.name);
		return -EINVAL;
	}
	if (p->n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
		        info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* The underlay sends the Geneve we build: let the NIC do its sums. */
	if (p->conf.role == PORT_ROLE_UNDERLAY)
		conf.txmode.offloads |= info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		                                                RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc < 0 && p->n_txq != p->n_rxq && p->conf.txqs == 0) {
		/* Some drivers (tap) insist on as many tx queues as rx queues. */
		p->n_txq = p->n_rxq;
		rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	}
	if (rc < 0) {
		snprintf(err, errlen, "port %s: configure with %u rx and %u tx queues failed: %s",
		         p->conf.name, p->n_rxq, p->n_txq, strerror(-rc));
		return rc;
	}
	if (p->conf.mtu) {
		rc = rte_eth_dev_set_mtu(p->port_id, (uint16_t)p->conf.mtu);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: MTU %u: %s", p->conf.name, p->conf.mtu,
			         strerror(-rc));
			return rc;
		}
	}
	p->tx_offloads = conf.txmode.offloads;
	rc = port_txq_locks(p);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	for (unsigned q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, NULL, port_state.pool);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: rx queue %u: %s", p->conf.name, q,
			         strerror(-rc));
			return rc;
		}
	}
	for (unsigned q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, socket, NULL);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: tx queue %u: %s", p->conf.name, q,
			         strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_promiscuous_enable(p->port_id);
	if (rc < 0 && rc != -ENOTSUP)
		LOG(WARNING, PORT, "port %s: cannot enable promiscuous mode: %s", p->conf.name,
		    strerror(-rc));
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0) {
		snprintf(err, errlen, "port %s: start failed: %s", p->conf.name, strerror(-rc));
		return rc;
	}
	return 0;
}

static void port_free(struct port *p)
{
	conf_port_fini(&p->conf);
	free(p->txq_locks);
	free(p->stats);
	free(p);
}

/* Undo probe and configure; the port is not in any published table. */
static void port_close(struct port *p)
{
	int rc;

	rc = rte_eth_dev_stop(p->port_id);
	if (rc < 0 && rc != -ENOTSUP)
		LOG(WARNING, PORT, "port %s: stop: %s", p->conf.name, strerror(-rc));
	rte_eth_dev_close(p->port_id);
	if (p->dev) {
		rc = rte_dev_remove(p->dev);
		if (rc < 0 && rc != -ENOENT)
			LOG(WARNING, PORT, "port %s: detach: %s", p->conf.name, strerror(-rc));
	}
}

static int port_copy_conf(struct port_conf *dst, const struct port_conf *src)
{
	*dst = *src;
	dst->devargs = src->devargs ? strdup(src->devargs) : NULL;
	dst->iface_id = src->iface_id ? strdup(src->iface_id) : NULL;
	dst->network = src->network ? strdup(src->network) : NULL;
	dst->peer = src->peer ? strdup(src->peer) : NULL;
	dst->neighbours = src->neighbours ? strdup(src->neighbours) : NULL;
	dst->gateway = src->gateway ? strdup(src->gateway) : NULL;
	dst->exception = src->exception ? strdup(src->exception) : NULL;
	if ((src->devargs && !dst->devargs) || (src->iface_id && !dst->iface_id) ||
	    (src->network && !dst->network) || (src->peer && !dst->peer) ||
	    (src->neighbours && !dst->neighbours) || (src->gateway && !dst->gateway) ||
	    (src->exception && !dst->exception)) {
		conf_port_fini(dst);
		return -ENOMEM;
	}
	return 0;
}

int port_add(const struct port_conf *pc, char *err, size_t errlen)
{
	struct port_state *s = &port_state;
	struct port *p;
	bool probed = false;
	int rc;

	if (port_find(pc->name)) {
		snprintf(err, errlen, "port %s exists", pc->name);
		return -EEXIST;
	}
	if (s->n_ports == RTE_MAX_ETHPORTS) {
		snprintf(err, errlen, "at most %d ports", RTE_MAX_ETHPORTS);
		return -ENOSPC;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || port_copy_conf(&p->conf, pc) < 0) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->stats = aligned_alloc(RTE_CACHE_LINE_SIZE, s->n_workers * sizeof(*p->stats));
	if (p->stats == NULL) {
		port_free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(p->stats, 0, s->n_workers * sizeof(*p->stats));

	rc = rte_dev_probe(pc->devargs);
	if (rc < 0 && rc != -EEXIST) {
		snprintf(err, errlen, "port %s: cannot probe '%s': %s", pc->name, pc->devargs,
		         strerror(-rc));
		port_free(p);
		return rc;
	}
	probed = rc == 0;
	rc = port_lookup(pc->devargs, &p->port_id);
	/* Whatever probing said: a driver may accept a second probe of a
	 * device another port already runs on. */
	if (rc == 0 && port_find_id(p->port_id)) {
		snprintf(err, errlen, "port %s: device '%s' is already port %s", pc->name,
		         pc->devargs, port_find_id(p->port_id)->conf.name);
		port_free(p);
		return -EEXIST;
	}
	if (rc < 0) {
		snprintf(err, errlen, "port %s: '%s' probed but no ethernet port found", pc->name,
		         pc->devargs);
		if (probed)
			port_detach_devargs(pc->devargs);
		port_free(p);
		return rc;
	}
	rc = port_configure(p, err, errlen);
	if (rc < 0) {
		if (p->dev == NULL) {
			struct rte_eth_dev_info info;

			if (rte_eth_dev_info_get(p->port_id, &info) == 0)
				p->dev = info.device;
		}
		port_close(p);
		port_free(p);
		return rc;
	}
	for (unsigned q = 0; q < p->n_rxq; q++)
		p->rxq_worker[q] = workers_least_loaded(p, q);

	{
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
			p->link_up = link.link_status;
			p->link_speed = link.link_speed;
		}
	}
	TAILQ_INSERT_TAIL(&s->ports, p, next);
	s->n_ports++;
	rc = tables_rebuild();
	if (rc < 0) {
		TAILQ_REMOVE(&s->ports, p, next);
		s->n_ports--;
		port_close(p);
		port_free(p);
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	LOG(INFO, PORT, "port %s added: dpdk port %u, driver %s, role %s, %u rxq, %u txq%s%s",
	    p->conf.name, p->port_id, p->driver, conf_port_role_name(p->conf.role), p->n_rxq,
	    p->n_txq, p->conf.peer ? ", peer " : "", p->conf.peer ? p->conf.peer : "");
	port_notify(PORT_EV_ADDED, p);
	if (p->conf.role == PORT_ROLE_UNDERLAY && p->conf.exception) {
		rc = port_host_add(p, err, errlen);
		if (rc < 0) {
			char e[256];
			port_del(p->conf.name, e, sizeof(e));
			return rc;
		}
	}
	return 0;
}

int port_del(const char *name, char *err, size_t errlen)
{
	struct port_state *s = &port_state;
	struct port *p = port_find(name);

	if (p == NULL) {
		snprintf(err, errlen, "no port %s", name);
		return -ENOENT;
	}
	if (p->conf.role == PORT_ROLE_UNDERLAY)
		port_host_del(p);
	TAILQ_REMOVE(&s->ports, p, next);
	s->n_ports--;
	/* After this returns no worker polls the port or sends to it. If the
	 * new generation cannot be built, the old one stays and so must the
	 * port: put it back. */
	if (tables_rebuild() < 0) {
		TAILQ_INSERT_TAIL(&s->ports, p, next);
		s->n_ports++;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	port_close(p);
	LOG(INFO, PORT, "port %s removed", name);
	port_notify(PORT_EV_REMOVED, p);
	port_free(p);
	return 0;
}

void port_del_all(void)
{
	struct port *p;
	char err[256];

	while ((p = TAILQ_LAST(&port_state.ports, port_list)) != NULL) {
		if (port_del(p->conf.name, err, sizeof(err)) < 0) {
			/* Out of memory for a new generation: stop here rather than
			 * retry forever; workers_stop() drops what is left unpolled. */
			LOG(ERR, PORT, "shutdown: %s; leaving the remaining ports open", err);
			break;
		}
	}
}

/* Poll link state (control thread, once a second) and tell observers. */
void port_link_poll(void)
{
	struct port *p;

	TAILQ_FOREACH (p, &port_state.ports, next) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(p->port_id, &link) < 0)
			continue;
		if (link.link_status == p->link_up && link.link_speed == p->link_speed)
			continue;
		p->link_up = link.link_status;
		p->link_speed = link.link_speed;
		LOG(INFO, PORT, "port %s: link %s", p->conf.name, p->link_up ? "up" : "down");
		port_notify(PORT_EV_LINK, p);
	}
}

int port_init(const struct ferry_conf *conf, char *err, size_t errlen)
{
	return workers_start(conf, err, errlen);
}

void port_fini(void)
{
	port_del_all();
	workers_stop();
}
