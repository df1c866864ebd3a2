/* SPDX-License-Identifier: Apache-2.0 */
/* What the tracker needs of a packet, read from its bytes (ct.h). */
#include <string.h>

#include "dataplane/conntrack/ct.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The window scale option of a SYN, or -1. */
static int8_t tcp_wscale(const uint8_t *opt, unsigned n)
{
	for (unsigned i = 0; i < n;) {
		if (opt[i] == 0)
			break;
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
			break;
		if (opt[i] == 3 && opt[i + 1] == 3)
			return (int8_t)(opt[i + 2] > 14 ? 14 : opt[i + 2]);
		i += opt[i + 1];
	}
	return -1;
}

/* The verification tag and the chunks of an SCTP packet (RFC 9260
 * section 3): the common header, then chunks of (type, flags, length),
 * each padded to 4 bytes. In a first fragment (@p cut) the last chunk may
 * run past the end. */
static bool sctp_chunks(const uint8_t *l4, uint32_t n, bool cut, struct ct_sctp_pkt *p)
{
	unsigned count = 0;

	if (n < 12)
		return false;
	p->vtag = be32(l4 + 4);
	for (uint32_t off = 12; off < n; count++) {
		uint32_t left = n - off;
		uint16_t len = left >= 4 ? be16(l4 + off + 2) : 0;
		uint8_t type = l4[off];

		if (left < 4 || len < 4)
			return false;
		if (len > left && !cut)
			return false; /* truncated */
		if (type == CT_SCTP_INIT || type == CT_SCTP_INIT_ACK) {
			if (len < 20 || left < 8)
				return false;
			p->init_tag = be32(l4 + off + 4);
		} else if (type == CT_SCTP_ABORT || type == CT_SCTP_SHUTDOWN_COMPLETE) {
			if (l4[off + 1] & 1)
				p->flags |= CT_SCTP_T;
		}
		p->chunks |= CT_SCTP_BIT(type < CT_SCTP_OTHER ? type : CT_SCTP_OTHER);
		off += (len + 3u) & ~3u;
	}
	/* INIT, INIT_ACK and SHUTDOWN_COMPLETE travel alone. */
	if (count > 1 && (p->chunks & (CT_SCTP_BIT(CT_SCTP_INIT) | CT_SCTP_BIT(CT_SCTP_INIT_ACK) |
	                               CT_SCTP_BIT(CT_SCTP_SHUTDOWN_COMPLETE))))
		return false;
	return count > 0;
}

static bool icmp_error(bool v6, uint8_t type)
{
	return v6 ? type >= 1 && type <= 4 : type == 3 || type == 11 || type == 12;
}

/* The tuple of the packet an ICMP error quotes, from the quoted headers. */
static enum ct_pkt_kind quoted_tuple(bool v6, const uint8_t *q, uint32_t n, struct ct_tuple *tp)
{
	unsigned hl, alen = v6 ? 16 : 4;
	uint8_t proto;

	memset(tp, 0, sizeof(*tp));
	if (!v6) {
		if (n < 20 || (q[0] >> 4) != 4 || (q[0] & 15) < 5)
			return CT_PKT_INVALID;
		hl = (q[0] & 15) * 4u;
		proto = q[9];
		memcpy(tp->src, q + 12, 4);
		memcpy(tp->dst, q + 16, 4);
		if ((be16(q + 6) & 0x1fff) != 0)
			return CT_PKT_INVALID; /* a later fragment quotes no ports */
	} else {
		if (n < 40 || (q[0] >> 4) != 6)
			return CT_PKT_INVALID;
		hl = 40;
		proto = q[6]; /* extension headers: not followed */
		memcpy(tp->src, q + 8, 16);
		memcpy(tp->dst, q + 24, 16);
	}
	(void)alen;
	tp->proto = proto;
	tp->ip6 = v6;
	if (n < hl + 8)
		return proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_ ? CT_PKT_INVALID
		                                                      : CT_PKT_RELATED;
	const uint8_t *l4 = q + hl;
	if (proto == IPPROTO_ICMP_ || proto == IPPROTO_ICMPV6_) {
		/* Only echoes are connections. */
		if (!(v6 ? l4[0] == 128 || l4[0] == 129 : l4[0] == 8 || l4[0] == 0))
			return CT_PKT_INVALID;
		memcpy(&tp->sport, l4 + 4, 2);
		((uint8_t *)&tp->dport)[1] = l4[0];
	} else if (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_ || proto == IPPROTO_SCTP_) {
		memcpy(&tp->sport, l4, 2);
		memcpy(&tp->dport, l4 + 2, 2);
	}
	return CT_PKT_RELATED;
}

enum ct_pkt_kind ct_packet(const struct flow_key *k, const uint8_t *l4, uint32_t l4_len,
                           struct ct_tuple *tp, struct ct_tcp_seg *seg)
{
	bool v6 = (k->flags & FLOW_F_IP6) != 0;
	uint8_t proto = k->nw_proto;

	memset(seg, 0, sizeof(*seg));
	seg->wscale = -1;
	if (!(k->flags & (FLOW_F_IP4 | FLOW_F_IP6)))
		return CT_PKT_INVALID;
	if (k->nw_frag & FLOW_FRAG_LATER)
		return CT_PKT_FRAG;
	if ((proto == IPPROTO_ICMP_ || proto == IPPROTO_ICMPV6_) && (k->flags & FLOW_F_L4)) {
		uint8_t type = ((const uint8_t *)&k->tp_src)[1];
		if (icmp_error(v6, type))
			return l4 && l4_len >= 8 ? quoted_tuple(v6, l4 + 8, l4_len - 8, tp)
			                         : CT_PKT_INVALID;
		uint16_t id = 0;
		if (l4 && l4_len >= 8)
			memcpy(&id, l4 + 4, 2);
		return ct_tuple_from_key(k, id, tp) == 0 ? CT_PKT_CONN : CT_PKT_INVALID;
	}
	if (ct_tuple_from_key(k, 0, tp) != 0)
		return CT_PKT_INVALID;
	if (proto == IPPROTO_TCP_ && (k->flags & FLOW_F_L4)) {
		if (l4 == NULL)
			return CT_PKT_CONN; /* trace: no segment to check */
		if (l4_len < 20 || (l4[12] >> 4) < 5 || (l4[12] >> 4) * 4u > l4_len)
			return CT_PKT_INVALID;
		unsigned doff = (l4[12] >> 4) * 4u;
		seg->flags = l4[13];
		seg->seq = be32(l4 + 4);
		seg->ack = be32(l4 + 8);
		seg->win = be16(l4 + 14);
		seg->len = l4_len - doff;
		if (seg->flags & CT_TCP_SYN)
			seg->wscale = tcp_wscale(l4 + 20, doff - 20);
	}
	if (proto == IPPROTO_SCTP_ && (k->flags & FLOW_F_L4) && l4 != NULL &&
	    !sctp_chunks(l4, l4_len, (k->nw_frag & FLOW_FRAG_ANY) != 0, &seg->sctp))
		return CT_PKT_INVALID;
	return CT_PKT_CONN;
}
