/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMP errors and translated connections (ct.h): which connection an
 * error is related to, and the bytes of its quote put back as the side
 * it goes to knows them.
 *
 * An error quotes a packet as it stood where the error was made. Made
 * beyond the translation (the far host, a router past it), the quote is
 * the translated packet: its reverse is the connection's key in the
 * error's own direction, and the quote must become the untranslated
 * packet (the other direction's tuple) before the error reaches the side
 * that sent it. Made on this side, the quote is a key as it stands and
 * needs nothing. The error's own addresses follow the quote's: where the
 * quote's source changes, the error's destination becomes it; where the
 * quote's destination changes, the error's source does (as Linux's
 * nf_nat_icmp_reply_translation, whatever router sent it).
 *
 * Checksums: the quoted IPv4 header's and the quoted L4 checksum are
 * updated for each 16-bit word that changes (RFC 1624), never computed:
 * the quote is cut short, and the sum covered the whole datagram. The
 * quoted L4 checksum only when the quote holds it (UDP's in its 8 bytes,
 * TCP's only with its 20-byte header, as Linux), and a zero UDP checksum
 * stays zero. The error's own checksum is computed again over what it
 * carries, as Linux and OVS do.
 */
#include <errno.h>
#include <string.h>

#include "dataplane/api/cksum.h"
#include "dataplane/conntrack/ct.h"
#include "dataplane/conntrack/ct_lock.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void ct_related(struct ct_table *t, uint16_t zone, const struct ct_tuple *quoted, uint64_t now,
                struct ct_result *res)
{
	enum ct_dir qdir, dir;
	struct ct_tuple r;
	bool translated = false;
	struct ct_conn *c = ct_lookup(t, zone, quoted, now, &qdir);

	if (c != NULL) {
		dir = (enum ct_dir) !qdir;
	} else {
		/* The quote as translated: its reverse is the error's key. */
		ct_tuple_reverse(quoted, &r);
		c = ct_lookup(t, zone, &r, now, &dir);
		translated = c != NULL && c->nat != 0;
	}
	if (c == NULL) {
		ct_note_invalid(t, res);
		return;
	}
	memset(res, 0, sizeof(*res));
	res->dir = (uint8_t)dir;
	res->state = CT_CS_TRK | CT_CS_REL | (dir == CT_DIR_REPLY ? CT_CS_RPL : 0);
	ct_spin_lock(&c->lock);
	res->mark = c->mark;
	memcpy(res->label, c->label, sizeof(res->label));
	ct_spin_unlock(&c->lock);
	res->conn = c;
	if (translated) {
		/* The quote becomes the packet its sender sent. */
		res->nat = c->nat;
		res->rw = c->tuple[!dir];
		res->state |= ((c->nat & CT_NAT_DST) ? CT_CS_DNAT : 0) |
		              ((c->nat & CT_NAT_SRC) ? CT_CS_SNAT : 0);
	}
}

unsigned ct_nat_quote_changes(const struct ct_result *r)
{
	if (!(r->state & CT_CS_REL) || !r->nat)
		return 0;
	/* The quoted packet travelled against the error. SNAT changes an
	 * original packet's source and a reply's destination; DNAT the
	 * other way round. */
	bool orig = r->dir == CT_DIR_REPLY;
	unsigned src = orig ? CT_NAT_SRC : CT_NAT_DST;
	return ((r->nat & src) ? CT_NAT_SRC : 0) | ((r->nat & ~src & 3) ? CT_NAT_DST : 0);
}

/* RFC 1624, equation 3: the checksum at @p c after a word it covers went
 * from @p old to @p new (host-order values of big-endian words). */
static void sum_replace(uint8_t *c, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t) ~(c[0] << 8 | c[1]) + (uint32_t)(uint16_t)~old + new;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	c[0] = (uint8_t)(~s >> 8);
	c[1] = (uint8_t)~s;
}

#define N_SUMS 2

/* Write the @p n bytes of @p v (n even) at @p p, at an even offset of
 * what each checksum of @p sums covers (NULL: none), each changed word
 * folded into them. */
static void put(uint8_t *p, const uint8_t *v, unsigned n, uint8_t *const sums[N_SUMS])
{
	for (unsigned i = 0; i < n; i += 2) {
		uint16_t o = be16(p + i), w = be16(v + i);
		if (o == w)
			continue;
		p[i] = v[i];
		p[i + 1] = v[i + 1];
		for (int s = 0; s < N_SUMS; s++)
			if (sums[s] != NULL)
				sum_replace(sums[s], o, w);
	}
}

int ct_nat_icmp_quote(uint8_t *icmp, uint32_t len, const uint8_t *ip6_addrs,
                      const struct ct_tuple *inner)
{
	bool v6 = inner->ip6 != 0;
	unsigned alen = v6 ? 16 : 4, hl;
	uint8_t *q = icmp + 8, *src, *dst, *ipsum = NULL;
	uint32_t n = len >= 8 ? len - 8 : 0;

	if (v6 && ip6_addrs == NULL)
		return -EINVAL;
	if (!v6) {
		if (n < 20 || (q[0] >> 4) != 4 || (q[0] & 15) < 5 || (q[0] & 15) * 4u > n)
			return -EINVAL;
		hl = (q[0] & 15) * 4u;
		src = q + 12;
		dst = q + 16;
		ipsum = q + 10;
	} else {
		if (n < 40 || (q[0] >> 4) != 6)
			return -EINVAL;
		hl = 40;
		src = q + 8;
		dst = q + 24;
	}
	if ((v6 ? q[6] : q[9]) != inner->proto)
		return -EINVAL;
	uint8_t *l4 = q + hl, *l4sum = NULL;
	uint32_t l4n = n - hl;
	bool pseudo = true, udp = false;
	switch (inner->proto) {
	case IPPROTO_UDP_:
		udp = true;
		if (l4n >= 8 && be16(l4 + 6) != 0)
			l4sum = l4 + 6;
		break;
	case IPPROTO_TCP_:
		if (l4n >= 20)
			l4sum = l4 + 16;
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		pseudo = inner->proto == IPPROTO_ICMPV6_;
		if (l4n >= 8)
			l4sum = l4 + 2;
		break;
	default:
		pseudo = false; /* SCTP's CRC32c covers the whole packet */
		break;
	}
	/* Addresses: the IPv4 header's checksum, and the L4 checksum's
	 * pseudo-header. */
	uint8_t *const asums[N_SUMS] = {ipsum, pseudo ? l4sum : NULL};
	put(src, inner->src, alen, asums);
	put(dst, inner->dst, alen, asums);
	uint8_t *const psums[N_SUMS] = {l4sum, NULL};
	if (inner->proto == IPPROTO_ICMP_ || inner->proto == IPPROTO_ICMPV6_) {
		if (l4n >= 8)
			put(l4 + 4, (const uint8_t *)&inner->sport, 2, psums); /* the echo id */
	} else if (inner->proto == IPPROTO_TCP_ || udp || inner->proto == IPPROTO_SCTP_) {
		if (l4n >= 4) {
			put(l4, (const uint8_t *)&inner->sport, 2, psums);
			put(l4 + 2, (const uint8_t *)&inner->dport, 2, psums);
		}
	}
	if (udp && l4sum != NULL && be16(l4sum) == 0)
		l4sum[0] = l4sum[1] = 0xff; /* 0 would say "no checksum" */
	/* The error's own checksum, over all it carries now. */
	uint32_t s = 0;
	icmp[2] = icmp[3] = 0;
	if (v6) {
		s = cksum_add(s, ip6_addrs, 32);
		s += (len >> 16) + (len & 0xffff) + IPPROTO_ICMPV6_;
	}
	uint16_t c = cksum_fold(cksum_add(s, icmp, len));
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 0;
}

int ct_nat_echo_id(uint8_t *icmp, uint32_t len, uint16_t id)
{
	if (len < 8)
		return -EINVAL;
	uint8_t *const sums[N_SUMS] = {icmp + 2, NULL};
	put(icmp + 4, (const uint8_t *)&id, 2, sums);
	return 0;
}
