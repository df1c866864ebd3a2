/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A table is exact when every conjunction tests the same fields with full
 * masks (value sets count: one key per element); LPM when, besides such
 * exact fields, each conjunction has one prefix on the same field; tuple
 * space otherwise. Set references and residency tests are resolved before
 * lookup (sets are their own hash/LPM) and do not change the shape.
 */
#include "tables.h"

#include <stdbool.h>
#include <string.h>

#include "symtab.h"
#include "u128.h"

/* Per-table signature state kept across flows: we only need the first
 * conjunction's exact field set and prefix field to compare with. */
struct sig {
	uint64_t exact;  /* fields tested with a full mask */
	uint64_t prefix; /* fields tested with a proper prefix */
	bool other;      /* a non-prefix partial mask or negated value set */
};

static struct sig conj_sig(const struct conj *c)
{
	struct sig s = {0, 0, false};
	for (uint32_t i = 0; i < c->n; i++) {
		const struct enode *a = c->atoms[i];
		unsigned w = lflow_field_width(a->field);
		struct lflow_u128 full = u128_low_mask(w);
		if (a->type == EN_EQ) {
			if (u128_eq(a->mask, full)) {
				s.exact |= 1ull << a->field;
			} else {
				unsigned n = u128_popcount(a->mask);
				if (u128_eq(a->mask, u128_shl(u128_low_mask(n), w - n)))
					s.prefix |= 1ull << a->field;
				else
					s.other = true;
			}
		} else if (a->type == EN_VSET) {
			if (a->neg)
				s.other = true;
			else
				s.exact |= 1ull << a->field;
		} else if (a->type == EN_PORT && !a->neg) {
			s.exact |= 1ull << a->field;
		} else if (a->type != EN_RESIDENT) {
			s.other = true; /* set membership: checked after the lookup */
		}
	}
	return s;
}

/* Masks seen so far, for counting tuples: small open table of signatures. */
void table_shape_add(struct table_shape *t, const struct dnf *d)
{
	t->n_flows++;
	for (uint32_t i = 0; i < d->n; i++) {
		const struct conj *c = &d->c[i];
		struct sig s = conj_sig(c);
		size_t entries = 1;
		for (uint32_t k = 0; k < c->n; k++)
			if (c->atoms[k]->type == EN_VSET && !c->atoms[k]->neg)
				entries *= c->atoms[k]->n_vals;
		t->n_entries += entries;
		uint64_t f = s.exact | s.prefix;
		bool seen = false;
		for (size_t k = 0; k < t->n_masks; k++)
			seen |= t->sets[k] == f;
		if (!seen && t->n_masks < 64)
			t->sets[t->n_masks++] = f;
		enum lflow_shape want = s.other                               ? LFLOW_SHAPE_TUPLE
		                        : s.prefix == 0                       ? LFLOW_SHAPE_EXACT
		                        : __builtin_popcountll(s.prefix) == 1 ? LFLOW_SHAPE_LPM
		                                                              : LFLOW_SHAPE_TUPLE;
		if (t->shape == LFLOW_SHAPE_EMPTY) {
			t->shape = want;
			t->fields = f;
			continue;
		}
		if (f != t->fields) {
			t->shape = LFLOW_SHAPE_TUPLE;
			t->fields |= f;
			continue;
		}
		if (want != t->shape) {
			/* exact entries fit an LPM table as full-length prefixes */
			if (!((want == LFLOW_SHAPE_EXACT && t->shape == LFLOW_SHAPE_LPM) ||
			      (want == LFLOW_SHAPE_LPM && t->shape == LFLOW_SHAPE_EXACT)))
				t->shape = LFLOW_SHAPE_TUPLE;
			else
				t->shape = LFLOW_SHAPE_LPM;
		}
	}
}

const char *table_shape_name(enum lflow_shape s)
{
	switch (s) {
	case LFLOW_SHAPE_EMPTY:
		return "empty";
	case LFLOW_SHAPE_EXACT:
		return "exact";
	case LFLOW_SHAPE_LPM:
		return "lpm";
	case LFLOW_SHAPE_TUPLE:
		return "tuple";
	}
	return "?";
}
