/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "control/ctl/ctl.h"
#include "control/log/log.h"

int ferry_logtype[FERRY_LOG__MAX];

static const char *const log_type_names[FERRY_LOG__MAX] = {
#define LOG_NAME(e, name) [FERRY_LOG_##e] = name,
        FERRY_LOG_TYPES(LOG_NAME)
#undef LOG_NAME
};

static const char *const level_names[] = {
        [RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert",     [RTE_LOG_CRIT] = "crit",
        [RTE_LOG_ERR] = "err",     [RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
        [RTE_LOG_INFO] = "info",   [RTE_LOG_DEBUG] = "debug",
};

int log_level_parse(const char *s)
{
	for (unsigned i = RTE_LOG_EMERG; i <= RTE_LOG_DEBUG; i++)
		if (!strcasecmp(s, level_names[i]))
			return i;
	if (!strcasecmp(s, "error"))
		return RTE_LOG_ERR;
	if (!strcasecmp(s, "warn"))
		return RTE_LOG_WARNING;
	return -1;
}

void log_init(void)
{
	for (unsigned i = 0; i < FERRY_LOG__MAX; i++)
		ferry_logtype[i] =
		        rte_log_register_type_and_pick_level(log_type_names[i], RTE_LOG_INFO);
}

/* Walk a spec; apply it when @p apply is set. */
static int log_walk(const char *spec, bool apply, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *item;
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(item, ':');
		const char *type = colon ? item : "ferry.*";
		int level;

		if (colon)
			*colon = '\0';
		level = log_level_parse(colon ? colon + 1 : item);
		if (level < 0 || *type == '\0') {
			snprintf(err, errlen,
			         "bad log level '%s': expected LEVEL or TYPE:LEVEL with LEVEL one "
			         "of emerg, alert, crit, err, warning, notice, info, debug",
			         colon ? colon + 1 : item);
			rc = -EINVAL;
			break;
		}
		if (apply && rte_log_set_level_pattern(type, level) < 0) {
			snprintf(err, errlen, "cannot set log level of '%s'", type);
			rc = -EINVAL;
			break;
		}
	}
	free(copy);
	return rc;
}

int log_check(const char *spec, char *err, size_t errlen)
{
	return log_walk(spec, false, err, errlen);
}

int log_apply(const char *spec, char *err, size_t errlen)
{
	/* All or nothing: a bad item must not leave the good ones applied. */
	int rc = log_walk(spec, false, err, errlen);

	return rc ? rc : log_walk(spec, true, err, errlen);
}

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	uint64_t now = rte_get_tsc_cycles();

	if (now - rl->window_start > rl->interval_s * rte_get_tsc_hz()) {
		rl->window_start = now;
		rl->in_window = 0;
	}
	if (rl->in_window < rl->burst) {
		rl->in_window++;
		return true;
	}
	rl->suppressed++;
	return false;
}

static int log_list_cmd(struct ctl_req *req, void *arg)
{
	json_t *o = json_object();

	(void)arg;
	for (unsigned i = 0; i < FERRY_LOG__MAX; i++) {
		int lvl = rte_log_get_level(ferry_logtype[i]);
		const char *name = lvl >= (int)RTE_LOG_EMERG && lvl <= (int)RTE_LOG_DEBUG
		                           ? level_names[lvl]
		                           : "?";

		json_object_set_new(o, log_type_names[i], json_string(name));
		ctl_printf(req, "%-16s %s\n", log_type_names[i], name);
	}
	req->result = o;
	return 0;
}

static int log_set_cmd(struct ctl_req *req, void *arg)
{
	char spec[256];
	int rc;

	(void)arg;
	if (req->argc == 2)
		snprintf(spec, sizeof(spec), "%s:%s", req->argv[0], req->argv[1]);
	else
		snprintf(spec, sizeof(spec), "%s", req->argv[0]);
	rc = log_apply(spec, req->err, sizeof(req->err));
	if (rc)
		return rc;
	return log_list_cmd(req, NULL);
}

static const struct ctl_cmd log_cmds[] = {
        {"log list", "", "show each log type's level", 0, 0, log_list_cmd, NULL},
        {"log set", "[TYPE] LEVEL | TYPE:LEVEL[,...]",
         "set log levels (TYPE may use '*', like ferry.*)", 1, 2, log_set_cmd, NULL},
};

void log_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(log_cmds) / sizeof(log_cmds[0]); i++)
		ctl_register(&log_cmds[i]);
}
