/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ovsdb/idl_private.h"
#include "control/ovsdb/log.h"
#include "control/ovsdb/txn.h"

struct ovsdb_txn {
	struct ovsdb_idl *idl;
	json_t *ops;   /* [db, op...] */
	json_t *waits; /* wait ops: sent before every other op, which they guard */
	ovsdb_txn_done_fn fn;
	void *arg;
};

const char *ovsdb_txn_status_name(enum ovsdb_txn_status st)
{
	switch (st) {
	case OVSDB_TXN_OK:
		return "ok";
	case OVSDB_TXN_CONFLICT:
		return "conflict";
	case OVSDB_TXN_ERROR:
		return "error";
	case OVSDB_TXN_DISCONNECTED:
		return "disconnected";
	}
	return "?";
}

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb_idl *idl)
{
	struct ovsdb_txn *txn = calloc(1, sizeof(*txn));

	if (txn == NULL)
		return NULL;
	txn->idl = idl;
	txn->ops = json_pack("[s]", idl->spec->name);
	txn->waits = json_array();
	if (txn->ops == NULL || txn->waits == NULL) {
		ovsdb_txn_abort(txn);
		return NULL;
	}
	return txn;
}

void ovsdb_txn_abort(struct ovsdb_txn *txn)
{
	if (txn == NULL)
		return;
	json_decref(txn->ops);
	json_decref(txn->waits);
	free(txn);
}

static const char *tname(const struct ovsdb_txn *txn, unsigned t)
{
	return txn->idl->spec->tables[t].name;
}

static json_t *where_uuid(const struct ovsdb_uuid *u)
{
	return json_pack("[[s,s,o]]", "_uuid", "==", ovsdb_uuid_to_json(u));
}

json_t *ovsdb_txn_insert(struct ovsdb_txn *txn, unsigned t, const char *uuid_name)
{
	json_t *row = json_object();
	json_t *op =
	        json_pack("{s:s, s:s, s:O}", "op", "insert", "table", tname(txn, t), "row", row);

	if (uuid_name)
		json_object_set_new(op, "uuid-name", json_string(uuid_name));
	json_array_append_new(txn->ops, op);
	json_decref(row);
	return row; /* borrowed: owned by op */
}

json_t *ovsdb_txn_update(struct ovsdb_txn *txn, unsigned t, const struct ovsdb_uuid *u)
{
	json_t *row = json_object();

	json_array_append_new(txn->ops,
	                      json_pack("{s:s, s:s, s:o, s:O}", "op", "update", "table",
	                                tname(txn, t), "where", where_uuid(u), "row", row));
	json_decref(row);
	return row;
}

void ovsdb_txn_delete(struct ovsdb_txn *txn, unsigned t, const struct ovsdb_uuid *u)
{
	json_array_append_new(txn->ops, json_pack("{s:s, s:s, s:o}", "op", "delete", "table",
	                                          tname(txn, t), "where", where_uuid(u)));
}

void ovsdb_txn_verify(struct ovsdb_txn *txn, const struct ovsdb_row *row, unsigned c)
{
	const struct ovsdb_table *t = row->table;
	const char *col = t->spec->cols[c].name;
	json_t *v = row->cols[c];
	json_t *r;

	if (t->srv_cols[c] == NULL)
		return;
	r = json_object();
	/* A default the server omitted: say it explicitly. */
	if (v)
		json_object_set(r, col, v);
	else if (ovsdb_type_is_multi(&t->srv_cols[c]->type))
		json_object_set_new(r, col, ovsdb_set_empty());
	else
		switch (t->srv_cols[c]->type.key) {
		case OVSDB_T_STRING:
			json_object_set_new(r, col, json_string(""));
			break;
		case OVSDB_T_INTEGER:
			json_object_set_new(r, col, json_integer(0));
			break;
		case OVSDB_T_REAL:
			json_object_set_new(r, col, json_real(0));
			break;
		case OVSDB_T_BOOLEAN:
			json_object_set_new(r, col, json_false());
			break;
		default:
			json_decref(r);
			return;
		}
	json_array_append_new(txn->waits, json_pack("{s:s, s:s, s:i, s:o, s:[s], s:s, s:[o]}", "op",
	                                            "wait", "table", t->spec->name, "timeout", 0,
	                                            "where", where_uuid(&row->uuid), "columns", col,
	                                            "until", "==", "rows", r));
}

void ovsdb_txn_wait_absent(struct ovsdb_txn *txn, unsigned t, unsigned c, json_t *value)
{
	const char *col = txn->idl->spec->tables[t].cols[c].name;

	json_array_append_new(txn->waits,
	                      json_pack("{s:s, s:s, s:i, s:[[s,s,o]], s:[s], s:s, s:[]}", "op",
	                                "wait", "table", tname(txn, t), "timeout", 0, "where", col,
	                                "==", value, "columns", col, "until", "==", "rows"));
}

void ovsdb_txn_set(struct ovsdb_txn *txn, json_t *row, unsigned t, unsigned c, json_t *value)
{
	if (!ovsdb_idl_has_column(txn->idl, t, c)) {
		json_decref(value);
		return;
	}
	json_object_set_new(row, txn->idl->spec->tables[t].cols[c].name, value);
}

json_t *ovsdb_named_uuid(const char *name)
{
	return json_pack("[ss]", "named-uuid", name);
}

void ovsdb_txn_comment(struct ovsdb_txn *txn, const char *text)
{
	json_array_append_new(txn->ops, json_pack("{s:s, s:s}", "op", "comment", "comment", text));
}

static bool is_conflict(const char *e)
{
	return strcmp(e, "timed out") == 0 || strcmp(e, "constraint violation") == 0 ||
	       strcmp(e, "referential integrity violation") == 0;
}

static void commit_reply(void *arg, int err, json_t *result, json_t *error)
{
	struct ovsdb_txn *txn = arg;
	struct ovsdb_idl_stats *st = &txn->idl->st;
	enum ovsdb_txn_status status = OVSDB_TXN_OK;
	char msg[256] = "";
	size_t i;

	if (err == -ECONNRESET) {
		status = OVSDB_TXN_DISCONNECTED;
		snprintf(msg, sizeof(msg), "connection lost");
	} else if (err) {
		char *e = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);

		status = OVSDB_TXN_ERROR;
		snprintf(msg, sizeof(msg), "transaction refused: %.200s", e ? e : "?");
		free(e);
	} else if (!json_is_array(result)) {
		status = OVSDB_TXN_ERROR;
		snprintf(msg, sizeof(msg), "malformed transaction reply");
	} else {
		for (i = 0; i < json_array_size(result); i++) {
			const json_t *r = json_array_get(result, i);
			const json_t *e = json_object_get(r, "error");
			const json_t *d = json_object_get(r, "details");

			if (!json_is_string(e))
				continue;
			status = is_conflict(json_string_value(e)) ? OVSDB_TXN_CONFLICT
			                                           : OVSDB_TXN_ERROR;
			snprintf(msg, sizeof(msg), "%s%s%.200s", json_string_value(e),
			         json_is_string(d) ? ": " : "",
			         json_is_string(d) ? json_string_value(d) : "");
			break;
		}
	}
	if (status == OVSDB_TXN_OK)
		st->n_txn_commits++;
	else if (status == OVSDB_TXN_CONFLICT)
		st->n_txn_conflicts++;
	else if (status == OVSDB_TXN_ERROR)
		st->n_txn_errors++;
	if (status == OVSDB_TXN_ERROR)
		OVSDB_LOG_RL(WARNING, "transaction failed: %s", msg);
	if (txn->fn)
		txn->fn(txn->arg, status, msg, status == OVSDB_TXN_OK ? result : NULL);
	ovsdb_txn_abort(txn);
}

int ovsdb_txn_commit(struct ovsdb_txn *txn, ovsdb_txn_done_fn fn, void *arg)
{
	json_t *params;
	size_t i;
	int rc;

	if (txn == NULL)
		return -ENOMEM;
	txn->fn = fn;
	txn->arg = arg;
	params = json_pack("[s]", txn->idl->spec->name);
	json_array_extend(params, txn->waits);
	for (i = 1; i < json_array_size(txn->ops); i++)
		json_array_append(params, json_array_get(txn->ops, i));
	rc = ovsdb_session_request(txn->idl->session, "transact", params, commit_reply, txn);
	if (rc < 0)
		ovsdb_txn_abort(txn);
	return rc;
}
