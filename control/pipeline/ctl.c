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
#include "dataplane/cache/cache.h"
#include "dataplane/pipeline/live.h"
#include "dataplane/pipeline/meter.h"

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
		ctl_error(req, -ENOTCONN,
		          "no pipeline snapshot yet (mode ovn, waiting for the database)");
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
	ctl_printf(req,
	           "snapshot %llu: %u datapaths, %u logical flows, %u entries; %llu builds, last "
	           "%.1f ms, max %.1f ms; %llu put off for a cache to catch up, %llu gave up\n",
	           (unsigned long long)s->generation, s->n_datapaths, s->n_flows, s->n_entry_ids,
	           (unsigned long long)pl_state.n_builds, pl_state.last_ms, pl_state.max_ms,
	           (unsigned long long)pl_state.n_sync_waits,
	           (unsigned long long)pl_state.n_sync_timeouts);
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
			ctl_printf(req, "  %-24s key %-5u %-10s%s", p->name, p->key,
			           port_types[p->type], p->n_psec ? " port-security" : "");
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
	json_t *changed = json_array();
	for (uint32_t i = 0; i < s->n_changed && i < 256; i++) {
		uint32_t tid = s->changed[i], key = tid >> 7;
		const char *what = key == 0 ? "port-map" : "table";
		unsigned p = (tid >> 6) & 1, t = tid & 63;
		if (key && p == 1 && t == PL_DEP_PORTS)
			what = "ports";
		else if (key && p == 1 && t == PL_DEP_MCGROUP)
			what = "multicast-groups";
		else if (key && p == 1 && t == PL_DEP_NEIGH)
			what = "neighbours";
		json_array_append_new(changed,
		                      json_pack("{s:s, s:I, s:s, s:i}", "kind", what,
		                                "datapath_key", (json_int_t)key, "pipeline",
		                                p ? "egress" : "ingress", "table", (int)t));
	}
	ctl_printf(req, "changed since snapshot %llu: %u dependencies\n",
	           (unsigned long long)s->prev_generation, s->n_changed);
	ctl_printf(req,
	           "learned: %llu requests, %llu written, %llu skipped, %llu failed, %llu of them "
	           "FDB\n",
	           (unsigned long long)pl_punt_counter("received"),
	           (unsigned long long)pl_punt_counter("written"),
	           (unsigned long long)pl_punt_counter("skipped"),
	           (unsigned long long)pl_punt_counter("failed"),
	           (unsigned long long)pl_punt_counter("fdb_written"));
	json_t *res = json_pack(
	        "{s:I, s:I, s:I, s:I, s:f, s:f, s:o, s:I, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I}}",
	        "generation", (json_int_t)s->generation, "builds", (json_int_t)pl_state.n_builds,
	        "flows", (json_int_t)s->n_flows, "entries", (json_int_t)s->n_entry_ids,
	        "last_build_ms", pl_state.last_ms, "max_build_ms", pl_state.max_ms, "changed",
	        changed, "port_security_errors", (json_int_t)g->n_psec_errors, "tables_skipped",
	        (json_int_t)g->n_tables_skipped, "datapaths", dps, "learned", "received",
	        (json_int_t)pl_punt_counter("received"), "written",
	        (json_int_t)pl_punt_counter("written"), "skipped",
	        (json_int_t)pl_punt_counter("skipped"), "failed",
	        (json_int_t)pl_punt_counter("failed"), "fdb_written",
	        (json_int_t)pl_punt_counter("fdb_written"));
	json_object_set_new(res, "live_trace_armed", json_boolean(pl_live_armed != NULL));
	json_object_set_new(res, "builds_put_off", json_integer((json_int_t)pl_state.n_sync_waits));
	json_object_set_new(res, "cache_sync_timeouts",
	                    json_integer((json_int_t)pl_state.n_sync_timeouts));
	json_object_set_new(res, "indexed_tables", json_integer((json_int_t)g->n_indexed));
	req->result = res;
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

/* Per-flow totals of a snapshot's own counters (the retired one, whose
 * counts are folded into the totals only when it is freed). */
static void add_snapshot(struct strmap *by_uuid, const struct pl_gen *g)
{
	const struct pl_snapshot *s = &g->s;
	for (uint32_t d = 0; d < s->n_datapaths; d++)
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++) {
				const struct pl_table *tb = &s->datapaths[d].tables[p][t];
				for (uint32_t i = 0; i < tb->n; i++) {
					uint64_t h = 0, dr = 0;
					for (unsigned w = 0; w < g->n_workers; w++) {
						h += s->counters[w].hits[tb->e[i].id];
						dr += s->counters[w].drops[tb->e[i].id];
					}
					if (h == 0 && dr == 0)
						continue;
					char u[80];
					snprintf(u, sizeof(u), "%s|%u",
					         s->flows[tb->e[i].flow].uuid, s->datapaths[d].key);
					uint64_t *v = strmap_get(by_uuid, u);
					if (v == NULL) {
						v = calloc(2, sizeof(*v));
						if (v == NULL)
							continue;
						strmap_put(by_uuid, u, v);
					}
					v[0] += h;
					v[1] += dr;
				}
			}
}

/* Hits still held in the workers' flow cache entries, resolved against
 * the live snapshot (read without locks: a torn count is off by a few). */
static void add_caches(const struct pl_snapshot *s, uint64_t *hits, uint64_t *drops, uint64_t *rx,
                       uint64_t *tx)
{
	for (unsigned w = 0; w < port_n_workers(); w++) {
		const struct fc *c = port_worker_cache(w);
		if (c == NULL || c->snap_gen != s->generation)
			continue;
		for (uint32_t i = 0; i < c->size; i++) {
			const struct fc_entry *e = &c->e[i];
			uint64_t n = e->packets;
			if (e->mask != FC_FREE && n)
				fc_fold(e, n, s, hits, drops, rx, tx);
		}
	}
}

/* Every entry and table of the live snapshot with totals (folded from
 * retired snapshots, the one awaiting its fold, live counters and the
 * flow caches); an entry's flow may have several entries: summed per flow. */
static struct row *gather(const struct pl_gen *g, size_t *n_out)
{
	const struct pl_snapshot *s = &g->s;
	uint64_t *chits = calloc(s->n_entry_ids + 1, sizeof(*chits));
	uint64_t *cdrops = calloc(s->n_entry_ids + s->n_miss_ids + 1, sizeof(*cdrops));
	struct strmap retired;
	strmap_init(&retired);
	if (chits == NULL || cdrops == NULL)
		abort();
	add_caches(s, chits, cdrops, NULL, NULL);
	if (pl_state.retired)
		add_snapshot(&retired, pl_state.retired);
	/* A row per (logical flow, datapath): a flow northd shares among
	 * datapaths (a datapath group) counts on each separately. */
	size_t cap = s->n_entry_ids + s->n_miss_ids + 1, n = 0, first_of_dp = 0;
	struct row *v = calloc(cap, sizeof(*v));
	struct row **by_flow = calloc(s->n_flows + 1, sizeof(*by_flow));
	if (v == NULL || by_flow == NULL)
		abort();
	for (uint32_t d = 0; d < s->n_datapaths; d++) {
		const struct pl_datapath *dp = &s->datapaths[d];
		for (size_t k = first_of_dp; k < n; k++)
			if (v[k].flow != NULL)
				by_flow[v[k].flow - s->flows] = NULL;
		first_of_dp = n;
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++) {
				const struct pl_table *tb = &dp->tables[p][t];
				uint64_t miss = pl_stats_miss(dp->key, p, t) +
				                cdrops[s->n_entry_ids + tb->miss_id];
				for (unsigned w = 0; w < g->n_workers; w++)
					miss += s->counters[w].drops[s->n_entry_ids + tb->miss_id];
				if (miss && n < cap)
					v[n++] = (struct row){0, miss, NULL, dp, p, t};
				for (uint32_t i = 0; i < tb->n; i++) {
					const struct pl_entry *e = &tb->e[i];
					struct row *r = by_flow[e->flow];
					if (r == NULL && n < cap) {
						r = by_flow[e->flow] = &v[n++];
						*r = (struct row){0,  0, &s->flows[e->flow],
						                  dp, p, t};
						pl_stats_flow(r->flow->uuid, dp->key, &r->hits,
						              &r->drops);
						char u[80];
						snprintf(u, sizeof(u), "%s|%u", r->flow->uuid,
						         dp->key);
						const uint64_t *rv = strmap_get(&retired, u);
						if (rv) {
							r->hits += rv[0];
							r->drops += rv[1];
						}
					}
					if (r == NULL)
						continue;
					r->hits += chits[e->id];
					r->drops += cdrops[e->id];
					for (unsigned w = 0; w < g->n_workers; w++) {
						r->hits += s->counters[w].hits[e->id];
						r->drops += s->counters[w].drops[e->id];
					}
				}
			}
	}
	free(by_flow);
	free(chits);
	free(cdrops);
	size_t it = 0;
	void *x;
	while ((x = strmap_next(&retired, &it, NULL)) != NULL)
		free(x);
	strmap_destroy(&retired);
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
		return ctl_error(req, -EINVAL, "N must be a positive number, not '%s'",
		                 req->argv[0]);
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
	ctl_printf(
	        req,
	        "\nlogical flows that dropped most (ferryctl lflow drops [N] for more, --json):\n");
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

/* Packets into and out of each logical port: totals of retired
 * snapshots, the one awaiting its fold, the live counters, the caches. */
static int lport_stats_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	const struct pl_gen *g = current(req);
	if (g == NULL)
		return -ENOTCONN;
	const struct pl_snapshot *s = &g->s;
	uint64_t *rx = calloc(s->n_lports + 1, sizeof(*rx)),
	         *tx = calloc(s->n_lports + 1, sizeof(*tx));
	if (rx == NULL || tx == NULL)
		abort();
	add_caches(s, NULL, NULL, rx, tx);
	const struct pl_gen *old = pl_state.retired;
	json_t *out = json_array();
	ctl_printf(req, "%-28s %-16s %-10s %14s %14s\n", "LOGICAL PORT", "DATAPATH", "TYPE",
	           "RX-PACKETS", "TX-PACKETS");
	for (uint32_t d = 0; d < s->n_datapaths; d++) {
		const struct pl_datapath *dp = &s->datapaths[d];
		for (uint32_t i = 0; i < dp->n_ports; i++) {
			const struct pl_lport *p = &dp->ports[i];
			uint64_t r, t;
			pl_stats_lport(p->name, &r, &t);
			r += rx[p->idx];
			t += tx[p->idx];
			for (unsigned w = 0; w < g->n_workers; w++) {
				r += s->counters[w].lport_rx[p->idx];
				t += s->counters[w].lport_tx[p->idx];
			}
			/* The retired snapshot: same port by name. */
			for (uint32_t od = 0; old && od < old->s.n_datapaths; od++)
				for (uint32_t oi = 0; oi < old->s.datapaths[od].n_ports; oi++) {
					const struct pl_lport *q = &old->s.datapaths[od].ports[oi];
					if (strcmp(q->name, p->name) != 0)
						continue;
					for (unsigned w = 0; w < old->n_workers; w++) {
						r += old->s.counters[w].lport_rx[q->idx];
						t += old->s.counters[w].lport_tx[q->idx];
					}
				}
			json_array_append_new(
			        out, json_pack("{s:o, s:o, s:s, s:I, s:I}", "name", jstr(p->name),
			                       "datapath", jstr(dp->name), "type",
			                       port_types[p->type], "rx_packets", (json_int_t)r,
			                       "tx_packets", (json_int_t)t));
			ctl_printf(req, "%-28s %-16s %-10s %14llu %14llu\n", p->name, dp->name,
			           port_types[p->type], (unsigned long long)r,
			           (unsigned long long)t);
		}
	}
	free(rx);
	free(tx);
	req->result = out;
	return 0;
}

static int cache_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	json_t *workers = json_array();
	ctl_printf(req, "%-6s %8s %8s %12s %10s %8s %10s %10s %8s %9s %10s\n", "WORKER", "SIZE",
	           "ENTRIES", "HITS", "MISSES", "MASKS", "UNCACHED", "INVALID", "EVICTED",
	           "CHECKED", "MISMATCH");
	for (unsigned w = 0; w < port_n_workers(); w++) {
		const struct fc *c = port_worker_cache(w);
		if (c == NULL)
			continue;
		unsigned masks = 0;
		for (unsigned m = 0; m < c->n_masks; m++)
			masks += c->mask_refs[m] != 0;
		const struct fc_stats *st = &c->st;
		json_array_append_new(
		        workers,
		        json_pack(
		                "{s:i, s:I, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
		                "worker", w, "size", (json_int_t)c->size, "entries",
		                (json_int_t)c->n_entries, "masks", masks, "hits",
		                (json_int_t)st->hits, "misses", (json_int_t)st->misses, "inserts",
		                (json_int_t)st->inserts, "uncacheable", (json_int_t)st->uncacheable,
		                "invalidations", (json_int_t)st->invalidations, "evictions",
		                (json_int_t)st->evictions, "check_runs", (json_int_t)st->check_runs,
		                "check_mismatches", (json_int_t)st->check_mismatches, "check",
		                c->check));
		json_object_set_new(json_array_get(workers, json_array_size(workers) - 1),
		                    "decap_hits", json_integer((json_int_t)st->decap_hits));
		json_object_set_new(json_array_get(workers, json_array_size(workers) - 1),
		                    "passed_over", json_integer((json_int_t)st->passed_over));
		json_object_set_new(json_array_get(workers, json_array_size(workers) - 1), "swaps",
		                    json_integer((json_int_t)st->swaps));
		ctl_printf(req, "%-6u %8u %8u %12llu %10llu %8u %10llu %10llu %8llu %9llu %10llu\n",
		           w, c->size, c->n_entries, (unsigned long long)st->hits,
		           (unsigned long long)st->misses, masks,
		           (unsigned long long)st->uncacheable,
		           (unsigned long long)st->invalidations, (unsigned long long)st->evictions,
		           (unsigned long long)st->check_runs,
		           (unsigned long long)st->check_mismatches);
	}
	if (json_array_size(workers) == 0)
		ctl_printf(req,
		           "no flow cache (mode cross-connect, or dataplane.cache-entries = 0)\n");
	req->result = json_pack("{s:o}", "workers", workers);
	return 0;
}

static int cache_flush_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	unsigned n = 0;
	for (unsigned w = 0; w < port_n_workers(); w++) {
		struct fc *c = port_worker_cache(w);
		if (c != NULL) {
			c->flush_requested = true;
			n++;
		}
	}
	ctl_printf(req, "flush requested on %u worker%s\n", n, n == 1 ? "" : "s");
	req->result = json_pack("{s:i}", "workers", (int)n);
	return 0;
}

/* The policers of set_meter (dataplane/pipeline/meter.h). */
static int meter_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	json_t *list = json_array();
	ctl_printf(req, "%-6s %-36s %12s %12s %14s %14s\n", "SLOT", "LOGICAL FLOW", "RATE KBPS",
	           "BURST KBIT", "PASSED", "DROPPED");
	for (uint32_t i = 0; i < PL_POLICERS_MAX; i++) {
		const struct pl_policer *p = &pl_policers[i];
		if (!p->used)
			continue;
		uint64_t passed = __atomic_load_n(&p->passed, __ATOMIC_RELAXED);
		uint64_t dropped = __atomic_load_n(&p->dropped, __ATOMIC_RELAXED);
		ctl_printf(req, "%-6u %-36s %12u %12u %14llu %14llu\n", i, p->flow, p->rate_kbps,
		           p->burst_kbit, (unsigned long long)passed, (unsigned long long)dropped);
		json_array_append_new(
		        list, json_pack("{s:i, s:s, s:I, s:I, s:I, s:I}", "slot", (int)i, "lflow",
		                        p->flow, "rate_kbps", (json_int_t)p->rate_kbps,
		                        "burst_kbit", (json_int_t)p->burst_kbit, "passed",
		                        (json_int_t)passed, "dropped", (json_int_t)dropped));
	}
	const struct pl_gen *g = pl_state.cur;
	uint64_t unbound = g ? g->n_meters_unbound : 0;
	if (unbound)
		ctl_printf(req, "%llu set_meter actions without a policer (all %u taken)\n",
		           (unsigned long long)unbound, PL_POLICERS_MAX);
	req->result = json_pack("{s:o, s:I, s:i}", "policers", list, "unbound", (json_int_t)unbound,
	                        "max", PL_POLICERS_MAX);
	return 0;
}

static const struct ctl_cmd cmds[] = {
        {"meter list", "",
         "set_meter policers (QoS bandwidth limits): rate, burst, passed, dropped", 0, 0, meter_cmd,
         NULL},
        {"lport stats", "", "packets into and out of each logical port (mode ovn)", 0, 0,
         lport_stats_cmd, NULL},
        {"cache", "", "flow cache per worker: entries, hits, misses, invalidations, evictions", 0,
         0, cache_cmd, NULL},
        {"cache flush", "", "empty every worker's flow cache (counts are kept)", 0, 0,
         cache_flush_cmd, NULL},
        {"pipeline show", "", "the published logical pipelines: datapaths, ports, learning", 0, 0,
         show_cmd, NULL},
        {"lflow drops", "[N]", "the N logical flows (or tables without a match) that dropped most",
         0, 1, drops_cmd, NULL},
        {"lflow stats", "[N]", "the N logical flows that matched most packets", 0, 1, stats_cmd,
         NULL},
        {"trace", "MICROFLOW | --live FILTER [--count N] [--wait S]",
         "run a packet (or the next N real ones matching FILTER) through the logical "
         "pipelines and print each stage",
         1, UINT32_MAX, pipeline_trace_cmd, NULL},
};

void pipeline_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		ctl_register(&cmds[i]);
	port_ctl_drops_hook(drops_hook);
}
