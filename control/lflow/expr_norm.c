/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalisation to disjunctive normal form, and the canonical printed form.
 *
 * Within a conjunction, atoms are sorted (type, field, name, value) and
 * equalities on one field merge into one masked equality; a contradiction
 * kills the conjunction. An AND of ORs multiplies out, which is why sets
 * stay single atoms: `ip4.src == $a && tcp.dst == {80, 443}' is one
 * conjunction of two atoms, not a cross product.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expr.h"
#include "symtab.h"
#include "u128.h"

static int atom_cmp(const struct enode *a, const struct enode *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	if (a->neg != b->neg)
		return a->neg ? 1 : -1;
	if (a->name != NULL || b->name != NULL) {
		int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
		if (c != 0)
			return c;
	}
	if (a->type == EN_EQ) {
		int c = u128_cmp(a->mask, b->mask);
		return c != 0 ? c : u128_cmp(a->value, b->value);
	}
	if (a->type == EN_VSET) {
		if (a->n_vals != b->n_vals)
			return a->n_vals < b->n_vals ? -1 : 1;
		for (uint32_t i = 0; i < a->n_vals; i++) {
			int c = u128_cmp(a->vals[i], b->vals[i]);
			if (c == 0)
				c = u128_cmp(a->masks[i], b->masks[i]);
			if (c != 0)
				return c;
		}
	}
	return 0;
}

static int atom_qsort_cmp(const void *a, const void *b)
{
	return atom_cmp(*(const struct enode *const *)a, *(const struct enode *const *)b);
}

/* Checks literal value sets against equalities on the same field: `x == 1
 * && x != {1, 2}' cannot match. */
static bool vsets_consistent(const struct conj *c)
{
	for (uint32_t i = 0; i < c->n; i++) {
		const struct enode *e = c->atoms[i];
		if (e->type != EN_EQ)
			continue;
		for (uint32_t j = 0; j < c->n; j++) {
			const struct enode *v = c->atoms[j];
			if (v->type != EN_VSET || v->field != e->field)
				continue;
			bool any = false, all_known = true;
			for (uint32_t k = 0; k < v->n_vals; k++) {
				if (!u128_zero(u128_and(v->masks[k], u128_not(e->mask)))) {
					all_known = false;
					continue;
				}
				if (u128_eq(u128_and(e->value, v->masks[k]), v->vals[k]))
					any = true;
			}
			if (v->neg ? any : (all_known && !any))
				return false;
		}
	}
	return true;
}

/* Sorts and merges the atoms of @p c in place. False if it cannot match. */
static bool conj_simplify(struct conj *c, struct arena *a)
{
	if (c->n > 1)
		qsort(c->atoms, c->n, sizeof(*c->atoms), atom_qsort_cmp);
	uint32_t o = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct enode *n = c->atoms[i];
		const struct enode *p = o > 0 ? c->atoms[o - 1] : NULL;
		if (p != NULL && p->type == n->type && p->field == n->field) {
			if (n->type == EN_EQ) {
				struct lflow_u128 both = u128_and(p->mask, n->mask);
				if (!u128_eq(u128_and(p->value, both), u128_and(n->value, both)))
					return false;
				struct enode *m = arena_alloc(a, sizeof(*m));
				*m = *p;
				m->mask = u128_or(p->mask, n->mask);
				m->value = u128_or(p->value, n->value);
				c->atoms[o - 1] = m;
				continue;
			}
			if (n->type == EN_PORT && !p->neg && !n->neg &&
			    strcmp(p->name, n->name) != 0)
				return false;
			if (atom_cmp(p, n) == 0)
				continue;
		}
		/* x in S and x not in S, resident and not resident. */
		if (p != NULL && p->type == n->type && p->field == n->field && p->neg != n->neg &&
		    p->name != NULL && n->name != NULL && strcmp(p->name, n->name) == 0)
			return false;
		c->atoms[o++] = n;
	}
	c->n = o;
	return vsets_consistent(c);
}

struct dnf_ctx {
	struct arena *a;
	struct lf_error *err;
};

static int dnf_rec(struct dnf_ctx *cx, const struct enode *e, struct dnf *out);

static int dnf_and(struct dnf_ctx *cx, const struct enode *e, struct dnf *out)
{
	struct dnf acc;
	acc.c = arena_zalloc(cx->a, sizeof(*acc.c));
	acc.n = 1; /* one empty conjunction: true */
	for (uint32_t k = 0; k < e->n_kids && acc.n > 0; k++) {
		struct dnf kd;
		int r = dnf_rec(cx, e->kids[k], &kd);
		if (r < 0)
			return r;
		size_t total = (size_t)acc.n * kd.n;
		if (total > EXPR_MAX_CONJ) {
			lf_error_set(cx->err, 0, "match too complex: over %d conjunctions",
			             EXPR_MAX_CONJ);
			return -E2BIG;
		}
		struct dnf nd;
		nd.c = arena_alloc(cx->a, (total ? total : 1) * sizeof(*nd.c));
		nd.n = 0;
		for (uint32_t i = 0; i < acc.n; i++) {
			for (uint32_t j = 0; j < kd.n; j++) {
				struct conj *c = &nd.c[nd.n];
				c->n = acc.c[i].n + kd.c[j].n;
				c->atoms =
				        arena_alloc(cx->a, (c->n ? c->n : 1) * sizeof(*c->atoms));
				if (acc.c[i].n)
					memcpy(c->atoms, acc.c[i].atoms,
					       acc.c[i].n * sizeof(*c->atoms));
				if (kd.c[j].n)
					memcpy(c->atoms + acc.c[i].n, kd.c[j].atoms,
					       kd.c[j].n * sizeof(*c->atoms));
				if (conj_simplify(c, cx->a))
					nd.n++;
			}
		}
		acc = nd;
	}
	*out = acc;
	return 0;
}

static int dnf_rec(struct dnf_ctx *cx, const struct enode *e, struct dnf *out)
{
	switch (e->type) {
	case EN_FALSE:
		out->c = NULL;
		out->n = 0;
		return 0;
	case EN_TRUE:
		out->c = arena_zalloc(cx->a, sizeof(*out->c));
		out->n = 1;
		return 0;
	case EN_AND:
		return dnf_and(cx, e, out);
	case EN_OR: {
		struct dnf *parts = arena_alloc(cx->a, e->n_kids * sizeof(*parts));
		size_t total = 0;
		for (uint32_t k = 0; k < e->n_kids; k++) {
			int r = dnf_rec(cx, e->kids[k], &parts[k]);
			if (r < 0)
				return r;
			total += parts[k].n;
		}
		if (total > EXPR_MAX_CONJ) {
			lf_error_set(cx->err, 0, "match too complex: over %d conjunctions",
			             EXPR_MAX_CONJ);
			return -E2BIG;
		}
		out->c = arena_alloc(cx->a, (total ? total : 1) * sizeof(*out->c));
		out->n = 0;
		for (uint32_t k = 0; k < e->n_kids; k++) {
			if (parts[k].n == 0)
				continue;
			memcpy(out->c + out->n, parts[k].c, parts[k].n * sizeof(*out->c));
			out->n += parts[k].n;
		}
		return 0;
	}
	default:
		out->c = arena_alloc(cx->a, sizeof(*out->c));
		out->c->atoms = arena_alloc(cx->a, sizeof(*out->c->atoms));
		out->c->atoms[0] = e;
		out->c->n = 1;
		out->n = 1;
		return 0;
	}
}

static int conj_cmp(const void *pa, const void *pb)
{
	const struct conj *a = pa, *b = pb;
	for (uint32_t i = 0; i < a->n && i < b->n; i++) {
		int c = atom_cmp(a->atoms[i], b->atoms[i]);
		if (c != 0)
			return c;
	}
	return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

int expr_to_dnf(const struct enode *e, struct arena *a, struct dnf *out, struct lf_error *err)
{
	struct dnf_ctx cx = {a, err};
	int r = dnf_rec(&cx, e, out);
	if (r < 0)
		return r;
	/* Canonical order, no duplicates; a true conjunction absorbs all. */
	for (uint32_t i = 0; i < out->n; i++) {
		if (out->c[i].n == 0) {
			out->c[0] = out->c[i];
			out->n = 1;
			return 0;
		}
	}
	if (out->n > 1)
		qsort(out->c, out->n, sizeof(*out->c), conj_cmp);
	uint32_t o = 0;
	for (uint32_t i = 0; i < out->n; i++)
		if (o == 0 || conj_cmp(&out->c[o - 1], &out->c[i]) != 0)
			out->c[o++] = out->c[i];
	out->n = o;
	return 0;
}

/* Prefix length of mask @p m over @p w bits, or -1 if not a prefix. */
static int prefix_len(struct lflow_u128 m, unsigned w)
{
	unsigned n = u128_popcount(m);
	struct lflow_u128 p = u128_shl(u128_low_mask(n), w - n);
	return u128_eq(p, m) ? (int)n : -1;
}

static void fmt_plain(char fmt, struct lflow_u128 v, char *buf, size_t size)
{
	if (fmt == 'E') {
		uint64_t x = v.lo;
		snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(x >> 40) & 0xff,
		         (unsigned)(x >> 32) & 0xff, (unsigned)(x >> 24) & 0xff,
		         (unsigned)(x >> 16) & 0xff, (unsigned)(x >> 8) & 0xff, (unsigned)x & 0xff);
	} else if (fmt == '4') {
		uint32_t x = (uint32_t)v.lo;
		snprintf(buf, size, "%u.%u.%u.%u", x >> 24, (x >> 16) & 0xff, (x >> 8) & 0xff,
		         x & 0xff);
	} else if (fmt == '6') {
		unsigned char b[16];
		for (int i = 0; i < 8; i++) {
			b[i] = (unsigned char)(v.hi >> (56 - 8 * i));
			b[i + 8] = (unsigned char)(v.lo >> (56 - 8 * i));
		}
		if (inet_ntop(AF_INET6, b, buf, (socklen_t)size) == NULL)
			snprintf(buf, size, "?");
	} else if (fmt == 'D' && v.hi == 0) {
		snprintf(buf, size, "%llu", (unsigned long long)v.lo);
	} else if (v.hi != 0) {
		snprintf(buf, size, "0x%llx%016llx", (unsigned long long)v.hi,
		         (unsigned long long)v.lo);
	} else {
		snprintf(buf, size, "%#llx", (unsigned long long)v.lo);
		if (v.lo == 0)
			snprintf(buf, size, "0");
	}
}

void value_format(unsigned field, struct lflow_u128 v, struct lflow_u128 m, bool full, char *buf,
                  size_t size)
{
	char fmt = lflow_field_format(field);
	unsigned w = lflow_field_width(field);
	fmt_plain(fmt, v, buf, size);
	if (full)
		return;
	size_t n = strlen(buf);
	if (fmt == '4' || fmt == '6') {
		int p = prefix_len(m, w);
		if (p >= 0) {
			snprintf(buf + n, size - n, "/%d", p);
			return;
		}
	}
	if (n + 2 < size) {
		buf[n] = '/';
		fmt_plain(fmt == 'D' ? 'H' : fmt, m, buf + n + 1, size - n - 1);
	}
}

static const char *ct_bits[8] = {"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"};

static void eq_format(const struct enode *n, char *buf, size_t size)
{
	unsigned w = lflow_field_width(n->field);
	struct lflow_u128 full = u128_low_mask(w);
	if (n->field == LFLOW_F_CT_STATE) {
		size_t o = 0;
		buf[0] = '\0';
		for (unsigned b = 0; b < 8 && o < size; b++) {
			if (!u128_bit(n->mask, b))
				continue;
			o += (size_t)snprintf(buf + o, size - o, "%s%sct.%s", o ? " && " : "",
			                      u128_bit(n->value, b) ? "" : "!", ct_bits[b]);
		}
		return;
	}
	char v[100];
	value_format(n->field, n->value, n->mask, u128_eq(n->mask, full), v, sizeof(v));
	snprintf(buf, size, "%s == %s", lflow_field_name(n->field), v);
}

void atom_format(const struct enode *n, char *buf, size_t size)
{
	const char *fname = lflow_field_name(n->field);
	const char *op = n->neg ? "!=" : "==";
	switch (n->type) {
	case EN_EQ:
		eq_format(n, buf, size);
		break;
	case EN_VSET: {
		unsigned w = lflow_field_width(n->field);
		size_t o = (size_t)snprintf(buf, size, "%s %s %s", fname, op,
		                            n->n_vals > 1 ? "{" : "");
		for (uint32_t i = 0; i < n->n_vals && o < size; i++) {
			char v[100];
			value_format(n->field, n->vals[i], n->masks[i],
			             u128_eq(n->masks[i], u128_low_mask(w)), v, sizeof(v));
			o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", v);
		}
		if (n->n_vals > 1 && o < size)
			snprintf(buf + o, size - o, "}");
		break;
	}
	case EN_ASET:
		snprintf(buf, size, "%s %s $%s", fname, op, n->name);
		break;
	case EN_PGRP:
		snprintf(buf, size, "%s %s @%s", fname, op, n->name);
		break;
	case EN_PORT:
		snprintf(buf, size, "%s %s \"%s\"", fname, op, n->name);
		break;
	case EN_RESIDENT:
		snprintf(buf, size, "%sis_chassis_resident(\"%s\")", n->neg ? "!" : "", n->name);
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
}

char *dnf_format(const struct dnf *d, struct arena *a)
{
	if (d->n == 0)
		return arena_strdup(a, "0");
	if (d->n == 1 && d->c[0].n == 0)
		return arena_strdup(a, "1");
	size_t cap = 256, len = 0;
	char *out = malloc(cap);
	if (out == NULL)
		abort();
	out[0] = '\0';
	for (uint32_t i = 0; i < d->n; i++) {
		const struct conj *c = &d->c[i];
		bool paren = d->n > 1 && c->n > 1;
		for (uint32_t j = 0; j <= c->n + 1; j++) {
			const struct enode *at = j >= 1 && j <= c->n ? c->atoms[j - 1] : NULL;
			size_t need = 256 + (at && at->type == EN_VSET ? at->n_vals * 96u : 0);
			char *buf = malloc(need);
			if (buf == NULL)
				abort();
			if (j == 0)
				snprintf(buf, need, "%s%s", i ? " || " : "", paren ? "(" : "");
			else if (j == c->n + 1)
				snprintf(buf, need, "%s", paren ? ")" : "");
			else {
				size_t o = 0;
				if (j > 1)
					o = (size_t)snprintf(buf, need, " && ");
				atom_format(at, buf + o, need - o);
			}
			size_t n = strlen(buf);
			while (len + n + 1 > cap) {
				cap *= 2;
				out = realloc(out, cap);
				if (out == NULL)
					abort();
			}
			memcpy(out + len, buf, n + 1);
			len += n;
			free(buf);
		}
	}
	char *r = arena_strdup(a, out);
	free(out);
	return r;
}
