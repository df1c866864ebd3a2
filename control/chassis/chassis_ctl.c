/* SPDX-License-Identifier: Apache-2.0 */
/* ferryctl commands of the chassis agent: sb status, chassis show, chassis bindings. */
#include <event2/event.h>
#include <inttypes.h>
#include <string.h>

#include "control/chassis/chassis_priv.h"
#include "control/ctl/ctl.h"

static int not_started(struct ctl_req *req)
{
	return ctl_error(req, -ENOTCONN, "the chassis agent is not running (ovn-remote unset)");
}

static int sb_status(struct ctl_req *req, void *arg)
{
	struct chassis *c = chassis_get();
	const struct ovsdb_session_stats *ss;
	const struct ovsdb_idl_stats *is;
	uint64_t now = ferry_now_ms(), up_ms;
	json_t *tables, *counters;
	unsigned i;

	(void)arg;
	if (c == NULL)
		return not_started(req);
	ss = ovsdb_session_stats(ovsdb_idl_session(c->idl));
	is = ovsdb_idl_stats(c->idl);
	up_ms = ss->connected_at_ms ? now - ss->connected_at_ms : 0;
	tables = json_object();
	for (i = 0; i < SB_T__N; i++)
		if (ovsdb_idl_has_table(c->idl, i))
			json_object_set_new(tables, sb_db_spec.tables[i].name,
			                    json_integer((json_int_t)ovsdb_table_count(
			                            ovsdb_idl_table(c->idl, i))));
	counters = json_pack(
	        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	        "connects", (json_int_t)ss->n_connects, "disconnects",
	        (json_int_t)ss->n_disconnects, "connect_failures",
	        (json_int_t)ss->n_connect_failures, "msgs_rx", (json_int_t)ss->n_msgs_rx, "msgs_tx",
	        (json_int_t)ss->n_msgs_tx, "bytes_rx", (json_int_t)ss->n_bytes_rx, "bad_json",
	        (json_int_t)ss->n_bad_json, "bad_msgs", (json_int_t)ss->n_bad_msgs, "probes",
	        (json_int_t)ss->n_probes, "probe_timeouts", (json_int_t)ss->n_probe_timeouts,
	        "error_replies", (json_int_t)ss->n_errors_rx, "updates", (json_int_t)is->n_updates,
	        "bad_updates", (json_int_t)is->n_bad_updates, "resyncs", (json_int_t)is->n_resyncs,
	        "resumes", (json_int_t)is->n_resumes, "cond_changes",
	        (json_int_t)is->n_cond_changes);
	json_object_set_new(counters, "full_syncs", json_integer((json_int_t)is->n_full_syncs));
	json_object_set_new(counters, "txn_commits", json_integer((json_int_t)is->n_txn_commits));
	json_object_set_new(counters, "txn_conflicts",
	                    json_integer((json_int_t)is->n_txn_conflicts));
	json_object_set_new(counters, "txn_errors", json_integer((json_int_t)is->n_txn_errors));
	req->result = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:o, s:o}", "remote",
	        ss->remote ? ss->remote : "", "state", ovsdb_session_state_name(ss->state),
	        "last_error", ss->last_error[0] ? ss->last_error : is->last_error, "replica",
	        ovsdb_idl_state_name(is->state), "method", ovsdb_idl_method_name(is->method),
	        "synced", ovsdb_idl_is_synced(c->idl), "connected_ms", (json_int_t)up_ms,
	        "schema_version", is->schema_version ? is->schema_version : "", "tables", tables,
	        "counters", counters);
	ctl_printf(req, "remote:     %s\n", ss->remote ? ss->remote : "");
	ctl_printf(req, "state:      %s, connected %" PRIu64 ".%03" PRIu64 " s\n",
	           ovsdb_session_state_name(ss->state), up_ms / 1000, up_ms % 1000);
	ctl_printf(req, "replica:    %s%s (%s, schema %s)\n", ovsdb_idl_state_name(is->state),
	           ovsdb_idl_is_synced(c->idl) ? "" : ", conditions pending",
	           ovsdb_idl_method_name(is->method),
	           is->schema_version ? is->schema_version : "?");
	ctl_printf(req, "last error: %s\n",
	           ss->last_error[0]   ? ss->last_error
	           : is->last_error[0] ? is->last_error
	                               : "-");
	ctl_printf(req,
	           "counters:   connects %" PRIu64 ", disconnects %" PRIu64 ", resumes %" PRIu64
	           ", full syncs %" PRIu64 ", bad json %" PRIu64 ", bad updates %" PRIu64
	           ", transactions %" PRIu64 " (conflicts %" PRIu64 ", errors %" PRIu64 ")\n",
	           ss->n_connects, ss->n_disconnects, is->n_resumes, is->n_full_syncs,
	           ss->n_bad_json, is->n_bad_updates, is->n_txn_commits, is->n_txn_conflicts,
	           is->n_txn_errors);
	ctl_printf(req, "rows:      ");
	for (i = 0; i < SB_T__N; i++)
		if (ovsdb_table_count(ovsdb_idl_table(c->idl, i)))
			ctl_printf(req, " %s %zu", sb_db_spec.tables[i].name,
			           ovsdb_table_count(ovsdb_idl_table(c->idl, i)));
	ctl_printf(req, "\n");
	return 0;
}

static int chassis_show(struct ctl_req *req, void *arg)
{
	struct chassis *c = chassis_get();
	char u[OVSDB_UUID_LEN + 1] = "";
	json_t *encaps = json_array();
	unsigned i;

	(void)arg;
	if (c == NULL) {
		json_decref(encaps);
		return not_started(req);
	}
	if (c->have_self)
		ovsdb_uuid_format(&c->self, u);
	for (i = 0; i < c->n_encaps; i++)
		json_array_append_new(encaps,
		                      json_pack("{s:s, s:s, s:b}", "type", c->encap_types[i], "ip",
		                                c->encap_ip, "csum", c->encap_csum));
	req->result = json_pack(
	        "{s:s, s:s, s:s, s:b, s:o, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
	        "name", c->name, "hostname", c->hostname, "uuid", u, "registered", c->have_self,
	        "encaps", encaps, "nb_cfg", (json_int_t)c->nb_cfg_acked, "ready_ms",
	        (json_int_t)(c->ready_ms ? c->ready_ms - c->started_ms : 0), "counters",
	        "transactions", (json_int_t)c->n_txns, "txn_ok", (json_int_t)c->n_txn_ok,
	        "txn_conflicts", (json_int_t)c->n_txn_conflicts, "txn_errors",
	        (json_int_t)c->n_txn_errors, "claims", (json_int_t)c->n_claims, "releases",
	        (json_int_t)c->n_releases, "bind_conflicts", (json_int_t)c->n_bind_conflicts);
	ctl_printf(req, "chassis %s (%s)%s%s\n", c->name, c->hostname,
	           c->have_self ? ", uuid " : ", not registered yet", u);
	for (i = 0; i < c->n_encaps; i++)
		ctl_printf(req, "  encap %s %s csum=%s\n", c->encap_types[i], c->encap_ip,
		           c->encap_csum ? "true" : "false");
	ctl_printf(req, "  nb_cfg acknowledged: %lld\n", (long long)c->nb_cfg_acked);
	if (c->ready_ms)
		ctl_printf(req, "  ready %" PRIu64 " ms after start\n",
		           c->ready_ms - c->started_ms);
	ctl_printf(req,
	           "  claims %" PRIu64 ", releases %" PRIu64
	           ", conflicts with other chassis %" PRIu64 ", transactions %" PRIu64
	           " (conflicts %" PRIu64 ", errors %" PRIu64 ")\n",
	           c->n_claims, c->n_releases, c->n_bind_conflicts, c->n_txns, c->n_txn_conflicts,
	           c->n_txn_errors);
	if (c->last_error[0])
		ctl_printf(req, "  last transaction error: %s\n", c->last_error);
	return 0;
}

static int chassis_bindings(struct ctl_req *req, void *arg)
{
	struct chassis *c = chassis_get();
	struct lport *p;

	(void)arg;
	if (c == NULL)
		return not_started(req);
	req->result = json_array();
	for (p = c->ports; p; p = p->next) {
		json_array_append_new(req->result,
		                      json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "port", p->name,
		                                "iface_id", p->iface_id, "state", p->state, "bound",
		                                p->bound, "link_up", p->link_up, "other_chassis",
		                                p->other));
		ctl_printf(req, "%-16s %-24s %s%s%s%s\n", p->name, p->iface_id, p->state,
		           p->other[0] ? " (" : "", p->other, p->other[0] ? ")" : "");
	}
	return 0;
}

static int exit_cleanup(struct ctl_req *req, void *arg)
{
	struct chassis *c = chassis_get();

	(void)arg;
	if (c == NULL)
		return not_started(req);
	c->cleanup_requested = true;
	CH_LOG(NOTICE, "exit with cleanup requested over the control socket");
	ctl_printf(req, "ferryd exiting; chassis %s leaves the Southbound database\n", c->name);
	event_base_loopbreak(c->base);
	return 0;
}

static const struct ctl_cmd chassis_cmds[] = {
        {"sb status", "", "Southbound connection, replica and counters", 0, 0, sb_status, NULL},
        {"chassis show", "", "this chassis as registered in the Southbound database", 0, 0,
         chassis_show, NULL},
        {"chassis bindings", "", "local VIF ports and their Port_Binding state", 0, 0,
         chassis_bindings, NULL},
        {"exit --cleanup", "", "stop ferryd and remove this chassis from the Southbound database",
         0, 0, exit_cleanup, NULL},
};

void chassis_ctl_register(void)
{
	static bool done;
	size_t i;

	if (done)
		return;
	done = true;
	for (i = 0; i < sizeof(chassis_cmds) / sizeof(chassis_cmds[0]); i++)
		ctl_register(&chassis_cmds[i]);
}
