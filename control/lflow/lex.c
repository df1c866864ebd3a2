/* SPDX-License-Identifier: Apache-2.0 */
#include "lex.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "u128.h"

static bool is_id1(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_id(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void lex_error(struct lexer *lx, size_t pos, const char *msg)
{
	lx->tok.type = LEX_ERROR;
	lx->tok.pos = pos;
	lx->tok.s = msg;
}

unsigned u128_bits(struct lflow_u128 v)
{
	if (v.hi)
		return 128 - (unsigned)__builtin_clzll(v.hi);
	if (v.lo)
		return 64 - (unsigned)__builtin_clzll(v.lo);
	return 1;
}

static unsigned used_bits(struct lflow_u128 v)
{
	return u128_zero(v) ? 0 : u128_bits(v);
}

unsigned lex_const_width(enum lex_format fmt, struct lflow_u128 value, bool has_mask,
                         struct lflow_u128 mask)
{
	if (has_mask)
		return used_bits(mask);
	switch (fmt) {
	case LEX_F_IPV4:
		return 32;
	case LEX_F_IPV6:
		return 128;
	case LEX_F_ETH:
		return 48;
	default:
		return used_bits(value);
	}
}

/* Length of the run of characters that may form a numeric constant; a ".."
 * ends it (reg0[0..15]). */
static size_t number_run(const char *p)
{
	size_t n = 0;
	while (isxdigit((unsigned char)p[n]) || p[n] == ':' || p[n] == '.') {
		if (p[n] == '.' && p[n + 1] == '.')
			break;
		n++;
	}
	return n;
}

static bool parse_eth(const char *s, size_t n, struct lflow_u128 *v)
{
	uint64_t x = 0;
	size_t i = 0;
	for (int g = 0; g < 6; g++) {
		int digits = 0;
		unsigned byte = 0;
		while (i < n && isxdigit((unsigned char)s[i]) && digits < 2) {
			char c = s[i++];
			byte = byte * 16 + (unsigned)(isdigit((unsigned char)c)
			                                      ? c - '0'
			                                      : (tolower(c) - 'a' + 10));
			digits++;
		}
		if (digits == 0)
			return false;
		x = (x << 8) | byte;
		if (g < 5) {
			if (i >= n || s[i] != ':')
				return false;
			i++;
		}
	}
	if (i != n)
		return false;
	*v = u128_make(0, x);
	return true;
}

static bool parse_ip(int af, const char *s, size_t n, struct lflow_u128 *v)
{
	char buf[64];
	unsigned char b[16];
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(af, buf, b) != 1)
		return false;
	if (af == AF_INET) {
		*v = u128_make(0, ((uint64_t)b[0] << 24) | ((uint64_t)b[1] << 16) |
		                          ((uint64_t)b[2] << 8) | b[3]);
	} else {
		uint64_t hi = 0, lo = 0;
		for (int i = 0; i < 8; i++) {
			hi = (hi << 8) | b[i];
			lo = (lo << 8) | b[i + 8];
		}
		*v = u128_make(hi, lo);
	}
	return true;
}

static bool parse_dec(const char *s, size_t n, struct lflow_u128 *v)
{
	struct lflow_u128 x = u128_make(0, 0);
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		/* x = x * 10 + d, with overflow detection */
		struct lflow_u128 x8 = u128_shl(x, 3), x2 = u128_shl(x, 1);
		if (x.hi >> 60)
			return false;
		struct lflow_u128 r;
		r.lo = x8.lo + x2.lo;
		r.hi = x8.hi + x2.hi + (r.lo < x8.lo);
		uint64_t d = (uint64_t)(s[i] - '0');
		uint64_t lo = r.lo + d;
		r.hi += lo < r.lo;
		r.lo = lo;
		if (r.hi < x8.hi)
			return false;
		x = r;
	}
	*v = x;
	return true;
}

/* One constant (no mask) at lx->pos. Returns its length, 0 on error. */
static size_t lex_constant(struct lexer *lx, const char *p, struct lflow_u128 *v,
                           enum lex_format *fmt)
{
	size_t start = (size_t)(p - lx->in);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		size_t n = 2;
		struct lflow_u128 x = u128_make(0, 0);
		while (isxdigit((unsigned char)p[n])) {
			if (x.hi >> 60) {
				lex_error(lx, start,
				          "hexadecimal constant too large (over 128 bits)");
				return 0;
			}
			char c = p[n];
			unsigned d = (unsigned)(isdigit((unsigned char)c) ? c - '0'
			                                                  : tolower(c) - 'a' + 10);
			x = u128_shl(x, 4);
			x.lo |= d;
			n++;
		}
		if (n == 2 || is_id(p[n])) {
			lex_error(lx, start, "invalid hexadecimal constant");
			return 0;
		}
		*v = x;
		*fmt = LEX_F_HEX;
		return n;
	}
	size_t n = number_run(p);
	const char *colon = memchr(p, ':', n);
	if (colon != NULL) {
		if (parse_eth(p, n, v)) {
			*fmt = LEX_F_ETH;
			return n;
		}
		if (parse_ip(AF_INET6, p, n, v)) {
			*fmt = LEX_F_IPV6;
			return n;
		}
		/* "10.0.0.1:80": the constant ends at the colon. */
		n = (size_t)(colon - p);
		if (n == 0) {
			lex_error(lx, start, "invalid IPv6 or Ethernet constant");
			return 0;
		}
	}
	if (is_id(p[n]) && p[n] != '.') {
		lex_error(lx, start, "invalid numeric constant");
		return 0;
	}
	if (memchr(p, '.', n) != NULL) {
		if (!parse_ip(AF_INET, p, n, v)) {
			lex_error(lx, start, "invalid IPv4 constant");
			return 0;
		}
		*fmt = LEX_F_IPV4;
		return n;
	}
	if (!parse_dec(p, n, v)) {
		lex_error(lx, start, "invalid decimal constant");
		return 0;
	}
	/* As ovn-controller: decimals are 64-bit and never zero-padded (a
	 * wider value is written in hex). */
	if (p[0] == '0' && n > 1) {
		lex_error(lx, start, "decimal constants must not have leading zeros");
		return 0;
	}
	if (v->hi != 0) {
		lex_error(lx, start, "decimal constants must be less than 2**64");
		return 0;
	}
	*fmt = LEX_F_DEC;
	return n;
}

static void lex_number(struct lexer *lx)
{
	const char *p = lx->in + lx->pos;
	struct lex_token *t = &lx->tok;
	size_t n = lex_constant(lx, p, &t->value, &t->fmt);
	if (n == 0)
		return;
	t->type = LEX_INT;
	t->has_mask = false;
	t->mask = u128_make(UINT64_MAX, UINT64_MAX);
	lx->pos += n;
	if (lx->in[lx->pos] != '/')
		return;
	size_t mpos = ++lx->pos;
	enum lex_format mfmt;
	struct lflow_u128 m;
	size_t mn = lex_constant(lx, lx->in + mpos, &m, &mfmt);
	if (mn == 0)
		return;
	lx->pos += mn;
	if ((t->fmt == LEX_F_IPV4 || t->fmt == LEX_F_IPV6) && mfmt == LEX_F_DEC) {
		unsigned w = t->fmt == LEX_F_IPV4 ? 32 : 128;
		if (m.hi != 0 || m.lo > w) {
			lex_error(lx, mpos, "prefix length out of range");
			return;
		}
		m = u128_shl(u128_low_mask((unsigned)m.lo), w - (unsigned)m.lo);
	} else if (t->fmt == LEX_F_DEC && mfmt == LEX_F_HEX && u128_zero(t->value)) {
		t->fmt = LEX_F_HEX; /* 0/0x1234 */
	} else if (mfmt != t->fmt) {
		lex_error(lx, mpos, "value and mask have incompatible formats");
		return;
	}
	/* A 1-bit of the value outside the mask means nothing: ovn-controller
	 * clears it, so do we. */
	t->value = u128_and(t->value, m);
	t->mask = m;
	t->has_mask = true;
}

static void put_utf8(char *out, size_t *o, unsigned cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xe0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static void lex_string(struct lexer *lx)
{
	size_t start = lx->pos;
	const char *p = lx->in + lx->pos + 1;
	size_t n = 0;
	while (p[n] != '"') {
		if (p[n] == '\0') {
			lex_error(lx, start, "unterminated quoted string");
			return;
		}
		if (p[n] == '\\' && p[n + 1] != '\0')
			n++;
		n++;
	}
	char *out = arena_alloc(lx->arena, n * 3 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\') {
			out[o++] = p[i];
			continue;
		}
		char c = p[++i];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[o++] = c;
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u': {
			unsigned cp = 0;
			for (int k = 1; k <= 4; k++) {
				char h = p[i + (size_t)k];
				if (i + (size_t)k >= n || !isxdigit((unsigned char)h)) {
					lex_error(lx, start + 1 + i, "bad \\u escape in string");
					return;
				}
				cp = cp * 16 + (unsigned)(isdigit((unsigned char)h)
				                                  ? h - '0'
				                                  : tolower(h) - 'a' + 10);
			}
			if (cp == 0) {
				lex_error(lx, start + 1 + i, "NUL in string");
				return;
			}
			put_utf8(out, &o, cp);
			i += 4;
			break;
		}
		default:
			lex_error(lx, start + 1 + i, "bad escape in string");
			return;
		}
	}
	out[o] = '\0';
	lx->tok.type = LEX_STRING;
	lx->tok.s = out;
	lx->pos = start + n + 2;
}

/* Skips blanks and comments; false (with an error token) on a bad comment. */
static bool skip_blank(struct lexer *lx)
{
	for (;;) {
		const char *p = lx->in + lx->pos;
		if (isspace((unsigned char)*p)) {
			lx->pos++;
		} else if (p[0] == '/' && p[1] == '/') {
			while (lx->in[lx->pos] != '\0' && lx->in[lx->pos] != '\n')
				lx->pos++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (e == NULL) {
				lex_error(lx, lx->pos, "unterminated comment");
				return false;
			}
			lx->pos = (size_t)(e + 2 - lx->in);
		} else {
			return true;
		}
	}
}

static void lex_token(struct lexer *lx)
{
	struct lex_token *t = &lx->tok;
	t->s = NULL;
	t->has_mask = false;
	if (!skip_blank(lx))
		return;
	t->pos = lx->pos;
	const char *p = lx->in + lx->pos;
	unsigned char c = (unsigned char)*p;
	if (c == '\0') {
		t->type = LEX_END;
		return;
	}
	if (isdigit(c)) {
		lex_number(lx);
		return;
	}
	if (is_id1(c)) {
		/* A hex letter may start an IPv6 or Ethernet constant. */
		size_t n = number_run(p);
		if (isxdigit(c) && memchr(p, ':', n) != NULL && !is_id(p[n])) {
			lex_number(lx);
			return;
		}
		n = 0;
		while (is_id(p[n]))
			n++;
		t->type = LEX_ID;
		t->s = arena_strndup(lx->arena, p, n);
		lx->pos += n;
		return;
	}
	if (c == '"') {
		lex_string(lx);
		return;
	}
	if (c == '$' || c == '@') {
		size_t n = 1;
		while (is_id(p[n]))
			n++;
		if (n == 1) {
			lex_error(lx, lx->pos,
			          c == '$' ? "`$' must be followed by an address set name"
			                   : "`@' must be followed by a port group name");
			return;
		}
		t->type = c == '$' ? LEX_ASET : LEX_PGRP;
		t->s = arena_strndup(lx->arena, p + 1, n - 1);
		lx->pos += n;
		return;
	}
	if (c == ':' && p[1] == ':') {
		lex_number(lx);
		return;
	}
	static const struct {
		const char *text;
		enum lex_type type;
	} ops[] = {
	        {"<->", LEX_EXCHANGE}, {"==", LEX_EQ},     {"!=", LEX_NE},     {"<=", LEX_LE},
	        {">=", LEX_GE},        {"&&", LEX_AND},    {"||", LEX_OR},     {"--", LEX_DECR},
	        {"..", LEX_ELLIPSIS},  {"<", LEX_LT},      {">", LEX_GT},      {"!", LEX_NOT},
	        {"=", LEX_ASSIGN},     {"-", LEX_HYPHEN},  {":", LEX_COLON},   {",", LEX_COMMA},
	        {";", LEX_SEMI},       {"(", LEX_LPAREN},  {")", LEX_RPAREN},  {"{", LEX_LCURLY},
	        {"}", LEX_RCURLY},     {"[", LEX_LSQUARE}, {"]", LEX_RSQUARE},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(p, ops[i].text, n) == 0) {
			t->type = ops[i].type;
			lx->pos += n;
			return;
		}
	}
	if (c == '&' || c == '|')
		lex_error(lx, lx->pos,
		          c == '&' ? "`&' is not an operator (did you mean `&&'?)"
		                   : "`|' is not an operator (did you mean `||'?)");
	else
		lex_error(lx, lx->pos, "unexpected character");
}

void lexer_init(struct lexer *lx, const char *in, struct arena *a)
{
	lx->in = in;
	lx->len = strlen(in);
	lx->pos = 0;
	lx->arena = a;
	memset(&lx->tok, 0, sizeof(lx->tok));
	lex_token(lx);
}

void lexer_next(struct lexer *lx)
{
	if (lx->tok.type == LEX_END || lx->tok.type == LEX_ERROR)
		return;
	lex_token(lx);
}

enum lex_type lexer_peek(const struct lexer *lx)
{
	struct lexer copy = *lx;
	lexer_next(&copy);
	return copy.tok.type;
}

const char *lex_type_name(enum lex_type t)
{
	switch (t) {
	case LEX_END:
		return "end of input";
	case LEX_ERROR:
		return "error";
	case LEX_ID:
		return "identifier";
	case LEX_STRING:
		return "string";
	case LEX_INT:
		return "constant";
	case LEX_ASET:
		return "address set";
	case LEX_PGRP:
		return "port group";
	case LEX_LPAREN:
		return "`('";
	case LEX_RPAREN:
		return "`)'";
	case LEX_LCURLY:
		return "`{'";
	case LEX_RCURLY:
		return "`}'";
	case LEX_LSQUARE:
		return "`['";
	case LEX_RSQUARE:
		return "`]'";
	case LEX_EQ:
		return "`=='";
	case LEX_NE:
		return "`!='";
	case LEX_LT:
		return "`<'";
	case LEX_LE:
		return "`<='";
	case LEX_GT:
		return "`>'";
	case LEX_GE:
		return "`>='";
	case LEX_NOT:
		return "`!'";
	case LEX_AND:
		return "`&&'";
	case LEX_OR:
		return "`||'";
	case LEX_ASSIGN:
		return "`='";
	case LEX_EXCHANGE:
		return "`<->'";
	case LEX_DECR:
		return "`--'";
	case LEX_HYPHEN:
		return "`-'";
	case LEX_ELLIPSIS:
		return "`..'";
	case LEX_COLON:
		return "`:'";
	case LEX_COMMA:
		return "`,'";
	case LEX_SEMI:
		return "`;'";
	}
	return "?";
}
