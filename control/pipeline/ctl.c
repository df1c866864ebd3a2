/* SPDX-License-Identifier: Apache-2.0 */
/* ferryctl pipeline show | drops [N] | lflow stats [N]: the logical
 * pipelines as the fast path runs them, and what they dropped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control/ctl/ctl.h"
#include "control/pipeline/pipeline_int.h"
#include "control/port/port.h"

uint64_t pl_punt_counter(const char *name);
int pipeline_trace_cmd(struct ctl_req *req, void *arg);

static const char *const port_types[] = {
        [PL_PORT_VIF] = "vif",
        [PL_PORT_PATCH] = "patch",
        [PL_PORT_LOCALPORT] = "localport",
        [PL_PORT_REMOTE] = "remote",
        [PL_PORT_UNBOUND] = "unbound",
        [PL_PORT_LOCALNET] = "localnet",
        [PL_PORT_L2GATEWAY] = "l2gateway",
        [PL_PORT_EXTERNAL] = "external",
        [PL_PORT_CHASSISREDIRECT] = "chassisredirect",
        [PL_PORT_OTHER] = "other",
};

static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("(not valid UTF-8)");
}

static const struct pl_gen *current(struct ctl_req *req)
{
	if (pl_state.cur == NULL)
		ctl_error(req, -ENOTCONN, "no pipeline snapshot yet (mode ovn, waiting for the database)");
	return pl_state.cur;
}

static int show_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	const struct pl_gen *g = current(req);
	if (g == NULL)
		return -ENOTCONN;
	const struct pl_snapshot *s = &g->s;
	json_t *dps = json_array();
	ctl_printf(req, "snapshot %llu: %u datapaths, %u logical flows, %u entries; %llu builds, last %.1f ms, max %.1f ms\n",
	           (unsigned long long)s->generation, s->n_datapaths, s->n_flows, s->n_entry_ids,
	           (unsigned long long)pl_state.n_builds, pl_state.last_ms, pl_state.max_ms);
	for (uint32_t d = 0; d < s->n_datapaths; d++) {
		const struct pl_datapath *dp = &s->datapaths[d];
		json_t *ports = json_array();
		ctl_printf(req, "%s %s (key %u): %u ports, %u multicast groups\n",
		           dp->router ? "router" : "switch", dp->name, dp->key, dp->n_ports,
		           dp->n_mcgroups);
		for (uint32_t i = 0; i < dp->n_ports; i++) {
			const struct pl_lport *p = &dp->ports[i];
			json_t *jp = json_pack("{s:o, s:I, s:s}", "name", jstr(p->name), "key",
			                       (json_int_t)p->key, "type", port_types[p->type]);
			if (p->dpdk != DP_PORT_NONE)
				json_object_set_new(jp, "dpdk_port", json_integer(p->dpdk));
			if (p->tag)
				json_object_set_new(jp, "tag", json_integer(p->tag));
			if (p->n_psec)
				json_object_set_new(jp, "port_security_entries",
				                    json_integer(p->n_psec));
			json_array_append_new(ports, jp);
			ctl_printf(req, "  %-24s key %-5u %-10s%s", p->name, p->key, port_types[p->type],
			           p->n_psec ? " port-security" : "");
			if (p->dpdk != DP_PORT_NONE)
				ctl_printf(req, " dpdk %u", p->dpdk);
			if (p->tag)
				ctl_printf(req, " tag %u", p->tag);
			ctl_printf(req, "\n");
		}
		json_array_append_new(dps, json_pack("{s:o, s:I, s:b, s:o}", "name", jstr(dp->name),
		                                     "key", (json_int_t)dp->key, "router",
		                                     dp->router, "ports", ports));
	}
	ctl_printf(req, "learned: %llu requests, %llu written, %llu skipped, %llu failed, %llu fdb ignored\n",
	           (unsigned long long)pl_punt_counter("received"),
	           (unsigned long long)pl_punt_counter("written"),
	           (unsigned long long)pl_punt_counter("skipped"),
	           (unsigned long long)pl_punt_counter("failed"),
	           (unsigned long long)pl_punt_counter("fdb_ignored"));
	req->result = json_pack(
	        "{s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I}}",
	        "generation", (json_int_t)s->generation, "builds", (json_int_t)pl_state.n_builds,
	        "flows", (json_int_t)s->n_flows, "entries", (json_int_t)s->n_entry_ids,
	        "last_build_ms", pl_state.last_ms, "max_build_ms", pl_state.max_ms,
	        "port_security_errors", (json_int_t)g->n_psec_errors, "tables_skipped",
	        (json_int_t)g->n_tables_skipped, "datapaths", dps, "learned", "received",
	        (json_int_t)pl_punt_counter("received"), "written",
	        (json_int_t)pl_punt_counter("written"), "skipped",
	        (json_int_t)pl_punt_counter("skipped"), "failed",
	        (json_int_t)pl_punt_counter("failed"), "fdb_ignored",
	        (json_int_t)pl_punt_counter("fdb_ignored"));
	return 0;
}

struct row {
	uint64_t hits, drops;
	const struct pl_flow *flow; /* NULL: a table miss */
	const struct pl_datapath *dp;
	int pipeline, table;
};

static int by_drops(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	return a->drops > b->drops ? -1 : a->drops < b->drops;
}

static int by_hits(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	return a->hits > b->hits ? -1 : a->hits < b->hits;
}

/* Every entry and table of the live snapshot with totals (retired + live);
 * an entry's flow may have several entries: summed per flow. */
static struct row *gather(const struct pl_gen *g, size_t *n_out)
{
	const struct pl_snapshot *s = &g->s;
	size_t cap = s->n_flows + s->n_miss_ids + 1, n = 0;
	struct row *v = calloc(cap, sizeof(*v));
	struct row **by_flow = calloc(s->n_flows + 1, sizeof(*by_flow));
	if (v == NULL || by_flow == NULL)
		abort();
	for (uint32_t d = 0; d < s->n_datapaths; d++) {
		const struct pl_datapath *dp = &s->datapaths[d];
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++) {
				const struct pl_table *tb = &dp->tables[p][t];
				uint64_t miss = pl_stats_miss(dp->key, p, t);
				for (unsigned w = 0; w < g->n_workers; w++)
					miss += s->counters[w].drops[s->n_entry_ids + tb->miss_id];
				if (miss && n < cap)
					v[n++] = (struct row){0, miss, NULL, dp, p, t};
				for (uint32_t i = 0; i < tb->n; i++) {
					const struct pl_entry *e = &tb->e[i];
					struct row *r = by_flow[e->flow];
					if (r == NULL && n < cap) {
						r = by_flow[e->flow] = &v[n++];
						*r = (struct row){0, 0, &s->flows[e->flow], dp, p, t};
						pl_stats_flow(r->flow->uuid, &r->hits, &r->drops);
					}
					if (r == NULL)
						continue;
					for (unsigned w = 0; w < g->n_workers; w++) {
						r->hits += s->counters[w].hits[e->id];
						r->drops += s->counters[w].drops[e->id];
					}
				}
			}
	}
	free(by_flow);
	*n_out = n;
	return v;
}

static json_t *row_json(const struct row *r)
{
	json_t *j = json_pack("{s:o, s:I, s:s, s:i, s:I, s:I}", "datapath", jstr(r->dp->name),
	                      "datapath_key", (json_int_t)r->dp->key, "pipeline",
	                      r->pipeline ? "egress" : "ingress", "table", r->table, "packets",
	                      (json_int_t)r->drops, "hits", (json_int_t)r->hits);
	if (r->flow) {
		json_object_set_new(j, "lflow", jstr(r->flow->uuid));
		json_object_set_new(j, "match", jstr(r->flow->match));
		json_object_set_new(j, "actions", jstr(r->flow->actions));
	} else {
		json_object_set_new(j, "lflow", json_null());
		json_object_set_new(j, "reason", json_string("no logical flow matched"));
	}
	return j;
}

static int list(struct ctl_req *req, bool drops)
{
	const struct pl_gen *g = current(req);
	if (g == NULL)
		return -ENOTCONN;
	long limit = req->argc ? strtol(req->argv[0], NULL, 10) : 20;
	if (limit <= 0)
		return ctl_error(req, -EINVAL, "N must be a positive number, not '%s'", req->argv[0]);
	size_t n;
	struct row *v = gather(g, &n);
	qsort(v, n, sizeof(*v), drops ? by_drops : by_hits);
	json_t *out = json_array();
	for (size_t i = 0; i < n && (long)i < limit; i++) {
		const struct row *r = &v[i];
		if ((drops ? r->drops : r->hits) == 0)
			break;
		json_array_append_new(out, row_json(r));
		ctl_printf(req, "%12llu  %s %s table %d  ",
		           (unsigned long long)(drops ? r->drops : r->hits), r->dp->name,
		           r->pipeline ? "egress" : "ingress", r->table);
		if (r->flow)
			ctl_printf(req, "lflow %.8s  %s => %s\n", r->flow->uuid, r->flow->match,
			           r->flow->actions);
		else
			ctl_printf(req, "no logical flow matched\n");
	}
	free(v);
	req->result = out;
	return 0;
}

static int drops_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	return list(req, true);
}

/* `ferryctl drops': after the reasons, the logical flows that dropped. */
static void drops_hook(struct ctl_req *req)
{
	if (pl_state.cur == NULL)
		return;
	struct ctl_req sub = {.argc = 0, .want_text = true};
	ctl_printf(req, "\nlogical flows that dropped most (ferryctl lflow drops [N] for more, --json):\n");
	if (list(&sub, true) == 0 && sub.text)
		ctl_printf(req, "%s", sub.text);
	free(sub.text);
	json_decref(sub.result);
}

static int stats_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	return list(req, false);
}

static const struct ctl_cmd cmds[] = {
        {"pipeline show", "", "the published logical pipelines: datapaths, ports, learning", 0, 0,
         show_cmd, NULL},
        {"lflow drops", "[N]", "the N logical flows (or tables without a match) that dropped most",
         0, 1, drops_cmd, NULL},
        {"lflow stats", "[N]", "the N logical flows that matched most packets", 0, 1, stats_cmd,
         NULL},
        {"trace", "[--dp DATAPATH] MICROFLOW",
         "run a packet through the live logical pipelines and print each stage", 1, UINT32_MAX,
         pipeline_trace_cmd, NULL},
};

void pipeline_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		ctl_register(&cmds[i]);
	port_ctl_drops_hook(drops_hook);
}
