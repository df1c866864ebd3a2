/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by agent.c (feeding the compiler) and agent_ctl.c. */
#ifndef FERRY_LFLOW_AGENT_INT_H
#define FERRY_LFLOW_AGENT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "compiler.h"

extern int lflow_logtype;

struct lflow_agent {
	struct ovsdb_idl *idl;
	struct lflow_compiler *comp;
	char *chassis;
	struct arena scratch; /* one batch's strings */
	bool running;
	/* Counters. */
	uint64_t n_batches;     /* batches that changed compiler input */
	uint64_t n_row_changes; /* rows applied as compiler row changes */
	uint64_t n_row_errors;  /* row changes the compiler refused */
	uint64_t n_recompiled;  /* flows recompiled, all batches */
	double first_ms;        /* first (full) compile */
	double last_ms, max_ms, total_ms;
	uint64_t last_rows;
	size_t last_recompiled, last_tables_rebuilt;
};

struct lflow_agent *lflow_agent_get(void);
void lflow_agent_ctl_register(void);

#endif
