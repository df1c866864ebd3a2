/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live trace capture (`ferryctl trace --live'): while armed, workers copy
 * the headers of the next packets that match a filter into slots; the
 * control thread then runs each through the same snapshot with the trace
 * hook and reports it. Disarmed, it costs one load and one branch per
 * packet.
 */
#ifndef FERRY_PL_LIVE_H
#define FERRY_PL_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/api/flow_key.h"
#include "dataplane/api/lflow_prog.h"

#define PL_LIVE_ATOMS 32
#define PL_LIVE_MAX   64

struct pl_live_rec {
	struct flow_key k; /* parsed headers, in_port set */
	uint32_t dp;       /* datapath key */
	uint32_t port;     /* logical input port key */
	uint64_t generation;
	volatile uint32_t ready;
};

struct pl_live {
	uint32_t n_atoms;
	struct lflow_atom atoms[PL_LIVE_ATOMS]; /* EQ/NE on header fields */
	int32_t inport_dp;                      /* -1: any; else datapath index ... */
	uint32_t inport_key;                    /* ... and logical port key */
	uint32_t want;
	volatile uint32_t claimed;
	struct pl_live_rec rec[PL_LIVE_MAX];
};

/** The armed capture, or NULL. */
extern struct pl_live *volatile pl_live_armed;

struct pl_snapshot;

/** Worker: offer a packet to the armed capture @p lv. */
void pl_live_offer(struct pl_live *lv, const struct pl_snapshot *s, const struct flow_key *k,
                   uint32_t dp, uint32_t port);

#endif
