/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the connection tracker (dataplane/conntrack/). The
 * tracker is stateful, so one input is a sequence of packets (records,
 * fuzz_ct.h), run through a fresh table of FUZZ_CT_MAX_CONNS connections
 * on a fake clock that only moves forward, as the pipeline runs them
 * (dataplane/pipeline/conntrack.c): parse, ct_packet(), then ct_process(),
 * ct_related() or ct_frag_follow(), a first fragment noted after; a
 * packet of a connection first tries a hint, as a cache hit does. Every
 * few records the table is swept and what was unlinked is reclaimed (one
 * thread: a grace period is immediate), so freed connections are reused.
 *
 * The harness keeps a shadow of every linked connection (its tuples, zone,
 * NAT, whether a valid reply was seen, its TCP state) and of every first
 * fragment noted, and aborts when the tracker breaks a promise:
 *   - a result is TRK plus INV alone, or exactly one of NEW/EST/REL; RPL
 *     only with a connection (or REL, or a followed fragment); NAT bits
 *     as the connection's;
 *   - a result's connection is found by ct_lookup() of the packet's tuple
 *     in its zone, in the result's direction; EST exactly when a valid
 *     reply-direction packet was seen; mark and label its own; an ICMP
 *     error's connection is the quoted tuple's, in the other direction;
 *   - a new connection: its reply tuple is its original reversed, after
 *     the commit's translation; TCP only from a segment that may open one;
 *   - a connection's tuples never change while linked; its TCP state only
 *     moves forward; an invalid segment leaves it untouched;
 *   - a connection is unlinked only once expired, or by a SYN reusing its
 *     port after it closed, or by ct_flush(); stats count each creation,
 *     refusal and unlink, conns never exceeds max_conns;
 *   - ct_walk() visits exactly the linked connections not yet expired, and
 *     each of their two keys finds that connection (a tuple has at most
 *     one live connection per zone, ct.h);
 *   - a followed fragment gets its datagram's last first fragment's
 *     result, within the timeout;
 *   - at the end, ct_flush() empties the table, and every connection
 *     created comes back to the pool by ct_reclaim().
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/conntrack/ct.h"
#include "dataplane/parse/parse.h"
#include "tests/fuzz/fuzz_ct.h"

/* Which check failed, then a crash for the driver or libFuzzer. */
#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

#define HZ            1000
#define FRAG_TIMEOUT  5 /* ct_frags_create()'s default, seconds */
#define TIMEOUT_MAX   60
#define REC_MAX       1024
#define SWEEP_EVERY   4
#define SWEEP_BUCKETS 16
#define RECLAIM_EVERY 8

struct fuzz_ct_counts fuzz_ct;

/* Clock steps, in ticks; the last is past every timeout. */
static const uint64_t steps[FUZZ_CT_ADVANCE_MAX + 1] = {
        0, 0, 0, 10, 1 * HZ, 3 * HZ, 10 * HZ, 100 * HZ,
};

/* Short timeouts, so that a few steps expire connections: tcp syn,
 * established, closing, fin-wait, closed; udp first, multiple, replied;
 * icmp first, reply; other first, replied (struct ct_timeouts). */
static const struct ct_timeouts timeouts = {5, TIMEOUT_MAX, 20, 10, 3, 4, 6, 12, 4, 3, 4, 3};

/* NAT targets: the seeds' addresses (pkt_build.h) and two more. */
static const uint8_t nat_addr4[4][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 3}, {10, 0, 0, 4}};
static const uint8_t nat_addr6_last[4] = {0x0a, 0x0b, 0x0c, 0x0d}; /* fd00::X */
static const uint16_t nat_ports[4] = {0, 80, 8080, 53};            /* host order */

struct shadow {
	struct ct_conn *c;
	struct ct_tuple tuple[2];
	uint16_t zone;
	uint8_t nat, tcp_state;
	bool replied;
};

struct note {
	struct ct_frag_key k;
	struct ct_result r;
	uint64_t at;
};

static struct run {
	struct ct_table *t;
	struct ct_frags *f;
	uint64_t now;
	struct shadow sh[FUZZ_CT_MAX_CONNS];
	unsigned n_sh;
	struct note notes[REC_MAX];
	unsigned n_notes;
	unsigned long followed, unfollowed;
	uint64_t reclaimed;
	struct ct_hint hints[4]; /* as cache entries keep them, a few tuples each */
} run;

static bool verbose;

static bool is_dead(const struct ct_conn *c)
{
	return (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CT_F_DEAD) != 0;
}

static bool is_expired(const struct ct_conn *c, uint64_t now)
{
	return now >= __atomic_load_n(&c->expiry, __ATOMIC_RELAXED);
}

static bool tuple_eq(const struct ct_tuple *a, const struct ct_tuple *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct shadow *shadow_of(const struct ct_conn *c)
{
	for (unsigned i = 0; i < run.n_sh; i++)
		if (run.sh[i].c == c)
			return &run.sh[i];
	return NULL;
}

/*
 * Forget the connections unlinked since the last call: each must have
 * expired, or be @p forced (NULL: none), or @p any goes. @return how many.
 */
static unsigned prune(const struct ct_conn *forced, bool any)
{
	unsigned n = 0;

	for (unsigned i = 0; i < run.n_sh;) {
		struct ct_conn *c = run.sh[i].c;

		if (!is_dead(c)) {
			i++;
			continue;
		}
		CHECK(any || c == forced || is_expired(c, run.now));
		run.sh[i] = run.sh[--run.n_sh];
		n++;
	}
	return n;
}

/* What every result promises, whatever gave it. */
static void check_state(const struct ct_result *res, bool followed)
{
	uint8_t s = res->state, kind = s & (CT_CS_NEW | CT_CS_EST | CT_CS_REL);

	CHECK(s & CT_CS_TRK);
	if (s & CT_CS_INV) {
		CHECK(s == (CT_CS_TRK | CT_CS_INV));
		CHECK(res->conn == NULL && res->nat == 0);
		return;
	}
	CHECK(kind == CT_CS_NEW || kind == CT_CS_EST || kind == CT_CS_REL);
	if (s & CT_CS_RPL)
		CHECK(res->conn != NULL || kind == CT_CS_REL || followed);
	if (followed)
		CHECK(res->conn == NULL);
	CHECK((res->nat & ~(CT_NAT_DST | CT_NAT_SRC)) == 0);
	CHECK(!(s & CT_CS_DNAT) == !(res->nat & CT_NAT_DST));
	CHECK(!(s & CT_CS_SNAT) == !(res->nat & CT_NAT_SRC));
	/* A related result translates only a quote of a translated packet. */
	CHECK(kind != CT_CS_REL || res->nat == 0 || (res->conn && res->nat == res->conn->nat));
}

/* What a connection's shadow says of it, and what only grows. */
static void check_conn(struct shadow *sh)
{
	const struct ct_conn *c = sh->c;

	CHECK(!is_dead(c));
	CHECK(c->zone == sh->zone && c->nat == sh->nat);
	CHECK(tuple_eq(&c->tuple[0], &sh->tuple[0]) && tuple_eq(&c->tuple[1], &sh->tuple[1]));
	CHECK(!(c->flags & CT_F_REPLIED) == !sh->replied);
	if (c->tuple[0].proto == IPPROTO_TCP_) {
		CHECK(c->tcp_state != CT_TCP_NONE && c->tcp_state <= CT_TCP_CLOSE);
		CHECK(c->tcp_state >= sh->tcp_state);
		if (c->tcp_state > CT_TCP_ESTABLISHED && sh->tcp_state <= CT_TCP_ESTABLISHED)
			fuzz_ct.tcp_closing++;
		if (c->tcp_state == CT_TCP_CLOSE && sh->tcp_state != CT_TCP_CLOSE)
			fuzz_ct.tcp_closed++;
		sh->tcp_state = c->tcp_state;
	} else {
		CHECK(c->tcp_state == CT_TCP_NONE);
	}
}

/* A result that names a connection, from ct_process() or ct_peek(). */
static void check_conn_result(uint16_t zone, const struct ct_tuple *tp, const struct ct_result *res)
{
	struct ct_conn *c = res->conn, *found;
	struct shadow *sh = shadow_of(c);
	struct ct_tuple back;
	enum ct_dir dir;

	CHECK(sh != NULL);
	CHECK(res->dir <= CT_DIR_REPLY);
	CHECK(c->zone == zone && tuple_eq(&c->tuple[res->dir], tp));
	found = ct_lookup(run.t, zone, tp, run.now, &dir);
	CHECK(found == c && dir == res->dir);
	CHECK(!(res->state & CT_CS_RPL) == (res->dir == CT_DIR_ORIG));
	CHECK(!(res->state & CT_CS_EST) == !(c->flags & CT_F_REPLIED));
	CHECK(res->nat == c->nat);
	if (res->nat) {
		ct_tuple_reverse(&res->rw, &back);
		CHECK(tuple_eq(&back, &c->tuple[!res->dir]));
	}
	CHECK(res->mark == c->mark && memcmp(res->label, c->label, 16) == 0);
	CHECK(!is_expired(c, run.now) && c->expiry <= run.now + (uint64_t)TIMEOUT_MAX * HZ);
	check_conn(sh);
}

/* The reply tuple a commit gives a new connection for @p tp (ct.h). */
static void expected_reply(const struct ct_tuple *tp, const struct ct_commit *cm,
                           struct ct_tuple *r)
{
	struct ct_tuple x = *tp;

	if (cm->nat) {
		bool dst = cm->nat & CT_NAT_DST;

		memcpy(dst ? x.dst : x.src, cm->nat_addr, 16);
		bool icmp = tp->proto == IPPROTO_ICMP_ || tp->proto == IPPROTO_ICMPV6_;

		/* An echo's identifier is its port for SNAT only. */
		if (cm->nat_port && (!icmp || !dst))
			*(dst ? &x.dport : &x.sport) = cm->nat_port;
	}
	ct_tuple_reverse(&x, r);
}

static void check_created(uint16_t zone, const struct ct_tuple *tp, const struct ct_tcp_seg *seg,
                          const struct ct_commit *cm, const struct ct_result *res)
{
	struct ct_conn *c = res->conn;
	struct ct_tuple reply;

	CHECK(cm != NULL && c != NULL && shadow_of(c) == NULL);
	CHECK(run.n_sh < FUZZ_CT_MAX_CONNS);
	CHECK(res->dir == CT_DIR_ORIG && (res->state & CT_CS_NEW));
	CHECK(!(c->flags & CT_F_REPLIED) && c->zone == zone && tuple_eq(&c->tuple[0], tp));
	expected_reply(tp, cm, &reply);
	CHECK(tuple_eq(&c->tuple[1], &reply));
	CHECK(c->nat == (!cm->nat ? 0 : (cm->nat & CT_NAT_DST) ? CT_NAT_DST : CT_NAT_SRC));
	if (tp->proto == IPPROTO_TCP_) {
		uint8_t f = seg->flags;

		CHECK(!(f & CT_TCP_RST) && (f & (CT_TCP_SYN | CT_TCP_ACK | CT_TCP_FIN)));
		CHECK(!((f & CT_TCP_SYN) && (f & (CT_TCP_ACK | CT_TCP_FIN))));
		CHECK(c->tcp_state == ((f & CT_TCP_SYN) ? CT_TCP_SYN_SENT : CT_TCP_ESTABLISHED));
		CHECK(!(c->flags & CT_F_LIBERAL) == !!(f & CT_TCP_SYN));
	} else if (tp->proto == IPPROTO_ICMP_ || tp->proto == IPPROTO_ICMPV6_) {
		uint8_t type = ((const uint8_t *)&tp->dport)[1];

		CHECK(type == (tp->proto == IPPROTO_ICMP_ ? 8 : 128));
	}
	run.sh[run.n_sh++] =
	        (struct shadow){c, {c->tuple[0], c->tuple[1]}, zone, c->nat, c->tcp_state, false};
}

/* Whether what a packet may change of a connection is as it was. */
static bool same_state(const struct ct_conn *a, const struct ct_conn *b)
{
	return a->flags == b->flags && a->tcp_state == b->tcp_state && a->mark == b->mark &&
	       a->expiry == b->expiry && memcmp(a->label, b->label, 16) == 0 &&
	       memcmp(a->peer, b->peer, sizeof(a->peer)) == 0;
}

static void track(uint16_t zone, const struct ct_tuple *tp, const struct ct_tcp_seg *seg,
                  const struct ct_commit *cm, struct ct_result *res)
{
	bool tcp = tp->proto == IPPROTO_TCP_, reopen;
	struct ct_stats st0, st1, st2;
	struct ct_conn before;
	struct ct_result peek;
	struct ct_conn *c0;
	enum ct_dir d0 = CT_DIR_ORIG;
	unsigned unlinked;

	c0 = ct_lookup(run.t, zone, tp, run.now, &d0);
	ct_get_stats(run.t, &st0);
	ct_peek(run.t, zone, tp, run.now, &peek);
	ct_get_stats(run.t, &st1);
	CHECK(memcmp(&st0, &st1, sizeof(st0)) == 0);
	check_state(&peek, false);
	CHECK(peek.conn == c0 && (peek.state & (CT_CS_NEW | CT_CS_EST)));
	if (c0) {
		check_conn_result(zone, tp, &peek);
		before = *c0;
	}
	reopen = c0 && tcp && d0 == CT_DIR_ORIG &&
	         (seg->flags & (CT_TCP_SYN | CT_TCP_ACK | CT_TCP_RST)) == CT_TCP_SYN &&
	         c0->tcp_state >= CT_TCP_TIME_WAIT;

	/* Through a hint first, as a cache hit: what it finds must be what
	 * the lookup would (checked below like any result). */
	struct ct_hint *h = &run.hints[(zone ^ tp->sport ^ tp->proto) & 3];
	if (ct_process_hint(run.t, h, zone, tp, tcp ? seg : NULL, run.now, cm, res)) {
		CHECK(c0 != NULL && !reopen);
		/* Its connection, or an invalid segment of it (no connection). */
		CHECK(res->conn == c0 ||
		      (res->conn == NULL && res->state == (CT_CS_TRK | CT_CS_INV)));
		fuzz_ct.hinted++;
	} else {
		ct_process(run.t, zone, tp, tcp ? seg : NULL, run.now, cm, res);
		ct_hint_learn(run.t, h, res);
	}
	ct_get_stats(run.t, &st2);
	check_state(res, false);
	unlinked = prune(reopen ? c0 : NULL, false);
	CHECK(st2.expirations - st1.expirations == unlinked);
	CHECK(st2.creations - st1.creations <= 1 && st2.refusals - st1.refusals <= 1);
	CHECK(st2.conns == st1.conns + (st2.creations - st1.creations) - unlinked);
	fuzz_ct.reopened += reopen && is_dead(c0);
	if (st2.refusals != st1.refusals)
		CHECK(cm != NULL && res->state == (CT_CS_TRK | CT_CS_INV) &&
		      st2.creations == st1.creations);
	if (st2.creations != st1.creations) {
		CHECK(c0 == NULL || (reopen && is_dead(c0)));
		check_created(zone, tp, seg, cm, res);
	} else if (res->conn) {
		CHECK(res->conn == c0);
	}
	if (res->conn) {
		if (res->dir == CT_DIR_REPLY)
			shadow_of(res->conn)->replied = true;
		check_conn_result(zone, tp, res);
		CHECK(!cm || ((res->mark ^ cm->mark) & cm->mark_mask) == 0);
		if (res->conn == c0 && peek.conn == c0) {
			uint8_t k = CT_CS_NEW | CT_CS_EST;

			CHECK((res->state & ~k) == (peek.state & ~k));
			CHECK(!(peek.state & CT_CS_EST) || (res->state & CT_CS_EST));
		}
	} else if (!(res->state & CT_CS_INV)) {
		/* Tracked, not stored: only without a commit. */
		CHECK(cm == NULL && res->state == (CT_CS_TRK | CT_CS_NEW));
		CHECK(c0 == NULL || (reopen && is_dead(c0)));
	}
	if ((res->state & CT_CS_INV) && c0 && !is_dead(c0)) {
		/* "An out-of-window segment ... leaves the connection
		 * untouched" (ct_tcp.c), and so does any invalid packet. */
		CHECK(same_state(&before, c0));
	}
}

static void related(uint16_t zone, const struct ct_tuple *quoted, struct ct_result *res)
{
	struct ct_stats st0, st1;
	struct ct_conn *c;
	struct ct_tuple r;
	enum ct_dir qdir = CT_DIR_ORIG, edir = CT_DIR_ORIG;
	bool translated = false;

	ct_get_stats(run.t, &st0);
	c = ct_lookup(run.t, zone, quoted, run.now, &qdir);
	if (c == NULL) {
		/* A quote of a translated packet: its reverse is a key. */
		ct_tuple_reverse(quoted, &r);
		c = ct_lookup(run.t, zone, &r, run.now, &edir);
		qdir = (enum ct_dir) !edir;
		translated = c != NULL && c->nat != 0;
	}
	ct_related(run.t, zone, quoted, run.now, res);
	ct_get_stats(run.t, &st1);
	check_state(res, false);
	CHECK(st1.invalid - st0.invalid == !c);
	st1.invalid = st0.invalid;
	CHECK(memcmp(&st0, &st1, sizeof(st0)) == 0);
	if (!c) {
		CHECK(res->state == (CT_CS_TRK | CT_CS_INV));
		return;
	}
	CHECK(res->conn == c && res->dir == !qdir);
	uint8_t nat_bits = !translated ? 0
	                               : ((c->nat & CT_NAT_DST) ? CT_CS_DNAT : 0) |
	                                         ((c->nat & CT_NAT_SRC) ? CT_CS_SNAT : 0);
	CHECK(res->state ==
	      (CT_CS_TRK | CT_CS_REL | (res->dir == CT_DIR_REPLY ? CT_CS_RPL : 0) | nat_bits));
	CHECK(res->nat == (translated ? c->nat : 0));
	/* Translated: the quote put back is the packet its sender sent. */
	if (translated)
		CHECK(memcmp(&res->rw, &c->tuple[qdir], sizeof(res->rw)) == 0);
	CHECK(res->mark == c->mark && memcmp(res->label, c->label, 16) == 0);
	CHECK(shadow_of(c) != NULL);
	check_conn(shadow_of(c));
}

static void follow(const struct ct_frag_key *fk, struct ct_result *res)
{
	const struct note *last = NULL;
	bool ok;

	for (unsigned i = run.n_notes; i-- > 0 && !last;)
		if (memcmp(&run.notes[i].k, fk, sizeof(*fk)) == 0)
			last = &run.notes[i];
	ok = ct_frag_follow(run.f, fk, run.now, res);
	if (!ok) {
		/* The newest note, still fresh, is never lost. */
		CHECK(!(last && last == &run.notes[run.n_notes - 1] &&
		        run.now < last->at + (uint64_t)FRAG_TIMEOUT * HZ));
		run.unfollowed++;
		ct_note_invalid(run.t, res);
		check_state(res, false);
		return;
	}
	run.followed++;
	CHECK(last != NULL && run.now < last->at + (uint64_t)FRAG_TIMEOUT * HZ);
	CHECK(res->state == last->r.state && res->dir == last->r.dir && res->nat == last->r.nat);
	CHECK(res->mark == last->r.mark && memcmp(res->label, last->r.label, 16) == 0);
	CHECK(res->conn == NULL && tuple_eq(&res->rw, &last->r.rw));
	check_state(res, true);
}

/* After each record: the shadow is the table. */
struct walk_arg {
	unsigned visited;
	uint64_t seen; /* shadow entries visited, by index */
};

static bool walk_one(struct ct_conn *c, void *aux)
{
	struct walk_arg *a = aux;
	struct shadow *sh = shadow_of(c);
	enum ct_dir dir;
	bool self;

	CHECK(sh != NULL);
	CHECK(!(a->seen & (1ull << (sh - run.sh))));
	a->seen |= 1ull << (sh - run.sh);
	a->visited++;
	CHECK(!is_expired(c, run.now));
	check_conn(sh);
	self = tuple_eq(&c->tuple[0], &c->tuple[1]);
	CHECK(ct_lookup(run.t, c->zone, &c->tuple[0], run.now, &dir) == c && dir == CT_DIR_ORIG);
	CHECK(ct_lookup(run.t, c->zone, &c->tuple[1], run.now, &dir) == c &&
	      dir == (self ? CT_DIR_ORIG : CT_DIR_REPLY));
	return true;
}

static void check_table(void)
{
	struct walk_arg a = {0, 0};
	struct ct_stats st;
	unsigned live = 0;

	CHECK(prune(NULL, false) == 0);
	ct_get_stats(run.t, &st);
	CHECK(st.conns == run.n_sh && st.conns <= FUZZ_CT_MAX_CONNS);
	for (unsigned i = 0; i < run.n_sh; i++)
		live += !is_expired(run.sh[i].c, run.now);
	CHECK(ct_walk(run.t, run.now, walk_one, &a) == a.visited);
	CHECK(a.visited == live);
}

static void sweep_and_reclaim(unsigned rec)
{
	struct ct_stats st0, st1;

	if (rec % SWEEP_EVERY == 0) {
		unsigned n;

		ct_get_stats(run.t, &st0);
		n = ct_sweep(run.t, run.now, SWEEP_BUCKETS);
		ct_get_stats(run.t, &st1);
		CHECK(prune(NULL, false) == n && st1.expirations - st0.expirations == n);
	}
	if (rec % RECLAIM_EVERY == 0) {
		run.reclaimed += ct_reclaim(run.t, ct_reclaim_token(run.t));
		ct_get_stats(run.t, &st1);
		/* One thread: everything unlinked so far is back in the pool. */
		CHECK(run.reclaimed == st1.expirations);
	}
}

static void record(const uint8_t *hdr, const uint8_t *frame, uint32_t len)
{
	uint16_t zone = (uint16_t)(1 + (hdr[0] & 3));
	struct flow_offsets ofs;
	struct ct_commit cm;
	struct ct_frag_key fk;
	struct ct_result res;
	struct ct_tcp_seg seg;
	struct ct_tuple tp;
	struct flow_key k;
	enum ct_pkt_kind kind;
	uint32_t ip_end, l3_len = 0, l4_len = 0;
	const uint8_t *l4 = NULL;
	bool first_frag = false;
	uint8_t *buf;

	memset(&tp, 0, sizeof(tp));
	memset(&res, 0, sizeof(res));
	run.now += steps[hdr[0] >> 5];
	fuzz_ct.records++;
	/* A buffer of exactly the frame, for AddressSanitizer. */
	buf = malloc(len ? len : 1);
	if (!buf)
		return;
	memcpy(buf, frame, len);
	if (parse_packet(buf, len, 0, &k, &ofs, NULL) != DROP_NONE ||
	    !(k.flags & (FLOW_F_IP4 | FLOW_F_IP6))) {
		fuzz_ct.not_ip++;
		free(buf);
		return;
	}

	/* IP payload from the length fields, cut at the frame (process.c). */
	const uint8_t *l3 = buf + ofs.l3;
	ip_end = (k.flags & FLOW_F_IP4) ? ofs.l3 + ((uint32_t)l3[2] << 8 | l3[3])
	                                : ofs.l3 + 40u + ((uint32_t)l3[4] << 8 | l3[5]);
	if (ip_end > len)
		ip_end = len;
	l3_len = ip_end > ofs.l3 ? ip_end - ofs.l3 : 0;
	if (ofs.l4) {
		l4 = buf + ofs.l4;
		l4_len = ip_end > ofs.l4 ? ip_end - ofs.l4 : 0;
	}

	kind = ct_packet(&k, l4, l4_len, &tp, &seg);
	if (k.nw_frag & FLOW_FRAG_ANY) {
		bool ok = ct_frag_key_of(&k, l3, l3_len, &fk) == 0;

		if (kind == CT_PKT_FRAG && !ok)
			kind = CT_PKT_INVALID;
		first_frag = ok && kind != CT_PKT_FRAG;
		fk.zone = zone;
	}

	memset(&cm, 0, sizeof(cm));
	cm.mark = hdr[1] >> 4;
	cm.mark_mask = 0xf;
	cm.label[0] = hdr[1] >> 4;
	cm.label_mask[0] = 0xf;
	if ((hdr[0] & FUZZ_CT_COMMIT) && (hdr[0] & FUZZ_CT_NAT)) {
		cm.nat = (hdr[0] & FUZZ_CT_SNAT) ? CT_NAT_SRC : CT_NAT_DST;
		if (tp.ip6) {
			cm.nat_addr[0] = 0xfd;
			cm.nat_addr[15] = nat_addr6_last[hdr[1] & 3];
		} else {
			memcpy(cm.nat_addr, nat_addr4[hdr[1] & 3], 4);
		}
		cm.nat_port = htons(nat_ports[(hdr[1] >> 2) & 3]);
	}

	switch (kind) {
	case CT_PKT_INVALID:
		ct_note_invalid(run.t, &res);
		check_state(&res, false);
		break;
	case CT_PKT_FRAG:
		follow(&fk, &res);
		break;
	case CT_PKT_RELATED:
		related(zone, &tp, &res);
		break;
	case CT_PKT_CONN:
		track(zone, &tp, &seg, (hdr[0] & FUZZ_CT_COMMIT) ? &cm : NULL, &res);
		if (first_frag && run.n_notes < REC_MAX) {
			ct_frag_note(run.f, &fk, &res, run.now);
			run.notes[run.n_notes++] = (struct note){.k = fk, .r = res, .at = run.now};
		}
		break;
	default:
		CHECK(0);
	}
	fuzz_ct.new_ += !!(res.state & CT_CS_NEW);
	fuzz_ct.est += !!(res.state & CT_CS_EST);
	fuzz_ct.rel += !!(res.state & CT_CS_REL);
	fuzz_ct.inv += !!(res.state & CT_CS_INV);
	fuzz_ct.rpl += !!(res.state & CT_CS_RPL);
	fuzz_ct.nat += res.nat != 0;
	if (verbose)
		fprintf(stderr, "  zone %u kind %d proto %u state 0x%02x dir %u nat %u%s\n", zone,
		        (int)kind, tp.proto, res.state, res.dir, res.nat, res.conn ? " conn" : "");
	free(buf);
}

static void finish(void)
{
	struct ct_frag_stats fs;
	struct ct_stats st0, st1;

	ct_get_stats(run.t, &st0);
	CHECK(ct_flush(run.t, -1, NULL, run.now) == st0.conns);
	prune(NULL, true);
	ct_get_stats(run.t, &st1);
	CHECK(run.n_sh == 0 && st1.conns == 0 && st1.expirations == st1.creations);
	CHECK(ct_walk(run.t, run.now, walk_one, &(struct walk_arg){0, 0}) == 0);
	run.reclaimed += ct_reclaim(run.t, ct_reclaim_token(run.t));
	CHECK(run.reclaimed == st1.creations);
	ct_frags_stats(run.f, &fs);
	CHECK(fs.first == run.n_notes && fs.followed == run.followed &&
	      fs.unfollowed == run.unfollowed);

	fuzz_ct.creations += st1.creations;
	fuzz_ct.refusals += st1.refusals;
	fuzz_ct.expirations += st0.expirations;
	fuzz_ct.reclaimed += run.reclaimed;
	fuzz_ct.frag_first += fs.first;
	fuzz_ct.frag_followed += fs.followed;
	fuzz_ct.frag_unfollowed += fs.unfollowed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_config cfg = {.max_conns = FUZZ_CT_MAX_CONNS, .hz = HZ, .to = timeouts};
	unsigned rec = 0;

	verbose = getenv("FUZZ_CT_VERBOSE") != NULL;
	run.n_sh = run.n_notes = 0;
	run.followed = run.unfollowed = run.reclaimed = 0;
	run.now = 1;
	memset(run.hints, 0, sizeof(run.hints));
	run.t = ct_create(&cfg);
	run.f = ct_frags_create(16, 0, HZ);
	CHECK(run.t != NULL && run.f != NULL);
	fuzz_ct.inputs++;

	while (size >= FUZZ_CT_HDR && rec < REC_MAX) {
		uint32_t len =
		        data[2] < size - FUZZ_CT_HDR ? data[2] : (uint32_t)(size - FUZZ_CT_HDR);

		record(data, data + FUZZ_CT_HDR, len);
		check_table();
		sweep_and_reclaim(++rec);
		data += FUZZ_CT_HDR + len;
		size -= FUZZ_CT_HDR + len;
	}
	finish();
	if (verbose)
		fprintf(stderr, "input: %u records\n", rec);
	ct_frags_destroy(run.f);
	ct_destroy(run.t);
	return 0;
}
