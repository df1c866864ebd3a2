/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferry-lflow-check: compile logical flows and report.
 *
 *   ferry-lflow-check [--tables] [--quiet] FILE|-
 *   ferry-lflow-check [--tables] --sb SBDUMP [--chassis NAME] [--update SBDUMP2]
 *   ferry-lflow-check [--tables] --db REMOTE [--chassis NAME]
 *
 * FILE holds what `ovn-sbctl lflow-list' prints, or the JSON that
 * `ovn-sbctl --format=json list Logical_Flow' prints. For each flow it
 * prints the normal form of its match and actions, or the error. SBDUMP is
 * a whole Southbound dump (sbjson.h); REMOTE a live Southbound database,
 * read once through the project's OVSDB client (check_db.h): with either,
 * names resolve. Then a summary: flows, errors, and per action the number
 * of flows holding it that the fast path cannot execute yet.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "check_db.h"
#include "lflow.h"
#include "compiler.h"
#include "sbdiff.h"
#include "sbjson.h"

struct flow_in {
	char *datapath;
	int pipeline; /* 0 ingress, 1 egress */
	unsigned table;
	int priority;
	char *match, *actions;
};

struct flows {
	struct flow_in *v;
	size_t n, cap;
};

static void flows_add(struct flows *f, const char *dp, int pipeline, unsigned table, int prio,
                      const char *match, size_t mlen, const char *actions, size_t alen)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (f->v == NULL)
			abort();
	}
	struct flow_in *x = &f->v[f->n++];
	x->datapath = strdup(dp);
	x->pipeline = pipeline;
	x->table = table;
	x->priority = prio;
	x->match = strndup(match, mlen);
	x->actions = strndup(actions, alen);
	if (x->datapath == NULL || x->match == NULL || x->actions == NULL)
		abort();
}

/* `ovn-sbctl lflow-list' text. */
static int read_text(FILE *in, struct flows *f)
{
	char *line = NULL;
	size_t cap = 0;
	char dp[256] = "";
	int pipeline = 0;
	while (getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "Datapath: ", 10) == 0) {
			/* `Datapath: "sw0" (uuid)  Pipeline: ingress' */
			const char *p = strstr(line, "ipeline: ");
			const char *e = strchr(line + 10, '(');
			size_t n = e ? (size_t)(e - line - 10) : strlen(line + 10);
			while (n > 0 && line[10 + n - 1] == ' ')
				n--;
			snprintf(dp, sizeof(dp), "%.*s", (int)n, line + 10);
			pipeline = p != NULL && strncmp(p + 9, "egress", 6) == 0;
			continue;
		}
		const char *t = strstr(line, "table=");
		const char *m = strstr(line, "match=(");
		const char *a = m ? strstr(m, "), action=(") : NULL;
		const char *pr = strstr(line, "priority=");
		if (t == NULL || m == NULL || a == NULL || pr == NULL)
			continue;
		/* The actions run to the last `)' of the line; the match ends at
		 * the last "), action=(" (a match cannot contain that text). */
		const char *next;
		while ((next = strstr(a + 1, "), action=(")) != NULL)
			a = next;
		const char *as = a + strlen("), action=(");
		const char *ae = strrchr(as, ')');
		if (ae == NULL)
			continue;
		flows_add(f, dp, pipeline, (unsigned)atoi(t + 6), atoi(pr + 9), m + 7,
		          (size_t)(a - m - 7), as, (size_t)(ae - as));
	}
	free(line);
	return 0;
}

static const char *json_cell_str(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	/* ["uuid", "..."] and other wrapped values */
	if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 1)))
		return json_string_value(json_array_get(v, 1));
	return "";
}

/* `ovn-sbctl --format=json list Logical_Flow'. */
static int read_json(const char *text, struct flows *f)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	if (root == NULL) {
		fprintf(stderr, "JSON error at line %d: %s\n", jerr.line, jerr.text);
		return -EINVAL;
	}
	json_t *head = json_object_get(root, "headings"), *data = json_object_get(root, "data");
	int im = -1, ia = -1, ip = -1, it = -1, ipr = -1, id = -1;
	for (size_t i = 0; i < json_array_size(head); i++) {
		const char *h = json_string_value(json_array_get(head, i));
		if (h == NULL)
			continue;
		int *slot = !strcmp(h, "match")              ? &im
		            : !strcmp(h, "actions")          ? &ia
		            : !strcmp(h, "pipeline")         ? &ip
		            : !strcmp(h, "table_id")         ? &it
		            : !strcmp(h, "priority")         ? &ipr
		            : !strcmp(h, "logical_datapath") ? &id
		                                             : NULL;
		if (slot)
			*slot = (int)i;
	}
	if (im < 0 || ia < 0 || !json_is_array(data)) {
		fprintf(stderr, "JSON has no match/actions columns\n");
		json_decref(root);
		return -EINVAL;
	}
	for (size_t r = 0; r < json_array_size(data); r++) {
		json_t *row = json_array_get(data, r);
		const char *m = json_cell_str(json_array_get(row, (size_t)im));
		const char *a = json_cell_str(json_array_get(row, (size_t)ia));
		const char *p = ip >= 0 ? json_cell_str(json_array_get(row, (size_t)ip)) : "";
		const char *d = id >= 0 ? json_cell_str(json_array_get(row, (size_t)id)) : "";
		json_int_t t = it >= 0 ? json_integer_value(json_array_get(row, (size_t)it)) : 0;
		json_int_t pr = ipr >= 0 ? json_integer_value(json_array_get(row, (size_t)ipr)) : 0;
		flows_add(f, d, strcmp(p, "egress") == 0, (unsigned)t, (int)pr, m, strlen(m), a,
		          strlen(a));
	}
	json_decref(root);
	return 0;
}

static int read_source(const char *path, struct flows *f)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (in == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	if (in != stdin)
		fclose(in);
	const char *p = buf;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	int r;
	if (*p == '{') {
		r = read_json(buf, f);
	} else {
		FILE *s = fmemopen(buf, len ? len : 1, "r");
		r = read_text(s, f);
		fclose(s);
	}
	free(buf);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: ferry-lflow-check [--tables] [--quiet] [--dump] [--time]\n"
	                "                         [--sb SBDUMP [--chassis NAME] [--update "
	                "SBDUMP2]] [FILE|-]\n"
	                "       ferry-lflow-check [--tables] [--dump] [--time] --db REMOTE "
	                "[--chassis NAME] [--timeout S]\n");
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void print_error(void *aux, const char *uuid, const char *msg)
{
	size_t *n = aux;
	if (*n < 40)
		printf("  error in flow %s: %s\n", uuid, msg);
	(*n)++;
}

/* `not yet executable: ct_commit 40 flows, ct_next 12 flows, ...' */
static void print_punted(const struct lflow_stats *st)
{
	unsigned ops[LFLOW_OP_N];
	size_t n = lflow_stats_punted_ops(st, ops);
	printf("not yet executable:");
	for (size_t i = 0; i < n; i++)
		printf("%s %s %zu flow%s", i ? "," : "", action_name((enum lflow_op)ops[i]),
		       st->n_punted_by_op[ops[i]], st->n_punted_by_op[ops[i]] == 1 ? "" : "s");
	printf("%s\n", n ? "" : " none");
}

/* Flows read from a file, as compiler input rows. */
static struct lflow_in_flow *flows_as_input(const struct flows *f, char ***uuids)
{
	struct lflow_in_flow *v = calloc(f->n + 1, sizeof(*v));
	char **u = calloc(f->n + 1, sizeof(*u));
	if (v == NULL || u == NULL)
		abort();
	for (size_t i = 0; i < f->n; i++) {
		if (asprintf(&u[i], "flow-%zu", i) < 0)
			abort();
		v[i] = (struct lflow_in_flow){u[i],
		                              (const char *const *)&f->v[i].datapath,
		                              1,
		                              f->v[i].pipeline,
		                              f->v[i].table,
		                              f->v[i].priority,
		                              f->v[i].match,
		                              f->v[i].actions};
	}
	*uuids = u;
	return v;
}

/* Without a Southbound dump: a datapath per distinct name, keys in order. */
static struct lflow_in_datapath *synthetic_dps(const struct flows *f, size_t *n_out)
{
	struct lflow_in_datapath *v = calloc(f->n + 1, sizeof(*v));
	if (v == NULL)
		abort();
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++) {
		bool seen = false;
		for (size_t k = n; k > 0 && !seen; k--)
			seen = strcmp(v[k - 1].uuid, f->v[i].datapath) == 0;
		if (!seen) {
			v[n] = (struct lflow_in_datapath){f->v[i].datapath, f->v[i].datapath,
			                                  (uint32_t)n + 1};
			n++;
		}
	}
	*n_out = n;
	return v;
}

static char *dump_text(const struct lflow_compiler *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		abort();
	lflow_compiler_dump(c, m);
	fclose(m);
	return buf;
}

/* Applies the difference to SBDUMP2 incrementally, times it, and proves it
 * equal to a full compile of SBDUMP2. */
static int check_update(struct lflow_compiler *comp, const struct lflow_input *from,
                        const char *path, const char *chassis, bool timing)
{
	struct sb_dump *d = sb_dump_read(path);
	if (d == NULL)
		return 2;
	struct lflow_input to = *sb_dump_input(d);
	if (chassis)
		to.chassis = chassis;
	double t0 = now_ms();
	int n = sb_diff_apply(comp, from, &to);
	lflow_compiler_commit(comp);
	double t1 = now_ms();
	struct lflow_stats st;
	lflow_compiler_stats(comp, &st);
	if (timing)
		printf("incremental: %.3f ms, %d row changes, %zu flows recompiled, %zu tables "
		       "rebuilt\n",
		       t1 - t0, n, st.last_recompiled, st.last_tables_rebuilt);
	struct lflow_compiler *full = lflow_compiler_create(false);
	if (full == NULL)
		abort();
	lflow_compiler_load(full, &to);
	char *a = dump_text(comp), *b = dump_text(full);
	bool same = strcmp(a, b) == 0;
	printf("incremental == full: %s\n", same ? "yes" : "NO");
	free(a);
	free(b);
	lflow_compiler_destroy(full);
	sb_dump_free(d);
	return same ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"tables", no_argument, NULL, 't'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"dump", no_argument, NULL, 'D'},
	        {"time", no_argument, NULL, 'T'},
	        {"sb", required_argument, NULL, 's'},
	        {"chassis", required_argument, NULL, 'c'},
	        {"update", required_argument, NULL, 'u'},
	        {"db", required_argument, NULL, 'd'},
	        {"timeout", required_argument, NULL, 'w'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	bool tables = false, quiet = false, dump = false, timing = false;
	const char *db = NULL, *sb = NULL, *chassis = NULL, *update = NULL;
	unsigned timeout_s = 30;
	int c;
	while ((c = getopt_long(argc, argv, "tqDTs:c:u:d:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tables = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'D':
			dump = true;
			break;
		case 'T':
			timing = true;
			break;
		case 's':
			sb = optarg;
			break;
		case 'c':
			chassis = optarg;
			break;
		case 'u':
			update = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'w':
			timeout_s = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	struct flows f = {0};
	int r = 0;
	if ((db != NULL) + (sb != NULL) + (optind < argc) > 1)
		r = (usage(), -EINVAL);
	else if (optind < argc)
		r = read_source(argv[optind], &f);
	else if (sb == NULL && db == NULL)
		r = (usage(), -EINVAL);
	if (r < 0)
		return 2;
	struct sb_dump *sbd = NULL;
	struct check_db *live = NULL;
	struct lflow_input live_in;
	if (sb != NULL && (sbd = sb_dump_read(sb)) == NULL)
		return 2;
	if (db != NULL && (live = check_db_read(db, timeout_s, &live_in)) == NULL)
		return 2;

	/* Normal forms, flow by flow, for reading. */
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; !quiet && i < f.n; i++) {
		struct flow_in *x = &f.v[i];
		struct act_ctx ctx = {.pipeline = x->pipeline, .table = x->table};
		struct lflow_result res;
		arena_reset(&a);
		printf("%s %s table=%u priority=%d match=(%s) action=(%s)\n", x->datapath,
		       x->pipeline ? "egress" : "ingress", x->table, x->priority, x->match,
		       x->actions);
		if (lflow_compile_text(x->match, x->actions, &ctx, &a, &res) < 0)
			printf("  error in %s: at %zu: %s\n",
			       res.error_in_actions ? "actions" : "match", res.err.pos,
			       res.err.msg);
		else
			printf("  match => %s\n  actions => %s\n", dnf_format(&res.dnf, &a),
			       actions_format(res.acts, &a));
	}
	arena_destroy(&a);

	/* The whole input through the compiler, names resolved. */
	struct lflow_input in = {0};
	char **uuids = NULL;
	struct lflow_in_flow *fin = NULL;
	struct lflow_in_datapath *sdps = NULL;
	if (sbd != NULL)
		in = *sb_dump_input(sbd);
	else if (live != NULL)
		in = live_in;
	else
		in.datapaths = sdps = synthetic_dps(&f, &in.n_datapaths);
	if (optind < argc) {
		in.flows = fin = flows_as_input(&f, &uuids);
		in.n_flows = f.n;
	}
	if (chassis)
		in.chassis = chassis;
	struct lflow_compiler *comp = lflow_compiler_create(sbd == NULL && live == NULL);
	if (comp == NULL)
		return 2;
	double t0 = now_ms();
	lflow_compiler_load(comp, &in);
	double t1 = now_ms();
	if (timing)
		printf("full compile: %.1f ms, %zu flows, peak RSS %ld KiB\n", t1 - t0, in.n_flows,
		       rss_kib());
	struct lflow_stats st;
	lflow_compiler_stats(comp, &st);
	size_t n_shown = 0;
	lflow_compiler_errors(comp, print_error, &n_shown);
	int rc = st.n_parse_errors || st.n_unresolved ? 1 : 0;
	if (update != NULL && rc == 0)
		rc = check_update(comp, &in, update, chassis, timing);
	if (tables)
		lflow_compiler_dump_shapes(comp, stdout);
	if (dump)
		lflow_compiler_dump(comp, stdout);
	lflow_compiler_stats(comp, &st);
	printf("tables: %zu (exact %zu, lpm %zu, tuple %zu), entries: %zu, sets: %zu\n",
	       st.n_tables, st.n_by_shape[LFLOW_SHAPE_EXACT], st.n_by_shape[LFLOW_SHAPE_LPM],
	       st.n_by_shape[LFLOW_SHAPE_TUPLE], st.n_entries, st.n_sets);
	printf("flows: %zu, parse errors: %zu, unresolved: %zu, flows with actions not yet "
	       "executable: %zu\n",
	       st.n_flows, st.n_parse_errors, st.n_unresolved, st.n_punted);
	print_punted(&st);
	lflow_compiler_destroy(comp);
	for (size_t i = 0; uuids && i < f.n; i++)
		free(uuids[i]);
	free(uuids);
	free(fin);
	free(sdps);
	sb_dump_free(sbd);
	check_db_free(live);
	for (size_t i = 0; i < f.n; i++) {
		free(f.v[i].datapath);
		free(f.v[i].match);
		free(f.v[i].actions);
	}
	free(f.v);
	return rc;
}
