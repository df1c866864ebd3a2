/* SPDX-License-Identifier: Apache-2.0 */
/* Policers for set_meter (meter.h). */
#include "dataplane/pipeline/meter.h"

#include <string.h>

#include <rte_cycles.h>

struct pl_policer pl_policers[PL_POLICERS_MAX];
static uint64_t epoch, n_bound;

bool pl_police(uint32_t idx, uint32_t bytes, uint64_t now)
{
	if (idx >= PL_POLICERS_MAX)
		return true;
	struct pl_policer *p = &pl_policers[idx];
	double need = (double)bytes * 8.0;
	rte_spinlock_lock(&p->lock);
	if (now > p->last) {
		p->tokens += (double)(now - p->last) * p->per_tick;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last = now;
	}
	bool ok = p->tokens >= need;
	if (ok) {
		p->tokens -= need;
		p->passed++;
	} else {
		p->dropped++;
	}
	rte_spinlock_unlock(&p->lock);
	return ok;
}

void pl_policers_begin(void)
{
	epoch++;
	n_bound = 0;
	for (uint32_t i = 0; i < PL_POLICERS_MAX; i++)
		if (pl_policers[i].used && pl_policers[i].used + 2 < epoch)
			pl_policers[i].used = 0;
}

/* FNV-1a of the flow's UUID, the place mixed in. */
static uint64_t key_of(const char *uuid, uint32_t at)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *s = uuid; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return (h ^ ((uint64_t)at << 40)) * 0x100000001b3ull;
}

uint32_t pl_policer_bind(const char *uuid, uint32_t at, uint32_t rate_kbps, uint32_t burst_kbit,
                         uint64_t hz)
{
	uint64_t key = key_of(uuid, at);
	uint32_t slot = PL_POLICER_NONE;
	for (uint32_t i = 0; i < PL_POLICERS_MAX; i++) {
		if (pl_policers[i].used && pl_policers[i].key == key) {
			slot = i;
			break;
		}
		if (!pl_policers[i].used && slot == PL_POLICER_NONE)
			slot = i;
	}
	if (slot == PL_POLICER_NONE)
		return slot;
	struct pl_policer *p = &pl_policers[slot];
	uint32_t burst = burst_kbit ? burst_kbit : rate_kbps; /* as OVS sizes a band */
	bool fresh = !p->used || p->key != key;
	if (fresh || p->rate_kbps != rate_kbps || p->burst_kbit != burst) {
		rte_spinlock_lock(&p->lock);
		p->per_tick = (double)rate_kbps * 1000.0 / (double)(hz ? hz : 1);
		p->burst = (double)burst * 1000.0;
		if (fresh || p->tokens > p->burst) {
			p->tokens = p->burst;
			p->last = rte_rdtsc();
		}
		if (fresh)
			p->passed = p->dropped = 0;
		rte_spinlock_unlock(&p->lock);
		p->rate_kbps = rate_kbps;
		p->burst_kbit = burst;
		p->key = key;
		strncpy(p->flow, uuid, sizeof(p->flow) - 1);
		p->flow[sizeof(p->flow) - 1] = '\0';
	}
	if (p->used != epoch)
		n_bound++;
	p->used = epoch;
	return slot;
}

unsigned pl_policers_bound(void)
{
	return (unsigned)n_bound;
}
