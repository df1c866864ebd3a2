/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCP state and window validation, called with the connection's lock held.
 *
 * Each side (struct ct_tcp_peer, as a sender) keeps the sequence edge it
 * has reached (end), the furthest the other side has allowed it to go
 * (maxend: ack + window), and the largest window it advertised (maxwin).
 * A segment is in the window when
 *   - it starts no later than the receiver allowed: seq <= sender.maxend;
 *   - it is not older than the receiver's window: end > sender.end -
 *     receiver.maxwin;
 *   - its ack acknowledges nothing unsent: ack <= receiver.end;
 *   - and its ack is not too old: ack > receiver.end - max(sender.maxwin,
 *     CT_MAXACKWIN);
 * which is the rule Linux's conntrack applies (Rooij, "Real stateful TCP
 * packet filtering in IP Filter"). An out-of-window segment is invalid and
 * leaves the connection untouched. A liberal table, or a connection picked
 * up mid-stream, skips the check but still tracks the edges and states.
 */
#include <stddef.h>

#include "dataplane/conntrack/ct.h"

#define CT_PEER_WSCALE    0x01 /* sent the window scale option */
#define CT_PEER_FIN       0x02 /* sent a FIN, ending at fin_end */
#define CT_PEER_FIN_ACKED 0x04 /* its FIN was acknowledged */

/* The least ack window, so that small windows do not reject old acks. */
#define CT_MAXACKWIN 66000

static bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static bool seq_after(uint32_t a, uint32_t b)
{
	return seq_before(b, a);
}

static bool flags_invalid(uint8_t f)
{
	if ((f & CT_TCP_SYN) && (f & (CT_TCP_RST | CT_TCP_FIN)))
		return true;
	return (f & (CT_TCP_SYN | CT_TCP_RST | CT_TCP_ACK | CT_TCP_FIN)) == 0;
}

static uint32_t seg_end(const struct ct_tcp_seg *s)
{
	uint32_t end = s->seq + s->len;

	if (s->flags & CT_TCP_SYN)
		end++;
	if (s->flags & CT_TCP_FIN)
		end++;
	return end;
}

static void peer_init(struct ct_tcp_peer *p, const struct ct_tcp_seg *s)
{
	p->end = seg_end(s);
	p->maxend = p->end;
	p->maxwin = s->win ? s->win : 1;
	p->wscale = s->wscale >= 0 ? (uint8_t)(s->wscale > 14 ? 14 : s->wscale) : 0;
	p->flags = s->wscale >= 0 ? CT_PEER_WSCALE : 0;
	p->fin_end = 0;
}

bool ct_tcp_new(struct ct_conn *c, const struct ct_tcp_seg *s, bool liberal)
{
	(void)liberal;
	if (flags_invalid(s->flags) || (s->flags & CT_TCP_RST))
		return false;
	/* A SYN+ACK opens nothing: it answers a connection we do not know. */
	if ((s->flags & CT_TCP_SYN) && (s->flags & CT_TCP_ACK))
		return false;
	peer_init(&c->peer[CT_DIR_ORIG], s);
	if (s->flags & CT_TCP_SYN) {
		c->tcp_state = CT_TCP_SYN_SENT;
		return true;
	}
	/* Mid-stream: neither side's window is known. */
	c->tcp_state = CT_TCP_ESTABLISHED;
	c->flags |= CT_F_LIBERAL;
	return true;
}

static bool in_window(const struct ct_tcp_peer *snd, const struct ct_tcp_peer *rcv,
                      const struct ct_tcp_seg *s, uint32_t end)
{
	uint32_t ack = (s->flags & CT_TCP_ACK) ? s->ack : rcv->end;
	uint32_t ackwin = snd->maxwin > CT_MAXACKWIN ? snd->maxwin : CT_MAXACKWIN;
	uint32_t rwin = rcv->maxwin ? rcv->maxwin : 1;

	if (rcv->maxwin == 0 && (s->flags & CT_TCP_ACK))
		return false; /* acks a side that has not spoken */
	return !seq_after(s->seq, snd->maxend) && seq_after(end, snd->end - rwin - 1) &&
	       !seq_after(ack, rcv->end) && seq_after(ack, rcv->end - ackwin);
}

static void advance(struct ct_tcp_peer *snd, struct ct_tcp_peer *rcv, const struct ct_tcp_seg *s,
                    uint32_t end)
{
	uint32_t win = (uint32_t)s->win << ((s->flags & CT_TCP_SYN) ? 0 : snd->wscale);

	if (win > snd->maxwin)
		snd->maxwin = win;
	if (seq_after(end, snd->end))
		snd->end = end;
	if (seq_after(end, snd->maxend))
		snd->maxend = end;
	if (s->flags & CT_TCP_ACK) {
		uint32_t edge = s->ack + (win ? win : 1);

		if (rcv->maxwin == 0 || seq_after(edge, rcv->maxend))
			rcv->maxend = edge;
		if ((rcv->flags & CT_PEER_FIN) && !seq_before(s->ack, rcv->fin_end))
			rcv->flags |= CT_PEER_FIN_ACKED;
	}
	if ((s->flags & CT_TCP_FIN) && !(snd->flags & CT_PEER_FIN)) {
		snd->flags |= CT_PEER_FIN;
		snd->fin_end = end;
	}
}

/* The closing states follow from which FINs were sent and acknowledged. */
static uint8_t closing_state(const struct ct_conn *c)
{
	unsigned fins = 0, acked = 0;

	for (int d = 0; d < 2; d++) {
		fins += !!(c->peer[d].flags & CT_PEER_FIN);
		acked += !!(c->peer[d].flags & CT_PEER_FIN_ACKED);
	}
	if (fins == 2)
		return acked == 2 ? CT_TCP_TIME_WAIT : CT_TCP_LAST_ACK;
	if (fins == 1)
		return acked ? CT_TCP_CLOSE_WAIT : CT_TCP_FIN_WAIT;
	return c->tcp_state;
}

/* The answer to the SYN: the responder's side becomes known. */
static bool syn_ack(struct ct_conn *c, const struct ct_tcp_seg *s, bool liberal)
{
	struct ct_tcp_peer *o = &c->peer[CT_DIR_ORIG], *r = &c->peer[CT_DIR_REPLY];

	if (c->tcp_state != CT_TCP_SYN_SENT && c->tcp_state != CT_TCP_SYN_RECV)
		return false;
	if (!liberal && s->ack != o->end)
		return false;
	peer_init(r, s);
	/* Scaling applies only when both sides offered it (RFC 7323). */
	if (!((o->flags & CT_PEER_WSCALE) && (r->flags & CT_PEER_WSCALE)))
		o->wscale = r->wscale = 0;
	o->maxend = s->ack + (s->win ? s->win : 1);
	c->tcp_state = CT_TCP_SYN_RECV;
	return true;
}

bool ct_tcp_update(struct ct_conn *c, enum ct_dir dir, const struct ct_tcp_seg *s, bool liberal)
{
	struct ct_tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[!dir];
	uint32_t end = seg_end(s);
	uint8_t f = s->flags;

	liberal = liberal || (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CT_F_LIBERAL);
	if (flags_invalid(f))
		return false;
	if (f & CT_TCP_SYN) {
		if (dir == CT_DIR_REPLY && (f & CT_TCP_ACK))
			return syn_ack(c, s, liberal);
		/* A retransmitted SYN, the same sequence as the first. */
		if (dir == CT_DIR_ORIG && !(f & CT_TCP_ACK) && c->tcp_state == CT_TCP_SYN_SENT)
			return liberal || end == snd->end;
		return false;
	}
	if (snd->maxwin == 0 && c->tcp_state == CT_TCP_SYN_SENT) {
		/* The responder has not answered the SYN: only a refusal (RST
		 * acknowledging the SYN) may come from it now. */
		if (!(f & CT_TCP_RST) || !(f & CT_TCP_ACK) || (!liberal && s->ack != rcv->end))
			return false;
		c->tcp_state = CT_TCP_CLOSE;
		return true;
	}
	struct ct_tcp_peer first;
	if (snd->maxwin == 0) {
		/* Picked up mid-stream (or refused): the other side's first,
		 * kept only if the segment is valid. */
		peer_init(&first, s);
		snd = &first;
	}
	if (!liberal && !in_window(snd, rcv, s, end))
		return false;
	if (snd == &first) {
		c->peer[dir] = first;
		snd = &c->peer[dir];
	}
	if (f & CT_TCP_RST) {
		c->tcp_state = CT_TCP_CLOSE;
		return true;
	}
	advance(snd, rcv, s, end);
	if (c->tcp_state == CT_TCP_SYN_RECV && dir == CT_DIR_ORIG && (f & CT_TCP_ACK))
		c->tcp_state = CT_TCP_ESTABLISHED;
	if (c->tcp_state >= CT_TCP_ESTABLISHED && c->tcp_state < CT_TCP_CLOSE)
		c->tcp_state = closing_state(c);
	return true;
}
