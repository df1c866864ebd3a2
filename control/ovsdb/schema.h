/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's schema, as get_schema returns it (RFC 7047 section 3.2),
 * reduced to what a client needs: table and column names and column
 * types. ferry never carries a schema of its own: it asks, then maps the
 * columns it knows onto what the server has.
 */
#ifndef FERRY_OVSDB_SCHEMA_H
#define FERRY_OVSDB_SCHEMA_H

#include <jansson.h>

#include "control/ovsdb/datum.h"

struct ovsdb_schema_column {
	char *name;
	struct ovsdb_type type;
};

struct ovsdb_schema_table {
	char *name;
	struct ovsdb_schema_column *columns;
	unsigned n_columns;
};

struct ovsdb_schema {
	char *name;
	char *version;
	struct ovsdb_schema_table *tables;
	unsigned n_tables;
};

/**
 * Parse a get_schema result.
 * @return a schema, or NULL with @p err set (and errno EINVAL or ENOMEM)
 */
struct ovsdb_schema *ovsdb_schema_parse(const json_t *j, char *err, size_t errlen);

void ovsdb_schema_free(struct ovsdb_schema *s);

const struct ovsdb_schema_table *ovsdb_schema_table(const struct ovsdb_schema *s, const char *name);

const struct ovsdb_schema_column *ovsdb_schema_column(const struct ovsdb_schema_table *t,
                                                      const char *name);

#endif
