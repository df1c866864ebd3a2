/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The logical flow compiler, front end: one Logical_Flow row (match,
 * actions, pipeline, table) to its normal form and program. See
 * docs/lflow.md for the design.
 */
#ifndef FERRY_LFLOW_H
#define FERRY_LFLOW_H

#include <stdbool.h>

#include "actions.h"
#include "expr.h"

struct arena;

struct lflow_result {
	bool ok;
	bool error_in_actions; /* else the error is in the match */
	struct lf_error err;
	struct dnf dnf;    /* match && action prerequisites */
	struct act *acts;  /* NULL: drop */
	unsigned n_punted; /* actions the fast path cannot run yet */
};

/**
 * Parse and normalise one flow. Everything lives in @p a.
 * @return 0, or -EINVAL with res->err set.
 */
int lflow_compile_text(const char *match, const char *actions, const struct act_ctx *ctx,
                       struct arena *a, struct lflow_result *res);

#endif
