/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests for the logical flow compiler. Each file holds lines
 * `input => expected`; a `mode: match` or `mode: actions` line says what the
 * following inputs are, a `table: N` line which table the actions' flow
 * sits in (10 until then). Matches print their normal form, actions their
 * canonical text (plus the prerequisites they add to the match), errors
 * `error: at OFFSET: message`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/arena.h"
#include "control/lflow/lflow.h"

static char *run_match(const char *in, struct arena *a)
{
	struct lf_error err = {0};
	struct dnf d;
	const struct enode *e = expr_parse(in, a, &err);
	if (e == NULL || expr_to_dnf(e, a, &d, &err) < 0)
		return arena_printf(a, "error: at %zu: %s", err.pos, err.msg);
	return dnf_format(&d, a);
}

/* The table the actions' flow sits in (`table: N' lines change it). */
static unsigned cur_table = 10;

static char *run_actions(const char *in, struct arena *a)
{
	struct lf_error err = {0};
	const struct enode *pre = NULL;
	struct act_ctx ctx = {.pipeline = 0, .table = cur_table};
	struct act *acts = actions_parse(in, &ctx, a, &pre, &err);
	if (err.set)
		return arena_printf(a, "error: at %zu: %s", err.pos, err.msg);
	char *s = actions_format(acts, a);
	struct dnf d;
	if (pre->type != EN_TRUE && expr_to_dnf(pre, a, &d, &err) == 0)
		s = arena_printf(a, "%s [prereq: %s]", s, dnf_format(&d, a));
	/* The program must encode and the count of punted actions agree. */
	struct prog_buf pb = {0};
	actions_encode(acts, &pb, NULL, NULL);
	if (pb.n == 0)
		s = arena_printf(a, "%s [EMPTY PROGRAM]", s);
	prog_buf_free(&pb);
	return s;
}

int main(int argc, char **argv)
{
	int failures = 0, total = 0;
	/* LFLOW_GOLDEN_REGEN=1 prints `input => output' to review new cases. */
	bool regen = getenv("LFLOW_GOLDEN_REGEN") != NULL;
	struct arena a;
	arena_init(&a);
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		char line[8192];
		int lineno = 0;
		bool actions = false;
		while (fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#' || line[0] == '\0')
				continue;
			if (strncmp(line, "table: ", 7) == 0) {
				if (regen)
					printf("%s\n", line);
				cur_table = (unsigned)atoi(line + 7);
				continue;
			}
			if (strncmp(line, "mode: ", 6) == 0) {
				if (regen)
					printf("%s\n", line);
				actions = strcmp(line + 6, "actions") == 0;
				continue;
			}
			char *sep = strstr(line, " => ");
			if (sep == NULL) {
				fprintf(stderr, "%s:%d: no ` => ' in line\n", argv[i], lineno);
				failures++;
				continue;
			}
			*sep = '\0';
			const char *want = sep + 4;
			arena_reset(&a);
			char *got = actions ? run_actions(line, &a) : run_match(line, &a);
			total++;
			if (regen) {
				printf("%s => %s\n", line, got);
				continue;
			}
			if (strcmp(got, want) != 0) {
				fprintf(stderr, "%s:%d: %s\n  expected: %s\n  got:      %s\n",
				        argv[i], lineno, line, want, got);
				failures++;
			}
		}
		fclose(f);
	}
	arena_destroy(&a);
	printf("%d golden cases, %d failures\n", total, failures);
	return failures ? 1 : 0;
}
