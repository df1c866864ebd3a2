/* SPDX-License-Identifier: Apache-2.0 */
/*
 * set_meter(RATE[, BURST]): policers for logical flows.
 *
 * ovn-northd writes set_meter for QoS rows with a bandwidth (the
 * ls_in_qos_meter and ls_out_qos_meter stages): RATE in kbit/s, BURST in
 * kbit. ovn-controller gives each logical flow's set_meter its own
 * OpenFlow meter with one drop band (since OVN 20.09, a meter is no longer
 * shared by flows of the same rate); OVS sizes the bucket to BURST, or to
 * RATE when no burst is given, and counts each packet's bytes from its
 * Ethernet header on. Ferry does the same with a token bucket per action.
 *
 * Policers live in one array for the life of ferryd, so that a pipeline
 * rebuilt on a Southbound change keeps each bucket's tokens: the control
 * thread binds every set_meter of a new snapshot to a slot by its logical
 * flow and place (pl_policer_bind(), writing the slot in the instruction),
 * and a slot no snapshot referred to in the last two builds is free again
 * (the build before last is gone: publishing waits for the workers).
 *
 * Workers share a policer: a packet takes its lock (one word, no other
 * lock held) to refill and take tokens. A packet over the rate is dropped,
 * named `meter-drop', and charged to the logical flow.
 */
#ifndef FERRY_PL_METER_H
#define FERRY_PL_METER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#define PL_POLICERS_MAX 4096
#define PL_POLICER_NONE UINT32_MAX

struct pl_policer {
	rte_spinlock_t lock;
	double tokens;   /* bits */
	double per_tick; /* bits a TSC tick adds */
	double burst;    /* bits: the bucket's size */
	uint64_t last;   /* TSC of the last refill */
	uint64_t passed, dropped;
	/* Control thread only. */
	uint64_t key;  /* the action: its logical flow and place */
	uint64_t used; /* the build that last bound it; 0: free */
	uint32_t rate_kbps, burst_kbit;
	char flow[40]; /* the logical flow's UUID */
} __attribute__((aligned(64)));

extern struct pl_policer pl_policers[PL_POLICERS_MAX];

/** Whether policer @p idx lets a frame of @p bytes through at TSC @p now;
 *  if so its tokens are taken. An unknown slot lets everything through. */
bool pl_police(uint32_t idx, uint32_t bytes, uint64_t now);

/** Control: a new build starts; slots unbound for two builds are freed. */
void pl_policers_begin(void);
/** Control: the slot for set_meter at word @p at of logical flow @p uuid,
 *  its rate and burst set (a new one starts full), bound to this build.
 *  @return the slot, or PL_POLICER_NONE when all are taken. */
uint32_t pl_policer_bind(const char *uuid, uint32_t at, uint32_t rate_kbps, uint32_t burst_kbit,
                         uint64_t hz);
/** Control: how many slots the last build bound. */
unsigned pl_policers_bound(void);

#endif
