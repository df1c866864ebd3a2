/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ct actions against the tracker (dataplane/conntrack/), one place for
 * the interpreter and for cache hits that replay a walk's ct actions.
 */
#include <string.h>

#include "dataplane/api/lflow_prog.h"
#include "dataplane/pipeline/interp.h"

void pl_ct_exec_view(const struct pl_ct_env *env, struct pl_ct_view *v, unsigned op, uint16_t zone,
                     const struct ct_commit *commit, const struct ct_result *cur, uint16_t cur_zone,
                     struct ct_result *res)
{
	if (op == LFLOW_OP_CHK_LB_HAIRPIN_REPLY) {
		/* A look, no more: whether the packet answers a connection of
		 * the zone (state and translation as found, nothing updated). */
		memset(res, 0, sizeof(*res));
		if (v->kind == CT_PKT_CONN)
			ct_peek(env->t, zone, &v->tp, env->now, res);
		res->conn = NULL;
		return;
	}
	if (op == LFLOW_OP_CT_COMMIT && !env->peek && cur != NULL && cur->conn != NULL &&
	    cur_zone == zone) {
		/* The packet's connection, from the ct action just before in
		 * this zone: the commit only sets mark and label (OVS keeps the
		 * connection it found with the packet, and so do we). After a
		 * ct action in another zone, or ct_clear, the packet has no
		 * connection here and the commit looks its tuple up. */
		*res = *cur;
		ct_commit_conn(res->conn, commit, res);
		return;
	}
	switch ((enum ct_pkt_kind)v->kind) {
	case CT_PKT_INVALID:
		ct_note_invalid(env->t, res);
		return;
	case CT_PKT_FRAG: {
		/* A later fragment: what its datagram's first fragment got. */
		struct ct_frag_key fk = v->fk;
		fk.zone = zone;
		if (env->frags == NULL || !ct_frag_follow(env->frags, &fk, env->now, res))
			ct_note_invalid(env->t, res);
		return;
	}
	case CT_PKT_RELATED:
		ct_related(env->t, zone, &v->tp, env->now, res);
		return;
	case CT_PKT_CONN:
		break;
	}
	if (env->peek) {
		ct_peek(env->t, zone, &v->tp, env->now, res);
		return;
	}
	const struct ct_tcp_seg *seg =
	        v->tp.proto == IPPROTO_TCP_ || v->tp.proto == IPPROTO_SCTP_ ? &v->seg : NULL;
	const struct ct_commit *m = op == LFLOW_OP_CT_COMMIT ? commit : NULL;
	if (m != NULL && pl_ct_absent(cur, cur_zone, zone))
		ct_commit_absent(env->t, zone, &v->tp, pl_ct_hbase(v), seg, env->now, m, res);
	else
		ct_process_hashed(env->t, zone, &v->tp, pl_ct_hbase(v), seg, env->now, m, res);
	if (v->first_frag && env->frags != NULL) {
		struct ct_frag_key fk = v->fk;
		fk.zone = zone;
		ct_frag_note(env->frags, &fk, res, env->now);
	}
}

void pl_abort_for(const uint8_t *sctp, uint32_t len, uint32_t *vtag, uint8_t *flags)
{
	/* RFC 9260 8.4: to an INIT, its Initiate Tag, T bit clear; to any
	 * other packet, that packet's own tag reflected, T bit set. */
	*vtag = 0;
	*flags = 0x01;
	if (sctp == NULL || len < 12)
		return;
	if (len >= 12 + 20 && sctp[12] == 1) {
		memcpy(vtag, sctp + 16, 4);
		*flags = 0;
		return;
	}
	memcpy(vtag, sctp + 4, 4);
}

void pl_rst_for(const uint8_t *tcp, uint32_t seg_len, uint32_t *seq, uint32_t *ack, uint8_t *flags)
{
	/* RFC 9293 3.10.7.1: to a segment with ACK, a RST with its ack as the
	 * sequence number; to one without, RST|ACK acknowledging it. */
	*seq = *ack = 0;
	*flags = 0x04;
	if (tcp == NULL || seg_len < 20)
		return;
	if (tcp[13] & 0x10) {
		memcpy(seq, tcp + 8, 4);
		return;
	}
	uint32_t oseq =
	        (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	uint32_t hl = (uint32_t)(tcp[12] >> 4) * 4u;
	uint32_t data = seg_len > hl ? seg_len - hl : 0;
	uint32_t a = oseq + data + ((tcp[13] & 0x02) ? 1 : 0) + ((tcp[13] & 0x01) ? 1 : 0);
	uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
	memcpy(ack, b, 4);
	*flags |= 0x10;
}
