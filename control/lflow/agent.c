/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replica changes to compiler row changes. Every table is handled the same
 * way: a row that existed before the batch is named as it was (its key may
 * have changed, or it is gone); a row that exists after it is set as it is
 * now. Two references are not rows of their own in the compiler's input
 * and are followed here: a Logical_DP_Group whose datapaths change re-sets
 * the flows that use it, and a Chassis row that appears, goes or is renamed
 * re-sets the bindings that point to it.
 */
#include "agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>

#include "agent_int.h"
#include "control/ovsdb/log.h"
#include "control/ovsdb/sb.h"
#include "sbidl.h"
#include "strmap.h"

int lflow_logtype = RTE_LOGTYPE_USER3;

#define AG_LOG(lvl, fmt, ...)    FERRY_LOG(lflow_logtype, lvl, "lflow", fmt, ##__VA_ARGS__)
#define AG_LOG_RL(lvl, fmt, ...) FERRY_LOG_RL(lflow_logtype, lvl, "lflow", fmt, ##__VA_ARGS__)

static struct lflow_agent the_agent;

struct lflow_compiler *lflow_agent_compiler(void)
{
	return the_agent.running ? the_agent.comp : NULL;
}

struct lflow_agent *lflow_agent_get(void)
{
	return the_agent.running ? &the_agent : NULL;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool existed(const struct ovsdb_row *r)
{
	return !(r->change & OVSDB_ROW_INSERTED);
}

static bool exists(const struct ovsdb_row *r)
{
	return !(r->change & OVSDB_ROW_DELETED);
}

static const struct ovsdb_row *tracked(struct lflow_agent *ag, unsigned t)
{
	return ovsdb_table_tracked(ovsdb_idl_table(ag->idl, t));
}

/* Count one row change; -ENOENT (deleting what the compiler never took)
 * is not a failure. */
static void result(struct lflow_agent *ag, int rc, const char *what, const char *name)
{
	ag->n_row_changes++;
	if (rc < 0 && rc != -ENOENT) {
		ag->n_row_errors++;
		AG_LOG_RL(WARNING, "%s %s refused: %s", what, name, strerror(-rc));
	}
}

static bool same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void apply_datapaths(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_DATAPATH); r; r = r->tnext) {
		struct lflow_in_datapath d;
		/* The key is the uuid, which never changes: set replaces. */
		sbidl_datapath(r, SBIDL_NOW, &ag->scratch, &d);
		if (exists(r))
			result(ag, lflow_compiler_set_datapath(ag->comp, &d), "datapath", d.uuid);
		else
			result(ag, lflow_compiler_del_datapath(ag->comp, d.uuid), "datapath",
			       d.uuid);
	}
}

static void set_port(struct lflow_agent *ag, const struct ovsdb_row *r)
{
	struct lflow_in_port p;
	sbidl_port(ag->idl, r, SBIDL_NOW, &ag->scratch, &p);
	result(ag, lflow_compiler_set_port(ag->comp, &p), "port", p.name);
}

static void apply_ports(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_PB); r; r = r->tnext) {
		struct lflow_in_port before = {0};
		if (existed(r))
			sbidl_port(ag->idl, r, SBIDL_BEFORE, &ag->scratch, &before);
		const char *now = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_LOGICAL_PORT));
		if (existed(r) && (!exists(r) || !same(before.name, now)))
			result(ag, lflow_compiler_del_port(ag->comp, before.name), "port",
			       before.name);
		if (exists(r))
			set_port(ag, r);
	}
}

/* Bindings pointing to a Chassis row that came, went or changed name (the
 * bindings that changed themselves were set already). */
static void apply_chassis(struct lflow_agent *ag)
{
	struct strmap changed;
	strmap_init(&changed);
	for (const struct ovsdb_row *r = tracked(ag, SB_T_CHASSIS); r; r = r->tnext)
		if (!existed(r) || !exists(r) || ovsdb_row_is_modified(r, SB_CHASSIS_NAME))
			strmap_put(&changed, sbidl_uuid(r, &ag->scratch), (void *)r);
	if (changed.n > 0) {
		struct ovsdb_table *pb = ovsdb_idl_table(ag->idl, SB_T_PB);
		for (const struct ovsdb_row *r = ovsdb_table_first(pb); r;
		     r = ovsdb_table_next(r)) {
			struct ovsdb_uuid u;
			char text[OVSDB_UUID_LEN + 1];
			if (r->change != 0 ||
			    ovsdb_datum_uuid(ovsdb_row_get(r, SB_PB_CHASSIS), &u) < 0)
				continue;
			ovsdb_uuid_format(&u, text);
			if (strmap_get(&changed, text) != NULL)
				set_port(ag, r);
		}
	}
	strmap_destroy(&changed);
}

static void apply_mcgroups(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_MCGROUP); r; r = r->tnext) {
		struct lflow_in_mcgroup before = {0}, now;
		sbidl_mcgroup(r, SBIDL_NOW, &ag->scratch, &now);
		if (existed(r))
			sbidl_mcgroup(r, SBIDL_BEFORE, &ag->scratch, &before);
		if (existed(r) && (!exists(r) || !same(before.name, now.name) ||
		                   !same(before.datapath, now.datapath)))
			result(ag,
			       lflow_compiler_del_mcgroup(ag->comp, before.datapath, before.name),
			       "multicast group", before.name);
		if (exists(r))
			result(ag, lflow_compiler_set_mcgroup(ag->comp, &now), "multicast group",
			       now.name);
	}
}

static void apply_addrsets(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_ADDRESS_SET); r; r = r->tnext) {
		struct lflow_in_addrset before = {0}, now;
		sbidl_addrset(r, SBIDL_NOW, &ag->scratch, &now);
		if (existed(r))
			sbidl_addrset(r, SBIDL_BEFORE, &ag->scratch, &before);
		if (existed(r) && (!exists(r) || !same(before.name, now.name)))
			result(ag, lflow_compiler_del_addrset(ag->comp, before.name), "address set",
			       before.name);
		if (exists(r))
			result(ag, lflow_compiler_set_addrset(ag->comp, &now), "address set",
			       now.name);
	}
}

static void apply_portgroups(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_PORT_GROUP); r; r = r->tnext) {
		struct lflow_in_portgroup before = {0}, now;
		sbidl_portgroup(r, SBIDL_NOW, &ag->scratch, &now);
		if (existed(r))
			sbidl_portgroup(r, SBIDL_BEFORE, &ag->scratch, &before);
		if (existed(r) && (!exists(r) || !same(before.name, now.name)))
			result(ag, lflow_compiler_del_portgroup(ag->comp, before.name),
			       "port group", before.name);
		if (exists(r))
			result(ag, lflow_compiler_set_portgroup(ag->comp, &now), "port group",
			       now.name);
	}
}

static void set_flow(struct lflow_agent *ag, const struct ovsdb_row *r)
{
	struct lflow_in_flow f;
	sbidl_flow(ag->idl, r, &ag->scratch, &f);
	result(ag, lflow_compiler_set_flow(ag->comp, &f), "flow", f.uuid);
}

/* Flows not changed themselves whose datapath group did. */
static void apply_dp_groups(struct lflow_agent *ag)
{
	struct strmap changed;
	strmap_init(&changed);
	for (const struct ovsdb_row *r = tracked(ag, SB_T_DPG); r; r = r->tnext)
		if (exists(r))
			strmap_put(&changed, sbidl_uuid(r, &ag->scratch), (void *)r);
	if (changed.n > 0) {
		struct ovsdb_table *lf = ovsdb_idl_table(ag->idl, SB_T_LFLOW);
		for (const struct ovsdb_row *r = ovsdb_table_first(lf); r;
		     r = ovsdb_table_next(r)) {
			struct ovsdb_uuid u;
			char text[OVSDB_UUID_LEN + 1];
			if (r->change != 0 ||
			    ovsdb_datum_uuid(ovsdb_row_get(r, SB_LFLOW_LOGICAL_DP_GROUP), &u) < 0)
				continue;
			ovsdb_uuid_format(&u, text);
			if (strmap_get(&changed, text) != NULL)
				set_flow(ag, r);
		}
	}
	strmap_destroy(&changed);
}

static void apply_flows(struct lflow_agent *ag)
{
	for (const struct ovsdb_row *r = tracked(ag, SB_T_LFLOW); r; r = r->tnext) {
		if (exists(r)) {
			set_flow(ag, r);
		} else {
			const char *u = sbidl_uuid(r, &ag->scratch);
			result(ag, lflow_compiler_del_flow(ag->comp, u), "flow", u);
		}
	}
}

static void on_change(struct ovsdb_idl *idl, void *arg)
{
	struct lflow_agent *ag = arg;
	(void)idl;
	if (!ag->running)
		return;
	double t0 = now_ms();
	uint64_t before = ag->n_row_changes;
	arena_reset(&ag->scratch);
	apply_datapaths(ag);
	apply_ports(ag);
	apply_chassis(ag);
	apply_mcgroups(ag);
	apply_addrsets(ag);
	apply_portgroups(ag);
	apply_flows(ag);
	apply_dp_groups(ag);
	if (ag->n_row_changes == before)
		return;
	size_t errors_before = 0;
	struct lflow_stats st;
	if (ag->n_batches > 0) {
		lflow_compiler_stats(ag->comp, &st);
		errors_before = st.n_parse_errors + st.n_unresolved;
	}
	lflow_compiler_commit(ag->comp);
	double ms = now_ms() - t0;
	lflow_compiler_stats(ag->comp, &st);
	ag->last_rows = ag->n_row_changes - before;
	ag->last_ms = ms;
	ag->total_ms += ms;
	if (ms > ag->max_ms)
		ag->max_ms = ms;
	ag->last_recompiled = st.last_recompiled;
	ag->last_tables_rebuilt = st.last_tables_rebuilt;
	ag->n_recompiled += st.last_recompiled;
	if (ag->n_batches++ == 0) {
		ag->first_ms = ms;
		AG_LOG(INFO,
		       "compiled %zu logical flows in %.1f ms: %zu tables, %zu parse errors, "
		       "%zu unresolved, %zu not yet executable",
		       st.n_flows, ms, st.n_tables, st.n_parse_errors, st.n_unresolved,
		       st.n_punted);
	} else {
		AG_LOG(DEBUG,
		       "%llu row changes: %zu flows recompiled, %zu tables rebuilt in %.3f ms",
		       (unsigned long long)ag->last_rows, st.last_recompiled,
		       st.last_tables_rebuilt, ms);
		if (st.n_parse_errors + st.n_unresolved > errors_before)
			AG_LOG_RL(WARNING, "%zu flows in error now (see ferryctl lflow errors)",
			          st.n_parse_errors + st.n_unresolved);
	}
}

int lflow_agent_start(struct ovsdb_idl *idl, const char *chassis)
{
	static struct ovsdb_idl *subscribed;
	static bool registered;
	struct lflow_agent *ag = &the_agent;
	if (ag->running)
		return -EALREADY;
	int t = rte_log_register_type_and_pick_level("ferry.lflow", RTE_LOG_INFO);
	if (t >= 0)
		lflow_logtype = t;
	memset(ag, 0, sizeof(*ag));
	ag->comp = lflow_compiler_create(false);
	ag->chassis = chassis ? strdup(chassis) : NULL;
	if (ag->comp == NULL || (chassis && ag->chassis == NULL)) {
		lflow_compiler_destroy(ag->comp);
		free(ag->chassis);
		ag->comp = NULL;
		return -ENOMEM;
	}
	arena_init(&ag->scratch);
	ag->idl = idl;
	/* The replica cannot drop a subscriber: one subscription per replica. */
	if (subscribed != idl) {
		int rc = ovsdb_idl_subscribe(idl, on_change, ag);
		if (rc < 0) {
			ag->running = true;
			lflow_agent_stop();
			return rc;
		}
		subscribed = idl;
	}
	if (!registered) {
		lflow_agent_ctl_register();
		registered = true;
	}
	/* Whatever the replica holds already (none when started with the
	 * chassis agent): one full compile; updates follow. */
	struct lflow_input in;
	double t0 = now_ms();
	sbidl_input(idl, chassis, &ag->scratch, &in);
	lflow_compiler_set_chassis(ag->comp, chassis);
	lflow_compiler_load(ag->comp, &in);
	arena_reset(&ag->scratch);
	if (in.n_flows > 0) {
		ag->first_ms = ag->last_ms = ag->max_ms = ag->total_ms = now_ms() - t0;
		ag->n_batches = 1;
	}
	ag->running = true;
	AG_LOG(INFO, "compiling logical flows for chassis %s (%zu rows now)",
	       chassis ? chassis : "(none)", in.n_flows);
	return 0;
}

void lflow_agent_stop(void)
{
	struct lflow_agent *ag = &the_agent;
	if (!ag->running)
		return;
	ag->running = false;
	lflow_compiler_destroy(ag->comp);
	ag->comp = NULL;
	free(ag->chassis);
	ag->chassis = NULL;
	arena_destroy(&ag->scratch);
	ag->idl = NULL;
}
