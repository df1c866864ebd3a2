/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rows, dependencies and commit. Flows live in slots with a generation
 * number, so that dependency lists and table member lists can hold
 * (slot, generation) pairs and simply skip the stale ones instead of being
 * searched and edited on every change; they are compacted as they grow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_int.h"

static char *xstrdup(const char *s)
{
	char *r = strdup(s ? s : "");
	if (r == NULL)
		abort();
	return r;
}

static char **strv_dup(const char *const *v, size_t n)
{
	char **r = calloc(n ? n : 1, sizeof(*r));
	if (r == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

struct c_flow *c_flow_at(const struct lflow_compiler *c, struct slotref r)
{
	if (r.slot >= c->n_slots)
		return NULL;
	struct c_flow *f = c->slots[r.slot];
	return f != NULL && f->gen == r.gen ? f : NULL;
}

void refvec_push(struct refvec *v, struct slotref r)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (v->v == NULL)
			abort();
	}
	v->v[v->n++] = r;
}

/* Drops stale and duplicate-adjacent references. */
static void refvec_compact(const struct lflow_compiler *c, struct refvec *v)
{
	uint32_t o = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		if (c_flow_at(c, v->v[i]) == NULL)
			continue;
		if (o > 0 && v->v[o - 1].slot == v->v[i].slot && v->v[o - 1].gen == v->v[i].gen)
			continue;
		v->v[o++] = v->v[i];
	}
	v->n = o;
}

void c_dep_add(struct lflow_compiler *c, const char *kind, const char *name, struct c_flow *f)
{
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", kind, name);
	struct refvec *v = strmap_get(&c->deps, key);
	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v == NULL)
			abort();
		strmap_put(&c->deps, key, v);
	}
	struct slotref r = {f->slot, f->gen};
	if (v->n > 0 && v->v[v->n - 1].slot == r.slot && v->v[v->n - 1].gen == r.gen)
		return;
	if (v->n == v->cap && v->n >= 8)
		refvec_compact(c, v);
	refvec_push(v, r);
}

static void mark_flow(struct lflow_compiler *c, struct c_flow *f)
{
	if (f->dirty)
		return;
	f->dirty = true;
	refvec_push(&c->dirty, (struct slotref){f->slot, f->gen});
}

/* Marks every flow that depends on kind:name. */
static void mark_deps(struct lflow_compiler *c, const char *kind, const char *name)
{
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", kind, name);
	struct refvec *v = strmap_get(&c->deps, key);
	if (v == NULL)
		return;
	refvec_compact(c, v);
	for (uint32_t i = 0; i < v->n; i++) {
		struct c_flow *f = c_flow_at(c, v->v[i]);
		if (f)
			mark_flow(c, f);
	}
}

struct lflow_compiler *lflow_compiler_create(bool lenient)
{
	struct lflow_compiler *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->lenient = lenient;
	strmap_init(&c->dps);
	strmap_init(&c->dps_by_name);
	strmap_init(&c->ports);
	strmap_init(&c->mcgs);
	strmap_init(&c->asets);
	strmap_init(&c->pgrps);
	strmap_init(&c->flows);
	strmap_init(&c->deps);
	strmap_init(&c->sets);
	strmap_init(&c->tables);
	arena_init(&c->scratch);
	return c;
}

static void dp_free(struct c_dp *d)
{
	if (d == NULL)
		return;
	free(d->uuid);
	free(d->name);
	free(d);
}

static void port_free(struct c_port *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->dp);
	free(p->chassis);
	free(p);
}

static void mcg_free(struct c_mcg *m)
{
	if (m == NULL)
		return;
	free(m->name);
	free(m->dp);
	free(m);
}

static void names_free(struct c_names *n)
{
	if (n == NULL)
		return;
	free(n->name);
	strv_free(n->v, n->n);
	free(n);
}

static void flow_free(struct lflow_compiler *c, struct c_flow *f)
{
	c_flow_release(c, f);
	free(f->uuid);
	strv_free(f->dps, f->n_dps);
	free(f->match);
	free(f->actions);
	free(f);
}

void lflow_compiler_destroy(struct lflow_compiler *c)
{
	if (c == NULL)
		return;
	size_t i = 0;
	void *v;
	for (uint32_t s = 0; s < c->n_slots; s++)
		if (c->slots[s])
			flow_free(c, c->slots[s]);
	free(c->slots);
	free(c->free_slots);
	while ((v = strmap_next(&c->dps, &i, NULL)) != NULL)
		dp_free(v);
	i = 0;
	while ((v = strmap_next(&c->ports, &i, NULL)) != NULL)
		port_free(v);
	i = 0;
	while ((v = strmap_next(&c->mcgs, &i, NULL)) != NULL)
		mcg_free(v);
	i = 0;
	while ((v = strmap_next(&c->asets, &i, NULL)) != NULL)
		names_free(v);
	i = 0;
	while ((v = strmap_next(&c->pgrps, &i, NULL)) != NULL)
		names_free(v);
	i = 0;
	while ((v = strmap_next(&c->deps, &i, NULL)) != NULL) {
		free(((struct refvec *)v)->v);
		free(v);
	}
	c_tables_destroy(c);
	c_sets_destroy(c);
	free(c->dirty.v);
	strmap_destroy(&c->dps);
	strmap_destroy(&c->dps_by_name);
	strmap_destroy(&c->ports);
	strmap_destroy(&c->mcgs);
	strmap_destroy(&c->asets);
	strmap_destroy(&c->pgrps);
	strmap_destroy(&c->flows);
	strmap_destroy(&c->deps);
	arena_destroy(&c->scratch);
	free(c->chassis);
	free(c);
}

int lflow_compiler_set_chassis(struct lflow_compiler *c, const char *chassis)
{
	free(c->chassis);
	c->chassis = chassis ? xstrdup(chassis) : NULL;
	/* Residency of every port may change: recompile who asks. */
	size_t i = 0;
	const char *key;
	while (strmap_next(&c->ports, &i, &key) != NULL)
		mark_deps(c, "R", key);
	return 0;
}

int lflow_compiler_set_flow(struct lflow_compiler *c, const struct lflow_in_flow *in)
{
	if (in->uuid == NULL || in->match == NULL || in->actions == NULL)
		return -EINVAL;
	struct c_flow *f = strmap_get(&c->flows, in->uuid);
	if (f != NULL) {
		lflow_compiler_del_flow(c, in->uuid);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		abort();
	if (c->n_free > 0) {
		f->slot = c->free_slots[--c->n_free];
	} else {
		if (c->n_slots == c->cap_slots) {
			c->cap_slots = c->cap_slots ? c->cap_slots * 2 : 1024;
			c->slots = realloc(c->slots, c->cap_slots * sizeof(*c->slots));
			c->free_slots = realloc(c->free_slots, c->cap_slots * sizeof(uint32_t));
			if (c->slots == NULL || c->free_slots == NULL)
				abort();
		}
		f->slot = c->n_slots++;
		c->slots[f->slot] = NULL;
	}
	f->gen = ++c->next_gen;
	c->slots[f->slot] = f;
	f->uuid = xstrdup(in->uuid);
	f->dps = strv_dup(in->datapaths, in->n_datapaths);
	f->n_dps = in->n_datapaths;
	f->pipeline = in->pipeline != 0;
	f->table = in->table;
	f->priority = in->priority;
	f->match = xstrdup(in->match);
	f->actions = xstrdup(in->actions);
	strmap_put(&c->flows, f->uuid, f);
	mark_flow(c, f);
	return 0;
}

int lflow_compiler_del_flow(struct lflow_compiler *c, const char *uuid)
{
	struct c_flow *f = strmap_del(&c->flows, uuid);
	if (f == NULL)
		return -ENOENT;
	c->slots[f->slot] = NULL;
	c->free_slots[c->n_free++] = f->slot;
	flow_free(c, f);
	return 0;
}

int lflow_compiler_set_datapath(struct lflow_compiler *c, const struct lflow_in_datapath *in)
{
	if (in->uuid == NULL)
		return -EINVAL;
	lflow_compiler_del_datapath(c, in->uuid);
	struct c_dp *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	d->uuid = xstrdup(in->uuid);
	d->name = in->name ? xstrdup(in->name) : NULL;
	d->key = in->tunnel_key;
	strmap_put(&c->dps, d->uuid, d);
	if (d->name)
		strmap_put(&c->dps_by_name, d->name, d);
	mark_deps(c, "D", d->uuid);
	if (d->name)
		mark_deps(c, "D", d->name);
	return 0;
}

int lflow_compiler_del_datapath(struct lflow_compiler *c, const char *uuid)
{
	struct c_dp *d = strmap_del(&c->dps, uuid);
	if (d == NULL)
		return -ENOENT;
	mark_deps(c, "D", d->uuid);
	if (d->name) {
		if (strmap_get(&c->dps_by_name, d->name) == d)
			strmap_del(&c->dps_by_name, d->name);
		mark_deps(c, "D", d->name);
	}
	dp_free(d);
	return 0;
}

static void mark_pgrp(struct lflow_compiler *c, const char *name);

/* A port's key, datapath or chassis feeds port names, residency and the
 * port groups holding it. */
static void mark_port(struct lflow_compiler *c, const char *name)
{
	mark_deps(c, "P", name);
	mark_deps(c, "R", name);
	size_t i = 0;
	struct c_names *g;
	while ((g = strmap_next(&c->pgrps, &i, NULL)) != NULL) {
		for (size_t k = 0; k < g->n; k++) {
			if (strcmp(g->v[k], name) == 0) {
				mark_pgrp(c, g->name);
				break;
			}
		}
	}
}

int lflow_compiler_set_port(struct lflow_compiler *c, const struct lflow_in_port *in)
{
	if (in->name == NULL)
		return -EINVAL;
	struct c_port *p = calloc(1, sizeof(*p));
	if (p == NULL)
		abort();
	p->name = xstrdup(in->name);
	p->dp = xstrdup(in->datapath);
	p->chassis = in->chassis ? xstrdup(in->chassis) : NULL;
	p->key = in->tunnel_key;
	port_free(strmap_put(&c->ports, p->name, p));
	mark_port(c, in->name);
	return 0;
}

int lflow_compiler_del_port(struct lflow_compiler *c, const char *name)
{
	struct c_port *p = strmap_del(&c->ports, name);
	if (p == NULL)
		return -ENOENT;
	port_free(p);
	mark_port(c, name);
	return 0;
}

static void mcg_key(char *buf, size_t size, const char *dp, const char *name)
{
	snprintf(buf, size, "%s|%s", dp ? dp : "", name ? name : "");
}

int lflow_compiler_set_mcgroup(struct lflow_compiler *c, const struct lflow_in_mcgroup *in)
{
	if (in->name == NULL || in->datapath == NULL)
		return -EINVAL;
	char key[512];
	mcg_key(key, sizeof(key), in->datapath, in->name);
	struct c_mcg *m = calloc(1, sizeof(*m));
	if (m == NULL)
		abort();
	m->name = xstrdup(in->name);
	m->dp = xstrdup(in->datapath);
	m->key = in->tunnel_key;
	mcg_free(strmap_put(&c->mcgs, key, m));
	mark_deps(c, "P", in->name);
	return 0;
}

int lflow_compiler_del_mcgroup(struct lflow_compiler *c, const char *datapath, const char *name)
{
	char key[512];
	mcg_key(key, sizeof(key), datapath, name);
	struct c_mcg *m = strmap_del(&c->mcgs, key);
	if (m == NULL)
		return -ENOENT;
	mcg_free(m);
	mark_deps(c, "P", name);
	return 0;
}

static struct c_names *names_new(const char *name, const char *const *v, size_t n)
{
	struct c_names *s = calloc(1, sizeof(*s));
	if (s == NULL)
		abort();
	s->name = xstrdup(name);
	s->v = strv_dup(v, n);
	s->n = n;
	return s;
}

int lflow_compiler_set_addrset(struct lflow_compiler *c, const struct lflow_in_addrset *in)
{
	if (in->name == NULL)
		return -EINVAL;
	struct c_names *s = names_new(in->name, in->addrs, in->n_addrs);
	names_free(strmap_put(&c->asets, s->name, s));
	c_set_detach(c, 'A', in->name);
	mark_deps(c, "A", in->name);
	return 0;
}

int lflow_compiler_del_addrset(struct lflow_compiler *c, const char *name)
{
	struct c_names *s = strmap_del(&c->asets, name);
	if (s == NULL)
		return -ENOENT;
	names_free(s);
	c_set_detach(c, 'A', name);
	mark_deps(c, "A", name);
	return 0;
}

/* Southbound names port groups "<datapath key>_<name>"; flows say @name. */
static void mark_pgrp(struct lflow_compiler *c, const char *name)
{
	c_set_detach(c, 'G', name);
	mark_deps(c, "G", name);
	const char *u = name;
	while (*u >= '0' && *u <= '9')
		u++;
	if (u != name && *u == '_') {
		c_set_detach(c, 'G', u + 1);
		mark_deps(c, "G", u + 1);
	}
}

int lflow_compiler_set_portgroup(struct lflow_compiler *c, const struct lflow_in_portgroup *in)
{
	if (in->name == NULL)
		return -EINVAL;
	struct c_names *g = names_new(in->name, in->ports, in->n_ports);
	char *name = xstrdup(in->name); /* in may point into the old row */
	names_free(strmap_put(&c->pgrps, g->name, g));
	mark_pgrp(c, name);
	free(name);
	return 0;
}

int lflow_compiler_del_portgroup(struct lflow_compiler *c, const char *name)
{
	struct c_names *g = strmap_del(&c->pgrps, name);
	if (g == NULL)
		return -ENOENT;
	mark_pgrp(c, g->name);
	names_free(g);
	return 0;
}

int lflow_compiler_commit(struct lflow_compiler *c)
{
	c->last_recompiled = 0;
	for (uint32_t i = 0; i < c->dirty.n; i++) {
		struct c_flow *f = c_flow_at(c, c->dirty.v[i]);
		if (f == NULL || !f->dirty)
			continue;
		f->dirty = false;
		c_flow_compile(c, f);
		c->last_recompiled++;
	}
	c->dirty.n = 0;
	c_tables_rebuild(c);
	return 0;
}

int lflow_compiler_load(struct lflow_compiler *c, const struct lflow_input *in)
{
	int r = 0;
	if (in->chassis)
		lflow_compiler_set_chassis(c, in->chassis);
	for (size_t i = 0; i < in->n_datapaths && r == 0; i++)
		r = lflow_compiler_set_datapath(c, &in->datapaths[i]);
	for (size_t i = 0; i < in->n_ports && r == 0; i++)
		r = lflow_compiler_set_port(c, &in->ports[i]);
	for (size_t i = 0; i < in->n_mcgroups && r == 0; i++)
		r = lflow_compiler_set_mcgroup(c, &in->mcgroups[i]);
	for (size_t i = 0; i < in->n_addrsets && r == 0; i++)
		r = lflow_compiler_set_addrset(c, &in->addrsets[i]);
	for (size_t i = 0; i < in->n_portgroups && r == 0; i++)
		r = lflow_compiler_set_portgroup(c, &in->portgroups[i]);
	for (size_t i = 0; i < in->n_flows && r == 0; i++)
		r = lflow_compiler_set_flow(c, &in->flows[i]);
	if (r < 0)
		return r;
	return lflow_compiler_commit(c);
}

void lflow_compiler_errors(const struct lflow_compiler *c,
                           void (*fn)(void *aux, const char *uuid, const char *msg), void *aux)
{
	for (uint32_t s = 0; s < c->n_slots; s++) {
		const struct c_flow *f = c->slots[s];
		if (f != NULL && f->error != NULL)
			fn(aux, f->uuid, f->error);
	}
}

void lflow_compiler_stats(const struct lflow_compiler *c, struct lflow_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (uint32_t s = 0; s < c->n_slots; s++) {
		const struct c_flow *f = c->slots[s];
		if (f == NULL)
			continue;
		st->n_flows++;
		st->n_instances += f->n_inst;
		if (f->error)
			*(f->parse_error ? &st->n_parse_errors : &st->n_unresolved) += 1;
		st->n_punted += f->punted;
		for (unsigned op = 0; f->punted && op < LFLOW_OP_N; op++)
			st->n_punted_by_op[op] += (f->punted_ops[op / 64] >> (op % 64)) & 1;
	}
	size_t i = 0;
	const struct c_table *t;
	while ((t = strmap_next(&c->tables, &i, NULL)) != NULL) {
		if (t->n_entries == 0)
			continue;
		st->n_tables++;
		st->n_entries += t->n_entries;
		st->n_by_shape[t->shape.shape]++;
	}
	st->n_sets = c->sets.n;
	st->last_recompiled = c->last_recompiled;
	st->last_tables_rebuilt = c->last_tables_rebuilt;
}

size_t lflow_stats_punted_ops(const struct lflow_stats *st, unsigned ops[LFLOW_OP_N])
{
	size_t n = 0;
	for (unsigned op = 0; op < LFLOW_OP_N; op++) {
		if (st->n_punted_by_op[op] == 0)
			continue;
		size_t k = n++;
		for (; k > 0 && st->n_punted_by_op[ops[k - 1]] < st->n_punted_by_op[op]; k--)
			ops[k] = ops[k - 1];
		ops[k] = op;
	}
	return n;
}
