/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/pipeline/live.h"

#include <string.h>

#include "dataplane/api/pipeline.h"
#include "dataplane/pipeline/fields.h"

struct pl_live *volatile pl_live_armed;

void pl_live_offer(struct pl_live *lv, const struct pl_snapshot *s, const struct flow_key *k,
                   uint32_t dp, uint32_t port)
{
	if (__atomic_load_n(&lv->claimed, __ATOMIC_RELAXED) >= lv->want)
		return;
	if (lv->inport_dp >= 0 && ((uint32_t)lv->inport_dp != dp || lv->inport_key != port))
		return;
	struct pl_hdrs h;
	h.k = *k;
	memset(&h.m, 0, sizeof(h.m));
	h.frag_mtu = 0;
	for (uint32_t i = 0; i < lv->n_atoms; i++) {
		const struct lflow_atom *a = &lv->atoms[i];
		pl_u128 v = pl_field_get(&h, a->field) & pl_u128_of(a->mask);
		bool eq = v == pl_u128_of(a->value);
		if (eq != (a->kind == LFLOW_ATOM_EQ))
			return;
	}
	uint32_t slot = __atomic_fetch_add(&lv->claimed, 1, __ATOMIC_RELAXED);
	if (slot >= lv->want)
		return;
	struct pl_live_rec *r = &lv->rec[slot];
	r->k = *k;
	r->dp = s->datapaths[dp].key;
	r->port = port;
	r->generation = s->generation;
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
}
