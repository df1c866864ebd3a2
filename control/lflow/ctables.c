/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logical tables: which instances sit in each, their shape, and the
 * canonical dump that tests compare (tables by key, entries by priority
 * then text, sets by key: nothing that depends on the order of changes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_int.h"
#include "expr.h"
#include "symtab.h"
#include "u128.h"

struct c_table *c_table_get(struct lflow_compiler *c, uint32_t dp_key, int pipeline, unsigned table)
{
	char key[64];
	snprintf(key, sizeof(key), "%u/%d/%u", dp_key, pipeline, table);
	struct c_table *t = strmap_get(&c->tables, key);
	if (t != NULL)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		abort();
	t->dp_key = dp_key;
	t->pipeline = (uint8_t)pipeline;
	t->table = (uint16_t)table;
	strmap_put(&c->tables, key, t);
	return t;
}

void c_table_mark(struct lflow_compiler *c, struct c_table *t)
{
	if (c->n_dirty_tables == c->cap_dirty_tables) {
		c->cap_dirty_tables = c->cap_dirty_tables ? c->cap_dirty_tables * 2 : 256;
		c->dirty_tables =
		        realloc(c->dirty_tables, c->cap_dirty_tables * sizeof(*c->dirty_tables));
		if (c->dirty_tables == NULL)
			abort();
	}
	c->dirty_tables[c->n_dirty_tables++] = t;
}

static enum table_set_role set_role(const void *aux, uint32_t id)
{
	const struct lflow_compiler *c = aux;
	if (id >= c->n_set_ids || c->set_ids[id] == NULL)
		return TABLE_SET_FILTER;
	const struct c_set *s = c->set_ids[id];
	if (s->key[0] != 'L')
		return TABLE_SET_FILTER;
	return s->lpm ? TABLE_SET_PREFIXES : TABLE_SET_KEYS;
}

/* The entries of @p t, gathered from its live members; compacts them. */
static struct table_entry *table_entries(const struct lflow_compiler *c, struct c_table *t,
                                         size_t *n_out, const struct c_inst ***inst_out)
{
	size_t n = 0, cap = 16;
	struct table_entry *v = malloc(cap * sizeof(*v));
	const struct c_inst **iv = malloc(cap * sizeof(*iv));
	if (v == NULL || iv == NULL)
		abort();
	uint32_t o = 0, n_flows = 0;
	for (uint32_t i = 0; i < t->members.n; i++) {
		struct c_flow *f = c_flow_at(c, t->members.v[i]);
		if (f == NULL)
			continue;
		t->members.v[o++] = t->members.v[i];
		n_flows++;
		for (size_t k = 0; k < f->n_inst; k++) {
			const struct c_inst *in = &f->inst[k];
			if (in->table != t)
				continue;
			for (uint32_t j = 0; j < in->n_entries; j++) {
				if (n == cap) {
					cap *= 2;
					v = realloc(v, cap * sizeof(*v));
					iv = realloc(iv, cap * sizeof(*iv));
					if (v == NULL || iv == NULL)
						abort();
				}
				iv[n] = in;
				v[n++] = in->entries[j];
			}
		}
	}
	t->members.n = o;
	t->n_flows = n_flows;
	*n_out = n;
	if (inst_out)
		*inst_out = iv;
	else
		free(iv);
	return v;
}

void c_tables_rebuild(struct lflow_compiler *c)
{
	c->last_tables_rebuilt = 0;
	for (size_t i = 0; i < c->n_dirty_tables; i++) {
		struct c_table *t = c->dirty_tables[i];
		if (!t->dirty)
			continue;
		t->dirty = false;
		size_t n;
		struct table_entry *e = table_entries(c, t, &n, NULL);
		if (table_shape_compute(&t->shape, e, n, set_role, c) < 0)
			t->shape.shape = LFLOW_SHAPE_TUPLE;
		t->n_entries = n;
		free(e);
		c->last_tables_rebuilt++;
	}
	c->n_dirty_tables = 0;
}

void c_tables_destroy(struct lflow_compiler *c)
{
	size_t i = 0;
	struct c_table *t;
	while ((t = strmap_next(&c->tables, &i, NULL)) != NULL) {
		free(t->members.v);
		free(t);
	}
	strmap_destroy(&c->tables);
	free(c->dirty_tables);
	c->dirty_tables = NULL;
	c->n_dirty_tables = c->cap_dirty_tables = 0;
}

void c_atom_format(const struct lflow_compiler *c, const struct lflow_atom *a, char *buf,
                   size_t size)
{
	const char *name = lflow_field_name(a->field);
	unsigned w = lflow_field_width(a->field);
	if (a->kind == LFLOW_ATOM_IN_SET || a->kind == LFLOW_ATOM_NOT_SET) {
		const struct c_set *s = a->set_id < c->n_set_ids ? c->set_ids[a->set_id] : NULL;
		snprintf(buf, size, "%s %s {%s}", name,
		         a->kind == LFLOW_ATOM_IN_SET ? "in" : "not in", s ? s->key : "?");
		return;
	}
	char v[100];
	if (lflow_field_format(a->field) == 'S')
		snprintf(v, sizeof(v), "%llu", (unsigned long long)a->value.lo);
	else
		value_format(a->field, a->value, a->mask, u128_eq(a->mask, u128_low_mask(w)), v,
		             sizeof(v));
	snprintf(buf, size, "%s %s %s", name, a->kind == LFLOW_ATOM_NE ? "!=" : "==", v);
}

struct dump_line {
	int32_t priority;
	char *text;
};

static int line_cmp(const void *pa, const void *pb)
{
	const struct dump_line *a = pa, *b = pb;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return strcmp(a->text, b->text);
}

static int table_cmp(const void *pa, const void *pb)
{
	const struct c_table *a = *(const struct c_table *const *)pa;
	const struct c_table *b = *(const struct c_table *const *)pb;
	if (a->dp_key != b->dp_key)
		return a->dp_key < b->dp_key ? -1 : 1;
	if (a->pipeline != b->pipeline)
		return a->pipeline < b->pipeline ? -1 : 1;
	return a->table < b->table ? -1 : a->table > b->table;
}

static struct c_table **sorted_tables(const struct lflow_compiler *c, size_t *n_out)
{
	struct c_table **v = calloc(c->tables.n + 1, sizeof(*v));
	if (v == NULL)
		abort();
	size_t i = 0, n = 0;
	struct c_table *t;
	while ((t = strmap_next(&c->tables, &i, NULL)) != NULL)
		if (t->n_entries > 0)
			v[n++] = t;
	qsort(v, n, sizeof(*v), table_cmp);
	*n_out = n;
	return v;
}

static char *entry_text(const struct lflow_compiler *c, const struct table_entry *e,
                        const struct c_inst *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		abort();
	for (uint32_t k = 0; k < e->n_atoms; k++) {
		char a[700];
		c_atom_format(c, &e->atoms[k], a, sizeof(a));
		fprintf(m, "%s%s", k ? " && " : "", a);
	}
	if (e->n_atoms == 0)
		fputs("1", m);
	fputs(" =>", m);
	for (size_t k = 0; k < in->prog_len; k++)
		fprintf(m, " %016llx", (unsigned long long)in->prog[k]);
	fclose(m);
	return buf;
}

int lflow_compiler_dump(const struct lflow_compiler *c, FILE *out)
{
	size_t n_t;
	struct c_table **tv = sorted_tables(c, &n_t);
	for (size_t i = 0; i < n_t; i++) {
		struct c_table *t = tv[i];
		size_t n;
		const struct c_inst **iv;
		struct table_entry *e = table_entries(c, t, &n, &iv);
		struct dump_line *l = calloc(n ? n : 1, sizeof(*l));
		if (l == NULL)
			abort();
		for (size_t k = 0; k < n; k++) {
			l[k].priority = e[k].priority;
			l[k].text = entry_text(c, &e[k], iv[k]);
		}
		qsort(l, n, sizeof(*l), line_cmp);
		fprintf(out, "table dp=%u %s %u: %s, %zu entries\n", t->dp_key,
		        t->pipeline ? "egress" : "ingress", t->table,
		        table_shape_name(t->shape.shape), n);
		for (size_t k = 0; k < n; k++) {
			fprintf(out, "  %d: %s\n", l[k].priority, l[k].text);
			free(l[k].text);
		}
		free(l);
		free(e);
		free(iv);
	}
	free(tv);
	/* Sets in use, by key. */
	char **keys = calloc(c->n_set_ids + 1, sizeof(*keys));
	const struct c_set **sv = calloc(c->n_set_ids + 1, sizeof(*sv));
	if (keys == NULL || sv == NULL)
		abort();
	size_t n_s = 0;
	for (uint32_t id = 0; id < c->n_set_ids; id++)
		if (c->set_ids[id] != NULL)
			sv[n_s++] = c->set_ids[id];
	for (size_t i = 1; i < n_s; i++) /* insertion sort: few sets */
		for (size_t k = i; k > 0 && strcmp(sv[k - 1]->key, sv[k]->key) > 0; k--) {
			const struct c_set *x = sv[k];
			sv[k] = sv[k - 1];
			sv[k - 1] = x;
		}
	for (size_t i = 0; i < n_s; i++)
		c_set_format(sv[i], out);
	free(keys);
	free(sv);
	return ferror(out) ? -EIO : 0;
}

int lflow_compiler_dump_shapes(const struct lflow_compiler *c, FILE *out)
{
	size_t n_t;
	struct c_table **tv = sorted_tables(c, &n_t);
	for (size_t i = 0; i < n_t; i++) {
		const struct c_table *t = tv[i];
		fprintf(out, "table dp=%u %s %u: %s, %u flows, %zu entries, %zu field sets\n",
		        t->dp_key, t->pipeline ? "egress" : "ingress", t->table,
		        table_shape_name(t->shape.shape), t->n_flows, t->n_entries,
		        t->shape.n_masks);
	}
	free(tv);
	return ferror(out) ? -EIO : 0;
}

int lflow_compiler_tables(const struct lflow_compiler *c,
                          void (*fn)(void *aux, const struct lflow_table_info *t), void *aux)
{
	size_t n_t;
	struct c_table **tv = sorted_tables(c, &n_t);
	for (size_t i = 0; i < n_t; i++) {
		const struct c_table *t = tv[i];
		struct lflow_table_info ti = {
		        .dp_key = t->dp_key,
		        .pipeline = t->pipeline,
		        .table = t->table,
		        .shape = t->shape.shape,
		        .n_flows = t->n_flows,
		        .n_entries = t->n_entries,
		        .n_masks = t->shape.n_masks,
		};
		fn(aux, &ti);
	}
	free(tv);
	return 0;
}

void lflow_compiler_export(const struct lflow_compiler *c,
                           void (*fn)(void *aux, const struct lflow_table_info *t,
                                      const struct lflow_export_entry *e, size_t n),
                           void *aux)
{
	size_t n_t;
	struct c_table **tv = sorted_tables(c, &n_t);
	for (size_t i = 0; i < n_t; i++) {
		const struct c_table *t = tv[i];
		size_t n = 0, cap = 16;
		struct lflow_export_entry *v = malloc(cap * sizeof(*v));
		if (v == NULL)
			abort();
		for (uint32_t m = 0; m < t->members.n; m++) {
			const struct c_flow *f = c_flow_at(c, t->members.v[m]);
			if (f == NULL)
				continue;
			for (size_t k = 0; k < f->n_inst; k++) {
				const struct c_inst *in = &f->inst[k];
				if (in->table != t)
					continue;
				for (uint32_t j = 0; j < in->n_entries; j++) {
					if (n == cap) {
						cap *= 2;
						v = realloc(v, cap * sizeof(*v));
						if (v == NULL)
							abort();
					}
					v[n++] = (struct lflow_export_entry){
					        .priority = in->entries[j].priority,
					        .n_atoms = in->entries[j].n_atoms,
					        .atoms = in->entries[j].atoms,
					        .prog = in->prog,
					        .prog_len = in->prog_len,
					        .uuid = f->uuid,
					        .match = f->match,
					        .actions = f->actions,
					};
				}
			}
		}
		struct lflow_table_info ti = {
		        .dp_key = t->dp_key,
		        .pipeline = t->pipeline,
		        .table = t->table,
		        .shape = t->shape.shape,
		        .n_flows = t->n_flows,
		        .n_entries = t->n_entries,
		        .n_masks = t->shape.n_masks,
		};
		fn(aux, &ti, v, n);
		free(v);
	}
	free(tv);
}

bool lflow_compiler_set_values(const struct lflow_compiler *c, uint32_t id, size_t *n,
                               const struct lflow_u128 **vals, const struct lflow_u128 **masks)
{
	if (id >= c->n_set_ids || c->set_ids[id] == NULL)
		return false;
	*n = c->set_ids[id]->n;
	*vals = c->set_ids[id]->vals;
	*masks = c->set_ids[id]->masks;
	return true;
}

uint32_t lflow_compiler_n_set_ids(const struct lflow_compiler *c)
{
	return c->n_set_ids;
}
