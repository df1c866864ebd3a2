/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Match expression parser. Negation is pushed down as we go: every parse
 * function takes `neg' and returns the tree for the negated text when it is
 * set, so leaves come out final and the normaliser never sees a NOT.
 */
#include "expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "lex.h"
#include "symtab.h"
#include "u128.h"

/* ovn-controller accepts 100 levels of parentheses and no more. */
#define MAX_PAREN_DEPTH 100

struct xp {
	struct lexer *lx;
	struct arena *a;
	struct lf_error *err;
	int depth;        /* parentheses open */
	bool in_pred;     /* parsing a predicate's expansion: nominal rule relaxed */
	bool saw_nominal; /* a nominal field or predicate was tested */
};

/* A reference to (bits of) a symbol. */
struct fref {
	const struct lf_symbol *sym;
	unsigned ofs, width; /* relative to the symbol */
	bool sub;            /* written with [..] */
	size_t pos;
};

void lf_error_set(struct lf_error *e, size_t pos, const char *fmt, ...)
{
	if (e->set)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->pos = pos;
	e->set = true;
}

static bool xp_failed(struct xp *x)
{
	if (x->lx->tok.type == LEX_ERROR) {
		lf_error_set(x->err, x->lx->tok.pos, "%s", x->lx->tok.s);
		return true;
	}
	return x->err->set;
}

static void syntax_error(struct xp *x, const char *expecting)
{
	if (xp_failed(x))
		return;
	const struct lex_token *t = &x->lx->tok;
	if (t->type == LEX_ID)
		lf_error_set(x->err, t->pos, "syntax error at `%s' expecting %s", t->s, expecting);
	else
		lf_error_set(x->err, t->pos, "syntax error at %s expecting %s",
		             lex_type_name(t->type), expecting);
}

static struct enode *node(struct arena *a, enum en_type t)
{
	struct enode *n = arena_zalloc(a, sizeof(*n));
	n->type = (uint8_t)t;
	return n;
}

static const struct enode *combine(struct arena *a, enum en_type t, const struct enode *l,
                                   const struct enode *r)
{
	/* Fold constants so that trees stay small. */
	enum en_type absorb = t == EN_AND ? EN_FALSE : EN_TRUE;
	enum en_type ident = t == EN_AND ? EN_TRUE : EN_FALSE;
	if (l == NULL || r == NULL)
		return NULL;
	if (l->type == absorb || r->type == ident)
		return l;
	if (r->type == absorb || l->type == ident)
		return r;
	size_t nl = l->type == t ? l->n_kids : 1, nr = r->type == t ? r->n_kids : 1;
	struct enode *n = node(a, t);
	const struct enode **k = arena_alloc(a, (nl + nr) * sizeof(*k));
	if (l->type == t)
		memcpy(k, l->kids, nl * sizeof(*k));
	else
		k[0] = l;
	if (r->type == t)
		memcpy(k + nl, r->kids, nr * sizeof(*k));
	else
		k[nl] = r;
	n->kids = k;
	n->n_kids = (uint32_t)(nl + nr);
	return n;
}

const struct enode *expr_and(struct arena *a, const struct enode *l, const struct enode *r)
{
	return combine(a, EN_AND, l, r);
}

static bool is_reg(unsigned f)
{
	return f >= LFLOW_F_REG0 && f <= LFLOW_F_REG9;
}

/* (field & mask) == value for bits [ofs, ofs + width) of the symbol;
 * value and mask are relative to the subfield. Register overlays split. */
static const struct enode *mk_eq(struct xp *x, const struct fref *f, struct lflow_u128 v,
                                 struct lflow_u128 m)
{
	unsigned bit = f->sym->ofs + f->ofs;
	struct lflow_u128 lm = u128_low_mask(f->width);
	v = u128_shl(u128_and(v, lm), bit);
	m = u128_shl(u128_and(m, lm), bit);
	if (!is_reg(f->sym->field)) {
		struct enode *n = node(x->a, EN_EQ);
		n->field = f->sym->field;
		n->value = v;
		n->mask = m;
		return n;
	}
	const struct enode *r = node(x->a, EN_TRUE);
	for (unsigned k = 0; k < 4; k++) {
		struct lflow_u128 rm = u128_and(u128_shr(m, 32 * k), u128_low_mask(32));
		if (u128_zero(rm))
			continue;
		struct enode *n = node(x->a, EN_EQ);
		n->field = (uint16_t)(f->sym->field - k);
		n->value = u128_and(u128_shr(v, 32 * k), u128_low_mask(32));
		n->mask = rm;
		r = combine(x->a, EN_AND, r, n);
	}
	return r;
}

/* Whether the subfield lies within one physical field (true unless it is a
 * register overlay that crosses a 32-bit boundary). */
static bool single_field(const struct fref *f)
{
	unsigned lo = f->sym->ofs + f->ofs;
	return !is_reg(f->sym->field) || lo / 32 == (lo + f->width - 1) / 32;
}

/* Physical field and shift for a single_field() reference. */
static unsigned phys_field(const struct fref *f, unsigned *shift)
{
	unsigned lo = f->sym->ofs + f->ofs;
	if (!is_reg(f->sym->field)) {
		*shift = lo;
		return f->sym->field;
	}
	*shift = lo % 32;
	return f->sym->field - lo / 32;
}

/* Field not equal to one masked value. */
static const struct enode *mk_ne(struct xp *x, const struct fref *f, struct lflow_u128 v,
                                 struct lflow_u128 m)
{
	m = u128_and(m, u128_low_mask(f->width));
	if (u128_popcount(m) == 1)
		return mk_eq(x, f, u128_and(u128_not(v), m), m);
	if (single_field(f)) {
		unsigned shift;
		struct enode *n = node(x->a, EN_VSET);
		n->field = (uint16_t)phys_field(f, &shift);
		n->neg = true;
		n->vals = arena_alloc(x->a, sizeof(*n->vals));
		n->masks = arena_alloc(x->a, sizeof(*n->masks));
		n->vals[0] = u128_shl(u128_and(v, m), shift);
		n->masks[0] = u128_shl(m, shift);
		n->n_vals = 1;
		return n;
	}
	const struct enode *r = node(x->a, EN_FALSE);
	for (unsigned b = 0; b < f->width; b++) {
		if (!u128_bit(m, b))
			continue;
		struct lflow_u128 bm = u128_shl(u128_make(0, 1), b);
		r = combine(x->a, EN_OR, r, mk_eq(x, f, u128_and(u128_not(v), bm), bm));
	}
	return r;
}

/* lo <= field <= hi as an OR of prefixes. */
static const struct enode *mk_range(struct xp *x, const struct fref *f, struct lflow_u128 lo,
                                    struct lflow_u128 hi)
{
	const struct enode *r = node(x->a, EN_FALSE);
	struct lflow_u128 max = u128_low_mask(f->width);
	if (u128_cmp(lo, hi) > 0)
		return r;
	for (;;) {
		unsigned k = u128_ctz(lo);
		if (k > f->width)
			k = f->width;
		while (k > 0 && u128_cmp(u128_or(lo, u128_low_mask(k)), hi) > 0)
			k--;
		struct lflow_u128 m = u128_and(max, u128_not(u128_low_mask(k)));
		r = combine(x->a, EN_OR, r, mk_eq(x, f, lo, m));
		struct lflow_u128 end = u128_or(lo, u128_low_mask(k));
		if (u128_cmp(end, hi) >= 0)
			break;
		lo = u128_add1(end);
	}
	return r;
}

static const struct enode *parse_expr(struct xp *x, bool neg);

/* The prerequisite and predicate caches live as long as the process. */
static struct arena cache_arena;
static const struct enode *prereq_cache[256];
static const struct enode *pred_cache[256][2];
static uint8_t pred_nominal_cache[256]; /* 0 unknown, 1 boolean, 2 nominal */

static const struct enode *parse_text(const char *text, bool neg, struct lf_error *err,
                                      bool *nominal)
{
	struct lexer lx;
	lexer_init(&lx, text, &cache_arena);
	struct xp x = {.lx = &lx, .a = &cache_arena, .err = err, .in_pred = true};
	const struct enode *e = parse_expr(&x, neg);
	if (e != NULL && lx.tok.type != LEX_END)
		syntax_error(&x, "end of input");
	if (nominal != NULL)
		*nominal = x.saw_nominal;
	return err->set ? NULL : e;
}

/*
 * A predicate is nominal, as in ovn-controller, when its expansion tests a
 * nominal field (eth.type, ip.proto, icmp6.type...) or a nominal predicate:
 * `ip4', `tcp', `nd'. Those may only be tested positively: `!ip4' or
 * `ip4 == 0' is refused, since its meaning (anything but IPv4, including
 * packets that have no Ethernet type of interest) is rarely what was meant.
 */
static bool pred_nominal(const struct lf_symbol *sym)
{
	if (pred_nominal_cache[sym->index] == 0) {
		struct lf_error e = {0};
		bool nominal = false;
		parse_text(sym->expansion, false, &e, &nominal);
		pred_nominal_cache[sym->index] = nominal ? 2 : 1;
	}
	return pred_nominal_cache[sym->index] == 2;
}

const struct enode *expr_symbol_prereq(const struct lf_symbol *sym, struct lf_error *err)
{
	if (sym->prereq == NULL)
		return NULL;
	if (prereq_cache[sym->index] == NULL) {
		struct lf_error e = {0};
		prereq_cache[sym->index] = parse_text(sym->prereq, false, &e, NULL);
		if (prereq_cache[sym->index] == NULL) {
			lf_error_set(err, 0, "bad prerequisite of %s: %s", sym->name, e.msg);
			return NULL;
		}
	}
	return prereq_cache[sym->index];
}

static const struct enode *with_prereq(struct xp *x, const struct lf_symbol *sym,
                                       const struct enode *e)
{
	if (e == NULL || sym->prereq == NULL)
		return e;
	const struct enode *p = expr_symbol_prereq(sym, x->err);
	return p == NULL ? NULL : combine(x->a, EN_AND, e, p);
}

static const struct enode *predicate(struct xp *x, const struct lf_symbol *sym, bool neg)
{
	if (pred_cache[sym->index][neg] == NULL) {
		struct lf_error e = {0};
		pred_cache[sym->index][neg] = parse_text(sym->expansion, neg, &e, NULL);
		if (pred_cache[sym->index][neg] == NULL) {
			lf_error_set(x->err, x->lx->tok.pos, "bad expansion of %s: %s", sym->name,
			             e.msg);
			return NULL;
		}
	}
	return pred_cache[sym->index][neg];
}

static bool parse_int_token(struct xp *x, unsigned *out)
{
	const struct lex_token *t = &x->lx->tok;
	if (t->type != LEX_INT || t->has_mask || t->value.hi || t->value.lo > 1000) {
		syntax_error(x, "small integer");
		return false;
	}
	*out = (unsigned)t->value.lo;
	lexer_next(x->lx);
	return true;
}

/* field [ '[' n ('..' m)? ']' ] */
static bool parse_field(struct xp *x, struct fref *f)
{
	const struct lex_token *t = &x->lx->tok;
	f->pos = t->pos;
	f->sym = symtab_lookup(t->s);
	if (f->sym == NULL) {
		lf_error_set(x->err, t->pos, "unknown field or predicate `%s'", t->s);
		return false;
	}
	f->ofs = 0;
	f->width = f->sym->width;
	f->sub = false;
	lexer_next(x->lx);
	if (x->lx->tok.type != LEX_LSQUARE)
		return true;
	if (f->sym->kind == SYM_STRING || f->sym->kind == SYM_OVN_FIELD) {
		lf_error_set(x->err, x->lx->tok.pos, "cannot take bits of %s field `%s'",
		             f->sym->kind == SYM_STRING ? "string" : "action-only", f->sym->name);
		return false;
	}
	lexer_next(x->lx);
	unsigned lo, hi;
	if (!parse_int_token(x, &lo))
		return false;
	hi = lo;
	if (x->lx->tok.type == LEX_ELLIPSIS) {
		lexer_next(x->lx);
		if (!parse_int_token(x, &hi))
			return false;
	}
	if (x->lx->tok.type != LEX_RSQUARE) {
		syntax_error(x, "`]'");
		return false;
	}
	lexer_next(x->lx);
	if (hi < lo || hi >= f->sym->width) {
		lf_error_set(x->err, f->pos, "cannot select bits %u to %u of %u-bit field %s", lo,
		             hi, f->sym->width, f->sym->name);
		return false;
	}
	if (lo == 0 && hi == f->sym->width - 1u)
		return true; /* the whole field: eth.type[0..15], ip4[0] */
	if (f->sym->nominal) {
		lf_error_set(x->err, f->pos,
		             "cannot select part of nominal field %s, only all %u bits",
		             f->sym->name, f->sym->width);
		return false;
	}
	f->ofs = lo;
	f->width = hi - lo + 1;
	f->sub = true;
	return true;
}

/* A constant operand: integer (masked), string, $set, @group or { ... }. */
struct cval {
	enum lex_type type; /* LEX_INT, LEX_STRING, LEX_ASET, LEX_PGRP, LEX_LCURLY */
	struct lflow_u128 value, mask;
	bool has_mask;
	enum lex_format fmt;
	const char *s;
	struct cval *elems;
	size_t n;
	size_t pos;
};

static bool parse_cval(struct xp *x, struct cval *c, bool in_set)
{
	const struct lex_token *t = &x->lx->tok;
	memset(c, 0, sizeof(*c));
	c->pos = t->pos;
	c->type = t->type;
	switch (t->type) {
	case LEX_INT:
		c->value = t->value;
		c->mask = t->mask;
		c->has_mask = t->has_mask;
		c->fmt = t->fmt;
		lexer_next(x->lx);
		return true;
	case LEX_STRING:
	case LEX_ASET:
	case LEX_PGRP:
		c->s = t->s;
		lexer_next(x->lx);
		return true;
	case LEX_LCURLY: {
		if (in_set)
			break;
		lexer_next(x->lx);
		if (x->lx->tok.type == LEX_RCURLY)
			break; /* `{}' is refused, as by ovn-controller */
		size_t cap = 8;
		c->elems = arena_alloc(x->a, cap * sizeof(*c->elems));
		while (x->lx->tok.type != LEX_RCURLY) {
			if (c->n == cap) {
				struct cval *ne = arena_alloc(x->a, 2 * cap * sizeof(*ne));
				memcpy(ne, c->elems, cap * sizeof(*ne));
				c->elems = ne;
				cap *= 2;
			}
			if (!parse_cval(x, &c->elems[c->n++], true))
				return false;
			if (x->lx->tok.type == LEX_COMMA)
				lexer_next(x->lx);
		}
		lexer_next(x->lx);
		return true;
	}
	default:
		break;
	}
	syntax_error(x, "constant");
	return false;
}

static bool check_fits(struct xp *x, const struct fref *f, const struct cval *c)
{
	if (c->type == LEX_INT) {
		if (f->sym->kind == SYM_STRING) {
			lf_error_set(x->err, c->pos, "string field %s compared with an integer",
			             f->sym->name);
			return false;
		}
		/* Measured against the named symbol, not the bits selected: like
		 * ovn-controller, reg0[0..3] == 0x1f keeps the low 4 bits. */
		unsigned w = lex_const_width(c->fmt, c->value, c->has_mask, c->mask);
		if (w > f->sym->width) {
			lf_error_set(x->err, c->pos, "%u-bit constant does not fit %u-bit field %s",
			             w, f->sym->width, f->sym->name);
			return false;
		}
		return true;
	}
	if (c->type == LEX_STRING && f->sym->kind != SYM_STRING) {
		lf_error_set(x->err, c->pos, "integer field %s compared with a string",
		             f->sym->name);
		return false;
	}
	if (c->type == LEX_PGRP && f->sym->kind != SYM_STRING) {
		lf_error_set(x->err, c->pos, "port group @%s compared with integer field %s", c->s,
		             f->sym->name);
		return false;
	}
	if (c->type == LEX_ASET) {
		if (f->sym->kind == SYM_STRING) {
			lf_error_set(x->err, c->pos,
			             "address set $%s compared with string field %s", c->s,
			             f->sym->name);
			return false;
		}
		if (f->sub || f->sym->ofs != 0 || !single_field(f) ||
		    f->width != lflow_field_width(f->sym->field)) {
			lf_error_set(x->err, c->pos, "address set $%s needs a whole field, not %s",
			             c->s, f->sym->name);
			return false;
		}
	}
	return true;
}

/* field == c (eq) or field != c, for one non-set constant. */
static const struct enode *cmp_one(struct xp *x, const struct fref *f, const struct cval *c,
                                   bool eq)
{
	if (!check_fits(x, f, c))
		return NULL;
	struct enode *n;
	switch (c->type) {
	case LEX_INT:
		return eq ? mk_eq(x, f, c->value, c->mask) : mk_ne(x, f, c->value, c->mask);
	case LEX_STRING:
		n = node(x->a, EN_PORT);
		break;
	case LEX_ASET:
		n = node(x->a, EN_ASET);
		break;
	default:
		n = node(x->a, EN_PGRP);
		break;
	}
	n->field = f->sym->field;
	n->name = c->s;
	n->neg = !eq;
	return n;
}

/* field == {set} (eq) or field != {set}. Literal integers stay one atom. */
static const struct enode *cmp_set(struct xp *x, const struct fref *f, const struct cval *c,
                                   bool eq)
{
	enum en_type join = eq ? EN_OR : EN_AND;
	const struct enode *r = node(x->a, eq ? EN_FALSE : EN_TRUE);
	size_t n_int = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->elems[i].type == LEX_INT)
			n_int++;
		else if (c->elems[i].type == LEX_LCURLY)
			return NULL;
	}
	bool vset = n_int > 1 && single_field(f);
	struct enode *vs = NULL;
	if (vset) {
		unsigned shift;
		vs = node(x->a, EN_VSET);
		vs->field = (uint16_t)phys_field(f, &shift);
		vs->neg = !eq;
		vs->vals = arena_alloc(x->a, n_int * sizeof(*vs->vals));
		vs->masks = arena_alloc(x->a, n_int * sizeof(*vs->masks));
		for (size_t i = 0; i < c->n; i++) {
			const struct cval *e = &c->elems[i];
			if (e->type != LEX_INT)
				continue;
			if (!check_fits(x, f, e))
				return NULL;
			struct lflow_u128 m = u128_and(e->mask, u128_low_mask(f->width));
			vs->masks[vs->n_vals] = u128_shl(m, shift);
			vs->vals[vs->n_vals++] = u128_shl(u128_and(e->value, m), shift);
		}
		r = combine(x->a, join, r, vs);
	}
	for (size_t i = 0; i < c->n; i++) {
		if (vset && c->elems[i].type == LEX_INT)
			continue;
		r = combine(x->a, join, r, cmp_one(x, f, &c->elems[i], eq));
		if (r == NULL)
			return NULL;
	}
	return r;
}

static enum lex_type flip_rel(enum lex_type t)
{
	switch (t) {
	case LEX_LT:
		return LEX_GT;
	case LEX_LE:
		return LEX_GE;
	case LEX_GT:
		return LEX_LT;
	case LEX_GE:
		return LEX_LE;
	default:
		return t;
	}
}

static enum lex_type negate_rel(enum lex_type t)
{
	switch (t) {
	case LEX_EQ:
		return LEX_NE;
	case LEX_NE:
		return LEX_EQ;
	case LEX_LT:
		return LEX_GE;
	case LEX_LE:
		return LEX_GT;
	case LEX_GT:
		return LEX_LE;
	default:
		return LEX_LT;
	}
}

static bool is_rel(enum lex_type t)
{
	return t == LEX_EQ || t == LEX_NE || t == LEX_LT || t == LEX_LE || t == LEX_GT ||
	       t == LEX_GE;
}

/* A predicate, or its negation; nominal predicates only positively. */
static const struct enode *predicate_use(struct xp *x, const struct lf_symbol *sym, bool positive,
                                         size_t pos)
{
	bool nominal = pred_nominal(sym);
	x->saw_nominal |= nominal;
	if (!positive && nominal && !x->in_pred) {
		lf_error_set(x->err, pos,
		             "nominal predicate %s may only be tested positively (`%s' or "
		             "`%s == 1', not `!%s' or `%s == 0')",
		             sym->name, sym->name, sym->name, sym->name, sym->name);
		return NULL;
	}
	return predicate(x, sym, !positive);
}

/* predicate == 0|1 (or a set of them), with `neg' folded into op: a
 * predicate is a 1-bit Boolean, so `ip == 1' is `ip' and `ip != 1' is `!ip'. */
static const struct enode *pred_relation(struct xp *x, const struct fref *f, enum lex_type op,
                                         const struct cval *c, size_t op_pos)
{
	if (op != LEX_EQ && op != LEX_NE) {
		lf_error_set(x->err, op_pos, "only == and != are allowed on predicate %s",
		             f->sym->name);
		return NULL;
	}
	const struct cval *vals = c->type == LEX_LCURLY ? c->elems : c;
	size_t n = c->type == LEX_LCURLY ? c->n : 1;
	const struct enode *r = node(x->a, op == LEX_EQ ? EN_FALSE : EN_TRUE);
	for (size_t i = 0; i < n; i++) {
		if (vals[i].type != LEX_INT) {
			lf_error_set(x->err, vals[i].pos,
			             "predicate %s compared with %s, not 0 or 1", f->sym->name,
			             lex_type_name(vals[i].type));
			return NULL;
		}
		if (!check_fits(x, f, &vals[i]))
			return NULL;
		bool positive = (vals[i].value.lo & 1) != (op == LEX_NE);
		const struct enode *p = predicate_use(x, f->sym, positive, f->pos);
		if (p == NULL)
			return NULL;
		r = combine(x->a, op == LEX_EQ ? EN_OR : EN_AND, r, p);
	}
	return r;
}

/* field OP constant, with `neg' already folded into op. */
static const struct enode *relation(struct xp *x, const struct fref *f, enum lex_type op,
                                    const struct cval *c, bool negated, size_t op_pos)
{
	const struct enode *e;
	if (f->sym->kind == SYM_PREDICATE)
		return pred_relation(x, f, op, c, op_pos);
	x->saw_nominal |= f->sym->nominal;
	if (f->sym->kind == SYM_OVN_FIELD) {
		lf_error_set(x->err, f->pos, "%s can only be set by actions", f->sym->name);
		return NULL;
	}
	if (op == LEX_EQ || op == LEX_NE) {
		if (op == LEX_NE && f->sym->nominal && !x->in_pred) {
			lf_error_set(x->err, op_pos,
			             "nominal field %s may only be tested for equality "
			             "(taking enclosing `!' operators into account)",
			             f->sym->name);
			return NULL;
		}
		e = c->type == LEX_LCURLY ? cmp_set(x, f, c, op == LEX_EQ)
		                          : cmp_one(x, f, c, op == LEX_EQ);
		if (e == NULL && !x->err->set)
			lf_error_set(x->err, c->pos, "nested sets are not allowed");
		return with_prereq(x, f->sym, e);
	}
	if (f->sym->nominal || f->sym->kind == SYM_STRING) {
		lf_error_set(x->err, op_pos, "only == and != are allowed on nominal field %s",
		             f->sym->name);
		return NULL;
	}
	if (c->type != LEX_INT || c->has_mask) {
		lf_error_set(x->err, c->pos, "%s needs a plain integer, not a %s",
		             lex_type_name(negated ? negate_rel(op) : op),
		             c->type == LEX_INT ? "masked constant" : lex_type_name(c->type));
		return NULL;
	}
	if (!check_fits(x, f, c))
		return NULL;
	/* Bits above a subfield's width are dropped, as ovn-controller does. */
	struct lflow_u128 max = u128_low_mask(f->width), v = u128_and(c->value, max);
	switch (op) {
	case LEX_LT:
		e = u128_zero(v) ? node(x->a, EN_FALSE)
		                 : mk_range(x, f, u128_make(0, 0), u128_sub1(v));
		break;
	case LEX_LE:
		e = mk_range(x, f, u128_make(0, 0), v);
		break;
	case LEX_GT:
		e = u128_eq(v, max) ? node(x->a, EN_FALSE) : mk_range(x, f, u128_add1(v), max);
		break;
	default:
		e = mk_range(x, f, v, max);
		break;
	}
	return with_prereq(x, f->sym, e);
}

/* A bare field or predicate, or the start of a relation. *atomic: no
 * relation followed, so that `!' may apply to it. */
static const struct enode *parse_field_term(struct xp *x, bool neg, bool *atomic)
{
	struct lexer *lx = x->lx;
	*atomic = true;
	if (strcmp(lx->tok.s, "is_chassis_resident") == 0 && lexer_peek(lx) == LEX_LPAREN) {
		lexer_next(lx);
		lexer_next(lx);
		if (lx->tok.type != LEX_STRING) {
			syntax_error(x, "port name string");
			return NULL;
		}
		struct enode *n = node(x->a, EN_RESIDENT);
		n->name = lx->tok.s;
		n->neg = neg;
		lexer_next(lx);
		if (lx->tok.type != LEX_RPAREN) {
			syntax_error(x, "`)'");
			return NULL;
		}
		lexer_next(lx);
		return n;
	}
	struct fref f;
	if (!parse_field(x, &f))
		return NULL;
	enum lex_type op = lx->tok.type;
	if (!is_rel(op)) {
		if (f.sym->kind == SYM_PREDICATE)
			return predicate_use(x, f.sym, !neg, f.pos);
		/* A bare field means `field != 0'. A multibit field needs that
		 * written out, except under `!': `!vlan.pcp' is vlan.pcp == 0. */
		if (f.sym->kind == SYM_FIELD && (f.width == 1 || neg)) {
			struct lflow_u128 ones = u128_low_mask(f.width);
			x->saw_nominal |= f.sym->nominal;
			return with_prereq(x, f.sym,
			                   mk_eq(x, &f, neg ? u128_make(0, 0) : ones, ones));
		}
		lf_error_set(x->err, f.pos,
		             f.sym->kind == SYM_FIELD
		                     ? "explicit `!= 0' is required to test multibit field %s"
		                     : "%s cannot be used alone in a match",
		             f.sym->name);
		return NULL;
	}
	*atomic = false;
	size_t op_pos = lx->tok.pos;
	lexer_next(lx);
	struct cval c;
	if (!parse_cval(x, &c, false))
		return NULL;
	return relation(x, &f, neg ? negate_rel(op) : op, &c, neg, op_pos);
}

/* constant OP field [OP constant], or a bare 0 or 1 (*atomic). */
static const struct enode *parse_const_term(struct xp *x, bool neg, bool *atomic)
{
	struct lexer *lx = x->lx;
	struct cval c1;
	*atomic = false;
	if (!parse_cval(x, &c1, false))
		return NULL;
	enum lex_type op1 = lx->tok.type;
	if (!is_rel(op1)) {
		if (c1.type == LEX_INT && c1.fmt == LEX_F_DEC && !c1.has_mask && c1.value.hi == 0 &&
		    c1.value.lo <= 1) {
			*atomic = true;
			return node(x->a, (c1.value.lo == 1) != neg ? EN_TRUE : EN_FALSE);
		}
		lf_error_set(x->err, c1.pos, "constant %s where a comparison was expected",
		             c1.type == LEX_INT ? "integer" : lex_type_name(c1.type));
		return NULL;
	}
	size_t op_pos = lx->tok.pos;
	lexer_next(lx);
	if (lx->tok.type != LEX_ID) {
		syntax_error(x, "field name");
		return NULL;
	}
	struct fref f;
	if (!parse_field(x, &f))
		return NULL;
	enum lex_type op = flip_rel(op1);
	const struct enode *e = relation(x, &f, neg ? negate_rel(op) : op, &c1, neg, op_pos);
	enum lex_type op2 = lx->tok.type;
	if (!is_rel(op2))
		return e;
	/* a <= f <= b */
	bool up1 = op1 == LEX_LT || op1 == LEX_LE, up2 = op2 == LEX_LT || op2 == LEX_LE;
	bool down1 = op1 == LEX_GT || op1 == LEX_GE, down2 = op2 == LEX_GT || op2 == LEX_GE;
	if (!((up1 && up2) || (down1 && down2))) {
		lf_error_set(x->err, lx->tok.pos, "range comparisons must point the same way");
		return NULL;
	}
	op_pos = lx->tok.pos;
	lexer_next(lx);
	struct cval c2;
	if (!parse_cval(x, &c2, false))
		return NULL;
	const struct enode *e2 = relation(x, &f, neg ? negate_rel(op2) : op2, &c2, neg, op_pos);
	return combine(x->a, neg ? EN_OR : EN_AND, e, e2);
}

/* One operand of && or ||: `!' primary, or primary. A primary is a
 * parenthesized expression, a relation, a bare field, predicate or 0/1;
 * *atomic says whether `!' may apply to it (anything but a relation). */
static const struct enode *parse_primary(struct xp *x, bool neg, bool *atomic)
{
	struct lexer *lx = x->lx;
	const struct enode *e = NULL;
	*atomic = true;
	switch (lx->tok.type) {
	case LEX_LPAREN:
		if (x->depth >= MAX_PAREN_DEPTH) {
			lf_error_set(x->err, lx->tok.pos, "parentheses nested too deeply (over %d)",
			             MAX_PAREN_DEPTH);
			return NULL;
		}
		lexer_next(lx);
		x->depth++;
		e = parse_expr(x, neg);
		x->depth--;
		if (e != NULL && lx->tok.type != LEX_RPAREN) {
			syntax_error(x, "`)'");
			e = NULL;
		} else if (e != NULL) {
			lexer_next(lx);
		}
		break;
	case LEX_ID:
		e = parse_field_term(x, neg, atomic);
		break;
	case LEX_INT:
	case LEX_STRING:
	case LEX_LCURLY:
	case LEX_ASET:
	case LEX_PGRP:
		e = parse_const_term(x, neg, atomic);
		break;
	default:
		syntax_error(x, "field name, constant or `('");
		break;
	}
	return xp_failed(x) ? NULL : e;
}

static const struct enode *parse_term(struct xp *x, bool neg)
{
	struct lexer *lx = x->lx;
	bool atomic;
	if (xp_failed(x))
		return NULL;
	if (lx->tok.type != LEX_NOT)
		return parse_primary(x, neg, &atomic);
	/* One `!' applies to a primary: `!!a' is a syntax error. */
	lexer_next(lx);
	size_t pos = lx->tok.pos;
	const struct enode *e = parse_primary(x, !neg, &atomic);
	if (e != NULL && !atomic) {
		lf_error_set(x->err, pos, "missing parentheses around operand of `!'");
		return NULL;
	}
	return e;
}

static const struct enode *parse_expr(struct xp *x, bool neg)
{
	const struct enode *e = parse_term(x, neg);
	if (e == NULL)
		return NULL;
	enum lex_type op = x->lx->tok.type;
	if (op != LEX_AND && op != LEX_OR)
		return e;
	/* Under negation && and || trade places (De Morgan). */
	enum en_type join = (op == LEX_AND) != neg ? EN_AND : EN_OR;
	while (x->lx->tok.type == op) {
		lexer_next(x->lx);
		const struct enode *r = parse_term(x, neg);
		if (r == NULL)
			return NULL;
		e = combine(x->a, join, e, r);
	}
	enum lex_type t = x->lx->tok.type;
	if (t == LEX_AND || t == LEX_OR) {
		lf_error_set(x->err, x->lx->tok.pos,
		             "`&&' and `||' must be parenthesized when used together");
		return NULL;
	}
	return e;
}

const struct enode *expr_parse_lexer(struct lexer *lx, struct lf_error *err)
{
	struct xp x = {.lx = lx, .a = lx->arena, .err = err};
	const struct enode *e = parse_expr(&x, false);
	return err->set ? NULL : e;
}

const struct enode *expr_parse(const char *text, struct arena *a, struct lf_error *err)
{
	struct lexer lx;
	lexer_init(&lx, text, a);
	const struct enode *e = expr_parse_lexer(&lx, err);
	if (e != NULL && lx.tok.type != LEX_END) {
		struct xp x = {.lx = &lx, .a = a, .err = err};
		syntax_error(&x, "`&&', `||' or end of input");
		return NULL;
	}
	return e;
}
