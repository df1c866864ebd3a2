/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCTP state from the chunk types of each packet, and the verification
 * tags (RFC 9260), called with the connection's lock held.
 *
 * An association opens with INIT, INIT_ACK, COOKIE_ECHO and COOKIE_ACK,
 * and closes with SHUTDOWN, SHUTDOWN_ACK and SHUTDOWN_COMPLETE, or at once
 * with ABORT. The states, named as Linux's conntrack names them, say what
 * has been seen:
 *   COOKIE_WAIT        an INIT (and perhaps the INIT_ACK answering it);
 *   COOKIE_ECHOED      then a COOKIE_ECHO;
 *   ESTABLISHED        then a COOKIE_ACK;
 *   SHUTDOWN_SENT      a SHUTDOWN from the original direction,
 *   SHUTDOWN_RECD      or from the reply direction;
 *   SHUTDOWN_ACK_SENT  then a SHUTDOWN_ACK;
 *   CLOSED             then a SHUTDOWN_COMPLETE, or an ABORT at any time.
 * Other chunks (DATA, SACK, HEARTBEAT...) change no state. Only an INIT
 * opens a connection, and an INIT meeting a CLOSED one starts a new one
 * (ct.c), as a SYN does after TIME_WAIT.
 *
 * Tags. An INIT's Initiate Tag is the tag its sender wants on the packets
 * it receives; the INIT_ACK carries that tag and gives its own. So
 * vtag[d], the tag of direction d's packets, is learned from the INIT
 * sent the other way (vtag[reply] at once) and from the INIT_ACK (both).
 * A packet whose tag is not its direction's is invalid and changes
 * nothing, except for what section 8.5.1 exempts: an INIT carries 0 (and
 * must travel alone); an ABORT or SHUTDOWN_COMPLETE with its T bit set
 * carries its sender's own tag, the other direction's. Tags are never 0,
 * so 0 is "not learned": until the INIT_ACK the initiator may send only
 * its INIT again, or an ABORT with the T bit.
 *
 * An INIT on an association that is up (a restart, or both ends opening
 * at once after a loss) changes no tag by itself: its Initiate Tag is kept
 * in init_tag[d], and the INIT_ACK that carries it back sets both tags.
 * An INIT_ACK must carry the Initiate Tag of an INIT seen the other way.
 *
 * Not done: the CRC32c is not checked (the receiver checks it); a
 * multihomed association's other paths are not picked up (their first
 * packet is a HEARTBEAT, not an INIT: invalid).
 */
#include "dataplane/conntrack/ct.h"

#define BIT(type) CT_SCTP_BIT(CT_SCTP_##type)

/* Chunks that travel alone (RFC 9260 section 6.10). */
#define ALONE (BIT(INIT) | BIT(INIT_ACK) | BIT(SHUTDOWN_COMPLETE))

bool ct_sctp_new(struct ct_conn *c, const struct ct_sctp_pkt *p)
{
	if (p->chunks != BIT(INIT) || p->vtag != 0 || p->init_tag == 0)
		return false;
	c->sctp.vtag[CT_DIR_ORIG] = 0;
	c->sctp.vtag[CT_DIR_REPLY] = p->init_tag;
	c->sctp.init_tag[CT_DIR_ORIG] = p->init_tag;
	c->sctp.init_tag[CT_DIR_REPLY] = 0;
	c->tcp_state = CT_SCTP_COOKIE_WAIT;
	return true;
}

/* Whether the packet's tag is the one its chunks call for (8.5, 8.5.1). */
static bool tag_ok(const struct ct_sctp_conn *s, enum ct_dir dir, const struct ct_sctp_pkt *p)
{
	uint16_t ch = p->chunks;

	if (ch == 0 || ((ch & ALONE) && (ch & (ch - 1))))
		return false; /* no chunk, or one that must be alone is not */
	if (ch & BIT(INIT))
		return p->vtag == 0 && p->init_tag != 0;
	if (ch & BIT(INIT_ACK))
		return p->vtag != 0 && p->vtag == s->init_tag[!dir] && p->init_tag != 0;
	if ((ch & (BIT(ABORT) | BIT(SHUTDOWN_COMPLETE))) && (p->flags & CT_SCTP_T))
		return p->vtag != 0 && p->vtag == s->vtag[!dir];
	return p->vtag != 0 && p->vtag == s->vtag[dir];
}

bool ct_sctp_update(struct ct_conn *c, enum ct_dir dir, const struct ct_sctp_pkt *p)
{
	struct ct_sctp_conn *s = &c->sctp;
	uint16_t ch = p->chunks;
	uint8_t st = c->tcp_state;

	if (!tag_ok(s, dir, p))
		return false;
	if (ch & BIT(INIT)) {
		s->init_tag[dir] = p->init_tag;
		/* Before the association is up, the INIT's tag is the one to
		 * expect at once (a retransmission, or an INIT each way). */
		if (st < CT_SCTP_ESTABLISHED)
			s->vtag[!dir] = p->init_tag;
	}
	if (ch & BIT(INIT_ACK)) {
		s->vtag[dir] = p->vtag;
		s->vtag[!dir] = p->init_tag;
	}
	if ((ch & BIT(COOKIE_ECHO)) && st == CT_SCTP_COOKIE_WAIT)
		st = CT_SCTP_COOKIE_ECHOED;
	if ((ch & BIT(COOKIE_ACK)) && st == CT_SCTP_COOKIE_ECHOED)
		st = CT_SCTP_ESTABLISHED;
	if ((ch & BIT(SHUTDOWN)) && st == CT_SCTP_ESTABLISHED)
		st = dir == CT_DIR_ORIG ? CT_SCTP_SHUTDOWN_SENT : CT_SCTP_SHUTDOWN_RECD;
	/* Either side may answer: both send SHUTDOWN when they close at once. */
	if ((ch & BIT(SHUTDOWN_ACK)) &&
	    (st == CT_SCTP_SHUTDOWN_SENT || st == CT_SCTP_SHUTDOWN_RECD))
		st = CT_SCTP_SHUTDOWN_ACK_SENT;
	if ((ch & BIT(SHUTDOWN_COMPLETE)) && st == CT_SCTP_SHUTDOWN_ACK_SENT)
		st = CT_SCTP_CLOSED;
	if (ch & BIT(ABORT))
		st = CT_SCTP_CLOSED;
	c->tcp_state = st;
	return true;
}
