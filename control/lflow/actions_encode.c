/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Action programs (format in dataplane/api/lflow_prog.h). LFLOW_ACTIONS
 * expands into encode_X for each action: the executable ones have their own
 * encoders, the others share encode_punt.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "symtab.h"
#include "u128.h"

struct enc {
	struct prog_buf *pb;
	lflow_port_key_fn *key;
	void *aux;
};

static void pb_reserve(struct prog_buf *pb, size_t n)
{
	if (pb->n + n <= pb->cap)
		return;
	while (pb->n + n > pb->cap)
		pb->cap = pb->cap ? pb->cap * 2 : 16;
	pb->w = realloc(pb->w, pb->cap * sizeof(*pb->w));
	if (pb->w == NULL)
		abort();
}

static void pb_push(struct prog_buf *pb, uint64_t w)
{
	pb_reserve(pb, 1);
	pb->w[pb->n++] = w;
}

void prog_buf_free(struct prog_buf *pb)
{
	free(pb->w);
	pb->w = NULL;
	pb->n = pb->cap = 0;
}

/* Starts an instruction; returns its index so the length can be patched. */
static size_t insn_begin(struct enc *e, enum lflow_op op, uint8_t flags, uint32_t arg)
{
	struct lflow_insn h = {.op = (uint8_t)op, .flags = flags, .len = 1, .arg = arg};
	uint64_t w;
	memcpy(&w, &h, sizeof(w));
	pb_push(e->pb, w);
	return e->pb->n - 1;
}

static void insn_end(struct enc *e, size_t at)
{
	struct lflow_insn h;
	memcpy(&h, &e->pb->w[at], sizeof(h));
	size_t len = e->pb->n - at;
	h.len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	memcpy(&e->pb->w[at], &h, sizeof(h));
}

static struct lflow_fref to_fref(const struct aref *r)
{
	struct lflow_fref f = {
	        .field = r->sym->field,
	        .ofs = (uint8_t)(r->sym->ofs + r->ofs),
	        .n_bits = (uint8_t)(r->width > 128 ? 128 : r->width),
	};
	return f;
}

static uint64_t fref_word(const struct aref *a, const struct aref *b)
{
	struct lflow_fref f[2] = {to_fref(a), b ? to_fref(b) : (struct lflow_fref){0}};
	uint64_t w;
	memcpy(&w, f, sizeof(w));
	return w;
}

static void encode_list(struct enc *e, const struct act *acts);

static void encode_header(struct enc *e, const struct act *a)
{
	insn_end(e, insn_begin(e, a->op, 0, 0));
}

static void encode_next(struct enc *e, const struct act *a)
{
	insn_end(e, insn_begin(e, a->op, 0, a->table | ((uint32_t)a->pipeline << 8)));
}

static void encode_load(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	struct lflow_u128 v = a->val.value,
	                  m = a->val.has_mask ? a->val.mask : u128_low_mask(a->dst.width);
	if (a->val.kind == AV_STR) {
		v = u128_make(0, e->key ? e->key(e->aux, a->val.s) : 0);
		m = u128_low_mask(32);
	}
	pb_push(e->pb, fref_word(&a->dst, NULL));
	pb_push(e->pb, v.hi);
	pb_push(e->pb, v.lo);
	pb_push(e->pb, m.hi);
	pb_push(e->pb, m.lo);
	insn_end(e, at);
}

static void encode_move(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, fref_word(&a->dst, &a->src));
	insn_end(e, at);
}

static void encode_push_pop(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, fref_word(&a->src, NULL));
	insn_end(e, at);
}

static void encode_nested(struct enc *e, const struct act *a, uint8_t flags)
{
	size_t at = insn_begin(e, a->op, flags | (a->has_nested ? LFLOW_INSN_NESTED : 0), 0);
	if (a->has_nested)
		encode_list(e, a->nested);
	insn_end(e, at);
}

static void encode_clone(struct enc *e, const struct act *a)
{
	encode_nested(e, a, 0);
}

/* A call: the result's field reference (0 when none), then one word per
 * argument: a field reference with bit 63 set, or a constant (a port name
 * as its key). */
static void encode_call(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, a->has_dst ? fref_word(&a->dst, NULL) : 0);
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aval *v = &a->args[i].v;
		uint64_t w = 0;
		if (v->kind == AV_FIELD)
			w = fref_word(&v->f, NULL) | (1ull << 63);
		else if (v->kind == AV_STR)
			w = e->key ? e->key(e->aux, v->s) : 0;
		else if (v->kind == AV_INT)
			w = v->value.lo & ~(1ull << 63);
		pb_push(e->pb, w);
	}
	insn_end(e, at);
}

/* R = select(ID[=WEIGHT], ...): the result's reference, then per member
 * (id << 32) | weight (100 when not written, as ovn-sb(5) says). */
static void encode_select(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, fref_word(&a->dst, NULL));
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		uint64_t id = g->key ? strtoull(g->key, NULL, 10) : g->v.value.lo;
		uint64_t weight = g->key ? g->v.value.lo : 100;
		pb_push(e->pb, (id & 0xffff) << 32 | (weight & 0xffff));
	}
	insn_end(e, at);
}

/* log(verdict=V, name="N", severity=S, meter="M"): one word
 * verdict | severity << 8 | name length << 16 | meter length << 24
 * (LFLOW_LOG_*), then the name's bytes and the meter's, each padded to
 * whole words, so that the fast path copies them without a lookup. */
static void encode_log(struct enc *e, const struct act *a)
{
	static const char *const verdicts[] = {"allow", "drop", "reject"};
	static const char *const severities[] = {"alert", "warning", "notice", "info", "debug"};
	const char *name = "", *meter = "";
	uint64_t verdict = LFLOW_LOG_VERDICT_ALLOW, severity = 3;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const char *v = g->v.s ? g->v.s : "";
		if (g->key == NULL)
			continue;
		if (!strcmp(g->key, "name"))
			name = v;
		else if (!strcmp(g->key, "meter"))
			meter = v;
		for (uint64_t k = 0; k < 3; k++)
			if (!strcmp(g->key, "verdict") && !strcmp(v, verdicts[k]))
				verdict = k;
		for (uint64_t k = 0; k < 5; k++)
			if (!strcmp(g->key, "severity") && !strcmp(v, severities[k]))
				severity = k;
	}
	size_t nl = strlen(name), ml = strlen(meter);
	nl = nl > LFLOW_LOG_NAME_MAX ? LFLOW_LOG_NAME_MAX : nl;
	ml = ml > LFLOW_LOG_NAME_MAX ? LFLOW_LOG_NAME_MAX : ml;
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, verdict | severity << 8 | (uint64_t)nl << 16 | (uint64_t)ml << 24);
	const char *str[2] = {name, meter};
	size_t len[2] = {nl, ml};
	for (int k = 0; k < 2; k++)
		for (size_t o = 0; o < len[k]; o += 8) {
			uint64_t w = 0;
			memcpy(&w, str[k] + o, len[k] - o < 8 ? len[k] - o : 8);
			pb_push(e->pb, w);
		}
	insn_end(e, at);
}

/* ct_lb; and ct_lb(backends=...; hash_fields="..."; skip_snat): one word
 * n_backends | LFLOW_LB_* flags << 16 | hash fields (LFLOW_LB_HASH_*) << 32,
 * then per backend its address (two words, as a match value: IPv4 in the
 * low 32 bits) and its port (0: the VIP's). Without backends, the header
 * alone. */
static void encode_ct_lb(struct enc *e, const struct act *a)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} fields[] = {
	        {"eth_src", LFLOW_LB_HASH_ETH_SRC}, {"eth_dst", LFLOW_LB_HASH_ETH_DST},
	        {"ip_src", LFLOW_LB_HASH_IP_SRC},   {"ip_dst", LFLOW_LB_HASH_IP_DST},
	        {"ipv6_src", LFLOW_LB_HASH_IP_SRC}, {"ipv6_dst", LFLOW_LB_HASH_IP_DST},
	        {"tp_src", LFLOW_LB_HASH_TP_SRC},   {"tp_dst", LFLOW_LB_HASH_TP_DST},
	        {"ip_proto", LFLOW_LB_HASH_PROTO},
	};
	size_t at = insn_begin(e, a->op, 0, 0);
	if (a->n_args == 0) {
		insn_end(e, at);
		return;
	}
	uint64_t n = 0, flags = 0, hash = 0;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		if ((i == 0 || (g->key == NULL && g->sep == ',')) && g->v.kind == AV_INT) {
			n++;
			if (g->v.fmt == LEX_F_IPV6)
				flags |= LFLOW_LB_IP6;
		} else if (g->key && !strcmp(g->key, "hash_fields") && g->v.s) {
			for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
				if (strstr(g->v.s, fields[f].name))
					hash |= fields[f].bit;
		} else if (g->v.kind == AV_WORD && g->v.s && !strcmp(g->v.s, "skip_snat")) {
			flags |= LFLOW_LB_SKIP_SNAT;
		} else if (g->v.kind == AV_WORD && g->v.s && !strcmp(g->v.s, "force_snat")) {
			flags |= LFLOW_LB_FORCE_SNAT;
		}
	}
	pb_push(e->pb, n | flags << 16 | hash << 32);
	for (size_t i = 0; i < n; i++) {
		const struct aval *v = &a->args[i].v;
		pb_push(e->pb, v->value.hi);
		pb_push(e->pb, v->value.lo);
		pb_push(e->pb, v->has_port ? v->port : 0);
	}
	insn_end(e, at);
}

/* ct_dnat, ct_snat and their _in_czone variants: the header alone, or
 * with an address four words: 1 for IPv6 (else 0), the address (as a
 * match value), the ports (first | last << 16; 0: the packet's). */
static void encode_ct_nat(struct enc *e, const struct act *a)
{
	size_t at = insn_begin(e, a->op, 0, 0);
	if (a->n_args > 0) {
		const struct aval *ip = &a->args[0].v;
		uint64_t lo = 0, hi = 0;
		if (a->n_args > 1) {
			lo = a->args[1].v.value.lo & 0xffff;
			hi = a->args[1].v.has_hi ? a->args[1].v.hi & 0xffff : 0;
		}
		pb_push(e->pb, ip->fmt == LEX_F_IPV6);
		pb_push(e->pb, ip->value.hi);
		pb_push(e->pb, ip->value.lo);
		pb_push(e->pb, lo | hi << 16);
	}
	insn_end(e, at);
}

/* "IP:PORT" or "[IPv6]:PORT" into a match value and a port; false when it
 * is neither (the checker saw to that: then zeros). */
static bool addr_port(const char *s, struct lflow_u128 *v, uint64_t *port, bool *ip6)
{
	char buf[64];
	const char *colon;
	uint8_t a[16];
	*v = (struct lflow_u128){0, 0};
	*port = 0;
	*ip6 = s[0] == '[';
	if (*ip6) {
		const char *end = strchr(s, ']');
		if (end == NULL || (size_t)(end - s - 1) >= sizeof(buf))
			return false;
		memcpy(buf, s + 1, (size_t)(end - s - 1));
		buf[end - s - 1] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof(buf))
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	if (inet_pton(*ip6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return false;
	for (int i = 0; i < (*ip6 ? 16 : 4); i++) {
		uint64_t *w = (*ip6 && i < 8) ? &v->hi : &v->lo;
		*w = *w << 8 | a[i];
	}
	if (colon)
		*port = strtoul(colon + 1, NULL, 10) & 0xffff;
	return true;
}

/* commit_lb_aff(vip = "IP:PORT", backend = "IP:PORT", proto = P, timeout
 * = T): one word proto | 1 << 8 for IPv6 | timeout << 32, then the VIP
 * (two words), its port, the backend (two words), its port. */
static void encode_commit_lb_aff(struct enc *e, const struct act *a)
{
	struct lflow_u128 vip = {0, 0}, be = {0, 0};
	uint64_t vport = 0, bport = 0, proto = 6, timeout = 0;
	bool v6 = false, b6 = false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const char *v = g->v.s ? g->v.s : "";
		if (g->key == NULL)
			continue;
		if (!strcmp(g->key, "vip"))
			addr_port(v, &vip, &vport, &v6);
		else if (!strcmp(g->key, "backend"))
			addr_port(v, &be, &bport, &b6);
		else if (!strcmp(g->key, "proto"))
			proto = !strcmp(v, "udp") ? 17 : !strcmp(v, "sctp") ? 132 : 6;
		else if (!strcmp(g->key, "timeout"))
			timeout = g->v.value.lo & 0xffffffff;
	}
	size_t at = insn_begin(e, a->op, 0, 0);
	pb_push(e->pb, proto | (uint64_t)v6 << 8 | timeout << 32);
	pb_push(e->pb, vip.hi);
	pb_push(e->pb, vip.lo);
	pb_push(e->pb, vport);
	pb_push(e->pb, be.hi);
	pb_push(e->pb, be.lo);
	pb_push(e->pb, bport);
	insn_end(e, at);
}

static void encode_punt(struct enc *e, const struct act *a)
{
	encode_nested(e, a, LFLOW_INSN_PUNT);
}

#define encode_OUTPUT               encode_header
#define encode_NEXT                 encode_next
#define encode_DROP                 encode_header
#define encode_LOAD                 encode_load
#define encode_MOVE                 encode_move
#define encode_EXCHANGE             encode_move
#define encode_PUSH                 encode_push_pop
#define encode_POP                  encode_push_pop
#define encode_DEC_TTL              encode_header
#define encode_CLONE                encode_clone
#define encode_CT_NEXT              encode_header
#define encode_CT_COMMIT            encode_clone
#define encode_CT_COMMIT_NAT        encode_header
#define encode_CT_DNAT              encode_ct_nat
#define encode_CT_SNAT              encode_ct_nat
#define encode_CT_DNAT_IN_CZONE     encode_ct_nat
#define encode_CT_SNAT_IN_CZONE     encode_ct_nat
#define encode_CT_LB                encode_ct_lb
#define encode_CT_LB_MARK           encode_ct_lb
#define encode_CT_CLEAR             encode_header
#define encode_CT_SNAT_TO_VIP       encode_header
#define encode_SELECT               encode_select
#define encode_ARP                  encode_clone
#define encode_ND_NS                encode_clone
#define encode_ND_NA                encode_clone
#define encode_ND_NA_ROUTER         encode_clone
#define encode_ICMP4                encode_clone
#define encode_ICMP4_ERROR          encode_clone
#define encode_ICMP6                encode_clone
#define encode_ICMP6_ERROR          encode_clone
#define encode_IGMP                 encode_punt
#define encode_TCP_RESET            encode_clone
#define encode_SCTP_ABORT           encode_clone
#define encode_REJECT               encode_clone
#define encode_GET_ARP              encode_call
#define encode_PUT_ARP              encode_call
#define encode_LOOKUP_ARP           encode_call
#define encode_LOOKUP_ARP_IP        encode_call
#define encode_GET_ND               encode_call
#define encode_PUT_ND               encode_call
#define encode_LOOKUP_ND            encode_call
#define encode_LOOKUP_ND_IP         encode_call
#define encode_PUT_DHCP_OPTS        encode_punt
#define encode_PUT_DHCPV6_OPTS      encode_punt
#define encode_DNS_LOOKUP           encode_punt
#define encode_PUT_ND_RA_OPTS       encode_punt
#define encode_HANDLE_DHCPV6_REPLY  encode_punt
#define encode_SET_QUEUE            encode_punt
#define encode_LOG                  encode_log
#define encode_SET_METER            encode_call
#define encode_CHECK_PKT_LARGER     encode_call
#define encode_TRIGGER_EVENT        encode_punt
#define encode_BIND_VPORT           encode_call
#define encode_HANDLE_SVC_CHECK     encode_punt
#define encode_HANDLE_BFD_MSG       encode_punt
#define encode_FWD_GROUP            encode_punt
#define encode_CHK_LB_HAIRPIN       encode_call
#define encode_CHK_LB_HAIRPIN_REPLY encode_call
#define encode_PUT_FDB              encode_call
#define encode_GET_FDB              encode_call
#define encode_LOOKUP_FDB           encode_call
#define encode_CHECK_IN_PORT_SEC    encode_call
#define encode_CHECK_OUT_PORT_SEC   encode_call
#define encode_COMMIT_ECMP_NH       encode_punt
#define encode_CHK_ECMP_NH_MAC      encode_punt
#define encode_CHK_ECMP_NH          encode_punt
#define encode_COMMIT_LB_AFF        encode_commit_lb_aff
#define encode_CHK_LB_AFF           encode_call
#define encode_SAMPLE               encode_punt

typedef void encode_fn(struct enc *, const struct act *);

static encode_fn *const encoders[LFLOW_OP_N] = {
#define ENCODE_ROW(E, N, X) encode_##E,
        LFLOW_ACTIONS(ENCODE_ROW)
#undef ENCODE_ROW
};

static void encode_list(struct enc *e, const struct act *acts)
{
	for (const struct act *a = acts; a != NULL; a = a->next)
		encoders[a->op](e, a);
}

void actions_encode(const struct act *acts, struct prog_buf *pb, lflow_port_key_fn *key, void *aux)
{
	struct enc e = {pb, key, aux};
	if (acts == NULL) {
		insn_end(&e, insn_begin(&e, LFLOW_OP_DROP, 0, 0));
		return;
	}
	encode_list(&e, acts);
}

void actions_count_punted(const struct act *acts, unsigned counts[LFLOW_OP_N])
{
	for (const struct act *a = acts; a != NULL; a = a->next) {
		if (!action_executable(a->op))
			counts[a->op]++;
		if (a->has_nested)
			actions_count_punted(a->nested, counts);
	}
}
