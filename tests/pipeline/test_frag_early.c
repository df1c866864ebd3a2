/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fragments that come before their first (dataplane/pipeline/frag_early.c),
 * with a real EAL and mbufs: held per worker, released by the worker
 * that passes the first or, when the first passed on another worker, by
 * the holder's next poll; dropped by name when no first comes; at most
 * PL_FRAG_HOLD_MAX held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dataplane/pipeline/frag_early.h"

#define PORT 3

static struct rte_mempool *pool;
static struct dp_tables tables;
static struct dp_port_stats port_stats[DP_WORKERS_MAX];

static struct ct_frag_key datagram(uint32_t id)
{
	struct ct_frag_key k;
	memset(&k, 0, sizeof(k));
	k.proto = 17;
	k.src[0] = 10, k.src[3] = 1;
	k.dst[0] = 10, k.dst[3] = 2;
	k.id = id;
	return k;
}

static uint64_t ms(uint64_t n)
{
	return rte_get_tsc_hz() / 1000 * n;
}

static struct rte_mbuf *mbuf(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	return m;
}

/* The worker that passes the first runs what it held itself. */
static void test_same_worker(void **state)
{
	(void)state;
	struct ct_frag_key k = datagram(1);
	struct rte_mbuf *m = mbuf(), *out[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	uint64_t now = rte_rdtsc();
	assert_true(pl_frag_hold(0, &k, m, PORT, now));
	struct ct_frag_key other = datagram(2);
	assert_int_equal(pl_frag_first(0, &other, now, out, ports), 0);
	assert_int_equal(pl_frag_first(0, &k, now, out, ports), 1);
	assert_ptr_equal(out[0], m);
	assert_int_equal(ports[0], PORT);
	/* Its first passed: the next later fragment follows at once. */
	assert_false(pl_frag_hold(0, &k, m, PORT, now));
	rte_pktmbuf_free(m);
}

/* The first passes on worker 0, the later fragment waits on worker 1:
 * worker 1's poll hands it back; one that comes to worker 1 afterwards
 * is not held. */
static void test_other_worker(void **state)
{
	(void)state;
	struct ct_frag_key k = datagram(3);
	struct rte_mbuf *m = mbuf(), *out[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	uint64_t now = rte_rdtsc();
	struct pl_frag_early_stats before, after;
	pl_frag_early_stats(&before);
	assert_true(pl_frag_hold(1, &k, m, PORT, now));
	assert_int_equal(pl_frag_poll(&tables, 1, now, out, ports), 0); /* not yet */
	assert_int_equal(pl_frag_first(0, &k, now, out, ports), 0);     /* not worker 0's */
	assert_int_equal(pl_frag_poll(&tables, 1, now + 1, out, ports), 1);
	assert_ptr_equal(out[0], m);
	assert_int_equal(ports[0], PORT);
	assert_false(pl_frag_hold(1, &k, m, PORT, now + 2));
	pl_frag_early_stats(&after);
	assert_int_equal(after.held - before.held, 1);
	assert_int_equal(after.released - before.released, 1);
	rte_pktmbuf_free(m);
}

/* No first within PL_FRAG_HOLD_MS: dropped, named on its port. */
static void test_expiry(void **state)
{
	(void)state;
	struct ct_frag_key k = datagram(4);
	struct rte_mbuf *out[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	uint64_t now = rte_rdtsc();
	unsigned in_use = rte_mempool_in_use_count(pool);
	struct pl_frag_early_stats before, after;
	pl_frag_early_stats(&before);
	uint64_t drops = port_stats[1].drops[DROP_CT_FRAG_FIRST_MISSING];
	assert_true(pl_frag_hold(1, &k, mbuf(), PORT, now));
	assert_int_equal(pl_frag_poll(&tables, 1, now + ms(PL_FRAG_HOLD_MS) - ms(1), out, ports),
	                 0);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use + 1);
	assert_int_equal(pl_frag_poll(&tables, 1, now + ms(PL_FRAG_HOLD_MS), out, ports), 0);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use); /* freed */
	assert_int_equal(port_stats[1].drops[DROP_CT_FRAG_FIRST_MISSING], drops + 1);
	pl_frag_early_stats(&after);
	assert_int_equal(after.expired - before.expired, 1);
	/* Its first, too late, finds nothing held. */
	assert_int_equal(pl_frag_first(1, &k, now + ms(PL_FRAG_HOLD_MS) + 1, out, ports), 0);
}

/* At most PL_FRAG_HOLD_MAX a worker; past that they run (counted). */
static void test_overflow(void **state)
{
	(void)state;
	struct rte_mbuf *m[PL_FRAG_HOLD_MAX + 1], *out[PL_FRAG_HOLD_MAX];
	uint16_t ports[PL_FRAG_HOLD_MAX];
	uint64_t now = rte_rdtsc();
	struct pl_frag_early_stats before, after;
	pl_frag_early_stats(&before);
	for (unsigned i = 0; i < PL_FRAG_HOLD_MAX; i++) {
		struct ct_frag_key k = datagram(1000 + i);
		m[i] = mbuf();
		assert_true(pl_frag_hold(2, &k, m[i], PORT, now));
	}
	struct ct_frag_key k = datagram(5000);
	m[PL_FRAG_HOLD_MAX] = mbuf();
	assert_false(pl_frag_hold(2, &k, m[PL_FRAG_HOLD_MAX], PORT, now));
	pl_frag_early_stats(&after);
	assert_int_equal(after.overflow - before.overflow, 1);
	/* Worker 2 stops: what it holds goes back to the pool. */
	unsigned in_use = rte_mempool_in_use_count(pool);
	pl_frag_flush(2);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use - PL_FRAG_HOLD_MAX);
	assert_int_equal(pl_frag_poll(&tables, 2, now, out, ports), 0);
	rte_pktmbuf_free(m[PL_FRAG_HOLD_MAX]);
}

int main(void)
{
	char *argv[] = {"test-frag-early",
	                "--no-shconf",
	                "--no-huge",
	                "-m",
	                "64",
	                "--iova-mode=va",
	                "--no-pci",
	                "--no-telemetry",
	                "--lcores=0",
	                "--log-level=*:error",
	                NULL};
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "test-frag-early: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* No per-lcore cache: the in-use count is exact. */
	pool = rte_pktmbuf_pool_create("frag-mbufs", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	tables.ports[PORT].stats = port_stats;
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_same_worker),
	        cmocka_unit_test(test_other_worker),
	        cmocka_unit_test(test_expiry),
	        cmocka_unit_test(test_overflow),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return r;
}
