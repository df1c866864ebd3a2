/* SPDX-License-Identifier: Apache-2.0 */
/* 128-bit helpers for field values and masks. */
#ifndef FERRY_LFLOW_U128_H
#define FERRY_LFLOW_U128_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/api/lflow_prog.h"

static inline struct lflow_u128 u128_make(uint64_t hi, uint64_t lo)
{
	return (struct lflow_u128){hi, lo};
}

static inline struct lflow_u128 u128_and(struct lflow_u128 a, struct lflow_u128 b)
{
	return u128_make(a.hi & b.hi, a.lo & b.lo);
}

static inline struct lflow_u128 u128_or(struct lflow_u128 a, struct lflow_u128 b)
{
	return u128_make(a.hi | b.hi, a.lo | b.lo);
}

static inline struct lflow_u128 u128_not(struct lflow_u128 a)
{
	return u128_make(~a.hi, ~a.lo);
}

static inline bool u128_eq(struct lflow_u128 a, struct lflow_u128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

static inline bool u128_zero(struct lflow_u128 a)
{
	return (a.hi | a.lo) == 0;
}

static inline int u128_cmp(struct lflow_u128 a, struct lflow_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static inline struct lflow_u128 u128_shl(struct lflow_u128 a, unsigned n)
{
	if (n == 0)
		return a;
	if (n >= 128)
		return u128_make(0, 0);
	if (n >= 64)
		return u128_make(a.lo << (n - 64), 0);
	return u128_make((a.hi << n) | (a.lo >> (64 - n)), a.lo << n);
}

static inline struct lflow_u128 u128_shr(struct lflow_u128 a, unsigned n)
{
	if (n == 0)
		return a;
	if (n >= 128)
		return u128_make(0, 0);
	if (n >= 64)
		return u128_make(0, a.hi >> (n - 64));
	return u128_make(a.hi >> n, (a.lo >> n) | (a.hi << (64 - n)));
}

/* Mask of the low n bits (n <= 128). */
static inline struct lflow_u128 u128_low_mask(unsigned n)
{
	if (n >= 128)
		return u128_make(UINT64_MAX, UINT64_MAX);
	if (n >= 64)
		return u128_make(n == 64 ? 0 : (UINT64_MAX >> (128 - n)), UINT64_MAX);
	return u128_make(0, n == 0 ? 0 : (UINT64_MAX >> (64 - n)));
}

static inline bool u128_bit(struct lflow_u128 a, unsigned n)
{
	return n < 64 ? (a.lo >> n) & 1 : n < 128 ? (a.hi >> (n - 64)) & 1 : false;
}

static inline struct lflow_u128 u128_add1(struct lflow_u128 a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

static inline struct lflow_u128 u128_sub1(struct lflow_u128 a)
{
	if (a.lo == 0)
		a.hi--;
	a.lo--;
	return a;
}

/* Number of trailing zero bits (128 for zero). */
static inline unsigned u128_ctz(struct lflow_u128 a)
{
	if (a.lo)
		return (unsigned)__builtin_ctzll(a.lo);
	if (a.hi)
		return 64 + (unsigned)__builtin_ctzll(a.hi);
	return 128;
}

static inline unsigned u128_popcount(struct lflow_u128 a)
{
	return (unsigned)(__builtin_popcountll(a.hi) + __builtin_popcountll(a.lo));
}

#endif
