/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sb_replica: replicate a Southbound database with the IDL and print what
 * it holds, for system tests and the benchmark.
 *
 *   sb_replica [-t SECONDS] [-w] [-f] [-d] [-u KEY] REMOTES
 *     -w   wait for changes and print counts after each batch (until -t)
 *     -f   print one line per row: TABLE UUID (sorted by the caller)
 *     -d   print every value in a canonical form instead (for diffing
 *          a replica kept up by updates against a fresh one)
 *     -u KEY  keep replicating until SB_Global external_ids has KEY
 *   Output when synced: "synced MS" then "TABLE COUNT" per table, then
 *   "rss_kb N" and "method M".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "control/ovsdb/log.h"
#include "control/ovsdb/sb.h"

struct tool {
	struct event_base *base;
	uint64_t start_ms;
	bool watch, rows, values, done;
	const char *until;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per row: TABLE UUID col=[sorted elements]... */
static void dump_values(struct ovsdb_idl *idl)
{
	const struct ovsdb_row *r;
	char u[OVSDB_UUID_LEN + 1];
	unsigned i, c;
	size_t k, n;

	for (i = 0; i < SB_T__N; i++) {
		const struct ovsdb_table_spec *ts = &sb_db_spec.tables[i];

		for (r = ovsdb_table_first(ovsdb_idl_table(idl, i)); r; r = ovsdb_table_next(r)) {
			ovsdb_uuid_format(&r->uuid, u);
			printf("%s %s", ts->name, u);
			for (c = 0; c < ts->n_cols; c++) {
				const struct ovsdb_type *ty = ovsdb_idl_column_type(idl, i, c);
				const json_t *v = ovsdb_row_get(r, c);
				char **e;

				if (ty == NULL || ovsdb_datum_equals(v, NULL, ty))
					continue;
				n = ovsdb_datum_n(v);
				e = calloc(n + 1, sizeof(*e));
				for (k = 0; k < n; k++)
					e[k] = json_dumps(ovsdb_datum_at(v, k),
					                  JSON_COMPACT | JSON_ENCODE_ANY);
				qsort(e, n, sizeof(*e), cmp_str);
				printf(" %s=[", ts->cols[c].name);
				for (k = 0; k < n; k++) {
					printf("%s%s", k ? "," : "", e[k]);
					free(e[k]);
				}
				printf("]");
				free(e);
			}
			printf("\n");
		}
	}
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void dump(struct ovsdb_idl *idl, struct tool *t)
{
	const struct ovsdb_row *r;
	char u[OVSDB_UUID_LEN + 1];
	unsigned i;

	if (t->values) {
		dump_values(idl);
		fflush(stdout);
		return;
	}
	printf("synced %llu\n", (unsigned long long)(ferry_now_ms() - t->start_ms));
	for (i = 0; i < SB_T__N; i++) {
		struct ovsdb_table *tbl = ovsdb_idl_table(idl, i);

		if (!ovsdb_idl_has_table(idl, i))
			continue;
		printf("%s %zu\n", sb_db_spec.tables[i].name, ovsdb_table_count(tbl));
		for (r = ovsdb_table_first(tbl); t->rows && r; r = ovsdb_table_next(r)) {
			ovsdb_uuid_format(&r->uuid, u);
			printf("row %s %s\n", sb_db_spec.tables[i].name, u);
		}
	}
	printf("rss_kb %ld\nmethod %s\n", rss_kb(),
	       ovsdb_idl_method_name(ovsdb_idl_stats(idl)->method));
	fflush(stdout);
}

static void changed(struct ovsdb_idl *idl, void *arg)
{
	struct tool *t = arg;

	if (ovsdb_idl_stats(idl)->state == OVSDB_IDL_FAILED) {
		fprintf(stderr, "error: %s\n", ovsdb_idl_stats(idl)->last_error);
		t->done = true;
		event_base_loopbreak(t->base);
		return;
	}
	if (!ovsdb_idl_is_synced(idl))
		return;
	if (t->until) {
		const struct ovsdb_row *g = ovsdb_table_first(ovsdb_idl_table(idl, SB_T_GLOBAL));

		if (!g || !ovsdb_map_get(ovsdb_row_get(g, SB_GLOBAL_EXTERNAL_IDS), t->until)) {
			if (!t->watch) {
				printf("waiting\n");
				fflush(stdout);
				t->watch = true;
			}
			return;
		}
		t->watch = false;
	}
	dump(idl, t);
	if (!t->watch) {
		t->done = true;
		event_base_loopbreak(t->base);
	}
}

int main(int argc, char **argv)
{
	struct ovsdb_session_cfg scfg = {.probe_ms = 5000};
	struct tool t = {0};
	struct ovsdb_idl *idl;
	struct timeval tv = {.tv_sec = 10};
	char err[256];
	int c;

	while ((c = getopt(argc, argv, "t:wfdu:")) != -1) {
		switch (c) {
		case 't':
			tv.tv_sec = atoi(optarg);
			break;
		case 'w':
			t.watch = true;
			break;
		case 'f':
			t.rows = true;
			break;
		case 'd':
			t.values = true;
			break;
		case 'u':
			t.until = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: sb_replica [-t SECONDS] [-w] [-f] REMOTES\n");
		return 2;
	}
	rte_log_set_global_level(RTE_LOG_WARNING);
	scfg.remotes = argv[optind];
	t.base = event_base_new();
	t.start_ms = ferry_now_ms();
	if (ovsdb_idl_create(t.base, &sb_db_spec, &scfg, &idl, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	ovsdb_idl_subscribe(idl, changed, &t);
	event_base_loopexit(t.base, &tv);
	event_base_dispatch(t.base);
	ovsdb_idl_destroy(idl);
	event_base_free(t.base);
	if (!t.done && (!t.watch || t.until)) {
		fprintf(stderr, "error: not synced in %ld s\n", (long)tv.tv_sec);
		return 1;
	}
	return 0;
}
