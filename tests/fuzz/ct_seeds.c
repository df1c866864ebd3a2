/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ct.c in the deterministic driver (fuzz_driver.c): valid packet
 * sequences as seeds (each seed one input, several records, fuzz_ct.h),
 * and a report that fails a full run which never reached an established
 * or related connection, a followed fragment, NAT, a refusal, a reused
 * port or a TCP close.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz_ct.h"
#include "tests/fuzz/fuzz_driver.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/* Record headers: zone, commit, NAT, clock step (fuzz_ct.h). */
#define Z1 FUZZ_CT_ZONE(1)
#define Z2 FUZZ_CT_ZONE(2)
#define Z3 FUZZ_CT_ZONE(3)
#define C  FUZZ_CT_COMMIT

static struct pkt *seeds, *in;
static unsigned n_seeds, max_seeds;

static void next_seed(void)
{
	in = &seeds[n_seeds < max_seeds ? n_seeds++ : max_seeds - 1];
	pkt_init(in);
}

/* Append frame @p f (finished) to the seed as one record. */
static void put(uint8_t h0, uint8_t h1, const struct pkt *f)
{
	uint8_t h[FUZZ_CT_HDR] = {h0, h1, (uint8_t)f->len};

	if (f->len > 255)
		abort();
	pkt_put(in, h, sizeof(h));
	pkt_put(in, f->buf, f->len);
}

/* Ethernet and IP from host @p src to host @p dst: 10.0.0.N, or fd00::N+9
 * (1 and 2 are pkt_build.h's A and B). @return the IP header's offset. */
static uint32_t ip(struct pkt *f, bool v6, uint8_t proto, unsigned src, unsigned dst)
{
	uint8_t s[16] = {0xfd, [15] = (uint8_t)(9 + src)},
	        d[16] = {0xfd, [15] = (uint8_t)(9 + dst)};

	pkt_init(f);
	if (v6) {
		pkt_eth(f, 0x86dd);
		return pkt_ip6(f, proto, s, d);
	}
	pkt_eth(f, 0x0800);
	return pkt_ip4(f, proto, 0x0a000000u | src, 0x0a000000u | dst, 0);
}

struct ends {
	bool v6;
	unsigned a, b;         /* hosts */
	uint16_t aport, bport; /* a's and b's ports */
};

/* A TCP segment, from a to b (@p rev: from b to a); a SYN offers window
 * scale 7. */
static void tcp(uint8_t h0, uint8_t h1, const struct ends *e, bool rev, uint8_t flags, uint32_t seq,
                uint32_t ack, uint32_t payload)
{
	struct pkt f;
	uint32_t at;

	ip(&f, e->v6, 6, rev ? e->b : e->a, rev ? e->a : e->b);
	at = pkt_tcp(&f, rev ? e->bport : e->aport, rev ? e->aport : e->bport, flags,
	             (flags & SYN) ? 6 : 5);
	if (flags & SYN) { /* NOP, then window scale: kind 3, length 3, shift 7 */
		pkt_w8(&f, at + 21, 3);
		pkt_w8(&f, at + 22, 3);
		pkt_w8(&f, at + 23, 7);
	}
	pkt_w32(&f, at + 4, seq);
	pkt_w32(&f, at + 8, ack);
	pkt_zero(&f, payload);
	pkt_finish(&f);
	put(h0, h1, &f);
}

static void udp(uint8_t h0, uint8_t h1, const struct ends *e, bool rev, uint32_t payload)
{
	struct pkt f;

	ip(&f, e->v6, 17, rev ? e->b : e->a, rev ? e->a : e->b);
	pkt_udp(&f, rev ? e->bport : e->aport, rev ? e->aport : e->bport);
	pkt_zero(&f, payload);
	pkt_finish(&f);
	put(h0, h1, &f);
}

static void echo(uint8_t h0, const struct ends *e, bool rev, uint16_t id)
{
	uint8_t type = e->v6 ? (rev ? 129 : 128) : (rev ? 0 : 8);
	struct pkt f;
	uint32_t at;

	ip(&f, e->v6, e->v6 ? 58 : 1, rev ? e->b : e->a, rev ? e->a : e->b);
	at = pkt_icmp4(&f, type, 0);
	pkt_w16(&f, at + 4, id);
	pkt_zero(&f, 16);
	pkt_finish(&f);
	put(h0, 0, &f);
}

/* An ICMP error from host @p from to host @p to, quoting the UDP packet
 * that went from @p e's a to its b (@p rev: from b to a). */
static void unreachable(uint8_t h0, unsigned from, unsigned to, const struct ends *e, bool rev)
{
	struct pkt f;

	ip(&f, e->v6, e->v6 ? 58 : 1, from, to);
	pkt_icmp4(&f, e->v6 ? 1 : 3, e->v6 ? 4 : 3); /* port unreachable */
	if (e->v6) {
		uint8_t s[16] = {0xfd, [15] = (uint8_t)(9 + (rev ? e->b : e->a))};
		uint8_t d[16] = {0xfd, [15] = (uint8_t)(9 + (rev ? e->a : e->b))};

		pkt_ip6(&f, 17, s, d);
	} else {
		pkt_ip4(&f, 17, 0x0a000000u | (rev ? e->b : e->a),
		        0x0a000000u | (rev ? e->a : e->b), 0);
	}
	pkt_udp(&f, rev ? e->bport : e->aport, rev ? e->aport : e->bport);
	pkt_zero(&f, 4);
	pkt_finish(&f);
	put(h0, 0, &f);
}

/* One fragment of a UDP datagram of 48 bytes (8 of header, 40 of data),
 * from a to b: @p off in 8-byte units, @p len bytes of it. */
static void fragment(uint8_t h0, const struct ends *e, bool rev, uint16_t off, uint32_t len,
                     bool more)
{
	struct pkt f;
	uint32_t at, udp_at = 0;

	at = ip(&f, e->v6, e->v6 ? 44 : 17, rev ? e->b : e->a, rev ? e->a : e->b);
	if (e->v6)
		pkt_ip6_frag(&f, 17, off, more);
	if (off == 0) {
		udp_at = pkt_udp(&f, rev ? e->bport : e->aport, rev ? e->aport : e->bport);
		len -= 8;
	}
	pkt_zero(&f, len);
	pkt_finish(&f);
	if (off == 0)
		pkt_w16(&f, udp_at + 4, 48); /* the whole datagram */
	if (!e->v6)
		pkt_w16(&f, at + 6, (uint16_t)((more ? 0x2000 : 0) | off));
	put(h0, 0, &f);
}

/* A handshake, data both ways, FIN both ways, then the port reused. */
static void seed_tcp(void)
{
	const struct ends e = {false, 1, 2, 40000, 80};

	next_seed();
	tcp(Z1 | C, FUZZ_CT_MARK(1), &e, false, SYN, 1000, 0, 0);
	tcp(Z1 | FUZZ_CT_ADVANCE(3), 0, &e, true, SYN | ACK, 5000, 1001, 0);
	tcp(Z1, 0, &e, false, ACK, 1001, 5001, 0);
	tcp(Z1 | C, FUZZ_CT_MARK(2), &e, false, PSH | ACK, 1001, 5001, 10);
	tcp(Z1 | FUZZ_CT_ADVANCE(4), 0, &e, true, PSH | ACK, 5001, 1011, 20);
	tcp(Z1, 0, &e, false, FIN | ACK, 1011, 5021, 0);
	tcp(Z1, 0, &e, true, ACK, 5021, 1012, 0);
	tcp(Z1, 0, &e, true, FIN | ACK, 5021, 1012, 0);
	tcp(Z1, 0, &e, false, ACK, 1012, 5022, 0);
	/* TIME_WAIT: a new SYN on the same port starts a new connection,
	 * which the other side refuses. */
	tcp(Z1 | C | FUZZ_CT_ADVANCE(4), 0, &e, false, SYN, 90000, 0, 0);
	tcp(Z1, 0, &e, true, RST | ACK, 0, 90001, 0);
}

/* IPv6: a handshake, data, a reset, a segment after it, then expiry. */
static void seed_tcp6(void)
{
	const struct ends e = {true, 1, 2, 50000, 22};

	next_seed();
	tcp(Z2 | C, 0, &e, false, SYN, 100, 0, 0);
	tcp(Z2, 0, &e, true, SYN | ACK, 300, 101, 0);
	tcp(Z2, 0, &e, false, ACK, 101, 301, 0);
	tcp(Z2, 0, &e, false, PSH | ACK, 101, 301, 30);
	tcp(Z2, 0, &e, true, RST | ACK, 301, 131, 0);
	tcp(Z2, 0, &e, false, ACK, 131, 301, 0);
	tcp(Z2 | FUZZ_CT_ADVANCE(6), 0, &e, false, ACK, 131, 301, 0);
}

/* A load balancer: the client's SYN to a VIP (host 3) is sent to the
 * backend (host 2, port 8080), which answers from there. */
static void seed_tcp_dnat(void)
{
	const struct ends vip = {false, 1, 3, 41000, 80}, be = {false, 1, 2, 41000, 8080};
	uint8_t lb = FUZZ_CT_ADDR(1) | FUZZ_CT_PORT(2);

	next_seed();
	tcp(Z1 | C | FUZZ_CT_NAT, lb, &vip, false, SYN, 7, 0, 0);
	tcp(Z1, 0, &be, true, SYN | ACK, 900, 8, 0);
	tcp(Z1, 0, &vip, false, ACK, 8, 901, 0);
	tcp(Z1, 0, &vip, false, PSH | ACK, 8, 901, 100);
	tcp(Z1, 0, &be, true, ACK, 901, 108, 0);
	tcp(Z1, 0, &be, true, RST | ACK, 901, 108, 0);
}

/* A request, its answer, expiry, the same request again. */
static void seed_udp(void)
{
	const struct ends e = {false, 1, 2, 5353, 53};

	next_seed();
	udp(Z1 | C, 0, &e, false, 12);
	udp(Z1, 0, &e, true, 40);
	udp(Z1 | FUZZ_CT_ADVANCE(4), 0, &e, false, 12);
	udp(Z1 | C | FUZZ_CT_ADVANCE(7), 0, &e, false, 12);
	udp(Z1, 0, &e, true, 40);
}

/* Source NAT to host 4; the answer comes back to it. */
static void seed_udp_snat(void)
{
	const struct ends out = {false, 1, 2, 6000, 53}, back = {false, 4, 2, 6000, 53};

	next_seed();
	udp(Z1 | C | FUZZ_CT_NAT | FUZZ_CT_SNAT, FUZZ_CT_ADDR(3), &out, false, 20);
	udp(Z1, 0, &back, true, 60);
	udp(Z1, 0, &out, false, 20);
}

/* One flow in two zones, and its answer in a third. */
static void seed_zones(void)
{
	const struct ends e = {false, 2, 1, 1234, 4321};

	next_seed();
	udp(Z1 | C, 0, &e, false, 0);
	udp(Z3 | C, FUZZ_CT_MARK(5), &e, false, 0);
	udp(Z1, 0, &e, true, 0);
	udp(Z3, 0, &e, true, 0);
	udp(Z2, 0, &e, true, 0);
}

static void seed_echo(bool v6)
{
	const struct ends e = {v6, 1, 2, 0, 0};

	next_seed();
	echo(Z1 | C, &e, false, 0x77);
	echo(Z1, &e, true, 0x77);
	echo(Z1 | FUZZ_CT_ADVANCE(4), &e, false, 0x77);
	echo(Z1, &e, true, 0x78); /* another identifier: no connection */
}

/* Errors about a UDP flow: from its destination, from a router (host 3),
 * and from its source about the answer. */
static void seed_related(bool v6)
{
	const struct ends e = {v6, 1, 2, 7000, 9000};

	next_seed();
	udp(Z1 | C, 0, &e, false, 8);
	unreachable(Z1, 2, 1, &e, false);
	unreachable(Z1, 3, 1, &e, false);
	udp(Z1, 0, &e, true, 8);
	unreachable(Z1, 1, 2, &e, true);
}

/* A datagram in three fragments, and its answer in three. */
static void seed_fragments(bool v6)
{
	const struct ends e = {v6, 1, 2, 4000, 4001};

	next_seed();
	fragment(Z1 | C, &e, false, 0, 24, true);
	fragment(Z1, &e, false, 3, 16, true);
	fragment(Z1, &e, false, 5, 8, false);
	fragment(Z1, &e, true, 0, 24, true);
	fragment(Z1, &e, true, 5, 8, false);
	fragment(Z1, &e, true, 3, 16, true);
}

/* More flows than the table holds; after they expire, the sweep and the
 * reclaim make room for new ones. */
static void seed_full(void)
{
	struct ends e = {false, 1, 2, 0, 53};

	next_seed();
	for (unsigned i = 0; i < FUZZ_CT_MAX_CONNS + 2; i++) {
		e.aport = (uint16_t)(20000 + i);
		udp(Z2 | C, 0, &e, false, 0);
	}
	for (unsigned i = 0; i < 8; i++) {
		e.aport = (uint16_t)(30000 + i);
		udp(Z2 | C | (i ? 0 : FUZZ_CT_ADVANCE(7)), 0, &e, false, 0);
	}
}

unsigned fuzz_driver_seeds(struct pkt *v, unsigned max)
{
	seeds = v;
	max_seeds = max;
	n_seeds = 0;
	seed_tcp();
	seed_tcp6();
	seed_tcp_dnat();
	seed_udp();
	seed_udp_snat();
	seed_zones();
	seed_echo(false);
	seed_echo(true);
	seed_related(false);
	seed_related(true);
	seed_fragments(false);
	seed_fragments(true);
	seed_full();
	return n_seeds;
}

int fuzz_driver_report(unsigned long inputs, unsigned long mutations)
{
	const struct fuzz_ct_counts *c = &fuzz_ct;
	unsigned missed = 0;

	printf("%lu inputs, %lu records (%lu not IP)\n", inputs, c->records, c->not_ip);
	printf("  results: %lu new, %lu est, %lu rel, %lu inv (%lu rpl, %lu nat)\n", c->new_,
	       c->est, c->rel, c->inv, c->rpl, c->nat);
	printf("  connections: %lu created, %lu refused, %lu expired, %lu reclaimed, "
	       "%lu reopened\n",
	       c->creations, c->refusals, c->expirations, c->reclaimed, c->reopened);
	printf("  tcp: %lu closing, %lu closed\n", c->tcp_closing, c->tcp_closed);
	printf("  hints: %lu results found through one\n", c->hinted);
	printf("  fragments: %lu first, %lu followed, %lu unfollowed\n", c->frag_first,
	       c->frag_followed, c->frag_unfollowed);

	/* The seeds reach each of these: a full run that misses one lost a
	 * seed, or the tracker stopped doing it. */
	if (mutations < 100000)
		return 0;
	const struct {
		const char *what;
		unsigned long n;
	} need[] = {
	        {"est", c->est},
	        {"rel", c->rel},
	        {"followed fragment", c->frag_followed},
	        {"nat", c->nat},
	        {"refusal", c->refusals},
	        {"reused port", c->reopened},
	        {"tcp close", c->tcp_closed},
	        {"hint", c->hinted},
	};
	for (unsigned i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!need[i].n) {
			fprintf(stderr, "never reached: %s\n", need[i].what);
			missed++;
		}
	}
	return missed ? 1 : 0;
}
