/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/api/drop.h"

static const char *const drop_names[DROP__MAX] = {[DROP_NONE] = "none",
#define DROP_NAME(e, name, help) [DROP_##e] = name,
                                                  DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};

static const char *const drop_helps[DROP__MAX] = {[DROP_NONE] = "not dropped",
#define DROP_HELP(e, name, help) [DROP_##e] = help,
                                                  DROP_REASONS(DROP_HELP)
#undef DROP_HELP
};

const char *drop_reason_name(enum drop_reason r)
{
	return (unsigned)r < DROP__MAX ? drop_names[r] : "unknown";
}

const char *drop_reason_help(enum drop_reason r)
{
	return (unsigned)r < DROP__MAX ? drop_helps[r] : "unknown drop reason";
}
