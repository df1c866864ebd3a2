/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Canonical text of actions: what ferry-lflow-check prints and the golden
 * tests compare. LFLOW_ACTIONS expands into format_X for each action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "arena.h"
#include "symtab.h"
#include "u128.h"

struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t l = strlen(s);
	if (b->n + l + 1 > b->cap) {
		while (b->n + l + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			abort();
	}
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

static void sb_ref(struct sbuf *b, const struct aref *r)
{
	char buf[128];
	sb_add(b, r->sym->name);
	if (!r->sub)
		return;
	if (r->width == 1)
		snprintf(buf, sizeof(buf), "[%u]", r->ofs);
	else
		snprintf(buf, sizeof(buf), "[%u..%u]", r->ofs, r->ofs + r->width - 1);
	sb_add(b, buf);
}

static void sb_string(struct sbuf *b, const char *s)
{
	sb_add(b, "\"");
	for (; *s; s++) {
		char c[8];
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof(c), "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			snprintf(c, sizeof(c), "\\u%04x", (unsigned char)*s);
		else
			snprintf(c, sizeof(c), "%c", *s);
		sb_add(b, c);
	}
	sb_add(b, "\"");
}

static void sb_int(struct sbuf *b, const struct aval *v)
{
	static const unsigned fmt_field[] = {
	        [LEX_F_DEC] = LFLOW_F_IP_PROTO, [LEX_F_HEX] = LFLOW_F_REG0,
	        [LEX_F_IPV4] = LFLOW_F_IP4_SRC, [LEX_F_IPV6] = LFLOW_F_IP6_SRC,
	        [LEX_F_ETH] = LFLOW_F_ETH_SRC,
	};
	char buf[128];
	unsigned f = fmt_field[v->fmt];
	if (v->fmt == LEX_F_DEC && v->value.hi)
		f = LFLOW_F_REG0;
	value_format(f, v->value, v->mask, !v->has_mask, buf, sizeof(buf));
	if (v->bracket) {
		sb_add(b, "[");
		sb_add(b, buf);
		sb_add(b, "]");
	} else {
		sb_add(b, buf);
	}
	if (v->has_hi) {
		snprintf(buf, sizeof(buf), "-%u", v->hi);
		sb_add(b, buf);
	}
	if (v->has_port) {
		snprintf(buf, sizeof(buf), ":%u", v->port);
		sb_add(b, buf);
	}
}

static void sb_val(struct sbuf *b, const struct aval *v)
{
	switch (v->kind) {
	case AV_INT:
		sb_int(b, v);
		break;
	case AV_STR:
		sb_string(b, v->s);
		break;
	case AV_FIELD:
		sb_ref(b, &v->f);
		break;
	case AV_WORD:
		sb_add(b, v->s);
		break;
	case AV_SET:
		sb_add(b, "{");
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sb_add(b, ", ");
			sb_val(b, &v->elems[i]);
		}
		sb_add(b, "}");
		break;
	}
}

static void sb_list(struct sbuf *b, const struct act *acts);

static void format_generic(struct sbuf *b, const struct act *a)
{
	if (a->has_dst) {
		sb_ref(b, &a->dst);
		sb_add(b, " = ");
	}
	sb_add(b, action_name(a->op));
	if (a->has_args) {
		sb_add(b, "(");
		for (size_t i = 0; i < a->n_args; i++) {
			const struct aarg *g = &a->args[i];
			if (g->sep == ',')
				sb_add(b, ", ");
			else if (g->sep == ';')
				sb_add(b, "; ");
			if (g->key) {
				sb_add(b, g->key);
				sb_add(b, "=");
			}
			sb_val(b, &g->v);
		}
		sb_add(b, ")");
	}
	if (a->has_nested) {
		sb_add(b, " { ");
		sb_list(b, a->nested);
		sb_add(b, a->nested ? " };" : "};");
		return;
	}
	sb_add(b, ";");
}

static void format_next(struct sbuf *b, const struct act *a)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "next(pipeline=%s, table=%u);",
	         a->pipeline ? "egress" : "ingress", a->table);
	sb_add(b, buf);
}

static void format_load(struct sbuf *b, const struct act *a)
{
	sb_ref(b, &a->dst);
	sb_add(b, " = ");
	sb_val(b, &a->val);
	sb_add(b, ";");
}

static void format_move(struct sbuf *b, const struct act *a)
{
	sb_ref(b, &a->dst);
	sb_add(b, a->op == LFLOW_OP_EXCHANGE ? " <-> " : " = ");
	sb_ref(b, &a->src);
	sb_add(b, ";");
}

static void format_dec_ttl(struct sbuf *b, const struct act *a)
{
	(void)a;
	sb_add(b, "ip.ttl--;");
}

#define format_OUTPUT               format_generic
#define format_NEXT                 format_next
#define format_DROP                 format_generic
#define format_LOAD                 format_load
#define format_MOVE                 format_move
#define format_EXCHANGE             format_move
#define format_DEC_TTL              format_dec_ttl
#define format_PUSH                 format_generic
#define format_POP                  format_generic
#define format_CLONE                format_generic
#define format_CT_NEXT              format_generic
#define format_CT_COMMIT            format_generic
#define format_CT_COMMIT_NAT        format_generic
#define format_CT_DNAT              format_generic
#define format_CT_SNAT              format_generic
#define format_CT_DNAT_IN_CZONE     format_generic
#define format_CT_SNAT_IN_CZONE     format_generic
#define format_CT_LB                format_generic
#define format_CT_LB_MARK           format_generic
#define format_CT_CLEAR             format_generic
#define format_CT_SNAT_TO_VIP       format_generic
#define format_SELECT               format_generic
#define format_ARP                  format_generic
#define format_ND_NS                format_generic
#define format_ND_NA                format_generic
#define format_ND_NA_ROUTER         format_generic
#define format_ICMP4                format_generic
#define format_ICMP4_ERROR          format_generic
#define format_ICMP6                format_generic
#define format_ICMP6_ERROR          format_generic
#define format_IGMP                 format_generic
#define format_TCP_RESET            format_generic
#define format_SCTP_ABORT           format_generic
#define format_REJECT               format_generic
#define format_GET_ARP              format_generic
#define format_PUT_ARP              format_generic
#define format_LOOKUP_ARP           format_generic
#define format_LOOKUP_ARP_IP        format_generic
#define format_GET_ND               format_generic
#define format_PUT_ND               format_generic
#define format_LOOKUP_ND            format_generic
#define format_LOOKUP_ND_IP         format_generic
#define format_PUT_DHCP_OPTS        format_generic
#define format_PUT_DHCPV6_OPTS      format_generic
#define format_DNS_LOOKUP           format_generic
#define format_PUT_ND_RA_OPTS       format_generic
#define format_HANDLE_DHCPV6_REPLY  format_generic
#define format_SET_QUEUE            format_generic
#define format_LOG                  format_generic
#define format_SET_METER            format_generic
#define format_CHECK_PKT_LARGER     format_generic
#define format_TRIGGER_EVENT        format_generic
#define format_BIND_VPORT           format_generic
#define format_HANDLE_SVC_CHECK     format_generic
#define format_HANDLE_BFD_MSG       format_generic
#define format_FWD_GROUP            format_generic
#define format_CHK_LB_HAIRPIN       format_generic
#define format_CHK_LB_HAIRPIN_REPLY format_generic
#define format_PUT_FDB              format_generic
#define format_GET_FDB              format_generic
#define format_LOOKUP_FDB           format_generic
#define format_CHECK_IN_PORT_SEC    format_generic
#define format_CHECK_OUT_PORT_SEC   format_generic
#define format_COMMIT_ECMP_NH       format_generic
#define format_CHK_ECMP_NH_MAC      format_generic
#define format_CHK_ECMP_NH          format_generic
#define format_COMMIT_LB_AFF        format_generic
#define format_CHK_LB_AFF           format_generic
#define format_SAMPLE               format_generic

typedef void format_fn(struct sbuf *, const struct act *);

static format_fn *const formatters[LFLOW_OP_N] = {
#define FORMAT_ROW(E, N, X) format_##E,
        LFLOW_ACTIONS(FORMAT_ROW)
#undef FORMAT_ROW
};

static void sb_list(struct sbuf *b, const struct act *acts)
{
	for (const struct act *a = acts; a != NULL; a = a->next) {
		if (a != acts)
			sb_add(b, " ");
		formatters[a->op](b, a);
	}
}

char *actions_format(const struct act *acts, struct arena *a)
{
	struct sbuf b = {0};
	if (acts == NULL)
		sb_add(&b, "drop;");
	else
		sb_list(&b, acts);
	char *r = arena_strdup(a, b.s);
	free(b.s);
	return r;
}
