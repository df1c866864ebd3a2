/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Southbound replica rows (control/ovsdb/ IDL) as compiler input: one
 * reader per table the compiler needs, shared by the chassis-side agent
 * (agent.c, row by row as updates arrive) and the check tool's live mode
 * (the whole replica at once). References are followed the way the
 * compiler's input expects them: a port's chassis by name, a flow's
 * datapaths through its Logical_DP_Group.
 *
 * Each reader takes a view: SBIDL_NOW reads the row as it is, SBIDL_BEFORE
 * as it was before the batch being tracked (the previous value of each
 * modified column), which is what a delete or a key change must name.
 * Strings and arrays live in @p a until the caller resets it.
 */
#ifndef FERRY_LFLOW_SBIDL_H
#define FERRY_LFLOW_SBIDL_H

#include <stdbool.h>

#include "control/ovsdb/sb.h"
#include "input.h"

struct arena;

enum sbidl_view { SBIDL_NOW, SBIDL_BEFORE };

void sbidl_datapath(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                    struct lflow_in_datapath *out);
void sbidl_port(struct ovsdb_idl *idl, const struct ovsdb_row *r, enum sbidl_view v,
                struct arena *a, struct lflow_in_port *out);
void sbidl_mcgroup(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                   struct lflow_in_mcgroup *out);
void sbidl_addrset(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                   struct lflow_in_addrset *out);
void sbidl_portgroup(const struct ovsdb_row *r, enum sbidl_view v, struct arena *a,
                     struct lflow_in_portgroup *out);
/** A flow's datapaths come from its group as the replica holds it now. */
void sbidl_flow(struct ovsdb_idl *idl, const struct ovsdb_row *r, struct arena *a,
                struct lflow_in_flow *out);

/** The uuid of @p r as text, in @p a. */
const char *sbidl_uuid(const struct ovsdb_row *r, struct arena *a);

/**
 * Every row of the replica the compiler reads, as one input (for a full
 * compile). @p chassis: this chassis's name, or NULL.
 */
void sbidl_input(struct ovsdb_idl *idl, const char *chassis, struct arena *a,
                 struct lflow_input *in);

#endif
