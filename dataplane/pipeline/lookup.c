/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a snapshot: finding datapaths, ports, groups, neighbours and
 * FDB entries (sorted arrays, binary search), and matching one entry's
 * atoms against a packet's headers.
 */
#include <stddef.h>

#include <rte_common.h>

#include "dataplane/pipeline/interp.h"

/* The element whose leading uint32_t key is @p key, in @p n elements of
 * @p size bytes sorted by that key; NULL when none. */
static const void *find_u32(const void *base, uint32_t n, size_t size, uint32_t key)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const void *at = (const uint8_t *)base + (size_t)mid * size;
		uint32_t k = *(const uint32_t *)at;
		if (k == key)
			return at;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

_Static_assert(offsetof(struct pl_datapath, key) == 0 && offsetof(struct pl_lport, key) == 0 &&
                       offsetof(struct pl_mcgroup, key) == 0,
               "find_u32 reads the key at the start of the element");

const struct pl_datapath *pl_datapath_find(const struct pl_snapshot *s, uint32_t key)
{
	return find_u32(s->datapaths, s->n_datapaths, sizeof(*s->datapaths), key);
}

const struct pl_lport *pl_lport_find(const struct pl_datapath *dp, uint32_t key)
{
	return find_u32(dp->ports, dp->n_ports, sizeof(*dp->ports), key);
}

const struct pl_mcgroup *pl_mcgroup_find(const struct pl_datapath *dp, uint32_t key)
{
	return find_u32(dp->mcgroups, dp->n_mcgroups, sizeof(*dp->mcgroups), key);
}

const struct pl_neigh *pl_neigh_find(const struct pl_datapath *dp, uint32_t port, pl_u128 ip)
{
	uint32_t lo = 0, hi = dp->n_neigh;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct pl_neigh *n = &dp->neigh[mid];
		pl_u128 nip = pl_u128_of(n->ip);
		if (n->port == port && nip == ip)
			return n;
		if (n->port < port || (n->port == port && nip < ip))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct pl_fdb *pl_fdb_find(const struct pl_datapath *dp, uint64_t mac)
{
	uint32_t lo = 0, hi = dp->n_fdb;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (dp->fdb[mid].mac == mac)
			return &dp->fdb[mid];
		if (dp->fdb[mid].mac < mac)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool in_set(const struct pl_snapshot *s, uint32_t id, pl_u128 v)
{
	if (id >= s->n_sets)
		return false;
	const struct pl_set *set = &s->sets[id];
	for (uint32_t i = 0; i < set->n; i++)
		if ((v & pl_u128_of(set->masks[i])) == pl_u128_of(set->vals[i]))
			return true;
	return false;
}

bool pl_atom_matches(const struct pl_snapshot *s, const struct lflow_atom *a,
                     const struct pl_hdrs *h)
{
	pl_u128 v = pl_field_load(h, a->field);
	switch (a->kind) {
	case LFLOW_ATOM_EQ:
		return (v & pl_u128_of(a->mask)) == pl_u128_of(a->value);
	case LFLOW_ATOM_NE:
		return (v & pl_u128_of(a->mask)) != pl_u128_of(a->value);
	case LFLOW_ATOM_IN_SET:
		return in_set(s, a->set_id, v);
	case LFLOW_ATOM_NOT_SET:
		return !in_set(s, a->set_id, v);
	}
	return false;
}

bool pl_entry_matches(const struct pl_snapshot *s, const struct pl_entry *e,
                      const struct pl_hdrs *h)
{
	for (uint32_t i = 0; i < e->n_atoms; i++) {
		bool ok;
		if (unlikely(e->fatoms == NULL)) {
			ok = pl_atom_matches(s, &e->atoms[i], h);
		} else {
			/* The prepared form (struct pl_fatom): one load, mask, compare. */
			const struct pl_fatom *f = &e->fatoms[i];
			uint64_t v;
			uint32_t m;
			switch (f->kind) {
			case PL_FA_KEY:
				__builtin_memcpy(&v, (const uint8_t *)&h->k + f->off, 8);
				ok = ((__builtin_bswap64(v) & f->mask) == f->value) != f->ne;
				break;
			case PL_FA_META:
				__builtin_memcpy(&m, (const uint8_t *)&h->m + f->off, 4);
				ok = ((m & f->mask) == f->value) != f->ne;
				break;
			case PL_FA_NEVER:
				ok = f->ne;
				break;
			default:
				ok = pl_atom_matches(s, &e->atoms[f->atom], h);
			}
		}
		if (!ok)
			return false;
	}
	return true;
}
