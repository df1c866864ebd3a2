/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading and writing logical fields (enum lflow_field) on a packet in
 * flight: its parsed headers (struct flow_key, network order) and its
 * logical metadata (struct lflow_meta). Values are host-order integers,
 * the field's most significant bit first, as the compiler encodes them.
 *
 * Registers overlay as lflow_prog.h says: a reference based on REGn that
 * runs past bit 31 continues into REGn-1, so xxreg0 (REG3, 128 bits) is
 * reg0..reg3 with reg0 most significant.
 */
#ifndef FERRY_PL_FIELDS_H
#define FERRY_PL_FIELDS_H

#include <stdint.h>

#include "dataplane/api/flow_key.h"
#include "dataplane/api/lflow_prog.h"

typedef unsigned __int128 pl_u128;

/* What fields operate on. */
struct pl_hdrs {
	struct flow_key k;
	struct lflow_meta m;
	uint32_t frag_mtu; /* icmp4.frag_mtu / icmp6.frag_mtu */
};

static inline pl_u128 pl_u128_of(struct lflow_u128 v)
{
	return ((pl_u128)v.hi << 64) | v.lo;
}

static inline pl_u128 pl_low_mask(unsigned n)
{
	return n >= 128 ? ~(pl_u128)0 : (((pl_u128)1 << n) - 1);
}

/** The whole of @p field (registers: with the overlay above). */
pl_u128 pl_field_get(const struct pl_hdrs *h, unsigned field);

/*
 * Where most fields live, for pl_field_load(): big-endian bytes of the key
 * (shifted and masked), a 32-bit word of the metadata, or the registers'
 * overlay. Everything else (VLAN, 128-bit fields, ct_state...) takes the
 * general path.
 */
enum { PL_FD_SLOW = 0, PL_FD_KEY, PL_FD_META, PL_FD_REGS };
struct pl_fdesc {
	uint8_t kind, off, len, shift;
	uint64_t mask;
};
extern const struct pl_fdesc pl_fdesc[LFLOW_F_N];

/** pl_field_get(), inline for the common fields: what matching calls. */
static inline pl_u128 pl_field_load(const struct pl_hdrs *h, unsigned field)
{
	const struct pl_fdesc *d = &pl_fdesc[field];
	if (d->kind == PL_FD_KEY) {
		uint64_t raw;
		/* 8 bytes from the field on: the key is followed by the
		 * metadata in struct pl_hdrs, so this stays inside it. */
		__builtin_memcpy(&raw, (const uint8_t *)&h->k + d->off, 8);
		raw = __builtin_bswap64(raw) >> (64 - 8 * d->len);
		return (raw >> d->shift) & d->mask;
	}
	if (d->kind == PL_FD_META) {
		uint32_t v;
		__builtin_memcpy(&v, (const uint8_t *)&h->m + d->off, 4);
		return v;
	}
	if (d->kind == PL_FD_REGS) {
		unsigned n = d->off;
		pl_u128 v = 0;
		for (unsigned i = 0; i < 4 && i <= n; i++)
			v |= (pl_u128)h->m.reg[n - i] << (32 * i);
		return v;
	}
	return pl_field_get(h, field);
}

/** Set the bits of @p field under @p mask to @p value's. */
void pl_field_set(struct pl_hdrs *h, unsigned field, pl_u128 value, pl_u128 mask);

/**
 * Set in @p mk the packet-header bits that @p mask of @p field lives in
 * (metadata fields have none): how the flow cache learns what a pipeline
 * walk read and wrote.
 */
void pl_field_mark(struct flow_key *mk, unsigned field, pl_u128 mask);

/** A bit range of a field, right-aligned. */
static inline pl_u128 pl_fref_get(const struct pl_hdrs *h, struct lflow_fref f)
{
	return (pl_field_get(h, f.field) >> f.ofs) & pl_low_mask(f.n_bits);
}

static inline void pl_fref_set(struct pl_hdrs *h, struct lflow_fref f, pl_u128 v)
{
	pl_field_set(h, f.field, (v & pl_low_mask(f.n_bits)) << f.ofs,
	             pl_low_mask(f.n_bits) << f.ofs);
}

#endif
