/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferry-lflow-check --db: the Southbound database at a remote, read once
 * through the project's OVSDB client (control/ovsdb/): connect, _Server
 * check, get_schema, monitor, and as soon as the replica is complete, its
 * rows as compiler input. check_db.c is the real one; check_nodb.c stands
 * in when the build has no OVSDB client.
 */
#ifndef FERRY_LFLOW_CHECK_DB_H
#define FERRY_LFLOW_CHECK_DB_H

#include "input.h"

struct check_db;

/**
 * Replicate the database at @p remote ("unix:PATH", "tcp:IP:PORT", ...)
 * within @p timeout_s seconds and fill @p in from it (valid until
 * check_db_free()). @return the replica, or NULL with errno set and a
 * message on stderr.
 */
struct check_db *check_db_read(const char *remote, unsigned timeout_s, struct lflow_input *in);

/** Accepts NULL. */
void check_db_free(struct check_db *d);

#endif
