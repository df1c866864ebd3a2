/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the interpreter: what interp.c (the walk, the tables, most
 * actions) and interp_ct.c (connection tracking and log()) share. Not for
 * other callers: interp.h is the interface.
 */
#ifndef FERRY_PL_INTERP_INT_H
#define FERRY_PL_INTERP_INT_H

#include <string.h>

#include "dataplane/pipeline/interp.h"

/* Operand words after an instruction's header. */
#define OPND(p, i, n) ((p)[(i) + 1 + (n)])

/* Field reference @p which (0 or 1) of the operand word at @p w. */
static inline struct lflow_fref pli_fref_at(const uint64_t *w, unsigned which)
{
	struct lflow_fref f[2];
	memcpy(f, w, sizeof(f));
	return f[which];
}

static inline pl_u128 pli_mac_of(const uint8_t m[6])
{
	pl_u128 v = 0;
	for (int i = 0; i < 6; i++)
		v = (v << 8) | m[i];
	return v;
}

/* interp.c */
/** Field reference @p f's value, marked read when tracking. */
pl_u128 pli_rget(struct pl_ctx *c, struct lflow_fref f);
/** The walk depends on pseudo table @p what of the datapath (PL_DEP_*). */
void pli_dep(struct pl_ctx *c, unsigned what);

/* interp_gen.c */
/** Headers of the packet that action @p op generates, from the current. */
void pli_generate(struct pl_ctx *c, unsigned op);
/** A generated packet (c->kind) meets the tracker with its own bytes. */
void pli_gen_ct_env(struct pl_ctx *c);

/* interp_ct.c */
/** A read of ct_state, ct_mark or ct_label bits @p mask, when tracking. */
void pli_mark_ct_read(struct pl_ctx *c, unsigned field, pl_u128 mask);
/** log(...) with operand words @p w (@p n of them). */
void pli_log_packet(struct pl_ctx *c, const uint64_t *w, unsigned n);
/** A ct action @p op with its operands. @return DROP_NONE, or why the
 *  packet goes no further: no tracker, or a translation it cannot have. */
enum drop_reason pli_ct_action(struct pl_ctx *c, unsigned op, const uint64_t *nested,
                               uint32_t n_nested);
/** chk_lb_hairpin_reply(): whether the packet answers a hairpinned connection. */
bool pli_lb_hairpin_reply(struct pl_ctx *c);
/* set_meter: whether policer @p slot1 (slot + 1, 0: none) lets the packet
 * through. */
bool pli_set_meter(struct pl_ctx *c, uint32_t slot1);
/** chk_lb_aff(): whether the client has a backend for the VIP (into reg4, reg8). */
bool pli_lb_aff_check(struct pl_ctx *c);
/** commit_lb_aff(...) with operand words @p w. */
void pli_lb_aff_commit(struct pl_ctx *c, const uint64_t *w, unsigned n);

#endif
