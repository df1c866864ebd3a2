/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying <table-updates> (monitor) and <table-updates2> (monitor_cond,
 * monitor_cond_since) to the replica, and the row store itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ovsdb/idl_private.h"
#include "control/ovsdb/log.h"

static uint32_t uuid_hash(const struct ovsdb_uuid *u)
{
	uint32_t h;

	/* uuids are random: their first bytes are as good a hash as any. */
	memcpy(&h, u->b, sizeof(h));
	return h;
}

static struct ovsdb_row *row_find(const struct ovsdb_table *t, const struct ovsdb_uuid *u)
{
	struct ovsdb_row *r;

	if (t->n_buckets == 0)
		return NULL;
	for (r = t->buckets[uuid_hash(u) & (t->n_buckets - 1)]; r; r = r->hnext)
		if (ovsdb_uuid_equals(&r->uuid, u))
			return r;
	return NULL;
}

static int table_grow(struct ovsdb_table *t)
{
	size_t n = t->n_buckets ? t->n_buckets * 2 : 64, i;
	struct ovsdb_row **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < t->n_buckets; i++) {
		struct ovsdb_row *r = t->buckets[i], *next;

		for (; r; r = next) {
			size_t k = uuid_hash(&r->uuid) & (n - 1);

			next = r->hnext;
			r->hnext = b[k];
			b[k] = r;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
	return 0;
}

static void row_unlink(struct ovsdb_table *t, struct ovsdb_row *row)
{
	struct ovsdb_row **pp = &t->buckets[uuid_hash(&row->uuid) & (t->n_buckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == row) {
			*pp = row->hnext;
			t->n_rows--;
			return;
		}
	}
}

static void row_free(struct ovsdb_row *row)
{
	unsigned i, n = row->table->spec->n_cols;

	for (i = 0; i < n; i++) {
		json_decref(row->cols[i]);
		if (row->old)
			json_decref(row->old[i]);
	}
	free(row->old);
	free(row);
}

static void track(struct ovsdb_table *t, struct ovsdb_row *row, unsigned change)
{
	if (row->change == 0) {
		row->tnext = NULL;
		*t->tracked_tail = row;
		t->tracked_tail = &row->tnext;
	}
	row->change |= change;
}

/* Record the value being replaced, then store @p v (a new reference) in column @p c. */
static int row_set(struct ovsdb_table *t, struct ovsdb_row *row, unsigned c, json_t *v,
                   bool tracked)
{
	if (tracked) {
		if (row->old == NULL) {
			row->old = calloc(t->spec->n_cols, sizeof(*row->old));
			if (row->old == NULL) {
				json_decref(v);
				return -ENOMEM;
			}
		}
		if (!((row->modified >> c) & 1)) {
			row->old[c] = row->cols[c];
			row->cols[c] = NULL;
		}
		row->modified |= UINT64_C(1) << c;
		track(t, row, OVSDB_ROW_MODIFIED);
	}
	json_decref(row->cols[c]);
	row->cols[c] = v;
	return 0;
}

static int column_index(const struct ovsdb_table *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->spec->n_cols; i++)
		if (t->srv_cols[i] && strcmp(t->spec->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A complete row (initial, insert, or a monitor "new"): store it, new or replacing. */
static int apply_row(struct ovsdb_idl *idl, struct ovsdb_table *t, const struct ovsdb_uuid *u,
                     const json_t *data, bool replace_all, char *err, size_t errlen)
{
	struct ovsdb_row *row = row_find(t, u);
	bool fresh = row == NULL;
	const char *name;
	json_t *v;
	unsigned c;

	if (!json_is_object(data)) {
		snprintf(err, errlen, "%s: row is not an object", t->spec->name);
		return -EINVAL;
	}
	json_object_foreach ((json_t *)data, name, v) {
		int i = column_index(t, name);

		if (i >= 0 && ovsdb_datum_check(v, &t->srv_cols[i]->type) < 0) {
			snprintf(err, errlen, "%s.%s: value does not fit the schema", t->spec->name,
			         name);
			return -EINVAL;
		}
	}
	if (fresh) {
		row = calloc(1, sizeof(*row) + t->spec->n_cols * sizeof(row->cols[0]));
		if (row == NULL)
			return -ENOMEM;
		if (t->n_rows >= t->n_buckets && table_grow(t) < 0) {
			free(row);
			return -ENOMEM;
		}
		row->uuid = *u;
		row->table = t;
		for (c = 0; c < t->spec->n_cols; c++) {
			v = t->srv_cols[c] ? json_object_get(data, t->spec->cols[c].name) : NULL;
			row->cols[c] = json_incref(v);
		}
		row->hnext = t->buckets[uuid_hash(u) & (t->n_buckets - 1)];
		t->buckets[uuid_hash(u) & (t->n_buckets - 1)] = row;
		t->n_rows++;
		track(t, row, OVSDB_ROW_INSERTED);
	} else {
		for (c = 0; c < t->spec->n_cols; c++) {
			if (t->srv_cols[c] == NULL)
				continue;
			v = json_object_get(data, t->spec->cols[c].name);
			if (v == NULL && !replace_all)
				continue;
			if (ovsdb_datum_equals(row->cols[c], v, &t->srv_cols[c]->type))
				continue;
			if (row_set(t, row, c, json_incref(v), true) < 0)
				return -ENOMEM;
		}
	}
	row->gen = idl->gen;
	return 0;
}

static int apply_diff(struct ovsdb_table *t, struct ovsdb_row *row, const json_t *diff, char *err,
                      size_t errlen)
{
	const char *name;
	json_t *d;

	if (!json_is_object(diff)) {
		snprintf(err, errlen, "%s: modify is not an object", t->spec->name);
		return -EINVAL;
	}
	json_object_foreach ((json_t *)diff, name, d) {
		int c = column_index(t, name);
		json_t *nv;

		if (c < 0)
			continue;
		nv = ovsdb_datum_apply_diff(row->cols[c], d, &t->srv_cols[c]->type);
		if (nv == NULL) {
			snprintf(err, errlen, "%s.%s: modify does not fit the schema",
			         t->spec->name, name);
			return -EINVAL;
		}
		if (ovsdb_datum_equals(row->cols[c], nv, &t->srv_cols[c]->type)) {
			json_decref(nv);
			continue;
		}
		if (row_set(t, row, (unsigned)c, nv, true) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void row_delete(struct ovsdb_table *t, struct ovsdb_row *row)
{
	row_unlink(t, row);
	row->hnext = NULL;
	if (row->change & OVSDB_ROW_INSERTED) {
		/* Inserted and deleted within one batch: nobody saw it. Unhook. */
		struct ovsdb_row **pp;

		for (pp = &t->tracked; *pp; pp = &(*pp)->tnext) {
			if (*pp == row) {
				*pp = row->tnext;
				if (t->tracked_tail == &row->tnext)
					t->tracked_tail = pp;
				break;
			}
		}
		row_free(row);
		return;
	}
	track(t, row, OVSDB_ROW_DELETED);
}

static int apply_row_update(struct ovsdb_idl *idl, struct ovsdb_table *t,
                            const struct ovsdb_uuid *u, const json_t *ru, bool v2, char *err,
                            size_t errlen)
{
	struct ovsdb_row *row;
	const json_t *x;

	if (!json_is_object(ru)) {
		snprintf(err, errlen, "%s: row update is not an object", t->spec->name);
		return -EINVAL;
	}
	if (!v2) {
		/* RFC 7047 <row-update>: "old" and/or "new", full rows. */
		const json_t *nw = json_object_get(ru, "new");

		if (nw)
			return apply_row(idl, t, u, nw, false, err, errlen);
		row = row_find(t, u);
		if (row && json_object_get(ru, "old"))
			row_delete(t, row);
		return 0;
	}
	if ((x = json_object_get(ru, "initial")) || (x = json_object_get(ru, "insert")))
		return apply_row(idl, t, u, x, true, err, errlen);
	if ((x = json_object_get(ru, "modify"))) {
		row = row_find(t, u);
		if (row == NULL) {
			snprintf(err, errlen, "%s: modify of unknown row", t->spec->name);
			return -EINVAL;
		}
		return apply_diff(t, row, x, err, errlen);
	}
	if (json_object_get(ru, "delete")) {
		row = row_find(t, u);
		if (row == NULL) {
			/* Harmless, but it says our replica and the server disagree. */
			snprintf(err, errlen, "%s: delete of unknown row", t->spec->name);
			return -EINVAL;
		}
		row_delete(t, row);
		return 0;
	}
	snprintf(err, errlen, "%s: row update has no known member", t->spec->name);
	return -EINVAL;
}

static struct ovsdb_table *table_by_name(struct ovsdb_idl *idl, const char *name)
{
	unsigned i;

	for (i = 0; i < idl->spec->n_tables; i++)
		if (idl->tables[i].srv && strcmp(idl->spec->tables[i].name, name) == 0)
			return &idl->tables[i];
	return NULL;
}

int idl_apply_updates(struct ovsdb_idl *idl, const json_t *updates, bool v2, bool full, char *err,
                      size_t errlen)
{
	const char *tname, *us;
	json_t *tu, *ru;
	int rc;

	if (!json_is_object(updates)) {
		snprintf(err, errlen, "table updates are not an object");
		return -EINVAL;
	}
	if (full)
		idl->gen++;
	json_object_foreach ((json_t *)updates, tname, tu) {
		struct ovsdb_table *t = table_by_name(idl, tname);

		if (t == NULL) {
			snprintf(err, errlen, "update for unmonitored table %.64s", tname);
			return -EINVAL;
		}
		if (!json_is_object(tu)) {
			snprintf(err, errlen, "%s: table update is not an object", t->spec->name);
			return -EINVAL;
		}
		json_object_foreach (tu, us, ru) {
			struct ovsdb_uuid u;

			if (ovsdb_uuid_parse(&u, us) < 0) {
				snprintf(err, errlen, "%s: bad row uuid", t->spec->name);
				return -EINVAL;
			}
			rc = apply_row_update(idl, t, &u, ru, v2, err, errlen);
			if (rc < 0)
				return rc;
		}
	}
	if (full)
		idl_sweep(idl);
	return 0;
}

/* After a full sync: rows the server did not send again are gone. */
void idl_sweep(struct ovsdb_idl *idl)
{
	unsigned i;
	size_t b;

	for (i = 0; i < idl->spec->n_tables; i++) {
		struct ovsdb_table *t = &idl->tables[i];

		for (b = 0; b < t->n_buckets; b++) {
			struct ovsdb_row *r = t->buckets[b], *next;

			for (; r; r = next) {
				next = r->hnext;
				if (r->gen != idl->gen)
					row_delete(t, r);
			}
		}
	}
}

/* Forget every row (schema changed): each is reported deleted. */
void idl_clear_rows(struct ovsdb_idl *idl)
{
	idl->gen++;
	idl_sweep(idl);
}

void idl_track_clear(struct ovsdb_idl *idl)
{
	unsigned i, c;

	for (i = 0; i < idl->spec->n_tables; i++) {
		struct ovsdb_table *t = &idl->tables[i];
		struct ovsdb_row *r = t->tracked, *next;

		for (; r; r = next) {
			next = r->tnext;
			if (r->change & OVSDB_ROW_DELETED) {
				row_free(r);
				continue;
			}
			if (r->old) {
				for (c = 0; c < t->spec->n_cols; c++)
					json_decref(r->old[c]);
				free(r->old);
				r->old = NULL;
			}
			r->change = 0;
			r->modified = 0;
			r->tnext = NULL;
		}
		t->tracked = NULL;
		t->tracked_tail = &t->tracked;
	}
}

bool idl_has_tracked(const struct ovsdb_idl *idl)
{
	unsigned i;

	for (i = 0; i < idl->spec->n_tables; i++)
		if (idl->tables[i].tracked)
			return true;
	return false;
}

void idl_table_free(struct ovsdb_table *t)
{
	size_t b;

	for (b = 0; b < t->n_buckets; b++) {
		struct ovsdb_row *r = t->buckets[b], *next;

		for (; r; r = next) {
			next = r->hnext;
			row_free(r);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->n_buckets = 0;
	t->n_rows = 0;
	json_decref(t->cond_want);
	json_decref(t->cond_acked);
	json_decref(t->cond_sent);
}

size_t ovsdb_table_count(const struct ovsdb_table *tbl)
{
	return tbl ? tbl->n_rows : 0;
}

const struct ovsdb_row *ovsdb_table_get(const struct ovsdb_table *tbl, const struct ovsdb_uuid *u)
{
	return tbl ? row_find(tbl, u) : NULL;
}

static const struct ovsdb_row *first_from(const struct ovsdb_table *t, size_t b)
{
	for (; b < t->n_buckets; b++)
		if (t->buckets[b])
			return t->buckets[b];
	return NULL;
}

const struct ovsdb_row *ovsdb_table_first(const struct ovsdb_table *tbl)
{
	return tbl ? first_from(tbl, 0) : NULL;
}

const struct ovsdb_row *ovsdb_table_next(const struct ovsdb_row *row)
{
	if (row->hnext)
		return row->hnext;
	return first_from(row->table, (uuid_hash(&row->uuid) & (row->table->n_buckets - 1)) + 1);
}

const struct ovsdb_row *ovsdb_table_tracked(const struct ovsdb_table *tbl)
{
	return tbl ? tbl->tracked : NULL;
}
