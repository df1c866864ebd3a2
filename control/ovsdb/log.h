/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging for the OVSDB client (type "ferry.ovsdb") and a small per-call-site
 * rate limiter shared with the chassis agent: anything a server or a row can
 * trigger repeatedly is logged through FERRY_LOG_RL, at most a burst of
 * messages per window, and the number dropped is reported when the window
 * rolls over.
 */
#ifndef FERRY_OVSDB_LOG_H
#define FERRY_OVSDB_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

extern int ovsdb_logtype;

struct ferry_rl {
	uint64_t window_start_ms;
	unsigned n;          /* messages let through in this window */
	unsigned suppressed; /* dropped in this window */
};

#define FERRY_RL_WINDOW_MS 10000
#define FERRY_RL_BURST     10

/** @return true when a message may be logged now; reports drops of the last window. */
bool ferry_rl_allow(struct ferry_rl *rl, int logtype);

/** Monotonic milliseconds. */
uint64_t ferry_now_ms(void);

/** Wall-clock milliseconds since the epoch. */
uint64_t ferry_wall_ms(void);

#define FERRY_LOG(type, lvl, prefix, fmt, ...) \
	rte_log(RTE_LOG_##lvl, (type), prefix ": " fmt "\n", ##__VA_ARGS__)

#define FERRY_LOG_RL(type, lvl, prefix, fmt, ...)                         \
	do {                                                              \
		static struct ferry_rl rl_;                               \
		if (ferry_rl_allow(&rl_, (type)))                         \
			FERRY_LOG(type, lvl, prefix, fmt, ##__VA_ARGS__); \
	} while (0)

#define OVSDB_LOG(lvl, fmt, ...)    FERRY_LOG(ovsdb_logtype, lvl, "ovsdb", fmt, ##__VA_ARGS__)
#define OVSDB_LOG_RL(lvl, fmt, ...) FERRY_LOG_RL(ovsdb_logtype, lvl, "ovsdb", fmt, ##__VA_ARGS__)

#endif
