/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Action parser. LFLOW_ACTIONS expands into the dispatch table below; each
 * entry's parse_X is either its own function or, through a #define, one of
 * the shared shapes (bare word, call with arguments, nested block, result of
 * a lookup). The descriptor table says which shape and how many arguments
 * each action takes.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "actions_check.h"
#include "arena.h"
#include "lex.h"
#include "symtab.h"
#include "u128.h"

/* ovn-controller nests actions up to 31 deep. */
#define MAX_NEST 31

struct ap {
	struct lexer *lx;
	struct arena *a;
	struct lf_error *err;
	const struct act_ctx *ctx;
	const struct enode *prereq;
	int depth;
	bool ct_scope; /* inside ct_commit { }: only ct_mark, ct_label writable */
};

static bool ap_failed(struct ap *p)
{
	if (p->lx->tok.type == LEX_ERROR)
		lf_error_set(p->err, p->lx->tok.pos, "%s", p->lx->tok.s);
	return p->err->set;
}

static void expect(struct ap *p, const char *what)
{
	if (ap_failed(p))
		return;
	const struct lex_token *t = &p->lx->tok;
	if (t->type == LEX_ID)
		lf_error_set(p->err, t->pos, "syntax error at `%s' expecting %s", t->s, what);
	else
		lf_error_set(p->err, t->pos, "syntax error at %s expecting %s",
		             lex_type_name(t->type), what);
}

static bool match(struct ap *p, enum lex_type t)
{
	if (p->lx->tok.type != t)
		return false;
	lexer_next(p->lx);
	return true;
}

static bool force(struct ap *p, enum lex_type t)
{
	if (match(p, t))
		return true;
	expect(p, lex_type_name(t));
	return false;
}

/* Adds the prerequisites of a field an action touches to the match. */
static void add_prereq(struct ap *p, const struct lf_symbol *sym)
{
	const struct enode *e = expr_symbol_prereq(sym, p->err);
	if (e != NULL)
		p->prereq = expr_and(p->a, p->prereq, e);
}

/* An action's own prerequisite: a predicate (ip, ip4, nd_ns...) that
 * stands for its expansion. */
static void add_prereq_text(struct ap *p, const char *name)
{
	const struct enode *e = expr_parse(name, p->a, p->err);
	if (e != NULL)
		p->prereq = expr_and(p->a, p->prereq, e);
}

static bool parse_aref(struct ap *p, struct aref *r)
{
	const struct lex_token *t = &p->lx->tok;
	size_t pos = t->pos;
	if (t->type != LEX_ID) {
		expect(p, "field name");
		return false;
	}
	r->sym = symtab_lookup(t->s);
	if (r->sym == NULL || r->sym->kind == SYM_PREDICATE) {
		lf_error_set(p->err, pos, "`%s' is not a field", t->s);
		return false;
	}
	r->ofs = 0;
	r->width = r->sym->width;
	r->sub = false;
	lexer_next(p->lx);
	if (!match(p, LEX_LSQUARE))
		goto done;
	if (r->sym->kind == SYM_STRING || r->sym->kind == SYM_OVN_FIELD) {
		lf_error_set(p->err, pos, "cannot take bits of field %s", r->sym->name);
		return false;
	}
	const struct lex_token *n = &p->lx->tok;
	if (n->type != LEX_INT || n->has_mask || n->value.hi || n->value.lo >= 128) {
		expect(p, "bit index");
		return false;
	}
	unsigned lo = (unsigned)n->value.lo, hi = lo;
	lexer_next(p->lx);
	if (match(p, LEX_ELLIPSIS)) {
		if (n->type != LEX_INT || n->has_mask || n->value.hi || n->value.lo >= 128) {
			expect(p, "bit index");
			return false;
		}
		hi = (unsigned)n->value.lo;
		lexer_next(p->lx);
	}
	if (!force(p, LEX_RSQUARE))
		return false;
	if (hi < lo || hi >= r->sym->width) {
		lf_error_set(p->err, pos, "cannot select bits %u to %u of %u-bit field %s", lo, hi,
		             r->sym->width, r->sym->name);
		return false;
	}
	if (lo == 0 && hi == r->sym->width - 1u)
		goto done; /* all of it: eth.type[0..15] */
	if (r->sym->nominal) {
		lf_error_set(p->err, pos,
		             "cannot select part of nominal field %s, only all %u bits",
		             r->sym->name, r->sym->width);
		return false;
	}
	r->ofs = lo;
	r->width = hi - lo + 1;
	r->sub = true;
done:
	add_prereq(p, r->sym);
	return true;
}

static bool parse_aval(struct ap *p, struct aval *v, bool in_set)
{
	struct lex_token *t = &p->lx->tok;
	memset(v, 0, sizeof(*v));
	v->pos = t->pos;
	switch (t->type) {
	case LEX_LSQUARE: /* [ipv6]:port */
		lexer_next(p->lx);
		if (t->type != LEX_INT) {
			expect(p, "IPv6 address");
			return false;
		}
		v->kind = AV_INT;
		v->bracket = true;
		v->value = t->value;
		v->fmt = t->fmt;
		lexer_next(p->lx);
		if (!force(p, LEX_RSQUARE))
			return false;
		goto port;
	case LEX_INT:
		v->kind = AV_INT;
		v->value = t->value;
		v->mask = t->mask;
		v->has_mask = t->has_mask;
		v->fmt = t->fmt;
		lexer_next(p->lx);
		if (match(p, LEX_HYPHEN)) {
			if (t->type != LEX_INT || t->value.hi || t->value.lo > UINT32_MAX) {
				expect(p, "integer");
				return false;
			}
			v->has_hi = true;
			v->hi = (uint32_t)t->value.lo;
			lexer_next(p->lx);
			return true;
		}
	port:
		if (match(p, LEX_COLON)) {
			if (t->type != LEX_INT || t->value.hi || t->value.lo > 65535) {
				expect(p, "port number");
				return false;
			}
			v->has_port = true;
			v->port = (uint32_t)t->value.lo;
			lexer_next(p->lx);
		}
		return true;
	case LEX_STRING:
		v->kind = AV_STR;
		v->s = t->s;
		lexer_next(p->lx);
		return true;
	case LEX_ASET: /* a macro: sample(obs_point=$cookie) */
		v->kind = AV_WORD;
		v->s = arena_printf(p->a, "$%s", t->s);
		lexer_next(p->lx);
		return true;
	case LEX_ID: {
		const struct lf_symbol *sym = symtab_lookup(t->s);
		if (sym != NULL && sym->kind != SYM_PREDICATE) {
			v->kind = AV_FIELD;
			return parse_aref(p, &v->f);
		}
		v->kind = AV_WORD;
		v->s = t->s;
		lexer_next(p->lx);
		return true;
	}
	case LEX_LCURLY: {
		if (in_set)
			break;
		lexer_next(p->lx);
		if (t->type == LEX_RCURLY) {
			expect(p, "constant"); /* `{}': a set has at least one value */
			return false;
		}
		size_t cap = 4;
		v->kind = AV_SET;
		v->elems = arena_alloc(p->a, cap * sizeof(*v->elems));
		while (!match(p, LEX_RCURLY)) {
			if (v->n == cap) {
				struct aval *ne = arena_alloc(p->a, 2 * cap * sizeof(*ne));
				memcpy(ne, v->elems, cap * sizeof(*ne));
				v->elems = ne;
				cap *= 2;
			}
			if (!parse_aval(p, &v->elems[v->n++], true))
				return false;
			match(p, LEX_COMMA);
		}
		return true;
	}
	default:
		break;
	}
	expect(p, in_set ? "constant" : "argument");
	return false;
}

/* '(' [arg (sep arg)*] ')' */
static bool parse_args(struct ap *p, struct act *a)
{
	if (!force(p, LEX_LPAREN))
		return false;
	a->has_args = true;
	size_t cap = 4;
	a->args = arena_alloc(p->a, cap * sizeof(*a->args));
	char sep = 0;
	for (;;) {
		if (p->lx->tok.type == LEX_RPAREN) {
			a->args_end = p->lx->tok.pos;
			a->trailing_sep = sep;
			lexer_next(p->lx);
			break;
		}
		if (a->n_args == cap) {
			struct aarg *na = arena_alloc(p->a, 2 * cap * sizeof(*na));
			memcpy(na, a->args, cap * sizeof(*na));
			a->args = na;
			cap *= 2;
		}
		struct aarg *g = &a->args[a->n_args++];
		g->sep = sep;
		g->key = NULL;
		g->pos = p->lx->tok.pos;
		const struct lex_token *kt = &p->lx->tok;
		if (kt->type == LEX_INT && !kt->has_mask && kt->fmt == LEX_F_DEC &&
		    kt->value.hi == 0 && lexer_peek(p->lx) == LEX_ASSIGN) {
			/* select(N=W, ...): an integer key */
			g->key = arena_printf(p->a, "%llu", (unsigned long long)kt->value.lo);
			lexer_next(p->lx);
			lexer_next(p->lx);
		} else if (kt->type == LEX_ID && lexer_peek(p->lx) == LEX_ASSIGN) {
			g->key = p->lx->tok.s;
			lexer_next(p->lx);
			lexer_next(p->lx);
		}
		if (!parse_aval(p, &g->v, false))
			return false;
		if (match(p, LEX_COMMA)) {
			sep = ',';
		} else if (match(p, LEX_SEMI)) {
			sep = ';';
		} else if (p->lx->tok.type == LEX_RPAREN) {
			sep = 0;
		} else {
			expect(p, "`,' or `)'");
			return false;
		}
	}
	return true;
}

static struct act *parse_list(struct ap *p, enum lex_type end);

static bool has_own_prereq(enum lflow_op op);

static bool parse_nested(struct ap *p, struct act *a)
{
	if (!force(p, LEX_LCURLY))
		return false;
	if (++p->depth > MAX_NEST) {
		lf_error_set(p->err, p->lx->tok.pos, "actions nested too deeply");
		return false;
	}
	a->has_nested = true;
	/* ct_commit { } may set ct_mark and ct_label and nothing else; clone
	 * starts afresh; the others keep the scope they are in. */
	bool scope = p->ct_scope;
	if (a->op == LFLOW_OP_CT_COMMIT)
		p->ct_scope = true;
	else if (a->op == LFLOW_OP_CLONE)
		p->ct_scope = false;
	/* As in ovn-controller: the fields a block touches add their
	 * prerequisites to the match only for clone and reject, which act on
	 * the packet itself; arp, nd_na, icmp4... build a new packet, and add
	 * only their own prerequisite (an ARP request's fields are not the
	 * IPv4 packet's that triggers it). */
	const struct enode *outer = p->prereq;
	a->nested = parse_list(p, LEX_RCURLY);
	if (has_own_prereq(a->op))
		p->prereq = outer;
	p->ct_scope = scope;
	p->depth--;
	return !ap_failed(p) && force(p, LEX_RCURLY);
}

/*
 * Shapes. Descriptor per action: how it is written and what it takes.
 * Signature letters, one per positional argument: s string field (inport,
 * outport), F any field, f integer field, fN integer field of N bits, d
 * decimal integer, t string constant. A NULL signature leaves the arguments
 * to the action's own check (actions_check.c).
 */
enum form {
	FORM_NONE,
	FORM_BARE,    /* name; */
	FORM_OPT,     /* name; or name(args); */
	FORM_CALL,    /* name(args); */
	FORM_NEST,    /* name { actions }; */
	FORM_RESULT,  /* R = name(args); */
	FORM_SPECIAL, /* its own parser */
};

struct desc {
	enum form form;
	const char *sig;      /* positional signature, NULL: free-form */
	unsigned result_bits; /* FORM_RESULT: width of R (0: any) */
	const char *prereq;   /* added to the match */
	bool opt_nested;      /* FORM_NEST whose block may be left out */
};

static const struct desc descs[LFLOW_OP_N] = {
        [LFLOW_OP_OUTPUT] = {FORM_BARE, NULL, 0, NULL, false},
        [LFLOW_OP_NEXT] = {FORM_SPECIAL, NULL, 0, NULL, false},
        [LFLOW_OP_DROP] = {FORM_BARE, NULL, 0, NULL, false},
        [LFLOW_OP_LOAD] = {FORM_SPECIAL, NULL, 0, NULL, false},
        [LFLOW_OP_MOVE] = {FORM_SPECIAL, NULL, 0, NULL, false},
        [LFLOW_OP_EXCHANGE] = {FORM_SPECIAL, NULL, 0, NULL, false},
        [LFLOW_OP_PUSH] = {FORM_CALL, "F", 0, NULL, false},
        [LFLOW_OP_POP] = {FORM_CALL, "F", 0, NULL, false},
        [LFLOW_OP_DEC_TTL] = {FORM_SPECIAL, NULL, 0, "ip", false},
        [LFLOW_OP_CLONE] = {FORM_NEST, NULL, 0, NULL, false},
        [LFLOW_OP_CT_NEXT] = {FORM_BARE, NULL, 0, "ip", false},
        [LFLOW_OP_CT_COMMIT] = {FORM_NEST, NULL, 0, "ip", true},
        [LFLOW_OP_CT_COMMIT_NAT] = {FORM_BARE, NULL, 0, "ip", false},
        [LFLOW_OP_CT_DNAT] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_SNAT] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_DNAT_IN_CZONE] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_SNAT_IN_CZONE] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_LB] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_LB_MARK] = {FORM_OPT, NULL, 0, "ip", false},
        [LFLOW_OP_CT_CLEAR] = {FORM_BARE, NULL, 0, NULL, false},
        [LFLOW_OP_CT_SNAT_TO_VIP] = {FORM_BARE, NULL, 0, "ip", false},
        [LFLOW_OP_SELECT] = {FORM_RESULT, NULL, 0, NULL, false},
        [LFLOW_OP_ARP] = {FORM_NEST, NULL, 0, "ip4", false},
        [LFLOW_OP_ND_NS] = {FORM_NEST, NULL, 0, "ip6", false},
        [LFLOW_OP_ND_NA] = {FORM_NEST, NULL, 0, "nd_ns", false},
        [LFLOW_OP_ND_NA_ROUTER] = {FORM_NEST, NULL, 0, "nd_ns", false},
        [LFLOW_OP_ICMP4] = {FORM_NEST, NULL, 0, "ip4", false},
        [LFLOW_OP_ICMP4_ERROR] = {FORM_NEST, NULL, 0, "ip4", false},
        [LFLOW_OP_ICMP6] = {FORM_NEST, NULL, 0, "ip6", false},
        [LFLOW_OP_ICMP6_ERROR] = {FORM_NEST, NULL, 0, "ip6", false},
        [LFLOW_OP_IGMP] = {FORM_BARE, NULL, 0, NULL, false},
        [LFLOW_OP_TCP_RESET] = {FORM_NEST, NULL, 0, "tcp", false},
        [LFLOW_OP_SCTP_ABORT] = {FORM_NEST, NULL, 0, "sctp", false},
        [LFLOW_OP_REJECT] = {FORM_NEST, NULL, 0, NULL, false},
        [LFLOW_OP_GET_ARP] = {FORM_CALL, "sf32", 0, NULL, false},
        [LFLOW_OP_PUT_ARP] = {FORM_CALL, "sf32f48", 0, NULL, false},
        [LFLOW_OP_LOOKUP_ARP] = {FORM_RESULT, "sf32f48", 1, NULL, false},
        [LFLOW_OP_LOOKUP_ARP_IP] = {FORM_RESULT, "sf32", 1, NULL, false},
        [LFLOW_OP_GET_ND] = {FORM_CALL, "sf128", 0, NULL, false},
        [LFLOW_OP_PUT_ND] = {FORM_CALL, "sf128f48", 0, NULL, false},
        [LFLOW_OP_LOOKUP_ND] = {FORM_RESULT, "sf128f48", 1, NULL, false},
        [LFLOW_OP_LOOKUP_ND_IP] = {FORM_RESULT, "sf128", 1, NULL, false},
        [LFLOW_OP_PUT_DHCP_OPTS] = {FORM_RESULT, NULL, 1, NULL, false},
        [LFLOW_OP_PUT_DHCPV6_OPTS] = {FORM_RESULT, NULL, 1, NULL, false},
        [LFLOW_OP_DNS_LOOKUP] = {FORM_RESULT, "", 1, "udp", false},
        [LFLOW_OP_PUT_ND_RA_OPTS] = {FORM_RESULT, NULL, 1, "ip6", false},
        [LFLOW_OP_HANDLE_DHCPV6_REPLY] = {FORM_BARE, NULL, 0, NULL, false},
        [LFLOW_OP_SET_QUEUE] = {FORM_CALL, "d", 0, NULL, false},
        [LFLOW_OP_LOG] = {FORM_CALL, NULL, 0, NULL, false},
        [LFLOW_OP_SET_METER] = {FORM_CALL, NULL, 0, NULL, false},
        [LFLOW_OP_CHECK_PKT_LARGER] = {FORM_RESULT, "d", 1, NULL, false},
        [LFLOW_OP_TRIGGER_EVENT] = {FORM_CALL, NULL, 0, NULL, false},
        [LFLOW_OP_BIND_VPORT] = {FORM_CALL, "ts", 0, NULL, false},
        [LFLOW_OP_HANDLE_SVC_CHECK] = {FORM_CALL, "s", 0, NULL, false},
        [LFLOW_OP_HANDLE_BFD_MSG] = {FORM_CALL, "", 0, NULL, false},
        [LFLOW_OP_FWD_GROUP] = {FORM_OPT, NULL, 0, NULL, false},
        [LFLOW_OP_CHK_LB_HAIRPIN] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_CHK_LB_HAIRPIN_REPLY] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_PUT_FDB] = {FORM_CALL, "sf48", 0, NULL, false},
        [LFLOW_OP_GET_FDB] = {FORM_RESULT, "f48", 0, NULL, false},
        [LFLOW_OP_LOOKUP_FDB] = {FORM_RESULT, "sf48", 1, NULL, false},
        [LFLOW_OP_CHECK_IN_PORT_SEC] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_CHECK_OUT_PORT_SEC] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_COMMIT_ECMP_NH] = {FORM_CALL, NULL, 0, NULL, false},
        [LFLOW_OP_CHK_ECMP_NH_MAC] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_CHK_ECMP_NH] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_COMMIT_LB_AFF] = {FORM_CALL, NULL, 0, NULL, false},
        [LFLOW_OP_CHK_LB_AFF] = {FORM_RESULT, "", 1, NULL, false},
        [LFLOW_OP_SAMPLE] = {FORM_CALL, NULL, 0, NULL, false},
};

static bool has_own_prereq(enum lflow_op op)
{
	return descs[op].prereq != NULL;
}

static const char *const names[LFLOW_OP_N] = {
#define NAME_ROW(E, N, X) N,
        LFLOW_ACTIONS(NAME_ROW)
#undef NAME_ROW
};

static const bool exec_now[LFLOW_OP_N] = {
#define EXEC_ROW(E, N, X) X,
        LFLOW_ACTIONS(EXEC_ROW)
#undef EXEC_ROW
};

const char *action_name(enum lflow_op op)
{
	return op < LFLOW_OP_N ? names[op] : "?";
}

bool action_executable(enum lflow_op op)
{
	return op < LFLOW_OP_N && exec_now[op];
}

/* Whether @p v fits signature letter @p c (with width @p bits for 'f');
 * *what names what was wanted. */
static bool sig_ok(char c, unsigned bits, const struct aval *v, char *what, size_t size)
{
	bool field = v->kind == AV_FIELD, str_field = field && v->f.sym->kind == SYM_STRING;
	switch (c) {
	case 's':
		snprintf(what, size, "a string field (inport, outport)");
		return str_field;
	case 'F':
		snprintf(what, size, "a field");
		return field;
	case 'f':
		if (bits)
			snprintf(what, size, "a %u-bit field", bits);
		else
			snprintf(what, size, "an integer field");
		return field && !str_field && (bits == 0 || v->f.width == bits);
	case 'd':
		snprintf(what, size, "a decimal integer");
		return v->kind == AV_INT && v->fmt == LEX_F_DEC && !v->has_mask && !v->has_hi &&
		       !v->has_port && !v->bracket;
	default:
		snprintf(what, size, "a quoted string");
		return v->kind == AV_STR;
	}
}

static bool check_sig(struct ap *p, const struct act *a, const struct desc *d)
{
	if (d->sig == NULL)
		return true;
	unsigned n_sig = 0, bits[8];
	char letters[8];
	for (const char *c = d->sig; *c != '\0' && n_sig < 8; n_sig++) {
		letters[n_sig] = *c++;
		bits[n_sig] = 0;
		while (*c >= '0' && *c <= '9')
			bits[n_sig] = bits[n_sig] * 10 + (unsigned)(*c++ - '0');
	}
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		if (g->key != NULL || i >= n_sig || g->sep == ';') {
			lf_error_set(p->err, g->pos,
			             "%s takes %u positional argument%s, separated by `,'",
			             names[a->op], n_sig, n_sig == 1 ? "" : "s");
			return false;
		}
		char what[64];
		if (!sig_ok(letters[i], bits[i], &g->v, what, sizeof(what))) {
			if (g->v.kind == AV_FIELD && letters[i] == 'f' && bits[i])
				lf_error_set(p->err, g->v.pos,
				             "argument %zu of %s must be %s, not %u-bit %s", i + 1,
				             names[a->op], what, g->v.f.width, g->v.f.sym->name);
			else
				lf_error_set(p->err, g->v.pos, "argument %zu of %s must be %s",
				             i + 1, names[a->op], what);
			return false;
		}
	}
	if (a->n_args < n_sig || a->trailing_sep) {
		lf_error_set(p->err, a->args_end, "%s takes %u argument%s%s", names[a->op], n_sig,
		             n_sig == 1 ? "" : "s",
		             a->trailing_sep ? ", with no trailing `,'" : "");
		return false;
	}
	return true;
}

/* The shared shapes. @p a has op set; the name has been consumed. */
static bool parse_generic(struct ap *p, struct act *a, size_t pos)
{
	const struct desc *d = &descs[a->op];
	switch (d->form) {
	case FORM_BARE:
		break;
	case FORM_OPT:
		if (p->lx->tok.type == LEX_LPAREN && !parse_args(p, a))
			return false;
		break;
	case FORM_CALL:
	case FORM_RESULT:
		if (!parse_args(p, a))
			return false;
		break;
	case FORM_NEST:
		if ((p->lx->tok.type == LEX_LCURLY || !d->opt_nested) && !parse_nested(p, a))
			return false;
		break;
	default:
		return false;
	}
	if ((d->form == FORM_RESULT) != a->has_dst) {
		lf_error_set(p->err, pos,
		             a->has_dst ? "%s does not return a value"
		                        : "%s returns a value: write R = %s(...)",
		             names[a->op], names[a->op]);
		return false;
	}
	if (a->has_dst && d->result_bits && a->dst.width != d->result_bits) {
		lf_error_set(p->err, pos, "%s stores a %u-bit result, but %s is %u bits",
		             names[a->op], d->result_bits, a->dst.sym->name, a->dst.width);
		return false;
	}
	if (a->has_args && !check_sig(p, a, d))
		return false;
	if (!action_check_args(a, p->ctx, pos, p->err))
		return false;
	if ((a->op == LFLOW_OP_CT_LB || a->op == LFLOW_OP_CT_LB_MARK) && a->n_args == 0)
		a->has_args = false; /* ct_lb(); is ct_lb; */
	if (d->prereq != NULL)
		add_prereq_text(p, d->prereq);
	return true;
}

static bool is_decimal(const struct aval *v)
{
	return v->kind == AV_INT && v->fmt == LEX_F_DEC && !v->has_mask && !v->has_hi &&
	       !v->has_port && !v->bracket && v->value.hi == 0;
}

/* next; next(N); next(pipeline=P, table=N); never past the last table. */
static bool parse_next(struct ap *p, struct act *a, size_t pos)
{
	a->pipeline = p->ctx->pipeline;
	a->table = p->ctx->table + 1;
	if (p->lx->tok.type == LEX_LPAREN) {
		if (!parse_args(p, a))
			return false;
		for (size_t i = 0; i < a->n_args; i++) {
			const struct aarg *g = &a->args[i];
			const struct aval *v = &g->v;
			if (g->sep == ';' || (g->key == NULL && a->n_args > 1)) {
				lf_error_set(
				        p->err, g->pos,
				        "next takes a table number, or pipeline=ingress|egress "
				        "and table=N separated by `,'");
				return false;
			}
			if (g->key == NULL || strcmp(g->key, "table") == 0) {
				if (!is_decimal(v) || v->value.lo >= LFLOW_N_TABLES) {
					lf_error_set(p->err, v->pos,
					             "next needs a decimal table number below %d",
					             LFLOW_N_TABLES);
					return false;
				}
				a->table = (unsigned)v->value.lo;
			} else if (strcmp(g->key, "pipeline") == 0) {
				if (v->kind != AV_WORD ||
				    (strcmp(v->s, "ingress") && strcmp(v->s, "egress"))) {
					lf_error_set(p->err, v->pos,
					             "next's pipeline must be ingress or egress");
					return false;
				}
				a->pipeline = strcmp(v->s, "egress") == 0;
			} else {
				lf_error_set(p->err, g->pos,
				             "next takes pipeline= and table=, not %s=", g->key);
				return false;
			}
		}
		if (a->n_args == 0 || a->trailing_sep) {
			lf_error_set(p->err, a->args_end,
			             "next(...) needs a table number or pipeline=/table=, with "
			             "no trailing separator");
			return false;
		}
		a->has_args = false;
	}
	if (a->table >= LFLOW_N_TABLES) {
		lf_error_set(p->err, pos, "next cannot go past table %d, the last one",
		             LFLOW_N_TABLES - 1);
		return false;
	}
	return true;
}

static bool check_load_value(struct ap *p, struct act *a, size_t vpos);
static bool check_writable(struct ap *p, const struct aref *r, size_t pos);

/*
 * ct_commit; ct_commit { ... }; and the older ct_commit(ct_mark=V[/M],
 * ct_label=V[/M]) that an older northd writes during an upgrade, read as
 * the block of loads it means: its canonical text is the block's.
 */
static bool parse_ct_commit(struct ap *p, struct act *a, size_t pos)
{
	if (p->lx->tok.type != LEX_LPAREN)
		return parse_generic(p, a, pos);
	lexer_next(p->lx);
	struct act **tail = &a->nested;
	while (!match(p, LEX_RPAREN)) {
		const struct lex_token *t = &p->lx->tok;
		if (t->type != LEX_ID || (strcmp(t->s, "ct_mark") && strcmp(t->s, "ct_label"))) {
			expect(p, "ct_mark or ct_label");
			return false;
		}
		struct act *l = arena_zalloc(p->a, sizeof(*l));
		l->op = LFLOW_OP_LOAD;
		l->has_dst = true;
		l->dst.sym = symtab_lookup(t->s);
		l->dst.width = l->dst.sym->width;
		lexer_next(p->lx);
		if (!force(p, LEX_ASSIGN))
			return false;
		size_t vpos = p->lx->tok.pos;
		if (p->lx->tok.type != LEX_INT) {
			expect(p, "integer");
			return false;
		}
		if (!parse_aval(p, &l->val, true) || !check_load_value(p, l, vpos))
			return false;
		*tail = l;
		tail = &l->next;
		match(p, LEX_COMMA);
	}
	a->has_nested = a->nested != NULL;
	add_prereq_text(p, "ip");
	return true;
}

#define parse_OUTPUT               parse_generic
#define parse_NEXT                 parse_next
#define parse_DROP                 parse_generic
#define parse_LOAD                 parse_generic
#define parse_MOVE                 parse_generic
#define parse_EXCHANGE             parse_generic
#define parse_PUSH                 parse_push_pop
#define parse_POP                  parse_push_pop
#define parse_DEC_TTL              parse_generic
#define parse_CLONE                parse_generic
#define parse_CT_NEXT              parse_generic
#define parse_CT_COMMIT            parse_ct_commit
#define parse_CT_COMMIT_NAT        parse_generic
#define parse_CT_DNAT              parse_generic
#define parse_CT_SNAT              parse_generic
#define parse_CT_DNAT_IN_CZONE     parse_generic
#define parse_CT_SNAT_IN_CZONE     parse_generic
#define parse_CT_LB                parse_generic
#define parse_CT_LB_MARK           parse_generic
#define parse_CT_CLEAR             parse_generic
#define parse_CT_SNAT_TO_VIP       parse_generic
#define parse_SELECT               parse_generic
#define parse_ARP                  parse_generic
#define parse_ND_NS                parse_generic
#define parse_ND_NA                parse_generic
#define parse_ND_NA_ROUTER         parse_generic
#define parse_ICMP4                parse_generic
#define parse_ICMP4_ERROR          parse_generic
#define parse_ICMP6                parse_generic
#define parse_ICMP6_ERROR          parse_generic
#define parse_IGMP                 parse_generic
#define parse_TCP_RESET            parse_generic
#define parse_SCTP_ABORT           parse_generic
#define parse_REJECT               parse_generic
#define parse_GET_ARP              parse_generic
#define parse_PUT_ARP              parse_generic
#define parse_LOOKUP_ARP           parse_generic
#define parse_LOOKUP_ARP_IP        parse_generic
#define parse_GET_ND               parse_generic
#define parse_PUT_ND               parse_generic
#define parse_LOOKUP_ND            parse_generic
#define parse_LOOKUP_ND_IP         parse_generic
#define parse_PUT_DHCP_OPTS        parse_generic
#define parse_PUT_DHCPV6_OPTS      parse_generic
#define parse_DNS_LOOKUP           parse_generic
#define parse_PUT_ND_RA_OPTS       parse_generic
#define parse_HANDLE_DHCPV6_REPLY  parse_generic
#define parse_SET_QUEUE            parse_generic
#define parse_LOG                  parse_generic
#define parse_SET_METER            parse_generic
#define parse_CHECK_PKT_LARGER     parse_generic
#define parse_TRIGGER_EVENT        parse_generic
#define parse_BIND_VPORT           parse_generic
#define parse_HANDLE_SVC_CHECK     parse_generic
#define parse_HANDLE_BFD_MSG       parse_generic
#define parse_FWD_GROUP            parse_generic
#define parse_CHK_LB_HAIRPIN       parse_generic
#define parse_CHK_LB_HAIRPIN_REPLY parse_generic
#define parse_PUT_FDB              parse_generic
#define parse_GET_FDB              parse_generic
#define parse_LOOKUP_FDB           parse_generic
#define parse_CHECK_IN_PORT_SEC    parse_generic
#define parse_CHECK_OUT_PORT_SEC   parse_generic
#define parse_COMMIT_ECMP_NH       parse_generic
#define parse_CHK_ECMP_NH_MAC      parse_generic
#define parse_CHK_ECMP_NH          parse_generic
#define parse_COMMIT_LB_AFF        parse_generic
#define parse_CHK_LB_AFF           parse_generic
#define parse_SAMPLE               parse_generic

static bool parse_push_pop(struct ap *p, struct act *a, size_t pos)
{
	if (!parse_generic(p, a, pos))
		return false;
	a->src = a->args[0].v.f;
	return a->op != LFLOW_OP_POP || check_writable(p, &a->src, a->args[0].v.pos);
}

typedef bool parse_fn(struct ap *, struct act *, size_t);

static parse_fn *const parsers[LFLOW_OP_N] = {
#define PARSE_ROW(E, N, X) parse_##E,
        LFLOW_ACTIONS(PARSE_ROW)
#undef PARSE_ROW
};

static int op_by_name(const char *s)
{
	for (int i = 0; i < LFLOW_OP_N; i++)
		if (strcmp(names[i], s) == 0 && descs[i].form != FORM_SPECIAL)
			return i;
	if (strcmp(s, "next") == 0)
		return LFLOW_OP_NEXT;
	return -1;
}

/* ct_mark and ct_label are written only inside ct_commit { }, and nothing
 * else is written there (ovn-controller's write scopes). */
static bool check_writable(struct ap *p, const struct aref *r, size_t pos)
{
	if (!r->sym->rw) {
		lf_error_set(p->err, pos, "field %s is not modifiable", r->sym->name);
		return false;
	}
	if (r->sym->kind == SYM_OVN_FIELD)
		return true;
	bool ct = r->sym->field == LFLOW_F_CT_MARK || r->sym->field == LFLOW_F_CT_LABEL;
	if (ct && !p->ct_scope) {
		lf_error_set(p->err, pos, "%s can only be set inside ct_commit { }", r->sym->name);
		return false;
	}
	if (!ct && p->ct_scope) {
		lf_error_set(p->err, pos,
		             "only ct_mark and ct_label can be set inside ct_commit { }, not %s",
		             r->sym->name);
		return false;
	}
	return true;
}

/* The constant of a load into a->dst: string or integer as the field is, no
 * wider than the named field by ovn-controller's reckoning (an IPv6 address
 * is 128 bits); a subfield keeps the constant's low bits. */
static bool check_load_value(struct ap *p, struct act *a, size_t vpos)
{
	bool is_str = a->dst.sym->kind == SYM_STRING;
	struct aval *v = &a->val;
	if (v->kind != (is_str ? AV_STR : AV_INT) || v->has_hi || v->has_port || v->bracket) {
		lf_error_set(p->err, vpos, "%s needs %s", a->dst.sym->name,
		             is_str ? "a string" : "an integer constant");
		return false;
	}
	if (is_str)
		return true;
	unsigned w = lex_const_width(v->fmt, v->value, v->has_mask, v->mask);
	if (w > a->dst.sym->width) {
		lf_error_set(p->err, vpos, "%u-bit constant does not fit %u-bit field %s", w,
		             a->dst.sym->width, a->dst.sym->name);
		return false;
	}
	struct lflow_u128 lm = u128_low_mask(a->dst.width);
	v->value = u128_and(v->value, lm);
	v->mask = u128_and(v->mask, lm);
	return true;
}

/* dst = constant | field | call(...);  dst <-> field; */
static bool parse_assignment(struct ap *p, struct act *a)
{
	size_t pos = p->lx->tok.pos;
	if (!parse_aref(p, &a->dst))
		return false;
	a->has_dst = true;
	if (match(p, LEX_EXCHANGE)) {
		a->op = LFLOW_OP_EXCHANGE;
		if (!parse_aref(p, &a->src))
			return false;
		goto check_move;
	}
	if (!force(p, LEX_ASSIGN))
		return false;
	const struct lex_token *t = &p->lx->tok;
	if (t->type == LEX_ID && lexer_peek(p->lx) == LEX_LPAREN) {
		int op = op_by_name(t->s);
		if (op < 0 || descs[op].form != FORM_RESULT) {
			lf_error_set(p->err, t->pos, "`%s' is not an action that returns a value",
			             t->s);
			return false;
		}
		a->op = (enum lflow_op)op;
		size_t cpos = t->pos;
		lexer_next(p->lx);
		if (!check_writable(p, &a->dst, pos))
			return false;
		return parsers[op](p, a, cpos);
	}
	if (t->type == LEX_ID) {
		a->op = LFLOW_OP_MOVE;
		if (!parse_aref(p, &a->src))
			return false;
		goto check_move;
	}
	a->op = LFLOW_OP_LOAD;
	size_t vpos = t->pos;
	if (!parse_aval(p, &a->val, true))
		return false;
	if (!check_writable(p, &a->dst, pos))
		return false;
	return check_load_value(p, a, vpos);
check_move:
	if (!check_writable(p, &a->dst, pos) ||
	    (a->op == LFLOW_OP_EXCHANGE && !check_writable(p, &a->src, pos)))
		return false;
	if ((a->dst.sym->kind == SYM_STRING) != (a->src.sym->kind == SYM_STRING)) {
		lf_error_set(p->err, pos, "cannot mix string and integer fields (%s, %s)",
		             a->dst.sym->name, a->src.sym->name);
		return false;
	}
	if (a->dst.width != a->src.width) {
		lf_error_set(p->err, pos, "%s is %u bits but %s is %u bits", a->dst.sym->name,
		             a->dst.width, a->src.sym->name, a->src.width);
		return false;
	}
	return true;
}

static struct act *parse_one(struct ap *p)
{
	struct act *a = arena_zalloc(p->a, sizeof(*a));
	const struct lex_token *t = &p->lx->tok;
	if (t->type != LEX_ID) {
		expect(p, "action");
		return NULL;
	}
	enum lex_type la = lexer_peek(p->lx);
	if (la == LEX_ASSIGN || la == LEX_EXCHANGE || la == LEX_LSQUARE) {
		if (!parse_assignment(p, a))
			return NULL;
	} else if (strcmp(t->s, "ip.ttl") == 0 && la == LEX_DECR) {
		a->op = LFLOW_OP_DEC_TTL;
		lexer_next(p->lx);
		lexer_next(p->lx);
		parse_generic(p, a, t->pos);
	} else {
		size_t pos = t->pos;
		int op = op_by_name(t->s);
		if (op < 0) {
			lf_error_set(p->err, pos, "unknown action `%s'", t->s);
			return NULL;
		}
		a->op = (enum lflow_op)op;
		lexer_next(p->lx);
		if (!parsers[op](p, a, pos))
			return NULL;
	}
	if (ap_failed(p) || !force(p, LEX_SEMI))
		return NULL;
	return a;
}

static struct act *parse_list(struct ap *p, enum lex_type end)
{
	struct act *head = NULL, **tail = &head;
	while (p->lx->tok.type != end && !ap_failed(p)) {
		size_t pos = p->lx->tok.pos;
		struct act *a = parse_one(p);
		if (a == NULL)
			return NULL;
		if (a->op == LFLOW_OP_DROP && (head != NULL || p->lx->tok.type != end)) {
			lf_error_set(p->err, pos, "`drop' must be the only action");
			return NULL;
		}
		*tail = a;
		tail = &a->next;
	}
	return head;
}

struct act *actions_parse(const char *text, const struct act_ctx *ctx, struct arena *a,
                          const struct enode **prereq, struct lf_error *err)
{
	struct lexer lx;
	lexer_init(&lx, text, a);
	struct enode *t = arena_zalloc(a, sizeof(*t));
	t->type = EN_TRUE;
	struct ap p = {.lx = &lx, .a = a, .err = err, .ctx = ctx, .prereq = t};
	struct act *acts = parse_list(&p, LEX_END);
	if (ap_failed(&p))
		return NULL;
	*prereq = p.prereq;
	return acts;
}
