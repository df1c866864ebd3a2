/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the chassis agent's files. */
#ifndef FERRY_CHASSIS_PRIV_H
#define FERRY_CHASSIS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ovsdb/log.h"
#include "control/ovsdb/sb.h"
#include "control/ovsdb/txn.h"

extern int chassis_logtype;

#define CH_LOG(lvl, fmt, ...)    FERRY_LOG(chassis_logtype, lvl, "chassis", fmt, ##__VA_ARGS__)
#define CH_LOG_RL(lvl, fmt, ...) FERRY_LOG_RL(chassis_logtype, lvl, "chassis", fmt, ##__VA_ARGS__)

#define CH_ENCAPS_MAX 2

/* A local VIF port, as port events describe it. */
struct lport {
	struct lport *next;
	char *name;     /* ferry port name */
	char *iface_id; /* logical port it stands for */
	bool link_up;
	const char *state; /* for ferryctl: "bound", "waiting for logical port", ... */
	char other[64];    /* chassis holding it, when not us */
	bool bound;        /* Port_Binding.chassis is us */
	bool was_bound;
	bool hosts; /* ours or being claimed, as a VIF: its container ports may follow */
};

struct chassis {
	struct event_base *base;
	struct ovsdb_idl *idl;
	/* Configuration. */
	char *name; /* system-id */
	char *hostname;
	char *encap_ip;
	const char *encap_types[CH_ENCAPS_MAX];
	unsigned n_encaps;
	bool encap_csum;
	const char *bridge_mappings;
	bool monitor_all;
	/* State. */
	struct lport *ports;
	struct ovsdb_uuid self; /* our Chassis row, when have_self */
	bool have_self;
	bool self_inserting;    /* the transaction being built inserts our Chassis as "self" */
	struct event *run_ev;   /* deferred reconcile */
	struct event *retry_ev; /* reconcile after a failure or a settle delay */
	bool txn_in_flight;
	bool awaiting_update; /* committed: wait for the update reflecting it */
	unsigned retry_ms;
	uint64_t updates_at_commit; /* IDL update count when the transaction was sent */
	bool cleanup_requested;
	bool stopping;
	bool cleanup_done;
	uint64_t started_ms;
	uint64_t ready_ms; /* first time registered, synced and bindings settled */
	int64_t nb_cfg_acked;
	char last_error[256];
	/* Counters. */
	uint64_t n_txns, n_txn_ok, n_txn_conflicts, n_txn_errors;
	uint64_t n_claims, n_releases, n_up_changes, n_bind_conflicts;
};

/* record.c: Chassis, Encap, Chassis_Private. @return operations added. */
unsigned record_reconcile(struct chassis *c, struct ovsdb_txn *txn);
const struct ovsdb_row *record_find_chassis(struct chassis *c);
const struct ovsdb_row *record_find_private(struct chassis *c);
void record_cleanup(struct chassis *c, struct ovsdb_txn *txn);

/* binding.c: Port_Binding claims. @return operations added. */
unsigned binding_reconcile(struct chassis *c, struct ovsdb_txn *txn);
void binding_release_all(struct chassis *c, struct ovsdb_txn *txn);

/* cond.c: monitor conditions (no-op with ovn-monitor-all). */
void cond_update(struct chassis *c);

/* chassis.c */
void chassis_kick(struct chassis *c);
struct chassis *chassis_get(void);

/* chassis_ctl.c */
void chassis_ctl_register(void);

/* Helpers. */
const struct ovsdb_row *sb_find_by_string(struct ovsdb_idl *idl, unsigned t, unsigned col,
                                          const char *value);

#endif
