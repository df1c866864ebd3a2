/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The logical flow compiler, back end: Southbound rows in, logical tables
 * out, kept up to date incrementally.
 *
 * Every Logical_Flow compiles to one instance per datapath it applies to:
 * its match's conjunctions with names resolved (ports to tunnel keys,
 * is_chassis_resident() to true or false, $address_set and @port_group to
 * compiled sets that the fast path looks up natively) and its action
 * program. Instances gather into logical tables keyed (datapath tunnel key,
 * pipeline, table id), each with the lookup shape its entries allow.
 *
 * Each flow records what it depends on: the address sets, port groups,
 * ports, multicast groups and datapaths it names, found or not (a name that
 * appears later recompiles the flows waiting for it). A change to a row
 * marks its dependents; lflow_compiler_commit() recompiles only those and
 * rebuilds only the tables they left or joined. A full compile of the same
 * rows gives the same tables: lflow_compiler_dump() prints them in a
 * canonical order, and tests compare the two.
 *
 * A flow that does not parse, or names something the input lacks, is an
 * error for that flow alone (counted, with a message); it compiles to
 * nothing until a change fixes it.
 */
#ifndef FERRY_LFLOW_COMPILER_H
#define FERRY_LFLOW_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dataplane/api/lflow_prog.h"
#include "input.h"

struct lflow_compiler;

struct lflow_stats {
	size_t n_flows;       /* Logical_Flow rows */
	size_t n_instances;   /* (flow, datapath) pairs compiled */
	size_t n_entries;     /* conjunctions in all tables */
	size_t n_tables;      /* non-empty logical tables */
	size_t n_by_shape[4]; /* enum lflow_shape */
	size_t n_sets;        /* compiled sets in use */
	size_t n_parse_errors;
	size_t n_unresolved;               /* flows naming something the input lacks */
	size_t n_punted;                   /* flows with actions the fast path cannot run yet */
	size_t n_punted_by_op[LFLOW_OP_N]; /* flows holding each such action */
	/* Work done by the last commit. */
	size_t last_recompiled, last_tables_rebuilt;
};

/**
 * A compiler. @p lenient: unknown port, group and set names resolve to
 * nothing instead of an error (the check tool without a Southbound dump).
 * @return NULL with errno set.
 */
struct lflow_compiler *lflow_compiler_create(bool lenient);
void lflow_compiler_destroy(struct lflow_compiler *c);

/** Set the local chassis name (NULL: none) for is_chassis_resident(). */
int lflow_compiler_set_chassis(struct lflow_compiler *c, const char *chassis);

/** Load every row of @p in (replacing rows with the same keys), then commit:
 *  a full compile on an empty compiler. @return 0 or -errno. */
int lflow_compiler_load(struct lflow_compiler *c, const struct lflow_input *in);

/* Row changes: insert or replace (set_*) and delete (del_*, -ENOENT when
 * absent). They only mark dependents; lflow_compiler_commit() does the work. */
int lflow_compiler_set_flow(struct lflow_compiler *c, const struct lflow_in_flow *f);
int lflow_compiler_del_flow(struct lflow_compiler *c, const char *uuid);
int lflow_compiler_set_datapath(struct lflow_compiler *c, const struct lflow_in_datapath *d);
int lflow_compiler_del_datapath(struct lflow_compiler *c, const char *uuid);
int lflow_compiler_set_port(struct lflow_compiler *c, const struct lflow_in_port *p);
int lflow_compiler_del_port(struct lflow_compiler *c, const char *name);
int lflow_compiler_set_mcgroup(struct lflow_compiler *c, const struct lflow_in_mcgroup *m);
int lflow_compiler_del_mcgroup(struct lflow_compiler *c, const char *datapath, const char *name);
int lflow_compiler_set_addrset(struct lflow_compiler *c, const struct lflow_in_addrset *s);
int lflow_compiler_del_addrset(struct lflow_compiler *c, const char *name);
int lflow_compiler_set_portgroup(struct lflow_compiler *c, const struct lflow_in_portgroup *g);
int lflow_compiler_del_portgroup(struct lflow_compiler *c, const char *name);

/** Recompile marked flows, rebuild the tables they touch. @return 0. */
int lflow_compiler_commit(struct lflow_compiler *c);

void lflow_compiler_stats(const struct lflow_compiler *c, struct lflow_stats *s);

/** The actions that flows in @p s hold but the fast path cannot run yet,
 *  most flows first (ties by name order): fills @p ops, @return how many. */
size_t lflow_stats_punted_ops(const struct lflow_stats *s, unsigned ops[LFLOW_OP_N]);

/** Print every table, entry and set in canonical order. @return 0 or -errno. */
int lflow_compiler_dump(const struct lflow_compiler *c, FILE *out);
/** One line per table: key, shape, flows and entries. */
int lflow_compiler_dump_shapes(const struct lflow_compiler *c, FILE *out);
/* One logical table, for listings. */
struct lflow_table_info {
	uint32_t dp_key;
	int pipeline; /* 0 ingress, 1 egress */
	unsigned table;
	enum lflow_shape shape;
	size_t n_flows;   /* flow instances in it */
	size_t n_entries; /* lookup entries (conjunctions, set elements) */
	size_t n_masks;   /* distinct field sets */
};

/** Call @p fn for each non-empty table, sorted by (datapath, pipeline, table). */
int lflow_compiler_tables(const struct lflow_compiler *c,
                          void (*fn)(void *aux, const struct lflow_table_info *t), void *aux);

/* One entry of one logical table, for the fast path's snapshot. */
struct lflow_export_entry {
	int32_t priority;
	uint32_t n_atoms;
	const struct lflow_atom *atoms;
	const uint64_t *prog;
	size_t prog_len;
	const char *uuid, *match, *actions;
};

/**
 * Call @p fn once for each non-empty table with all its entries (in no
 * particular order; valid during the call only).
 */
void lflow_compiler_export(const struct lflow_compiler *c,
                           void (*fn)(void *aux, const struct lflow_table_info *t,
                                      const struct lflow_export_entry *e, size_t n),
                           void *aux);

/** Compiled set @p id: its values and masks (NULL when the id is free). */
bool lflow_compiler_set_values(const struct lflow_compiler *c, uint32_t id, size_t *n,
                               const struct lflow_u128 **vals, const struct lflow_u128 **masks);
/** One past the largest set id in use. */
uint32_t lflow_compiler_n_set_ids(const struct lflow_compiler *c);

/** Call @p fn for each flow in error, with its uuid and message. */
void lflow_compiler_errors(const struct lflow_compiler *c,
                           void (*fn)(void *aux, const char *uuid, const char *msg), void *aux);

#endif
