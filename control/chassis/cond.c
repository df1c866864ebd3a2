/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Monitor conditions: replicate only what this chassis needs, as
 * ovn-controller does unless ovn-monitor-all is set.
 *
 * Local datapaths are those of the logical ports bound here or named by a
 * local iface-id (and gateway routers pinned here), closed over patch
 * ports: a router attached to a local switch is local, and so are the
 * switches attached to that router. All patch, chassisredirect and external
 * Port_Bindings are replicated so the closure can be computed, and container
 * ports whose parent is a local iface-id so that they can be claimed (their
 * switch may not be local yet). Then rows
 * that belong to a datapath (logical flows, multicast groups, MAC bindings,
 * ...) are replicated for local datapaths only. Each change of the local
 * set changes the conditions, the server sends the rows that now match,
 * and the closure is computed again until it is stable.
 */
#include <stdlib.h>
#include <string.h>

#include "control/chassis/chassis_priv.h"

struct uuid_set {
	struct ovsdb_uuid *u;
	size_t n, cap;
};

static bool uset_has(const struct uuid_set *s, const struct ovsdb_uuid *u)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (ovsdb_uuid_equals(&s->u[i], u))
			return true;
	return false;
}

static void uset_add(struct uuid_set *s, const struct ovsdb_uuid *u)
{
	if (uset_has(s, u))
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct ovsdb_uuid *nu = realloc(s->u, cap * sizeof(*nu));

		if (nu == NULL)
			return; /* conditions end up wider or narrower; next run retries */
		s->u = nu;
		s->cap = cap;
	}
	s->u[s->n++] = *u;
}

static bool pb_is_local(struct chassis *c, const struct ovsdb_row *pb)
{
	struct ovsdb_uuid owner;
	const char *name = ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_LOGICAL_PORT));
	const char *gw = ovsdb_map_get(ovsdb_row_get(pb, SB_PB_OPTIONS), "l3gateway-chassis");
	struct lport *p;

	if (c->have_self && ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_CHASSIS), &owner) == 0 &&
	    ovsdb_uuid_equals(&owner, &c->self))
		return true;
	if (gw && strcmp(gw, c->name) == 0)
		return true;
	for (p = c->ports; p; p = p->next)
		if (p->iface_id && strcmp(p->iface_id, name) == 0)
			return true;
	return false;
}

static void local_datapaths(struct chassis *c, struct uuid_set *dps)
{
	struct ovsdb_table *pbt = ovsdb_idl_table(c->idl, SB_T_PB);
	const struct ovsdb_row *pb, *peer;
	struct ovsdb_uuid dp;
	size_t i;

	for (pb = ovsdb_table_first(pbt); pb; pb = ovsdb_table_next(pb))
		if (pb_is_local(c, pb) &&
		    ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_DATAPATH), &dp) == 0)
			uset_add(dps, &dp);
	/* Close over patch ports; dps grows while we walk it. */
	for (i = 0; i < dps->n; i++) {
		for (pb = ovsdb_table_first(pbt); pb; pb = ovsdb_table_next(pb)) {
			const char *peer_name;

			if (strcmp(ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_TYPE)), "patch") !=
			            0 ||
			    ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_DATAPATH), &dp) < 0 ||
			    !ovsdb_uuid_equals(&dp, &dps->u[i]))
				continue;
			peer_name = ovsdb_map_get(ovsdb_row_get(pb, SB_PB_OPTIONS), "peer");
			if (peer_name == NULL)
				continue;
			peer = sb_find_by_string(c->idl, SB_T_PB, SB_PB_LOGICAL_PORT, peer_name);
			if (peer && ovsdb_datum_uuid(ovsdb_row_get(peer, SB_PB_DATAPATH), &dp) == 0)
				uset_add(dps, &dp);
		}
	}
}

static json_t *clause(const char *col, const char *op, json_t *value)
{
	return json_pack("[sso]", col, op, value);
}

/* One clause per local datapath: [col op uuid]; [false] when none. */
static json_t *per_dp(const struct uuid_set *dps, const char *col, const char *op)
{
	json_t *w = json_array();
	size_t i;

	for (i = 0; i < dps->n; i++)
		json_array_append_new(w, clause(col, op, ovsdb_uuid_to_json(&dps->u[i])));
	if (dps->n == 0)
		json_array_append_new(w, json_false());
	return w;
}

/* Set even before the schema is known: the first monitor request carries it. */
static void set(struct chassis *c, unsigned t, json_t *where)
{
	ovsdb_idl_set_condition(c->idl, t, where);
}

void cond_update(struct chassis *c)
{
	static const char *const pb_types[] = {"patch", "chassisredirect", "external", "l3gateway"};
	struct uuid_set dps = {0};
	const struct ovsdb_row *r;
	json_t *w;
	struct lport *p;
	size_t i;

	if (c->monitor_all)
		return;
	local_datapaths(c, &dps);

	w = per_dp(&dps, "datapath", "==");
	for (i = 0; i < sizeof(pb_types) / sizeof(pb_types[0]); i++)
		json_array_append_new(w, clause("type", "==", json_string(pb_types[i])));
	for (p = c->ports; p; p = p->next) {
		if (p->iface_id == NULL)
			continue;
		json_array_append_new(w, clause("logical_port", "==", json_string(p->iface_id)));
		/* Its container ports, possibly on a datapath not yet local. */
		json_array_append_new(w, clause("parent_port", "==", json_string(p->iface_id)));
	}
	if (c->have_self)
		json_array_append_new(w, clause("chassis", "==", ovsdb_uuid_to_json(&c->self)));
	set(c, SB_T_PB, w);

	w = per_dp(&dps, "logical_datapath", "==");
	for (r = ovsdb_table_first(ovsdb_idl_table(c->idl, SB_T_DPG)); r; r = ovsdb_table_next(r))
		json_array_append_new(
		        w, clause("logical_dp_group", "==", ovsdb_uuid_to_json(&r->uuid)));
	set(c, SB_T_LFLOW, w);
	set(c, SB_T_DPG, per_dp(&dps, "datapaths", "includes"));
	set(c, SB_T_MCGROUP, per_dp(&dps, "datapath", "=="));
	set(c, SB_T_MAC_BINDING, per_dp(&dps, "datapath", "=="));
	set(c, SB_T_STATIC_MAC_BINDING, per_dp(&dps, "datapath", "=="));
	set(c, SB_T_IP_MULTICAST, per_dp(&dps, "datapath", "=="));
	set(c, SB_T_IGMP_GROUP, per_dp(&dps, "datapath", "=="));
	set(c, SB_T_DNS, per_dp(&dps, "datapaths", "includes"));

	w = json_array();
	for (i = 0; i < dps.n; i++) {
		r = ovsdb_table_get(ovsdb_idl_table(c->idl, SB_T_DATAPATH), &dps.u[i]);
		if (r)
			json_array_append_new(
			        w, clause("dp_key", "==",
			                  json_integer(ovsdb_datum_int(
			                          ovsdb_row_get(r, SB_DATAPATH_TUNNEL_KEY), 0))));
	}
	if (json_array_size(w) == 0)
		json_array_append_new(w, json_false());
	set(c, SB_T_FDB, w);

	set(c, SB_T_CHASSIS_PRIVATE, json_pack("[[sss]]", "name", "==", c->name));
	set(c, SB_T_CONTROLLER_EVENT,
	    c->have_self ? json_pack("[[sso]]", "chassis", "==", ovsdb_uuid_to_json(&c->self))
	                 : json_pack("[b]", 0));
	free(dps.u);
}
