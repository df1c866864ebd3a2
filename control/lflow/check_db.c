/* SPDX-License-Identifier: Apache-2.0 */
#include "check_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <rte_log.h>

#include "arena.h"
#include "control/ovsdb/sb.h"
#include "sbidl.h"

struct check_db {
	struct event_base *base;
	struct ovsdb_idl *idl;
	struct arena a;
	bool synced, failed;
};

static void changed(struct ovsdb_idl *idl, void *arg)
{
	struct check_db *d = arg;
	if (ovsdb_idl_stats(idl)->state == OVSDB_IDL_FAILED)
		d->failed = true;
	else if (ovsdb_idl_is_synced(idl))
		d->synced = true;
	else
		return;
	event_base_loopbreak(d->base);
}

struct check_db *check_db_read(const char *remote, unsigned timeout_s, struct lflow_input *in)
{
	struct ovsdb_session_cfg scfg = {.remotes = remote, .connect_timeout_ms = 5000};
	struct timeval tv = {.tv_sec = timeout_s};
	char err[256];
	struct check_db *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	arena_init(&d->a);
	/* The client logs through rte_log, which works without an EAL:
	 * keep it to warnings so that the report stays readable. */
	rte_log_set_global_level(RTE_LOG_WARNING);
	d->base = event_base_new();
	if (d->base == NULL) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	int rc = ovsdb_idl_create(d->base, &sb_db_spec, &scfg, &d->idl, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "--db %s: %s\n", remote, err);
		check_db_free(d);
		errno = -rc;
		return NULL;
	}
	ovsdb_idl_subscribe(d->idl, changed, d);
	event_base_loopexit(d->base, &tv);
	event_base_dispatch(d->base);
	if (!d->synced) {
		const char *why = ovsdb_idl_stats(d->idl)->last_error;
		if (why[0] == '\0')
			why = ovsdb_session_stats(ovsdb_idl_session(d->idl))->last_error;
		fprintf(stderr, "--db %s: %s%s\n", remote,
		        d->failed ? "" : "no complete replica in time: ",
		        why[0] ? why : "no answer");
		int e = d->failed ? EPROTO : ETIMEDOUT;
		check_db_free(d);
		errno = e;
		return NULL;
	}
	sbidl_input(d->idl, NULL, &d->a, in);
	return d;
}

void check_db_free(struct check_db *d)
{
	if (d == NULL)
		return;
	ovsdb_idl_destroy(d->idl);
	if (d->base)
		event_base_free(d->base);
	arena_destroy(&d->a);
	free(d);
}
