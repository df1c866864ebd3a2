/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCTP in the tracker: the life cycle from INIT to SHUTDOWN_COMPLETE and
 * its timeouts, ABORT, verification tags, what may open a connection, and
 * ct_packet() reading the chunks from bytes.
 */
#include "tests/conntrack/ct_test.h"

#define CH(type) CT_SCTP_BIT(CT_SCTP_##type)

/* A (10.0.0.1:5000) associates with B (10.0.0.2:38412): A's packets carry
 * B's tag TB, B's carry A's tag TA. */
#define TA 0x0a0a0a0aU
#define TB 0x0b0b0b0bU

struct sctp_pkt {
	uint16_t chunks;
	uint32_t vtag, init_tag;
	uint8_t flags;
};

static uint8_t sctp_at(struct ct_table *t, const struct ct_tuple *tp, struct sctp_pkt p,
                       uint64_t now, bool commit)
{
	struct ct_tcp_seg s = {.wscale = -1};
	struct ct_result r;

	s.sctp.chunks = p.chunks;
	s.sctp.vtag = p.vtag;
	s.sctp.init_tag = p.init_tag;
	s.sctp.flags = p.flags;
	ct_process(t, 0, tp, &s, now, commit ? &commit0 : NULL, &r);
	return r.state;
}

static uint8_t sctp(struct ct_table *t, const struct ct_tuple *tp, struct sctp_pkt p, bool commit)
{
	return sctp_at(t, tp, p, 0, commit);
}

static uint8_t sctp_state(struct ct_table *t, const struct ct_tuple *tp, uint64_t now)
{
	enum ct_dir d;
	struct ct_conn *c = ct_lookup(t, 0, tp, now, &d);

	assert_non_null(c);
	return c->tcp_state;
}

static const struct sctp_pkt init_a = {CH(INIT), 0, TA, 0};
static const struct sctp_pkt init_ack_b = {CH(INIT_ACK), TA, TB, 0};

/* INIT, INIT_ACK, COOKIE_ECHO (with DATA), COOKIE_ACK. */
static void associate(struct ct_table *t, const struct ct_tuple *a, const struct ct_tuple *b)
{
	assert_int_equal(sctp(t, a, init_a, true), NEW);
	assert_int_equal(sctp_state(t, a, 0), CT_SCTP_COOKIE_WAIT);
	assert_int_equal(sctp(t, b, init_ack_b, false), RPL);
	assert_int_equal(sctp_state(t, a, 0), CT_SCTP_COOKIE_WAIT);
	assert_int_equal(sctp(t, a, (struct sctp_pkt){CH(COOKIE_ECHO) | CH(DATA), TB}, false), EST);
	assert_int_equal(sctp_state(t, a, 0), CT_SCTP_COOKIE_ECHOED);
	assert_int_equal(sctp(t, b, (struct sctp_pkt){CH(COOKIE_ACK) | CH(SACK), TA}, false), RPL);
	assert_int_equal(sctp_state(t, a, 0), CT_SCTP_ESTABLISHED);
}

static void test_sctp_lifecycle(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);
	struct ct_stats st;
	enum ct_dir d;

	associate(t, &a, &b);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(DATA), TB}, false), EST);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(SACK) | CH(DATA), TA}, false), RPL);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(HEARTBEAT), TA}, false), RPL);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(HEARTBEAT_ACK), TB}, false), EST);
	/* Established: 210 s idle. */
	assert_non_null(ct_lookup(t, 0, &a, 210 * HZ - 1, &d));
	assert_null(ct_lookup(t, 0, &a, 210 * HZ, &d));
	/* A closes: SHUTDOWN, SHUTDOWN_ACK, SHUTDOWN_COMPLETE. */
	uint64_t now = 100 * HZ;
	assert_int_equal(sctp_at(t, &a, (struct sctp_pkt){CH(SHUTDOWN), TB}, now, false), EST);
	assert_int_equal(sctp_state(t, &a, now), CT_SCTP_SHUTDOWN_SENT);
	assert_null(ct_lookup(t, 0, &a, now + 3 * HZ, &d)); /* 3 s each closing step */
	assert_int_equal(sctp_at(t, &b, (struct sctp_pkt){CH(SHUTDOWN_ACK), TA}, now + 1, false),
	                 RPL);
	assert_int_equal(sctp_state(t, &a, now), CT_SCTP_SHUTDOWN_ACK_SENT);
	assert_int_equal(
	        sctp_at(t, &a, (struct sctp_pkt){CH(SHUTDOWN_COMPLETE), TB}, now + 2, false), EST);
	assert_int_equal(sctp_state(t, &a, now + 2), CT_SCTP_CLOSED);
	/* Closed: 10 s, then the sweep takes it. */
	assert_non_null(ct_lookup(t, 0, &b, now + 2 + 10 * HZ - 1, &d));
	assert_int_equal(ct_sweep(t, now + 2 + 10 * HZ - 1, 1u << 20), 0);
	assert_int_equal(ct_sweep(t, now + 2 + 10 * HZ, 1u << 20), 1);
	assert_null(ct_lookup(t, 0, &a, now + 2 + 10 * HZ, &d));
	ct_get_stats(t, &st);
	assert_int_equal(st.conns, 0);
	assert_int_equal(st.creations, 1);
	assert_int_equal(st.expirations, 1);
	assert_int_equal(st.invalid, 0);
	ct_destroy(t);
}

/* B closes first; an INIT on the closed association starts a new one. */
static void test_sctp_close_from_reply(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);
	struct ct_stats st;

	associate(t, &a, &b);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(SHUTDOWN) | CH(SACK), TA}, false), RPL);
	assert_int_equal(sctp_state(t, &a, 0), CT_SCTP_SHUTDOWN_RECD);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(SHUTDOWN_ACK), TB}, false), EST);
	assert_int_equal(sctp_state(t, &a, 0), CT_SCTP_SHUTDOWN_ACK_SENT);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(SHUTDOWN_COMPLETE), TA}, false), RPL);
	assert_int_equal(sctp_state(t, &a, 0), CT_SCTP_CLOSED);
	/* A new association on the same ports, opened by B this time. */
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(INIT), 0, 0x77}, true), NEW);
	assert_int_equal(sctp_state(t, &b, 0), CT_SCTP_COOKIE_WAIT);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(INIT_ACK), 0x77, 0x88}, false), RPL);
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, 2);
	assert_int_equal(st.conns, 1);
	assert_int_equal(st.invalid, 0);
	ct_destroy(t);
}

static void test_sctp_abort(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);
	struct ct_tuple c = tup(0x0a000001, 0x0a000002, 5001, 38412, 132), e = rev(c);
	struct ct_tuple f = tup(0x0a000001, 0x0a000002, 5002, 38412, 132);
	enum ct_dir d;

	/* An established association aborted by B, with A's tag. */
	associate(t, &a, &b);
	assert_int_equal(sctp_at(t, &b, (struct sctp_pkt){CH(ABORT), TA}, 50 * HZ, false), RPL);
	assert_int_equal(sctp_state(t, &a, 50 * HZ), CT_SCTP_CLOSED);
	assert_non_null(ct_lookup(t, 0, &a, 60 * HZ - 1, &d));
	assert_null(ct_lookup(t, 0, &a, 60 * HZ, &d));
	/* B refuses an INIT: ABORT with the INIT's tag, T bit clear. */
	assert_int_equal(sctp(t, &c, init_a, true), NEW);
	assert_int_equal(sctp(t, &e, (struct sctp_pkt){CH(ABORT), TA}, false), RPL);
	assert_int_equal(sctp_state(t, &c, 0), CT_SCTP_CLOSED);
	/* A gives up before any answer: ABORT with its own tag, T bit set;
	 * with another tag it is invalid. */
	assert_int_equal(sctp(t, &f, init_a, true), NEW);
	assert_int_equal(sctp(t, &f, (struct sctp_pkt){CH(ABORT), TB, 0, CT_SCTP_T}, false), INV);
	assert_int_equal(sctp_state(t, &f, 0), CT_SCTP_COOKIE_WAIT);
	assert_int_equal(sctp(t, &f, (struct sctp_pkt){CH(ABORT), TA, 0, CT_SCTP_T}, false), NEW);
	assert_int_equal(sctp_state(t, &f, 0), CT_SCTP_CLOSED);
	ct_destroy(t);
}

static void test_sctp_wrong_tag(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);
	struct ct_stats st;

	assert_int_equal(sctp(t, &a, init_a, true), NEW);
	/* Before the INIT_ACK, A knows no tag of B's: only INIT or ABORT+T. */
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(DATA), 0}, false), INV);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(COOKIE_ECHO), TB}, false), INV);
	/* An INIT_ACK must carry the INIT's tag, and give a tag. */
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(INIT_ACK), TB, TA}, false), INV);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(INIT_ACK), TA, 0}, false), INV);
	assert_int_equal(sctp(t, &b, init_ack_b, false), RPL);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(COOKIE_ECHO), TB}, false), EST);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(COOKIE_ACK), TA}, false), RPL);
	/* Each direction's tag, not the other's, not 0. */
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(DATA), TA}, false), INV);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(DATA), TB}, false), INV);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(DATA), 0}, false), INV);
	/* An ABORT or SHUTDOWN with a wrong tag closes nothing. */
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(ABORT), 0x1234}, false), INV);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(ABORT), TB}, false), INV);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(SHUTDOWN), TA}, false), INV);
	/* An INIT carries tag 0 and travels alone. */
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(INIT), TB, TA}, false), INV);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(INIT) | CH(DATA), 0, TA}, false), INV);
	assert_int_equal(sctp_state(t, &a, 0), CT_SCTP_ESTABLISHED);
	ct_get_stats(t, &st);
	assert_int_equal(st.invalid, 12);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(DATA), TB}, false), EST);
	ct_destroy(t);
}

/* A restart: an INIT on the established association changes no tag until
 * the INIT_ACK carrying its tag answers; then the new tags rule. */
static void test_sctp_restart(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);

	associate(t, &a, &b);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(INIT), 0, 0x5a}, false), EST);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(DATA), TA}, false), RPL);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(INIT_ACK), 0x5a, 0x5b}, false), RPL);
	assert_int_equal(sctp(t, &a, (struct sctp_pkt){CH(COOKIE_ECHO), 0x5b}, false), EST);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(COOKIE_ACK), 0x5a}, false), RPL);
	assert_int_equal(sctp(t, &b, (struct sctp_pkt){CH(DATA), TA}, false), INV);
	assert_int_equal(sctp_state(t, &a, 0), CT_SCTP_ESTABLISHED);
	ct_destroy(t);
}

/* Only an INIT, alone, with tag 0 and an Initiate Tag, opens one. */
static void test_sctp_first_not_init(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132);
	const struct sctp_pkt bad[] = {
	        {CH(DATA), TB},
	        {CH(INIT_ACK), TA, TB},
	        {CH(COOKIE_ECHO), TB},
	        {CH(COOKIE_ACK), TB},
	        {CH(ABORT), TB},
	        {CH(ABORT), TB, 0, CT_SCTP_T},
	        {CH(SHUTDOWN_ACK), TB},
	        {CH(SHUTDOWN_COMPLETE), TB},
	        {CH(HEARTBEAT), TB},
	        {CH(INIT), TB, TA},
	        {CH(INIT), 0, 0},
	        {CH(INIT) | CH(DATA), 0, TA},
	        {0, 0},
	};
	struct ct_result r;
	struct ct_stats st;
	enum ct_dir d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sctp(t, &a, bad[i], true), INV);
	ct_process(t, 0, &a, NULL, 0, &commit0, &r); /* no SCTP fields at all */
	assert_int_equal(r.state, INV);
	assert_null(ct_lookup(t, 0, &a, 0, &d));
	ct_get_stats(t, &st);
	assert_int_equal(st.creations, 0);
	assert_int_equal(st.invalid, sizeof(bad) / sizeof(bad[0]) + 1);
	/* Not committed: new, nothing stored. */
	assert_int_equal(sctp(t, &a, init_a, false), NEW);
	assert_null(ct_lookup(t, 0, &a, 0, &d));
	ct_destroy(t);
}

/* One chunk header and a zero body in @p p; the padded length. */
static uint32_t chunk(uint8_t *p, uint8_t type, uint8_t flags, uint16_t len)
{
	uint32_t padded = (len + 3u) & ~3u;

	memset(p, 0, padded);
	p[0] = type, p[1] = flags;
	p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len;
	return padded;
}

static void sctp_key(struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->flags = FLOW_F_IP4 | FLOW_F_L4;
	k->nw_proto = 132;
	k->ip_src[0] = 10, k->ip_src[3] = 1;
	k->ip_dst[0] = 10, k->ip_dst[3] = 2;
	k->tp_src = htons(5000);
	k->tp_dst = htons(38412);
}

static void test_packet_sctp(void **state)
{
	(void)state;
	struct ct_table *t = table(16, false);
	struct flow_key k;
	struct ct_tuple tp;
	struct ct_tcp_seg sg;
	struct ct_result r;
	uint8_t l4[128];
	uint32_t n;

	sctp_key(&k);
	/* INIT: tag 0, Initiate Tag 0xaabbccdd. */
	memset(l4, 0, 12);
	n = 12 + chunk(l4 + 12, CT_SCTP_INIT, 0, 20);
	l4[16] = 0xaa, l4[17] = 0xbb, l4[18] = 0xcc, l4[19] = 0xdd;
	assert_int_equal(ct_packet(&k, l4, n, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(tp.proto, 132);
	assert_int_equal(ntohs(tp.dport), 38412);
	assert_int_equal(sg.sctp.vtag, 0);
	assert_int_equal(sg.sctp.init_tag, 0xaabbccdd);
	assert_int_equal(sg.sctp.chunks, CH(INIT));
	ct_process(t, 0, &tp, &sg, 0, &commit0, &r);
	assert_int_equal(r.state, NEW);
	/* An INIT too short for its Initiate Tag, or bundled. */
	n = 12 + chunk(l4 + 12, CT_SCTP_INIT, 0, 16);
	assert_int_equal(ct_packet(&k, l4, n, &tp, &sg), CT_PKT_INVALID);
	n = 12 + chunk(l4 + 12, CT_SCTP_INIT, 0, 20);
	n += chunk(l4 + n, CT_SCTP_DATA, 3, 17);
	assert_int_equal(ct_packet(&k, l4, n, &tp, &sg), CT_PKT_INVALID);

	/* COOKIE_ECHO (7 bytes, padded), an I-DATA (64), DATA (17 bytes,
	 * padded): the tag and the chunk types. */
	l4[4] = 0x01, l4[5] = 0x02, l4[6] = 0x03, l4[7] = 0x04;
	n = 12 + chunk(l4 + 12, CT_SCTP_COOKIE_ECHO, 0, 7);
	n += chunk(l4 + n, 64, 0, 20);
	n += chunk(l4 + n, CT_SCTP_DATA, 3, 17);
	assert_int_equal(n, 60);
	assert_int_equal(ct_packet(&k, l4, n, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(sg.sctp.vtag, 0x01020304);
	assert_int_equal(sg.sctp.chunks, CH(COOKIE_ECHO) | CH(DATA) | CH(OTHER));
	assert_int_equal(sg.sctp.flags, 0);
	/* The last chunk without its padding is still whole. */
	assert_int_equal(ct_packet(&k, l4, n - 3, &tp, &sg), CT_PKT_CONN);
	/* A chunk cut short: invalid, unless the packet is a first fragment. */
	assert_int_equal(ct_packet(&k, l4, n - 4, &tp, &sg), CT_PKT_INVALID);
	k.nw_frag = FLOW_FRAG_ANY;
	assert_int_equal(ct_packet(&k, l4, n - 4, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(sg.sctp.chunks, CH(COOKIE_ECHO) | CH(DATA) | CH(OTHER));
	k.nw_frag = 0;
	/* Less than a chunk header after the last chunk, a chunk length under
	 * 4, no chunk, no common header. */
	assert_int_equal(ct_packet(&k, l4, 12 + 8 + 2, &tp, &sg), CT_PKT_INVALID);
	chunk(l4 + 12, CT_SCTP_DATA, 0, 2);
	assert_int_equal(ct_packet(&k, l4, 16, &tp, &sg), CT_PKT_INVALID);
	assert_int_equal(ct_packet(&k, l4, 12, &tp, &sg), CT_PKT_INVALID);
	assert_int_equal(ct_packet(&k, l4, 8, &tp, &sg), CT_PKT_INVALID);
	/* ABORT with its T bit. */
	n = 12 + chunk(l4 + 12, CT_SCTP_ABORT, 1, 4);
	assert_int_equal(ct_packet(&k, l4, n, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(sg.sctp.chunks, CH(ABORT));
	assert_int_equal(sg.sctp.flags, CT_SCTP_T);
	/* Trace: no bytes, the tuple alone. */
	assert_int_equal(ct_packet(&k, NULL, 0, &tp, &sg), CT_PKT_CONN);
	assert_int_equal(sg.sctp.chunks, 0);
	ct_destroy(t);
}

/* Timeouts come from the configuration, per state. */
static void test_sctp_timeouts(void **state)
{
	(void)state;
	struct ct_config cfg = {.max_conns = 16, .hz = HZ};
	struct ct_tuple a = tup(0x0a000001, 0x0a000002, 5000, 38412, 132), b = rev(a);
	struct ct_table *t;
	enum ct_dir d;

	cfg.to.sctp_cookie_wait = 7;
	cfg.to.sctp_established = 1000;
	t = ct_create(&cfg);
	assert_non_null(t);
	assert_int_equal(sctp(t, &a, init_a, true), NEW);
	assert_non_null(ct_lookup(t, 0, &a, 7 * HZ - 1, &d));
	assert_null(ct_lookup(t, 0, &a, 7 * HZ, &d));
	ct_destroy(t);

	t = ct_create(&cfg);
	associate(t, &a, &b);
	assert_non_null(ct_lookup(t, 0, &a, 1000 * HZ - 1, &d));
	assert_null(ct_lookup(t, 0, &a, 1000 * HZ, &d));
	ct_destroy(t);
}

int ct_sctp_tests(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sctp_lifecycle), cmocka_unit_test(test_sctp_close_from_reply),
	        cmocka_unit_test(test_sctp_abort),     cmocka_unit_test(test_sctp_wrong_tag),
	        cmocka_unit_test(test_sctp_restart),   cmocka_unit_test(test_sctp_first_not_init),
	        cmocka_unit_test(test_packet_sctp),    cmocka_unit_test(test_sctp_timeouts),
	};

	return cmocka_run_group_tests_name("sctp", tests, NULL, NULL);
}
