/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The difference between two inputs, applied to a compiler as row changes:
 * what the chassis agent does with a database update, done here from two
 * snapshots so that the check tool and tests can drive the incremental path
 * with real northd output.
 */
#ifndef FERRY_LFLOW_SBDIFF_H
#define FERRY_LFLOW_SBDIFF_H

#include <stddef.h>

#include "compiler.h"
#include "input.h"

/** Apply the rows of @p to that differ from @p from (no commit).
 *  @return the number of row changes, or -errno. */
int sb_diff_apply(struct lflow_compiler *c, const struct lflow_input *from,
                  const struct lflow_input *to);

#endif
