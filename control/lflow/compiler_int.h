/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by compiler.c (rows, dependencies, commit), resolve.c
 * (one flow on one datapath), sets.c (compiled sets) and ctables.c (tables,
 * shapes, dump). Not for other modules.
 */
#ifndef FERRY_LFLOW_COMPILER_INT_H
#define FERRY_LFLOW_COMPILER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "compiler.h"
#include "dataplane/api/lflow_prog.h"
#include "strmap.h"
#include "tables.h"

struct c_dp {
	char *uuid, *name;
	uint32_t key;
};

struct c_port {
	char *name, *dp, *chassis;
	uint32_t key;
};

struct c_mcg {
	char *name, *dp;
	uint32_t key;
};

struct c_names { /* address set or port group */
	char *name;
	char **v;
	size_t n;
};

/* A compiled set: members of an address set, a port group on one datapath,
 * or a literal value set, for one field. Shared by every atom that names
 * it; a change to the row detaches it (stale) so that recompiled flows
 * build a fresh one while the old dies with its last reference. */
struct c_set {
	char *key; /* "A|field|name", "G|field|dp|name", "L|field|values" */
	uint32_t id, refs;
	uint16_t field;
	bool lpm, stale;
	size_t n;
	struct lflow_u128 *vals, *masks; /* sorted */
};

/* One conjunction of one flow on one datapath: struct table_entry. */
#define c_entry table_entry

struct c_table;

struct c_inst {
	uint32_t dp_key;
	struct c_table *table;
	struct c_entry *entries;
	uint32_t n_entries;
	uint64_t *prog;
	size_t prog_len; /* words */
};

struct c_flow {
	uint32_t slot, gen;
	bool dirty;
	char *uuid;
	char **dps;
	size_t n_dps;
	int pipeline;
	unsigned table;
	int priority;
	char *match, *actions;
	struct c_inst *inst;
	size_t n_inst;
	char *error; /* NULL when compiled */
	bool parse_error, punted;
	uint64_t punted_ops[(LFLOW_OP_N + 63) / 64]; /* bit per action not executable yet */
};

struct slotref {
	uint32_t slot, gen;
};

struct refvec {
	struct slotref *v;
	uint32_t n, cap;
};

struct c_table {
	uint32_t dp_key;
	uint8_t pipeline;
	uint16_t table;
	bool dirty;
	uint32_t n_flows;
	struct refvec members;
	struct table_shape shape;
	size_t n_entries;
};

struct lflow_compiler {
	bool lenient;
	char *chassis;
	struct strmap dps, dps_by_name, ports, mcgs, asets, pgrps;
	struct strmap flows; /* uuid -> c_flow */
	struct c_flow **slots;
	uint32_t n_slots, cap_slots;
	uint32_t *free_slots;
	uint32_t n_free;
	struct strmap deps; /* "A:name" ... -> struct refvec */
	struct strmap sets; /* key -> c_set (live ones) */
	struct c_set **set_ids;
	uint32_t n_set_ids;
	struct strmap tables; /* "dp/pipeline/table" -> c_table */
	struct refvec dirty;  /* flows to recompile */
	struct arena scratch;
	uint32_t next_gen;
	struct c_table **dirty_tables;
	size_t n_dirty_tables, cap_dirty_tables;
	size_t last_recompiled, last_tables_rebuilt;
};

/* compiler.c */
struct c_flow *c_flow_at(const struct lflow_compiler *c, struct slotref r);
void c_dep_add(struct lflow_compiler *c, const char *kind, const char *name, struct c_flow *f);
void refvec_push(struct refvec *v, struct slotref r);

/* resolve.c: compile @p f from its text into instances. */
void c_flow_compile(struct lflow_compiler *c, struct c_flow *f);
void c_flow_release(struct lflow_compiler *c, struct c_flow *f);

/* sets.c */
struct c_set *c_set_get(struct lflow_compiler *c, const char *key, uint16_t field,
                        const struct lflow_u128 *vals, const struct lflow_u128 *masks, size_t n);
struct c_set *c_set_lookup(struct lflow_compiler *c, const char *key);
void c_set_unref(struct lflow_compiler *c, uint32_t id);
/** Detach every live set whose key has kind @p kind and name @p name. */
void c_set_detach(struct lflow_compiler *c, char kind, const char *name);
void c_sets_destroy(struct lflow_compiler *c);
void c_set_format(const struct c_set *s, FILE *out);

/* ctables.c */
struct c_table *c_table_get(struct lflow_compiler *c, uint32_t dp_key, int pipeline,
                            unsigned table);
void c_table_mark(struct lflow_compiler *c, struct c_table *t);
void c_tables_rebuild(struct lflow_compiler *c);
void c_tables_destroy(struct lflow_compiler *c);
void c_atom_format(const struct lflow_compiler *c, const struct lflow_atom *a, char *buf,
                   size_t size);

#endif
