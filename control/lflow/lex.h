/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lexer for the OVN logical flow language (match and actions share it).
 * Tokens keep their byte offset so errors can say where they are.
 */
#ifndef FERRY_LFLOW_LEX_H
#define FERRY_LFLOW_LEX_H

#include <stddef.h>
#include <stdbool.h>
#include "dataplane/api/lflow_prog.h"

struct arena;

enum lex_type {
	LEX_END,
	LEX_ERROR,
	LEX_ID,
	LEX_STRING,
	LEX_INT,  /* value, optionally with /mask (has_mask) */
	LEX_ASET, /* $name */
	LEX_PGRP, /* @name */
	LEX_LPAREN,
	LEX_RPAREN,
	LEX_LCURLY,
	LEX_RCURLY,
	LEX_LSQUARE,
	LEX_RSQUARE,
	LEX_EQ,
	LEX_NE,
	LEX_LT,
	LEX_LE,
	LEX_GT,
	LEX_GE,
	LEX_NOT,
	LEX_AND,
	LEX_OR,
	LEX_ASSIGN,
	LEX_EXCHANGE,
	LEX_DECR,
	LEX_HYPHEN,
	LEX_ELLIPSIS,
	LEX_COLON,
	LEX_COMMA,
	LEX_SEMI,
};

enum lex_format {
	LEX_F_DEC,
	LEX_F_HEX,
	LEX_F_IPV4,
	LEX_F_IPV6,
	LEX_F_ETH,
};

struct lex_token {
	enum lex_type type;
	enum lex_format fmt;
	bool has_mask;
	size_t pos;    /* byte offset of the token's start */
	const char *s; /* ID, STRING, ASET, PGRP: arena copy; ERROR: message */
	struct lflow_u128 value, mask;
};

struct lexer {
	const char *in;
	size_t len, pos;
	struct arena *arena;
	struct lex_token tok;
};

/** Start lexing @p in (NUL-terminated); reads the first token. */
void lexer_init(struct lexer *lx, const char *in, struct arena *a);
/** Advance to the next token. */
void lexer_next(struct lexer *lx);
/** Type of the token after the current one, without consuming anything. */
enum lex_type lexer_peek(const struct lexer *lx);
/** Name of a token type for error messages ("`=='"). */
const char *lex_type_name(enum lex_type t);
/** Width in bits a constant needs (1 for 0). */
unsigned u128_bits(struct lflow_u128 v);
/**
 * The width a constant claims, as ovn-controller reckons it when checking it
 * against a field: the mask's for a masked constant, the value's for a plain
 * number (0 for 0), the address family's otherwise (an IPv6 address is 128
 * bits even when it is ::1).
 */
unsigned lex_const_width(enum lex_format fmt, struct lflow_u128 value, bool has_mask,
                         struct lflow_u128 mask);

#endif
