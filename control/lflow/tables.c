/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shapes, from the entries' signatures. An entry's signature is the set of
 * fields it tests with full masks (its key), the one field it tests with a
 * proper prefix if any, and whether it tests anything else (a partial
 * non-prefix mask, an inequality, a negated set). Named sets are their own
 * hash or LPM, tested after the table lookup, and do not change the shape.
 *
 * - exact: one key signature for all, no prefixes, nothing else.
 * - lpm: the entries with a prefix, and those testing only full keys, form
 *   a few key signatures (at most 4); for each key value one prefix field;
 *   and along each (key, prefix field) a longer prefix never has a lower
 *   priority, so that the longest match is the highest-priority one. Up to
 *   TABLE_LPM_MAX_SIDE other entries may sit strictly above (or below) all
 *   of those in priority: a small tuple search before (after) the LPM. This
 *   is the routing table: per-router prefixes on ip4.dst or ip6.dst,
 *   priority by prefix length, a few special cases on top.
 * - tuple: everything else.
 */
#include "tables.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "symtab.h"
#include "u128.h"

struct sig {
	uint64_t exact; /* fields tested with a full mask */
	int prefix;     /* field tested with a proper prefix, or -1 */
	unsigned plen;  /* its length */
	struct lflow_u128 pval, pmask;
	bool other;      /* anything an exact or LPM lookup cannot do */
	uint64_t keyval; /* hash of the exact atoms' values */
	int32_t priority;
	size_t keys; /* literal set elements multiply the entry */
};

static int prefix_len(struct lflow_u128 m, unsigned w)
{
	unsigned n = u128_popcount(m);
	return u128_eq(m, u128_shl(u128_low_mask(n), w - n)) ? (int)n : -1;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static struct sig entry_sig(const struct table_entry *e, table_set_role_fn *role, const void *aux)
{
	struct sig s = {0, -1, 0, {0, 0}, {0, 0}, false, 0, e->priority, 1};
	for (uint32_t i = 0; i < e->n_atoms; i++) {
		const struct lflow_atom *a = &e->atoms[i];
		unsigned w = lflow_field_width(a->field);
		if (a->kind == LFLOW_ATOM_EQ) {
			int p = prefix_len(a->mask, w);
			if (p == (int)w) {
				s.exact |= 1ull << a->field;
				s.keyval = mix(mix(s.keyval, a->field), a->value.hi ^ a->value.lo);
			} else if (p > 0 && s.prefix < 0) {
				s.prefix = a->field;
				s.plen = (unsigned)p;
				s.pval = a->value;
				s.pmask = a->mask;
			} else {
				s.other = true;
			}
		} else if (a->kind == LFLOW_ATOM_IN_SET) {
			enum table_set_role r = role ? role(aux, a->set_id) : TABLE_SET_FILTER;
			if (r == TABLE_SET_KEYS) {
				s.exact |= 1ull << a->field;
				s.keyval = mix(mix(s.keyval, a->field), 0x5e7 + a->set_id);
			} else if (r == TABLE_SET_PREFIXES) {
				s.other = true;
			}
		} else {
			s.other = true;
		}
	}
	return s;
}

static int sig_cmp(const void *pa, const void *pb)
{
	const struct sig *a = pa, *b = pb;
	if (a->exact != b->exact)
		return a->exact < b->exact ? -1 : 1;
	if (a->keyval != b->keyval)
		return a->keyval < b->keyval ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return a->priority < b->priority ? -1 : a->priority > b->priority;
}

/* Whether a longer prefix inside a shorter one of the same key and field
 * has a lower priority: then the longest match is not the right answer.
 * Quadratic in the size of one (key, field) group, bounded. */
static bool priority_inverted(const struct sig *s, size_t from, size_t to)
{
	if (to - from > 4096)
		return true;
	for (size_t i = from; i < to; i++)
		for (size_t k = from; k < to; k++)
			if (s[k].plen > s[i].plen && s[k].priority < s[i].priority &&
			    (s[i].prefix < 0 ||
			     u128_eq(u128_and(s[k].pval, s[i].pmask), s[i].pval)))
				return true;
	return false;
}

/* The LPM test on the entries that are not side entries (sorted). */
static bool lpm_ok(const struct sig *s, size_t n)
{
	uint64_t keysets[4];
	size_t n_keysets = 0, group = 0;
	bool any_prefix = false;
	for (size_t i = 0; i < n; i++) {
		any_prefix |= s[i].prefix >= 0;
		bool seen = false;
		for (size_t k = 0; k < n_keysets; k++)
			seen |= keysets[k] == s[i].exact;
		if (!seen) {
			if (n_keysets == 4)
				return false;
			keysets[n_keysets++] = s[i].exact;
		}
		if (i > 0 && (s[i].exact != s[i - 1].exact || s[i].keyval != s[i - 1].keyval)) {
			if (priority_inverted(s, group, i))
				return false;
			group = i;
			continue;
		}
		/* Same key: one prefix field (entries without one are /0). */
		if (i > 0 && s[i].prefix >= 0 && s[i - 1].prefix >= 0 &&
		    s[i].prefix != s[i - 1].prefix)
			return false;
	}
	return any_prefix && !priority_inverted(s, group, n);
}

int table_shape_compute(struct table_shape *t, struct table_entry *e, size_t n,
                        table_set_role_fn *role, const void *aux)
{
	memset(t, 0, sizeof(*t));
	if (n == 0)
		return 0;
	struct sig *s = malloc(n * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	bool other = false, prefix = false;
	for (size_t i = 0; i < n; i++) {
		s[i] = entry_sig(&e[i], role, aux);
		other |= s[i].other;
		prefix |= s[i].prefix >= 0;
		t->n_entries += s[i].keys;
	}
	/* distinct tuples */
	uint64_t *masks = malloc(n * sizeof(*masks));
	if (masks == NULL) {
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t f = s[i].exact | (s[i].prefix >= 0 ? 1ull << s[i].prefix : 0) |
		             (s[i].other ? 1ull << 63 : 0);
		bool seen = false;
		for (size_t k = 0; k < t->n_masks && !seen; k++)
			seen = masks[k] == f;
		if (!seen)
			masks[t->n_masks++] = f;
	}
	free(masks);
	if (!other && !prefix) {
		t->shape = LFLOW_SHAPE_EXACT;
		for (size_t i = 1; i < n; i++)
			if (s[i].exact != s[0].exact)
				t->shape = LFLOW_SHAPE_TUPLE;
		free(s);
		return 0;
	}
	t->shape = LFLOW_SHAPE_TUPLE;
	if (prefix) {
		/* The LPM part: prefix entries, and full-key entries between
		 * their priorities. Side entries: the rest, all strictly above
		 * or below, few, searched as a tuple before or after. */
		int32_t lo = INT32_MAX, hi = INT32_MIN;
		for (size_t i = 0; i < n; i++) {
			if (s[i].other || s[i].prefix < 0)
				continue;
			lo = s[i].priority < lo ? s[i].priority : lo;
			hi = s[i].priority > hi ? s[i].priority : hi;
		}
		size_t n_side = 0, o = 0;
		bool sides_ok = true;
		for (size_t i = 0; i < n; i++) {
			bool inside = s[i].priority >= lo && s[i].priority <= hi;
			if (inside && !s[i].other)
				s[o++] = s[i];
			else if (inside)
				sides_ok = false;
			else
				n_side++;
		}
		sides_ok &= n_side <= TABLE_LPM_MAX_SIDE;
		qsort(s, o, sizeof(*s), sig_cmp);
		if (sides_ok && lpm_ok(s, o))
			t->shape = LFLOW_SHAPE_LPM;
	}
	free(s);
	return 0;
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
