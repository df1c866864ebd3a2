/* SPDX-License-Identifier: Apache-2.0 */
#include "lflow.h"

#include <errno.h>
#include <string.h>

#include "arena.h"

int lflow_compile_text(const char *match, const char *actions, const struct act_ctx *ctx,
                       struct arena *a, struct lflow_result *res)
{
	memset(res, 0, sizeof(*res));
	const struct enode *m = expr_parse(match, a, &res->err);
	if (m == NULL)
		return -EINVAL;
	const struct enode *pre = NULL;
	res->acts = actions_parse(actions, ctx, a, &pre, &res->err);
	if (res->err.set) {
		res->error_in_actions = true;
		return -EINVAL;
	}
	if (expr_to_dnf(expr_and(a, m, pre), a, &res->dnf, &res->err) < 0)
		return -EINVAL;
	unsigned counts[LFLOW_OP_N] = {0};
	actions_count_punted(res->acts, counts);
	for (int i = 0; i < LFLOW_OP_N; i++)
		res->n_punted += counts[i];
	res->ok = true;
	return 0;
}
