/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-zone connection counts and limits, private to ct.c (the rules are in
 * ct.h's essay). One slot per zone, 16 bytes, 1 MiB a table. No lock: each
 * word is atomic; a count moves under the group locks of the connection it
 * counts, but connections of one zone sit under many groups, so taking a
 * place is a compare-and-swap that fails at the limit.
 */
#ifndef FERRY_DP_CT_ZONE_H
#define FERRY_DP_CT_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/conntrack/ct.h"

struct ct_zone {
	uint32_t conns;    /* linked connections */
	uint32_t limit;    /* 0: the table's default, else the limit + 1 (1: none) */
	uint64_t refusals; /* new connections refused */
};

struct ct_zones {
	uint32_t dflt; /* the default limit, 0: none */
	struct ct_zone z[1u << 16];
};

/* The limit that applies to @p zone, 0 for none; *dflt: the default's. */
static inline uint32_t ct_zone_limit(const struct ct_zones *zs, uint16_t zone, bool *dflt)
{
	uint32_t l = __atomic_load_n(&zs->z[zone].limit, __ATOMIC_RELAXED);

	*dflt = l == 0;
	return l ? l - 1 : __atomic_load_n(&zs->dflt, __ATOMIC_RELAXED);
}

/* A place for one more connection in @p zone: false at its limit. */
static inline bool ct_zone_take(struct ct_zones *zs, uint16_t zone)
{
	struct ct_zone *z = &zs->z[zone];
	bool dflt;
	uint32_t max = ct_zone_limit(zs, zone, &dflt);
	uint32_t n = __atomic_load_n(&z->conns, __ATOMIC_RELAXED);

	if (!max) {
		__atomic_fetch_add(&z->conns, 1, __ATOMIC_RELAXED);
		return true;
	}
	do {
		if (n >= max)
			return false;
	} while (!__atomic_compare_exchange_n(&z->conns, &n, n + 1, true, __ATOMIC_RELAXED,
	                                      __ATOMIC_RELAXED));
	return true;
}

/* A connection of @p zone unlinked (or never linked after its take). */
static inline void ct_zone_put(struct ct_zones *zs, uint16_t zone)
{
	__atomic_fetch_sub(&zs->z[zone].conns, 1, __ATOMIC_RELAXED);
}

static inline void ct_zone_refused(struct ct_zones *zs, uint16_t zone)
{
	__atomic_fetch_add(&zs->z[zone].refusals, 1, __ATOMIC_RELAXED);
}

static inline void ct_zone_set(struct ct_zones *zs, uint16_t zone, uint32_t max)
{
	uint32_t l = max == CT_ZONE_LIMIT_DEFAULT ? 0 : max + 1;

	__atomic_store_n(&zs->z[zone].limit, l, __ATOMIC_RELAXED);
}

static inline void ct_zone_get(const struct ct_zones *zs, uint16_t zone, struct ct_zone_stats *st)
{
	bool dflt;

	st->limit = ct_zone_limit(zs, zone, &dflt);
	st->dflt = dflt;
	st->conns = __atomic_load_n(&zs->z[zone].conns, __ATOMIC_RELAXED);
	st->refusals = __atomic_load_n(&zs->z[zone].refusals, __ATOMIC_RELAXED);
}

#endif
