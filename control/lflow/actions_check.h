/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The argument rules of each action, beyond the shape its descriptor gives
 * (actions_parse.c): what ovn-sb(5) states and ovn-controller 23.03 checks
 * when it parses an action (option names and value types, address and port
 * forms, ranges, required arguments). One check per entry of LFLOW_ACTIONS.
 */
#ifndef FERRY_LFLOW_ACTIONS_CHECK_H
#define FERRY_LFLOW_ACTIONS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct act;
struct act_ctx;
struct lf_error;

/**
 * Check the arguments (and the result field) of the parsed action @p a,
 * written at byte offset @p pos in a flow of table @p ctx.
 * @return true, or false with @p err set.
 */
bool action_check_args(const struct act *a, const struct act_ctx *ctx, size_t pos,
                       struct lf_error *err);

#endif
