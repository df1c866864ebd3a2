/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferry-lflow-check: compile logical flows and report.
 *
 *   ferry-lflow-check [--tables] [--quiet] FILE|-
 *
 * FILE holds what `ovn-sbctl lflow-list' prints, or the JSON that
 * `ovn-sbctl --format=json list Logical_Flow' prints. For each flow it
 * prints the normal form of its match and actions, or the error; then a
 * summary line and the actions the fast path cannot execute yet.
 *
 * A live database (--db) will come through the project's OVSDB client
 * (control/ovsdb/); check_source_db() is the hook for it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "lflow.h"
#include "tables.h"

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

/* Hook for live mode: fill @p f from the Southbound database at @p remote.
 * Waits for the OVSDB client in control/ovsdb/. */
static int check_source_db(const char *remote, struct flows *f)
{
	(void)f;
	fprintf(stderr,
	        "--db %s: live mode needs the OVSDB client (control/ovsdb/); use "
	        "`ovn-sbctl lflow-list | ferry-lflow-check -' meanwhile\n",
	        remote);
	return -ENOTSUP;
}

struct table_key {
	const char *dp;
	int pipeline;
	unsigned table;
	struct table_shape shape;
};

static int table_cmp(const void *a, const void *b)
{
	const struct table_key *x = a, *y = b;
	int c = strcmp(x->dp, y->dp);
	if (c)
		return c;
	if (x->pipeline != y->pipeline)
		return x->pipeline - y->pipeline;
	return (int)x->table - (int)y->table;
}

static void usage(void)
{
	fprintf(stderr, "usage: ferry-lflow-check [--tables] [--quiet] FILE|-\n"
	                "       ferry-lflow-check --db REMOTE\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"tables", no_argument, NULL, 't'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	bool tables = false, quiet = false;
	const char *db = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "tqd:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tables = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'd':
			db = optarg;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	struct flows f = {0};
	int r = db              ? check_source_db(db, &f)
	        : optind < argc ? read_source(argv[optind], &f)
	                        : (usage(), -EINVAL);
	if (r < 0)
		return 2;

	struct arena a;
	arena_init(&a);
	unsigned punted[LFLOW_OP_N] = {0};
	size_t n_err = 0, n_punt = 0;
	struct table_key *tk = calloc(f.n ? f.n : 1, sizeof(*tk));
	size_t n_tk = 0;
	if (tk == NULL)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		struct flow_in *x = &f.v[i];
		struct act_ctx ctx = {.pipeline = x->pipeline, .table = x->table};
		struct lflow_result res;
		arena_reset(&a);
		if (!quiet)
			printf("%s %s table=%u priority=%d match=(%s) action=(%s)\n", x->datapath,
			       x->pipeline ? "egress" : "ingress", x->table, x->priority, x->match,
			       x->actions);
		if (lflow_compile_text(x->match, x->actions, &ctx, &a, &res) < 0) {
			n_err++;
			printf("  error in %s: at %zu: %s\n",
			       res.error_in_actions ? "actions" : "match", res.err.pos,
			       res.err.msg);
			if (quiet)
				printf("    %s: %s\n", res.error_in_actions ? "actions" : "match",
				       res.error_in_actions ? x->actions : x->match);
			continue;
		}
		actions_count_punted(res.acts, punted);
		n_punt += res.n_punted > 0;
		if (!quiet)
			printf("  match => %s\n  actions => %s\n", dnf_format(&res.dnf, &a),
			       actions_format(res.acts, &a));
		if (tables) {
			struct table_key key = {x->datapath, x->pipeline, x->table, {0}};
			struct table_key *t = NULL;
			if (n_tk > 0 && table_cmp(&tk[n_tk - 1], &key) == 0)
				t = &tk[n_tk - 1];
			for (size_t k = 0; t == NULL && k < n_tk; k++)
				if (table_cmp(&tk[k], &key) == 0)
					t = &tk[k];
			if (t == NULL) {
				t = &tk[n_tk++];
				*t = key;
			}
			table_shape_add(&t->shape, &res.dnf);
		}
	}
	if (tables) {
		qsort(tk, n_tk, sizeof(*tk), table_cmp);
		size_t by_shape[4] = {0};
		for (size_t k = 0; k < n_tk; k++) {
			const struct table_shape *s = &tk[k].shape;
			by_shape[s->shape]++;
			printf("table %s %s %u: %s, %zu flows, %zu entries, %zu field sets\n",
			       tk[k].dp, tk[k].pipeline ? "egress" : "ingress", tk[k].table,
			       table_shape_name(s->shape), s->n_flows, s->n_entries, s->n_masks);
		}
		printf("tables: %zu (exact %zu, lpm %zu, tuple %zu)\n", n_tk,
		       by_shape[LFLOW_SHAPE_EXACT], by_shape[LFLOW_SHAPE_LPM],
		       by_shape[LFLOW_SHAPE_TUPLE]);
	}
	printf("flows: %zu, parse errors: %zu, flows with actions not yet executable: %zu\n", f.n,
	       n_err, n_punt);
	printf("not yet executable:");
	bool any = false;
	for (int i = 0; i < LFLOW_OP_N; i++) {
		if (punted[i]) {
			printf(" %s=%u", action_name((enum lflow_op)i), punted[i]);
			any = true;
		}
	}
	printf("%s\n", any ? "" : " none");
	for (size_t i = 0; i < f.n; i++) {
		free(f.v[i].datapath);
		free(f.v[i].match);
		free(f.v[i].actions);
	}
	free(f.v);
	free(tk);
	arena_destroy(&a);
	return n_err ? 1 : 0;
}
