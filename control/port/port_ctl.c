/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryctl verbs for ports, workers and counters. Each answers JSON and a
 * table for people.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "control/ctl/ctl.h"
#include "control/log/log.h"
#include "control/port/port_priv.h"

void port_stats_sum(const struct port *p, struct dp_port_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < port_state.n_workers; w++) {
		const struct dp_port_stats *s = &p->stats[w];

		sum->rx_packets += s->rx_packets;
		sum->rx_bytes += s->rx_bytes;
		sum->tx_packets += s->tx_packets;
		sum->tx_bytes += s->tx_bytes;
		for (unsigned r = 0; r < DROP__MAX; r++)
			sum->drops[r] += s->drops[r];
	}
}

bool port_counters(const char *name, struct dp_port_stats *sum)
{
	const struct port *p = port_find(name);
	if (p == NULL)
		return false;
	port_stats_sum(p, sum);
	return true;
}

static json_t *drops_json(const uint64_t *drops, uint64_t *total)
{
	json_t *o = json_object();

	*total = 0;
	for (unsigned r = 1; r < DROP__MAX; r++) {
		if (drops[r] == 0)
			continue;
		json_object_set_new(o, drop_reason_name(r), json_integer(drops[r]));
		*total += drops[r];
	}
	return o;
}

static json_t *port_json(const struct port *p)
{
	json_t *o =
	        json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:i, s:i, s:i}", "name", p->conf.name,
	                  "port_id", p->port_id, "devargs", p->conf.devargs, "driver", p->driver,
	                  "role", conf_port_role_name(p->conf.role), "link_up", p->link_up,
	                  "speed_mbps", p->link_speed, "rxqs", p->n_rxq, "txqs", p->n_txq);
	json_t *q = json_array();

	if (p->conf.iface_id)
		json_object_set_new(o, "iface_id", json_string(p->conf.iface_id));
	if (p->conf.network)
		json_object_set_new(o, "network", json_string(p->conf.network));
	if (p->conf.peer)
		json_object_set_new(o, "peer", json_string(p->conf.peer));
	if (p->conf.neighbours)
		json_object_set_new(o, "neighbours", json_string(p->conf.neighbours));
	for (unsigned i = 0; i < p->n_rxq; i++)
		json_array_append_new(
		        q, json_pack("{s:i, s:i}", "queue", i, "worker", p->rxq_worker[i]));
	json_object_set_new(o, "rx_queues", q);
	return o;
}

static int port_list_cmd(struct ctl_req *req, void *arg)
{
	json_t *list = json_array();
	struct port *p;

	(void)arg;
	ctl_printf(req, "%-12s %4s %-10s %-8s %-5s %-12s %s\n", "NAME", "ID", "DRIVER", "ROLE",
	           "LINK", "PEER/BINDING", "DEVARGS");
	TAILQ_FOREACH (p, &port_state.ports, next) {
		const char *bind = p->conf.peer       ? p->conf.peer
		                   : p->conf.iface_id ? p->conf.iface_id
		                   : p->conf.network  ? p->conf.network
		                                      : "-";

		json_array_append_new(list, port_json(p));
		ctl_printf(req, "%-12s %4u %-10.10s %-8s %-5s %-12s %s\n", p->conf.name, p->port_id,
		           p->driver, conf_port_role_name(p->conf.role), p->link_up ? "up" : "down",
		           bind, p->conf.devargs);
	}
	req->result = list;
	return 0;
}

static int port_add_cmd(struct ctl_req *req, void *arg)
{
	struct port_conf pc;
	int rc;

	(void)arg;
	rc = conf_port_parse(&pc, req->argv[0], req->argv[1], req->argv + 2, req->argc - 2,
	                     req->err, sizeof(req->err));
	if (rc)
		return rc;
	if (pc.peer && port_find(pc.peer) == NULL)
		LOG(WARNING, PORT,
		    "port %s: peer %s does not exist (yet); its packets are "
		    "dropped as no-peer until it does",
		    pc.name, pc.peer);
	rc = port_add(&pc, req->err, sizeof(req->err));
	conf_port_fini(&pc);
	if (rc)
		return rc;
	req->result = port_json(port_find(req->argv[0]));
	ctl_printf(req, "port %s added\n", req->argv[0]);
	return 0;
}

static int port_del_cmd(struct ctl_req *req, void *arg)
{
	int rc;

	(void)arg;
	rc = port_del(req->argv[0], req->err, sizeof(req->err));
	if (rc)
		return rc;
	ctl_printf(req, "port %s removed\n", req->argv[0]);
	return 0;
}

static int worker_list_cmd(struct ctl_req *req, void *arg)
{
	const struct dp_tables *t = dp_tables_current();
	double hz = rte_get_tsc_hz();
	json_t *list = json_array();

	(void)arg;
	ctl_printf(req, "%-6s %5s %4s %12s %10s %7s %10s  %s\n", "WORKER", "LCORE", "CPU",
	           "PACKETS", "CYC/PKT", "IDLE%", "SLEEPS", "RX QUEUES");
	for (unsigned i = 0; i < port_state.n_workers; i++) {
		const struct dp_worker *w = port_state.workers[i];
		const struct dp_worker_stats *st = &w->stats;
		uint64_t busy = st->busy_cycles, idle = st->idle_cycles;
		double cpp = st->packets ? (double)busy / st->packets : 0;
		double idle_pct = busy + idle ? 100.0 * idle / (busy + idle) : 100.0;
		json_t *q = json_array();
		char qs[256] = "";
		size_t o = 0;

		for (unsigned j = 0; t && j < t->rxqs[i].n; j++) {
			const struct dp_rxq *rq = &t->rxqs[i].q[j];
			const struct dp_port *dp = &t->ports[rq->port_id];
			struct port *p = NULL, *it;

			TAILQ_FOREACH (it, &port_state.ports, next)
				if (it->port_id == rq->port_id && it->stats == dp->stats)
					p = it;
			json_array_append_new(q, json_pack("{s:s, s:i}", "port",
			                                   p ? p->conf.name : "?", "queue",
			                                   rq->queue_id));
			if (o < sizeof(qs))
				o += snprintf(qs + o, sizeof(qs) - o, "%s%s:%u", j ? " " : "",
				              p ? p->conf.name : "?", rq->queue_id);
		}
		json_array_append_new(
		        list,
		        json_pack("{s:i, s:i, s:i, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:o}",
		                  "worker", i, "lcore", w->lcore, "cpu", w->cpu, "packets",
		                  (json_int_t)st->packets, "cycles_per_packet", cpp, "idle_percent",
		                  idle_pct, "busy_cycles", (json_int_t)busy, "idle_cycles",
		                  (json_int_t)idle, "polls", (json_int_t)st->polls, "sleeps",
		                  (json_int_t)st->sleeps, "rx_queues", q));
		ctl_printf(req, "%-6u %5u %4u %12" PRIu64 " %10.1f %7.1f %10" PRIu64 "  %s\n", i,
		           w->lcore, w->cpu, st->packets, cpp, idle_pct, st->sleeps, qs);
	}
	req->result = json_pack("{s:f, s:o}", "tsc_hz", hz, "workers", list);
	return 0;
}

static int counters_cmd(struct ctl_req *req, void *arg)
{
	uint64_t global[DROP__MAX] = {0};
	json_t *ports = json_object();
	struct port *p;
	uint64_t total;

	(void)arg;
	ctl_printf(req, "%-12s %12s %14s %12s %14s %10s %10s %10s\n", "PORT", "RX-PKTS", "RX-BYTES",
	           "TX-PKTS", "TX-BYTES", "DROPS", "HW-MISSED", "HW-ERRORS");
	TAILQ_FOREACH (p, &port_state.ports, next) {
		struct dp_port_stats sum;
		struct rte_eth_stats hw = {0};
		json_t *o;

		if (req->argc && strcmp(req->argv[0], p->conf.name))
			continue;
		port_stats_sum(p, &sum);
		rte_eth_stats_get(p->port_id, &hw);
		for (unsigned r = 0; r < DROP__MAX; r++)
			global[r] += sum.drops[r];
		o = json_pack("{s:I, s:I, s:I, s:I}", "rx_packets", (json_int_t)sum.rx_packets,
		              "rx_bytes", (json_int_t)sum.rx_bytes, "tx_packets",
		              (json_int_t)sum.tx_packets, "tx_bytes", (json_int_t)sum.tx_bytes);
		json_object_set_new(o, "drops", drops_json(sum.drops, &total));
		json_object_set_new(o, "drops_total", json_integer(total));
		json_object_set_new(
		        o, "hw",
		        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ipackets",
		                  (json_int_t)hw.ipackets, "opackets", (json_int_t)hw.opackets,
		                  "ibytes", (json_int_t)hw.ibytes, "obytes", (json_int_t)hw.obytes,
		                  "imissed", (json_int_t)hw.imissed, "ierrors",
		                  (json_int_t)hw.ierrors, "oerrors", (json_int_t)hw.oerrors,
		                  "rx_nombuf", (json_int_t)hw.rx_nombuf));
		json_object_set_new(ports, p->conf.name, o);
		ctl_printf(req,
		           "%-12s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %14" PRIu64
		           " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
		           p->conf.name, sum.rx_packets, sum.rx_bytes, sum.tx_packets, sum.tx_bytes,
		           total, hw.imissed, hw.ierrors + hw.oerrors);
		for (unsigned r = 1; r < DROP__MAX; r++)
			if (sum.drops[r])
				ctl_printf(req, "    drop %-22s %12" PRIu64 "\n",
				           drop_reason_name(r), sum.drops[r]);
	}
	if (req->argc && json_object_size(ports) == 0) {
		json_decref(ports);
		return ctl_error(req, -ENOENT, "no port %s", req->argv[0]);
	}
	req->result = json_pack("{s:o}", "ports", ports);
	json_object_set_new(req->result, "drops", drops_json(global, &total));
	json_object_set_new(req->result, "drops_total", json_integer(total));
	return 0;
}

static void (*drops_more)(struct ctl_req *req);

void port_ctl_drops_hook(void (*fn)(struct ctl_req *req))
{
	drops_more = fn;
}

static int drops_cmd(struct ctl_req *req, void *arg)
{
	uint64_t global[DROP__MAX] = {0};
	json_t *list = json_array();
	struct port *p;

	(void)arg;
	TAILQ_FOREACH (p, &port_state.ports, next) {
		struct dp_port_stats sum;

		port_stats_sum(p, &sum);
		for (unsigned r = 0; r < DROP__MAX; r++)
			global[r] += sum.drops[r];
	}
	ctl_printf(req, "%-24s %12s  %s\n", "REASON", "PACKETS", "MEANING");
	for (unsigned r = 1; r < DROP__MAX; r++) {
		json_array_append_new(
		        list, json_pack("{s:s, s:I, s:s}", "reason", drop_reason_name(r), "packets",
		                        (json_int_t)global[r], "help", drop_reason_help(r)));
		if (global[r] || (req->argc && !strcmp(req->argv[0], "--all")))
			ctl_printf(req, "%-24s %12" PRIu64 "  %s\n", drop_reason_name(r), global[r],
			           drop_reason_help(r));
	}
	if (drops_more)
		drops_more(req);
	req->result = list;
	return 0;
}

/* `worker idle-sleep [US]': the longest sleep of an idle worker, read or
 * set at run time (dataplane.idle-sleep-us at start; 0 polls busy). */
static int worker_idle_sleep_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	if (req->argc == 1) {
		char *end;
		errno = 0;
		unsigned long us = strtoul(req->argv[0], &end, 10);
		if (errno || *end || end == req->argv[0] || us > 100000 || req->argv[0][0] == '-')
			return ctl_error(req, -EINVAL,
			                 "idle sleep must be 0 to 100000 microseconds, not '%s'",
			                 req->argv[0]);
		for (unsigned i = 0; i < port_state.n_workers; i++)
			__atomic_store_n(&port_state.workers[i]->idle_sleep_us, (unsigned)us,
			                 __ATOMIC_RELAXED);
		LOG(INFO, PORT, "workers: idle sleep at most %lu us", us);
	}
	unsigned cur = port_state.n_workers ? __atomic_load_n(&port_state.workers[0]->idle_sleep_us,
	                                                      __ATOMIC_RELAXED)
	                                    : 0;
	ctl_printf(req, "idle workers sleep at most %u us\n", cur);
	req->result = json_pack("{s:I}", "idle_sleep_us", (json_int_t)cur);
	return 0;
}

static const struct ctl_cmd port_cmds[] = {
        {"port list", "", "list ports", 0, 0, port_list_cmd, NULL},
        {"port add",
         "NAME DEVARGS [role=vif|underlay|uplink] [iface-id=ID] [network=NET] "
         "[peer=PORT] [rxqs=N] [txqs=N]",
         "add a DPDK port at runtime", 2, 8, port_add_cmd, NULL},
        {"port del", "NAME", "remove a port at runtime", 1, 1, port_del_cmd, NULL},
        {"worker list", "", "workers, their load and rx queues", 0, 0, worker_list_cmd, NULL},
        {"worker idle-sleep", "[US]",
         "the longest sleep of an idle worker in microseconds, 0 to 100000 (0: busy poll)", 0, 1,
         worker_idle_sleep_cmd, NULL},
        {"counters", "[PORT]", "per-port packet, byte and drop counters", 0, 1, counters_cmd, NULL},
        {"drops", "[--all]", "drops by reason, all ports together", 0, 1, drops_cmd, NULL},
};

void port_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(port_cmds) / sizeof(port_cmds[0]); i++)
		ctl_register(&port_cmds[i]);
}
