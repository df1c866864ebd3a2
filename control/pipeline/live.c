/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryctl trace --live FILTER [--count N] [--wait S]: arm a capture on
 * the workers (dataplane/pipeline/live.h), and answer the client's polls
 * until N packets matched or S seconds passed; then disarm and trace each
 * captured packet through the snapshot it met. One capture at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <rte_rcu_qsbr.h>

#include "control/ctl/ctl.h"
#include "control/pipeline/pipeline_int.h"
#include "control/port/port.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/live.h"

static struct {
	struct pl_live *lv;
	uint64_t id;
	uint64_t deadline_ms;
	uint64_t generation;
} live;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void disarm(void)
{
	if (live.lv == NULL)
		return;
	__atomic_store_n(&pl_live_armed, NULL, __ATOMIC_RELEASE);
	if (port_workers_rcu())
		rte_rcu_qsbr_synchronize(port_workers_rcu(), RTE_QSBR_THRID_INVALID);
}

void pipeline_live_stop(void)
{
	disarm();
	free(live.lv);
	live.lv = NULL;
}

static json_t *again(uint64_t id)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	return json_pack("{s:{s:[s, s, s], s:i}}", "again", "argv", "trace", "--live-poll", buf,
	                 "after_ms", 100);
}

int pipeline_live_start(struct ctl_req *req)
{
	if (pl_state.cur == NULL)
		return ctl_error(req, -ENOTCONN, "no pipeline snapshot yet");
	if (live.lv != NULL && now_ms() < live.deadline_ms)
		return ctl_error(req, -EBUSY, "a live trace is already armed");
	pipeline_live_stop();
	unsigned count = 1, wait_s = 10, last = req->argc;
	for (unsigned i = 1; i + 1 < req->argc; i++) {
		bool c = strcmp(req->argv[i], "--count") == 0,
		     w = strcmp(req->argv[i], "--wait") == 0;
		if (!c && !w)
			continue;
		char *end;
		unsigned long v = strtoul(req->argv[i + 1], &end, 10);
		if (*end || v == 0 || (c && v > PL_LIVE_MAX) || (w && v > 3600))
			return ctl_error(req, -EINVAL, "%s: 1..%u, not '%s'", req->argv[i],
			                 c ? PL_LIVE_MAX : 3600, req->argv[i + 1]);
		if (c)
			count = (unsigned)v;
		else
			wait_s = (unsigned)v;
		if (i < last)
			last = i;
		i++;
	}
	if (last <= 1)
		return ctl_error(req, -EINVAL, "usage: trace --live FILTER [--count N] [--wait S]");
	char *text = pipeline_join_words(req, 1, last);
	struct pl_live *lv = calloc(1, sizeof(*lv));
	if (text == NULL || lv == NULL) {
		free(text);
		free(lv);
		return ctl_error(req, -ENOMEM, "out of memory");
	}
	int rc = pipeline_parse_filter(req, &pl_state.cur->s, text, lv->atoms, PL_LIVE_ATOMS,
	                               &lv->n_atoms, &lv->inport_dp, &lv->inport_key);
	free(text);
	if (rc) {
		free(lv);
		return rc;
	}
	lv->want = count;
	live.lv = lv;
	live.id++;
	live.deadline_ms = now_ms() + wait_s * 1000ull;
	live.generation = pl_state.cur->s.generation;
	__atomic_store_n(&pl_live_armed, lv, __ATOMIC_RELEASE);
	req->result = again(live.id);
	return 0;
}

int pipeline_live_poll(struct ctl_req *req)
{
	if (req->argc != 2 || live.lv == NULL || strtoull(req->argv[1], NULL, 10) != live.id)
		return ctl_error(req, -ENOENT,
		                 "no such live trace (it ended, or another replaced it)");
	struct pl_live *lv = live.lv;
	uint32_t ready = 0, claimed = __atomic_load_n(&lv->claimed, __ATOMIC_ACQUIRE);
	claimed = claimed < lv->want ? claimed : lv->want;
	for (uint32_t i = 0; i < claimed; i++)
		ready += __atomic_load_n(&lv->rec[i].ready, __ATOMIC_ACQUIRE) != 0;
	bool timed_out = now_ms() >= live.deadline_ms;
	if (ready < lv->want && !timed_out) {
		req->result = again(live.id);
		return 0;
	}
	disarm();
	const struct pl_snapshot *s = pl_state.cur ? &pl_state.cur->s : NULL;
	json_t *pkts = json_array();
	for (uint32_t i = 0; i < lv->want && s != NULL; i++) {
		const struct pl_live_rec *r = &lv->rec[i];
		if (!r->ready)
			continue;
		const struct pl_datapath *d = pl_datapath_find(s, r->dp);
		ctl_printf(req, "== packet %u, on DPDK port %u%s\n", i + 1, r->k.in_port,
		           r->generation != s->generation
		                   ? " (the pipelines changed since: traced as they are now)"
		                   : "");
		if (d == NULL) {
			ctl_printf(req, "its datapath is gone\n");
			continue;
		}
		json_t *j =
		        pipeline_trace_packet(req, s, &r->k, (uint32_t)(d - s->datapaths), r->port);
		json_object_set_new(j, "dpdk_port", json_integer(r->k.in_port));
		json_object_set_new(j, "captured_generation",
		                    json_integer((json_int_t)r->generation));
		json_array_append_new(pkts, j);
	}
	ctl_printf(req, "%zu of %u packets captured%s\n", json_array_size(pkts), lv->want,
	           timed_out && json_array_size(pkts) < lv->want ? " before the wait ran out" : "");
	req->result = json_pack("{s:o, s:i, s:b}", "packets", pkts, "wanted", (int)lv->want,
	                        "timed_out", timed_out);
	free(lv);
	live.lv = NULL;
	return 0;
}
