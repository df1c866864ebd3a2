/* SPDX-License-Identifier: Apache-2.0 */
#include "sbdiff.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "strmap.h"

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool strv_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool dp_eq(const void *x, const void *y)
{
	const struct lflow_in_datapath *a = x, *b = y;
	return str_eq(a->name, b->name) && a->tunnel_key == b->tunnel_key;
}

static bool port_eq(const void *x, const void *y)
{
	const struct lflow_in_port *a = x, *b = y;
	return str_eq(a->datapath, b->datapath) && str_eq(a->chassis, b->chassis) &&
	       a->tunnel_key == b->tunnel_key;
}

static bool mcg_eq(const void *x, const void *y)
{
	const struct lflow_in_mcgroup *a = x, *b = y;
	return a->tunnel_key == b->tunnel_key;
}

static bool aset_eq(const void *x, const void *y)
{
	const struct lflow_in_addrset *a = x, *b = y;
	return strv_eq(a->addrs, a->n_addrs, b->addrs, b->n_addrs);
}

static bool pg_eq(const void *x, const void *y)
{
	const struct lflow_in_portgroup *a = x, *b = y;
	return strv_eq(a->ports, a->n_ports, b->ports, b->n_ports);
}

static bool flow_eq(const void *x, const void *y)
{
	const struct lflow_in_flow *a = x, *b = y;
	return a->pipeline == b->pipeline && a->table == b->table && a->priority == b->priority &&
	       str_eq(a->match, b->match) && str_eq(a->actions, b->actions) &&
	       strv_eq(a->datapaths, a->n_datapaths, b->datapaths, b->n_datapaths);
}

struct kind {
	size_t size;
	void (*key)(const void *row, char *buf, size_t n);
	bool (*eq)(const void *a, const void *b);
	int (*set)(struct lflow_compiler *c, const void *row);
	int (*del)(struct lflow_compiler *c, const void *row);
};

#define KEY_FN(NAME, TYPE, FMT, ...)                           \
	static void NAME(const void *row, char *buf, size_t n) \
	{                                                      \
		const TYPE *r = row;                           \
		snprintf(buf, n, FMT, __VA_ARGS__);            \
	}
KEY_FN(dp_key, struct lflow_in_datapath, "%s", r->uuid)
KEY_FN(port_key, struct lflow_in_port, "%s", r->name)
KEY_FN(mcg_key, struct lflow_in_mcgroup, "%s|%s", r->datapath, r->name)
KEY_FN(aset_key, struct lflow_in_addrset, "%s", r->name)
KEY_FN(pg_key, struct lflow_in_portgroup, "%s", r->name)
KEY_FN(flow_key, struct lflow_in_flow, "%s", r->uuid)

static int dp_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_datapath(c, r);
}
static int dp_del(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_del_datapath(c, ((const struct lflow_in_datapath *)r)->uuid);
}
static int port_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_port(c, r);
}
static int port_del(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_del_port(c, ((const struct lflow_in_port *)r)->name);
}
static int mcg_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_mcgroup(c, r);
}
static int mcg_del(struct lflow_compiler *c, const void *r)
{
	const struct lflow_in_mcgroup *m = r;
	return lflow_compiler_del_mcgroup(c, m->datapath, m->name);
}
static int aset_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_addrset(c, r);
}
static int aset_del(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_del_addrset(c, ((const struct lflow_in_addrset *)r)->name);
}
static int pg_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_portgroup(c, r);
}
static int pg_del(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_del_portgroup(c, ((const struct lflow_in_portgroup *)r)->name);
}
static int flow_set(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_set_flow(c, r);
}
static int flow_del(struct lflow_compiler *c, const void *r)
{
	return lflow_compiler_del_flow(c, ((const struct lflow_in_flow *)r)->uuid);
}

static int diff(struct lflow_compiler *c, const struct kind *k, const void *from, size_t nf,
                const void *to, size_t nt)
{
	struct strmap old;
	strmap_init(&old);
	char key[600];
	int n = 0;
	for (size_t i = 0; i < nf; i++) {
		const void *row = (const char *)from + i * k->size;
		k->key(row, key, sizeof(key));
		strmap_put(&old, key, (void *)row);
	}
	for (size_t i = 0; i < nt; i++) {
		const void *row = (const char *)to + i * k->size;
		k->key(row, key, sizeof(key));
		const void *o = strmap_del(&old, key);
		if (o != NULL && k->eq(o, row))
			continue;
		int r = k->set(c, row);
		if (r < 0) {
			strmap_destroy(&old);
			return r;
		}
		n++;
	}
	size_t it = 0;
	const void *row;
	while ((row = strmap_next(&old, &it, NULL)) != NULL) {
		k->del(c, row);
		n++;
	}
	strmap_destroy(&old);
	return n;
}

int sb_diff_apply(struct lflow_compiler *c, const struct lflow_input *from,
                  const struct lflow_input *to)
{
	static const struct kind kinds[] = {
	        {sizeof(struct lflow_in_datapath), dp_key, dp_eq, dp_set, dp_del},
	        {sizeof(struct lflow_in_port), port_key, port_eq, port_set, port_del},
	        {sizeof(struct lflow_in_mcgroup), mcg_key, mcg_eq, mcg_set, mcg_del},
	        {sizeof(struct lflow_in_addrset), aset_key, aset_eq, aset_set, aset_del},
	        {sizeof(struct lflow_in_portgroup), pg_key, pg_eq, pg_set, pg_del},
	        {sizeof(struct lflow_in_flow), flow_key, flow_eq, flow_set, flow_del},
	};
	const void *f[] = {from->datapaths, from->ports,      from->mcgroups,
	                   from->addrsets,  from->portgroups, from->flows};
	const void *t[] = {to->datapaths, to->ports,      to->mcgroups,
	                   to->addrsets,  to->portgroups, to->flows};
	size_t nf[] = {from->n_datapaths, from->n_ports,      from->n_mcgroups,
	               from->n_addrsets,  from->n_portgroups, from->n_flows};
	size_t nt[] = {to->n_datapaths, to->n_ports,      to->n_mcgroups,
	               to->n_addrsets,  to->n_portgroups, to->n_flows};
	int total = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int r = diff(c, &kinds[i], f[i], nf[i], t[i], nt[i]);
		if (r < 0)
			return r;
		total += r;
	}
	return total;
}
