/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryctl trace MICROFLOW: one packet, described in ovn-trace's microflow
 * syntax (a conjunction of equalities: inport == "vm1" && eth.src == ... &&
 * ip4.dst == ...), run through the live snapshot's compiled tables by the
 * same interpreter the workers run, with a hook that records every stage.
 * Nothing is sent: the outputs are reported, not transmitted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "control/ctl/ctl.h"
#include "control/lflow/actions.h"
#include "control/lflow/expr.h"
#include "control/lflow/symtab.h"
#include "control/lflow/u128.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/process.h"

static const char *const drop_names[] = {
#define DROP_NAME(e, name, help) [DROP_##e] = name,
        DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};

struct trace {
	struct ctl_req *req;
	const struct pl_snapshot *s;
	json_t *stages;
	unsigned indent;
};

static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("(not valid UTF-8)");
}

static const char *port_name(const struct pl_datapath *dp, uint32_t key)
{
	const struct pl_lport *p = dp ? pl_lport_find(dp, key) : NULL;
	if (p)
		return p->name;
	for (uint32_t i = 0; dp && i < dp->n_mcgroups; i++)
		if (dp->mcgroups[i].key == key)
			return dp->mcgroups[i].name;
	return "?";
}

static void value_text(unsigned f, pl_u128 v, char *buf, size_t n)
{
	struct lflow_u128 x = {(uint64_t)(v >> 64), (uint64_t)v};
	unsigned w = lflow_field_width(f);
	struct lflow_u128 m = {w >= 128 ? ~0ull : (w > 64 ? (1ull << (w - 64)) - 1 : 0),
	                       w >= 64 ? ~0ull : (1ull << w) - 1};
	value_format(f, x, m, true, buf, n);
}

/* Fields that differ between two header sets, "name=value" each. */
static json_t *changes(const struct pl_ev *ev, const struct pl_datapath *dp)
{
	json_t *out = json_array();
	for (unsigned f = 0; f < LFLOW_F_N; f++) {
		pl_u128 a = pl_field_get(ev->before, f), b = pl_field_get(ev->after, f);
		if (a == b)
			continue;
		char v[128], line[200];
		if (f == LFLOW_F_INPORT || f == LFLOW_F_OUTPORT)
			snprintf(v, sizeof(v), "\"%s\"", port_name(dp, (uint32_t)b));
		else
			value_text(f, b, v, sizeof(v));
		snprintf(line, sizeof(line), "%s = %s", lflow_field_name(f), v);
		json_array_append_new(out, jstr(line));
	}
	return out;
}

static void on_event(void *aux, const struct pl_ev *ev)
{
	struct trace *t = aux;
	struct ctl_req *req = t->req;
	const char *dpn = ev->dp ? ev->dp->name : "?";
	unsigned ind = 2 * t->indent;
	json_t *j = NULL;
	switch (ev->type) {
	case PL_EV_TABLE:
		if (ev->entry == NULL) {
			ctl_printf(req, "%*s%s %s table %u: no match: drop\n", ind, "", dpn,
			           ev->pipeline ? "egress" : "ingress", ev->table);
			j = json_pack("{s:s, s:o, s:I, s:s, s:i}", "type", "table", "datapath",
			              jstr(dpn), "datapath_key", (json_int_t)ev->dp->key,
			              "pipeline", ev->pipeline ? "egress" : "ingress", "table",
			              ev->table);
			json_object_set_new(j, "lflow", json_null());
		} else {
			const struct pl_flow *f = &t->s->flows[ev->entry->flow];
			ctl_printf(req, "%*s%s %s table %u, priority %d, lflow %.8s\n", ind, "",
			           dpn, ev->pipeline ? "egress" : "ingress", ev->table,
			           ev->entry->priority, f->uuid);
			ctl_printf(req, "%*s  %s\n%*s  => %s\n", ind, "", f->match, ind, "",
			           f->actions);
			j = json_pack("{s:s, s:o, s:I, s:s, s:i, s:i, s:o, s:o, s:o}", "type",
			              "table", "datapath", jstr(dpn), "datapath_key",
			              (json_int_t)ev->dp->key, "pipeline",
			              ev->pipeline ? "egress" : "ingress", "table", ev->table,
			              "priority", ev->entry->priority, "lflow", jstr(f->uuid),
			              "match", jstr(f->match), "actions", jstr(f->actions));
		}
		break;
	case PL_EV_ACTIONS: {
		json_t *ch = changes(ev, ev->dp);
		if (json_array_size(ch) == 0) {
			json_decref(ch);
			return;
		}
		for (size_t i = 0; i < json_array_size(ch); i++)
			ctl_printf(req, "%*s  %s\n", ind, "",
			           json_string_value(json_array_get(ch, i)));
		j = json_pack("{s:s, s:o, s:s, s:i, s:o}", "type", "changed", "datapath", jstr(dpn),
		              "pipeline", ev->pipeline ? "egress" : "ingress", "table",
		              ev->entry ? t->s->flows[ev->entry->flow].table : 0, "fields", ch);
		break;
	}
	case PL_EV_OUTPUT:
		ctl_printf(req, "%*s-> output to \"%s\" (egress pipeline)\n", ind, "",
		           port_name(ev->dp, ev->port));
		j = json_pack("{s:s, s:o, s:o}", "type", "output", "datapath", jstr(dpn), "outport",
		              jstr(port_name(ev->dp, ev->port)));
		break;
	case PL_EV_DELIVER:
		ctl_printf(req, "%*s=> delivered to \"%s\"\n", ind, "",
		           port_name(ev->dp, ev->port));
		j = json_pack("{s:s, s:o, s:o}", "type", "deliver", "datapath", jstr(dpn),
		              "outport", jstr(port_name(ev->dp, ev->port)));
		break;
	case PL_EV_PATCH:
		ctl_printf(req, "%*s-> patch port \"%s\": into the peer datapath\n", ind, "",
		           port_name(ev->dp, ev->port));
		j = json_pack("{s:s, s:o, s:o}", "type", "patch", "datapath", jstr(dpn), "outport",
		              jstr(port_name(ev->dp, ev->port)));
		break;
	case PL_EV_TUNNEL: {
		const char *ch = ev->peer < t->s->n_peers ? t->s->peers[ev->peer].chassis : "?";
		ctl_printf(req, "%*s=> tunnel to chassis %s (egress port \"%s\")\n", ind, "", ch,
		           port_name(ev->dp, ev->port));
		j = json_pack("{s:s, s:o, s:o, s:o}", "type", "tunnel", "datapath", jstr(dpn),
		              "outport", jstr(port_name(ev->dp, ev->port)), "chassis", jstr(ch));
		break;
	}
	case PL_EV_DROP:
		ctl_printf(req, "%*sx dropped: %s\n", ind, "", drop_names[ev->reason]);
		j = json_pack("{s:s, s:o, s:s}", "type", "drop", "datapath", jstr(dpn), "reason",
		              drop_names[ev->reason]);
		break;
	case PL_EV_NESTED:
		if (ev->op == LFLOW_OP_N) {
			if (t->indent)
				t->indent--;
			j = json_pack("{s:s}", "type", "nested-end");
		} else {
			ctl_printf(req, "%*s%s {\n", ind, "", action_name((enum lflow_op)ev->op));
			t->indent++;
			j = json_pack("{s:s, s:s}", "type", "nested", "action",
			              action_name((enum lflow_op)ev->op));
		}
		break;
	}
	if (j)
		json_array_append_new(t->stages, j);
}

/* Flags the parser would have set, from the fields the microflow set. */
static void derive_flags(struct flow_key *k)
{
	uint16_t type = rte_be_to_cpu_16(k->eth_type);
	k->flags = 0;
	if (type == 0x0800)
		k->flags |= FLOW_F_IP4;
	else if (type == 0x86dd)
		k->flags |= FLOW_F_IP6;
	else if (type == 0x0806)
		k->flags |= FLOW_F_ARP;
	if ((k->flags & (FLOW_F_IP4 | FLOW_F_IP6)) &&
	    (k->nw_proto == 6 || k->nw_proto == 17 || k->nw_proto == 132 || k->nw_proto == 1 ||
	     k->nw_proto == 58))
		k->flags |= FLOW_F_L4;
	if ((k->flags & FLOW_F_IP6) && k->nw_proto == 58) {
		unsigned t = rte_be_to_cpu_16(k->tp_src) & 0xff;
		if (t == 135 || t == 136)
			k->flags |= FLOW_F_ND;
	}
}

static const struct pl_lport *find_by_name(const struct pl_snapshot *s, const char *name,
                                           uint32_t *dp)
{
	for (uint32_t d = 0; d < s->n_datapaths; d++)
		for (uint32_t i = 0; i < s->datapaths[d].n_ports; i++)
			if (strcmp(s->datapaths[d].ports[i].name, name) == 0) {
				*dp = d;
				return &s->datapaths[d].ports[i];
			}
	return NULL;
}

json_t *pipeline_trace_packet(struct ctl_req *req, const struct pl_snapshot *s,
                              const struct flow_key *k, uint32_t dp, uint32_t inport)
{
	static struct pl_ctx c; /* large: keep it off the control thread's stack */
	memset(&c, 0, sizeof(c));
	c.h.k = *k;
	struct trace t = {req, s, json_array(), 0};
	c.s = s;
	c.trace = on_event;
	c.trace_aux = &t;
	/* ct actions look the packet's connection up and change nothing: a
	 * packet of a known connection traces as established. */
	struct pl_ct_env env = {.t = pl_conntrack(), .now = rte_rdtsc(), .peek = true};
	c.ct = env.t != NULL ? &env : NULL;
	ctl_printf(req, "ingress(dp=\"%s\", inport=\"%s\")\n", s->datapaths[dp].name,
	           port_name(&s->datapaths[dp], inport));
	pl_run(&c, dp, inport);
	json_t *outs = json_array();
	for (unsigned i = 0; i < c.n_out; i++)
		json_array_append_new(outs, json_pack("{s:I, s:i, s:i}", "outport",
		                                      (json_int_t)c.out[i].outport, "dpdk_port",
		                                      c.out[i].dpdk, "kind", c.out[i].kind));
	ctl_printf(req, "fate: %u output%s%s\n", c.n_out, c.n_out == 1 ? "" : "s",
	           c.dropped ? ", some copies dropped" : "");
	return json_pack("{s:o, s:o, s:b, s:I}", "stages", t.stages, "outputs", outs, "dropped",
	                 c.dropped, "generation", (json_int_t)s->generation);
}

char *pipeline_join_words(const struct ctl_req *req, unsigned from, unsigned to)
{
	size_t len = 1;
	for (unsigned i = from; i < to; i++)
		len += strlen(req->argv[i]) + 1;
	char *text = calloc(1, len);
	if (text == NULL)
		return NULL;
	for (unsigned i = from; i < to; i++) {
		strcat(text, req->argv[i]);
		strcat(text, " ");
	}
	return text;
}

int pipeline_parse_filter(struct ctl_req *req, const struct pl_snapshot *s, const char *text,
                          struct lflow_atom *atoms, uint32_t max_atoms, uint32_t *n_atoms,
                          int32_t *inport_dp, uint32_t *inport_key)
{
	struct arena a;
	struct lf_error err = {0};
	struct dnf d;
	int rc = 0;
	arena_init(&a);
	*n_atoms = 0;
	*inport_dp = -1;
	*inport_key = 0;
	const struct enode *e = expr_parse(text, &a, &err);
	if (e == NULL || expr_to_dnf(e, &a, &d, &err) < 0) {
		rc = ctl_error(req, -EINVAL, "%s (at %zu)", err.msg, err.pos);
		goto out;
	}
	if (d.n != 1) {
		rc = ctl_error(req, -EINVAL, "must be one conjunction (it has %u)", d.n);
		goto out;
	}
	for (uint32_t i = 0; i < d.c[0].n; i++) {
		const struct enode *x = d.c[0].atoms[i];
		struct lflow_atom at = {.field = x->field};
		if (x->type == EN_PORT && x->field == LFLOW_F_INPORT && !x->neg) {
			uint32_t dp;
			const struct pl_lport *p = find_by_name(s, x->name, &dp);
			if (p == NULL) {
				rc = ctl_error(req, -ENOENT, "no logical port \"%s\"", x->name);
				goto out;
			}
			*inport_dp = (int32_t)dp;
			*inport_key = p->key;
			continue;
		}
		if (x->type == EN_VSET && x->n_vals > 1 && !x->neg) {
			/* A predicate's prerequisite (nd.target needs icmp6.type
			 * == {135, 136}): an equality on the same field must pick
			 * one of its values. */
			bool ok = false;
			for (uint32_t k = 0; k < d.c[0].n && !ok; k++) {
				const struct enode *y = d.c[0].atoms[k];
				if (y->type != EN_EQ || y->field != x->field)
					continue;
				for (uint32_t v = 0; v < x->n_vals && !ok; v++)
					ok = u128_eq(u128_and(y->value, x->masks[v]), x->vals[v]);
			}
			if (!ok) {
				rc = ctl_error(req, -EINVAL,
				               "%s must be one of the values its use requires",
				               lflow_field_name(x->field));
				goto out;
			}
			continue;
		}
		if (x->type == EN_EQ && x->field >= LFLOW_F_ETH_SRC) {
			at.kind = LFLOW_ATOM_EQ;
			at.value = x->value;
			at.mask = x->mask;
		} else if (x->type == EN_VSET && x->n_vals == 1 && x->field >= LFLOW_F_ETH_SRC) {
			at.kind = x->neg ? LFLOW_ATOM_NE : LFLOW_ATOM_EQ;
			at.value = x->vals[0];
			at.mask = x->masks[0];
		} else {
			rc = ctl_error(req, -EINVAL,
			               "only header fields compared with one value, and inport == "
			               "\"name\", describe packets here");
			goto out;
		}
		if (*n_atoms == max_atoms) {
			rc = ctl_error(req, -E2BIG, "more than %u comparisons", max_atoms);
			goto out;
		}
		atoms[(*n_atoms)++] = at;
	}
out:
	arena_destroy(&a);
	return rc;
}

int pipeline_trace_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	if (req->argc > 0 && strcmp(req->argv[0], "--live") == 0)
		return pipeline_live_start(req);
	if (req->argc > 0 && strcmp(req->argv[0], "--live-poll") == 0)
		return pipeline_live_poll(req);
	if (pl_state.cur == NULL)
		return ctl_error(req, -ENOTCONN, "no pipeline snapshot yet");
	const struct pl_snapshot *s = &pl_state.cur->s;
	char *text = pipeline_join_words(req, 0, req->argc);
	if (text == NULL)
		return ctl_error(req, -ENOMEM, "out of memory");
	struct lflow_atom atoms[64];
	uint32_t n, key;
	int32_t dp;
	int rc = pipeline_parse_filter(req, s, text, atoms, 64, &n, &dp, &key);
	free(text);
	if (rc)
		return rc;
	if (dp < 0)
		return ctl_error(req, -EINVAL, "microflow: inport == \"name\" is required");
	struct pl_hdrs h;
	memset(&h, 0, sizeof(h));
	h.k.nw_ttl = 64;
	for (uint32_t i = 0; i < n; i++) {
		if (atoms[i].kind != LFLOW_ATOM_EQ)
			return ctl_error(req, -EINVAL,
			                 "microflow: a packet is described by equalities");
		pl_field_set(&h, atoms[i].field, pl_u128_of(atoms[i].value),
		             pl_u128_of(atoms[i].mask));
	}
	derive_flags(&h.k);
	req->result = pipeline_trace_packet(req, s, &h.k, (uint32_t)dp, key);
	return 0;
}
