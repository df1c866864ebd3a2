/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table shape selection: each logical table (datapath, pipeline, table id)
 * gets the lookup its flows' conjunctions allow. See docs/lflow.md.
 */
#ifndef FERRY_LFLOW_TABLES_H
#define FERRY_LFLOW_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/lflow_prog.h"
#include "expr.h"

struct table_shape {
	enum lflow_shape shape;
	size_t n_flows;
	size_t n_entries; /* conjunctions, value-set elements counted one each */
	size_t n_masks;   /* distinct field sets (tuples) seen, at most 64 */
	uint64_t sets[64];
	uint64_t fields; /* bit per LFLOW_F_* matched anywhere */
};

/** Fold one flow's conjunctions into @p t (start from a zeroed struct). */
void table_shape_add(struct table_shape *t, const struct dnf *d);
/** Name of a shape. */
const char *table_shape_name(enum lflow_shape s);

#endif
