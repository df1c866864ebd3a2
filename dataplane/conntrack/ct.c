/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared connection table: keys, locks, the pool and expiry. The
 * scheme is in ct.h; TCP is in ct_tcp.c, SCTP in ct_sctp.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/conntrack/ct.h"
#include "dataplane/conntrack/ct_lock.h"
#include "dataplane/conntrack/ct_mem.h"
#include "dataplane/conntrack/ct_zone.h"

#define CT_BUCKET_SLOTS 8
#define CT_GROUP_SHIFT  6 /* 64 buckets per lock */
#define CT_GROUP        (1u << CT_GROUP_SHIFT)

struct ct_lock {
	uint32_t word;
	uint8_t pad[60]; /* one lock per cache line */
};

struct ct_table {
	uint32_t max_conns;
	bool liberal;
	uint64_t hz;
	struct ct_timeouts to;
	uint32_t bucket_mask;
	uint64_t *slots;                            /* [buckets * CT_BUCKET_SLOTS] */
	struct ct_lock *groups;                     /* [buckets / CT_GROUP] */
	struct ct_conn *conns;                      /* [max_conns] */
	size_t slots_size, groups_size, conns_size; /* bytes (ct_mem_alloc()) */
	struct ct_lock pool;                        /* free list and retire list */
	uint32_t free_head;                         /* index + 1 */
	uint32_t retire_head, retire_tail;
	uint64_t retire_seq;
	uint32_t sweep_cursor;
	struct ct_stats st;     /* updated atomically */
	struct ct_zones *zones; /* per-zone counts and limits (ct_zone.h) */
};

static void count(uint64_t *c, int64_t n)
{
	__atomic_fetch_add(c, (uint64_t)n, __ATOMIC_RELAXED);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint16_t ntohs_(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static uint16_t htons_(uint16_t v)
{
	return ntohs_(v);
}

static uint64_t rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* Four independent multiplies, folded: the part of a key's hash that the
 * zone does not change, so that a packet tracked in several zones pays
 * for it once (ct_process_hashed()). */
uint64_t ct_tuple_hash_base(const struct ct_tuple *tp)
{
	uint64_t w[5];

	memcpy(w, tp, sizeof(w));
	uint64_t a = (w[0] ^ w[4]) * 0x9e3779b97f4a7c15ULL;
	uint64_t b = w[1] * 0xff51afd7ed558ccdULL;
	uint64_t c = (w[2] + 0x2545f4914f6cdd1dULL) * 0xc4ceb9fe1a85ec53ULL;
	uint64_t d = (w[3] ^ rotl(w[4], 32)) * 0x94d049bb133111ebULL;
	return a ^ rotl(b, 17) ^ rotl(c, 31) ^ rotl(d, 47);
}

static uint64_t zone_hash(uint64_t base, uint16_t zone)
{
	return mix(base ^ ((uint64_t)zone << 48));
}

static uint64_t tuple_hash(uint16_t zone, const struct ct_tuple *tp)
{
	return zone_hash(ct_tuple_hash_base(tp), zone);
}

_Static_assert(sizeof(struct ct_tuple) == 40, "ct_tuple hashes as five words");

/* The two candidate buckets of a hash, in one lock group. */
static void buckets_of(const struct ct_table *t, uint64_t h, uint32_t b[2])
{
	b[0] = (uint32_t)h & t->bucket_mask;
	b[1] = (b[0] & ~(CT_GROUP - 1)) | ((uint32_t)(h >> 40) & (CT_GROUP - 1));
	if (b[1] == b[0])
		b[1] = b[0] ^ 1;
}

void ct_prefetch(const struct ct_table *t, uint16_t zone, uint64_t base)
{
	uint64_t h = zone_hash(base, zone);
	uint32_t b[2];

	buckets_of(t, h, b);
	__builtin_prefetch(&t->slots[(size_t)b[0] * CT_BUCKET_SLOTS]);
	__builtin_prefetch(&t->slots[(size_t)b[1] * CT_BUCKET_SLOTS]);
	__builtin_prefetch(&t->groups[b[0] >> CT_GROUP_SHIFT]);
}

static uint64_t slot_value(uint64_t h, uint32_t idx, enum ct_dir dir)
{
	return (h & 0xffffffff00000000ULL) | ((uint64_t)(idx + 1) << 1) | dir;
}

static uint32_t slot_idx(uint64_t v)
{
	return (uint32_t)((v & 0xffffffffULL) >> 1) - 1;
}

static const uint32_t default_to[] = {
        /* What OVS's userspace conntrack uses by default (conntrack-tp). */
        30, 86400, 900, 45, 30, /* tcp: syn, established, closing, fin-wait, closed */
        60, 60, 30,             /* udp: first, multiple, replied */
        60, 30,                 /* icmp: first, reply */
        60, 30,                 /* other: first, replied */
        /* SCTP: OVS's userspace conntrack has no SCTP states; Linux's
         * defaults (nf_conntrack_sctp_timeout_*). */
        10, 3, 3, 210, /* closed, cookie-wait, cookie-echoed, established */
        3, 3, 3,       /* shutdown: sent, recd, ack-sent */
};
_Static_assert(sizeof(default_to) == sizeof(struct ct_timeouts), "one default per timeout");

struct ct_table *ct_create(const struct ct_config *cfg)
{
	struct ct_table *t;
	uint64_t buckets = CT_GROUP;

	if (!cfg || cfg->max_conns == 0 || cfg->max_conns > (1u << 28) || cfg->hz == 0) {
		errno = EINVAL;
		return NULL;
	}
	/* Two keys per connection, buckets at most a quarter full. */
	while (buckets * CT_BUCKET_SLOTS < (uint64_t)cfg->max_conns * 2 * 4)
		buckets <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots_size = buckets * CT_BUCKET_SLOTS * sizeof(uint64_t);
	t->groups_size = buckets / CT_GROUP * sizeof(*t->groups);
	t->conns_size = (size_t)cfg->max_conns * sizeof(*t->conns);
	t->max_conns = cfg->max_conns;
	t->liberal = cfg->tcp_liberal;
	t->hz = cfg->hz;
	t->bucket_mask = (uint32_t)buckets - 1;
	uint32_t *to = (uint32_t *)&t->to;
	const uint32_t *in = (const uint32_t *)&cfg->to;
	for (size_t i = 0; i < sizeof(t->to) / sizeof(uint32_t); i++)
		to[i] = in[i] ? in[i] : default_to[i];
	t->slots = ct_mem_alloc(t->slots_size);
	t->groups = ct_mem_alloc(t->groups_size);
	t->conns = ct_mem_alloc(t->conns_size);
	t->zones = calloc(1, sizeof(*t->zones));
	if (!t->slots || !t->groups || !t->conns || !t->zones) {
		ct_destroy(t);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < cfg->max_conns; i++) {
		t->conns[i].next = i + 2 <= cfg->max_conns ? i + 2 : 0;
		t->conns[i].flags = CT_F_DEAD; /* a hint to a free one fails */
	}
	t->free_head = 1;
	return t;
}

void ct_destroy(struct ct_table *t)
{
	if (!t)
		return;
	ct_mem_free(t->slots, t->slots_size);
	ct_mem_free(t->groups, t->groups_size);
	ct_mem_free(t->conns, t->conns_size);
	free(t->zones);
	free(t);
}

/* ICMP echo types, request <-> reply. */
static uint8_t echo_reverse(uint8_t type)
{
	switch (type) {
	case 8:
		return 0;
	case 0:
		return 8;
	case 128:
		return 129;
	case 129:
		return 128;
	}
	return type;
}

static bool is_icmp(const struct ct_tuple *t)
{
	return t->proto == IPPROTO_ICMP_ || t->proto == IPPROTO_ICMPV6_;
}

static uint8_t icmp_type(const struct ct_tuple *t)
{
	return ((const uint8_t *)&t->dport)[1];
}

void ct_tuple_reverse(const struct ct_tuple *t, struct ct_tuple *r)
{
	struct ct_tuple x = *t;

	memcpy(x.src, t->dst, 16);
	memcpy(x.dst, t->src, 16);
	if (is_icmp(t)) {
		((uint8_t *)&x.dport)[1] = echo_reverse(icmp_type(t));
	} else {
		x.sport = t->dport;
		x.dport = t->sport;
	}
	*r = x;
}

static bool expired(const struct ct_conn *c, uint64_t now)
{
	return now >= __atomic_load_n(&c->expiry, __ATOMIC_RELAXED);
}

/* The connection holding @p tp in @p zone, dead or expired ones skipped;
 * *stale gets an expired one met on the way. Lock-free. */
static struct ct_conn *find(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp,
                            uint64_t h, uint64_t now, enum ct_dir *dir, struct ct_conn **stale)
{
	uint32_t b[2];

	buckets_of(t, h, b);
	for (int i = 0; i < 2; i++) {
		uint64_t *bk = &t->slots[(size_t)b[i] * CT_BUCKET_SLOTS];

		for (int s = 0; s < CT_BUCKET_SLOTS; s++) {
			uint64_t v = __atomic_load_n(&bk[s], __ATOMIC_ACQUIRE);
			struct ct_conn *c;

			if (!v || (v >> 32) != (h >> 32))
				continue;
			c = &t->conns[slot_idx(v)];
			if (__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & CT_F_DEAD)
				continue;
			if (c->zone != zone || memcmp(&c->tuple[v & 1], tp, sizeof(*tp)))
				continue;
			if (expired(c, now)) {
				if (stale)
					*stale = c;
				continue;
			}
			*dir = (enum ct_dir)(v & 1);
			return c;
		}
	}
	return NULL;
}

struct ct_conn *ct_lookup(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp,
                          uint64_t now, enum ct_dir *dir)
{
	return find(t, zone, tp, tuple_hash(zone, tp), now, dir, NULL);
}

/* Lock the groups of both keys, lower index first (lock order 1). */
static void groups_lock(struct ct_table *t, const uint64_t h[2], uint32_t g[2])
{
	for (int i = 0; i < 2; i++)
		g[i] = ((uint32_t)h[i] & t->bucket_mask) >> CT_GROUP_SHIFT;
	if (g[0] > g[1]) {
		uint32_t x = g[0];
		g[0] = g[1];
		g[1] = x;
	}
	ct_spin_lock(&t->groups[g[0]].word);
	if (g[1] != g[0])
		ct_spin_lock(&t->groups[g[1]].word);
}

static void groups_unlock(struct ct_table *t, const uint32_t g[2])
{
	if (g[1] != g[0])
		ct_spin_unlock(&t->groups[g[1]].word);
	ct_spin_unlock(&t->groups[g[0]].word);
}

static void slot_clear(struct ct_table *t, uint64_t h, uint64_t v)
{
	uint32_t b[2];

	buckets_of(t, h, b);
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < CT_BUCKET_SLOTS; s++) {
			uint64_t *p = &t->slots[(size_t)b[i] * CT_BUCKET_SLOTS + s];

			if (*p == v) {
				__atomic_store_n(p, 0, __ATOMIC_RELEASE);
				return;
			}
		}
	abort(); /* a linked connection always has both keys */
}

/* Unlink with both groups held; the memory waits for ct_reclaim(). */
static void unlink_locked(struct ct_table *t, struct ct_conn *c, const uint64_t h[2])
{
	uint32_t idx = (uint32_t)(c - t->conns);

	__atomic_fetch_or(&c->flags, CT_F_DEAD, __ATOMIC_RELEASE);
	slot_clear(t, h[0], slot_value(h[0], idx, CT_DIR_ORIG));
	slot_clear(t, h[1], slot_value(h[1], idx, CT_DIR_REPLY));
	ct_spin_lock(&t->pool.word);
	c->retired = t->retire_seq++;
	c->next = 0;
	if (t->retire_tail)
		t->conns[t->retire_tail - 1].next = idx + 1;
	else
		t->retire_head = idx + 1;
	t->retire_tail = idx + 1;
	ct_spin_unlock(&t->pool.word);
	count(&t->st.conns, -1);
	ct_zone_put(t->zones, c->zone);
}

/* Unlink @p c if it is still linked and expired at @p now (or @p force). */
static bool expire(struct ct_table *t, struct ct_conn *c, uint64_t now, bool force)
{
	uint64_t h[2] = {tuple_hash(c->zone, &c->tuple[0]), tuple_hash(c->zone, &c->tuple[1])};
	uint32_t g[2];
	bool done = false;

	groups_lock(t, h, g);
	if (!(__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CT_F_DEAD) &&
	    (force || expired(c, now))) {
		unlink_locked(t, c, h);
		count(&t->st.expirations, 1);
		done = true;
	}
	groups_unlock(t, g);
	return done;
}

static int free_slot(struct ct_table *t, uint64_t h, int taken)
{
	uint32_t b[2];

	buckets_of(t, h, b);
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < CT_BUCKET_SLOTS; s++) {
			size_t at = (size_t)b[i] * CT_BUCKET_SLOTS + s;

			if (!t->slots[at] && (int)at != taken)
				return (int)at;
		}
	return -1;
}

/* Store @p init as a new connection, or find the one that won the race.
 * @return the connection (*created tells which), or NULL when refused. */
/* Whether the groups of both keys of @p c are among the locked @p g. */
static bool groups_held(const struct ct_table *t, const struct ct_conn *c, const uint32_t g[2])
{
	for (int i = 0; i < 2; i++) {
		uint32_t x = ((uint32_t)tuple_hash(c->zone, &c->tuple[i]) & t->bucket_mask) >>
		             CT_GROUP_SHIFT;
		if (x != g[0] && x != g[1])
			return false;
	}
	return true;
}

static struct ct_conn *insert(struct ct_table *t, const struct ct_conn *init, uint64_t now,
                              enum ct_dir *dir, bool *created, bool *clash)
{
	uint64_t h[2] = {tuple_hash(init->zone, &init->tuple[0]),
	                 tuple_hash(init->zone, &init->tuple[1])};
	struct ct_conn *c = NULL, *stale = NULL;
	uint32_t g[2], idx;
	int at[2];

	*created = *clash = false;
	groups_lock(t, h, g);
	c = find(t, init->zone, &init->tuple[0], h[0], now, dir, &stale);
	if (c)
		goto out;
	/* Our reply tuple may be another live connection's key (NAT onto
	 * another flow, or a flow onto another's translation): a tuple has
	 * one live connection per zone. A translated one may try another
	 * translation (*clash); any other is refused. */
	enum ct_dir other;
	if (find(t, init->zone, &init->tuple[1], h[1], now, &other, NULL) != NULL) {
		*clash = init->nat != 0;
		goto out;
	}
	/* An expired connection with our tuple: make room now when both its
	 * keys are in our groups (its reply tuple is our reverse unless it
	 * was translated; the sweep takes the others). */
	if (stale && groups_held(t, stale, g)) {
		uint64_t sh[2] = {tuple_hash(stale->zone, &stale->tuple[0]),
		                  tuple_hash(stale->zone, &stale->tuple[1])};

		unlink_locked(t, stale, sh);
		count(&t->st.expirations, 1);
	}
	at[0] = free_slot(t, h[0], -1);
	at[1] = at[0] < 0 ? -1 : free_slot(t, h[1], at[0]);
	if (at[1] < 0 || __atomic_load_n(&t->st.conns, __ATOMIC_RELAXED) >= t->max_conns)
		goto out;
	if (!ct_zone_take(t->zones, init->zone))
		goto out;
	ct_spin_lock(&t->pool.word);
	idx = t->free_head;
	if (idx)
		t->free_head = t->conns[idx - 1].next;
	ct_spin_unlock(&t->pool.word);
	if (!idx--) {
		ct_zone_put(t->zones, init->zone);
		goto out;
	}
	c = &t->conns[idx];
	/* Dead until whole: a hint (ct_process_hint()) reads a connection
	 * without a slot, so its flags are published last. */
	*c = *init;
	c->flags = init->flags | CT_F_DEAD;
	c->next = 0;
	__atomic_store_n(&c->flags, init->flags, __ATOMIC_RELEASE);
	count(&t->st.conns, 1);
	count(&t->st.creations, 1);
	__atomic_store_n(&t->slots[at[0]], slot_value(h[0], idx, CT_DIR_ORIG), __ATOMIC_RELEASE);
	__atomic_store_n(&t->slots[at[1]], slot_value(h[1], idx, CT_DIR_REPLY), __ATOMIC_RELEASE);
	*dir = CT_DIR_ORIG;
	*created = true;
out:
	groups_unlock(t, g);
	return c;
}

static inline __attribute__((always_inline)) uint32_t
timeout_of(const struct ct_table *t, const struct ct_conn *c, bool first)
{
	bool replied = __atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CT_F_REPLIED;

	switch (c->tuple[0].proto) {
	case IPPROTO_TCP_:
		switch (c->tcp_state) {
		case CT_TCP_SYN_SENT:
		case CT_TCP_SYN_RECV:
			return t->to.tcp_syn;
		case CT_TCP_ESTABLISHED:
			return t->to.tcp_established;
		case CT_TCP_FIN_WAIT:
		case CT_TCP_CLOSE_WAIT:
			return t->to.tcp_closing;
		case CT_TCP_LAST_ACK:
			return t->to.tcp_fin_wait;
		default:
			return t->to.tcp_closed;
		}
	case IPPROTO_SCTP_:
		switch (c->tcp_state) {
		case CT_SCTP_COOKIE_WAIT:
			return t->to.sctp_cookie_wait;
		case CT_SCTP_COOKIE_ECHOED:
			return t->to.sctp_cookie_echoed;
		case CT_SCTP_ESTABLISHED:
			return t->to.sctp_established;
		case CT_SCTP_SHUTDOWN_SENT:
			return t->to.sctp_shutdown_sent;
		case CT_SCTP_SHUTDOWN_RECD:
			return t->to.sctp_shutdown_recd;
		case CT_SCTP_SHUTDOWN_ACK_SENT:
			return t->to.sctp_shutdown_ack_sent;
		default:
			return t->to.sctp_closed;
		}
	case IPPROTO_UDP_:
		return replied ? t->to.udp_replied : first ? t->to.udp_first : t->to.udp_multiple;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		return replied ? t->to.icmp_reply : t->to.icmp_first;
	default:
		return replied ? t->to.other_replied : t->to.other_first;
	}
}

static inline __attribute__((always_inline)) void set_expiry(struct ct_table *t, struct ct_conn *c,
                                                             uint64_t now, bool first)
{
	uint64_t e = now + (uint64_t)timeout_of(t, c, first) * t->hz;
	/* Not a store per packet: a connection that moves on by less than
	 * 1/64 s keeps its expiry (it may expire that much early), and its
	 * line stays clean for the workers that read it. */
	uint64_t old = __atomic_load_n(&c->expiry, __ATOMIC_RELAXED);
	if (e < old || e - old >= (t->hz >> 6))
		__atomic_store_n(&c->expiry, e, __ATOMIC_RELAXED);
}

/* Whether @p m would change nothing in @p c (read without its lock: a
 * commit that loses a race with another still takes the lock). */
static bool commit_is_noop(const struct ct_conn *c, const struct ct_commit *m)
{
	uint64_t l[2], v[2], k[2];

	if (((c->mark ^ m->mark) & m->mark_mask) != 0)
		return false;
	memcpy(l, c->label, 16);
	memcpy(v, m->label, 16);
	memcpy(k, m->label_mask, 16);
	return (((l[0] ^ v[0]) & k[0]) | ((l[1] ^ v[1]) & k[1])) == 0;
}

static void apply_commit(struct ct_conn *c, const struct ct_commit *m)
{
	c->mark = (c->mark & ~m->mark_mask) | (m->mark & m->mark_mask);
	for (int i = 0; i < 16; i++)
		c->label[i] = (uint8_t)((c->label[i] & ~m->label_mask[i]) |
		                        (m->label[i] & m->label_mask[i]));
}

/* A known connection's translation for a packet in direction @p dir: it
 * becomes the other direction's tuple reversed. */
static void nat_result(const struct ct_conn *c, enum ct_dir dir, struct ct_result *res)
{
	res->nat = c->nat;
	if (!c->nat)
		return;
	ct_tuple_reverse(&c->tuple[!dir], &res->rw);
	res->state |=
	        ((c->nat & CT_NAT_DST) ? CT_CS_DNAT : 0) | ((c->nat & CT_NAT_SRC) ? CT_CS_SNAT : 0);
}

/* The result for a packet of known connection @p c in direction @p dir,
 * its flags read as @p f. */
static inline __attribute__((always_inline)) void
conn_result(const struct ct_conn *c, enum ct_dir dir, uint8_t f, struct ct_result *res)
{
	/* The connection's fields loaded before any store to res. */
	uint8_t nat = c->nat;
	uint32_t mark = c->mark;
	uint64_t label[2];
	memcpy(label, c->label, sizeof(label));
	/* Two 8-byte stores, not one of 16: the flow cache reads the label
	 * back in 8-byte words (fc_ct_matches()), and a load narrower than
	 * the store it needs may wait for the store to reach the cache. */
	__asm__("" : "+r"(label[0]), "+r"(label[1]));
	res->state = CT_CS_TRK | ((f & CT_F_REPLIED) ? CT_CS_EST : CT_CS_NEW) |
	             (dir == CT_DIR_REPLY ? CT_CS_RPL : 0);
	res->dir = (uint8_t)dir;
	res->why = 0;
	res->mark = mark;
	memcpy(res->label, label, sizeof(res->label));
	res->conn = (struct ct_conn *)c;
	res->nat = 0;
	if (nat)
		nat_result(c, dir, res);
}

static void invalid(struct ct_table *t, struct ct_result *res)
{
	memset(res, 0, sizeof(*res));
	res->state = CT_CS_TRK | CT_CS_INV;
	count(&t->st.invalid, 1);
}

/*
 * Translation attempt @p k of a new connection @p init (tuple @p tp) under
 * @p m: its reply tuple comes from (DNAT) or goes to (SNAT) m's address
 * and a port. Attempt 0 keeps the packet's port, or takes the range's
 * first; the others walk the range (SNAT without one: 1024 to 65535)
 * from a place the tuple's hash picks, so that flows spread.
 */
static void nat_candidate(struct ct_conn *init, const struct ct_tuple *tp,
                          const struct ct_commit *m, unsigned k)
{
	struct ct_tuple x = *tp;
	bool dst = m->nat & CT_NAT_DST;
	uint16_t *port = dst ? &x.dport : &x.sport;
	memcpy(dst ? x.dst : x.src, m->nat_addr, 16);
	/* An ICMP echo's identifier is its port for SNAT (as OVS and Linux
	 * translate it); DNAT leaves it (an echo has no destination port). */
	if (!is_icmp(tp) || !dst) {
		uint32_t lo = ntohs_(m->nat_port), hi = m->nat_port_max;
		if (lo == 0 && !dst && k > 0)
			lo = 1024, hi = 65535; /* the packet's own port was taken */
		if (hi < lo)
			hi = lo;
		uint32_t cur = ntohs_(*port);
		if (lo && (k > 0 || cur < lo || cur > hi)) {
			uint32_t span = hi - lo + 1;
			uint32_t at =
			        k == 0 ? 0 : (uint32_t)(ct_tuple_hash_base(tp) >> 20) + k * 7919u;
			*port = htons_((uint16_t)(lo + at % span));
		}
	}
	ct_tuple_reverse(&x, &init->tuple[1]);
	init->nat = dst ? CT_NAT_DST : CT_NAT_SRC;
}

/* May this packet open a connection? Fills the protocol state of @p init. */
static bool may_open(struct ct_table *t, struct ct_conn *init, const struct ct_tcp_seg *tcp)
{
	if (init->tuple[0].proto == IPPROTO_TCP_)
		return tcp && ct_tcp_new(init, tcp, t->liberal);
	if (init->tuple[0].proto == IPPROTO_SCTP_)
		return tcp && ct_sctp_new(init, &tcp->sctp);
	if (is_icmp(&init->tuple[0]))
		return icmp_type(&init->tuple[0]) == 8 || icmp_type(&init->tuple[0]) == 128;
	return true;
}

/* A SYN on a closed or closing connection starts a new one (port reuse),
 * and so does an INIT (from either side) on a closed association. */
static inline __attribute__((always_inline)) bool reopens(const struct ct_conn *c, enum ct_dir dir,
                                                          const struct ct_tcp_seg *s)
{
	if (!s)
		return false;
	if (c->tuple[0].proto == IPPROTO_SCTP_)
		return (s->sctp.chunks & CT_SCTP_BIT(CT_SCTP_INIT)) &&
		       c->tcp_state == CT_SCTP_CLOSED;
	return c->tuple[0].proto == IPPROTO_TCP_ && dir == CT_DIR_ORIG &&
	       (s->flags & (CT_TCP_SYN | CT_TCP_ACK | CT_TCP_RST)) == CT_TCP_SYN &&
	       c->tcp_state >= CT_TCP_TIME_WAIT;
}

/* A packet of connection @p c, found in direction @p dir (or just
 * @p created): its protocol state, expiry and commit, and @p res.
 * @return false when @p c was unlinked meanwhile (nothing done). */
static inline __attribute__((always_inline)) bool
process_known(struct ct_table *t, struct ct_conn *c, enum ct_dir dir, bool created,
              const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
              struct ct_result *res)
{
	bool valid = true;

	if (!created && !tcp && (!commit || commit_is_noop(c, commit))) {
		/* No protocol state to check, nothing to store: no lock. The
		 * reply bit and the expiry are single atomic words; mark and
		 * label change only under the lock, by commits. */
		uint8_t f = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);

		if (dir == CT_DIR_REPLY && !(f & CT_F_REPLIED))
			f = __atomic_or_fetch(&c->flags, CT_F_REPLIED, __ATOMIC_RELAXED);
		set_expiry(t, c, now, false);
		conn_result(c, dir, f, res);
		return true;
	}
	ct_spin_lock(&c->lock);
	if (__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & CT_F_DEAD) {
		ct_spin_unlock(&c->lock);
		return false;
	}
	if (!created) {
		if (tcp && c->tuple[0].proto == IPPROTO_SCTP_)
			valid = ct_sctp_update(c, dir, &tcp->sctp);
		else if (tcp)
			valid = ct_tcp_update(c, dir, tcp, t->liberal);
		if (valid) {
			if (dir == CT_DIR_REPLY)
				__atomic_fetch_or(&c->flags, CT_F_REPLIED, __ATOMIC_RELAXED);
			set_expiry(t, c, now, false);
		}
	}
	if (valid && commit)
		apply_commit(c, commit);
	if (valid)
		conn_result(c, dir, __atomic_load_n(&c->flags, __ATOMIC_RELAXED), res);
	ct_spin_unlock(&c->lock);
	if (!valid)
		invalid(t, res);
	return true;
}

void ct_process(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp,
                const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                struct ct_result *res)
{
	ct_process_hashed(t, zone, tp, ct_tuple_hash_base(tp), tcp, now, commit, res);
}

static void process(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t base,
                    const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                    struct ct_result *res, bool absent)
{
	uint64_t h = zone_hash(base, zone);
	struct ct_conn *c, *stale = NULL;
	enum ct_dir dir = CT_DIR_ORIG;
	bool created = false;
	unsigned tries = 0;

	memset(res, 0, sizeof(*res));
	if (tp->proto != IPPROTO_TCP_ && tp->proto != IPPROTO_SCTP_) {
		tcp = NULL;
	} else if (!tcp) {
		invalid(t, res); /* no TCP or SCTP header to check */
		return;
	}
again:
	created = false;
	stale = NULL;
	/* Just looked for and not there: the insert looks again, locked. */
	c = absent && tries == 0 ? NULL : find(t, zone, tp, h, now, &dir, &stale);
	if (!c && stale)
		expire(t, stale, now, false);
	if (c && reopens(c, dir, tcp)) {
		expire(t, c, now, true);
		c = NULL;
	}
	if (!c) {
		struct ct_conn init;

		memset(&init, 0, sizeof(init));
		init.zone = zone;
		init.tuple[0] = *tp;
		ct_tuple_reverse(tp, &init.tuple[1]);
		if (commit && commit->nat)
			nat_candidate(&init, tp, commit, 0);
		if (!may_open(t, &init, tcp)) {
			invalid(t, res);
			return;
		}
		if (!commit) {
			res->state = CT_CS_TRK | CT_CS_NEW;
			return;
		}
		/* Mark and label are in place before other workers can see it. */
		apply_commit(&init, commit);
		set_expiry(t, &init, now, true);
		bool clash;
		c = insert(t, &init, now, &dir, &created, &clash);
		for (unsigned k = 1; !c && clash && k < CT_NAT_TRIES; k++) {
			nat_candidate(&init, tp, commit, k);
			c = insert(t, &init, now, &dir, &created, &clash);
		}
		if (!c && clash) {
			/* Every translation tried is another connection's. */
			count(&t->st.nat_exhausted, 1);
			invalid(t, res);
			res->why = CT_WHY_NAT_EXHAUSTED;
			return;
		}
		if (!c) {
			count(&t->st.refusals, 1);
			ct_zone_refused(t->zones, zone);
			invalid(t, res);
			return;
		}
	}
	if (!process_known(t, c, dir, created, tcp, now, commit, res)) {
		/* Unlinked (expired, reopened) since we found it: look again. */
		if (++tries < 4)
			goto again;
		invalid(t, res);
	}
}

void ct_process_hashed(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t base,
                       const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                       struct ct_result *res)
{
	process(t, zone, tp, base, tcp, now, commit, res, false);
}

void ct_commit_absent(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t base,
                      const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                      struct ct_result *res)
{
	process(t, zone, tp, base, tcp, now, commit, res, true);
}

bool ct_process_hint(struct ct_table *t, struct ct_hint *hint, uint16_t zone,
                     const struct ct_tuple *tp, const struct ct_tcp_seg *tcp, uint64_t now,
                     const struct ct_commit *commit, struct ct_result *res)
{
	if (hint->idx == 0 || hint->idx > t->max_conns)
		return false;
	if (hint->miss >= CT_HINT_MISSES && (++hint->skip & (CT_HINT_RETRY - 1)) != 0)
		return false; /* a key of many connections: hints seldom hold */
	if ((tp->proto == IPPROTO_TCP_ || tp->proto == IPPROTO_SCTP_) ? !tcp : tcp != NULL)
		return false;
	/* What find() checks once a slot matched. The flags first (acquire):
	 * a connection taken from the pool is dead until its tuples are in
	 * place (insert()), and the memory of one that died stays readable. */
	struct ct_conn *c = &t->conns[hint->idx - 1];
	enum ct_dir dir = (enum ct_dir)hint->dir;
	if ((__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & CT_F_DEAD) || c->zone != zone ||
	    memcmp(&c->tuple[dir], tp, sizeof(*tp)) != 0 || expired(c, now) ||
	    reopens(c, dir, tcp) || !process_known(t, c, dir, false, tcp, now, commit, res)) {
		if (hint->miss < UINT8_MAX)
			hint->miss++;
		return false;
	}
	hint->miss = 0;
	return true;
}

void ct_hint_learn(const struct ct_table *t, struct ct_hint *hint, const struct ct_result *res)
{
	if (res->conn == NULL)
		return;
	hint->idx = (uint32_t)(res->conn - t->conns) + 1;
	hint->dir = res->dir;
}

unsigned ct_sweep(struct ct_table *t, uint64_t now, unsigned n_buckets)
{
	uint32_t first = __atomic_fetch_add(&t->sweep_cursor, n_buckets, __ATOMIC_RELAXED);
	unsigned n = 0;

	for (unsigned i = 0; i < n_buckets && i <= t->bucket_mask; i++) {
		uint64_t *bk = &t->slots[(size_t)((first + i) & t->bucket_mask) * CT_BUCKET_SLOTS];

		for (int s = 0; s < CT_BUCKET_SLOTS; s++) {
			uint64_t v = __atomic_load_n(&bk[s], __ATOMIC_ACQUIRE);
			struct ct_conn *c;

			/* Each connection once: by its original key. */
			if (!v || (v & 1) != CT_DIR_ORIG)
				continue;
			c = &t->conns[slot_idx(v)];
			if (expired(c, now) && expire(t, c, now, false))
				n++;
		}
	}
	return n;
}

uint64_t ct_reclaim_token(struct ct_table *t)
{
	uint64_t v;

	ct_spin_lock(&t->pool.word);
	v = t->retire_seq;
	ct_spin_unlock(&t->pool.word);
	return v;
}

unsigned ct_reclaim(struct ct_table *t, uint64_t token)
{
	unsigned n = 0;

	ct_spin_lock(&t->pool.word);
	while (t->retire_head && t->conns[t->retire_head - 1].retired < token) {
		uint32_t idx = t->retire_head;
		struct ct_conn *c = &t->conns[idx - 1];

		t->retire_head = c->next;
		if (!t->retire_head)
			t->retire_tail = 0;
		c->next = t->free_head;
		t->free_head = idx;
		n++;
	}
	ct_spin_unlock(&t->pool.word);
	return n;
}

void ct_get_stats(const struct ct_table *t, struct ct_stats *st)
{
	st->conns = __atomic_load_n(&t->st.conns, __ATOMIC_RELAXED);
	st->creations = __atomic_load_n(&t->st.creations, __ATOMIC_RELAXED);
	st->expirations = __atomic_load_n(&t->st.expirations, __ATOMIC_RELAXED);
	st->refusals = __atomic_load_n(&t->st.refusals, __ATOMIC_RELAXED);
	st->invalid = __atomic_load_n(&t->st.invalid, __ATOMIC_RELAXED);
	st->nat_exhausted = __atomic_load_n(&t->st.nat_exhausted, __ATOMIC_RELAXED);
}

int ct_zone_limit_set(struct ct_table *t, uint16_t zone, uint32_t max)
{
	if (!t)
		return -EINVAL;
	ct_zone_set(t->zones, zone, max);
	return 0;
}

void ct_zone_limit_default(struct ct_table *t, uint32_t max)
{
	__atomic_store_n(&t->zones->dflt, max, __ATOMIC_RELAXED);
}

void ct_zone_stats(const struct ct_table *t, uint16_t zone, struct ct_zone_stats *st)
{
	ct_zone_get(t->zones, zone, st);
}

void ct_commit_conn(struct ct_conn *c, const struct ct_commit *m, struct ct_result *res)
{
	if (commit_is_noop(c, m))
		return; /* res already holds this mark and label */
	ct_spin_lock(&c->lock);
	apply_commit(c, m);
	res->mark = c->mark;
	memcpy(res->label, c->label, sizeof(res->label));
	ct_spin_unlock(&c->lock);
}

void ct_peek(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t now,
             struct ct_result *res)
{
	enum ct_dir dir;
	struct ct_conn *c = ct_lookup(t, zone, tp, now, &dir);

	memset(res, 0, sizeof(*res));
	res->state = CT_CS_TRK | CT_CS_NEW;
	if (!c)
		return;
	conn_result(c, dir, __atomic_load_n(&c->flags, __ATOMIC_RELAXED), res);
}

/* Each linked connection once, by its original key (the expired ones too
 * when @p expired_too); stops when @p fn says. */
static unsigned walk(struct ct_table *t, uint64_t now, bool expired_too,
                     bool (*fn)(struct ct_conn *, void *), void *aux)
{
	unsigned n = 0;

	for (uint32_t b = 0; b <= t->bucket_mask; b++) {
		uint64_t *bk = &t->slots[(size_t)b * CT_BUCKET_SLOTS];

		for (int s = 0; s < CT_BUCKET_SLOTS; s++) {
			uint64_t v = __atomic_load_n(&bk[s], __ATOMIC_ACQUIRE);
			struct ct_conn *c;

			if (!v || (v & 1) != CT_DIR_ORIG)
				continue;
			c = &t->conns[slot_idx(v)];
			if ((__atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & CT_F_DEAD) ||
			    (!expired_too && expired(c, now)))
				continue;
			n++;
			if (!fn(c, aux))
				return n;
		}
	}
	return n;
}

unsigned ct_walk(struct ct_table *t, uint64_t now, bool (*fn)(struct ct_conn *, void *), void *aux)
{
	return walk(t, now, false, fn, aux);
}

struct flush_arg {
	struct ct_table *t;
	int zone;
	const struct ct_tuple *tp;
	uint64_t now;
	unsigned n;
};

static bool flush_one(struct ct_conn *c, void *aux)
{
	struct flush_arg *a = aux;

	if (a->zone >= 0 && c->zone != a->zone)
		return true;
	if (a->tp && memcmp(&c->tuple[0], a->tp, sizeof(*a->tp)) &&
	    memcmp(&c->tuple[1], a->tp, sizeof(*a->tp)))
		return true;
	if (expire(a->t, c, a->now, true))
		a->n++;
	return true;
}

unsigned ct_flush(struct ct_table *t, int zone, const struct ct_tuple *tp, uint64_t now)
{
	struct flush_arg a = {.t = t, .zone = zone, .tp = tp, .now = now};

	walk(t, now, true, flush_one, &a);
	return a.n;
}

uint64_t ct_hz(const struct ct_table *t)
{
	return t->hz;
}

void ct_note_invalid(struct ct_table *t, struct ct_result *res)
{
	invalid(t, res);
}
