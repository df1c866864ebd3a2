/* SPDX-License-Identifier: Apache-2.0 */
#include "sbjson.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strmap.h"

struct strvec {
	char **v;
	size_t n, cap;
};

struct sb_dump {
	struct lflow_input in;
	struct lflow_in_datapath *dps;
	struct lflow_in_port *ports;
	struct lflow_in_mcgroup *mcgs;
	struct lflow_in_addrset *asets;
	struct lflow_in_portgroup *pgs;
	struct lflow_in_flow *flows;
	size_t cap_dps, cap_ports, cap_mcgs, cap_asets, cap_pgs, cap_flows;
	struct strvec strings;  /* everything allocated, freed at once */
	struct strmap chassis;  /* uuid -> name */
	struct strmap dpgroups; /* uuid -> struct strvec of datapath uuids */
	char **port_chassis;    /* per port: chassis uuid until resolved */
};

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	v = realloc(v, *cap * size);
	if (v == NULL)
		abort();
	return v;
}

static char *keep(struct sb_dump *d, const char *s)
{
	char *r = strdup(s ? s : "");
	if (r == NULL)
		abort();
	d->strings.v = grow(d->strings.v, &d->strings.cap, d->strings.n, sizeof(char *));
	d->strings.v[d->strings.n++] = r;
	return r;
}

static void *keep_mem(struct sb_dump *d, size_t size)
{
	char *r = calloc(1, size ? size : 1);
	if (r == NULL)
		abort();
	d->strings.v = grow(d->strings.v, &d->strings.cap, d->strings.n, sizeof(char *));
	d->strings.v[d->strings.n++] = r;
	return r;
}

/* A cell: "s", ["uuid", "u"], 7, ["set", [...]], ["map", [[k, v]...]]. */
static const char *cell_str(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_array(v) && json_array_size(v) == 2) {
		const char *tag = json_string_value(json_array_get(v, 0));
		json_t *x = json_array_get(v, 1);
		if (tag && (!strcmp(tag, "uuid") || !strcmp(tag, "named-uuid")))
			return json_string_value(x);
		if (tag && !strcmp(tag, "set") && json_array_size(x) == 1)
			return cell_str(json_array_get(x, 0));
	}
	return NULL;
}

static long long cell_int(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_array(v) && json_array_size(v) == 2 && json_is_array(json_array_get(v, 1)) &&
	    json_array_size(json_array_get(v, 1)) == 1)
		return cell_int(json_array_get(json_array_get(v, 1), 0));
	return 0;
}

/* Elements of a set cell (a lone atom is a set of one). */
static size_t cell_set(struct sb_dump *d, json_t *v, char ***out)
{
	json_t *elems = NULL;
	if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
	    !strcmp(json_string_value(json_array_get(v, 0)), "set"))
		elems = json_array_get(v, 1);
	size_t n = elems ? json_array_size(elems) : (cell_str(v) ? 1 : 0);
	char **r = keep_mem(d, (n + 1) * sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = keep(d, cell_str(elems ? json_array_get(elems, i) : v));
	*out = r;
	return n;
}

static const char *map_get(json_t *v, const char *key)
{
	if (!json_is_array(v) || json_array_size(v) != 2)
		return NULL;
	json_t *pairs = json_array_get(v, 1);
	for (size_t i = 0; i < json_array_size(pairs); i++) {
		json_t *p = json_array_get(pairs, i);
		const char *k = json_string_value(json_array_get(p, 0));
		if (k && !strcmp(k, key))
			return cell_str(json_array_get(p, 1));
	}
	return NULL;
}

struct cols {
	json_t *head;
};

static int col(json_t *head, const char *name)
{
	for (size_t i = 0; i < json_array_size(head); i++) {
		const char *h = json_string_value(json_array_get(head, i));
		if (h && !strcmp(h, name))
			return (int)i;
	}
	return -1;
}

static json_t *get(json_t *row, int i)
{
	return i >= 0 ? json_array_get(row, (size_t)i) : NULL;
}

static const char *table_of(json_t *obj, json_t *head)
{
	static const char *names[] = {"Datapath_Binding", "Port_Binding", "Multicast_Group",
	                              "Address_Set",      "Port_Group",   "Logical_Flow",
	                              "Logical_DP_Group", "Chassis"};
	const char *cap = json_string_value(json_object_get(obj, "caption"));
	if (cap) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strncmp(cap, names[i], strlen(names[i])) &&
			    cap[strlen(names[i])] == ' ')
				return names[i];
		return NULL;
	}
	if (col(head, "logical_port") >= 0 && col(head, "tunnel_key") >= 0)
		return "Port_Binding";
	if (col(head, "match") >= 0 && col(head, "actions") >= 0)
		return "Logical_Flow";
	if (col(head, "addresses") >= 0 && col(head, "name") >= 0)
		return "Address_Set";
	if (col(head, "name") >= 0 && col(head, "ports") >= 0)
		return col(head, "tunnel_key") >= 0 ? "Multicast_Group" : "Port_Group";
	if (col(head, "tunnel_key") >= 0 && col(head, "external_ids") >= 0)
		return "Datapath_Binding";
	if (col(head, "datapaths") >= 0 && col(head, "_uuid") >= 0 && json_array_size(head) == 2)
		return "Logical_DP_Group";
	if (col(head, "encaps") >= 0 && col(head, "hostname") >= 0)
		return "Chassis";
	return NULL;
}

static void read_table(struct sb_dump *d, const char *t, json_t *head, json_t *data)
{
	int iu = col(head, "_uuid");
	for (size_t r = 0; r < json_array_size(data); r++) {
		json_t *row = json_array_get(data, r);
		const char *uuid = cell_str(get(row, iu));
		if (!strcmp(t, "Datapath_Binding")) {
			d->dps = grow(d->dps, &d->cap_dps, d->in.n_datapaths, sizeof(*d->dps));
			struct lflow_in_datapath *x = &d->dps[d->in.n_datapaths++];
			x->uuid = keep(d, uuid);
			const char *nm = map_get(get(row, col(head, "external_ids")), "name");
			x->name = nm ? keep(d, nm) : NULL;
			x->tunnel_key = (uint32_t)cell_int(get(row, col(head, "tunnel_key")));
		} else if (!strcmp(t, "Port_Binding")) {
			size_t n = d->in.n_ports;
			size_t cap = d->cap_ports;
			d->ports = grow(d->ports, &d->cap_ports, n, sizeof(*d->ports));
			d->port_chassis = grow(d->port_chassis, &cap, n, sizeof(char *));
			struct lflow_in_port *x = &d->ports[d->in.n_ports++];
			x->name = keep(d, cell_str(get(row, col(head, "logical_port"))));
			x->datapath = keep(d, cell_str(get(row, col(head, "datapath"))));
			const char *ch = cell_str(get(row, col(head, "chassis")));
			d->port_chassis[n] = ch ? keep(d, ch) : NULL;
			x->chassis = NULL;
			x->tunnel_key = (uint32_t)cell_int(get(row, col(head, "tunnel_key")));
		} else if (!strcmp(t, "Multicast_Group")) {
			d->mcgs = grow(d->mcgs, &d->cap_mcgs, d->in.n_mcgroups, sizeof(*d->mcgs));
			struct lflow_in_mcgroup *x = &d->mcgs[d->in.n_mcgroups++];
			x->name = keep(d, cell_str(get(row, col(head, "name"))));
			x->datapath = keep(d, cell_str(get(row, col(head, "datapath"))));
			x->tunnel_key = (uint32_t)cell_int(get(row, col(head, "tunnel_key")));
		} else if (!strcmp(t, "Address_Set")) {
			d->asets =
			        grow(d->asets, &d->cap_asets, d->in.n_addrsets, sizeof(*d->asets));
			struct lflow_in_addrset *x = &d->asets[d->in.n_addrsets++];
			char **v;
			x->name = keep(d, cell_str(get(row, col(head, "name"))));
			x->n_addrs = cell_set(d, get(row, col(head, "addresses")), &v);
			x->addrs = (const char *const *)v;
		} else if (!strcmp(t, "Port_Group")) {
			d->pgs = grow(d->pgs, &d->cap_pgs, d->in.n_portgroups, sizeof(*d->pgs));
			struct lflow_in_portgroup *x = &d->pgs[d->in.n_portgroups++];
			char **v;
			x->name = keep(d, cell_str(get(row, col(head, "name"))));
			x->n_ports = cell_set(d, get(row, col(head, "ports")), &v);
			x->ports = (const char *const *)v;
		} else if (!strcmp(t, "Logical_Flow")) {
			d->flows = grow(d->flows, &d->cap_flows, d->in.n_flows, sizeof(*d->flows));
			struct lflow_in_flow *x = &d->flows[d->in.n_flows++];
			x->uuid = keep(d, uuid);
			x->match = keep(d, cell_str(get(row, col(head, "match"))));
			x->actions = keep(d, cell_str(get(row, col(head, "actions"))));
			const char *p = cell_str(get(row, col(head, "pipeline")));
			x->pipeline = p != NULL && !strcmp(p, "egress");
			x->table = (unsigned)cell_int(get(row, col(head, "table_id")));
			x->priority = (int)cell_int(get(row, col(head, "priority")));
			/* datapaths: logical_datapath now, the group's after reading all */
			const char *dp = cell_str(get(row, col(head, "logical_datapath")));
			const char *grp = cell_str(get(row, col(head, "logical_dp_group")));
			char **v = keep_mem(d, 2 * sizeof(*v));
			v[0] = keep(d, dp ? dp : "");
			v[1] = grp ? keep(d, grp) : NULL;
			x->datapaths = (const char *const *)v;
			x->n_datapaths = dp ? 1 : 0;
		} else if (!strcmp(t, "Logical_DP_Group")) {
			struct strvec *g = keep_mem(d, sizeof(*g));
			g->n = cell_set(d, get(row, col(head, "datapaths")), &g->v);
			strmap_put(&d->dpgroups, uuid ? uuid : "", g);
		} else if (!strcmp(t, "Chassis")) {
			const char *nm = cell_str(get(row, col(head, "name")));
			strmap_put(&d->chassis, uuid ? uuid : "", keep(d, nm));
		}
	}
}

static void finish(struct sb_dump *d)
{
	for (size_t i = 0; i < d->in.n_ports; i++)
		if (d->port_chassis[i])
			d->ports[i].chassis = strmap_get(&d->chassis, d->port_chassis[i]);
	for (size_t i = 0; i < d->in.n_flows; i++) {
		struct lflow_in_flow *x = &d->flows[i];
		const char *grp = x->datapaths[1];
		if (x->n_datapaths == 0 && grp != NULL) {
			const struct strvec *g = strmap_get(&d->dpgroups, grp);
			x->datapaths = g ? (const char *const *)g->v : x->datapaths;
			x->n_datapaths = g ? g->n : 0;
		}
	}
	d->in.datapaths = d->dps;
	d->in.ports = d->ports;
	d->in.mcgroups = d->mcgs;
	d->in.addrsets = d->asets;
	d->in.portgroups = d->pgs;
	d->in.flows = d->flows;
}

struct sb_dump *sb_dump_parse(const char *buf, size_t len, const char *name)
{
	json_error_t jerr;
	struct sb_dump *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	strmap_init(&d->chassis);
	strmap_init(&d->dpgroups);
	size_t pos = 0;
	int err = 0;
	while (pos < len) {
		while (pos < len && (buf[pos] == ' ' || buf[pos] == '\n' || buf[pos] == '\t' ||
		                     buf[pos] == '\r'))
			pos++;
		if (pos >= len)
			break;
		json_t *obj = json_loadb(buf + pos, len - pos, JSON_DISABLE_EOF_CHECK, &jerr);
		if (obj == NULL || jerr.position == 0) {
			fprintf(stderr, "%s: JSON error at byte %zu: %s\n", name, pos, jerr.text);
			json_decref(obj);
			err = EINVAL;
			break;
		}
		pos += jerr.position;
		json_t *head = json_object_get(obj, "headings");
		json_t *data = json_object_get(obj, "data");
		const char *t = json_is_array(head) ? table_of(obj, head) : NULL;
		if (t != NULL && json_is_array(data))
			read_table(d, t, head, data);
		json_decref(obj);
	}
	finish(d);
	if (err) {
		sb_dump_free(d);
		errno = err;
		return NULL;
	}
	return d;
}

struct sb_dump *sb_dump_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL) {
		fclose(f);
		return NULL;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	bool bad = ferror(f);
	fclose(m);
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		errno = EIO;
		return NULL;
	}
	struct sb_dump *d = sb_dump_parse(buf, len, path);
	free(buf);
	return d;
}

const struct lflow_input *sb_dump_input(const struct sb_dump *d)
{
	return &d->in;
}

void sb_dump_free(struct sb_dump *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->strings.n; i++)
		free(d->strings.v[i]);
	free(d->strings.v);
	free(d->dps);
	free(d->ports);
	free(d->mcgs);
	free(d->asets);
	free(d->pgs);
	free(d->flows);
	free(d->port_chassis);
	strmap_destroy(&d->chassis);
	strmap_destroy(&d->dpgroups);
	free(d);
}
