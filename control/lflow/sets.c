/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled sets: what `$address_set', `@port_group' and literal `{...}'
 * become. Members are sorted and deduplicated; a set whose masks are all
 * full is a hash set, one with prefixes an LPM table. Atoms refer to a set
 * by id; ids are reused, so the canonical dump names a set by its key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_int.h"
#include "expr.h"
#include "symtab.h"
#include "u128.h"

struct member {
	struct lflow_u128 v, m;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = u128_cmp(x->v, y->v);
	return c ? c : u128_cmp(x->m, y->m);
}

struct c_set *c_set_lookup(struct lflow_compiler *c, const char *key)
{
	struct c_set *s = strmap_get(&c->sets, key);
	if (s != NULL)
		s->refs++;
	return s;
}

struct c_set *c_set_get(struct lflow_compiler *c, const char *key, uint16_t field,
                        const struct lflow_u128 *vals, const struct lflow_u128 *masks, size_t n)
{
	struct c_set *s = c_set_lookup(c, key);
	if (s != NULL)
		return s;
	s = calloc(1, sizeof(*s));
	struct member *m = calloc(n ? n : 1, sizeof(*m));
	if (s == NULL || m == NULL)
		abort();
	unsigned w = lflow_field_width(field);
	struct lflow_u128 full = u128_low_mask(w);
	for (size_t i = 0; i < n; i++) {
		m[i].m = masks[i];
		m[i].v = u128_and(vals[i], masks[i]);
	}
	qsort(m, n, sizeof(*m), member_cmp);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (o == 0 || member_cmp(&m[o - 1], &m[i]) != 0)
			m[o++] = m[i];
	s->key = strdup(key);
	s->vals = calloc(o ? o : 1, sizeof(*s->vals));
	s->masks = calloc(o ? o : 1, sizeof(*s->masks));
	if (s->key == NULL || s->vals == NULL || s->masks == NULL)
		abort();
	for (size_t i = 0; i < o; i++) {
		s->vals[i] = m[i].v;
		s->masks[i] = m[i].m;
		if (!u128_eq(m[i].m, full))
			s->lpm = true;
	}
	free(m);
	s->n = o;
	s->field = field;
	s->refs = 1;
	/* id: first free slot */
	uint32_t id = 0;
	while (id < c->n_set_ids && c->set_ids[id] != NULL)
		id++;
	if (id == c->n_set_ids) {
		c->set_ids = realloc(c->set_ids, (c->n_set_ids + 64) * sizeof(*c->set_ids));
		if (c->set_ids == NULL)
			abort();
		memset(c->set_ids + c->n_set_ids, 0, 64 * sizeof(*c->set_ids));
		c->n_set_ids += 64;
	}
	s->id = id;
	c->set_ids[id] = s;
	strmap_put(&c->sets, key, s);
	return s;
}

static void set_free(struct c_set *s)
{
	free(s->key);
	free(s->vals);
	free(s->masks);
	free(s);
}

void c_set_unref(struct lflow_compiler *c, uint32_t id)
{
	if (id >= c->n_set_ids || c->set_ids[id] == NULL)
		return;
	struct c_set *s = c->set_ids[id];
	if (--s->refs > 0)
		return;
	if (!s->stale)
		strmap_del(&c->sets, s->key);
	c->set_ids[id] = NULL;
	set_free(s);
}

/* Keys: "A|field|name", "G|field|dp|name". */
static bool key_names(const char *key, char kind, const char *name)
{
	if (key[0] != kind)
		return false;
	const char *last = strrchr(key, '|');
	return last != NULL && strcmp(last + 1, name) == 0;
}

void c_set_detach(struct lflow_compiler *c, char kind, const char *name)
{
	for (uint32_t id = 0; id < c->n_set_ids; id++) {
		struct c_set *s = c->set_ids[id];
		if (s == NULL || s->stale || !key_names(s->key, kind, name))
			continue;
		strmap_del(&c->sets, s->key);
		s->stale = true;
	}
}

void c_sets_destroy(struct lflow_compiler *c)
{
	for (uint32_t id = 0; id < c->n_set_ids; id++)
		if (c->set_ids[id])
			set_free(c->set_ids[id]);
	free(c->set_ids);
	c->set_ids = NULL;
	c->n_set_ids = 0;
	strmap_destroy(&c->sets);
}

void c_set_format(const struct c_set *s, FILE *out)
{
	unsigned w = lflow_field_width(s->field);
	fprintf(out, "set %s: %s, %zu members:", s->key, s->lpm ? "lpm" : "hash", s->n);
	for (size_t i = 0; i < s->n; i++) {
		char buf[100];
		if (lflow_field_format(s->field) == 'S')
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->vals[i].lo);
		else
			value_format(s->field, s->vals[i], s->masks[i],
			             u128_eq(s->masks[i], u128_low_mask(w)), buf, sizeof(buf));
		fprintf(out, " %s", buf);
	}
	fputc('\n', out);
}
