/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generated packets (arp, nd_ns, nd_na, icmp4/6, their errors, tcp_reset,
 * reject): the headers they start with, as ovn-sb(5) lists them, and the
 * bytes they show the connection tracker. emit.c builds the frames.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/interp_int.h"

/* Initial headers of a generated packet, as ovn-sb(5) lists them. */
void pli_generate(struct pl_ctx *c, unsigned op)
{
	struct flow_key *k = &c->h.k;
	uint8_t ip6_dst[16];
	c->uncacheable = true; /* built from fields the walk did not record */
	c->natx.what = 0;      /* a new packet: nothing of the original's */
	switch (op) {
	case LFLOW_OP_ARP:
		c->kind = PL_KIND_ARP;
		memcpy(k->arp_sha, k->eth_src, 6);
		memset(k->arp_tha, 0, 6);
		memset(k->ip_src + 4, 0, 12);
		memset(k->ip_dst + 4, 0, 12);
		k->eth_type = rte_cpu_to_be_16(0x0806);
		k->nw_proto = 1;
		k->flags = FLOW_F_ARP;
		k->tp_src = k->tp_dst = 0;
		break;
	case LFLOW_OP_ND_NS:
		c->kind = PL_KIND_ND_NS;
		memcpy(k->nd_target, k->ip_dst, 16);
		memcpy(ip6_dst, (const uint8_t[16]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff},
		       13);
		memcpy(ip6_dst + 13, k->nd_target + 13, 3);
		memcpy(k->ip_dst, ip6_dst, 16);
		k->eth_dst[0] = 0x33;
		k->eth_dst[1] = 0x33;
		memcpy(k->eth_dst + 2, ip6_dst + 12, 4);
		memcpy(k->arp_sha, k->eth_src, 6);
		memset(k->arp_tha, 0, 6);
		k->nw_proto = 58;
		k->nw_ttl = 255;
		k->tp_src = rte_cpu_to_be_16(135);
		k->tp_dst = 0;
		k->flags = FLOW_F_IP6 | FLOW_F_L4 | FLOW_F_ND;
		break;
	case LFLOW_OP_ND_NA:
	case LFLOW_OP_ND_NA_ROUTER: {
		c->kind = op == LFLOW_OP_ND_NA ? PL_KIND_ND_NA : PL_KIND_ND_NA_ROUTER;
		uint8_t mac[6];
		memcpy(mac, k->eth_dst, 6);
		memcpy(k->eth_dst, k->eth_src, 6);
		memcpy(k->eth_src, mac, 6);
		memcpy(k->ip_dst, k->ip_src, 16);
		memcpy(k->ip_src, k->nd_target, 16);
		memset(k->arp_sha, 0, 6);
		memcpy(k->arp_tha, mac, 6);
		k->nw_proto = 58;
		k->nw_ttl = 255;
		k->tp_src = rte_cpu_to_be_16(136);
		k->tp_dst = 0;
		k->flags = FLOW_F_IP6 | FLOW_F_L4 | FLOW_F_ND;
		break;
	}
	case LFLOW_OP_ICMP4:
	case LFLOW_OP_ICMP4_ERROR:
		c->kind = op == LFLOW_OP_ICMP4 ? PL_KIND_ICMP4 : PL_KIND_ICMP4_ERROR;
		k->nw_proto = 1;
		k->nw_frag = 0;
		k->nw_ttl = 255;
		k->tp_src = rte_cpu_to_be_16(3);
		k->tp_dst = rte_cpu_to_be_16(1);
		k->flags = FLOW_F_IP4 | FLOW_F_L4;
		break;
	case LFLOW_OP_ICMP6:
	case LFLOW_OP_ICMP6_ERROR:
		c->kind = op == LFLOW_OP_ICMP6 ? PL_KIND_ICMP6 : PL_KIND_ICMP6_ERROR;
		k->nw_proto = 58;
		k->nw_ttl = 255;
		k->tp_src = rte_cpu_to_be_16(1);
		k->tp_dst = rte_cpu_to_be_16(1);
		k->flags = FLOW_F_IP6 | FLOW_F_L4;
		break;
	case LFLOW_OP_TCP_RESET:
	case LFLOW_OP_SCTP_ABORT: {
		/* The packet's ports reversed; the flows swap the rest. */
		uint16_t sp = k->tp_src;
		c->kind = op == LFLOW_OP_TCP_RESET ? PL_KIND_TCP_RST : PL_KIND_SCTP_ABORT;
		k->tp_src = k->tp_dst;
		k->tp_dst = sp;
		k->nw_ttl = 255;
		if (op == LFLOW_OP_TCP_RESET)
			k->tcp_flags = rte_cpu_to_be_16(0x04);
		break;
	}
	case LFLOW_OP_REJECT: {
		/* ovn-sb(5): a TCP segment gets a RST, anything else ICMP
		 * port unreachable (SCTP an ABORT, as ovn-controller does);
		 * addresses swapped, implicitly. */
		uint8_t t[16];
		bool tcp = k->nw_proto == 6 && (k->flags & FLOW_F_L4);
		bool v6 = (k->flags & FLOW_F_IP6) != 0;
		memcpy(t, k->eth_src, 6);
		memcpy(k->eth_src, k->eth_dst, 6);
		memcpy(k->eth_dst, t, 6);
		memcpy(t, k->ip_src, 16);
		memcpy(k->ip_src, k->ip_dst, 16);
		memcpy(k->ip_dst, t, 16);
		if (tcp) {
			pli_generate(c, LFLOW_OP_TCP_RESET);
			break;
		}
		if (k->nw_proto == 132 && (k->flags & FLOW_F_L4)) {
			/* As ovn-controller answers SCTP: an ABORT. */
			pli_generate(c, LFLOW_OP_SCTP_ABORT);
			break;
		}
		pli_generate(c, v6 ? LFLOW_OP_ICMP6_ERROR : LFLOW_OP_ICMP4_ERROR);
		k->tp_dst = rte_cpu_to_be_16(v6 ? 4 : 3); /* port unreachable */
		break;
	}
	}
}

/* A generated packet meets the tracker with its own bytes: a RST's
 * segment (as emit.c will write it), or an ICMP error's quote of the
 * original datagram. */
void pli_gen_ct_env(struct pl_ctx *c)
{
	const struct pl_ct_env *o = c->ct;
	uint8_t *g = c->gen_l4;
	if (o == NULL)
		return;
	c->gen_env = *o;
	c->gen_env.l3 = c->gen_env.l4 = NULL;
	c->gen_env.l3_len = c->gen_env.l4_len = 0;
	if (c->kind == PL_KIND_TCP_RST) {
		uint32_t seq, ack;
		uint8_t flags;
		pl_rst_for(o->l4, o->l4_len, &seq, &ack, &flags);
		memset(g, 0, 20);
		memcpy(g, &c->h.k.tp_src, 2);
		memcpy(g + 2, &c->h.k.tp_dst, 2);
		memcpy(g + 4, &seq, 4);
		memcpy(g + 8, &ack, 4);
		g[12] = 5 << 4;
		g[13] = flags;
		c->gen_env.l4 = g;
		c->gen_env.l4_len = 20;
	} else if (c->kind == PL_KIND_SCTP_ABORT) {
		uint32_t vtag;
		uint8_t flags;
		pl_abort_for(o->l4, o->l4_len, &vtag, &flags);
		memset(g, 0, 16);
		memcpy(g, &c->h.k.tp_src, 2);
		memcpy(g + 2, &c->h.k.tp_dst, 2);
		memcpy(g + 4, &vtag, 4);
		g[12] = 6; /* ABORT */
		g[13] = flags;
		g[15] = 4;
		c->gen_env.l4 = g;
		c->gen_env.l4_len = 16;
	} else if (c->kind == PL_KIND_ICMP4_ERROR || c->kind == PL_KIND_ICMP6_ERROR ||
	           c->kind == PL_KIND_ICMP4 || c->kind == PL_KIND_ICMP6) {
		/* icmp4 {} quotes as icmp4_error {} does (emit.c): a router's
		 * time exceeded is an icmp4 {} action. */
		uint32_t q = o->l3 ? o->l3_len : 0;
		if (q > sizeof(c->gen_l4) - 8)
			q = sizeof(c->gen_l4) - 8;
		memset(g, 0, 8);
		g[0] = (uint8_t)rte_be_to_cpu_16(c->h.k.tp_src);
		g[1] = (uint8_t)rte_be_to_cpu_16(c->h.k.tp_dst);
		if (q)
			memcpy(g + 8, o->l3, q);
		c->gen_env.l4 = g;
		c->gen_env.l4_len = 8 + q;
	}
	c->ct = &c->gen_env;
}
