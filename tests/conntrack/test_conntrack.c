/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection tracker alone (dataplane/conntrack/): TCP states and
 * windows, UDP, ICMP echo, expiry on a fake TSC, limits, zones, and two
 * threads racing on one table; SCTP in test_ct_sctp.c, per-zone limits in
 * test_ct_zone.c.
 */
#include <errno.h>
#include <pthread.h>

#include "tests/conntrack/ct_test.h"

static uint8_t seg(struct ct_table *t, const struct ct_tuple *tp, uint8_t flags, uint32_t seq,
                   uint32_t ack, uint16_t win, uint32_t len, bool commit)
{
	struct ct_tcp_seg s = {
	        .flags = flags, .wscale = -1, .win = win, .seq = seq, .ack = ack, .len = len};
	struct ct_result r;

	ct_process(t, 0, tp, &s, 0, commit ? &commit0 : NULL, &r);
	return r.state;
}

static uint8_t tcp_state(struct ct_table *t, const struct ct_tuple *tp)
{
	enum ct_dir d;
	struct ct_conn *c = ct_lookup(t, 0, tp, 0, &d);

	assert_non_null(c);
	return c->tcp_state;
}

#define SYN CT_TCP_SYN
#define ACK CT_TCP_ACK
#define FIN CT_TCP_FIN

/* A (10.0.0.1:1000) opens to B (10.0.0.2:80), B answers; seq A 100, B 500. */
static void handshake(struct ct_table *t, const struct ct_tuple *a, const struct ct_tuple *b)
{
	assert_int_equal(seg(t, a, SYN, 100, 0, 1000, 0, true), NEW);
	assert_int_equal(tcp_state(t, a), CT_TCP_SYN_SENT);
	assert_int_equal(seg(t, b, SYN | ACK, 500, 101, 1000, 0, false), RPL);
	assert_int_equal(tcp_state(t, a), CT_TCP_SYN_RECV);
	assert_int_equal(seg(t, a, ACK, 101, 501, 1000, 0, false), EST);
	assert_int_equal(tcp_state(t, a), CT_TCP_ESTABLISHED);
}

static void test_tcp_lifecycle(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1000, 80, 6), b = rev(a);
	struct ct_stats st;

	handshake(t, &a, &b);
	assert_int_equal(seg(t, &a, ACK, 101, 501, 1000, 100, false), EST);
	assert_int_equal(seg(t, &b, ACK, 501, 201, 1000, 50, false), RPL);
	assert_int_equal(seg(t, &a, ACK, 201, 551, 1000, 0, false), EST);
	/* A closes first. */
	assert_int_equal(seg(t, &a, FIN | ACK, 201, 551, 1000, 0, false), EST);
	assert_int_equal(tcp_state(t, &a), CT_TCP_FIN_WAIT);
	assert_int_equal(seg(t, &b, ACK, 551, 202, 1000, 0, false), RPL);
	assert_int_equal(tcp_state(t, &a), CT_TCP_CLOSE_WAIT);
	assert_int_equal(seg(t, &b, FIN | ACK, 551, 202, 1000, 0, false), RPL);
	assert_int_equal(tcp_state(t, &a), CT_TCP_LAST_ACK);
	assert_int_equal(seg(t, &a, ACK, 202, 552, 1000, 0, false), EST);
	assert_int_equal(tcp_state(t, &a), CT_TCP_TIME_WAIT);
	/* A SYN reusing the ports after TIME_WAIT starts a new connection. */
	assert_int_equal(seg(t, &a, SYN, 9000, 0, 1000, 0, true), NEW);
	assert_int_equal(tcp_state(t, &a), CT_TCP_SYN_SENT);
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, 2);
	assert_int_equal(st.conns, 1);
	assert_int_equal(st.invalid, 0);
	ct_destroy(t);
}

static void test_tcp_invalid(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1000, 80, 6), b = rev(a);
	struct ct_stats st;

	/* Nothing but a SYN (or a mid-stream segment) opens a connection. */
	assert_int_equal(seg(t, &a, SYN | ACK, 1, 1, 1000, 0, true), INV);
	assert_int_equal(seg(t, &a, CT_TCP_RST, 1, 0, 1000, 0, true), INV);
	handshake(t, &a, &b);
	/* B allowed A up to 501 + 1000: a segment starting past it. */
	assert_int_equal(seg(t, &a, ACK, 101 + 5000, 501, 1000, 10, false), INV);
	/* An ack of data B never sent. */
	assert_int_equal(seg(t, &a, ACK, 101, 9999, 1000, 0, false), INV);
	/* A SYN+ACK from the originator, a SYN on an open connection. */
	assert_int_equal(seg(t, &a, SYN | ACK, 100, 501, 1000, 0, false), INV);
	assert_int_equal(seg(t, &a, SYN, 100, 0, 1000, 0, false), INV);
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 6);
	/* The connection was left as it was. */
	assert_int_equal(tcp_state(t, &a), CT_TCP_ESTABLISHED);
	assert_int_equal(seg(t, &a, ACK, 101, 501, 1000, 10, false), EST);
	/* TCP without its segment cannot be checked. */
	struct ct_result r;
	ct_process(t, 0, &a, NULL, 0, NULL, &r);
	assert_int_equal(r.state, INV);
	ct_destroy(t);

	/* A liberal table takes the out-of-window segment. */
	t = table(16, true);
	handshake(t, &a, &b);
	assert_int_equal(seg(t, &a, ACK, 101 + 5000, 501, 1000, 10, false), EST);
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 0);
	ct_destroy(t);
}

static void test_tcp_refused_and_pickup(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1000, 80, 6), b = rev(a);
	struct ct_tuple c = tup(0x0a000001, 0x0a000002, 1001, 80, 6), d = rev(c);

	/* B refuses: RST acknowledging the SYN; an RST acking anything else
	 * is invalid. */
	assert_int_equal(seg(t, &a, SYN, 100, 0, 1000, 0, true), NEW);
	assert_int_equal(seg(t, &b, CT_TCP_RST | ACK, 0, 50, 0, 0, false), INV);
	assert_int_equal(seg(t, &b, CT_TCP_RST | ACK, 0, 101, 0, 0, false), RPL);
	assert_int_equal(tcp_state(t, &a), CT_TCP_CLOSE);
	/* Picked up mid-stream (after a restart): established, liberal. */
	assert_int_equal(seg(t, &c, ACK, 7000, 3000, 1000, 10, true), NEW);
	assert_int_equal(tcp_state(t, &c), CT_TCP_ESTABLISHED);
	assert_int_equal(seg(t, &d, ACK, 3000, 7010, 1000, 10, false), RPL);
	assert_int_equal(seg(t, &c, ACK, 99999, 3010, 1000, 10, false), EST);
	ct_destroy(t);
}

/*
 * After B refused, B's side of the connection is still unknown. An
 * out-of-window segment from B is invalid and must leave it unknown: it
 * used to set B's window edges anyway, and B's next segment was judged
 * against them (found by fuzz-ct).
 */
static void test_tcp_refused_then_invalid(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1000, 80, 6), b = rev(a);
	struct ct_tcp_peer before;
	struct ct_conn *c;
	enum ct_dir d;

	assert_int_equal(seg(t, &a, SYN, 100, 0, 1000, 0, true), NEW);
	assert_int_equal(seg(t, &b, CT_TCP_RST | ACK, 0, 101, 0, 0, false), RPL);
	c = ct_lookup(t, 0, &a, 0, &d);
	assert_non_null(c);
	before = c->peer[CT_DIR_REPLY];
	/* B acks data A never sent. */
	assert_int_equal(seg(t, &b, ACK, 700, 5000, 1000, 0, false), INV);
	assert_memory_equal(&c->peer[CT_DIR_REPLY], &before, sizeof(before));
	/* B's next segment is still B's first. */
	assert_int_equal(seg(t, &b, ACK, 3000000, 101, 1000, 0, false), RPL);
	assert_int_equal(tcp_state(t, &a), CT_TCP_CLOSE);
	ct_destroy(t);
}

static void test_udp(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 53, 17), b = rev(a);
	struct ct_commit m = {.mark = 0x12, .mark_mask = 0xff};
	struct ct_result r;
	enum ct_dir dir;

	/* Tracked but not committed: nothing stored. */
	ct_process(t, 0, &a, NULL, 0, NULL, &r);
	assert_int_equal(r.state, NEW);
	assert_null(r.conn);
	assert_null(ct_lookup(t, 0, &a, 0, &dir));
	ct_process(t, 0, &b, NULL, 0, NULL, &r);
	assert_int_equal(r.state, NEW); /* no connection: B's packet is new too */

	m.label[15] = 0x80;
	m.label_mask[15] = 0xff;
	ct_process(t, 0, &a, NULL, 0, &m, &r);
	assert_int_equal(r.state, NEW);
	assert_int_equal(r.mark, 0x12);
	assert_int_equal(r.label[15], 0x80);
	ct_process(t, 0, &a, NULL, 1, NULL, &r);
	assert_int_equal(r.state, NEW); /* no reply yet */
	ct_process(t, 0, &b, NULL, 2, NULL, &r);
	assert_int_equal(r.state, RPL);
	assert_int_equal(r.dir, CT_DIR_REPLY);
	assert_int_equal(r.mark, 0x12); /* mark and label read back */
	assert_int_equal(r.label[15], 0x80);
	ct_process(t, 0, &a, NULL, 3, NULL, &r);
	assert_int_equal(r.state, EST);
	assert_int_equal(r.dir, CT_DIR_ORIG);
	assert_ptr_equal(ct_lookup(t, 0, &b, 3, &dir), r.conn);
	assert_int_equal(dir, CT_DIR_REPLY);
	ct_destroy(t);
}

/* A commit whose ct_next just missed skips its own look, not the insert's:
 * a connection made meanwhile (another worker) is found, not doubled. */
static void test_commit_absent(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5001, 53, 17), b = rev(a);
	struct ct_commit m = {.mark = 0x7, .mark_mask = 0xff};
	struct ct_result r, r2;
	struct ct_stats st;

	ct_process(t, 3, &a, NULL, 0, NULL, &r);
	assert_int_equal(r.state, NEW);
	ct_commit_absent(t, 3, &a, ct_tuple_hash_base(&a), NULL, 0, &m, &r);
	assert_int_equal(r.state, NEW);
	assert_non_null(r.conn);
	assert_int_equal(r.mark, 0x7);
	/* Said absent, but there now: the same connection, still one. */
	ct_commit_absent(t, 3, &a, ct_tuple_hash_base(&a), NULL, 1, &m, &r2);
	assert_ptr_equal(r2.conn, r.conn);
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 1);
	assert_int_equal(st.creations, 1);
	/* Its reply tuple is taken too: committing the reply as absent
	 * finds the connection, in the reply direction. */
	ct_commit_absent(t, 3, &b, ct_tuple_hash_base(&b), NULL, 2, &m, &r2);
	assert_ptr_equal(r2.conn, r.conn);
	assert_int_equal(r2.state, RPL);
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 1);
	ct_destroy(t);
}

static void icmp_key(struct flow_key *k, bool ip6, uint32_t src, uint32_t dst, uint8_t type)
{
	uint8_t *tb = (uint8_t *)&k->tp_src;

	memset(k, 0, sizeof(*k));
	k->flags = (ip6 ? FLOW_F_IP6 : FLOW_F_IP4) | FLOW_F_L4;
	k->nw_proto = ip6 ? 58 : 1;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(k->ip_src + (ip6 ? 12 : 0), &src, 4);
	memcpy(k->ip_dst + (ip6 ? 12 : 0), &dst, 4);
	tb[1] = type;
}

static void test_icmp_echo(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple req, rep, other;
	struct flow_key k;
	struct ct_result r;

	for (int ip6 = 0; ip6 < 2; ip6++) {
		uint8_t echo = ip6 ? 128 : 8, reply = ip6 ? 129 : 0;

		icmp_key(&k, ip6, 0x0a000001, 0x0a000002, echo);
		assert_int_equal(ct_tuple_from_key(&k, htons(0x1234), &req), 0);
		icmp_key(&k, ip6, 0x0a000002, 0x0a000001, reply);
		assert_int_equal(ct_tuple_from_key(&k, htons(0x1234), &rep), 0);
		icmp_key(&k, ip6, 0x0a000002, 0x0a000001, reply);
		assert_int_equal(ct_tuple_from_key(&k, htons(0x9999), &other), 0);

		/* An unsolicited echo reply opens nothing. */
		ct_process(t, 0, &rep, NULL, 0, &commit0, &r);
		assert_int_equal(r.state, INV);
		ct_process(t, 0, &req, NULL, 0, &commit0, &r);
		assert_int_equal(r.state, NEW);
		ct_process(t, 0, &rep, NULL, 0, NULL, &r);
		assert_int_equal(r.state, RPL);
		/* Another identifier is another conversation. */
		ct_process(t, 0, &other, NULL, 0, NULL, &r);
		assert_int_equal(r.state, INV);
		/* Only echo is tracked for now. */
		icmp_key(&k, ip6, 0x0a000002, 0x0a000001, ip6 ? 1 : 3);
		assert_int_equal(ct_tuple_from_key(&k, 0, &other), -EPROTONOSUPPORT);
	}
	ct_destroy(t);
}

static void test_tuple_from_key(void **state)
{
	(void)state;
	struct flow_key k;
	struct ct_tuple tp, r;

	memset(&k, 0, sizeof(k));
	k.flags = FLOW_F_IP6 | FLOW_F_L4;
	k.nw_proto = 17;
	k.ip_src[0] = 0xfd;
	k.ip_src[15] = 1;
	k.ip_dst[0] = 0xfd;
	k.ip_dst[15] = 2;
	k.tp_src = htons(5000);
	k.tp_dst = htons(53);
	assert_int_equal(ct_tuple_from_key(&k, 0, &tp), 0);
	assert_int_equal(tp.ip6, 1);
	assert_int_equal(tp.proto, 17);
	assert_int_equal(tp.src[15], 1);
	assert_int_equal(tp.sport, htons(5000));
	ct_tuple_reverse(&tp, &r);
	assert_int_equal(r.src[15], 2);
	assert_int_equal(r.sport, htons(53));
	assert_int_equal(r.dport, htons(5000));
	/* Not trackable: a later fragment (no ports), ARP. */
	k.nw_frag = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
	assert_int_equal(ct_tuple_from_key(&k, 0, &tp), -EINVAL);
	memset(&k, 0, sizeof(k));
	k.flags = FLOW_F_ARP;
	assert_int_equal(ct_tuple_from_key(&k, 0, &tp), -EINVAL);
}

static void test_icmp_related(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 53, 17), b = rev(a);
	struct ct_tuple other = tup(0x0a000001, 0x0a000002, 5001, 53, 17);
	struct ct_commit m = {.mark = 7, .mark_mask = 0xff};
	struct ct_result r;
	struct ct_stats st;

	ct_process(t, 0, &a, NULL, 0, &m, &r);
	/* An unreachable back to A, quoting A's datagram: related, reply. */
	ct_related(t, 0, &a, 0, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_RPL);
	assert_int_equal(r.mark, 7);
	/* One to B, quoting B's answer: related, original direction. */
	ct_related(t, 0, &b, 0, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL);
	/* Quoting a datagram we never tracked, or in another zone. */
	ct_related(t, 0, &other, 0, &r);
	assert_int_equal(r.state, INV);
	ct_related(t, 1, &a, 0, &r);
	assert_int_equal(r.state, INV);
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 2);
	/* The error changed nothing: A's next datagram is still unanswered. */
	ct_process(t, 0, &a, NULL, 0, NULL, &r);
	assert_int_equal(r.state, NEW);
	ct_destroy(t);
}

static void test_expiry(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 53, 17), b = rev(a);
	struct ct_result r;
	struct ct_stats st;
	enum ct_dir dir;

	ct_process(t, 0, &a, NULL, 0, &commit0, &r);
	/* udp first: 10 s */
	assert_non_null(ct_lookup(t, 0, &a, 10 * HZ - 1, &dir));
	assert_null(ct_lookup(t, 0, &a, 10 * HZ, &dir));
	assert_int_equal(ct_sweep(t, 10 * HZ - 1, 1u << 20), 0);
	assert_int_equal(ct_sweep(t, 10 * HZ, 1u << 20), 1);
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 0);
	assert_int_equal(st.expirations, 1);
	assert_int_equal(ct_reclaim(t, ct_reclaim_token(t)), 1);

	/* A reply refreshes to the replied timeout (20 s); a packet that finds
	 * an expired connection starts a new one. */
	ct_process(t, 0, &a, NULL, 100 * HZ, &commit0, &r);
	ct_process(t, 0, &b, NULL, 105 * HZ, NULL, &r);
	assert_int_equal(r.state, RPL);
	assert_non_null(ct_lookup(t, 0, &a, 124 * HZ, &dir));
	ct_process(t, 0, &b, NULL, 125 * HZ, &commit0, &r);
	assert_int_equal(r.state, NEW); /* b is now an original direction */
	ct_get_stats(t, &st);
	assert_int_equal(st.expirations, 2);
	assert_int_equal(st.creations, 3);
	assert_int_equal(st.conns, 1);
	ct_destroy(t);
}

static void test_limit(void **state)
{
	(void)state;
	struct ct_table *t = table(2, false);
	struct ct_result r;
	struct ct_stats st;

	for (uint16_t p = 1; p <= 3; p++) {
		struct ct_tuple a = tup(0x0a000001, 0x0a000002, p, 53, 17);

		ct_process(t, 0, &a, NULL, 0, &commit0, &r);
		assert_int_equal(r.state, p <= 2 ? NEW : INV);
	}
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 2);
	assert_int_equal(st.refusals, 1);
	assert_int_equal(st.invalid, 1);
	/* Room again once one expires and its memory is reclaimed. */
	assert_int_equal(ct_sweep(t, 10 * HZ, 1u << 20), 2);
	assert_int_equal(ct_reclaim(t, ct_reclaim_token(t)), 2);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 3, 53, 17);
	ct_process(t, 0, &a, NULL, 10 * HZ, &commit0, &r);
	assert_int_equal(r.state, NEW);
	assert_non_null(r.conn);
	ct_destroy(t);
}

static void test_zones(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 53, 17), b = rev(a);
	struct ct_result r1, r2;
	struct ct_stats st;

	ct_process(t, 1, &a, NULL, 0, &commit0, &r1);
	ct_process(t, 2, &a, NULL, 0, &commit0, &r2);
	assert_int_equal(r1.state, NEW);
	assert_int_equal(r2.state, NEW);
	assert_ptr_not_equal(r1.conn, r2.conn);
	ct_process(t, 1, &b, NULL, 0, NULL, &r1);
	assert_int_equal(r1.state, RPL);
	ct_process(t, 2, &a, NULL, 0, NULL, &r2);
	assert_int_equal(r2.state, NEW); /* zone 2 saw no reply */
	ct_process(t, 3, &b, NULL, 0, NULL, &r2);
	assert_int_equal(r2.state, NEW);
	assert_null(r2.conn);
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, 2);
	ct_destroy(t);
}

/* Two threads: the same tuples, created and looked up from both sides. */
#define STRESS_N    2000
#define STRESS_LOOP 20

struct stress {
	struct ct_table *t;
	unsigned seed;
	struct ct_conn *seen[STRESS_N];
	unsigned bad;
};

/* ct_packet(): a TCP segment's fields and window scale from its bytes. */
static void test_packet_tcp(void **state)
{
	(void)state;
	struct flow_key k;
	struct ct_tuple tp;
	struct ct_tcp_seg sg;
	uint8_t l4[40 + 100];

	memset(&k, 0, sizeof(k));
	k.flags = FLOW_F_IP4 | FLOW_F_L4;
	k.nw_proto = 6;
	k.tp_src = htons(1234);
	k.tp_dst = htons(80);
	memset(l4, 0, sizeof(l4));
	l4[4] = 0x11, l4[7] = 0x22;  /* seq 0x11000022 */
	l4[8] = 0x01, l4[11] = 0x02; /* ack */
	l4[12] = 10 << 4;            /* 40-byte header: 20 of options */
	l4[13] = CT_TCP_SYN;
	l4[14] = 0x72, l4[15] = 0x10; /* window 29200 */
	/* options: NOP, NOP, window scale 7, MSS */
	l4[20] = 1, l4[21] = 1, l4[22] = 3, l4[23] = 3, l4[24] = 7;
	l4[25] = 2, l4[26] = 4, l4[27] = 0x05, l4[28] = 0xb4;
	assert_int_equal(ct_packet(&k, l4, 40 + 100, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(sg.seq, 0x11000022);
	assert_int_equal(sg.ack, 0x01000002);
	assert_int_equal(sg.win, 29200);
	assert_int_equal(sg.len, 100);
	assert_int_equal(sg.wscale, 7);
	assert_int_equal(ntohs(tp.sport), 1234);
	/* A header longer than the payload is no segment. */
	assert_int_equal(ct_packet(&k, l4, 30, &tp, &sg), CT_PKT_INVALID);
	/* A later fragment has no ports. */
	k.nw_frag = FLOW_FRAG_ANY | FLOW_FRAG_LATER;
	assert_int_equal(ct_packet(&k, l4, 140, &tp, &sg), CT_PKT_FRAG);
}

/* ct_packet(): an ICMP error yields the tuple of the packet it quotes, and
 * ct_related() then finds that connection. */
static void test_packet_icmp_error(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_tuple udp = tup(0x0a000001, 0x0a000002, 5000, 53, 17), q;
	struct ct_tcp_seg sg;
	struct ct_result r;
	struct flow_key k;
	uint8_t l4[8 + 20 + 8];

	ct_process(t, 1, &udp, NULL, 0, &commit0, &r);
	/* Port unreachable from 10.0.0.2, quoting 10.0.0.1:5000 -> :53. */
	icmp_key(&k, false, 0x0a000002, 0x0a000001, 3);
	memset(l4, 0, sizeof(l4));
	l4[0] = 3, l4[1] = 3;
	uint8_t *ip = l4 + 8;
	ip[0] = 0x45, ip[9] = 17;
	memcpy(ip + 12, udp.src, 4);
	memcpy(ip + 16, udp.dst, 4);
	memcpy(ip + 20, &udp.sport, 2);
	memcpy(ip + 22, &udp.dport, 2);
	assert_int_equal(ct_packet(&k, l4, sizeof(l4), &q, &sg), CT_PKT_RELATED);
	assert_memory_equal(&q, &udp, sizeof(q));
	ct_related(t, 1, &q, 1, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_REL | CT_CS_RPL);
	/* Truncated quote: not trackable. */
	assert_int_equal(ct_packet(&k, l4, 8 + 10, &q, &sg), CT_PKT_INVALID);
	/* An echo request carries its identifier as the port. */
	icmp_key(&k, false, 0x0a000001, 0x0a000002, 8);
	l4[0] = 8, l4[4] = 0x12, l4[5] = 0x34;
	assert_int_equal(ct_packet(&k, l4, 8, &q, &sg), CT_PKT_CONN);
	assert_int_equal(ntohs(q.sport), 0x1234);
	ct_destroy(t);
}

static bool count_conn(struct ct_conn *c, void *aux)
{
	(void)c;
	(*(unsigned *)aux)++;
	return true;
}

/* Commit to a found connection, peek, walk, flush by zone and by tuple. */
static void test_commit_walk_flush(void **state)
{
	(void)state;
	struct ct_table *t = table(64, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1, 2, 17);
	struct ct_tuple b = tup(0x0a000001, 0x0a000002, 3, 4, 17), rb = rev(b);
	struct ct_commit m = {.mark = 5, .mark_mask = 0xf};
	struct ct_result r;
	unsigned n = 0;

	ct_process(t, 1, &a, NULL, 0, &commit0, &r);
	ct_process(t, 2, &a, NULL, 0, &commit0, &r);
	ct_process(t, 2, &b, NULL, 0, &commit0, &r);
	assert_non_null(r.conn);
	ct_commit_conn(r.conn, &m, &r);
	assert_int_equal(r.mark, 5);
	ct_peek(t, 2, &rb, 1, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_NEW | CT_CS_RPL);
	assert_int_equal(r.mark, 5);
	ct_peek(t, 3, &rb, 1, &r);
	assert_int_equal(r.state, CT_CS_TRK | CT_CS_NEW);
	assert_null(r.conn);
	assert_int_equal(ct_walk(t, 1, count_conn, &n), 3);
	assert_int_equal(n, 3);
	assert_int_equal(ct_flush(t, 1, NULL, 1), 1);
	assert_int_equal(ct_flush(t, -1, &rb, 1), 1); /* by its reply tuple */
	n = 0;
	ct_walk(t, 1, count_conn, &n);
	assert_int_equal(n, 1);
	/* Expired ones are flushed too: the count goes to zero. */
	assert_int_equal(ct_flush(t, -1, NULL, 1000000), 1);
	struct ct_stats st;
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 0);
	ct_destroy(t);
}

/*
 * A translation whose reply tuple is already a live connection's key is
 * refused: a tuple has at most one live connection per zone. Stored, it
 * took the other connection's packets (found by fuzz-ct).
 */
static void test_nat_reply_clash(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	/* Client 10.0.0.1:5000, VIP 10.0.0.9:80, backend 10.0.0.2:8080. */
	struct ct_tuple vip = tup(0x0a000001, 0x0a000009, 5000, 80, 6);
	struct ct_tuple direct = tup(0x0a000001, 0x0a000002, 5000, 8080, 6);
	struct ct_tcp_seg syn = {.flags = SYN, .wscale = -1, .win = 1000, .seq = 100};
	struct ct_commit lb = {.nat = CT_NAT_DST, .nat_port = htons(8080)};
	struct ct_tuple a = tup(0x0a000002, 0x0a000001, 1234, 4321, 17);
	struct ct_tuple other = tup(0x11000001, 0x0a000002, 4321, 1234, 17);
	struct ct_commit snat = {.nat = CT_NAT_SRC};
	struct ct_result r;
	struct ct_conn *c;
	struct ct_stats st;
	enum ct_dir d;
	uint32_t ip;

	/* The client reaches the backend through the VIP, then directly from
	 * the same port: the second connection's reply is the first's. */
	ip = htonl(0x0a000002);
	memcpy(lb.nat_addr, &ip, 4);
	ct_process(t, 0, &vip, &syn, 0, &lb, &r);
	assert_int_equal(r.state, NEW | CT_CS_DNAT);
	c = r.conn;
	ct_process(t, 0, &direct, &syn, 0, &commit0, &r);
	assert_int_equal(r.state, INV);
	/* The backend's answer still belongs to the VIP's connection. */
	struct ct_tuple answer = rev(direct);
	assert_ptr_equal(ct_lookup(t, 0, &answer, 0, &d), c);
	assert_int_equal(d, CT_DIR_REPLY);

	/* Source NAT onto another connection's original tuple: the
	 * translation takes another port, the other connection keeps its. */
	ip = htonl(0x0a000001);
	memcpy(snat.nat_addr, &ip, 4);
	ct_process(t, 3, &a, NULL, 0, &commit0, &r);
	c = r.conn;
	ct_process(t, 3, &other, NULL, 0, &snat, &r);
	assert_int_equal(r.state, NEW | CT_CS_SNAT);
	assert_true(r.rw.sport != other.sport);
	assert_ptr_equal(ct_lookup(t, 3, &a, 0, &d), c);
	assert_int_equal(d, CT_DIR_ORIG);
	/* In another zone there is no clash: the port is kept. */
	ct_process(t, 4, &other, NULL, 0, &snat, &r);
	assert_int_equal(r.state, NEW | CT_CS_SNAT);
	assert_int_equal(r.rw.sport, other.sport);

	ct_get_stats(t, &st);
	assert_int_equal(st.refusals, 1);
	assert_int_equal(st.conns, 4);
	ct_destroy(t);
}

/* Fragments: later ones get their first's result; a stranger's, or one
 * too late, nothing. */
static void test_fragments(void **state)
{
	(void)state;
	struct ct_frags *f = ct_frags_create(64, 5, HZ);
	struct ct_frag_key k;
	struct ct_result r = {.state = CT_CS_TRK | CT_CS_EST, .mark = 7}, got;
	struct flow_key key;
	uint8_t ip[20] = {0x45, 0, 0, 20, 0x12, 0x34, 0x20, 0};

	assert_non_null(f);
	memset(&key, 0, sizeof(key));
	key.flags = FLOW_F_IP4;
	key.nw_proto = 17;
	key.ip_src[0] = 10, key.ip_dst[0] = 10, key.ip_dst[3] = 2;
	assert_int_equal(ct_frag_key_of(&key, ip, sizeof(ip), &k), 0);
	assert_int_equal(k.id, 0x1234);
	k.zone = 3;
	assert_false(ct_frag_follow(f, &k, 1, &got)); /* before its first */
	ct_frag_note(f, &k, &r, 1);
	assert_true(ct_frag_follow(f, &k, 2, &got));
	assert_int_equal(got.state, r.state);
	assert_int_equal(got.mark, 7);
	assert_null(got.conn);
	struct ct_frag_key other = k;
	other.zone = 4;
	assert_false(ct_frag_follow(f, &other, 2, &got));      /* another zone */
	assert_false(ct_frag_follow(f, &k, 1 + 5 * HZ, &got)); /* expired */
	struct ct_frag_stats st;
	ct_frags_stats(f, &st);
	assert_int_equal(st.first, 1);
	assert_int_equal(st.followed, 1);
	assert_int_equal(st.unfollowed, 3);
	ct_frags_destroy(f);
}

/*
 * Hints (ct_process_hint()): the connection a cache entry found last, used
 * only while it is alive, unexpired and still holds the tuple in the zone;
 * a connection reused for another tuple, a dead one or one of another
 * zone fails, and so does a hint to a free connection.
 */
static void test_hint(void **state)
{
	(void)state;
	struct ct_table *t = table(1, false); /* one connection: reuse is certain */
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1, 2, 17), ra = rev(a);
	struct ct_tuple b = tup(0x0a000003, 0x0a000004, 3, 4, 17);
	struct ct_hint h = {.idx = 1};
	struct ct_result r;
	struct ct_stats st;

	assert_false(ct_process_hint(t, &h, 0, &a, NULL, 0, NULL, &r)); /* free */
	ct_process(t, 0, &a, NULL, 0, &commit0, &r);
	ct_hint_learn(t, &h, &r);
	assert_int_equal(h.idx, 1);
	assert_true(ct_process_hint(t, &h, 0, &a, NULL, 1, NULL, &r));
	assert_int_equal(r.state, NEW);
	assert_ptr_equal(r.conn, ct_lookup(t, 0, &a, 1, &(enum ct_dir){0}));
	/* Another zone, another tuple, the reply through the original's hint. */
	assert_false(ct_process_hint(t, &h, 7, &a, NULL, 1, NULL, &r));
	assert_false(ct_process_hint(t, &h, 0, &ra, NULL, 1, NULL, &r));
	struct ct_hint hr = {.idx = 1, .dir = CT_DIR_REPLY};
	assert_true(ct_process_hint(t, &hr, 0, &ra, NULL, 2, NULL, &r));
	assert_int_equal(r.state, RPL);
	assert_true(ct_process_hint(t, &h, 0, &a, NULL, 3, NULL, &r));
	assert_int_equal(r.state, EST);
	/* Expired (replied: 20 s): the hint fails, the full path renews it. */
	assert_false(ct_process_hint(t, &h, 0, &a, NULL, 3 + 20 * HZ, NULL, &r));
	/* Flushed and reclaimed, the one connection is taken by b: a's hint
	 * reads b's tuple and fails. */
	assert_int_equal(ct_flush(t, -1, NULL, 3 + 20 * HZ), 1);
	assert_int_equal(ct_reclaim(t, ct_reclaim_token(t)), 1);
	assert_false(ct_process_hint(t, &h, 0, &a, NULL, 0, NULL, &r)); /* dead */
	ct_process(t, 0, &b, NULL, 0, &commit0, &r);
	assert_non_null(r.conn);
	h.miss = 0;
	assert_false(ct_process_hint(t, &h, 0, &a, NULL, 1, NULL, &r));
	assert_int_equal(h.miss, 1);
	struct ct_hint hb = {0};
	ct_hint_learn(t, &hb, &r);
	assert_true(ct_process_hint(t, &hb, 0, &b, NULL, 1, NULL, &r));
	/* A hint that keeps failing (a key of many flows) is tried once in
	 * CT_HINT_RETRY packets, and holds again at once when it does. */
	h.miss = 0;
	for (unsigned i = 0; i < CT_HINT_MISSES; i++)
		assert_false(ct_process_hint(t, &h, 0, &a, NULL, 1, NULL, &r));
	ct_hint_learn(t, &h, &r); /* r: b's, from hb */
	unsigned held = 0;
	for (unsigned i = 0; i < CT_HINT_RETRY; i++)
		held += ct_process_hint(t, &h, 0, &b, NULL, 1, NULL, &r);
	assert_int_equal(held, 1);
	assert_int_equal(h.miss, 0);
	assert_true(ct_process_hint(t, &h, 0, &b, NULL, 1, NULL, &r));
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 0);
	assert_int_equal(st.creations, 2);
	ct_destroy(t);
}

/* TCP through a hint: windows still checked, and a SYN that reopens a
 * closed connection is left to the full path. */
static void test_hint_tcp(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 1000, 80, 6), b = rev(a);
	struct ct_tcp_seg s = {.flags = ACK, .wscale = -1, .win = 1000, .seq = 101, .ack = 501};
	struct ct_hint h = {0};
	struct ct_result r;

	handshake(t, &a, &b);
	ct_process(t, 0, &a, &s, 0, NULL, &r);
	ct_hint_learn(t, &h, &r);
	assert_true(ct_process_hint(t, &h, 0, &a, &s, 0, NULL, &r));
	assert_int_equal(r.state, EST);
	assert_false(ct_process_hint(t, &h, 0, &a, NULL, 0, NULL, &r)); /* no segment */
	s.seq = 900000;                                                 /* far out of the window */
	assert_true(ct_process_hint(t, &h, 0, &a, &s, 0, NULL, &r));
	assert_int_equal(r.state, INV);
	ct_destroy(t);
}

static struct ct_tuple stress_tuple(unsigned i)
{
	return tup(0x0a000000 + i % 97, 0x0b000000 + i / 97, (uint16_t)(1000 + i), 53, 17);
}

static void *stress_run(void *arg)
{
	struct stress *s = arg;

	for (unsigned loop = 0; loop < STRESS_LOOP; loop++)
		for (unsigned k = 0; k < STRESS_N; k++) {
			/* Each thread walks the tuples in its own order. */
			unsigned i = (k * s->seed + loop) % STRESS_N;
			struct ct_tuple a = stress_tuple(i), b = rev(a);
			struct ct_result r;
			enum ct_dir dir;
			enum ct_dir rdir;
			struct ct_conn *c;

			/* Whichever direction comes first is the original. */
			ct_process(s->t, 7, (k & 1) ? &b : &a, NULL, 0, &commit0, &r);
			if (!r.conn)
				s->bad++;
			c = ct_lookup(s->t, 7, &a, 0, &dir);
			if (!c || ct_lookup(s->t, 7, &b, 0, &rdir) != c || rdir == dir)
				s->bad++;
			if (c && c != r.conn)
				s->bad++;
			if (!s->seen[i])
				s->seen[i] = c;
			else if (s->seen[i] != c)
				s->bad++;
		}
	return NULL;
}

static void test_two_threads(void **state)
{
	(void)state;
	static struct stress s[2];
	struct ct_table *t = table(STRESS_N * 2, false);
	pthread_t th[2];
	struct ct_stats st;

	for (int i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].t = t;
		s[i].seed = i ? 7 : 1; /* 7 is coprime with STRESS_N */
		assert_int_equal(pthread_create(&th[i], NULL, stress_run, &s[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(s[0].bad, 0);
	assert_int_equal(s[1].bad, 0);
	/* One connection per tuple, whichever thread or direction came first. */
	for (unsigned i = 0; i < STRESS_N; i++) {
		assert_non_null(s[0].seen[i]);
		assert_ptr_equal(s[0].seen[i], s[1].seen[i]);
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(s[0].seen[i], s[0].seen[j]);
	}
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, STRESS_N);
	assert_int_equal(st.conns, STRESS_N);
	assert_int_equal(st.refusals, 0);
	assert_int_equal(st.invalid, 0);
	ct_destroy(t);
}

/* Two threads again, each round a fake TSC step past the UDP timeouts:
 * every connection of the round before is expired by one of them (a
 * packet that meets it, or the sweep) and replaced by exactly one new one.
 * Between rounds both threads wait at a barrier, a grace period, and one
 * reclaims, as ferryd does after rte_rcu_qsbr. */
#define ROUNDS 8

struct churn {
	struct ct_table *t;
	pthread_barrier_t *bar;
	unsigned id;
	unsigned bad;
};

static void *churn_run(void *arg)
{
	struct churn *s = arg;

	for (unsigned round = 0; round < ROUNDS; round++) {
		uint64_t now = (uint64_t)round * 70 * HZ; /* past udp "multiple", 60 s */

		for (unsigned k = 0; k < STRESS_N; k++) {
			unsigned i = s->id ? STRESS_N - 1 - k : k;
			struct ct_tuple a = stress_tuple(i);
			struct ct_result r;

			ct_process(s->t, 0, &a, NULL, now, &commit0, &r);
			if (!r.conn)
				s->bad++;
			if ((k & 63) == 0)
				ct_sweep(s->t, now, 4);
		}
		pthread_barrier_wait(s->bar);
		if (s->id == 0)
			ct_reclaim(s->t, ct_reclaim_token(s->t));
		pthread_barrier_wait(s->bar);
	}
	return NULL;
}

static void test_two_threads_churn(void **state)
{
	(void)state;
	static struct churn s[2];
	struct ct_table *t = table(STRESS_N * 2, false);
	pthread_barrier_t bar;
	pthread_t th[2];
	struct ct_stats st;

	assert_int_equal(pthread_barrier_init(&bar, NULL, 2), 0);
	for (unsigned i = 0; i < 2; i++) {
		s[i] = (struct churn){.t = t, .bar = &bar, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, churn_run, &s[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&bar);
	assert_int_equal(s[0].bad + s[1].bad, 0);
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, STRESS_N * ROUNDS);
	assert_int_equal(st.expirations, STRESS_N * (ROUNDS - 1));
	assert_int_equal(st.conns, STRESS_N);
	assert_int_equal(st.refusals, 0);
	ct_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tcp_lifecycle),
	        cmocka_unit_test(test_tcp_invalid),
	        cmocka_unit_test(test_tcp_refused_and_pickup),
	        cmocka_unit_test(test_tcp_refused_then_invalid),
	        cmocka_unit_test(test_udp),
	        cmocka_unit_test(test_commit_absent),
	        cmocka_unit_test(test_tuple_from_key),
	        cmocka_unit_test(test_icmp_echo),
	        cmocka_unit_test(test_icmp_related),
	        cmocka_unit_test(test_expiry),
	        cmocka_unit_test(test_limit),
	        cmocka_unit_test(test_zones),
	        cmocka_unit_test(test_packet_tcp),
	        cmocka_unit_test(test_packet_icmp_error),
	        cmocka_unit_test(test_commit_walk_flush),
	        cmocka_unit_test(test_nat_reply_clash),
	        cmocka_unit_test(test_fragments),
	        cmocka_unit_test(test_hint),
	        cmocka_unit_test(test_hint_tcp),
	        cmocka_unit_test(test_two_threads),
	        cmocka_unit_test(test_two_threads_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) + ct_sctp_tests() + ct_zone_tests() +
	       ct_nat_tests();
}
