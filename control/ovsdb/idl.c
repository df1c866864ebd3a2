/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IDL's conversation with the server, on each connection:
 *
 *   1. select from _Server.Database: a clustered member that has lost its
 *      cluster may serve stale data, so move on to another remote;
 *   2. get_schema: map the declared tables and columns;
 *   3. monitor_cond_since (or monitor_cond, or monitor, falling back on an
 *      error reply), with the last transaction id seen so that a reconnect
 *      only transfers what changed;
 *   4. updates: update3 / update2 / update notifications;
 *      monitor_cond_change whenever a table's condition changes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "control/ovsdb/idl_private.h"
#include "control/ovsdb/jsonrpc.h"
#include "control/ovsdb/log.h"

#define MONITOR_ID "ferry"
#define ZERO_UUID  "00000000-0000-0000-0000-000000000000"

static void send_monitor(struct ovsdb_idl *idl);

const char *ovsdb_idl_state_name(enum ovsdb_idl_state st)
{
	static const char *const names[] = {
	        [OVSDB_IDL_CONNECTING] = "connecting", [OVSDB_IDL_CHECKING] = "checking",
	        [OVSDB_IDL_MONITORING] = "monitoring", [OVSDB_IDL_SYNCED] = "synced",
	        [OVSDB_IDL_FAILED] = "failed",
	};
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

const char *ovsdb_idl_method_name(enum ovsdb_monitor_method m)
{
	switch (m) {
	case OVSDB_MONITOR_COND_SINCE:
		return "monitor_cond_since";
	case OVSDB_MONITOR_COND:
		return "monitor_cond";
	case OVSDB_MONITOR_PLAIN:
		return "monitor";
	}
	return "?";
}

static void set_state(struct ovsdb_idl *idl, enum ovsdb_idl_state st)
{
	if (idl->st.state != st) {
		idl->st.state = st;
		idl->state_changed = true;
	}
}

void idl_notify(struct ovsdb_idl *idl)
{
	unsigned i;

	if (idl->in_callbacks)
		return;
	if (idl_has_tracked(idl) || idl->state_changed) {
		idl->in_callbacks = true;
		idl->state_changed = false;
		for (i = 0; i < idl->n_subs; i++)
			idl->subs[i].fn(idl, idl->subs[i].arg);
		idl->in_callbacks = false;
	}
	idl_track_clear(idl);
}

/* The replica cannot be trusted: count, log, drop the connection, start over in full. */
static void resync(struct ovsdb_idl *idl, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void resync(struct ovsdb_idl *idl, const char *fmt, ...)
{
	char msg[sizeof(idl->st.last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(idl->st.last_error, msg, sizeof(msg));
	idl->st.n_resyncs++;
	OVSDB_LOG_RL(WARNING, "%s; resynchronising", msg);
	idl->last_txn_id[0] = '\0';
	idl_notify(idl); /* what was applied before the error is real: report it */
	ovsdb_session_reset(idl->session, msg);
}

static void fail(struct ovsdb_idl *idl, const char *msg)
{
	snprintf(idl->st.last_error, sizeof(idl->st.last_error), "%s", msg);
	OVSDB_LOG_RL(ERR, "%s", msg);
	set_state(idl, OVSDB_IDL_FAILED);
	idl_notify(idl);
	ovsdb_session_reset(idl->session, msg);
}

static bool cond_equal(const json_t *a, const json_t *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return json_equal((json_t *)a, (json_t *)b);
}

static bool conds_settled(const struct ovsdb_idl *idl)
{
	unsigned i;

	if (idl->st.method == OVSDB_MONITOR_PLAIN)
		return true;
	for (i = 0; i < idl->spec->n_tables; i++)
		if (idl->tables[i].srv &&
		    !cond_equal(idl->tables[i].cond_want, idl->tables[i].cond_acked))
			return false;
	return true;
}

bool ovsdb_idl_is_synced(const struct ovsdb_idl *idl)
{
	return idl->st.state == OVSDB_IDL_SYNCED && !idl->cond_in_flight && conds_settled(idl);
}

static void cond_mark_sent(struct ovsdb_table *t)
{
	json_decref(t->cond_sent);
	t->cond_sent = json_incref(t->cond_want);
	t->cond_pending = true;
}

/* The server applies what it was sent, or (err) nothing changed. */
static void cond_ack(struct ovsdb_idl *idl, bool ok)
{
	unsigned i;

	for (i = 0; i < idl->spec->n_tables; i++) {
		struct ovsdb_table *t = &idl->tables[i];

		if (!t->cond_pending)
			continue;
		t->cond_pending = false;
		if (ok) {
			json_decref(t->cond_acked);
			t->cond_acked = t->cond_sent;
			t->cond_sent = NULL;
		}
		json_decref(t->cond_sent);
		t->cond_sent = NULL;
	}
}

static void cond_schedule(struct ovsdb_idl *idl)
{
	if (idl->cond_ev && idl->st.state == OVSDB_IDL_SYNCED && !idl->cond_in_flight &&
	    !conds_settled(idl))
		event_active(idl->cond_ev, 0, 0);
}

static void cond_reply(void *arg, int err, json_t *result, json_t *error)
{
	struct ovsdb_idl *idl = arg;

	(void)result;
	idl->cond_in_flight = false;
	if (err == -ECONNRESET) {
		cond_ack(idl, false); /* conditions go with the next monitor request */
		return;
	}
	if (err) {
		char *e = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);

		cond_ack(idl, false);
		resync(idl, "monitor_cond_change failed: %.200s", e ? e : "?");
		free(e);
		return;
	}
	cond_ack(idl, true);
	if (ovsdb_idl_is_synced(idl)) {
		idl->st.synced_at_ms = ferry_now_ms();
		idl->state_changed = true;
	}
	cond_schedule(idl);
	idl_notify(idl);
}

static void cond_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ovsdb_idl *idl = arg;
	json_t *req = json_object();
	unsigned i;

	(void)fd;
	(void)what;
	if (idl->cond_in_flight || idl->st.state != OVSDB_IDL_SYNCED ||
	    idl->st.method == OVSDB_MONITOR_PLAIN) {
		json_decref(req);
		return;
	}
	for (i = 0; i < idl->spec->n_tables; i++) {
		struct ovsdb_table *t = &idl->tables[i];

		if (!t->srv || cond_equal(t->cond_want, t->cond_acked))
			continue;
		json_object_set_new(
		        req, t->spec->name,
		        json_pack("[{s:o}]", "where",
		                  t->cond_want ? json_incref(t->cond_want) : json_pack("[b]", 1)));
		cond_mark_sent(t);
	}
	if (json_object_size(req) == 0) {
		json_decref(req);
		return;
	}
	if (ovsdb_session_request(idl->session, "monitor_cond_change",
	                          json_pack("[OOo]", idl->monitor_id, idl->monitor_id, req),
	                          cond_reply, idl) < 0) {
		cond_ack(idl, false);
		return;
	}
	idl->cond_in_flight = true;
	idl->st.n_cond_changes++;
}

int ovsdb_idl_set_condition(struct ovsdb_idl *idl, unsigned t, json_t *where)
{
	struct ovsdb_table *tbl;

	if (t >= idl->spec->n_tables) {
		json_decref(where);
		return -EINVAL;
	}
	if (where && !json_is_array(where)) {
		json_decref(where);
		return -EINVAL;
	}
	tbl = &idl->tables[t];
	if (cond_equal(tbl->cond_want, where)) {
		json_decref(where);
		return 0;
	}
	json_decref(tbl->cond_want);
	tbl->cond_want = where;
	idl->st.synced_at_ms = 0;
	cond_schedule(idl);
	return 0;
}

static json_t *table_request(const struct ovsdb_table *t, bool cond)
{
	json_t *cols = json_array(), *req;
	unsigned c;

	for (c = 0; c < t->spec->n_cols; c++)
		if (t->srv_cols[c])
			json_array_append_new(cols, json_string(t->spec->cols[c].name));
	req = json_pack("{s:o}", "columns", cols);
	if (cond && t->cond_want)
		json_object_set(req, "where", t->cond_want);
	return req;
}

static bool can_resume(const struct ovsdb_idl *idl)
{
	unsigned i;

	if (idl->last_txn_id[0] == '\0')
		return false;
	/* The replica holds the rows of the acknowledged conditions only. */
	for (i = 0; i < idl->spec->n_tables; i++)
		if (idl->tables[i].srv &&
		    !cond_equal(idl->tables[i].cond_want, idl->tables[i].cond_acked))
			return false;
	return true;
}

static void monitor_reply(void *arg, int err, json_t *result, json_t *error)
{
	struct ovsdb_idl *idl = arg;
	const json_t *updates = result;
	char e[256] = "";
	bool full = true;
	int rc;

	if (err == -ECONNRESET) {
		cond_ack(idl, false);
		return;
	}
	if (err) {
		char *s = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);

		cond_ack(idl, false);
		if (idl->st.method != OVSDB_MONITOR_PLAIN) {
			OVSDB_LOG_RL(INFO, "%s refused (%.120s), trying an older method",
			             ovsdb_idl_method_name(idl->st.method), s ? s : "?");
			idl->st.method++;
			free(s);
			send_monitor(idl);
			return;
		}
		snprintf(e, sizeof(e), "monitor refused: %.200s", s ? s : "?");
		free(s);
		fail(idl, e);
		return;
	}
	if (idl->st.method == OVSDB_MONITOR_COND_SINCE) {
		/* [found, last-txn-id, table-updates2] */
		if (!json_is_array(result) || json_array_size(result) != 3 ||
		    !json_is_boolean(json_array_get(result, 0)) ||
		    !json_is_string(json_array_get(result, 1))) {
			cond_ack(idl, false);
			resync(idl, "%s", "malformed monitor_cond_since reply");
			return;
		}
		full = !json_is_true(json_array_get(result, 0));
		snprintf(idl->last_txn_id, sizeof(idl->last_txn_id), "%s",
		         json_string_value(json_array_get(result, 1)));
		updates = json_array_get(result, 2);
	}
	if (full && idl->st.n_full_syncs + idl->st.n_resumes > 0)
		OVSDB_LOG(INFO, "full resynchronisation");
	if (full)
		idl->st.n_full_syncs++;
	else
		idl->st.n_resumes++;
	cond_ack(idl, true);
	rc = idl_apply_updates(idl, updates, idl->st.method != OVSDB_MONITOR_PLAIN, full, e,
	                       sizeof(e));
	if (rc < 0) {
		idl->st.n_bad_updates++;
		resync(idl, "bad monitor reply: %s", e);
		return;
	}
	idl->st.n_updates++;
	set_state(idl, OVSDB_IDL_SYNCED);
	ovsdb_session_healthy(idl->session);
	if (ovsdb_idl_is_synced(idl))
		idl->st.synced_at_ms = ferry_now_ms();
	cond_schedule(idl);
	idl_notify(idl);
}

static void send_monitor(struct ovsdb_idl *idl)
{
	enum ovsdb_monitor_method m = idl->st.method;
	json_t *reqs = json_object(), *params;
	const char *method = ovsdb_idl_method_name(m);
	unsigned i;

	for (i = 0; i < idl->spec->n_tables; i++) {
		struct ovsdb_table *t = &idl->tables[i];

		if (!t->srv)
			continue;
		json_object_set_new(reqs, t->spec->name,
		                    m == OVSDB_MONITOR_PLAIN
		                            ? table_request(t, false)
		                            : json_pack("[o]", table_request(t, true)));
		cond_mark_sent(t);
	}
	params = json_pack("[sOo]", idl->spec->name, idl->monitor_id, reqs);
	if (m == OVSDB_MONITOR_COND_SINCE)
		json_array_append_new(params,
		                      json_string(can_resume(idl) ? idl->last_txn_id : ZERO_UUID));
	set_state(idl, OVSDB_IDL_MONITORING);
	if (ovsdb_session_request(idl->session, method, params, monitor_reply, idl) < 0)
		cond_ack(idl, false);
}

/* Map the spec onto the server's schema. @return 0 or -ENOENT with last_error set. */
static int map_schema(struct ovsdb_idl *idl)
{
	unsigned i, c;

	for (i = 0; i < idl->spec->n_tables; i++) {
		const struct ovsdb_table_spec *ts = &idl->spec->tables[i];
		struct ovsdb_table *t = &idl->tables[i];

		t->srv = ovsdb_schema_table(idl->schema, ts->name);
		memset(t->srv_cols, 0, sizeof(t->srv_cols));
		if (t->srv == NULL) {
			if (ts->required)
				goto missing_table;
			continue;
		}
		for (c = 0; c < ts->n_cols; c++) {
			t->srv_cols[c] = ovsdb_schema_column(t->srv, ts->cols[c].name);
			if (t->srv_cols[c] == NULL && ts->cols[c].required) {
				snprintf(idl->st.last_error, sizeof(idl->st.last_error),
				         "database %s (schema %s) has no column %s.%s, which ferry "
				         "needs",
				         idl->spec->name, idl->schema->version, ts->name,
				         ts->cols[c].name);
				return -ENOENT;
			}
		}
	}
	return 0;
missing_table:
	snprintf(idl->st.last_error, sizeof(idl->st.last_error),
	         "database %s (schema %s) has no table %s, which ferry needs", idl->spec->name,
	         idl->schema->version, idl->spec->tables[i].name);
	return -ENOENT;
}

static void schema_reply(void *arg, int err, json_t *result, json_t *error)
{
	struct ovsdb_idl *idl = arg;
	struct ovsdb_schema *s;
	char e[256];

	(void)error;
	if (err == -ECONNRESET)
		return;
	if (err) {
		snprintf(e, sizeof(e), "server has no database %s", idl->spec->name);
		fail(idl, e);
		return;
	}
	s = ovsdb_schema_parse(result, e, sizeof(e));
	if (s == NULL) {
		fail(idl, e);
		return;
	}
	if (idl->schema && strcmp(idl->schema->version, s->version) != 0) {
		OVSDB_LOG(INFO, "schema changed from %s to %s: reloading everything",
		          idl->schema->version, s->version);
		idl_clear_rows(idl);
		idl->last_txn_id[0] = '\0';
		idl_notify(idl);
	}
	ovsdb_schema_free(idl->schema);
	idl->schema = s;
	idl->st.schema_version = s->version;
	if (map_schema(idl) < 0) {
		OVSDB_LOG_RL(ERR, "%s", idl->st.last_error);
		set_state(idl, OVSDB_IDL_FAILED);
		idl_notify(idl);
		ovsdb_session_reset(idl->session, idl->st.last_error);
		return;
	}
	send_monitor(idl);
}

static void server_reply(void *arg, int err, json_t *result, json_t *error)
{
	struct ovsdb_idl *idl = arg;
	const json_t *rows = json_object_get(json_array_get(result, 0), "rows");
	const json_t *row = json_array_get(rows, 0);

	(void)error;
	if (err == -ECONNRESET)
		return;
	/* An old server without _Server, or a standalone one: carry on. */
	if (err == 0 && row &&
	    strcmp(ovsdb_datum_string(json_object_get(row, "model")), "clustered") == 0 &&
	    !ovsdb_datum_bool(json_object_get(row, "connected"), true)) {
		ovsdb_session_reset(idl->session, "cluster member not connected to its cluster");
		return;
	}
	if (ovsdb_session_request(idl->session, "get_schema", json_pack("[s]", idl->spec->name),
	                          schema_reply, idl) < 0)
		return;
}

static void on_connected(void *arg)
{
	struct ovsdb_idl *idl = arg;
	json_t *op =
	        json_pack("{s:s, s:s, s:[[s,s,s]], s:[s,s]}", "op", "select", "table", "Database",
	                  "where", "name", "==", idl->spec->name, "columns", "model", "connected");

	set_state(idl, OVSDB_IDL_CHECKING);
	idl->st.method = OVSDB_MONITOR_COND_SINCE;
	ovsdb_session_request(idl->session, "transact", json_pack("[so]", "_Server", op),
	                      server_reply, idl);
	idl_notify(idl);
}

static void on_disconnected(void *arg, int err)
{
	struct ovsdb_idl *idl = arg;

	(void)err;
	idl->cond_in_flight = false;
	idl->st.synced_at_ms = 0;
	if (idl->st.state != OVSDB_IDL_FAILED)
		set_state(idl, OVSDB_IDL_CONNECTING);
	idl_notify(idl);
}

static void handle_update(struct ovsdb_idl *idl, const char *method, json_t *params)
{
	bool v3 = strcmp(method, "update3") == 0, v2 = v3 || strcmp(method, "update2") == 0;
	size_t n = v3 ? 3 : 2;
	const json_t *updates;
	char e[256];

	if (json_array_size(params) != n ||
	    !json_equal(json_array_get(params, 0), idl->monitor_id) ||
	    (v3 && !json_is_string(json_array_get(params, 1)))) {
		idl->st.n_bad_updates++;
		OVSDB_LOG_RL(WARNING, "%s notification with bad parameters ignored", method);
		return;
	}
	updates = json_array_get(params, n - 1);
	if (idl_apply_updates(idl, updates, v2, false, e, sizeof(e)) < 0) {
		idl->st.n_bad_updates++;
		resync(idl, "bad update: %s", e);
		return;
	}
	if (v3)
		snprintf(idl->last_txn_id, sizeof(idl->last_txn_id), "%s",
		         json_string_value(json_array_get(params, 1)));
	idl->st.n_updates++;
	idl_notify(idl);
}

static void on_notify(void *arg, const char *method, json_t *params, json_t *id)
{
	struct ovsdb_idl *idl = arg;

	if (strcmp(method, "update") == 0 || strcmp(method, "update2") == 0 ||
	    strcmp(method, "update3") == 0) {
		handle_update(idl, method, params);
		return;
	}
	if (id && !json_is_null(id)) {
		/* A request we do not serve: say so, as JSON-RPC wants. */
		ovsdb_session_send(idl->session, json_pack("{s:n, s:s, s:O}", "result", "error",
		                                           "unknown method", "id", id));
		return;
	}
	OVSDB_LOG_RL(DEBUG, "notification %s ignored", method);
}

int ovsdb_idl_create(struct event_base *base, const struct ovsdb_db_spec *spec,
                     const struct ovsdb_session_cfg *scfg, struct ovsdb_idl **out, char *err,
                     size_t errlen)
{
	static const struct ovsdb_session_ops ops = {
	        .connected = on_connected,
	        .disconnected = on_disconnected,
	        .notify = on_notify,
	};
	struct ovsdb_idl *idl = calloc(1, sizeof(*idl));
	unsigned i;
	int rc;

	if (idl == NULL)
		return -ENOMEM;
	idl->base = base;
	idl->spec = spec;
	idl->tables = calloc(spec->n_tables, sizeof(*idl->tables));
	idl->monitor_id = json_string(MONITOR_ID);
	idl->cond_ev = event_new(base, -1, 0, cond_ev_cb, idl);
	if (idl->tables == NULL || idl->monitor_id == NULL || idl->cond_ev == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < spec->n_tables; i++) {
		if (spec->tables[i].n_cols > OVSDB_IDL_MAX_COLUMNS) {
			snprintf(err, errlen, "table %s: more than %d columns",
			         spec->tables[i].name, OVSDB_IDL_MAX_COLUMNS);
			rc = -EINVAL;
			goto fail;
		}
		idl->tables[i].spec = &spec->tables[i];
		idl->tables[i].idx = i;
		idl->tables[i].tracked_tail = &idl->tables[i].tracked;
	}
	rc = ovsdb_session_create(base, scfg, &ops, idl, &idl->session, err, errlen);
	if (rc < 0)
		goto fail;
	*out = idl;
	return 0;
fail:
	ovsdb_idl_destroy(idl);
	return rc;
}

void ovsdb_idl_destroy(struct ovsdb_idl *idl)
{
	unsigned i;

	if (idl == NULL)
		return;
	if (idl->session) {
		ovsdb_session_forget(idl->session, idl);
		ovsdb_session_destroy(idl->session);
	}
	idl_track_clear(idl);
	for (i = 0; idl->tables && i < idl->spec->n_tables; i++)
		idl_table_free(&idl->tables[i]);
	free(idl->tables);
	if (idl->cond_ev)
		event_free(idl->cond_ev);
	json_decref(idl->monitor_id);
	ovsdb_schema_free(idl->schema);
	free(idl->subs);
	free(idl);
}

int ovsdb_idl_subscribe(struct ovsdb_idl *idl, ovsdb_idl_change_fn fn, void *arg)
{
	struct idl_sub *s = realloc(idl->subs, (idl->n_subs + 1) * sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	idl->subs = s;
	s[idl->n_subs].fn = fn;
	s[idl->n_subs].arg = arg;
	idl->n_subs++;
	return 0;
}

const struct ovsdb_idl_stats *ovsdb_idl_stats(const struct ovsdb_idl *idl)
{
	return &idl->st;
}

struct ovsdb_session *ovsdb_idl_session(struct ovsdb_idl *idl)
{
	return idl->session;
}

const struct ovsdb_db_spec *ovsdb_idl_spec(const struct ovsdb_idl *idl)
{
	return idl->spec;
}

bool ovsdb_idl_has_table(const struct ovsdb_idl *idl, unsigned t)
{
	return t < idl->spec->n_tables && idl->tables[t].srv;
}

bool ovsdb_idl_has_column(const struct ovsdb_idl *idl, unsigned t, unsigned c)
{
	return ovsdb_idl_column_type(idl, t, c) != NULL;
}

const struct ovsdb_type *ovsdb_idl_column_type(const struct ovsdb_idl *idl, unsigned t, unsigned c)
{
	if (t >= idl->spec->n_tables || c >= idl->spec->tables[t].n_cols ||
	    !idl->tables[t].srv_cols[c])
		return NULL;
	return &idl->tables[t].srv_cols[c]->type;
}

struct ovsdb_table *ovsdb_idl_table(struct ovsdb_idl *idl, unsigned t)
{
	return t < idl->spec->n_tables ? &idl->tables[t] : NULL;
}

int ovsdb_idl_create_detached(const struct ovsdb_db_spec *spec, const json_t *schema,
                              struct ovsdb_idl **out, char *err, size_t errlen)
{
	struct ovsdb_idl *idl = calloc(1, sizeof(*idl));
	unsigned i;

	if (idl == NULL)
		return -ENOMEM;
	idl->spec = spec;
	idl->tables = calloc(spec->n_tables, sizeof(*idl->tables));
	idl->monitor_id = json_string(MONITOR_ID);
	if (idl->tables == NULL || idl->monitor_id == NULL)
		goto nomem;
	for (i = 0; i < spec->n_tables; i++) {
		idl->tables[i].spec = &spec->tables[i];
		idl->tables[i].idx = i;
		idl->tables[i].tracked_tail = &idl->tables[i].tracked;
	}
	idl->schema = ovsdb_schema_parse(schema, err, errlen);
	if (idl->schema == NULL) {
		ovsdb_idl_destroy(idl);
		return -EINVAL;
	}
	idl->st.schema_version = idl->schema->version;
	if (map_schema(idl) < 0) {
		snprintf(err, errlen, "%s", idl->st.last_error);
		ovsdb_idl_destroy(idl);
		return -ENOENT;
	}
	*out = idl;
	return 0;
nomem:
	ovsdb_idl_destroy(idl);
	return -ENOMEM;
}

void ovsdb_idl_receive(struct ovsdb_idl *idl, json_t *msg, enum ovsdb_monitor_method m)
{
	struct jsonrpc_msg rpc;
	const char *why;

	if (jsonrpc_parse(msg, &rpc, &why) < 0) {
		idl->st.n_bad_updates++;
		return;
	}
	switch (rpc.kind) {
	case JSONRPC_NOTIFY:
	case JSONRPC_REQUEST:
		on_notify(idl, rpc.method, rpc.params, rpc.id);
		break;
	case JSONRPC_REPLY:
	case JSONRPC_ERROR:
		idl->st.method = m;
		set_state(idl, OVSDB_IDL_MONITORING);
		monitor_reply(idl, rpc.kind == JSONRPC_ERROR ? -EREMOTEIO : 0, rpc.result,
		              rpc.error);
		break;
	}
}
