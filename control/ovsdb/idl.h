/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An in-memory replica of part of an OVSDB database, kept consistent with
 * the server, with per-row change tracking.
 *
 * The client declares the tables and columns it knows (a spec, see sb.h).
 * On every connection the IDL asks the server for its schema, maps the
 * declared columns onto it (a declared column the server lacks is an error
 * when the spec marks it required, and silently absent otherwise; columns
 * the spec does not name are never requested), then monitors those
 * columns with the newest method the server offers:
 *
 *   monitor_cond_since  reconnects resume from the last transaction id
 *                       seen, receiving only what changed meanwhile
 *   monitor_cond        full contents again, conditions supported
 *   monitor             full contents, no conditions (everything)
 *
 * Rows live in one hash table per table, keyed by uuid; values stay in
 * their JSON wire form (datum.h). After each message from the server has
 * been applied, subscribers are called once; during that call every
 * table's tracked list holds the rows inserted, modified (with the
 * previous value of each modified column) or deleted by that message.
 * Tracking is cleared when the subscribers return, so a consumer that
 * works incrementally must do so in its callback.
 *
 * A message that does not fit the schema (a bad value, a modify of an
 * unknown row) is logged, counted, and answered by dropping the
 * connection and resynchronising in full: the replica never keeps a state
 * it could not explain.
 */
#ifndef FERRY_OVSDB_IDL_H
#define FERRY_OVSDB_IDL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/ovsdb/datum.h"
#include "control/ovsdb/session.h"

#define OVSDB_IDL_MAX_COLUMNS 64

struct ovsdb_col_spec {
	const char *name;
	bool required; /* refuse to run against a server without it */
};

struct ovsdb_table_spec {
	const char *name;
	bool required;
	const struct ovsdb_col_spec *cols;
	unsigned n_cols; /* <= OVSDB_IDL_MAX_COLUMNS */
};

struct ovsdb_db_spec {
	const char *name; /* "OVN_Southbound" */
	const struct ovsdb_table_spec *tables;
	unsigned n_tables;
};

enum ovsdb_row_change {
	OVSDB_ROW_INSERTED = 1 << 0,
	OVSDB_ROW_MODIFIED = 1 << 1,
	OVSDB_ROW_DELETED = 1 << 2,
};

struct ovsdb_table;

struct ovsdb_row {
	struct ovsdb_uuid uuid;
	struct ovsdb_table *table;
	/* Change tracking, valid during subscriber callbacks. */
	unsigned change;         /* enum ovsdb_row_change bits */
	uint64_t modified;       /* bit i: column i changed */
	json_t **old;            /* previous values of modified columns, or NULL */
	struct ovsdb_row *tnext; /* next tracked row */
	/* Private to the IDL. */
	struct ovsdb_row *hnext;
	uint32_t gen;
	json_t *cols[]; /* one per spec column; NULL = default */
};

enum ovsdb_idl_state {
	OVSDB_IDL_CONNECTING, /* no session yet */
	OVSDB_IDL_CHECKING,   /* _Server and schema requests in flight */
	OVSDB_IDL_MONITORING, /* monitor request sent */
	OVSDB_IDL_SYNCED,     /* replica complete; updates flowing */
	OVSDB_IDL_FAILED,     /* the server lacks something required (see last error) */
};

enum ovsdb_monitor_method {
	OVSDB_MONITOR_COND_SINCE,
	OVSDB_MONITOR_COND,
	OVSDB_MONITOR_PLAIN,
};

struct ovsdb_idl_stats {
	enum ovsdb_idl_state state;
	enum ovsdb_monitor_method method;
	const char *schema_version;
	char last_error[256];
	uint64_t n_updates;      /* update messages applied */
	uint64_t n_bad_updates;  /* rejected: schema mismatch, unknown rows */
	uint64_t n_resyncs;      /* full resynchronisations after an error */
	uint64_t n_resumes;      /* reconnects resumed by monitor_cond_since */
	uint64_t n_full_syncs;   /* initial contents received in full */
	uint64_t n_cond_changes; /* monitor_cond_change requests sent */
	uint64_t synced_at_ms;   /* monotonic time the replica last became complete */
	uint64_t n_txn_commits;  /* see txn.h */
	uint64_t n_txn_conflicts;
	uint64_t n_txn_errors;
};

struct ovsdb_idl;

/* Called after each batch of changes, and on state changes. */
typedef void (*ovsdb_idl_change_fn)(struct ovsdb_idl *idl, void *arg);

/**
 * Create a replica of @p spec's tables and start connecting.
 * @return 0 or -errno with @p err set
 */
int ovsdb_idl_create(struct event_base *base, const struct ovsdb_db_spec *spec,
                     const struct ovsdb_session_cfg *scfg, struct ovsdb_idl **out, char *err,
                     size_t errlen);

/** Disconnect and free everything (accepts NULL). */
void ovsdb_idl_destroy(struct ovsdb_idl *idl);

/** Add a subscriber; they run in the order added. @return 0 or -ENOMEM. */
int ovsdb_idl_subscribe(struct ovsdb_idl *idl, ovsdb_idl_change_fn fn, void *arg);

/**
 * Monitor only the rows of table @p t matching @p where (a JSON array of
 * clauses, any of which selects a row: [["name", "==", "x"], ...]; stolen);
 * NULL monitors every row. Sent to the server at once if connected.
 * @return 0 or -errno
 */
int ovsdb_idl_set_condition(struct ovsdb_idl *idl, unsigned t, json_t *where);

/** The replica is complete and every condition change has been answered. */
bool ovsdb_idl_is_synced(const struct ovsdb_idl *idl);

const struct ovsdb_idl_stats *ovsdb_idl_stats(const struct ovsdb_idl *idl);
struct ovsdb_session *ovsdb_idl_session(struct ovsdb_idl *idl);
const struct ovsdb_db_spec *ovsdb_idl_spec(const struct ovsdb_idl *idl);
const char *ovsdb_idl_state_name(enum ovsdb_idl_state st);
const char *ovsdb_idl_method_name(enum ovsdb_monitor_method m);

/** Does the server have table @p t / column @p c of it? */
bool ovsdb_idl_has_table(const struct ovsdb_idl *idl, unsigned t);
bool ovsdb_idl_has_column(const struct ovsdb_idl *idl, unsigned t, unsigned c);

/** The server's type of column @p c of table @p t, or NULL. */
const struct ovsdb_type *ovsdb_idl_column_type(const struct ovsdb_idl *idl, unsigned t, unsigned c);

struct ovsdb_table *ovsdb_idl_table(struct ovsdb_idl *idl, unsigned t);

size_t ovsdb_table_count(const struct ovsdb_table *tbl);
const struct ovsdb_row *ovsdb_table_get(const struct ovsdb_table *tbl, const struct ovsdb_uuid *u);

/** Iterate rows (unordered); do not change the replica while iterating. */
const struct ovsdb_row *ovsdb_table_first(const struct ovsdb_table *tbl);
const struct ovsdb_row *ovsdb_table_next(const struct ovsdb_row *row);

/** Rows changed by the current batch (valid in subscriber callbacks). */
const struct ovsdb_row *ovsdb_table_tracked(const struct ovsdb_table *tbl);

/** Value of column @p c (NULL = the column's default). */
static inline const json_t *ovsdb_row_get(const struct ovsdb_row *row, unsigned c)
{
	return row->cols[c];
}

/** Value before this batch of modified column @p c, or NULL. */
static inline const json_t *ovsdb_row_old(const struct ovsdb_row *row, unsigned c)
{
	return row->old ? row->old[c] : NULL;
}

static inline bool ovsdb_row_is_modified(const struct ovsdb_row *row, unsigned c)
{
	return (row->modified >> c) & 1;
}

/**
 * For tests and fuzzing: an IDL with no connection, mapped onto the schema
 * @p schema (a get_schema result). Destroy with ovsdb_idl_destroy().
 * @return 0 or -errno with @p err set
 */
int ovsdb_idl_create_detached(const struct ovsdb_db_spec *spec, const json_t *schema,
                              struct ovsdb_idl **out, char *err, size_t errlen);

/**
 * Process @p msg (borrowed) as if the server had sent it: notifications as
 * they come, a reply as the answer to a monitor request of method @p m.
 */
void ovsdb_idl_receive(struct ovsdb_idl *idl, json_t *msg, enum ovsdb_monitor_method m);

#endif
