/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-action argument rules. The parser reads every action's arguments in
 * one generic form (key=value pairs and positional values, separated by `,'
 * or `;'); the descriptor table checks simple positional signatures; this
 * file holds the rest, one check_X per entry of LFLOW_ACTIONS, so that what
 * ovn-controller refuses is refused here too, with the position of the
 * offending argument.
 */
#include "actions_check.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "symtab.h"

struct ck {
	const struct act *a;
	const struct act_ctx *ctx;
	size_t pos; /* the action's name */
	struct lf_error *err;
};

static bool fail(const struct ck *c, size_t pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static bool fail(const struct ck *c, size_t pos, const char *fmt, ...)
{
	char buf[sizeof(c->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lf_error_set(c->err, pos, "%s", buf);
	return false;
}

static const char *name(const struct ck *c)
{
	return action_name(c->a->op);
}

/* A plain integer: no mask, range, port or brackets. */
static bool is_plain(const struct aval *v)
{
	return v->kind == AV_INT && !v->has_mask && !v->has_hi && !v->has_port && !v->bracket;
}

/* A decimal integer no larger than @p max. */
static bool is_dec(const struct aval *v, uint64_t max)
{
	return is_plain(v) && v->fmt == LEX_F_DEC && v->value.hi == 0 && v->value.lo <= max;
}

static bool is_word(const struct aval *v, const char *w)
{
	return v->kind == AV_WORD && strcmp(v->s, w) == 0;
}

/* true or false, bare or quoted (fwd_group, commit_ecmp_nh). */
static bool is_bool(const struct aval *v)
{
	return (v->kind == AV_WORD || v->kind == AV_STR) &&
	       (strcmp(v->s, "true") == 0 || strcmp(v->s, "false") == 0);
}

static bool is_key(const struct aarg *g, const char *key)
{
	return g->key != NULL && strcmp(g->key, key) == 0;
}

/* Every separator is `,' (a `;' only separates ct_lb's parts). */
static bool commas_only(const struct ck *c)
{
	for (size_t i = 0; i < c->a->n_args; i++)
		if (c->a->args[i].sep == ';')
			return fail(c, c->a->args[i].pos,
			            "%s separates its arguments with `,', not `;'", name(c));
	if (c->a->trailing_sep == ';')
		return fail(c, c->a->args_end, "%s separates its arguments with `,', not `;'",
		            name(c));
	return true;
}

static bool no_trailing(const struct ck *c)
{
	if (c->a->trailing_sep)
		return fail(c, c->a->args_end, "syntax error at `)': %s takes no trailing `%c'",
		            name(c), c->a->trailing_sep);
	return true;
}

/* Actions that continue in the next table need a flow in a table
 * ovn-controller has (it checks no more than that). */
static bool not_last_table(const struct ck *c)
{
	if (c->ctx->table >= LFLOW_N_TABLES)
		return fail(c, c->pos, "%s is not allowed past the last table (%d)", name(c),
		            LFLOW_N_TABLES - 1);
	return true;
}

static bool check_none(const struct ck *c)
{
	(void)c;
	return true;
}

static bool check_ct_next(const struct ck *c)
{
	return not_last_table(c);
}

/* ct_dnat; ct_dnat(IP); ct_snat(IP, PORT); ct_snat(IP, LO-HI); */
static bool check_ct_nat(const struct ck *c)
{
	const struct act *a = c->a;
	if (!not_last_table(c) || !a->has_args)
		return !c->err->set;
	if (a->n_args == 0)
		return fail(c, a->args_end, "%s needs an IPv4 or IPv6 address", name(c));
	const struct aarg *ip = &a->args[0];
	if (ip->key != NULL || !is_plain(&ip->v) ||
	    (ip->v.fmt != LEX_F_IPV4 && ip->v.fmt != LEX_F_IPV6))
		return fail(c, ip->v.pos,
		            "%s needs one IPv4 or IPv6 address (no mask, range or port)", name(c));
	if (a->n_args > 2 || a->trailing_sep)
		return fail(c, a->n_args > 2 ? a->args[2].pos : a->args_end,
		            "%s takes an address and an optional port range", name(c));
	if (a->n_args == 1)
		return true;
	const struct aarg *pr = &a->args[1];
	const struct aval *v = &pr->v;
	if (pr->key != NULL || pr->sep != ',' || v->kind != AV_INT || v->fmt != LEX_F_DEC ||
	    v->has_mask || v->has_port || v->bracket || v->value.hi || v->value.lo > 65535)
		return fail(c, pr->pos, "%s needs a decimal port or port range (1 to 65535)",
		            name(c));
	if (v->value.lo == 0)
		return fail(c, v->pos, "%s: a port range cannot start at 0", name(c));
	if (v->has_hi && (v->hi <= v->value.lo || v->hi > 65535))
		return fail(c, v->pos,
		            "%s: the high end of a port range must be above the low end and "
		            "at most 65535",
		            name(c));
	return true;
}

/*
 * ct_lb; ct_lb(); ct_lb(backends=IP[:PORT],...[; hash_fields="..."]
 * [; skip_snat|force_snat]); IPv6 backends with a port are bracketed.
 */
static bool check_ct_lb(const struct ck *c)
{
	const struct act *a = c->a;
	if (!not_last_table(c))
		return false;
	if (a->n_args == 0)
		return true;
	if (!is_key(&a->args[0], "backends"))
		return fail(c, a->args[0].pos, "%s(...) starts with backends=", name(c));
	size_t i = 0;
	for (; i < a->n_args && (i == 0 || (a->args[i].key == NULL && a->args[i].sep == ','));
	     i++) {
		const struct aval *v = &a->args[i].v;
		bool ok = v->kind == AV_INT && !v->has_mask && !v->has_hi &&
		          (v->bracket ? v->fmt == LEX_F_IPV6
		                      : v->fmt == LEX_F_IPV4 ||
		                                (v->fmt == LEX_F_IPV6 && !v->has_port));
		if (!ok)
			return fail(c, v->pos,
			            "%s backends are IPv4[:PORT] or [IPv6][:PORT] addresses",
			            name(c));
	}
	if (i < a->n_args && is_key(&a->args[i], "hash_fields") && a->args[i].sep == ';') {
		if (a->args[i].v.kind != AV_STR)
			return fail(c, a->args[i].v.pos, "%s: hash_fields needs a quoted string",
			            name(c));
		i++;
	}
	if (i < a->n_args && a->args[i].sep == ';' && a->args[i].key == NULL &&
	    (is_word(&a->args[i].v, "skip_snat") || is_word(&a->args[i].v, "force_snat")))
		i++;
	if (i < a->n_args)
		return fail(c, a->args[i].pos,
		            "%s: after the backends, expecting `; hash_fields=\"...\"' and/or "
		            "`; skip_snat' or `; force_snat'",
		            name(c));
	if (a->trailing_sep == ';')
		return fail(c, a->args_end, "syntax error at `)': %s takes no trailing `;'",
		            name(c));
	return true;
}

/* R = select(ID[=WEIGHT], ...): at least two members, 16-bit ids and
 * weights (decimal; a weight is not 0), R at least 16 bits. */
static bool check_select(const struct ck *c)
{
	const struct act *a = c->a;
	if (a->dst.width < 16)
		return fail(c, c->pos, "select needs a result of at least 16 bits, not %u-bit %s",
		            a->dst.width, a->dst.sym->name);
	if (!not_last_table(c) || !commas_only(c))
		return false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		if (g->key == NULL) {
			if (!is_dec(&g->v, 65535))
				return fail(c, g->v.pos,
				            "select: expecting a member id (0 to 65535)");
			continue;
		}
		char *end;
		unsigned long id = strtoul(g->key, &end, 10);
		if (*end != '\0' || g->key[0] < '0' || g->key[0] > '9' || id > 65535)
			return fail(c, g->pos, "select: expecting a member id (0 to 65535)");
		if (!is_dec(&g->v, 65535) || g->v.value.lo == 0)
			return fail(c, g->v.pos, "select: a weight is a decimal from 1 to 65535");
	}
	if (a->n_args < 2)
		return fail(c, a->args_end, "select needs at least 2 members");
	return true;
}

/* A DHCP, DHCPv6 or RA option: name, and the type of value it takes. */
struct opt {
	const char *name;
	char type; /* 's' string, 'h' host (anything), 'n' numeric */
};

/* What northd 23.03 declares in Southbound DHCP_Options and DHCPv6_Options,
 * which is what ovn-controller accepts. */
static const struct opt dhcp4_opts[] = {
        {"offerip", 'n'},
        {"netmask", 'n'},
        {"router", 'n'},
        {"dns_server", 'n'},
        {"log_server", 'n'},
        {"lpr_server", 'n'},
        {"swap_server", 'n'},
        {"policy_filter", 'n'},
        {"router_solicitation", 'n'},
        {"nis_server", 'n'},
        {"ntp_server", 'n'},
        {"server_id", 'n'},
        {"tftp_server", 'h'},
        {"classless_static_route", 'n'},
        {"ms_classless_static_route", 'n'},
        {"ip_forward_enable", 'n'},
        {"router_discovery", 'n'},
        {"ethernet_encap", 'n'},
        {"default_ttl", 'n'},
        {"tcp_ttl", 'n'},
        {"mtu", 'n'},
        {"lease_time", 'n'},
        {"T1", 'n'},
        {"T2", 'n'},
        {"wpad", 's'},
        {"bootfile_name", 's'},
        {"path_prefix", 's'},
        {"tftp_server_address", 'n'},
        {"hostname", 's'},
        {"domain_name", 's'},
        {"arp_cache_timeout", 'n'},
        {"tcp_keepalive_interval", 'n'},
        {"domain_search_list", 's'},
        {"bootfile_name_alt", 's'},
        {"broadcast_address", 'n'},
        {"netbios_name_server", 'n'},
        {"netbios_node_type", 'n'},
        {"next_server", 'n'},
        {NULL, 0},
};

static const struct opt dhcp6_opts[] = {
        {"ia_addr", 'n'},    {"server_id", 'n'}, {"domain_search", 's'},
        {"dns_server", 'n'}, {NULL, 0},
};

static const struct opt ra_opts[] = {
        {"addr_mode", 's'}, {"router_preference", 's'},
        {"slla", 'n'},      {"prefix", 'n'},
        {"mtu", 'n'},       {"rdnss", 'n'},
        {"dnssl", 's'},     {"route_info", 's'},
        {NULL, 0},
};

static const struct opt *find_opt(const struct opt *opts, const char *key)
{
	for (; key != NULL && opts->name != NULL; opts++)
		if (strcmp(opts->name, key) == 0)
			return opts;
	return NULL;
}

/* One constant, or a non-empty set of constants of one type. */
static bool const_type(const struct aval *v, enum aval_kind *kind)
{
	if (v->kind == AV_SET) {
		for (size_t i = 0; i < v->n; i++)
			if (v->elems[i].kind != v->elems[0].kind)
				return false;
		return v->n > 0 && const_type(&v->elems[0], kind);
	}
	*kind = v->kind;
	return (v->kind == AV_INT && !v->has_hi && !v->has_port && !v->bracket) ||
	       v->kind == AV_STR;
}

/* KEY=VALUE, ... with keys from @p opts and values of their type. */
static bool check_opts(const struct ck *c, const struct opt *opts, const char *what)
{
	const struct act *a = c->a;
	if (!commas_only(c))
		return false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const struct opt *o = find_opt(opts, g->key);
		if (o == NULL)
			return fail(c, g->pos, "%s: expecting %s option name", name(c), what);
		enum aval_kind kind;
		if (!const_type(&g->v, &kind))
			return fail(c, g->v.pos,
			            "%s: %s option %s takes a constant or a set of constants "
			            "of one type",
			            name(c), what, o->name);
		if (o->type == 's' && kind != AV_STR)
			return fail(c, g->v.pos, "%s: %s option %s requires a string value",
			            name(c), what, o->name);
		if (o->type == 'n' && kind != AV_INT)
			return fail(c, g->v.pos, "%s: %s option %s requires a numeric value",
			            name(c), what, o->name);
	}
	return true;
}

static bool check_put_dhcp_opts(const struct ck *c)
{
	if (!check_opts(c, dhcp4_opts, "DHCPv4"))
		return false;
	for (size_t i = 0; i < c->a->n_args; i++)
		if (is_key(&c->a->args[i], "offerip"))
			return true;
	return fail(c, c->pos, "put_dhcp_opts requires offerip");
}

static bool check_put_dhcpv6_opts(const struct ck *c)
{
	return check_opts(c, dhcp6_opts, "DHCPv6");
}

static bool one_of(const struct aval *v, const char *const *words)
{
	for (; *words != NULL; words++)
		if (v->kind == AV_STR && strcmp(v->s, *words) == 0)
			return true;
	return false;
}

/* put_nd_ra_opts: one value per option, each of its form; slla always, and
 * prefix unless the address mode is dhcpv6_stateful. */
static bool check_put_nd_ra_opts(const struct ck *c)
{
	static const char *const modes[] = {"slaac", "dhcpv6_stateful", "dhcpv6_stateless", NULL};
	static const char *const prfs[] = {"MEDIUM", "HIGH", "LOW", NULL};
	const struct act *a = c->a;
	if (!check_opts(c, ra_opts, "IPv6 ND RA"))
		return false;
	bool stateful = false, prefix = false, slla = false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const struct aval *v = &g->v;
		bool ok = v->kind != AV_SET;
		if (!strcmp(g->key, "addr_mode")) {
			ok = ok && one_of(v, modes);
			stateful |= ok && !strcmp(v->s, "dhcpv6_stateful");
		} else if (!strcmp(g->key, "router_preference")) {
			ok = ok && one_of(v, prfs);
		} else if (!strcmp(g->key, "slla")) {
			ok = ok && v->fmt == LEX_F_ETH && !v->has_mask;
			slla = true;
		} else if (!strcmp(g->key, "prefix")) {
			ok = ok && v->fmt == LEX_F_IPV6 && v->has_mask;
			prefix = true;
		} else if (!strcmp(g->key, "mtu")) {
			ok = ok && v->fmt == LEX_F_DEC;
		} else if (!strcmp(g->key, "rdnss")) {
			ok = ok && v->fmt == LEX_F_IPV6;
		}
		if (!ok)
			return fail(c, v->pos, "put_nd_ra_opts: invalid value for option %s",
			            g->key);
	}
	if (!slla)
		return fail(c, a->args_end, "put_nd_ra_opts requires slla");
	if (!stateful && !prefix)
		return fail(c, a->args_end,
		            "put_nd_ra_opts requires prefix unless addr_mode is dhcpv6_stateful");
	return true;
}

static bool check_set_queue(const struct ck *c)
{
	const struct aval *v = &c->a->args[0].v;
	if (v->value.lo > 0xf000)
		return fail(c, v->pos, "set_queue: queue id %llu is not in 0 to %d",
		            (unsigned long long)v->value.lo, 0xf000);
	return true;
}

/* log(verdict=drop|reject|allow[, name="..."][, severity=S][, meter="..."]) */
static bool check_log(const struct ck *c)
{
	static const char *const sev[] = {"alert", "warning", "notice", "info", "debug", NULL};
	const struct act *a = c->a;
	bool verdict = false;
	if (!commas_only(c))
		return false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const struct aval *v = &g->v;
		bool ok;
		if (is_key(g, "verdict")) {
			ok = is_word(v, "drop") || is_word(v, "reject") || is_word(v, "allow");
			verdict = true;
		} else if (is_key(g, "name")) {
			ok = v->kind == AV_STR && strlen(v->s) < 64;
		} else if (is_key(g, "severity")) {
			ok = false;
			for (size_t k = 0; sev[k] != NULL && !ok; k++)
				ok = is_word(v, sev[k]);
		} else if (is_key(g, "meter")) {
			ok = v->kind == AV_STR;
		} else {
			return fail(c, g->pos,
			            "log: expecting verdict=, name=, severity= or meter=");
		}
		if (!ok)
			return fail(
			        c, v->pos,
			        "log: invalid %s (verdict: drop, reject or allow; name: a string "
			        "under 64 bytes; severity: alert, warning, notice, info or debug; "
			        "meter: a string)",
			        g->key);
	}
	if (!verdict)
		return fail(c, a->args_end, "log needs verdict=drop|reject|allow");
	return true;
}

/* set_meter(RATE[, BURST]): decimal, RATE above 0. */
static bool check_set_meter(const struct ck *c)
{
	const struct act *a = c->a;
	if (a->n_args == 0 || a->n_args > 2 || !commas_only(c) || !no_trailing(c))
		return !c->err->set && fail(c, a->n_args > 2 ? a->args[2].pos : a->args_end,
		                            "set_meter takes a rate and an optional burst");
	for (size_t i = 0; i < a->n_args; i++)
		if (a->args[i].key != NULL || !is_dec(&a->args[i].v, UINT64_MAX))
			return fail(c, a->args[i].pos, "set_meter: expecting a decimal integer");
	if (a->args[0].v.value.lo == 0)
		return fail(c, a->args[0].v.pos, "set_meter: the rate must be above 0");
	return true;
}

static bool check_pkt_larger(const struct ck *c)
{
	const struct aval *v = &c->a->args[0].v;
	if (v->value.lo > INT32_MAX)
		return fail(c, v->pos, "check_pkt_larger: the length must be at most %d",
		            INT32_MAX);
	return true;
}

/* "IPv4[:PORT]", "[IPv6][:PORT]" or "IPv6": the family (4 or 6), 0 if
 * malformed; *port is 0 when there is none. */
static int parse_ip_port(const char *s, unsigned *port)
{
	char host[64];
	const char *p;
	int family;
	*port = 0;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (e == NULL || (size_t)(e - s - 1) >= sizeof(host))
			return 0;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		p = e + 1;
		family = 6;
	} else {
		const char *colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			colon = NULL; /* a bare IPv6 address, no port */
			family = 6;
		} else {
			family = 4;
		}
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof(host))
			return 0;
		memcpy(host, s, n);
		host[n] = '\0';
		p = s + n;
	}
	unsigned char buf[16];
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, host, buf) != 1)
		return 0;
	if (*p == '\0')
		return family;
	if (*p != ':' || p[1] == '\0' || strspn(p + 1, "0123456789") != strlen(p + 1) ||
	    strlen(p + 1) > 5 || atoi(p + 1) > 65535)
		return 0;
	*port = (unsigned)atoi(p + 1);
	return family;
}

static bool is_uuid(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	if (strlen(s) != sizeof(form) - 1)
		return false;
	for (size_t i = 0; form[i] != '\0'; i++)
		if (form[i] == '-' ? s[i] != '-' : strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return false;
	return true;
}

/* trigger_event(event="empty_lb_backends", vip="...", protocol="...",
 * load_balancer="UUID"): the only event ovn-controller 23.03 knows. */
static bool check_trigger_event(const struct ck *c)
{
	const struct act *a = c->a;
	if (!commas_only(c))
		return false;
	if (a->n_args == 0 || !is_key(&a->args[0], "event"))
		return fail(c, a->n_args ? a->args[0].pos : a->args_end,
		            "trigger_event needs event= first");
	const struct aval *ev = &a->args[0].v;
	if (ev->kind != AV_STR || strcmp(ev->s, "empty_lb_backends") != 0)
		return fail(c, ev->pos,
		            "trigger_event: unknown event (expecting "
		            "\"empty_lb_backends\")");
	for (size_t i = 1; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const struct aval *v = &g->v;
		unsigned port;
		bool ok = v->kind == AV_STR;
		if (is_key(g, "vip"))
			ok = ok && parse_ip_port(v->s, &port) != 0;
		else if (is_key(g, "protocol"))
			ok = ok && (!strcmp(v->s, "tcp") || !strcmp(v->s, "udp") ||
			            !strcmp(v->s, "sctp"));
		else if (is_key(g, "load_balancer"))
			ok = ok && is_uuid(v->s);
		else
			return fail(c, g->pos,
			            "trigger_event: expecting empty_lb_backends option name (vip, "
			            "protocol, load_balancer)");
		if (!ok)
			return fail(c, v->pos,
			            "trigger_event: invalid %s (vip: \"IP[:PORT]\"; protocol: "
			            "\"tcp\", \"udp\" or \"sctp\"; load_balancer: a UUID)",
			            g->key);
	}
	return true;
}

/* fwd_group; fwd_group([liveness=true|false, ]childports="p1", "p2", ...); */
static bool check_fwd_group(const struct ck *c)
{
	const struct act *a = c->a;
	size_t i = 0;
	if (!a->has_args)
		return true;
	if (!commas_only(c))
		return false;
	if (i < a->n_args && is_key(&a->args[i], "liveness")) {
		if (!is_bool(&a->args[i].v))
			return fail(c, a->args[i].v.pos, "fwd_group: liveness is true or false");
		i++;
	}
	if (i >= a->n_args || !is_key(&a->args[i], "childports"))
		return fail(c, i < a->n_args ? a->args[i].pos : a->args_end,
		            "fwd_group needs childports=\"port\", ...");
	for (size_t first = i; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		if (g->v.kind != AV_STR || (i > first && g->key != NULL))
			return fail(c, g->v.pos, "fwd_group: expecting a logical switch port name");
	}
	return true;
}

/* R = get_fdb(MAC): R is a string field or 32 bits. */
static bool check_get_fdb(const struct ck *c)
{
	const struct aref *r = &c->a->dst;
	if (r->sym->kind != SYM_STRING && r->width != 32)
		return fail(c, c->pos,
		            "get_fdb stores a port: %s must be a string field or 32 bits",
		            r->sym->name);
	return true;
}

static bool proto_ok(const struct aval *v)
{
	return is_word(v, "tcp") || is_word(v, "udp") || is_word(v, "sctp");
}

/* commit_ecmp_nh(ipv6=true|false, proto=tcp|udp|sctp) */
static bool check_commit_ecmp_nh(const struct ck *c)
{
	const struct act *a = c->a;
	if (!commas_only(c) || !no_trailing(c))
		return false;
	if (a->n_args != 2 || !is_key(&a->args[0], "ipv6") || !is_key(&a->args[1], "proto"))
		return fail(c, a->n_args ? a->args[0].pos : a->args_end,
		            "commit_ecmp_nh takes ipv6=true|false, proto=tcp|udp|sctp");
	if (!is_bool(&a->args[0].v))
		return fail(c, a->args[0].v.pos, "commit_ecmp_nh: ipv6 is true or false");
	if (!proto_ok(&a->args[1].v))
		return fail(c, a->args[1].v.pos, "commit_ecmp_nh: invalid protocol");
	return true;
}

/* commit_lb_aff(vip="IP[:PORT]", backend="IP[:PORT]"[, proto=P], timeout=T):
 * proto exactly when the VIP has a port; one address family. */
static bool check_commit_lb_aff(const struct ck *c)
{
	const struct act *a = c->a;
	if (!commas_only(c) || !no_trailing(c))
		return false;
	static const char *const keys[] = {"vip", "backend", "proto", "timeout"};
	unsigned vport = 0, bport;
	int vfam = 0;
	size_t i = 0;
	for (size_t k = 0; k < 4; k++) {
		if (k == 2 && vport == 0)
			continue;
		if (i >= a->n_args || !is_key(&a->args[i], keys[k]))
			return fail(
			        c, i < a->n_args ? a->args[i].pos : a->args_end,
			        "commit_lb_aff takes vip=, backend=, proto= (with a VIP port) and "
			        "timeout=, in that order; expecting %s=",
			        keys[k]);
		const struct aval *v = &a->args[i++].v;
		if (k == 0 && (v->kind != AV_STR || (vfam = parse_ip_port(v->s, &vport)) == 0))
			return fail(c, v->pos, "commit_lb_aff: vip is a string \"IP[:PORT]\"");
		if (k == 1 && (v->kind != AV_STR || parse_ip_port(v->s, &bport) != vfam))
			return fail(c, v->pos,
			            "commit_lb_aff: backend is a string \"IP[:PORT]\" of the VIP's "
			            "address family");
		if (k == 2 && !proto_ok(v))
			return fail(c, v->pos, "commit_lb_aff: invalid protocol");
		if (k == 3 && !is_dec(v, 65535))
			return fail(c, v->pos, "commit_lb_aff: timeout is a decimal up to 65535");
	}
	if (i < a->n_args)
		return fail(c, a->args[i].pos, "commit_lb_aff: unexpected argument");
	return true;
}

/* sample(probability=P, collector_set=C, obs_domain=D, obs_point=O|$cookie) */
static bool check_sample(const struct ck *c)
{
	const struct act *a = c->a;
	bool prob = false;
	if (!commas_only(c))
		return false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct aarg *g = &a->args[i];
		const struct aval *v = &g->v;
		if (is_key(g, "probability")) {
			if (!is_dec(v, 65535))
				return fail(c, v->pos,
				            "sample: probability is a decimal up to 65535");
			prob = v->value.lo > 0;
		} else if (is_key(g, "collector_set")) {
			if (!is_dec(v, UINT32_MAX))
				return fail(c, v->pos, "sample: collector_set is a 32-bit decimal");
		} else if (is_key(g, "obs_domain")) {
			if (!is_dec(v, 255))
				return fail(c, v->pos, "sample: obs_domain is a decimal up to 255");
		} else if (is_key(g, "obs_point")) {
			if (!is_dec(v, UINT32_MAX) && !is_word(v, "$cookie"))
				return fail(c, v->pos,
				            "sample: obs_point is a 32-bit decimal or $cookie");
		} else {
			return fail(c, g->pos,
			            "sample: unknown argument (expecting probability, "
			            "collector_set, obs_domain or obs_point)");
		}
	}
	if (!prob)
		return fail(c, a->args_end, "sample: probability must be greater than zero");
	return true;
}

#define check_OUTPUT               check_none
#define check_NEXT                 check_none
#define check_DROP                 check_none
#define check_LOAD                 check_none
#define check_MOVE                 check_none
#define check_EXCHANGE             check_none
#define check_PUSH                 check_none
#define check_POP                  check_none
#define check_DEC_TTL              check_none
#define check_CLONE                check_none
#define check_CT_NEXT              check_ct_next
#define check_CT_COMMIT            check_none
#define check_CT_COMMIT_NAT        check_ct_next
#define check_CT_DNAT              check_ct_nat
#define check_CT_SNAT              check_ct_nat
#define check_CT_DNAT_IN_CZONE     check_ct_nat
#define check_CT_SNAT_IN_CZONE     check_ct_nat
#define check_CT_LB                check_ct_lb
#define check_CT_LB_MARK           check_ct_lb
#define check_CT_CLEAR             check_none
#define check_CT_SNAT_TO_VIP       check_none
#define check_SELECT               check_select
#define check_ARP                  check_none
#define check_ND_NS                check_none
#define check_ND_NA                check_none
#define check_ND_NA_ROUTER         check_none
#define check_ICMP4                check_none
#define check_ICMP4_ERROR          check_none
#define check_ICMP6                check_none
#define check_ICMP6_ERROR          check_none
#define check_IGMP                 check_none
#define check_TCP_RESET            check_none
#define check_SCTP_ABORT           check_none
#define check_REJECT               check_none
#define check_GET_ARP              check_none
#define check_PUT_ARP              check_none
#define check_LOOKUP_ARP           check_none
#define check_LOOKUP_ARP_IP        check_none
#define check_GET_ND               check_none
#define check_PUT_ND               check_none
#define check_LOOKUP_ND            check_none
#define check_LOOKUP_ND_IP         check_none
#define check_PUT_DHCP_OPTS        check_put_dhcp_opts
#define check_PUT_DHCPV6_OPTS      check_put_dhcpv6_opts
#define check_DNS_LOOKUP           check_none
#define check_PUT_ND_RA_OPTS       check_put_nd_ra_opts
#define check_HANDLE_DHCPV6_REPLY  check_none
#define check_SET_QUEUE            check_set_queue
#define check_LOG                  check_log
#define check_SET_METER            check_set_meter
#define check_CHECK_PKT_LARGER     check_pkt_larger
#define check_TRIGGER_EVENT        check_trigger_event
#define check_BIND_VPORT           check_none
#define check_HANDLE_SVC_CHECK     check_none
#define check_HANDLE_BFD_MSG       check_none
#define check_FWD_GROUP            check_fwd_group
#define check_CHK_LB_HAIRPIN       check_none
#define check_CHK_LB_HAIRPIN_REPLY check_none
#define check_PUT_FDB              check_none
#define check_GET_FDB              check_get_fdb
#define check_LOOKUP_FDB           check_none
#define check_CHECK_IN_PORT_SEC    check_none
#define check_CHECK_OUT_PORT_SEC   check_none
#define check_COMMIT_ECMP_NH       check_commit_ecmp_nh
#define check_CHK_ECMP_NH_MAC      check_none
#define check_CHK_ECMP_NH          check_none
#define check_COMMIT_LB_AFF        check_commit_lb_aff
#define check_CHK_LB_AFF           check_none
#define check_SAMPLE               check_sample

typedef bool check_fn(const struct ck *);

static check_fn *const checks[LFLOW_OP_N] = {
#define CHECK_ROW(E, N, X) check_##E,
        LFLOW_ACTIONS(CHECK_ROW)
#undef CHECK_ROW
};

bool action_check_args(const struct act *a, const struct act_ctx *ctx, size_t pos,
                       struct lf_error *err)
{
	struct ck c = {.a = a, .ctx = ctx, .pos = pos, .err = err};
	return a->op < LFLOW_OP_N && checks[a->op](&c);
}
