/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by idl.c (protocol), idl_update.c (rows) and txn.c. */
#ifndef FERRY_OVSDB_IDL_PRIVATE_H
#define FERRY_OVSDB_IDL_PRIVATE_H

#include "control/ovsdb/idl.h"
#include "control/ovsdb/schema.h"

struct ovsdb_table {
	const struct ovsdb_table_spec *spec;
	unsigned idx;
	const struct ovsdb_schema_table *srv; /* NULL: the server has no such table */
	const struct ovsdb_schema_column *srv_cols[OVSDB_IDL_MAX_COLUMNS];
	struct ovsdb_row **buckets;
	size_t n_buckets; /* power of 2 */
	size_t n_rows;
	struct ovsdb_row *tracked, **tracked_tail;
	json_t *cond_want;  /* NULL: every row */
	json_t *cond_acked; /* what the server applies to the replica */
	json_t *cond_sent;  /* in the request awaiting a reply */
	bool cond_pending;  /* cond_sent is meaningful */
};

struct idl_sub {
	ovsdb_idl_change_fn fn;
	void *arg;
};

struct ovsdb_idl {
	struct event_base *base;
	const struct ovsdb_db_spec *spec;
	struct ovsdb_session *session;
	struct ovsdb_schema *schema;
	struct ovsdb_table *tables;
	struct idl_sub *subs;
	unsigned n_subs;
	struct event *cond_ev;                /* deferred monitor_cond_change */
	char last_txn_id[OVSDB_UUID_LEN + 1]; /* monitor_cond_since resume point, "" = none */
	json_t *monitor_id;
	uint32_t gen; /* full-sync generation */
	bool cond_in_flight;
	bool state_changed; /* tell subscribers even without row changes */
	bool in_callbacks;
	struct ovsdb_idl_stats st;
};

/* idl_update.c */
int idl_apply_updates(struct ovsdb_idl *idl, const json_t *updates, bool v2, bool full, char *err,
                      size_t errlen);
void idl_sweep(struct ovsdb_idl *idl);
void idl_clear_rows(struct ovsdb_idl *idl);
void idl_track_clear(struct ovsdb_idl *idl);
void idl_table_free(struct ovsdb_table *t);
bool idl_has_tracked(const struct ovsdb_idl *idl);

/* idl.c */
void idl_notify(struct ovsdb_idl *idl);

#endif
