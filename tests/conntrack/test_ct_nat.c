/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tracker's translations (NAT): DNAT to a backend and back, SNAT that
 * keeps the source port unless another connection has it, port ranges,
 * and exhaustion.
 */
#include "tests/conntrack/ct_test.h"

static struct ct_commit snat_to(uint32_t addr, uint16_t lo, uint16_t hi)
{
	struct ct_commit m;
	uint32_t a = htonl(addr);

	memset(&m, 0, sizeof(m));
	m.nat = CT_NAT_SRC;
	memcpy(m.nat_addr, &a, 4);
	m.nat_port = htons(lo);
	m.nat_port_max = hi;
	return m;
}

/* DNAT: the original goes to the backend, the reply comes from the VIP. */
static void test_dnat(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_tuple c = tup(0x0a000001, 0x0a000064, 4000, 80, 17);
	struct ct_commit m;
	struct ct_result r;
	uint32_t be = htonl(0x0a000002);

	memset(&m, 0, sizeof(m));
	m.nat = CT_NAT_DST;
	memcpy(m.nat_addr, &be, 4);
	m.nat_port = htons(8080);
	ct_process(t, 1, &c, NULL, 1, &m, &r);
	assert_int_equal(r.state, NEW | CT_CS_DNAT);
	assert_int_equal(r.nat, CT_NAT_DST);
	struct ct_tuple want = tup(0x0a000001, 0x0a000002, 4000, 8080, 17);
	assert_memory_equal(&r.rw, &want, sizeof(want));
	/* The backend's answer finds it and comes back from the VIP. */
	struct ct_tuple reply = tup(0x0a000002, 0x0a000001, 8080, 4000, 17);
	ct_process(t, 1, &reply, NULL, 2, NULL, &r);
	assert_int_equal(r.state, RPL | CT_CS_DNAT);
	struct ct_tuple back = rev(c);
	assert_memory_equal(&r.rw, &back, sizeof(back));
	ct_destroy(t);
}

/* SNAT keeps the port until another connection holds it; then another
 * from the range; none left: refused and counted. */
static void test_snat_ports(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_commit m = snat_to(0xac100064, 0, 0);
	struct ct_result r;
	struct ct_tuple a = tup(0x0a000001, 0xac10000a, 5000, 53, 17);
	struct ct_tuple b = tup(0x0a000002, 0xac10000a, 5000, 53, 17);

	ct_process(t, 1, &a, NULL, 1, &m, &r);
	assert_int_equal(r.nat, CT_NAT_SRC);
	assert_int_equal(ntohs(r.rw.sport), 5000); /* kept */
	ct_process(t, 1, &b, NULL, 1, &m, &r);
	assert_int_equal(r.state, NEW | CT_CS_SNAT);
	uint16_t pb = ntohs(r.rw.sport);
	assert_true(pb != 5000 && pb >= 1024);
	/* b's reply, to the port it was given, finds b. */
	struct ct_tuple rb = tup(0xac10000a, 0xac100064, 53, pb, 17);
	ct_process(t, 1, &rb, NULL, 2, NULL, &r);
	assert_int_equal(r.state, RPL | CT_CS_SNAT);
	assert_memory_equal(r.rw.dst, b.src, 4);

	/* A range of two ports: two connections, the third is refused. */
	struct ct_commit m2 = snat_to(0xac100065, 7000, 7001);
	for (unsigned i = 0; i < 2; i++) {
		struct ct_tuple x = tup(0x0a000010 + i, 0xac10000a, 9000, 53, 17);
		ct_process(t, 1, &x, NULL, 1, &m2, &r);
		assert_int_equal(r.nat, CT_NAT_SRC);
		assert_in_range(ntohs(r.rw.sport), 7000, 7001);
	}
	struct ct_tuple x = tup(0x0a000020, 0xac10000a, 9000, 53, 17);
	ct_process(t, 1, &x, NULL, 1, &m2, &r);
	assert_int_equal(r.state, INV);
	struct ct_stats st;
	ct_get_stats(t, &st);
	assert_int_equal(st.nat_exhausted, 1);
	ct_destroy(t);
}

int ct_nat_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dnat),
	        cmocka_unit_test(test_snat_ports),
	};
	return cmocka_run_group_tests_name("nat", tests, NULL, NULL);
}
