/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tracker's translations (NAT): DNAT to a backend and back, SNAT that
 * keeps the source port unless another connection has it, port ranges,
 * exhaustion, ICMP echo identifiers, and ICMP errors quoting translated
 * packets (ct_nat.c): related, and their quotes put back byte for byte.
 */
#include <errno.h>

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

/* ICMP echo through SNAT: the identifier is the port; a second host with
 * the same identifier gets another one from the range. */
static void test_snat_echo_id(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_commit m = snat_to(0xac100064, 7000, 7003);
	struct ct_result r;
	struct ct_tuple a = tup(0x0a000001, 0xac10000a, 0, 0, 1);
	struct ct_tuple b = tup(0x0a000002, 0xac10000a, 0, 0, 1);

	a.sport = b.sport = htons(7001); /* the id, in the range: kept */
	a.dport = b.dport = htons(8);    /* echo request */
	ct_process(t, 1, &a, NULL, 1, &m, &r);
	assert_int_equal(r.state, NEW | CT_CS_SNAT);
	assert_int_equal(ntohs(r.rw.sport), 7001);
	ct_process(t, 1, &b, NULL, 1, &m, &r);
	assert_int_equal(r.state, NEW | CT_CS_SNAT);
	uint16_t id = ntohs(r.rw.sport);
	assert_true(id != 7001 && id >= 7000 && id <= 7003);
	/* b's echo reply, to that id, finds b and goes back with b's id. */
	struct ct_tuple rb = tup(0xac10000a, 0xac100064, id, 0, 1);
	rb.dport = htons(0);
	ct_process(t, 1, &rb, NULL, 2, NULL, &r);
	assert_int_equal(r.state, RPL | CT_CS_SNAT);
	assert_int_equal(ntohs(r.rw.sport), 7001);
	assert_memory_equal(r.rw.dst, b.src, 4);
	ct_destroy(t);
}

/* Errors about an SNAT connection: one from the far side quotes the
 * translated datagram and is put back; one quoting the datagram as its
 * sender sent it needs nothing. */
static void test_related_snat(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_commit m = snat_to(0xac100064, 7000, 7000);
	struct ct_tuple a = tup(0x0a000001, 0xac10000a, 5000, 53, 17);
	struct ct_result r;
	struct ct_stats st;

	ct_process(t, 1, &a, NULL, 1, &m, &r);
	assert_int_equal(ntohs(r.rw.sport), 7000);
	struct ct_tuple out = r.rw; /* 172.16.0.100:7000 -> 172.16.0.10:53 */
	ct_related(t, 1, &out, 2, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_RPL | CT_CS_SNAT);
	assert_int_equal(r.nat, CT_NAT_SRC);
	assert_memory_equal(&r.rw, &a, sizeof(a));
	/* The quote's source changes: the error goes to a's address. */
	assert_int_equal(ct_nat_quote_changes(&r), CT_NAT_SRC);
	ct_related(t, 1, &a, 2, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_RPL);
	assert_int_equal(r.nat, 0);
	assert_int_equal(ct_nat_quote_changes(&r), 0);
	/* A translated quote with another port is no connection's. */
	out.sport = htons(7001);
	ct_related(t, 1, &out, 2, &r);
	assert_int_equal(r.state, INV);
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 1);
	ct_destroy(t);
}

/* An error toward a DNAT connection's backend, quoting the reply as the
 * client saw it (from the VIP): the quote's source becomes the backend's
 * address and port, and the error goes to the backend. */
static void test_related_dnat(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_tuple c = tup(0x0a000001, 0x0a000064, 4000, 80, 6);
	struct ct_tcp_seg syn = {.flags = CT_TCP_SYN, .wscale = -1, .win = 1000, .seq = 1};
	struct ct_commit m;
	struct ct_result r;
	uint32_t be = htonl(0x0a000002);

	memset(&m, 0, sizeof(m));
	m.nat = CT_NAT_DST;
	memcpy(m.nat_addr, &be, 4);
	m.nat_port = htons(8080);
	ct_process(t, 1, &c, &syn, 1, &m, &r);
	assert_int_equal(r.state, NEW | CT_CS_DNAT);
	struct ct_tuple seen = rev(c); /* the reply as it left: VIP:80 -> client */
	ct_related(t, 1, &seen, 2, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_DNAT);
	assert_int_equal(r.dir, CT_DIR_ORIG);
	struct ct_tuple want = tup(0x0a000002, 0x0a000001, 8080, 4000, 6);
	assert_memory_equal(&r.rw, &want, sizeof(want));
	assert_int_equal(ct_nat_quote_changes(&r), CT_NAT_SRC);
	/* From the backend's side, about the client's datagram as the
	 * backend got it: back to the client, from the VIP. */
	struct ct_tuple got = tup(0x0a000001, 0x0a000002, 4000, 8080, 6);
	ct_related(t, 1, &got, 2, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_RPL | CT_CS_DNAT);
	assert_memory_equal(&r.rw, &c, sizeof(c));
	assert_int_equal(ct_nat_quote_changes(&r), CT_NAT_DST);
	ct_destroy(t);
}

/* Frames for the byte tests, checksums from scratch. */
static uint16_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4 datagram @p src -> @p dst carrying @p l4 (@p n bytes, its
 * checksum field at @p csum_at, or -1), every checksum computed. */
static size_t ip4_dgram(uint8_t *out, const struct ct_tuple *tp, const uint8_t *l4, size_t n,
                        int csum_at, bool zero_udp)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)(20 + n));
	put16(out + 4, 0x1234);
	out[8] = 64;
	out[9] = tp->proto;
	memcpy(out + 12, tp->src, 4);
	memcpy(out + 16, tp->dst, 4);
	put16(out + 10, sum16(out, 20, 0));
	uint8_t *p = out + 20;
	memcpy(p, l4, n);
	if (tp->proto != 1) {
		memcpy(p, &tp->sport, 2);
		memcpy(p + 2, &tp->dport, 2);
	} else {
		memcpy(p + 4, &tp->sport, 2);
	}
	if (csum_at >= 0) {
		put16(p + csum_at, 0);
		uint32_t ps = 0;
		if (tp->proto != 1) {
			uint8_t ph[12];
			memcpy(ph, tp->src, 4);
			memcpy(ph + 4, tp->dst, 4);
			ph[8] = 0, ph[9] = tp->proto;
			put16(ph + 10, (uint16_t)n);
			ps = (uint16_t)~sum16(ph, 12, 0);
		}
		uint16_t c = sum16(p, n, ps);
		if (tp->proto == 17 && c == 0)
			c = 0xffff;
		put16(p + csum_at, zero_udp ? 0 : c);
	}
	return 20 + n;
}

/* ICMPv4 type 3 code 3 quoting @p q (@p qn bytes). */
static size_t icmp4_error(uint8_t *out, const uint8_t *q, size_t qn)
{
	memset(out, 0, 8);
	out[0] = 3, out[1] = 3;
	memcpy(out + 8, q, qn);
	put16(out + 2, sum16(out, 8 + qn, 0));
	return 8 + qn;
}

/* The quote rewritten in place equals the error built from scratch for
 * the rewritten datagram (cut at @p cut bytes, 0: whole), so the word by
 * word updates gave the checksums a full computation gives. */
static void check_quote(uint8_t proto, int csum_at, size_t l4n, size_t cut, bool zero_udp)
{
	struct ct_tuple from = tup(0xac100064, 0xac10000a, 7000, 53, proto);
	struct ct_tuple to = tup(0x0a00000b, 0xac10000a, 40000, 53, proto);
	uint8_t l4[64], dg[128], err[160], want_dg[128], want[160];

	if (proto == 1) /* a quoted echo request: id as the port */
		from.dport = to.dport = htons(8);
	for (size_t i = 0; i < sizeof(l4); i++)
		l4[i] = (uint8_t)(i * 7 + 1);
	if (proto == 1)
		l4[0] = 8, l4[1] = 0;
	if (proto == 6)
		l4[12] = 5 << 4;
	size_t n = ip4_dgram(dg, &from, l4, l4n, csum_at, zero_udp);
	size_t en = icmp4_error(err, dg, cut ? cut : n);
	ip4_dgram(want_dg, &to, l4, l4n, csum_at, zero_udp);
	/* The identification and TTL are the original's; only addresses,
	 * ports and the checksums that cover them change. */
	icmp4_error(want, want_dg, cut ? cut : n);
	assert_int_equal(ct_nat_icmp_quote(err, (uint32_t)en, NULL, &to), 0);
	assert_memory_equal(err, want, en);
}

static void test_quote_bytes(void **state)
{
	(void)state;
	check_quote(17, 6, 30, 0, false);  /* UDP, whole */
	check_quote(17, 6, 30, 0, true);   /* UDP without checksum: stays 0 */
	check_quote(17, 6, 30, 28, false); /* UDP, 8 bytes quoted: its sum is in them */
	check_quote(6, 16, 40, 0, false);  /* TCP, whole */
	check_quote(6, 16, 40, 28, false); /* TCP, 8 bytes: ports only */
	check_quote(1, 2, 24, 0, false);   /* an echo request: its id */
}

/* Not a quote that can be rewritten: left as it was. */
static void test_quote_refused(void **state)
{
	(void)state;
	struct ct_tuple to = tup(0x0a00000b, 0xac10000a, 40000, 53, 17);
	uint8_t err[64];

	memset(err, 0, sizeof(err));
	err[0] = 3, err[1] = 3;
	err[8] = 0x45, err[8 + 9] = 6; /* TCP quoted, tuple says UDP */
	uint8_t before[64];
	memcpy(before, err, sizeof(err));
	assert_int_equal(ct_nat_icmp_quote(err, sizeof(err), NULL, &to), -EINVAL);
	assert_int_equal(ct_nat_icmp_quote(err, 8 + 19, NULL, &to), -EINVAL);
	to.ip6 = 1;
	assert_int_equal(ct_nat_icmp_quote(err, sizeof(err), NULL, &to), -EINVAL);
	assert_memory_equal(err, before, sizeof(err));
}

/* ICMPv6: the quoted UDP checksum's pseudo-header and the error's own
 * (over the error's addresses) from scratch. */
static uint16_t sum6(const uint8_t *src, const uint8_t *dst, uint8_t nh, const uint8_t *p, size_t n)
{
	uint8_t ph[40];
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	memset(ph + 32, 0, 8);
	put16(ph + 34, (uint16_t)n);
	ph[39] = nh;
	return sum16(p, n, (uint16_t)~sum16(ph, 40, 0));
}

static size_t ip6_udp(uint8_t *out, const struct ct_tuple *tp, size_t pay)
{
	memset(out, 0, 48 + pay);
	out[0] = 0x60;
	put16(out + 4, (uint16_t)(8 + pay));
	out[6] = 17, out[7] = 64;
	memcpy(out + 8, tp->src, 16);
	memcpy(out + 24, tp->dst, 16);
	uint8_t *u = out + 40;
	memcpy(u, &tp->sport, 2);
	memcpy(u + 2, &tp->dport, 2);
	put16(u + 4, (uint16_t)(8 + pay));
	for (size_t i = 0; i < pay; i++)
		u[8 + i] = (uint8_t)(i + 3);
	put16(u + 6, sum6(tp->src, tp->dst, 17, u, 8 + pay));
	return 48 + pay;
}

static void test_quote_bytes6(void **state)
{
	(void)state;
	struct ct_tuple from, to;
	uint8_t addrs[32], dg[96], err[128], want[128];

	memset(&from, 0, sizeof(from));
	from.ip6 = 1, from.proto = 17;
	from.src[0] = 0xfd, from.src[15] = 0x64;
	from.dst[0] = 0xfd, from.dst[1] = 1, from.dst[15] = 0x0a;
	from.sport = htons(7000), from.dport = htons(53);
	to = from;
	to.src[1] = 9, to.src[15] = 0x0b;
	to.sport = htons(40000);
	/* The error as it leaves: from a router, to the original sender. */
	memset(addrs, 0, sizeof(addrs));
	addrs[0] = 0xfd, addrs[1] = 1, addrs[15] = 1;
	memcpy(addrs + 16, to.src, 16);
	size_t n = ip6_udp(dg, &from, 20);
	memset(err, 0, 8);
	err[0] = 1, err[1] = 4;
	memcpy(err + 8, dg, n);
	ip6_udp(want + 8, &to, 20);
	memcpy(want, err, 8);
	put16(want + 2, 0);
	put16(want + 2, sum6(addrs, addrs + 16, 58, want, 8 + n));
	assert_int_equal(ct_nat_icmp_quote(err, (uint32_t)(8 + n), addrs, &to), 0);
	assert_memory_equal(err, want, 8 + n);
}

/* An echo's identifier, its checksum updated as if computed again. */
static void test_echo_id_bytes(void **state)
{
	(void)state;
	uint8_t e[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g', 0, 1, 2, 3};
	uint8_t want[16];

	put16(e + 2, sum16(e, sizeof(e), 0));
	memcpy(want, e, sizeof(e));
	want[4] = 0x1b, want[5] = 0x58; /* 7000 */
	put16(want + 2, 0);
	put16(want + 2, sum16(want, sizeof(want), 0));
	assert_int_equal(ct_nat_echo_id(e, sizeof(e), htons(7000)), 0);
	assert_memory_equal(e, want, sizeof(e));
	assert_int_equal(ct_nat_echo_id(e, 7, htons(1)), -EINVAL);
}

int ct_nat_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dnat),          cmocka_unit_test(test_snat_ports),
	        cmocka_unit_test(test_snat_echo_id),  cmocka_unit_test(test_related_snat),
	        cmocka_unit_test(test_related_dnat),  cmocka_unit_test(test_quote_bytes),
	        cmocka_unit_test(test_quote_refused), cmocka_unit_test(test_quote_bytes6),
	        cmocka_unit_test(test_echo_id_bytes),
	};
	return cmocka_run_group_tests_name("nat", tests, NULL, NULL);
}
