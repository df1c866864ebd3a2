/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table shape selection: each logical table (datapath, pipeline, table id)
 * gets the lookup its resolved entries allow. See docs/lflow.md.
 */
#ifndef FERRY_LFLOW_TABLES_H
#define FERRY_LFLOW_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/lflow_prog.h"

/* One resolved conjunction of one flow. */
struct table_entry {
	int32_t priority;
	uint32_t n_atoms;
	struct lflow_atom *atoms; /* sorted by field */
};

/* How a set atom takes part in the lookup. */
enum table_set_role {
	TABLE_SET_FILTER,  /* named set: its own hash/LPM, tested after the lookup */
	TABLE_SET_KEYS,    /* small literal set of full values: one key each */
	TABLE_SET_PREFIXES /* small literal set of prefixes: one LPM entry each */
};

typedef enum table_set_role table_set_role_fn(const void *aux, uint32_t set_id);

struct table_shape {
	enum lflow_shape shape;
	size_t n_entries; /* entries, literal set elements counted one each */
	size_t n_masks;   /* distinct field sets (tuples) */
};

/** Largest number of entries that neither fit the LPM nor spoil it, when
 *  they all sit above or below every prefix entry in priority. */
#define TABLE_LPM_MAX_SIDE 16

/**
 * Choose the shape of a table holding @p n entries @p e (scratch order may
 * change). @return 0 or -ENOMEM.
 */
int table_shape_compute(struct table_shape *t, struct table_entry *e, size_t n,
                        table_set_role_fn *role, const void *aux);
/** Name of a shape. */
const char *table_shape_name(enum lflow_shape s);

#endif
