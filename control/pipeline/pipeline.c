/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline module's life: when to rebuild, publishing, retiring old
 * snapshots and keeping their counters (see pipeline.h).
 */
#include "control/pipeline/pipeline_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <rte_log.h>

#include "control/conf/conf.h"
#include "control/lflow/agent.h"
#include "control/ovsdb/log.h"
#include "control/ovsdb/sb.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/pipeline/meter.h"
#include "control/port/port.h"
#include "dataplane/cache/cache.h"

int pipeline_logtype = RTE_LOGTYPE_USER4;

struct local_port {
	struct local_port *next;
	char *name, *iface_id;
	uint16_t port_id;
};

struct pipeline_state pl_state;

uint16_t pipeline_local_port(const char *iface_id)
{
	for (struct local_port *p = pl_state.locals; p; p = p->next)
		if (p->iface_id && strcmp(p->iface_id, iface_id) == 0)
			return p->port_id;
	return DP_PORT_NONE;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Add a retired snapshot's counters to the totals kept by flow UUID. */
static void sum_peer(const struct pl_gen *g, uint16_t i, struct pl_peer_stats *t)
{
	for (unsigned w = 0; w < g->n_workers; w++) {
		pl_peer_stats_add(t, &g->s.counters[w].peer[i]);
	}
}

void pipeline_peer_totals(uint16_t i, struct pl_peer_stats *out)
{
	const struct pl_gen *g = pl_state.cur;
	memset(out, 0, sizeof(*out));
	if (g == NULL || i >= g->s.n_peers)
		return;
	pl_stats_peer(g->s.peers[i].chassis, out);
	sum_peer(g, i, out);
	/* The snapshot awaiting its fold: the same chassis by name. */
	const struct pl_gen *r = pl_state.retired;
	for (uint16_t k = 0; r && k < r->s.n_peers; k++)
		if (strcmp(r->s.peers[k].chassis, g->s.peers[i].chassis) == 0)
			sum_peer(r, k, out);
}

static void fold_counters(struct pl_gen *g)
{
	const struct pl_snapshot *s = &g->s;
	for (uint16_t i = 0; i < s->n_peers; i++) {
		struct pl_peer_stats t = {0};
		sum_peer(g, i, &t);
		pl_stats_add_peer(s->peers[i].chassis, &t);
	}
	for (uint32_t d = 0; d < s->n_datapaths; d++) {
		const struct pl_datapath *dp = &s->datapaths[d];
		for (uint32_t i = 0; i < dp->n_ports; i++) {
			uint64_t rx = 0, tx = 0;
			for (unsigned w = 0; w < g->n_workers; w++) {
				rx += s->counters[w].lport_rx[dp->ports[i].idx];
				tx += s->counters[w].lport_tx[dp->ports[i].idx];
			}
			if (rx || tx)
				pl_stats_add_lport(dp->ports[i].name, rx, tx);
		}
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++) {
				const struct pl_table *tb = &dp->tables[p][t];
				uint64_t miss = 0;
				for (unsigned w = 0; w < g->n_workers; w++)
					miss += s->counters[w].drops[s->n_entry_ids + tb->miss_id];
				if (miss)
					pl_stats_add_miss(dp->key, p, t, miss);
				for (uint32_t i = 0; i < tb->n; i++) {
					uint64_t hits = 0, drops = 0;
					for (unsigned w = 0; w < g->n_workers; w++) {
						hits += s->counters[w].hits[tb->e[i].id];
						drops += s->counters[w].drops[tb->e[i].id];
					}
					if (hits || drops)
						pl_stats_add_flow(&s->flows[tb->e[i].flow], dp->key,
						                  hits, drops);
				}
			}
	}
}

static void retire(struct pl_gen *g)
{
	if (g == NULL)
		return;
	fold_counters(g);
	pipeline_gen_free(g);
}

/* A worker's cache that has not yet seen the snapshot published last
 * still counts against the one before: retiring that one now would lose
 * what the cache's entries counted (its switch would have nothing to fold
 * into). Workers sync at the top of every poll, asleep or not. */
static bool caches_behind(const struct pipeline_state *st)
{
	if (st->cur == NULL || st->retired == NULL)
		return false;
	for (unsigned w = 0; w < port_n_workers(); w++) {
		const struct fc *c = port_worker_cache(w);
		if (c != NULL &&
		    __atomic_load_n(&c->snap_gen, __ATOMIC_ACQUIRE) != st->cur->s.generation)
			return true;
	}
	return false;
}

#define SYNC_WAIT_MAX_MS 500

static void rebuild(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	struct pipeline_state *st = &pl_state;
	double t0 = now_ms();
	if (caches_behind(st)) {
		if (st->sync_wait_since == 0)
			st->sync_wait_since = t0;
		if (t0 - st->sync_wait_since < SYNC_WAIT_MAX_MS) {
			struct timeval tv = {.tv_sec = 0, .tv_usec = 1000};
			event_add(st->rebuild_ev, &tv);
			st->n_sync_waits++;
			return;
		}
		/* A worker stuck for half a second: its cache's counts go. */
		st->n_sync_timeouts++;
		PL_LOG_RL(WARNING,
		          "a worker's flow cache has not seen snapshot %llu after %d ms: "
		          "publishing the next one, its cached counts are lost",
		          (unsigned long long)st->cur->s.generation, SYNC_WAIT_MAX_MS);
	}
	st->sync_wait_since = 0;
	struct pl_gen *g = pipeline_build(st->idl, lflow_agent_compiler(), st->chassis,
	                                  port_n_workers(), ++st->generation);
	if (g == NULL) {
		PL_LOG(ERR, "out of memory building the pipeline snapshot");
		return;
	}
	if (g->n_meters_unbound)
		PL_LOG(ERR, "%llu set_meter actions left unpoliced: all %u policers are taken",
		       (unsigned long long)g->n_meters_unbound, PL_POLICERS_MAX);
	pipeline_diff(g, st->cur);
	struct pl_snapshot *old = pl_publish(&g->s, port_workers_rcu());
	/* Free one publish late: a worker's flow cache may still fold counts
	 * into the snapshot just replaced until it has seen this one. */
	retire(st->retired);
	st->retired = (struct pl_gen *)old;
	st->cur = g;
	st->n_builds++;
	st->last_ms = now_ms() - t0;
	if (st->last_ms > st->max_ms)
		st->max_ms = st->last_ms;
	PL_LOG(DEBUG, "snapshot %llu: %u datapaths, %u entries, %.1f ms",
	       (unsigned long long)g->s.generation, g->s.n_datapaths, g->s.n_entry_ids,
	       st->last_ms);
}

void pipeline_kick(void)
{
	if (pl_state.rebuild_ev && !pl_state.stopping)
		event_active(pl_state.rebuild_ev, 0, 0);
}

static bool changed(struct ovsdb_idl *idl, unsigned t)
{
	return ovsdb_table_tracked(ovsdb_idl_table(idl, t)) != NULL;
}

static void on_change(struct ovsdb_idl *idl, void *arg)
{
	(void)arg;
	static const unsigned tables[] = {SB_T_DATAPATH,    SB_T_PB,
	                                  SB_T_LFLOW,       SB_T_DPG,
	                                  SB_T_MCGROUP,     SB_T_ADDRESS_SET,
	                                  SB_T_PORT_GROUP,  SB_T_CHASSIS,
	                                  SB_T_MAC_BINDING, SB_T_STATIC_MAC_BINDING,
	                                  SB_T_FDB};
	if (!pl_state.running)
		return;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (changed(idl, tables[i])) {
			pipeline_kick();
			return;
		}
}

static void on_port(enum port_event ev, const struct port_info *p, void *arg)
{
	(void)arg;
	struct local_port **pp = &pl_state.locals;
	if (p->role == PORT_ROLE_UNDERLAY) {
		pipeline_underlay_port(ev != PORT_EV_REMOVED, p->port_id, p->tx_offloads,
		                       p->neighbours);
		pipeline_underlay_route(p->conf);
		if (ev != PORT_EV_LINK)
			pipeline_kick();
		return;
	}
	if (p->role != PORT_ROLE_VIF)
		return;
	while (*pp && strcmp((*pp)->name, p->name) != 0)
		pp = &(*pp)->next;
	if (ev == PORT_EV_ADDED && *pp == NULL) {
		struct local_port *n = calloc(1, sizeof(*n));
		if (n == NULL)
			return;
		n->name = strdup(p->name);
		n->iface_id = p->iface_id ? strdup(p->iface_id) : NULL;
		n->port_id = p->port_id;
		n->next = pl_state.locals;
		pl_state.locals = n;
	} else if (ev == PORT_EV_REMOVED && *pp != NULL) {
		struct local_port *n = *pp;
		*pp = n->next;
		free(n->name);
		free(n->iface_id);
		free(n);
	} else {
		return;
	}
	pipeline_kick();
}

int pipeline_start(struct event_base *base, struct ovsdb_idl *idl, const struct ferry_conf *conf)
{
	static struct ovsdb_idl *subscribed;
	struct pipeline_state *st = &pl_state;
	if (st->running)
		return -EALREADY;
	int t = rte_log_register_type_and_pick_level("ferry.pipeline", RTE_LOG_INFO);
	if (t >= 0)
		pipeline_logtype = t;
	st->stopping = false;
	st->idl = idl;
	pipeline_underlay_set_ip(conf->ovn_encap_ip);
	st->chassis = strdup(conf->system_id ? conf->system_id : "");
	st->rebuild_ev = event_new(base, -1, 0, rebuild, NULL);
	if (st->chassis == NULL || st->rebuild_ev == NULL)
		return -ENOMEM;
	if (subscribed != idl) {
		int rc = ovsdb_idl_subscribe(idl, on_change, NULL);
		if (rc)
			return rc;
		subscribed = idl;
	}
	st->running = true;
	int rc = port_subscribe(on_port, NULL);
	if (rc)
		return rc;
	rc = pl_punt_start(base);
	if (rc)
		return rc;
	if (pipeline_underlay_start(base) < 0)
		return -ENOMEM;
	rc = pipeline_ct_start(base, conf);
	if (rc)
		return rc;
	pipeline_ctl_register();
	tunnel_ctl_register();
	pipeline_kick();
	return 0;
}

void pipeline_stop(void)
{
	struct pipeline_state *st = &pl_state;
	if (!st->running)
		return;
	st->stopping = true;
	st->running = false;
	pipeline_live_stop();
	pl_punt_stop();
	pipeline_underlay_stop();
	pipeline_ct_stop();
	pipeline_acl_log_stop();
	struct pl_snapshot *old = pl_publish(NULL, port_workers_rcu());
	/* Workers still running skip to no snapshot; one more quiescent
	 * period and nobody reads the retired one either. */
	pl_publish(NULL, port_workers_rcu());
	pipeline_gen_free((struct pl_gen *)old);
	pipeline_gen_free(st->retired);
	st->retired = NULL;
	st->cur = NULL;
	if (st->rebuild_ev)
		event_free(st->rebuild_ev);
	st->rebuild_ev = NULL;
	while (st->locals) {
		struct local_port *n = st->locals;
		st->locals = n->next;
		free(n->name);
		free(n->iface_id);
		free(n);
	}
	free(st->chassis);
	st->chassis = NULL;
	pl_stats_clear();
}
