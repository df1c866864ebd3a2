/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logical flow actions: parsed form, canonical text, program encoding.
 *
 * Every action is one entry of LFLOW_ACTIONS (dataplane/api/lflow_prog.h).
 * That list expands here into parse_X, format_X and encode_X for each
 * action X; actions that share a syntax share an implementation through a
 * #define, so the list stays the one place that names them all.
 */
#ifndef FERRY_LFLOW_ACTIONS_H
#define FERRY_LFLOW_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/lflow_prog.h"
#include "expr.h"
#include "lex.h"

struct lf_symbol;

/* A field reference as written: symbol and bit range relative to it. */
struct aref {
	const struct lf_symbol *sym;
	unsigned ofs, width;
	bool sub;
};

enum aval_kind {
	AV_INT, /* value[/mask], with fmt; range: value-hi; port: value:port */
	AV_STR,
	AV_FIELD,
	AV_SET,  /* { values } */
	AV_WORD, /* a bare identifier that names no field (tcp, true, drop), or
	          * a macro: `$cookie' (s holds the `$') */
};

struct aval {
	enum aval_kind kind;
	enum lex_format fmt;
	bool has_mask, has_hi, has_port, bracket;
	struct lflow_u128 value, mask;
	uint32_t hi, port;
	const char *s;
	struct aref f;
	struct aval *elems;
	size_t n;
	size_t pos; /* byte offset, for errors */
};

struct aarg {
	const char *key; /* NULL for a positional argument */
	struct aval v;
	char sep;   /* separator before this argument: ',' or ';' (first: 0) */
	size_t pos; /* byte offset of the key, or of the value */
};

struct act {
	enum lflow_op op;
	struct act *next;
	bool has_dst;
	struct aref dst; /* assignment target, result R */
	struct aref src; /* move, exchange, push, pop */
	struct aval val; /* load constant */
	bool has_args;   /* written with (...) */
	struct aarg *args;
	size_t n_args;
	char trailing_sep; /* ',' or ';' written just before `)', else 0 */
	size_t args_end;   /* byte offset of the `)' */
	bool has_nested;   /* written with { ... } */
	struct act *nested;
	unsigned table; /* next */
	int pipeline;   /* next: 0 ingress, 1 egress */
};

/* Logical tables per pipeline that ovn-controller 23.03 has
 * (LOG_PIPELINE_LEN): next; may not go past the last. */
#define LFLOW_N_TABLES 29

/* Where the flow sits: next; needs it. */
struct act_ctx {
	int pipeline; /* 0 ingress, 1 egress */
	unsigned table;
};

/**
 * Parse the actions column. @p prereq receives the prerequisites the
 * actions add to the match (TRUE tree if none).
 * @return the list (NULL for `drop;' or empty: then *dropped is true),
 * or NULL with @p err set.
 */
struct act *actions_parse(const char *text, const struct act_ctx *ctx, struct arena *a,
                          const struct enode **prereq, struct lf_error *err);

/** Canonical text of an action list. */
char *actions_format(const struct act *acts, struct arena *a);

/** Name of an action. */
const char *action_name(enum lflow_op op);
/** Whether the fast path executes @p op now. */
bool action_executable(enum lflow_op op);

/* A growing program. */
struct prog_buf {
	uint64_t *w;
	size_t n, cap;
};

/* Resolves a port or multicast group name (outport = "p") to its tunnel key;
 * 0 when unknown. */
typedef uint32_t lflow_port_key_fn(void *aux, const char *name);

/**
 * Append the encoding of @p acts (no actions encodes DROP). Punted actions
 * keep only their header and nested sub-program: their operands stay in the
 * parsed form that the control plane keeps with the flow.
 */
void actions_encode(const struct act *acts, struct prog_buf *pb, lflow_port_key_fn *key, void *aux);
void prog_buf_free(struct prog_buf *pb);

/** Count, per opcode, actions (nested included) the fast path cannot run. */
void actions_count_punted(const struct act *acts, unsigned counts[LFLOW_OP_N]);

#endif
