/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ovsdb/schema.h"

static int atype_parse(const json_t *j, enum ovsdb_atype *t)
{
	static const struct {
		const char *name;
		enum ovsdb_atype t;
	} names[] = {
	        {"integer", OVSDB_T_INTEGER}, {"real", OVSDB_T_REAL}, {"boolean", OVSDB_T_BOOLEAN},
	        {"string", OVSDB_T_STRING},   {"uuid", OVSDB_T_UUID},
	};
	const char *s;
	unsigned i;

	/* <base-type>: "string" or {"type": "string", ...constraints} */
	if (json_is_object(j))
		j = json_object_get(j, "type");
	if (!json_is_string(j))
		return -EINVAL;
	s = json_string_value(j);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*t = names[i].t;
			return 0;
		}
	}
	return -EINVAL;
}

static int type_parse(const json_t *j, struct ovsdb_type *t)
{
	const json_t *v;

	t->value = OVSDB_T_VOID;
	t->min = 1;
	t->max = 1;
	if (json_is_string(j))
		return atype_parse(j, &t->key);
	if (!json_is_object(j) || atype_parse(json_object_get(j, "key"), &t->key) < 0)
		return -EINVAL;
	v = json_object_get(j, "value");
	if (v && atype_parse(v, &t->value) < 0)
		return -EINVAL;
	v = json_object_get(j, "min");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1)
			return -EINVAL;
		t->min = (unsigned)json_integer_value(v);
	}
	v = json_object_get(j, "max");
	if (v) {
		if (json_is_string(v) && strcmp(json_string_value(v), "unlimited") == 0)
			t->max = UINT32_MAX;
		else if (json_is_integer(v) && json_integer_value(v) >= 1)
			t->max = json_integer_value(v) > UINT32_MAX
			                 ? UINT32_MAX
			                 : (unsigned)json_integer_value(v);
		else
			return -EINVAL;
	}
	return 0;
}

static int table_parse(struct ovsdb_schema_table *t, const char *name, const json_t *j, char *err,
                       size_t errlen)
{
	const json_t *cols = json_object_get(j, "columns"), *cj;
	const char *cname;

	t->name = strdup(name);
	if (t->name == NULL)
		return -ENOMEM;
	if (!json_is_object(cols)) {
		snprintf(err, errlen, "schema: table %s has no columns", name);
		return -EINVAL;
	}
	t->columns = calloc(json_object_size(cols) + 1, sizeof(*t->columns));
	if (t->columns == NULL)
		return -ENOMEM;
	json_object_foreach ((json_t *)cols, cname, cj) {
		struct ovsdb_schema_column *c = &t->columns[t->n_columns];

		if (type_parse(json_object_get(cj, "type"), &c->type) < 0) {
			snprintf(err, errlen, "schema: column %s.%s has a bad type", name, cname);
			return -EINVAL;
		}
		c->name = strdup(cname);
		if (c->name == NULL)
			return -ENOMEM;
		t->n_columns++;
	}
	return 0;
}

struct ovsdb_schema *ovsdb_schema_parse(const json_t *j, char *err, size_t errlen)
{
	struct ovsdb_schema *s = calloc(1, sizeof(*s));
	const json_t *tables = json_object_get(j, "tables"), *tj;
	const char *tname;
	int rc = -ENOMEM;

	if (s == NULL)
		goto fail;
	if (!json_is_string(json_object_get(j, "name")) || !json_is_object(tables)) {
		snprintf(err, errlen, "schema: missing name or tables");
		rc = -EINVAL;
		goto fail;
	}
	s->name = strdup(json_string_value(json_object_get(j, "name")));
	s->version = strdup(json_is_string(json_object_get(j, "version"))
	                            ? json_string_value(json_object_get(j, "version"))
	                            : "");
	s->tables = calloc(json_object_size(tables) + 1, sizeof(*s->tables));
	if (s->name == NULL || s->version == NULL || s->tables == NULL)
		goto fail;
	json_object_foreach ((json_t *)tables, tname, tj) {
		rc = table_parse(&s->tables[s->n_tables], tname, tj, err, errlen);
		s->n_tables++;
		if (rc < 0)
			goto fail;
	}
	return s;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "schema: out of memory");
	ovsdb_schema_free(s);
	errno = -rc;
	return NULL;
}

void ovsdb_schema_free(struct ovsdb_schema *s)
{
	unsigned i, k;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_tables; i++) {
		for (k = 0; k < s->tables[i].n_columns; k++)
			free(s->tables[i].columns[k].name);
		free(s->tables[i].columns);
		free(s->tables[i].name);
	}
	free(s->tables);
	free(s->name);
	free(s->version);
	free(s);
}

const struct ovsdb_schema_table *ovsdb_schema_table(const struct ovsdb_schema *s, const char *name)
{
	unsigned i;

	for (i = 0; s && i < s->n_tables; i++)
		if (strcmp(s->tables[i].name, name) == 0)
			return &s->tables[i];
	return NULL;
}

const struct ovsdb_schema_column *ovsdb_schema_column(const struct ovsdb_schema_table *t,
                                                      const char *name)
{
	unsigned i;

	for (i = 0; t && i < t->n_columns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}
