/* SPDX-License-Identifier: Apache-2.0 */
#include <time.h>

#include <rte_common.h>

#include "control/ovsdb/log.h"

int ovsdb_logtype = RTE_LOGTYPE_USER1;

RTE_INIT(ovsdb_log_init)
{
	int t = rte_log_register_type_and_pick_level("ferry.ovsdb", RTE_LOG_INFO);

	if (t >= 0)
		ovsdb_logtype = t;
}

uint64_t ferry_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t ferry_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool ferry_rl_allow(struct ferry_rl *rl, int logtype)
{
	uint64_t now = ferry_now_ms();

	if (now - rl->window_start_ms >= FERRY_RL_WINDOW_MS) {
		if (rl->suppressed)
			rte_log(RTE_LOG_WARNING, logtype, "(%u similar messages suppressed)\n",
			        rl->suppressed);
		rl->window_start_ms = now;
		rl->n = 0;
		rl->suppressed = 0;
	}
	if (rl->n < FERRY_RL_BURST) {
		rl->n++;
		return true;
	}
	rl->suppressed++;
	return false;
}
