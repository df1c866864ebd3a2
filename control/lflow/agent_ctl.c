/* SPDX-License-Identifier: Apache-2.0 */
/* ferryctl lflow summary | tables [DATAPATH] | errors: what the compiler
 * made of the Southbound logical flows, as text and JSON. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "agent_int.h"
#include "control/ctl/ctl.h"
#include "control/ovsdb/sb.h"
#include "tables.h"

/* A JSON string jansson accepts whatever the bytes (a message may end in a
 * cut UTF-8 sequence). */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("(not valid UTF-8)");
}

static struct lflow_agent *agent_or_error(struct ctl_req *req)
{
	struct lflow_agent *ag = lflow_agent_get();
	if (ag == NULL)
		ctl_error(req, -ENOTCONN,
		          "the logical flow compiler is not running (no ovn-remote)");
	return ag;
}

static int summary_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct lflow_agent *ag = agent_or_error(req);
	if (ag == NULL)
		return -ENOTCONN;
	struct lflow_stats st;
	unsigned ops[LFLOW_OP_N];
	lflow_compiler_stats(ag->comp, &st);
	size_t n_ops = lflow_stats_punted_ops(&st, ops);
	json_t *by_op = json_object();
	for (size_t i = 0; i < n_ops; i++)
		json_object_set_new(by_op, action_name((enum lflow_op)ops[i]),
		                    json_integer((json_int_t)st.n_punted_by_op[ops[i]]));
	req->result = json_pack(
	        "{s:o, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:I, s:o, "
	        "s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:I}",
	        "chassis", jstr(ag->chassis), "flows", (json_int_t)st.n_flows, "instances",
	        (json_int_t)st.n_instances, "tables", (json_int_t)st.n_tables, "tables_by_shape",
	        "exact", (json_int_t)st.n_by_shape[LFLOW_SHAPE_EXACT], "lpm",
	        (json_int_t)st.n_by_shape[LFLOW_SHAPE_LPM], "tuple",
	        (json_int_t)st.n_by_shape[LFLOW_SHAPE_TUPLE], "entries", (json_int_t)st.n_entries,
	        "sets", (json_int_t)st.n_sets, "parse_errors", (json_int_t)st.n_parse_errors,
	        "unresolved", (json_int_t)st.n_unresolved, "not_executable",
	        (json_int_t)st.n_punted, "not_executable_by_action", by_op, "batches",
	        (json_int_t)ag->n_batches, "row_changes", (json_int_t)ag->n_row_changes,
	        "row_errors", (json_int_t)ag->n_row_errors, "recompiled",
	        (json_int_t)ag->n_recompiled, "full_compile_ms", ag->first_ms, "last_commit_ms",
	        ag->last_ms, "max_commit_ms", ag->max_ms, "last_recompiled",
	        (json_int_t)ag->last_recompiled, "last_tables_rebuilt",
	        (json_int_t)ag->last_tables_rebuilt);
	if (req->result == NULL)
		return ctl_error(req, -ENOMEM, "out of memory");
	ctl_printf(
	        req,
	        "chassis %s: %zu logical flows (%zu instances), %zu parse errors, %zu unresolved\n",
	        ag->chassis ? ag->chassis : "(none)", st.n_flows, st.n_instances, st.n_parse_errors,
	        st.n_unresolved);
	ctl_printf(req, "tables: %zu (exact %zu, lpm %zu, tuple %zu), entries %zu, sets %zu\n",
	           st.n_tables, st.n_by_shape[LFLOW_SHAPE_EXACT], st.n_by_shape[LFLOW_SHAPE_LPM],
	           st.n_by_shape[LFLOW_SHAPE_TUPLE], st.n_entries, st.n_sets);
	ctl_printf(req, "flows with actions not yet executable: %zu\n", st.n_punted);
	ctl_printf(req, "not yet executable:");
	for (size_t i = 0; i < n_ops; i++)
		ctl_printf(req, "%s %s %zu flow%s", i ? "," : "",
		           action_name((enum lflow_op)ops[i]), st.n_punted_by_op[ops[i]],
		           st.n_punted_by_op[ops[i]] == 1 ? "" : "s");
	ctl_printf(req, "%s\n", n_ops ? "" : " none");
	ctl_printf(req,
	           "updates: %llu batches, %llu row changes (%llu refused), %llu flows "
	           "recompiled\n"
	           "commit: first %.1f ms, last %.3f ms (%zu flows, %zu tables), max %.1f ms\n",
	           (unsigned long long)ag->n_batches, (unsigned long long)ag->n_row_changes,
	           (unsigned long long)ag->n_row_errors, (unsigned long long)ag->n_recompiled,
	           ag->first_ms, ag->last_ms, ag->last_recompiled, ag->last_tables_rebuilt,
	           ag->max_ms);
	return 0;
}

struct tables_ctx {
	struct ctl_req *req;
	json_t *list;
	struct ovsdb_idl *idl;
	const char *only; /* datapath name or key, or NULL */
	size_t n;
};

/* Datapath_Binding external_ids:name for a tunnel key ("" if none). */
static const char *dp_name(struct ovsdb_idl *idl, uint32_t key)
{
	struct ovsdb_table *t = ovsdb_idl_table(idl, SB_T_DATAPATH);
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		if (ovsdb_datum_int(ovsdb_row_get(r, SB_DATAPATH_TUNNEL_KEY), -1) == key) {
			const char *n =
			        ovsdb_map_get(ovsdb_row_get(r, SB_DATAPATH_EXTERNAL_IDS), "name");
			return n ? n : "";
		}
	}
	return "";
}

static void table_one(void *aux, const struct lflow_table_info *t)
{
	struct tables_ctx *x = aux;
	const char *name = dp_name(x->idl, t->dp_key);
	char key[16];
	snprintf(key, sizeof(key), "%u", t->dp_key);
	if (x->only && strcmp(x->only, name) != 0 && strcmp(x->only, key) != 0)
		return;
	const char *pipe = t->pipeline ? "egress" : "ingress";
	json_array_append_new(x->list,
	                      json_pack("{s:I, s:o, s:s, s:I, s:s, s:I, s:I, s:I}", "datapath",
	                                (json_int_t)t->dp_key, "datapath_name", jstr(name),
	                                "pipeline", pipe, "table", (json_int_t)t->table, "shape",
	                                table_shape_name(t->shape), "flows", (json_int_t)t->n_flows,
	                                "entries", (json_int_t)t->n_entries, "field_sets",
	                                (json_int_t)t->n_masks));
	ctl_printf(x->req, "dp %u (%s) %s %u: %s, %zu flows, %zu entries, %zu field sets\n",
	           t->dp_key, name, pipe, t->table, table_shape_name(t->shape), t->n_flows,
	           t->n_entries, t->n_masks);
	x->n++;
}

static int tables_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct lflow_agent *ag = agent_or_error(req);
	if (ag == NULL)
		return -ENOTCONN;
	struct tables_ctx x = {req, json_array(), ag->idl, req->argc ? req->argv[0] : NULL, 0};
	lflow_compiler_tables(ag->comp, table_one, &x);
	if (x.only && x.n == 0) {
		json_decref(x.list);
		return ctl_error(req, -ENOENT, "no logical table on datapath %s", x.only);
	}
	req->result = x.list;
	return 0;
}

struct errors_ctx {
	struct ctl_req *req;
	json_t *list;
	struct ovsdb_idl *idl;
	size_t n;
};

#define ERRORS_MAX 1000

static void error_one(void *aux, const char *uuid, const char *msg)
{
	struct errors_ctx *x = aux;
	if (x->n++ >= ERRORS_MAX)
		return;
	json_t *e = json_pack("{s:o, s:o}", "uuid", jstr(uuid), "error", jstr(msg));
	struct ovsdb_uuid u;
	const struct ovsdb_row *r = NULL;
	if (ovsdb_uuid_parse(&u, uuid) == 0)
		r = ovsdb_table_get(ovsdb_idl_table(x->idl, SB_T_LFLOW), &u);
	if (r != NULL && e != NULL) {
		json_object_set_new(e, "pipeline",
		                    jstr(ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_PIPELINE))));
		json_object_set_new(
		        e, "table",
		        json_integer(ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_TABLE_ID), 0)));
		json_object_set_new(
		        e, "priority",
		        json_integer(ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_PRIORITY), 0)));
		json_object_set_new(e, "match",
		                    jstr(ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_MATCH))));
		json_object_set_new(e, "actions",
		                    jstr(ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_ACTIONS))));
		ctl_printf(x->req,
		           "%s %s table=%lld priority=%lld: %s\n  match=(%s)\n  actions=(%s)\n",
		           uuid, ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_PIPELINE)),
		           (long long)ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_TABLE_ID), 0),
		           (long long)ovsdb_datum_int(ovsdb_row_get(r, SB_LFLOW_PRIORITY), 0), msg,
		           ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_MATCH)),
		           ovsdb_datum_string(ovsdb_row_get(r, SB_LFLOW_ACTIONS)));
	} else {
		ctl_printf(x->req, "%s: %s\n", uuid, msg);
	}
	if (e != NULL)
		json_array_append_new(x->list, e);
}

static int errors_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct lflow_agent *ag = agent_or_error(req);
	if (ag == NULL)
		return -ENOTCONN;
	struct errors_ctx x = {req, json_array(), ag->idl, 0};
	lflow_compiler_errors(ag->comp, error_one, &x);
	if (x.n > ERRORS_MAX)
		ctl_printf(req, "(%zu more not shown)\n", x.n - ERRORS_MAX);
	else if (x.n == 0)
		ctl_printf(req, "no flow in error\n");
	req->result = x.list;
	return 0;
}

static const struct ctl_cmd lflow_cmds[] = {
        {"lflow summary", "", "logical flows compiled, errors, actions not yet executable", 0, 0,
         summary_cmd, NULL},
        {"lflow tables", "[DATAPATH]", "each logical table: datapath, pipeline, shape, size", 0, 1,
         tables_cmd, NULL},
        {"lflow errors", "", "logical flows that failed to compile, with the reason", 0, 0,
         errors_cmd, NULL},
};

void lflow_agent_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(lflow_cmds) / sizeof(lflow_cmds[0]); i++)
		ctl_register(&lflow_cmds[i]);
}
