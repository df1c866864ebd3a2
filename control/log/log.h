/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control-plane logging: one rte_log type per module ("ferry.port",
 * "ferry.ctl", ...), so levels can be set per module at runtime
 * (`ferryctl log set ferry.port debug`). Workers never log.
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

/* X(ENUM, "type name") */
#define FERRY_LOG_TYPES(X)    \
	X(MAIN, "ferry.main") \
	X(CONF, "ferry.conf") \
	X(PORT, "ferry.port") \
	X(CTL, "ferry.ctl")   \
	X(WORKER, "ferry.worker")

enum ferry_log_type {
#define LOG_ENUM(e, name) FERRY_LOG_##e,
	FERRY_LOG_TYPES(LOG_ENUM)
#undef LOG_ENUM
	        FERRY_LOG__MAX
};

extern int ferry_logtype[FERRY_LOG__MAX];

#define LOG(level, type, fmt, ...) \
	rte_log(RTE_LOG_##level, ferry_logtype[FERRY_LOG_##type], "ferry: " fmt "\n", ##__VA_ARGS__)

/** Register the log types; call after rte_eal_init(). */
void log_init(void);

/**
 * Apply "LEVEL" or "TYPE:LEVEL[,TYPE:LEVEL...]" (TYPE may hold '*').
 * @return 0 or -EINVAL with @p err set
 */
int log_apply(const char *spec, char *err, size_t errlen);

/** Validate a spec without applying it (before EAL is up). */
int log_check(const char *spec, char *err, size_t errlen);

/** @return level number for "debug", "info", ... or -1 */
int log_level_parse(const char *s);

/** Register `log list` and `log set` with the control socket. */
void log_ctl_register(void);

/**
 * Rate limit for messages that input can repeat: at most @p burst per
 * @p interval_s seconds; counts what it suppressed.
 */
struct log_ratelimit {
	unsigned interval_s;
	unsigned burst;
	uint64_t window_start; /* TSC */
	unsigned in_window;
	uint64_t suppressed;
};

/** @return true if the caller may log now. */
bool log_ratelimit_ok(struct log_ratelimit *rl);

#endif
