/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the flow cache needs from each snapshot: a content hash of every
 * dependency a pipeline walk may have (logical tables, a datapath's ports,
 * multicast groups and neighbours, table 0's mapping of each DPDK port),
 * and the list of those whose hash changed since the snapshot before.
 */
#include <stdlib.h>
#include <string.h>

#include "control/pipeline/pipeline_priv.h"
#include "dataplane/pipeline/interp.h"

/* --- Dependency hashes (see pl_dep). --- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#define FNV0 0xcbf29ce484222325ull

static uint64_t set_hash(const struct pl_snapshot *s, uint32_t id)
{
	if (id >= s->n_sets)
		return 1;
	const struct pl_set *st = &s->sets[id];
	uint64_t h = fnv(FNV0, &st->n, sizeof(st->n));
	h = fnv(h, st->vals, st->n * sizeof(*st->vals));
	return fnv(h, st->masks, st->n * sizeof(*st->masks));
}

static uint64_t table_hash(const struct pl_snapshot *s, const struct pl_table *t)
{
	uint64_t h = fnv(FNV0, &t->n, sizeof(t->n));
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pl_entry *e = &t->e[i];
		h = fnv(h, &e->priority, sizeof(e->priority));
		h = fnv(h, &e->n_atoms, sizeof(e->n_atoms));
		for (uint32_t k = 0; k < e->n_atoms; k++) {
			struct lflow_atom a = e->atoms[k];
			if (a.kind == LFLOW_ATOM_IN_SET || a.kind == LFLOW_ATOM_NOT_SET) {
				uint64_t sh = set_hash(s, a.set_id);
				a.set_id = 0;
				h = fnv(h, &sh, sizeof(sh));
			}
			h = fnv(h, &a, sizeof(a));
		}
		h = fnv(h, e->prog, e->prog_len * sizeof(*e->prog));
	}
	return h;
}

static uint64_t ports_hash(const struct pl_snapshot *s, const struct pl_datapath *dp)
{
	uint64_t h = FNV0;
	h = fnv(h, &dp->dnat_zone, sizeof(dp->dnat_zone));
	h = fnv(h, &dp->snat_zone, sizeof(dp->snat_zone));
	for (uint32_t i = 0; i < dp->n_ports; i++) {
		const struct pl_lport *p = &dp->ports[i];
		uint32_t peer = p->peer_dp < s->n_datapaths ? s->datapaths[p->peer_dp].key : 0;
		h = fnv(h, &p->key, sizeof(p->key));
		h = fnv(h, &p->type, sizeof(p->type));
		h = fnv(h, &p->dpdk, sizeof(p->dpdk));
		h = fnv(h, &p->tag, sizeof(p->tag));
		h = fnv(h, &peer, sizeof(peer));
		h = fnv(h, &p->peer_key, sizeof(p->peer_key));
		h = fnv(h, &p->zone, sizeof(p->zone));
		for (uint16_t k = 0; k < p->n_psec; k++) {
			const struct pl_psec *e = &p->psec[k];
			h = fnv(h, e->mac, 6);
			h = fnv(h, e->ip4, e->n4 * sizeof(*e->ip4));
			h = fnv(h, e->ip4_mask, e->n4 * sizeof(*e->ip4));
			h = fnv(h, e->ip6, e->n6 * sizeof(*e->ip6));
			h = fnv(h, e->ip6_mask, e->n6 * sizeof(*e->ip6));
		}
	}
	return h;
}

static uint64_t mcgroups_hash(const struct pl_datapath *dp)
{
	uint64_t h = FNV0;
	for (uint32_t i = 0; i < dp->n_mcgroups; i++) {
		const struct pl_mcgroup *g = &dp->mcgroups[i];
		h = fnv(h, &g->key, sizeof(g->key));
		h = fnv(h, &g->n, sizeof(g->n));
		h = fnv(h, g->ports, g->n * sizeof(*g->ports));
	}
	return h;
}

static uint64_t vif_hash(const struct pl_snapshot *s, const struct pl_vif *v)
{
	uint32_t dp = v->self.dp < s->n_datapaths ? s->datapaths[v->self.dp].key : 0;
	uint64_t h = fnv(FNV0, &dp, sizeof(dp));
	h = fnv(h, &v->self.port, sizeof(v->self.port));
	for (uint16_t i = 0; i < v->n_tagged; i++) {
		uint32_t tdp =
		        v->tagged[i].dp < s->n_datapaths ? s->datapaths[v->tagged[i].dp].key : 0;
		h = fnv(h, &v->tags[i], sizeof(v->tags[i]));
		h = fnv(h, &tdp, sizeof(tdp));
		h = fnv(h, &v->tagged[i].port, sizeof(v->tagged[i].port));
	}
	return h;
}

static int dep_cmp(const void *pa, const void *pb)
{
	const struct pl_dep *a = pa, *b = pb;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}

void pipeline_build_deps(struct pl_gen *g)
{
	const struct pl_snapshot *s = &g->s;
	size_t n = (size_t)s->n_datapaths * (2 * PL_TABLES_MAX) + RTE_MAX_ETHPORTS + 1, k = 0;
	struct pl_dep *d = calloc(n + 1, sizeof(*d));
	if (d == NULL)
		abort();
	for (uint32_t i = 0; i < s->n_datapaths; i++) {
		const struct pl_datapath *dp = &s->datapaths[i];
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++) {
				uint64_t h;
				if (p == 1 && t == PL_DEP_PORTS)
					h = ports_hash(s, dp);
				else if (p == 1 && t == PL_DEP_MCGROUP)
					h = mcgroups_hash(dp);
				else if (p == 1 && t == PL_DEP_NEIGH)
					h = fnv(fnv(FNV0, dp->neigh,
					            dp->n_neigh * sizeof(*dp->neigh)),
					        dp->fdb, dp->n_fdb * sizeof(*dp->fdb));
				else
					h = table_hash(s, &dp->tables[p][t]);
				d[k++] = (struct pl_dep){PL_TID(dp->key, p, t), h};
			}
	}
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++)
		d[k++] = (struct pl_dep){i, vif_hash(s, &s->vifs[i])};
	/* The peers (their order, addresses, next hops) and the underlay. */
	uint64_t th = fnv(FNV0, &s->underlay, sizeof(s->underlay));
	for (uint16_t i = 0; i < s->n_peers; i++) {
		const struct pl_peer *p = &s->peers[i];
		th = fnv(th, p->ip, sizeof(p->ip));
		th = fnv(th, p->mac, sizeof(p->mac));
		uint8_t flags = (uint8_t)(p->ip6 | p->csum << 1 | p->resolved << 2);
		th = fnv(th, &flags, 1);
	}
	d[k++] = (struct pl_dep){PL_DEP_TUNNELS, th};
	qsort(d, k, sizeof(*d), dep_cmp);
	g->deps = d;
	g->n_deps = k;
}

void pipeline_diff(struct pl_gen *g, const struct pl_gen *prev)
{
	g->s.prev_generation = prev ? prev->s.generation : 0;
	uint32_t *ch =
	        arena_zalloc(&g->arena, (g->n_deps + (prev ? prev->n_deps : 0) + 1) * sizeof(*ch));
	size_t n = 0, i = 0, k = 0;
	if (prev == NULL) {
		for (i = 0; i < g->n_deps; i++)
			ch[n++] = g->deps[i].tid;
	} else {
		while (i < g->n_deps || k < prev->n_deps) {
			if (k == prev->n_deps ||
			    (i < g->n_deps && g->deps[i].tid < prev->deps[k].tid)) {
				ch[n++] = g->deps[i++].tid;
			} else if (i == g->n_deps || prev->deps[k].tid < g->deps[i].tid) {
				ch[n++] = prev->deps[k++].tid;
			} else {
				if (g->deps[i].hash != prev->deps[k].hash)
					ch[n++] = g->deps[i].tid;
				i++;
				k++;
			}
		}
	}
	g->s.changed = ch;
	g->s.n_changed = (uint32_t)n;
}
