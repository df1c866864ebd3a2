/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One flow on its datapaths: parse, then resolve each conjunction's names
 * against the compiler's rows. Ports become tunnel keys (a port must sit on
 * the flow's datapath, else a multicast group of that datapath by that
 * name), is_chassis_resident() becomes true or false, named and literal
 * sets become compiled set ids. Every name consulted is a dependency,
 * found or not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_int.h"
#include "lex.h"
#include "lflow.h"
#include "symtab.h"
#include "u128.h"

struct rctx {
	struct lflow_compiler *c;
	struct c_flow *f;
	const struct c_dp *dp;
	char err[256]; /* first unresolved name on this datapath */
};

static void unresolved(struct rctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void unresolved(struct rctx *r, const char *fmt, ...)
{
	if (r->err[0] != '\0')
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

/* A port or multicast group name on this datapath; false if unknown. */
static bool port_key(struct rctx *r, const char *name, uint32_t *key)
{
	/* "" and "none" are the unset port, key 0, as OVN reads them. */
	if (name[0] == '\0' || strcmp(name, "none") == 0) {
		*key = 0;
		return true;
	}
	const struct c_port *p = strmap_get(&r->c->ports, name);
	if (p != NULL && strcmp(p->dp, r->dp->uuid) == 0) {
		*key = p->key;
		return true;
	}
	char k[512];
	snprintf(k, sizeof(k), "%s|%s", r->dp->uuid, name);
	const struct c_mcg *m = strmap_get(&r->c->mcgs, k);
	if (m != NULL) {
		*key = m->key;
		return true;
	}
	*key = 0;
	return false;
}

static uint32_t action_port_key(void *aux, const char *name)
{
	struct rctx *r = aux;
	uint32_t key;
	c_dep_add(r->c, "P", name, r->f);
	if (!port_key(r, name, &key) && !r->c->lenient)
		unresolved(r, "unknown port \"%s\" in actions on datapath %u", name, r->dp->key);
	return key;
}

/* Members of address set @p s that fit @p field, as values and masks. */
static size_t aset_values(struct lflow_compiler *c, const struct c_names *s, uint16_t field,
                          struct lflow_u128 *vals, struct lflow_u128 *masks)
{
	char fmt = lflow_field_format(field);
	unsigned w = lflow_field_width(field);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct lexer lx;
		lexer_init(&lx, s->v[i], &c->scratch);
		if (lx.tok.type != LEX_INT || lexer_peek(&lx) != LEX_END)
			continue;
		bool fits = fmt == '4'   ? lx.tok.fmt == LEX_F_IPV4
		            : fmt == '6' ? lx.tok.fmt == LEX_F_IPV6
		            : fmt == 'E' ? lx.tok.fmt == LEX_F_ETH
		                         : u128_bits(lx.tok.value) <= w;
		if (!fits)
			continue;
		vals[n] = lx.tok.value;
		masks[n] = lx.tok.has_mask ? lx.tok.mask : u128_low_mask(w);
		n++;
	}
	return n;
}

static const struct c_set *resolve_aset(struct rctx *r, const struct enode *e)
{
	struct lflow_compiler *c = r->c;
	char key[600];
	snprintf(key, sizeof(key), "A|%u|%s", e->field, e->name);
	struct c_set *s = c_set_lookup(c, key);
	if (s != NULL)
		return s;
	const struct c_names *as = strmap_get(&c->asets, e->name);
	if (as == NULL && !c->lenient) {
		unresolved(r, "unknown address set $%s", e->name);
		return NULL;
	}
	size_t n = as ? as->n : 0;
	struct lflow_u128 *v = arena_alloc(&c->scratch, (n + 1) * sizeof(*v));
	struct lflow_u128 *m = arena_alloc(&c->scratch, (n + 1) * sizeof(*m));
	n = as ? aset_values(c, as, e->field, v, m) : 0;
	return c_set_get(c, key, e->field, v, m, n);
}

static const struct c_set *resolve_pgrp(struct rctx *r, const struct enode *e)
{
	struct lflow_compiler *c = r->c;
	char key[600];
	snprintf(key, sizeof(key), "G|%u|%u|%s", e->field, r->dp->key, e->name);
	struct c_set *s = c_set_lookup(c, key);
	if (s != NULL)
		return s;
	char name[512];
	snprintf(name, sizeof(name), "%u_%s", r->dp->key, e->name);
	const struct c_names *g = strmap_get(&c->pgrps, name);
	if (g == NULL)
		g = strmap_get(&c->pgrps, e->name);
	if (g == NULL && !c->lenient) {
		unresolved(r, "unknown port group @%s", e->name);
		return NULL;
	}
	size_t n = g ? g->n : 0, k = 0;
	struct lflow_u128 *v = arena_alloc(&c->scratch, (n + 1) * sizeof(*v));
	struct lflow_u128 *m = arena_alloc(&c->scratch, (n + 1) * sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		/* Only members on this datapath: keys are per datapath. */
		const struct c_port *p = strmap_get(&c->ports, g->v[i]);
		if (p == NULL || strcmp(p->dp, r->dp->uuid) != 0)
			continue;
		v[k] = u128_make(0, p->key);
		m[k++] = u128_low_mask(32);
	}
	return c_set_get(c, key, e->field, v, m, k);
}

static const struct c_set *resolve_vset(struct rctx *r, const struct enode *e)
{
	struct lflow_compiler *c = r->c;
	size_t size = 32 + (size_t)e->n_vals * 68;
	char *key = arena_alloc(&c->scratch, size);
	size_t o = (size_t)snprintf(key, size, "L|%u|", e->field);
	for (uint32_t i = 0; i < e->n_vals && o < size; i++)
		o += (size_t)snprintf(
		        key + o, size - o, "%llx.%llx/%llx.%llx,",
		        (unsigned long long)e->vals[i].hi, (unsigned long long)e->vals[i].lo,
		        (unsigned long long)e->masks[i].hi, (unsigned long long)e->masks[i].lo);
	return c_set_get(c, key, e->field, e->vals, e->masks, e->n_vals);
}

static int atom_cmp(const void *pa, const void *pb)
{
	const struct lflow_atom *a = pa, *b = pb;
	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = u128_cmp(a->mask, b->mask);
	if (c == 0)
		c = u128_cmp(a->value, b->value);
	if (c == 0 && a->set_id != b->set_id)
		c = a->set_id < b->set_id ? -1 : 1;
	return c;
}

/* Resolves one conjunction into @p out (room for c->n atoms).
 * @return atoms written, or -1 if the conjunction cannot match. */
static int resolve_conj(struct rctx *r, const struct conj *cj, struct lflow_atom *out)
{
	int n = 0;
	for (uint32_t i = 0; i < cj->n; i++) {
		const struct enode *e = cj->atoms[i];
		struct lflow_atom *a = &out[n];
		memset(a, 0, sizeof(*a));
		a->field = e->field;
		const struct c_set *s = NULL;
		uint32_t key;
		switch (e->type) {
		case EN_EQ:
			a->kind = LFLOW_ATOM_EQ;
			a->value = e->value;
			a->mask = e->mask;
			break;
		case EN_PORT:
			if (!port_key(r, e->name, &key) && !r->c->lenient)
				unresolved(r, "unknown port \"%s\" on datapath %u", e->name,
				           r->dp->key);
			a->kind = e->neg ? LFLOW_ATOM_NE : LFLOW_ATOM_EQ;
			a->value = u128_make(0, key);
			a->mask = u128_low_mask(32);
			break;
		case EN_RESIDENT: {
			const struct c_port *p = strmap_get(&r->c->ports, e->name);
			if (p == NULL && !r->c->lenient)
				unresolved(r, "unknown port \"%s\" in is_chassis_resident()",
				           e->name);
			bool res = p != NULL && p->chassis != NULL && r->c->chassis != NULL &&
			           strcmp(p->chassis, r->c->chassis) == 0;
			if (res == e->neg)
				goto never;
			continue;
		}
		case EN_VSET:
			s = resolve_vset(r, e);
			break;
		case EN_ASET:
			s = resolve_aset(r, e);
			break;
		case EN_PGRP:
			s = resolve_pgrp(r, e);
			break;
		default:
			continue;
		}
		if (e->type == EN_VSET || e->type == EN_ASET || e->type == EN_PGRP) {
			if (s == NULL)
				goto never;
			a->kind = e->neg ? LFLOW_ATOM_NOT_SET : LFLOW_ATOM_IN_SET;
			a->set_id = s->id;
		}
		n++;
	}
	qsort(out, (size_t)n, sizeof(*out), atom_cmp);
	return n;
never:
	for (int i = 0; i < n; i++)
		if (out[i].kind == LFLOW_ATOM_IN_SET || out[i].kind == LFLOW_ATOM_NOT_SET)
			c_set_unref(r->c, out[i].set_id);
	return -1;
}

static void inst_release(struct lflow_compiler *c, struct c_inst *in)
{
	for (uint32_t i = 0; i < in->n_entries; i++) {
		const struct c_entry *e = &in->entries[i];
		for (uint32_t k = 0; k < e->n_atoms; k++)
			if (e->atoms[k].kind == LFLOW_ATOM_IN_SET ||
			    e->atoms[k].kind == LFLOW_ATOM_NOT_SET)
				c_set_unref(c, e->atoms[k].set_id);
	}
	if (in->entries)
		free((void *)in->entries[0].atoms);
	free(in->entries);
	free(in->prog);
	if (in->table && !in->table->dirty) {
		in->table->dirty = true;
		c_table_mark(c, in->table);
	}
	memset(in, 0, sizeof(*in));
}

void c_flow_release(struct lflow_compiler *c, struct c_flow *f)
{
	for (size_t i = 0; i < f->n_inst; i++)
		inst_release(c, &f->inst[i]);
	free(f->inst);
	f->inst = NULL;
	f->n_inst = 0;
	free(f->error);
	f->error = NULL;
	f->parse_error = f->punted = false;
	memset(f->punted_ops, 0, sizeof(f->punted_ops));
}

static void set_error(struct c_flow *f, bool parse, const char *msg)
{
	if (f->error != NULL)
		return;
	f->error = strdup(msg);
	if (f->error == NULL)
		abort();
	f->parse_error = parse;
}

/* Instance on datapath r->dp. False (and nothing kept) if a name is missing. */
static bool compile_inst(struct rctx *r, const struct lflow_result *res, struct c_inst *in)
{
	struct lflow_compiler *c = r->c;
	size_t n_atoms = 0;
	for (uint32_t i = 0; i < res->dnf.n; i++)
		n_atoms += res->dnf.c[i].n;
	struct c_entry *ents = calloc(res->dnf.n ? res->dnf.n : 1, sizeof(*ents));
	struct lflow_atom *atoms = calloc(n_atoms ? n_atoms : 1, sizeof(*atoms));
	if (ents == NULL || atoms == NULL)
		abort();
	ents[0].atoms = atoms; /* owner of the block, even with no entries */
	uint32_t n = 0;
	size_t used = 0;
	for (uint32_t i = 0; i < res->dnf.n; i++) {
		int k = resolve_conj(r, &res->dnf.c[i], atoms + used);
		if (k < 0)
			continue;
		ents[n].priority = r->f->priority;
		ents[n].atoms = atoms + used;
		ents[n].n_atoms = (uint32_t)k;
		used += (size_t)k;
		n++;
	}
	in->entries = ents;
	in->n_entries = n;
	in->dp_key = r->dp->key;
	struct prog_buf pb = {0};
	actions_encode(res->acts, &pb, action_port_key, r);
	in->prog = malloc((pb.n ? pb.n : 1) * sizeof(uint64_t));
	if (in->prog == NULL)
		abort();
	if (pb.n)
		memcpy(in->prog, pb.w, pb.n * sizeof(uint64_t));
	in->prog_len = pb.n;
	prog_buf_free(&pb);
	if (r->err[0] != '\0') {
		inst_release(c, in);
		return false;
	}
	in->table = c_table_get(c, in->dp_key, r->f->pipeline, r->f->table);
	refvec_push(&in->table->members, (struct slotref){r->f->slot, r->f->gen});
	if (!in->table->dirty) {
		in->table->dirty = true;
		c_table_mark(c, in->table);
	}
	return true;
}

static void add_name_deps(struct lflow_compiler *c, struct c_flow *f, const struct dnf *d)
{
	for (uint32_t i = 0; i < d->n; i++) {
		for (uint32_t k = 0; k < d->c[i].n; k++) {
			const struct enode *e = d->c[i].atoms[k];
			const char *kind = e->type == EN_ASET       ? "A"
			                   : e->type == EN_PGRP     ? "G"
			                   : e->type == EN_PORT     ? "P"
			                   : e->type == EN_RESIDENT ? "R"
			                                            : NULL;
			if (kind)
				c_dep_add(c, kind, e->name, f);
		}
	}
}

void c_flow_compile(struct lflow_compiler *c, struct c_flow *f)
{
	c_flow_release(c, f);
	f->gen = ++c->next_gen; /* old dependency and member entries go stale */
	for (size_t i = 0; i < f->n_dps; i++)
		c_dep_add(c, "D", f->dps[i], f);
	arena_reset(&c->scratch);
	struct act_ctx ctx = {.pipeline = f->pipeline, .table = f->table};
	struct lflow_result res;
	if (lflow_compile_text(f->match, f->actions, &ctx, &c->scratch, &res) < 0) {
		char msg[300];
		snprintf(msg, sizeof(msg), "error in %s: at %zu: %s",
		         res.error_in_actions ? "actions" : "match", res.err.pos, res.err.msg);
		set_error(f, true, msg);
		return;
	}
	f->punted = res.n_punted > 0;
	if (f->punted) {
		unsigned counts[LFLOW_OP_N] = {0};
		actions_count_punted(res.acts, counts);
		for (unsigned op = 0; op < LFLOW_OP_N; op++)
			if (counts[op])
				f->punted_ops[op / 64] |= UINT64_C(1) << (op % 64);
	}
	add_name_deps(c, f, &res.dnf);
	f->inst = calloc(f->n_dps ? f->n_dps : 1, sizeof(*f->inst));
	if (f->inst == NULL)
		abort();
	for (size_t i = 0; i < f->n_dps; i++) {
		struct rctx r = {.c = c, .f = f};
		r.dp = strmap_get(&c->dps, f->dps[i]);
		if (r.dp == NULL)
			r.dp = strmap_get(&c->dps_by_name, f->dps[i]);
		if (r.dp == NULL) {
			char msg[300];
			snprintf(msg, sizeof(msg), "unknown datapath %s", f->dps[i]);
			set_error(f, false, msg);
			continue;
		}
		if (compile_inst(&r, &res, &f->inst[f->n_inst]))
			f->n_inst++;
		else
			set_error(f, false, r.err);
	}
}
