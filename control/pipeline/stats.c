/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counters that outlive snapshots: when a snapshot is retired its entry
 * and table-miss counters are added here, by logical flow UUID and by
 * (datapath, pipeline, table). Reports add the live snapshot's counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/pipeline/pipeline_int.h"

struct flow_total {
	uint64_t hits, drops;
};

static struct strmap flows, misses, lports, peers;
static bool ready;

static void init(void)
{
	if (!ready) {
		strmap_init(&flows);
		strmap_init(&misses);
		strmap_init(&lports);
		strmap_init(&peers);
		ready = true;
	}
}

/* Flows count per datapath: "uuid|datapath key". */
static void flow_key(char *buf, size_t n, const char *uuid, uint32_t dp)
{
	snprintf(buf, n, "%s|%u", uuid, dp);
}

void pl_stats_add_flow(const struct pl_flow *f, uint32_t dp_key, uint64_t hits, uint64_t drops)
{
	char k[80];
	init();
	flow_key(k, sizeof(k), f->uuid, dp_key);
	struct flow_total *t = strmap_get(&flows, k);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return;
		strmap_put(&flows, k, t);
	}
	t->hits += hits;
	t->drops += drops;
}

static void miss_key(char *buf, size_t n, uint32_t dp, int pipeline, int table)
{
	snprintf(buf, n, "%u/%d/%d", dp, pipeline, table);
}

void pl_stats_add_miss(uint32_t dp_key, int pipeline, int table, uint64_t drops)
{
	char k[48];
	init();
	miss_key(k, sizeof(k), dp_key, pipeline, table);
	uint64_t *v = strmap_get(&misses, k);
	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v == NULL)
			return;
		strmap_put(&misses, k, v);
	}
	*v += drops;
}

void pl_stats_flow(const char *uuid, uint32_t dp_key, uint64_t *hits, uint64_t *drops)
{
	char k[80];
	init();
	flow_key(k, sizeof(k), uuid, dp_key);
	const struct flow_total *t = strmap_get(&flows, k);
	*hits = t ? t->hits : 0;
	*drops = t ? t->drops : 0;
}

uint64_t pl_stats_miss(uint32_t dp_key, int pipeline, int table)
{
	char k[48];
	init();
	miss_key(k, sizeof(k), dp_key, pipeline, table);
	const uint64_t *v = strmap_get(&misses, k);
	return v ? *v : 0;
}

/* Logical port totals reuse struct flow_total: hits = rx, drops = tx. */
void pl_stats_add_lport(const char *name, uint64_t rx, uint64_t tx)
{
	init();
	struct flow_total *t = strmap_get(&lports, name);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return;
		strmap_put(&lports, name, t);
	}
	t->hits += rx;
	t->drops += tx;
}

void pl_stats_lport(const char *name, uint64_t *rx, uint64_t *tx)
{
	init();
	const struct flow_total *t = strmap_get(&lports, name);
	*rx = t ? t->hits : 0;
	*tx = t ? t->drops : 0;
}

void pl_stats_add_peer(const char *chassis, const struct pl_peer_stats *d)
{
	init();
	struct pl_peer_stats *t = strmap_get(&peers, chassis);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return;
		strmap_put(&peers, chassis, t);
	}
	pl_peer_stats_add(t, d);
}

void pl_stats_peer(const char *chassis, struct pl_peer_stats *out)
{
	init();
	const struct pl_peer_stats *t = strmap_get(&peers, chassis);
	if (t)
		*out = *t;
	else
		memset(out, 0, sizeof(*out));
}

void pl_stats_clear(void)
{
	if (!ready)
		return;
	size_t i = 0;
	void *v;
	while ((v = strmap_next(&flows, &i, NULL)) != NULL)
		free(v);
	i = 0;
	while ((v = strmap_next(&misses, &i, NULL)) != NULL)
		free(v);
	i = 0;
	while ((v = strmap_next(&lports, &i, NULL)) != NULL)
		free(v);
	i = 0;
	while ((v = strmap_next(&peers, &i, NULL)) != NULL)
		free(v);
	strmap_destroy(&peers);
	strmap_destroy(&flows);
	strmap_destroy(&misses);
	strmap_destroy(&lports);
	ready = false;
}
