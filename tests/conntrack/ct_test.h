/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the tracker's unit tests (test_conntrack.c and the
 * groups it runs from the other files of this folder). */
#ifndef FERRY_TEST_CT_TEST_H
#define FERRY_TEST_CT_TEST_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/conntrack/ct.h"

#define HZ 1000 /* fake TSC: one tick a millisecond */

#define NEW (CT_CS_TRK | CT_CS_NEW)
#define EST (CT_CS_TRK | CT_CS_EST)
#define RPL (CT_CS_TRK | CT_CS_EST | CT_CS_RPL)
#define INV (CT_CS_TRK | CT_CS_INV)

static const struct ct_commit commit0;

static inline struct ct_table *table(uint32_t max, bool liberal)
{
	struct ct_config cfg = {.max_conns = max, .hz = HZ, .tcp_liberal = liberal};
	struct ct_table *t;

	cfg.to.udp_first = 10;
	cfg.to.udp_replied = 20;
	t = ct_create(&cfg);
	assert_non_null(t);
	return t;
}

static inline struct ct_tuple tup(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                                  uint8_t proto)
{
	struct ct_tuple t;
	uint32_t s = htonl(src), d = htonl(dst);

	memset(&t, 0, sizeof(t));
	memcpy(t.src, &s, 4);
	memcpy(t.dst, &d, 4);
	t.sport = htons(sport);
	t.dport = htons(dport);
	t.proto = proto;
	return t;
}

static inline struct ct_tuple rev(struct ct_tuple t)
{
	struct ct_tuple r;

	ct_tuple_reverse(&t, &r);
	return r;
}

/* The groups of the other files: each returns its failures. */
int ct_sctp_tests(void);
int ct_zone_tests(void);
int ct_nat_tests(void);

#endif
