/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Geneve encapsulation: what geneve_encap() writes, read back by the
 * packet parser (PARSE_F_TUNNEL) and checked against RFC 8926 and
 * ovn-architecture(7): VNI, the OVN option's port keys, UDP port 6081,
 * DF, and checksums verified independently here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/geneve/geneve.h"
#include "dataplane/parse/parse.h"
#include "tests/parse/pkt_build.h"

static uint32_t csum_add(uint32_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* An inner UDP frame between two instances. */
static void inner_frame(struct pkt *b, uint16_t sport)
{
	pkt_init(b);
	pkt_eth(b, 0x0800);
	pkt_ip4(b, 17, PKT_IP4_A, PKT_IP4_B, 0);
	pkt_udp(b, sport, 53);
	pkt_put(b, "inner payload, odd length", 25);
	pkt_finish(b);
}

static struct geneve_path path(bool ip6, bool csum)
{
	struct geneve_path p = {
	        .eth_dst = {0x02, 0, 0, 0, 0, 0xbb},
	        .eth_src = {0x02, 0, 0, 0, 0, 0xaa},
	        .ip6 = ip6,
	        .ttl = 64,
	        .csum = csum,
	};
	if (ip6) {
		memcpy(p.src, pkt_ip6_a, 16);
		memcpy(p.dst, pkt_ip6_b, 16);
	} else {
		uint8_t s[4] = {192, 168, 100, 1}, d[4] = {192, 168, 100, 2};
		memcpy(p.src, s, 4);
		memcpy(p.dst, d, 4);
	}
	return p;
}

static void check_one(bool ip6, bool csum)
{
	struct pkt in;
	uint8_t frame[PKT_MAX + GENEVE_ENCAP_MAX];
	inner_frame(&in, 4242);
	struct geneve_path p = path(ip6, csum);
	struct geneve_meta m = {
	        .vni = 0x123456, .in_port = 0xffff, .out_port = 0x8001, .udp_src = 50000};
	unsigned hl = geneve_encap(frame, &p, &m, in.buf, in.len);
	assert_int_equal(hl, ip6 ? GENEVE_ENCAP_LEN6 : GENEVE_ENCAP_LEN4);
	memcpy(frame + hl, in.buf, in.len);

	struct flow_key k;
	struct flow_offsets ofs;
	struct flow_tunnel t;
	assert_int_equal(parse_packet(frame, hl + in.len, PARSE_F_TUNNEL, &k, &ofs, &t), DROP_NONE);
	assert_true(k.flags & FLOW_F_TUNNEL);
	assert_true(t.flags & FLOW_TNL_F_OVN_OPT);
	assert_int_equal(!!(t.flags & FLOW_TNL_F_IP6), ip6);
	assert_int_equal(t.vni, 0x123456);
	assert_int_equal(t.ovn_in, 0x7fff); /* 15 bits: the reserved bit stays clear */
	assert_int_equal(t.ovn_out, 0x8001);
	assert_int_equal(t.udp_src, 50000);
	assert_int_equal(t.ttl, 64);
	assert_memory_equal(t.src, p.src, ip6 ? 16 : 4);
	assert_memory_equal(t.dst, p.dst, ip6 ? 16 : 4);
	/* The key describes the inner frame. */
	assert_int_equal(ofs.l2, hl);
	assert_memory_equal(k.eth_src, pkt_mac_b, 6); /* pkt_eth: a is dst, b is src */
	assert_int_equal(k.nw_proto, 17);

	const uint8_t *ip = frame + 14, *udp = ip + (ip6 ? 40 : 20);
	uint32_t udp_len = (uint32_t)udp[4] << 8 | udp[5];
	assert_int_equal(udp_len, 8 + 16 + in.len);
	assert_int_equal((udp[2] << 8 | udp[3]), 6081);
	if (!ip6) {
		assert_int_equal(csum_fold(csum_add(0, ip, 20)), 0xffff); /* header checksum */
		assert_int_equal(ip[6] & 0x40, 0x40);                     /* DF */
	}
	uint16_t udp_csum = (uint16_t)(udp[6] << 8 | udp[7]);
	if (!csum && !ip6) {
		assert_int_equal(udp_csum, 0);
		return;
	}
	assert_int_not_equal(udp_csum, 0);
	uint32_t s = ip6 ? csum_add(0, ip + 8, 32) : csum_add(0, ip + 12, 8);
	s += 17 + udp_len;
	s = csum_add(s, udp, udp_len);
	assert_int_equal(csum_fold(s), 0xffff); /* the datagram verifies */
}

static void test_ip4_csum(void **state)
{
	(void)state;
	check_one(false, true);
}

static void test_ip4_no_csum(void **state)
{
	(void)state;
	check_one(false, false);
}

static void test_ip6(void **state)
{
	(void)state;
	check_one(true, false); /* IPv6 always carries a UDP checksum */
}

/* With offload the headers are what the port finishes: finishing them as
 * a NIC would (RFC 1071 over the IPv4 header; the UDP datagram summed on
 * top of the pseudo-header sum left in the field) gives exactly the
 * frame computed in software. */
static void check_offload(bool ip6)
{
	struct pkt in;
	uint8_t sw[PKT_MAX + GENEVE_ENCAP_MAX], hw[PKT_MAX + GENEVE_ENCAP_MAX];
	inner_frame(&in, 777);
	struct geneve_path p = path(ip6, true);
	struct geneve_meta m = {.vni = 7, .in_port = 3, .out_port = 4, .udp_src = 51000};
	unsigned hl = geneve_encap(sw, &p, &m, in.buf, in.len);
	p.offload = true;
	assert_int_equal(geneve_encap(hw, &p, &m, in.buf, in.len), hl);
	memcpy(sw + hl, in.buf, in.len);
	memcpy(hw + hl, in.buf, in.len);
	uint8_t *ip = hw + 14, *udp = ip + (ip6 ? 40 : 20);
	if (!ip6) {
		assert_int_equal(ip[10] | ip[11], 0);
		uint16_t c = (uint16_t)~csum_fold(csum_add(0, ip, 20));
		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	}
	uint32_t udp_len = (uint32_t)udp[4] << 8 | udp[5];
	uint16_t c = (uint16_t)~csum_fold(csum_add(0, udp, udp_len));
	c = c ? c : 0xffff;
	udp[6] = (uint8_t)(c >> 8), udp[7] = (uint8_t)c;
	assert_memory_equal(hw, sw, hl + in.len);
}

static void test_offload(void **state)
{
	(void)state;
	check_offload(false);
	check_offload(true);
}

/* The UDP checksum verifies whatever the inner frame's length (the sum
 * runs eight bytes at a time, then 4, 2 and a last odd byte). */
static void test_csum_lengths(void **state)
{
	(void)state;
	uint8_t inner[300], frame[300 + GENEVE_ENCAP_MAX];
	uint32_t seed = 12345;
	for (uint32_t len = 0; len < sizeof(inner); len++) {
		for (uint32_t i = 0; i < len; i++)
			inner[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
		for (int ip6 = 0; ip6 < 2; ip6++) {
			struct geneve_path p = path(ip6, true);
			struct geneve_meta m = {
			        .vni = 1, .in_port = 1, .out_port = 2, .udp_src = 50001};
			unsigned hl = geneve_encap(frame, &p, &m, inner, len);
			memcpy(frame + hl, inner, len);
			const uint8_t *ip = frame + 14, *udp = ip + (ip6 ? 40 : 20);
			uint32_t ulen = 8 + 16 + len;
			uint32_t sum = ip6 ? csum_add(0, ip + 8, 32) : csum_add(0, ip + 12, 8);
			sum = csum_add(sum + 17 + ulen, udp, ulen);
			if (csum_fold(sum) != 0xffff)
				fail_msg("inner length %u, ip6 %d: UDP checksum does not verify",
				         len, ip6);
		}
	}
}

/* A prepared peer writes exactly what geneve_encap() writes, for every
 * family, checksum and offload choice, inner length and meta. */
static void test_tmpl(void **state)
{
	(void)state;
	uint8_t inner[200], a[200 + GENEVE_ENCAP_MAX], b[200 + GENEVE_ENCAP_MAX];
	uint32_t seed = 777;
	for (int v = 0; v < 8; v++) {
		struct geneve_path p = path(v & 1, v & 2);
		p.offload = (v & 4) != 0;
		struct geneve_tmpl t;
		geneve_tmpl_init(&t, &p);
		for (uint32_t len = 0; len < sizeof(inner); len += 7) {
			for (uint32_t i = 0; i < len; i++)
				inner[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
			struct geneve_meta m = {.vni = (seed >> 3) & 0xffffff,
			                        .in_port = (uint16_t)seed,
			                        .out_port = (uint16_t)(seed >> 16),
			                        .udp_src = (uint16_t)(49152 + (seed & 16383))};
			memset(a, 0xa5, sizeof(a));
			memset(b, 0x5a, sizeof(b));
			unsigned ha = geneve_encap(a, &p, &m, inner, len);
			unsigned hb = geneve_tmpl_apply(b, &t, &m, inner, len);
			assert_int_equal(ha, hb);
			if (memcmp(a, b, ha) != 0)
				fail_msg("variant %d, inner length %u: headers differ", v, len);
		}
	}
}

static void test_udp_src(void **state)
{
	(void)state;
	uint16_t seen[200];
	unsigned distinct = 0;
	for (uint16_t i = 0; i < 200; i++) {
		struct pkt b;
		struct flow_key k;
		inner_frame(&b, (uint16_t)(1000 + i));
		assert_int_equal(parse_packet(b.buf, b.len, 0, &k, NULL, NULL), DROP_NONE);
		uint16_t s = geneve_udp_src(&k);
		assert_true(s >= 49152);
		assert_int_equal(s, geneve_udp_src(&k)); /* a flow keeps its port */
		bool dup = false;
		for (unsigned j = 0; j < distinct; j++)
			dup |= seen[j] == s;
		if (!dup)
			seen[distinct++] = s;
	}
	assert_true(distinct > 150); /* flows spread over the range */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ip4_csum),     cmocka_unit_test(test_ip4_no_csum),
	        cmocka_unit_test(test_ip6),          cmocka_unit_test(test_offload),
	        cmocka_unit_test(test_csum_lengths), cmocka_unit_test(test_tmpl),
	        cmocka_unit_test(test_udp_src),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
