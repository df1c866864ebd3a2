/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Match expressions.
 *
 * The parser builds a tree whose leaves are already in final form: negation
 * is pushed down to the leaves while parsing (De Morgan), relational
 * operators become masked equalities on prefixes, each leaf on a field with
 * prerequisites is ANDed with them, register overlays are split into their
 * 32-bit registers. The normaliser then only has AND and OR to deal with and
 * turns the tree into disjunctive normal form: a list of conjunctions of
 * atoms. Sets (address sets, port groups, literal value sets) stay single
 * atoms, so they never multiply the number of conjunctions.
 */
#ifndef FERRY_LFLOW_EXPR_H
#define FERRY_LFLOW_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/lflow_prog.h"

struct arena;
struct lexer;
struct lf_symbol;

enum en_type {
	EN_FALSE,
	EN_TRUE,
	EN_EQ,       /* (field & mask) == value */
	EN_VSET,     /* field in (or, neg, not in) literal values */
	EN_ASET,     /* field in address set `name' */
	EN_PGRP,     /* inport/outport in port group `name' */
	EN_PORT,     /* inport/outport is port `name' */
	EN_RESIDENT, /* is_chassis_resident(name) */
	EN_AND,
	EN_OR,
};

struct enode {
	uint8_t type; /* enum en_type */
	bool neg;     /* VSET, ASET, PGRP, PORT, RESIDENT */
	uint16_t field;
	struct lflow_u128 value, mask; /* EQ */
	const char *name;              /* ASET, PGRP, PORT, RESIDENT */
	struct lflow_u128 *vals;       /* VSET: values, at the field's bit position */
	struct lflow_u128 *masks;
	uint32_t n_vals;
	uint32_t n_kids; /* AND, OR */
	const struct enode **kids;
};

/** An error: message and byte offset in the text that was parsed. */
struct lf_error {
	char msg[200];
	size_t pos;
	bool set;
};

void lf_error_set(struct lf_error *e, size_t pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/**
 * Parse a match expression. Nodes live in @p a.
 * @return the tree, or NULL with @p err set.
 */
const struct enode *expr_parse(const char *text, struct arena *a, struct lf_error *err);

/** Parse a match expression from a lexer positioned at its first token;
 *  stops at the first token that cannot continue it. */
const struct enode *expr_parse_lexer(struct lexer *lx, struct lf_error *err);

/** The prerequisites of symbol @p sym as a tree (TRUE if none). */
const struct enode *expr_symbol_prereq(const struct lf_symbol *sym, struct lf_error *err);

const struct enode *expr_and(struct arena *a, const struct enode *l, const struct enode *r);

/* Disjunctive normal form. */
struct conj {
	const struct enode **atoms; /* sorted, merged */
	uint32_t n;
};

struct dnf {
	struct conj *c;
	uint32_t n;
};

/** Most conjunctions one match may normalise to before it is an error. */
#define EXPR_MAX_CONJ 10000

/** Normalise @p e. @return 0, or -E2BIG with @p err set. */
int expr_to_dnf(const struct enode *e, struct arena *a, struct dnf *out, struct lf_error *err);

/** Print @p d in canonical form ("1", "0", "a && b", "(a && b) || c"). */
char *dnf_format(const struct dnf *d, struct arena *a);
/** Print one atom. */
void atom_format(const struct enode *n, char *buf, size_t size);
/** Print a value of physical field @p field with @p mask (full mask: no "/"). */
void value_format(unsigned field, struct lflow_u128 v, struct lflow_u128 m, bool full, char *buf,
                  size_t size);

#endif
