/* SPDX-License-Identifier: Apache-2.0 */
/* Database-free steps of building a snapshot's tables (prepare.c). */
#ifndef FERRY_CONTROL_PIPELINE_PREPARE_H
#define FERRY_CONTROL_PIPELINE_PREPARE_H

#include <stdint.h>

#include "control/lflow/arena.h"
#include "dataplane/api/pipeline.h"

/** The prepared form of each of @p n atoms (struct pl_fatom), from @p ar. */
struct pl_fatom *pl_prepare_atoms(struct arena *ar, const struct lflow_atom *a, uint32_t n);

/** qsort_r order of a table's entries: priority first (highest first),
 *  then content, so that equal tables come out equal; @p flows is the
 *  struct pl_flow array the entries' flow fields index. */
int pl_entry_cmp(const void *pa, const void *pb, void *flows);

/** An index on the field most of @p n sorted entries test exactly (see
 *  struct pl_index), when at least half of a large table's entries do;
 *  NULL otherwise. */
const struct pl_index *pl_prepare_index(struct arena *ar, const struct pl_entry *e, uint32_t n);

struct lflow_export_entry;

/** Snapshot entries for @p n compiled entries @p x, all from @p ar: atoms
 *  and program copied, atoms prepared; the caller sets each .flow. */
struct pl_entry *pl_prepare_entries(struct arena *ar, const struct lflow_export_entry *x, size_t n);

/** Make @p e (n entries, .flow set, indexing @p flows) table @p t: sorted,
 *  numbered from *@p entry_ids, its miss numbered from *@p miss_ids, and
 *  indexed when it pays. */
void pl_prepare_table(struct arena *ar, struct pl_table *t, struct pl_entry *e, size_t n,
                      const struct pl_flow *flows, uint32_t *entry_ids, uint32_t *miss_ids);

#endif
