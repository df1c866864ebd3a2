/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-zone connection limits: a zone's limit, the table's default, what
 * counts and when a place comes back, refusals per zone, and two threads
 * racing for the last places of one zone.
 */
#include <errno.h>
#include <pthread.h>

#include "tests/conntrack/ct_test.h"

/* Commit a UDP connection from port @p sport in @p zone at @p now. */
static uint8_t udp_in(struct ct_table *t, uint16_t zone, uint16_t sport, uint64_t now)
{
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, sport, 53, 17);
	struct ct_result r;

	ct_process(t, zone, &a, NULL, now, &commit0, &r);
	return r.state;
}

static struct ct_zone_stats zstats(struct ct_table *t, uint16_t zone)
{
	struct ct_zone_stats st;

	ct_zone_stats(t, zone, &st);
	return st;
}

static void test_zone_limit(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_stats st;

	assert_int_equal(ct_zone_limit_set(t, 1, 2), 0);
	assert_int_equal(ct_zone_limit_set(NULL, 1, 2), -EINVAL);
	/* udp first: 10 s. Zone 1's first at 0 s, its second at 5 s. */
	assert_int_equal(udp_in(t, 1, 1, 0), NEW);
	assert_int_equal(udp_in(t, 1, 2, 5 * HZ), NEW);
	assert_int_equal(udp_in(t, 1, 3, 5 * HZ), INV);
	/* A known connection's packets are not new ones: never refused. */
	assert_int_equal(udp_in(t, 1, 1, 5 * HZ), NEW);
	/* Zone 2 has no limit of its own, and the default is none. */
	for (uint16_t p = 1; p <= 3; p++)
		assert_int_equal(udp_in(t, 2, p, 5 * HZ), NEW);
	struct ct_zone_stats z1 = zstats(t, 1), z2 = zstats(t, 2);
	assert_int_equal(z1.conns, 2);
	assert_int_equal(z1.limit, 2);
	assert_int_equal(z1.refusals, 1);
	assert_false(z1.dflt);
	assert_int_equal(z2.conns, 3);
	assert_int_equal(z2.limit, 0);
	assert_int_equal(z2.refusals, 0);
	assert_true(z2.dflt);
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 5);
	assert_int_equal(st.refusals, 1);
	assert_int_equal(st.invalid, 1);

	/* Port 1's second packet made it udp "multiple" (60 s); port 2
	 * expires at 15 s, but counts until the sweep unlinks it. */
	assert_int_equal(udp_in(t, 1, 3, 15 * HZ), INV);
	assert_int_equal(zstats(t, 1).conns, 2);
	assert_int_equal(ct_sweep(t, 15 * HZ, 1u << 20), 4); /* port 2, zone 2's */
	assert_int_equal(zstats(t, 1).conns, 1);
	assert_int_equal(zstats(t, 2).conns, 0);
	assert_int_equal(udp_in(t, 1, 3, 15 * HZ), NEW);
	assert_int_equal(udp_in(t, 1, 4, 16 * HZ), INV);
	/* Port 3 expires at 25 s and is swept: room for one more. */
	assert_int_equal(ct_sweep(t, 25 * HZ, 1u << 20), 1);
	assert_int_equal(udp_in(t, 1, 4, 25 * HZ), NEW);
	assert_int_equal(udp_in(t, 1, 5, 25 * HZ), INV);
	z1 = zstats(t, 1);
	assert_int_equal(z1.conns, 2);
	assert_int_equal(z1.refusals, 4);
	/* A flush gives the places back. */
	assert_int_equal(ct_flush(t, 1, NULL, 25 * HZ), 2);
	assert_int_equal(zstats(t, 1).conns, 0);
	assert_int_equal(udp_in(t, 1, 6, 25 * HZ), NEW);
	ct_get_stats(t, &st);
	assert_int_equal(st.refusals, 4);
	assert_int_equal(zstats(t, 2).refusals, 0);
	ct_destroy(t);
}

static void test_zone_limit_default(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);

	ct_zone_limit_default(t, 1);
	assert_int_equal(ct_zone_limit_set(t, 6, 0), 0); /* none for zone 6 */
	assert_int_equal(ct_zone_limit_set(t, 7, 3), 0);
	for (uint16_t p = 1; p <= 4; p++) {
		assert_int_equal(udp_in(t, 5, p, 0), p <= 1 ? NEW : INV);
		assert_int_equal(udp_in(t, 6, p, 0), NEW);
		assert_int_equal(udp_in(t, 7, p, 0), p <= 3 ? NEW : INV);
	}
	struct ct_zone_stats z = zstats(t, 5);
	assert_int_equal(z.limit, 1);
	assert_true(z.dflt);
	assert_int_equal(z.refusals, 3);
	z = zstats(t, 6);
	assert_int_equal(z.limit, 0);
	assert_false(z.dflt);
	assert_int_equal(z.conns, 4);
	assert_int_equal(zstats(t, 7).limit, 3);
	/* Zone 6 back to the default: its 4 stay, a fifth is refused. */
	assert_int_equal(ct_zone_limit_set(t, 6, CT_ZONE_LIMIT_DEFAULT), 0);
	assert_true(zstats(t, 6).dflt);
	assert_int_equal(zstats(t, 6).conns, 4);
	assert_int_equal(udp_in(t, 6, 5, 0), INV);
	/* Without a default, zones 5 and 6 are free again; 7 keeps its own. */
	ct_zone_limit_default(t, 0);
	assert_int_equal(udp_in(t, 5, 5, 0), NEW);
	assert_int_equal(udp_in(t, 6, 5, 0), NEW);
	assert_int_equal(udp_in(t, 7, 5, 0), INV);
	struct ct_stats st;
	ct_get_stats(t, &st);
	assert_int_equal(st.refusals, 3 + 1 + 1 + 1);
	ct_destroy(t);
}

/* The table's own limit refuses too, counted in the zone. */
static void test_zone_refusal_global(void **state)
{
	(void)state;
	struct ct_table *t = table(2, false);

	assert_int_equal(udp_in(t, 3, 1, 0), NEW);
	assert_int_equal(udp_in(t, 4, 1, 0), NEW);
	assert_int_equal(udp_in(t, 3, 2, 0), INV);
	assert_int_equal(zstats(t, 3).refusals, 1);
	assert_int_equal(zstats(t, 3).conns, 1);
	assert_int_equal(zstats(t, 4).refusals, 0);
	ct_destroy(t);
}

/* Two threads fill one zone with their own tuples: exactly its limit. */
#define RACE_N     1000
#define RACE_LIMIT 100

struct race {
	struct ct_table *t;
	unsigned id, created;
};

static void *race_run(void *arg)
{
	struct race *s = arg;

	for (unsigned i = 0; i < RACE_N; i++) {
		struct ct_tuple a =
		        tup(0x0a000001 + s->id, 0x0a000002, (uint16_t)(1000 + i), 53, 17);
		struct ct_result r;

		ct_process(s->t, 9, &a, NULL, 0, &commit0, &r);
		s->created += r.conn != NULL;
	}
	return NULL;
}

static void test_zone_limit_two_threads(void **state)
{
	(void)state;
	static struct race s[2];
	struct ct_table *t = table(RACE_N * 2, false);
	pthread_t th[2];
	struct ct_stats st;

	ct_zone_limit_set(t, 9, RACE_LIMIT);
	for (unsigned i = 0; i < 2; i++) {
		s[i] = (struct race){.t = t, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, race_run, &s[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(s[0].created + s[1].created, RACE_LIMIT);
	struct ct_zone_stats z = zstats(t, 9);
	assert_int_equal(z.conns, RACE_LIMIT);
	assert_int_equal(z.refusals, 2 * RACE_N - RACE_LIMIT);
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, RACE_LIMIT);
	assert_int_equal(st.refusals, 2 * RACE_N - RACE_LIMIT);
	ct_destroy(t);
}

int ct_zone_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_zone_limit),
	        cmocka_unit_test(test_zone_limit_default),
	        cmocka_unit_test(test_zone_refusal_global),
	        cmocka_unit_test(test_zone_limit_two_threads),
	};

	return cmocka_run_group_tests_name("zone limits", tests, NULL, NULL);
}
