/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The logical flow compiler inside ferryd: fed from the chassis agent's
 * Southbound replica (control/ovsdb/ IDL), incrementally.
 *
 * The agent subscribes to the replica. After each batch the server sends,
 * it reads the per-row change tracking of the tables the compiler depends
 * on (Datapath_Binding, Port_Binding, Multicast_Group, Address_Set,
 * Port_Group, Logical_DP_Group, Logical_Flow, and Chassis for the names
 * that bindings point to), turns each inserted, modified or deleted row
 * into one compiler row change, and commits once: only the flows that
 * depend on what changed are recompiled. The first batch after connecting
 * is the whole replica, so it is a full compile; a resynchronisation
 * reports every difference as row changes, so it needs nothing special.
 *
 * ferryctl: `lflow summary', `lflow tables', `lflow errors'. Log type
 * ferry.lflow.
 */
#ifndef FERRY_LFLOW_AGENT_H
#define FERRY_LFLOW_AGENT_H

struct ovsdb_idl;

/**
 * Compile the logical flows that @p idl replicates, from now on, for the
 * chassis named @p chassis (system-id, for is_chassis_resident()). Call
 * once, after the chassis agent started (chassis_idl()); registers the
 * ferryctl verbs. @return 0, -EALREADY, or -ENOMEM.
 */
int lflow_agent_start(struct ovsdb_idl *idl, const char *chassis);

/**
 * Free the compiler. Call after the replica is gone (chassis_stop()), as
 * the replica has no way to unsubscribe; until then, later batches are
 * ignored. Safe to call when not started.
 */
void lflow_agent_stop(void);

struct lflow_compiler;
/** The running compiler, or NULL. Read it from the control thread only. */
struct lflow_compiler *lflow_agent_compiler(void);

#endif
