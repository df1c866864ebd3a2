/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cross-connect: what arrives on a port leaves, unchanged, on its peer.
 * The NIC-check mode and the benchmark baseline: the cost of ferry's rx,
 * counting and tx with nothing else in the way.
 */
#ifndef FERRY_DP_XCONNECT_H
#define FERRY_DP_XCONNECT_H

#include <stdint.h>

struct dp_tables;
struct dp_worker;
struct rte_mbuf;

/**
 * Send @p n frames (@p bytes in all) from @p in_port, counted as received
 * already, to its peer unchanged; consumes every mbuf. Without a peer they
 * are the in port's DROP_NO_PEER; those the peer cannot take are counted
 * in *@p lost, or as the peer's DROP_TX_FULL when @p lost is NULL.
 */
void xc_forward(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                struct rte_mbuf **pkts, uint16_t n, uint64_t bytes, uint64_t *lost);

/** Forward a burst received on @p in_port; consumes every mbuf. */
void xc_process(const struct dp_tables *t, struct dp_worker *w, uint16_t in_port,
                struct rte_mbuf **pkts, uint16_t n);

#endif
