/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From compiled logical flows to the snapshot's tables, the part that
 * needs no database: prepared atoms, the entry order, the index. build.c
 * uses it for every snapshot, and the decap fuzz target for its own.
 */
#include "control/pipeline/prepare.h"

#include <stdlib.h>
#include <string.h>

#include "control/lflow/compiler.h"
#include "dataplane/pipeline/fields.h"

int pl_entry_cmp(const void *pa, const void *pb, void *aux)
{
	const struct pl_entry *a = pa, *b = pb;
	const struct pl_flow *flows = aux;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	int c = strcmp(flows[a->flow].match, flows[b->flow].match);
	if (c == 0)
		c = strcmp(flows[a->flow].actions, flows[b->flow].actions);
	if (c == 0 && a->n_atoms != b->n_atoms)
		c = a->n_atoms < b->n_atoms ? -1 : 1;
	if (c == 0)
		c = memcmp(a->atoms, b->atoms, a->n_atoms * sizeof(*a->atoms));
	return c;
}

/* The prepared form of each atom (struct pl_fatom). */
struct pl_fatom *pl_prepare_atoms(struct arena *ar, const struct lflow_atom *a, uint32_t n)
{
	struct pl_fatom *f = arena_zalloc(ar, (n + 1) * sizeof(*f));
	for (uint32_t i = 0; i < n; i++) {
		const struct pl_fdesc *d = &pl_fdesc[a[i].field];
		f[i].atom = i;
		f[i].ne = a[i].kind == LFLOW_ATOM_NE;
		bool eq = a[i].kind == LFLOW_ATOM_EQ || a[i].kind == LFLOW_ATOM_NE;
		if (!eq || a[i].mask.hi || a[i].value.hi || d->kind == PL_FD_SLOW ||
		    d->kind == PL_FD_REGS)
			continue; /* PL_FA_ATOM */
		uint64_t am = a[i].mask.lo & d->mask, av = a[i].value.lo;
		if (d->kind == PL_FD_META) {
			if (a[i].mask.lo >> 32)
				continue;
			f[i].kind = PL_FA_META;
			f[i].off = d->off;
			f[i].mask = am;
			f[i].value = av;
		} else {
			unsigned sh = d->shift + 64 - 8u * d->len;
			f[i].kind = PL_FA_KEY;
			f[i].off = d->off;
			f[i].mask = am << sh;
			f[i].value = (av & am) << sh;
		}
		/* Bits the value has outside the mask can never match. */
		if ((av & ~am) != 0)
			f[i].kind = PL_FA_NEVER;
	}
	return f;
}

#define INDEX_MIN_ENTRIES 4

static const uint8_t field_widths[LFLOW_F_N] = {
#define FIELD_WIDTH(E, N, W, F) [LFLOW_F_##E] = (W) > 255 ? 255 : (W),
        LFLOW_FIELDS(FIELD_WIDTH)
#undef FIELD_WIDTH
};

/* The full-mask equality on @p field in @p e, or NULL. */
static const struct lflow_atom *full_eq(const struct pl_entry *e, unsigned field)
{
	unsigned w = field_widths[field];
	struct lflow_u128 full = {w > 64 ? (w >= 128 ? ~0ull : (1ull << (w - 64)) - 1) : 0,
	                          w >= 64 ? ~0ull : (1ull << w) - 1};
	for (uint32_t i = 0; i < e->n_atoms; i++) {
		const struct lflow_atom *a = &e->atoms[i];
		if (a->field == field && a->kind == LFLOW_ATOM_EQ && a->mask.hi == full.hi &&
		    a->mask.lo == full.lo)
			return a;
	}
	return NULL;
}

/* An index on the field most entries test exactly (see struct pl_index),
 * when at least half of a large table's entries do. */
const struct pl_index *pl_prepare_index(struct arena *ar, const struct pl_entry *e, uint32_t n)
{
	if (n < INDEX_MIN_ENTRIES)
		return NULL;
	uint32_t count[LFLOW_F_N] = {0};
	for (uint32_t i = 0; i < n; i++)
		for (unsigned f = 0; f < LFLOW_F_N; f++)
			count[f] += full_eq(&e[i], f) != NULL;
	unsigned best = 0;
	for (unsigned f = 1; f < LFLOW_F_N; f++)
		if (count[f] > count[best])
			best = f;
	if (count[best] * 2 < n)
		return NULL;
	struct pl_index *x = arena_zalloc(ar, sizeof(*x));
	uint32_t buckets = 1;
	while (buckets < count[best])
		buckets <<= 1;
	x->field = (uint16_t)best;
	x->mask = buckets - 1;
	uint32_t *start = arena_zalloc(ar, (buckets + 2) * sizeof(*start));
	uint32_t *cand = arena_zalloc(ar, (count[best] + 1) * sizeof(*cand));
	uint32_t *wild = arena_zalloc(ar, (n - count[best] + 1) * sizeof(*wild));
	uint32_t *fill = calloc(buckets + 1, sizeof(*fill));
	if (fill == NULL)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const struct lflow_atom *a = full_eq(&e[i], best);
		if (a != NULL)
			start[pl_index_bucket(x, a->value) + 1]++;
		else
			wild[x->n_wild++] = i;
	}
	for (uint32_t b = 0; b < buckets; b++)
		start[b + 1] += start[b];
	for (uint32_t i = 0; i < n; i++) { /* ascending i keeps each bucket in order */
		const struct lflow_atom *a = full_eq(&e[i], best);
		if (a != NULL) {
			uint32_t b = pl_index_bucket(x, a->value);
			cand[start[b] + fill[b]++] = i;
		}
	}
	free(fill);
	x->bucket = start;
	x->cand = cand;
	x->wild = wild;
	return x;
}

struct pl_entry *pl_prepare_entries(struct arena *ar, const struct lflow_export_entry *x, size_t n)
{
	struct pl_entry *e = arena_zalloc(ar, n ? n * sizeof(*e) : 1);
	for (size_t i = 0; i < n; i++) {
		struct lflow_atom *atoms = arena_zalloc(ar, x[i].n_atoms * sizeof(*atoms) + 1);
		uint64_t *prog = arena_zalloc(ar, x[i].prog_len * sizeof(*prog) + 1);
		memcpy(atoms, x[i].atoms, x[i].n_atoms * sizeof(*atoms));
		memcpy(prog, x[i].prog, x[i].prog_len * sizeof(*prog));
		e[i] = (struct pl_entry){
		        .priority = x[i].priority,
		        .n_atoms = x[i].n_atoms,
		        .atoms = atoms,
		        .fatoms = pl_prepare_atoms(ar, atoms, x[i].n_atoms),
		        .prog = prog,
		        .prog_len = (uint32_t)x[i].prog_len,
		        .next_only = -1,
		};
		/* A lone "next;" lets the interpreter skip the program. */
		struct lflow_insn in;
		if (x[i].prog_len == 1) {
			memcpy(&in, x[i].prog, sizeof(in));
			if (in.op == LFLOW_OP_NEXT && !(in.flags & LFLOW_INSN_PUNT))
				e[i].next_only =
				        (int32_t)(((in.arg >> 8) & 1) << 8 | (in.arg & 0xff));
		}
	}
	return e;
}

void pl_prepare_table(struct arena *ar, struct pl_table *t, struct pl_entry *e, size_t n,
                      const struct pl_flow *flows, uint32_t *entry_ids, uint32_t *miss_ids)
{
	qsort_r(e, n, sizeof(*e), pl_entry_cmp, (void *)flows);
	for (size_t i = 0; i < n; i++)
		e[i].id = (*entry_ids)++;
	t->e = e;
	t->n = (uint32_t)n;
	t->miss_id = (*miss_ids)++;
	t->index = pl_prepare_index(ar, e, t->n);
}
