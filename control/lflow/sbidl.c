/* SPDX-License-Identifier: Apache-2.0 */
#include "sbidl.h"

#include <string.h>

#include "arena.h"

static const json_t *col(const struct ovsdb_row *r, unsigned c, enum sbidl_view v)
{
	if (v == SBIDL_BEFORE && ovsdb_row_is_modified(r, c))
		return ovsdb_row_old(r, c);
	return ovsdb_row_get(r, c);
}

static const char *str(const struct ovsdb_row *r, unsigned c, enum sbidl_view v)
{
	return ovsdb_datum_string(col(r, c, v));
}

static uint32_t key32(const struct ovsdb_row *r, unsigned c, enum sbidl_view v)
{
	int64_t k = ovsdb_datum_int(col(r, c, v), 0);
	return k < 0 || k > UINT32_MAX ? 0 : (uint32_t)k;
}

static const char *uuid_text(const struct ovsdb_uuid *u, struct arena *a)
{
	char *s = arena_alloc(a, OVSDB_UUID_LEN + 1);
	ovsdb_uuid_format(u, s);
	return s;
}

const char *sbidl_uuid(const struct ovsdb_row *r, struct arena *a)
{
	return uuid_text(&r->uuid, a);
}

/* A 0/1 uuid reference as text ("" when empty). */
static const char *ref(const struct ovsdb_row *r, unsigned c, enum sbidl_view v, struct arena *a)
{
	struct ovsdb_uuid u;
	return ovsdb_datum_uuid(col(r, c, v), &u) == 0 ? uuid_text(&u, a) : "";
}

/* The string elements of a set column. */
static const char *const *strings(const json_t *val, struct arena *a, size_t *n_out)
{
	size_t n = ovsdb_datum_n(val), k = 0;
	const char **s = arena_alloc(a, (n + 1) * sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const char *e = json_string_value(ovsdb_datum_at(val, i));
		if (e != NULL)
			s[k++] = e;
	}
	*n_out = k;
	return s;
}

void sbidl_datapath(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                    struct lflow_in_datapath *out)
{
	out->uuid = sbidl_uuid(r, a);
	out->name = ovsdb_map_get(col(r, SB_DATAPATH_EXTERNAL_IDS, v), "name");
	out->tunnel_key = key32(r, SB_DATAPATH_TUNNEL_KEY, v);
}

void sbidl_port(struct ovsdb_idl *idl, const struct ovsdb_row *r, enum sbidl_view v,
                struct arena *a, struct lflow_in_port *out)
{
	out->name = str(r, SB_PB_LOGICAL_PORT, v);
	out->datapath = ref(r, SB_PB_DATAPATH, v, a);
	out->tunnel_key = key32(r, SB_PB_TUNNEL_KEY, v);
	out->chassis = NULL;
	struct ovsdb_uuid u;
	if (ovsdb_datum_uuid(col(r, SB_PB_CHASSIS, v), &u) == 0) {
		const struct ovsdb_row *ch =
		        ovsdb_table_get(ovsdb_idl_table(idl, SB_T_CHASSIS), &u);
		if (ch != NULL)
			out->chassis = str(ch, SB_CHASSIS_NAME, SBIDL_NOW);
	}
}

void sbidl_mcgroup(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                   struct lflow_in_mcgroup *out)
{
	out->name = str(r, SB_MCGROUP_NAME, v);
	out->datapath = ref(r, SB_MCGROUP_DATAPATH, v, a);
	out->tunnel_key = key32(r, SB_MCGROUP_TUNNEL_KEY, v);
}

void sbidl_addrset(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                   struct lflow_in_addrset *out)
{
	out->name = str(r, SB_ADDRESS_SET_NAME, v);
	out->addrs = strings(col(r, SB_ADDRESS_SET_ADDRESSES, v), a, &out->n_addrs);
}

void sbidl_portgroup(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                     struct lflow_in_portgroup *out)
{
	out->name = str(r, SB_PORT_GROUP_NAME, v);
	out->ports = strings(col(r, SB_PORT_GROUP_PORTS, v), a, &out->n_ports);
}

void sbidl_flow(struct ovsdb_idl *idl, const struct ovsdb_row *r, struct arena *a,
                struct lflow_in_flow *out)
{
	struct ovsdb_uuid u;
	out->uuid = sbidl_uuid(r, a);
	out->pipeline = strcmp(str(r, SB_LFLOW_PIPELINE, SBIDL_NOW), "egress") == 0;
	int64_t t = ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_TABLE_ID), 0);
	int64_t p = ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_PRIORITY), 0);
	out->table = t < 0 || t > UINT16_MAX ? UINT16_MAX : (unsigned)t;
	out->priority = p < INT32_MIN || p > INT32_MAX ? 0 : (int)p;
	out->match = str(r, SB_LFLOW_MATCH, SBIDL_NOW);
	out->actions = str(r, SB_LFLOW_ACTIONS, SBIDL_NOW);
	out->datapaths = NULL;
	out->n_datapaths = 0;
	if (ovsdb_datum_uuid(ovsdb_row_get(r, SB_LFLOW_LOGICAL_DATAPATH), &u) == 0) {
		const char **d = arena_alloc(a, sizeof(*d));
		d[0] = uuid_text(&u, a);
		out->datapaths = d;
		out->n_datapaths = 1;
		return;
	}
	if (ovsdb_datum_uuid(ovsdb_row_get(r, SB_LFLOW_LOGICAL_DP_GROUP), &u) < 0)
		return;
	const struct ovsdb_row *g = ovsdb_table_get(ovsdb_idl_table(idl, SB_T_DPG), &u);
	const json_t *dps = g ? ovsdb_row_get(g, SB_DPG_DATAPATHS) : NULL;
	size_t n = ovsdb_datum_n(dps);
	const char **d = arena_alloc(a, (n + 1) * sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		if (ovsdb_uuid_from_json(&u, ovsdb_datum_at(dps, i)) == 0)
			d[out->n_datapaths++] = uuid_text(&u, a);
	}
	out->datapaths = d;
}

/* Room for every row of table @p t. */
static void *rows_alloc(struct ovsdb_idl *idl, unsigned t, size_t size, struct arena *a)
{
	return arena_zalloc(a, (ovsdb_table_count(ovsdb_idl_table(idl, t)) + 1) * size);
}

static const struct ovsdb_row *first(struct ovsdb_idl *idl, unsigned t)
{
	return ovsdb_table_first(ovsdb_idl_table(idl, t));
}

void sbidl_input(struct ovsdb_idl *idl, const char *chassis, struct arena *a,
                 struct lflow_input *in)
{
	const struct ovsdb_row *r;
	memset(in, 0, sizeof(*in));
	in->chassis = chassis;
	struct lflow_in_datapath *dps = rows_alloc(idl, SB_T_DATAPATH, sizeof(*dps), a);
	for (r = first(idl, SB_T_DATAPATH); r; r = ovsdb_table_next(r))
		sbidl_datapath(r, SBIDL_NOW, a, &dps[in->n_datapaths++]);
	struct lflow_in_port *ports = rows_alloc(idl, SB_T_PB, sizeof(*ports), a);
	for (r = first(idl, SB_T_PB); r; r = ovsdb_table_next(r))
		sbidl_port(idl, r, SBIDL_NOW, a, &ports[in->n_ports++]);
	struct lflow_in_mcgroup *mcgs = rows_alloc(idl, SB_T_MCGROUP, sizeof(*mcgs), a);
	for (r = first(idl, SB_T_MCGROUP); r; r = ovsdb_table_next(r))
		sbidl_mcgroup(r, SBIDL_NOW, a, &mcgs[in->n_mcgroups++]);
	struct lflow_in_addrset *as = rows_alloc(idl, SB_T_ADDRESS_SET, sizeof(*as), a);
	for (r = first(idl, SB_T_ADDRESS_SET); r; r = ovsdb_table_next(r))
		sbidl_addrset(r, SBIDL_NOW, a, &as[in->n_addrsets++]);
	struct lflow_in_portgroup *pgs = rows_alloc(idl, SB_T_PORT_GROUP, sizeof(*pgs), a);
	for (r = first(idl, SB_T_PORT_GROUP); r; r = ovsdb_table_next(r))
		sbidl_portgroup(r, SBIDL_NOW, a, &pgs[in->n_portgroups++]);
	struct lflow_in_flow *flows = rows_alloc(idl, SB_T_LFLOW, sizeof(*flows), a);
	for (r = first(idl, SB_T_LFLOW); r; r = ovsdb_table_next(r))
		sbidl_flow(idl, r, a, &flows[in->n_flows++]);
	in->datapaths = dps;
	in->ports = ports;
	in->mcgroups = mcgs;
	in->addrsets = as;
	in->portgroups = pgs;
	in->flows = flows;
}
