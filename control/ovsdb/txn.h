/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transactions with optimistic concurrency.
 *
 * A writer reads the replica, decides, and commits operations together with
 * "wait" operations asserting that what it read is still what the server
 * holds (ovsdb_txn_verify), or that a row it means to create does not exist
 * yet (ovsdb_txn_wait_absent). If another client changed those values first,
 * the server rejects the whole transaction and the outcome is
 * OVSDB_TXN_CONFLICT: the writer waits for the replica to catch up (the
 * update is on its way) and decides again. Index violations and dangling
 * references are reported the same way, since they too mean "the database
 * moved under you". Wait operations are sent ahead of every other operation
 * whatever the order of the calls, so they test what the writer read, not
 * what the transaction itself writes. Nothing is retried blindly here: only the writer knows
 * whether its intent still holds.
 */
#ifndef FERRY_OVSDB_TXN_H
#define FERRY_OVSDB_TXN_H

#include <jansson.h>
#include <stdbool.h>

#include "control/ovsdb/idl.h"

enum ovsdb_txn_status {
	OVSDB_TXN_OK,
	OVSDB_TXN_CONFLICT,     /* a wait failed or a constraint: re-read and retry */
	OVSDB_TXN_ERROR,        /* the server refused it otherwise */
	OVSDB_TXN_DISCONNECTED, /* outcome unknown: the replica will tell */
};

/* @p result: the server's per-operation results (OK), else NULL. */
typedef void (*ovsdb_txn_done_fn)(void *arg, enum ovsdb_txn_status st, const char *err,
                                  json_t *result);

struct ovsdb_txn;

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb_idl *idl);

/** Discard an uncommitted transaction (accepts NULL). */
void ovsdb_txn_abort(struct ovsdb_txn *txn);

/** Insert into table @p t; fill the returned row with ovsdb_txn_set(). */
json_t *ovsdb_txn_insert(struct ovsdb_txn *txn, unsigned t, const char *uuid_name);

/** Update row @p u of table @p t; fill the returned row with ovsdb_txn_set(). */
json_t *ovsdb_txn_update(struct ovsdb_txn *txn, unsigned t, const struct ovsdb_uuid *u);

void ovsdb_txn_delete(struct ovsdb_txn *txn, unsigned t, const struct ovsdb_uuid *u);

/** Abort unless column @p c of @p row still holds the value the replica has. */
void ovsdb_txn_verify(struct ovsdb_txn *txn, const struct ovsdb_row *row, unsigned c);

/** Abort if a row of table @p t has @p value (stolen) in column @p c. */
void ovsdb_txn_wait_absent(struct ovsdb_txn *txn, unsigned t, unsigned c, json_t *value);

/**
 * Set column @p c of @p row (from insert/update) to @p value (stolen). A
 * column the server does not have is left out, so optional columns need
 * no special case.
 */
void ovsdb_txn_set(struct ovsdb_txn *txn, json_t *row, unsigned t, unsigned c, json_t *value);

/** A ["named-uuid", NAME] reference to a row inserted in the same transaction. */
json_t *ovsdb_named_uuid(const char *name);

/** A comment recorded in the server's log. */
void ovsdb_txn_comment(struct ovsdb_txn *txn, const char *text);

/**
 * Send @p txn (consumed, whatever the outcome); @p fn runs once with the
 * outcome, unless this returns an error.
 * @return 0, -ENOTCONN
 */
int ovsdb_txn_commit(struct ovsdb_txn *txn, ovsdb_txn_done_fn fn, void *arg);

const char *ovsdb_txn_status_name(enum ovsdb_txn_status st);

#endif
