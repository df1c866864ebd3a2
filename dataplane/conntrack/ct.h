/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection tracker: one table shared by every worker.
 *
 * A packet and its reply may arrive on different queues, so there is one
 * table, not one per worker, and no global lock (docs/conntrack.md).
 *
 * Two keys per connection. A connection (struct ct_conn) holds its original
 * tuple and its reply tuple; the key table holds one slot for each, with a
 * direction bit, so a packet of either direction finds the connection in
 * one lookup and learns "reply" from the slot it matched.
 *
 * The key table is open addressing: buckets of 8 slots of 8 bytes (one
 * cache line); a slot is (32-bit signature, connection index + 1,
 * direction), 0 when free. A tuple hashes to two candidate buckets of the
 * same bucket group (64 buckets), so that one lock covers both.
 *
 * Lookups are lock-free: a reader loads a slot (acquire), then compares the
 * full tuple in the connection. A connection's tuples and zone are written
 * before its slots are published (release) and never change while it is
 * linked. Unlinking clears the slots; the connection's memory is not reused
 * until a grace period has passed, so a reader that still holds it reads a
 * dead but intact connection (it sees CT_F_DEAD, or a stale tuple that
 * does not match, and treats it as absent).
 *
 * Hints skip the lookup: a flow cache entry keeps the index of the
 * connection its last packet found in each zone (struct ct_hint), and the
 * next packet checks that connection as a slot's match would be checked
 * (not dead, same zone, its tuple in the hinted direction, unexpired). A
 * hint outlives grace periods, so it may name a connection that died and
 * was reused: insert() keeps a reused connection dead until its tuples
 * and zone are written, then clears the flag (release), so a reader that
 * sees it alive (acquire) sees its tuples. Within a packet, the grace
 * period protects a hinted connection as it does a found one.
 *
 * Grace periods are the caller's: the core has no EAL dependency. Each
 * unlinked connection is stamped with a retire number; the caller takes
 * ct_reclaim_token(), waits until every worker has quiesced (the workers'
 * rte_rcu_qsbr in ferryd), then calls ct_reclaim() with that token, which
 * frees what was retired before the token was taken.
 *
 * Locks, and their order:
 *   1. bucket-group locks (insert and unlink; never for lookups). A
 *      connection's two keys may sit in two groups: take the lower group
 *      index first, never more than two at once.
 *   2. the pool lock (free list and retire list), taken inside 1 or alone.
 *   3. a connection's own lock (protocol state, expiry, mark and label),
 *      taken by ct_process() with no other lock held.
 * All are spinlocks on C11 atomics: a worker never sleeps. The per-zone
 * counts (below) are no lock and take none: atomic words, changed while
 * the group locks of 1 are held.
 *
 * A writer that loses an insert race (the same tuple, in the same zone,
 * inserted by another worker between its lookup and its lock) finds the
 * winner's connection under the lock and uses it: a tuple has at most one
 * live connection per zone.
 *
 * Expiry: each connection has an expiry time in TSC ticks (the caller's
 * clock, so tests drive a fake one). A connection past its expiry is absent
 * for lookups; ct_process() unlinks it when it meets it, and ct_sweep()
 * walks a few buckets per call, from a shared cursor, so idle connections
 * go without traffic.
 *
 * Limits: max_conns for the table, and one per zone (ct_zone_limit_set(),
 * and ct_zone_limit_default() for the zones without their own; none at
 * first). Each zone's count of linked connections moves with its keys:
 * up in the insert that links a connection, down in the unlink, both under
 * the group locks; so, like st.conns, it counts an expired connection
 * until a packet or the sweep unlinks it. The connections of one zone sit
 * under many group locks: a new one takes its place in the count by a
 * compare-and-swap that fails at the limit, so two workers cannot both
 * take the last place. A new connection over either limit (or with no
 * free slot or connection left) is refused: CT_CS_INV, counted in
 * st.refusals and in its zone's refusals, whichever limit refused it (the
 * zones' refusals add up to st.refusals). Lowering a zone's limit under
 * its count removes nothing: new connections wait until the count is
 * under it.
 *
 * Without the lock: a known UDP, ICMP or other connection's packet sets
 * the reply bit and the expiry (each one atomic word) and reads mark and
 * label, which change only under the connection's lock, by a commit that
 * changes them: a reader racing with such a commit on another worker may
 * see the old values for that packet. TCP and SCTP state always take the
 * lock.
 *
 * NAT: a translated connection's reply tuple is the translated one, so a
 * reply finds it by its own key; either direction's packet learns its
 * rewrite from the result (ct_result.rw). A new connection whose reply
 * tuple is already a live connection's key (a translation onto another
 * flow, or a flow onto another's translation) is refused, as when the
 * table is full. An ICMP echo's identifier is its port for SNAT. ICMP
 * errors that quote a translated packet are related to its connection and
 * say how to put the quote back (ct_nat.c).
 *
 * Connections come from one free list under the pool lock (per-worker
 * caches over a DPDK mempool are planned). ICMP errors are "related"
 * through ct_related(), ct_packet() having read the quoted header. SCTP
 * follows its chunks and verification tags (ct_sctp.c).
 */
#ifndef FERRY_DP_CT_H
#define FERRY_DP_CT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/api/flow_key.h"

/* IP protocols the tracker knows by number. */
#define IPPROTO_ICMP_   1
#define IPPROTO_TCP_    6
#define IPPROTO_UDP_    17
#define IPPROTO_SCTP_   132
#define IPPROTO_ICMPV6_ 58

/* ct_state bits, the same values as LFLOW_CS_* (dataplane/api/lflow_prog.h). */
#define CT_CS_NEW  0x01
#define CT_CS_EST  0x02
#define CT_CS_REL  0x04
#define CT_CS_RPL  0x08
#define CT_CS_INV  0x10
#define CT_CS_TRK  0x20
#define CT_CS_SNAT 0x40
#define CT_CS_DNAT 0x80

/* ct_conn.nat: what a connection translates. */
#define CT_NAT_DST 0x01
#define CT_NAT_SRC 0x02

/* A direction's view of a connection. Addresses and ports in network order,
 * IPv4 in the first 4 bytes. ICMP echo: sport is the identifier, dport the
 * echo type (request or reply) in the low byte, so that a request's reverse
 * is the matching reply. Other protocols: ports are 0. */
struct ct_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t ip6; /* 1: IPv6 */
	uint16_t pad;
};

enum ct_dir { CT_DIR_ORIG = 0, CT_DIR_REPLY = 1 };

enum ct_tcp_state {
	CT_TCP_NONE,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
};

/* TCP flags as on the wire (the low byte of flow_key.tcp_flags). */
#define CT_TCP_FIN 0x01
#define CT_TCP_SYN 0x02
#define CT_TCP_RST 0x04
#define CT_TCP_ACK 0x10

enum ct_sctp_state {
	CT_SCTP_NONE,
	CT_SCTP_CLOSED,
	CT_SCTP_COOKIE_WAIT,
	CT_SCTP_COOKIE_ECHOED,
	CT_SCTP_ESTABLISHED,
	CT_SCTP_SHUTDOWN_SENT,
	CT_SCTP_SHUTDOWN_RECD,
	CT_SCTP_SHUTDOWN_ACK_SENT,
};

/* SCTP chunk types (RFC 9260 section 3.2) the tracker tells apart; a type
 * above 14 counts as CT_SCTP_OTHER. */
enum ct_sctp_chunk {
	CT_SCTP_DATA = 0,
	CT_SCTP_INIT = 1,
	CT_SCTP_INIT_ACK = 2,
	CT_SCTP_SACK = 3,
	CT_SCTP_HEARTBEAT = 4,
	CT_SCTP_HEARTBEAT_ACK = 5,
	CT_SCTP_ABORT = 6,
	CT_SCTP_SHUTDOWN = 7,
	CT_SCTP_SHUTDOWN_ACK = 8,
	CT_SCTP_ERROR = 9,
	CT_SCTP_COOKIE_ECHO = 10,
	CT_SCTP_COOKIE_ACK = 11,
	CT_SCTP_SHUTDOWN_COMPLETE = 14,
	CT_SCTP_OTHER = 15,
};
#define CT_SCTP_BIT(type) ((uint16_t)(1u << (type)))

/* ct_sctp_pkt.flags */
#define CT_SCTP_T 0x01 /* an ABORT or SHUTDOWN_COMPLETE has its T bit set */

/* What the tracker needs of an SCTP packet, host order. */
struct ct_sctp_pkt {
	uint32_t vtag;     /* the common header's verification tag */
	uint32_t init_tag; /* an INIT's or INIT_ACK's Initiate Tag */
	uint16_t chunks;   /* CT_SCTP_BIT() of each chunk type present */
	uint8_t flags;     /* CT_SCTP_* */
	uint8_t pad;
};

/* What the tracker needs of a TCP segment, or of an SCTP packet (sctp
 * alone), host order. */
struct ct_tcp_seg {
	uint8_t flags;
	int8_t wscale; /* window scale option on a SYN, -1 when absent */
	uint16_t win;
	uint32_t seq, ack;
	uint32_t len; /* payload bytes */
	struct ct_sctp_pkt sctp;
};

/* One direction of a TCP connection, as its sender. */
struct ct_tcp_peer {
	uint32_t end;    /* highest sequence number sent, plus one */
	uint32_t maxend; /* highest ack + window seen from the other side */
	uint32_t maxwin; /* largest window advertised (scaled) */
	uint8_t wscale;
	uint8_t flags; /* CT_PEER_* (ct_tcp.c) */
	uint16_t pad;
	uint32_t fin_end; /* sequence after our FIN, when CT_PEER_FIN */
};

/* An SCTP association's verification tags (ct_sctp.c). A tag is never 0:
 * 0 is "not learned yet". */
struct ct_sctp_conn {
	uint32_t vtag[2];     /* the tag the packets of direction [d] carry */
	uint32_t init_tag[2]; /* the Initiate Tag of the last INIT sent in [d] */
};

#define CT_F_DEAD    0x01 /* unlinked: absent for every lookup */
#define CT_F_REPLIED 0x02 /* a valid reply-direction packet was seen */
#define CT_F_LIBERAL 0x04 /* picked up mid-stream: no window checks */

struct ct_conn {
	struct ct_tuple tuple[2]; /* [CT_DIR_ORIG], [CT_DIR_REPLY] */
	uint16_t zone;
	uint8_t flags;     /* CT_F_*, atomic */
	uint8_t tcp_state; /* enum ct_tcp_state, or SCTP: enum ct_sctp_state */
	uint8_t nat;       /* CT_NAT_*: tuple[CT_DIR_REPLY] is not tuple[CT_DIR_ORIG] reversed */
	uint32_t mark;
	uint8_t label[16];
	uint64_t expiry; /* TSC, atomic */
	union {
		struct ct_tcp_peer peer[2]; /* TCP */
		struct ct_sctp_conn sctp;   /* SCTP */
	};
	uint32_t lock;    /* the connection's lock (lock order 3) */
	uint32_t next;    /* pool lists: index + 1, 0 = end */
	uint64_t retired; /* retire number, for ct_reclaim() */
};

/* Timeouts in seconds, per protocol and state. */
struct ct_timeouts {
	uint32_t tcp_syn, tcp_established, tcp_closing, tcp_fin_wait, tcp_closed;
	uint32_t udp_first, udp_multiple, udp_replied;
	uint32_t icmp_first, icmp_reply;
	uint32_t other_first, other_replied;
	uint32_t sctp_closed, sctp_cookie_wait, sctp_cookie_echoed, sctp_established;
	uint32_t sctp_shutdown_sent, sctp_shutdown_recd, sctp_shutdown_ack_sent;
};

struct ct_config {
	uint32_t max_conns;    /* conntrack.max-connections */
	uint64_t hz;           /* TSC ticks per second */
	bool tcp_liberal;      /* conntrack.tcp-liberal */
	struct ct_timeouts to; /* zero fields take the defaults */
};

struct ct_stats {
	uint64_t conns; /* live now */
	uint64_t creations, expirations, refusals, invalid;
	uint64_t nat_exhausted; /* new connections with no free translation (inv) */
};

/* Translations a new connection tries before it is refused. */
#define CT_NAT_TRIES 32

/* ct_zone_limit_set(): the zone follows the table's default. */
#define CT_ZONE_LIMIT_DEFAULT UINT32_MAX

struct ct_zone_stats {
	uint32_t conns;    /* linked now (expired ones until unlinked) */
	uint32_t limit;    /* the limit that applies, 0: none */
	uint64_t refusals; /* new connections of the zone refused */
	bool dflt;         /* the limit is the table's default */
};

/* What a commit stores: new = (old & ~mask) | (value & mask). */
struct ct_commit {
	uint32_t mark, mark_mask;
	uint8_t label[16], label_mask[16];
	/* A new connection's translation (CT_NAT_DST: load balancing): its
	 * packets go to (or, NAT_SRC, come from) nat_addr and nat_port
	 * (network order, 0: the port stays); a known connection keeps its
	 * own. */
	uint8_t nat;
	uint16_t nat_port;     /* network order: the port, or a range's first */
	uint16_t nat_port_max; /* host order: a range's last (0: nat_port alone) */
	uint8_t nat_addr[16];
};

/* ct_result.why */
#define CT_WHY_NAT_EXHAUSTED 1 /* every translation tried is taken: not to leave untranslated */

struct ct_result {
	uint8_t state; /* CT_CS_* */
	uint8_t dir;   /* enum ct_dir, when conn is set */
	uint8_t nat;   /* the connection's CT_NAT_*: the packet becomes rw */
	uint8_t why;   /* CT_WHY_*: what made a result INV, where it matters */
	uint32_t mark;
	uint8_t label[16];
	struct ct_conn *conn; /* NULL unless the packet belongs to a stored one */
	struct ct_tuple rw;   /* when nat: the packet's tuple once translated */
};

struct ct_table;

/**
 * A table for at most @p cfg->max_conns connections, all memory allocated
 * here. Control thread only.
 * @return NULL with errno set.
 */
struct ct_table *ct_create(const struct ct_config *cfg);
/** Free @p t; nobody may use it any more. Accepts NULL. */
void ct_destroy(struct ct_table *t);

/**
 * The tuple of a parsed packet. @p icmp_id is the ICMP echo identifier
 * (network order), which the flow key does not hold.
 * @return 0, or -EINVAL when the packet is not IP or is a later fragment,
 *         -EPROTONOSUPPORT for an ICMP message that is not an echo.
 * (Inline: a cache hit builds one a packet.)
 */
static inline int ct_tuple_from_key(const struct flow_key *k, uint16_t icmp_id, struct ct_tuple *t)
{
	uint64_t w[5];
	uint16_t sport = 0, dport = 0;
	bool ip6 = (k->flags & FLOW_F_IP6) != 0;

	if (!(k->flags & (FLOW_F_IP4 | FLOW_F_IP6)) || (k->nw_frag & FLOW_FRAG_LATER))
		return -EINVAL;
	if (k->nw_proto == IPPROTO_ICMP_ || k->nw_proto == IPPROTO_ICMPV6_) {
		/* flow_key: tp_src holds the type, in network order. */
		uint8_t type = ((const uint8_t *)&k->tp_src)[1];
		bool echo = k->nw_proto == IPPROTO_ICMP_ ? (type == 8 || type == 0)
		                                         : (type == 128 || type == 129);

		if (!(k->flags & FLOW_F_L4) || !echo)
			return -EPROTONOSUPPORT;
		sport = icmp_id;
		dport = k->tp_src;
	} else if (k->flags & FLOW_F_L4) {
		sport = k->tp_src;
		dport = k->tp_dst;
	}
	/* Whole words: an IPv4 key's address bytes past the fourth are zero
	 * (flow_key.h), and the tuple is read back as words (its hash): a
	 * narrower store under a wider load would stall the load. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fifth word is built for a little-endian layout"
#endif
	memcpy(w, k->ip_src, 16);
	memcpy(w + 2, k->ip_dst, 16);
	w[4] = (uint64_t)sport | (uint64_t)dport << 16 | (uint64_t)k->nw_proto << 32 |
	       (uint64_t)ip6 << 40;
	_Static_assert(offsetof(struct ct_tuple, sport) == 32 &&
	                       offsetof(struct ct_tuple, proto) == 36 &&
	                       offsetof(struct ct_tuple, ip6) == 37,
	               "the fifth word's layout");
	memcpy(t, w, sizeof(w));
	return 0;
}

enum ct_pkt_kind {
	CT_PKT_CONN,    /* the tuple (and segment) of a packet of a connection */
	CT_PKT_RELATED, /* an ICMP error: the tuple it quotes, for ct_related() */
	CT_PKT_INVALID, /* not trackable: a truncated header */
	CT_PKT_FRAG,    /* a later fragment: no ports; ct_frag_follow() */
};

/**
 * What the tracker needs of a packet: its tuple from @p k (the headers as
 * the pipeline has them) and, for TCP, the segment read from @p l4 (the L4
 * header in the frame, @p l4_len bytes of IP payload from there), for
 * SCTP the verification tag and chunk types (seg->sctp: a chunk cut short
 * is invalid, unless the packet is a first fragment); for an ICMP error,
 * the tuple of the packet it quotes. @p l4 may be NULL (trace): the tuple
 * alone, ICMP ids as 0.
 */
enum ct_pkt_kind ct_packet(const struct flow_key *k, const uint8_t *l4, uint32_t l4_len,
                           struct ct_tuple *tp, struct ct_tcp_seg *seg);

/** The other direction's tuple of @p t. */
void ct_tuple_reverse(const struct ct_tuple *t, struct ct_tuple *r);

/**
 * The live connection that @p t belongs to in @p zone, and in which
 * direction; lock-free. The connection stays readable until the caller's
 * next quiescent point.
 * @return NULL when there is none (or it has expired at @p now).
 */
struct ct_conn *ct_lookup(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp,
                          uint64_t now, enum ct_dir *dir);

/**
 * Track one packet, as OVS's ct(): find its connection, check and advance
 * the protocol state, fill @p res. With @p commit non-NULL, store a new
 * connection (or apply the mark and label to the existing one).
 * @param tcp  the segment, when tp->proto is TCP, or the SCTP packet's
 *             fields (tcp->sctp) when it is SCTP; else ignored, may be NULL
 * @return always a result: CT_CS_TRK plus NEW/EST and RPL, or INV.
 */
void ct_process(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp,
                const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                struct ct_result *res);

/* Where a flow cache entry last found its connection in a zone, so that
 * the next packet of it skips the hash and the buckets. */
struct ct_hint {
	uint32_t idx; /* connection index + 1, 0: none */
	uint8_t dir;  /* enum ct_dir */
	uint8_t miss; /* hints in a row that did not hold */
	uint8_t skip; /* after CT_HINT_MISSES: packets since the last try */
	uint8_t pad;
};
#define CT_HINT_MISSES 8  /* misses in a row after which hints are seldom tried */
#define CT_HINT_RETRY  64 /* ... once in this many packets (a power of two) */

/**
 * ct_process() for the connection @p hint names, if it still holds @p tp
 * in @p zone, unexpired: no hash, no bucket. A hint is a connection's
 * index, checked like a slot's match (dead, zone, tuple); connections are
 * never freed, only reused, so a stale hint reads a dead or different
 * connection and fails.
 * @return false when the hint did not hold (nothing done: call
 * ct_process_hashed(), then ct_hint_learn()).
 */
bool ct_process_hint(struct ct_table *t, struct ct_hint *hint, uint16_t zone,
                     const struct ct_tuple *tp, const struct ct_tcp_seg *tcp, uint64_t now,
                     const struct ct_commit *commit, struct ct_result *res);
/** Whether @p hint names a connection and its entry's hints hold. */
static inline bool ct_hint_likely(const struct ct_hint *hint)
{
	return hint->idx != 0 && hint->miss < CT_HINT_MISSES;
}
/** Point @p hint at the connection @p res found, if any. */
void ct_hint_learn(const struct ct_table *t, struct ct_hint *hint, const struct ct_result *res);

/** The zone-independent part of @p tp's hash, for ct_process_hashed(). */
uint64_t ct_tuple_hash_base(const struct ct_tuple *tp);
/** Start loading what a lookup of the tuple with hash base @p base in
 *  @p zone reads first (its buckets and their lock group): a walk's
 *  lookups in several zones then wait for memory once, together. */
void ct_prefetch(const struct ct_table *t, uint16_t zone, uint64_t base);

/** ct_process() with ct_tuple_hash_base(@p tp) given: a packet tracked in
 *  several zones hashes its tuple once. */
void ct_process_hashed(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t base,
                       const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                       struct ct_result *res);

/** ct_process_hashed() of a commit (@p commit not NULL) whose tuple a
 *  lookup in @p zone has just not found (the packet's ct_next there said
 *  new): its insert looks once more, under the lock, and finds a
 *  connection another worker made meanwhile. */
void ct_commit_absent(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t base,
                      const struct ct_tcp_seg *tcp, uint64_t now, const struct ct_commit *commit,
                      struct ct_result *res);

/**
 * Track an ICMP or ICMPv6 error (destination unreachable, time exceeded,
 * packet too big, parameter problem) against the connection whose packet
 * it quotes. @p quoted is the tuple of the quoted (inner) header as it
 * stands, in the direction that packet travelled; the error travels the
 * other way. A quote that is no key as it stands may be a translated
 * packet: its reverse is then the error's key (ct_nat.c). Nothing in the
 * connection changes.
 * @return in @p res: CT_CS_TRK | CT_CS_REL (with CT_CS_RPL when the error
 *         goes in the reply direction) and the connection's mark and
 *         label, or CT_CS_TRK | CT_CS_INV when no connection matches.
 *         For a translated quote also the connection's nat (and the
 *         SNAT/DNAT bits) and in rw the quote as its sender sent it.
 */
void ct_related(struct ct_table *t, uint16_t zone, const struct ct_tuple *quoted, uint64_t now,
                struct ct_result *res);

/**
 * What a related result's translation (ct_related()) changes of the quote:
 * CT_NAT_SRC when its source (so the error's destination becomes
 * rw.src), CT_NAT_DST when its destination (the error's source becomes
 * rw.dst). 0 for any other result.
 */
unsigned ct_nat_quote_changes(const struct ct_result *r);

/**
 * Rewrite the packet an ICMP or ICMPv6 error quotes to @p inner: its
 * addresses, and its ports or echo identifier. The quoted IPv4 header's
 * checksum and the quoted L4 checksum (when the quote holds it; a zero UDP
 * checksum stays zero) are updated word by word; the error's own checksum
 * is computed again.
 * @param icmp      the error's ICMP header, @p len bytes of IP payload
 * @param ip6_addrs ICMPv6: the error's IPv6 source and destination (32
 *                  bytes, its pseudo-header), as it leaves; NULL for ICMPv4
 * @return 0, or -EINVAL when the quote is not such a packet (untouched).
 */
int ct_nat_icmp_quote(uint8_t *icmp, uint32_t len, const uint8_t *ip6_addrs,
                      const struct ct_tuple *inner);

/** Set an ICMP or ICMPv6 echo's identifier (@p icmp, @p len bytes) to
 *  @p id (network order), its checksum updated. @return 0 or -EINVAL. */
int ct_nat_echo_id(uint8_t *icmp, uint32_t len, uint16_t id);

/**
 * Expire up to @p n_buckets buckets' worth of connections, continuing from
 * where the last call (of any worker) stopped.
 * @return connections expired.
 */
unsigned ct_sweep(struct ct_table *t, uint64_t now, unsigned n_buckets);

/** A retire number to hand back to ct_reclaim() after a grace period. */
uint64_t ct_reclaim_token(struct ct_table *t);
/** Free connections retired before @p token was taken. @return freed. */
unsigned ct_reclaim(struct ct_table *t, uint64_t token);

void ct_get_stats(const struct ct_table *t, struct ct_stats *st);

/**
 * At most @p max linked connections in @p zone: 0 for no limit,
 * CT_ZONE_LIMIT_DEFAULT to follow the table's default (as every zone does
 * at first). Takes effect from the next new connection; nothing is
 * unlinked. Any thread.
 * @return 0, or -EINVAL when @p t is NULL.
 */
int ct_zone_limit_set(struct ct_table *t, uint16_t zone, uint32_t max);
/** The limit of the zones without their own: @p max, 0 (at first) for none. */
void ct_zone_limit_default(struct ct_table *t, uint32_t max);
/** @p zone's count, limit and refusals. */
void ct_zone_stats(const struct ct_table *t, uint16_t zone, struct ct_zone_stats *st);

/** Apply @p m to @p c, a connection a packet already found in this walk,
 *  and refresh @p res's mark and label. */
void ct_commit_conn(struct ct_conn *c, const struct ct_commit *m, struct ct_result *res);

/** What ct_process() would say, changing nothing (trace): a known
 *  connection's state, or new. */
void ct_peek(struct ct_table *t, uint16_t zone, const struct ct_tuple *tp, uint64_t now,
             struct ct_result *res);

/**
 * Call @p fn for each live connection (by its original key) until it
 * returns false. Control thread: with workers running, a connection seen
 * here may expire at any time, but stays readable until ct_reclaim().
 * @return connections visited.
 */
unsigned ct_walk(struct ct_table *t, uint64_t now, bool (*fn)(struct ct_conn *, void *), void *aux);

/** Unlink the connections of @p zone (-1: every zone) whose tuple in
 *  either direction is @p tp (NULL: any). @return how many. */
unsigned ct_flush(struct ct_table *t, int zone, const struct ct_tuple *tp, uint64_t now);

/** @p res is CT_CS_TRK | CT_CS_INV, counted as invalid (a packet the
 *  caller could not track: a later fragment, a truncated header). */
void ct_note_invalid(struct ct_table *t, struct ct_result *res);

/* Fragments, followed (ct_frag.c): the later fragments of a datagram get
 * the result its first fragment got. */
struct ct_frag_key {
	uint8_t src[16], dst[16];
	uint32_t id; /* IPv4 identification, or IPv6 fragment header id */
	uint8_t proto, ip6;
	uint16_t zone;
};

struct ct_frag_stats {
	uint64_t first;      /* first fragments noted */
	uint64_t followed;   /* later fragments given their first's result */
	uint64_t unfollowed; /* later fragments with no first known: ct.inv */
	uint64_t evicted;    /* a datagram's slot taken by another's */
};

struct ct_frags;
/** A table for @p n datagrams in flight, each kept @p timeout_s seconds
 *  (0: 5). @return NULL with errno set. */
struct ct_frags *ct_frags_create(unsigned n, unsigned timeout_s, uint64_t hz);
void ct_frags_destroy(struct ct_frags *f);
/** The first fragment of datagram @p k got @p r. */
void ct_frag_note(struct ct_frags *f, const struct ct_frag_key *k, const struct ct_result *r,
                  uint64_t now);
/** A later fragment of @p k: @return false (counted) when no first is known. */
bool ct_frag_follow(struct ct_frags *f, const struct ct_frag_key *k, uint64_t now,
                    struct ct_result *r);
void ct_frags_stats(const struct ct_frags *f, struct ct_frag_stats *st);
/** The datagram a fragment belongs to: addresses and protocol from @p k,
 *  the id from its IP header @p l3. @return 0 or -EINVAL (zone left 0). */
int ct_frag_key_of(const struct flow_key *k, const uint8_t *l3, uint32_t l3_len,
                   struct ct_frag_key *fk);

/* Load balancer affinity (ct_aff.c): a client's backend for a VIP. */
struct ct_aff_key {
	uint32_t dp; /* the datapath's tunnel key */
	uint16_t vport;
	uint8_t proto, ip6;
	uint8_t client[16], vip[16];
};

struct ct_aff_stats {
	uint64_t learned, hits, misses, evicted;
};

struct ct_aff;
/** A table for @p n clients at once. @return NULL with errno set. */
struct ct_aff *ct_aff_create(unsigned n, uint64_t hz);
void ct_aff_destroy(struct ct_aff *a);
/** Remember @p backend:@p bport (port in network order) for @p k, for
 *  @p timeout_s idle seconds. */
void ct_aff_learn(struct ct_aff *a, const struct ct_aff_key *k, const uint8_t backend[16],
                  uint16_t bport, uint32_t timeout_s, uint64_t now);
/** @p k's backend, if remembered and not idle too long (found: its
 *  timeout starts again). */
bool ct_aff_find(struct ct_aff *a, const struct ct_aff_key *k, uint64_t now, uint8_t backend[16],
                 uint16_t *bport);
void ct_aff_stats(const struct ct_aff *a, struct ct_aff_stats *st);

/** The table's ticks per second. */
uint64_t ct_hz(const struct ct_table *t);

/* Protocol state, ct_tcp.c and ct_sctp.c: called with the connection's
 * lock held. */
/** A new connection's state from its first segment. @return false: the
 *  segment may not open a connection. */
bool ct_tcp_new(struct ct_conn *c, const struct ct_tcp_seg *s, bool liberal);
/** Check and apply a segment of a known connection. @return false when it
 *  is invalid (the connection is left untouched). */
bool ct_tcp_update(struct ct_conn *c, enum ct_dir dir, const struct ct_tcp_seg *s, bool liberal);
/** A new SCTP connection from its first packet (@p p): an INIT alone.
 *  @return false: the packet may not open one. */
bool ct_sctp_new(struct ct_conn *c, const struct ct_sctp_pkt *p);
/** Check the tag of a known association's packet and advance its state.
 *  @return false when it is invalid (the connection is left untouched). */
bool ct_sctp_update(struct ct_conn *c, enum ct_dir dir, const struct ct_sctp_pkt *p);

#endif
