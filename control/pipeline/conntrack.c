/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection tracker's control side (docs/conntrack.md): the one table
 * the workers share, grace periods for its frees (the workers' QSBR), zone
 * numbers (allocated by name, kept in a file across restarts), and
 * ferryctl ct.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <rte_cycles.h>
#include <rte_rcu_qsbr.h>

#include "control/conf/conf.h"
#include "control/ctl/ctl.h"
#include "control/lflow/strmap.h"
#include "control/pipeline/pipeline_int.h"
#include "control/port/port.h"
#include "dataplane/conntrack/ct.h"
#include "dataplane/pipeline/frag_early.h"
#include "dataplane/pipeline/process.h"

#define ZONE_MAX   65535
#define TICK_MS    100
#define RATE_TICKS 10 /* creations per second over this many ticks */

struct zone {
	uint16_t zone;
	uint64_t gen; /* the last build that asked for it */
};

static struct {
	struct ct_table *t;
	struct ct_frags *frags;
	struct ct_aff *aff;
	struct event *tick;
	bool pending; /* a grace period runs for the frees before ct_tok */
	uint64_t rcu_tok, ct_tok;
	unsigned ticks;
	uint64_t rate_creations; /* creations at the start of the rate window */
	double rate;             /* creations per second, last window */
	struct strmap zones;     /* name -> struct zone */
	bool zones_ready;
	uint8_t used[(ZONE_MAX + 1) / 8];
	uint64_t gen;
	bool dirty;
	char *file;
} cts;

static bool zone_used(uint16_t z)
{
	return cts.used[z / 8] & (1u << (z % 8));
}

static void zone_mark(uint16_t z, bool on)
{
	if (on)
		cts.used[z / 8] |= (uint8_t)(1u << (z % 8));
	else
		cts.used[z / 8] &= (uint8_t) ~(1u << (z % 8));
}

static void zones_init(void)
{
	if (cts.zones_ready)
		return;
	strmap_init(&cts.zones);
	cts.zones_ready = true;
	zone_mark(0, true); /* 0: "no zone", never given out */
}

static struct zone *zone_put(const char *name, uint16_t z)
{
	struct zone *e = calloc(1, sizeof(*e));
	if (e == NULL)
		abort();
	e->zone = z;
	e->gen = cts.gen;
	zone_mark(z, true);
	strmap_put(&cts.zones, name, e);
	return e;
}

/* Zones from the file: "ZONE NAME" per line; bad lines are skipped. */
static void zones_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], name[400];
	unsigned z, n = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%u %399s", &z, name) != 2 || z == 0 || z > ZONE_MAX ||
		    zone_used((uint16_t)z) || strmap_get(&cts.zones, name) != NULL) {
			PL_LOG(WARNING, "%s: skipping a bad line: %.60s", path, line);
			continue;
		}
		zone_put(name, (uint16_t)z);
		n++;
	}
	fclose(f);
	PL_LOG(INFO, "conntrack: %u zones from %s", n, path);
}

static void zones_save(void)
{
	if (cts.file == NULL)
		return;
	size_t len = strlen(cts.file) + 8;
	char *tmp = malloc(len);
	if (tmp == NULL)
		return;
	snprintf(tmp, len, "%s.tmp", cts.file);
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		PL_LOG_RL(WARNING, "conntrack: cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return;
	}
	size_t i = 0;
	const char *name;
	struct zone *e;
	while ((e = strmap_next(&cts.zones, &i, &name)) != NULL)
		fprintf(f, "%u %s\n", e->zone, name);
	if (fclose(f) != 0 || rename(tmp, cts.file) != 0)
		PL_LOG_RL(WARNING, "conntrack: cannot write %s: %s", cts.file, strerror(errno));
	free(tmp);
}

uint16_t pipeline_ct_zone(const char *name)
{
	zones_init();
	struct zone *e = strmap_get(&cts.zones, name);
	if (e != NULL) {
		e->gen = cts.gen;
		return e->zone;
	}
	uint32_t z = 1;
	while (z <= ZONE_MAX && zone_used((uint16_t)z))
		z++;
	if (z > ZONE_MAX) {
		PL_LOG_RL(ERR, "conntrack: no zone left for %s: it shares zone 0", name);
		return 0;
	}
	/* A number new to this name: nothing of an earlier owner stays. */
	if (cts.t != NULL)
		ct_flush(cts.t, (int)z, NULL, rte_rdtsc());
	zone_put(name, (uint16_t)z);
	cts.dirty = true;
	return (uint16_t)z;
}

void pipeline_ct_zones_done(void)
{
	zones_init();
	size_t i = 0;
	const char *name;
	struct zone *e;
	while ((e = strmap_next(&cts.zones, &i, &name)) != NULL) {
		if (e->gen == cts.gen)
			continue;
		zone_mark(e->zone, false);
		free(strmap_del(&cts.zones, name));
		cts.dirty = true;
	}
	cts.gen++;
	if (cts.dirty)
		zones_save();
	cts.dirty = false;
}

/* The zone of @p name, or -1. */
static int zone_by_name(const char *name)
{
	struct zone *e = cts.zones_ready ? strmap_get(&cts.zones, name) : NULL;
	return e != NULL ? e->zone : -1;
}

static const char *zone_name(uint16_t z)
{
	size_t i = 0;
	const char *name;
	struct zone *e;
	while (cts.zones_ready && (e = strmap_next(&cts.zones, &i, &name)) != NULL)
		if (e->zone == z)
			return name;
	return "";
}

/* Every TICK_MS: free what a finished grace period covers, start the
 * next one, and keep the creation rate. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	struct rte_rcu_qsbr *rcu = port_workers_rcu();
	if (cts.t == NULL)
		return;
	if (cts.pending && (rcu == NULL || rte_rcu_qsbr_check(rcu, cts.rcu_tok, false) == 1)) {
		ct_reclaim(cts.t, cts.ct_tok);
		cts.pending = false;
	}
	if (!cts.pending) {
		cts.ct_tok = ct_reclaim_token(cts.t);
		if (rcu != NULL)
			cts.rcu_tok = rte_rcu_qsbr_start(rcu);
		cts.pending = true;
	}
	if (++cts.ticks % RATE_TICKS == 0) {
		struct ct_stats st;
		ct_get_stats(cts.t, &st);
		cts.rate = (double)(st.creations - cts.rate_creations) * 1000.0 /
		           (TICK_MS * RATE_TICKS);
		cts.rate_creations = st.creations;
	}
}

/* --- ferryctl ct --- */

static const char *const tcp_states[] = {
        "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
        "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
};

static const char *sctp_state(uint8_t st)
{
	static const char *const names[] = {
	        [CT_SCTP_NONE] = "NONE",
	        [CT_SCTP_CLOSED] = "CLOSED",
	        [CT_SCTP_COOKIE_WAIT] = "COOKIE_WAIT",
	        [CT_SCTP_COOKIE_ECHOED] = "COOKIE_ECHOED",
	        [CT_SCTP_ESTABLISHED] = "ESTABLISHED",
	        [CT_SCTP_SHUTDOWN_SENT] = "SHUTDOWN_SENT",
	        [CT_SCTP_SHUTDOWN_RECD] = "SHUTDOWN_RECD",
	        [CT_SCTP_SHUTDOWN_ACK_SENT] = "SHUTDOWN_ACK_SENT",
	};
	return st < sizeof(names) / sizeof(names[0]) && names[st] ? names[st] : "?";
}

static const char *proto_name(uint8_t p, bool ip6)
{
	switch (p) {
	case IPPROTO_TCP_:
		return ip6 ? "tcp6" : "tcp";
	case IPPROTO_UDP_:
		return ip6 ? "udp6" : "udp";
	case IPPROTO_ICMP_:
		return "icmp";
	case IPPROTO_ICMPV6_:
		return "icmp6";
	case IPPROTO_SCTP_:
		return ip6 ? "sctp6" : "sctp";
	default:
		return ip6 ? "ipv6" : "ip";
	}
}

static void tuple_text(const struct ct_tuple *t, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	inet_ntop(t->ip6 ? AF_INET6 : AF_INET, t->src, s, sizeof(s));
	inet_ntop(t->ip6 ? AF_INET6 : AF_INET, t->dst, d, sizeof(d));
	if (t->proto == IPPROTO_ICMP_ || t->proto == IPPROTO_ICMPV6_)
		snprintf(buf, n, "src=%s,dst=%s,id=%u,type=%u", s, d, ntohs(t->sport),
		         ((const uint8_t *)&t->dport)[1]);
	else if (t->sport || t->dport)
		snprintf(buf, n, "src=%s,dst=%s,sport=%u,dport=%u", s, d, ntohs(t->sport),
		         ntohs(t->dport));
	else
		snprintf(buf, n, "src=%s,dst=%s", s, d);
}

/* One connection as dpctl/dump-conntrack writes it, with our zone. */
static void conn_text(const struct ct_conn *c, uint64_t now, char *buf, size_t n, uint64_t *left)
{
	char o[160], r[160], label[40] = "";
	const struct ct_tuple *t = &c->tuple[CT_DIR_ORIG];
	uint64_t exp = __atomic_load_n(&c->expiry, __ATOMIC_RELAXED);
	*left = exp > now ? (exp - now) / ct_hz(cts.t) : 0;
	tuple_text(&c->tuple[CT_DIR_ORIG], o, sizeof(o));
	tuple_text(&c->tuple[CT_DIR_REPLY], r, sizeof(r));
	bool any = false;
	for (int i = 0; i < 16; i++)
		any |= c->label[i] != 0;
	if (any) {
		char *p = label + snprintf(label, sizeof(label), ",labels=0x");
		for (int i = 0; i < 16; i++)
			p += sprintf(p, "%02x", c->label[i]);
	}
	int k = snprintf(buf, n, "%s,orig=(%s),reply=(%s),zone=%u,mark=%u%s",
	                 proto_name(t->proto, t->ip6), o, r, c->zone, c->mark, label);
	if (t->proto == IPPROTO_TCP_ && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ",protoinfo=(state=%s)",
		         c->tcp_state < 9 ? tcp_states[c->tcp_state] : "?");
	else if (t->proto == IPPROTO_SCTP_ && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ",protoinfo=(state=%s)", sctp_state(c->tcp_state));
}

struct list_arg {
	struct ctl_req *req;
	json_t *out;
	int zone;
	const char *filter;
	uint64_t now;
	unsigned shown, flushed;
	bool flush;
};

static bool list_one(struct ct_conn *c, void *aux)
{
	struct list_arg *a = aux;
	char line[512];
	uint64_t left;
	if (a->zone >= 0 && c->zone != a->zone)
		return true;
	conn_text(c, a->now, line, sizeof(line), &left);
	if (a->filter != NULL && strstr(line, a->filter) == NULL)
		return true;
	if (a->flush) {
		if (ct_flush(cts.t, c->zone, &c->tuple[CT_DIR_ORIG], a->now))
			a->flushed++;
		return true;
	}
	a->shown++;
	ctl_printf(a->req, "%s,timeout=%llu\n", line, (unsigned long long)left);
	json_array_append_new(a->out, json_pack("{s:s, s:i, s:I}", "conn", line, "zone", c->zone,
	                                        "timeout", (json_int_t)left));
	return true;
}

/* [--zone Z|NAME] [FILTER]: the zone and filter of a list or flush. */
static int parse_sel(struct ctl_req *req, struct list_arg *a)
{
	a->zone = -1;
	a->filter = NULL;
	for (unsigned i = 0; i < req->argc; i++) {
		if (!strcmp(req->argv[i], "--zone")) {
			if (++i == req->argc)
				return ctl_error(req, -EINVAL,
				                 "--zone needs a zone number or name");
			char *end;
			unsigned long z = strtoul(req->argv[i], &end, 10);
			if (*end == '\0' && end != req->argv[i] && z <= ZONE_MAX)
				a->zone = (int)z;
			else if ((a->zone = zone_by_name(req->argv[i])) < 0)
				return ctl_error(req, -ENOENT,
				                 "no zone '%s' (see ferryctl ct zones)",
				                 req->argv[i]);
		} else if (a->filter == NULL) {
			a->filter = req->argv[i];
		} else {
			return ctl_error(req, -EINVAL, "one filter at most, not '%s'",
			                 req->argv[i]);
		}
	}
	return 0;
}

static int ct_list_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct list_arg a = {.req = req, .now = rte_rdtsc()};
	if (cts.t == NULL)
		return ctl_error(req, -ENOTCONN, "no connection tracker (mode ovn only)");
	int rc = parse_sel(req, &a);
	if (rc)
		return rc;
	a.out = json_array();
	ct_walk(cts.t, a.now, list_one, &a);
	if (a.shown == 0)
		ctl_printf(req, "no connections%s\n", a.zone >= 0 || a.filter ? " match" : "");
	req->result = a.out;
	return 0;
}

static int ct_flush_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct list_arg a = {.req = req, .now = rte_rdtsc(), .flush = true};
	if (cts.t == NULL)
		return ctl_error(req, -ENOTCONN, "no connection tracker (mode ovn only)");
	int rc = parse_sel(req, &a);
	if (rc)
		return rc;
	if (a.filter == NULL)
		a.flushed = ct_flush(cts.t, a.zone, NULL, a.now);
	else
		ct_walk(cts.t, a.now, list_one, &a);
	ctl_printf(req, "%u connections flushed\n", a.flushed);
	req->result = json_pack("{s:i}", "flushed", a.flushed);
	return 0;
}

struct stats_arg {
	uint64_t by_zone[ZONE_MAX + 1];
	json_t *proto, *tcp;
};

static bool stats_one(struct ct_conn *c, void *aux)
{
	struct stats_arg *a = aux;
	const struct ct_tuple *t = &c->tuple[CT_DIR_ORIG];
	const char *p = proto_name(t->proto, t->ip6);
	a->by_zone[c->zone]++;
	json_object_set_new(a->proto, p,
	                    json_integer(json_integer_value(json_object_get(a->proto, p)) + 1));
	if (t->proto == IPPROTO_TCP_ || t->proto == IPPROTO_SCTP_) {
		char sk[32];
		snprintf(sk, sizeof(sk), "%s%s", t->proto == IPPROTO_SCTP_ ? "sctp " : "",
		         t->proto == IPPROTO_SCTP_ ? sctp_state(c->tcp_state)
		         : c->tcp_state < 9        ? tcp_states[c->tcp_state]
		                                   : "?");
		const char *s = sk;
		json_object_set_new(
		        a->tcp, s,
		        json_integer(json_integer_value(json_object_get(a->tcp, s)) + 1));
	}
	return true;
}

static int ct_stats_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	struct ct_stats st;
	if (cts.t == NULL)
		return ctl_error(req, -ENOTCONN, "no connection tracker (mode ovn only)");
	struct stats_arg *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return ctl_error(req, -ENOMEM, "out of memory");
	a->proto = json_object();
	a->tcp = json_object();
	ct_walk(cts.t, rte_rdtsc(), stats_one, a);
	ct_get_stats(cts.t, &st);
	json_t *zones = json_object();
	ctl_printf(req,
	           "connections: %llu\ncreated: %llu (%.1f per second)\nexpired: %llu\n"
	           "refused (table full): %llu\nno free translation (NAT exhausted): %llu\n"
	           "invalid packets: %llu\n",
	           (unsigned long long)st.conns, (unsigned long long)st.creations, cts.rate,
	           (unsigned long long)st.expirations, (unsigned long long)st.refusals,
	           (unsigned long long)st.nat_exhausted, (unsigned long long)st.invalid);
	const char *k;
	json_t *v;
	ctl_printf(req, "by protocol:");
	json_object_foreach (a->proto, k, v)
		ctl_printf(req, " %s %lld", k, (long long)json_integer_value(v));
	ctl_printf(req, "\nby TCP and SCTP state:");
	json_object_foreach (a->tcp, k, v)
		ctl_printf(req, " %s %lld", k, (long long)json_integer_value(v));
	struct ct_frag_stats fs;
	ct_frags_stats(cts.frags, &fs);
	ctl_printf(req,
	           "fragments: %llu first, %llu later followed, %llu later unfollowed (ct.inv), "
	           "%llu datagrams evicted\n",
	           (unsigned long long)fs.first, (unsigned long long)fs.followed,
	           (unsigned long long)fs.unfollowed, (unsigned long long)fs.evicted);
	struct pl_frag_early_stats es;
	pl_frag_early_stats(&es);
	ctl_printf(req,
	           "fragments before their first: %llu held, %llu released after it, %llu dropped "
	           "(no first within %u ms), %llu not held (%u already were)\n",
	           (unsigned long long)es.held, (unsigned long long)es.released,
	           (unsigned long long)es.expired, PL_FRAG_HOLD_MS, (unsigned long long)es.overflow,
	           PL_FRAG_HOLD_MAX);
	struct ct_aff_stats as;
	ct_aff_stats(cts.aff, &as);
	ctl_printf(req,
	           "load balancer affinity: %llu learned, %llu found, %llu not found, %llu "
	           "clients evicted\n",
	           (unsigned long long)as.learned, (unsigned long long)as.hits,
	           (unsigned long long)as.misses, (unsigned long long)as.evicted);
	uint64_t logged, limited;
	pipeline_acl_log_counts(&logged, &limited);
	ctl_printf(req, "\nACL log: %llu lines, %llu over their meter (not logged)",
	           (unsigned long long)logged, (unsigned long long)limited);
	ctl_printf(req, "\nby zone:\n");
	for (unsigned z = 0; z <= ZONE_MAX; z++) {
		if (a->by_zone[z] == 0)
			continue;
		char key[8];
		snprintf(key, sizeof(key), "%u", z);
		struct ct_zone_stats zs;
		ct_zone_stats(cts.t, (uint16_t)z, &zs);
		char lim[16] = "none";
		if (zs.limit)
			snprintf(lim, sizeof(lim), "%u", zs.limit);
		ctl_printf(req, "  %5u %-40s %llu (limit %s, %llu refused)\n", z,
		           zone_name((uint16_t)z), (unsigned long long)a->by_zone[z], lim,
		           (unsigned long long)zs.refusals);
		json_object_set_new(zones, key, json_integer((json_int_t)a->by_zone[z]));
	}
	req->result = json_pack("{s:I, s:I, s:f, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I}",
	                        "connections", (json_int_t)st.conns, "created",
	                        (json_int_t)st.creations, "created_per_second", cts.rate, "expired",
	                        (json_int_t)st.expirations, "refused", (json_int_t)st.refusals,
	                        "invalid", (json_int_t)st.invalid, "by_protocol", a->proto,
	                        "by_tcp_state", a->tcp, "by_zone", zones, "acl_log_lines",
	                        (json_int_t)logged, "acl_log_limited", (json_int_t)limited);
	json_object_set_new(req->result, "nat_exhausted",
	                    json_integer((json_int_t)st.nat_exhausted));
	json_object_set_new(req->result, "affinity",
	                    json_pack("{s:I, s:I, s:I, s:I}", "learned", (json_int_t)as.learned,
	                              "found", (json_int_t)as.hits, "not_found",
	                              (json_int_t)as.misses, "evicted", (json_int_t)as.evicted));
	json_object_set_new(
	        req->result, "fragments",
	        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "first", (json_int_t)fs.first,
	                  "followed", (json_int_t)fs.followed, "unfollowed",
	                  (json_int_t)fs.unfollowed, "evicted", (json_int_t)fs.evicted, "held",
	                  (json_int_t)es.held, "released", (json_int_t)es.released, "held_expired",
	                  (json_int_t)es.expired, "held_overflow", (json_int_t)es.overflow));
	free(a);
	return 0;
}

static int ct_zones_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	json_t *out = json_array();
	size_t i = 0;
	const char *name;
	struct zone *e;
	ctl_printf(req, "%5s %s\n", "ZONE", "OWNER");
	while (cts.zones_ready && (e = strmap_next(&cts.zones, &i, &name)) != NULL) {
		ctl_printf(req, "%5u %s\n", e->zone, name);
		json_array_append_new(out, json_pack("{s:i, s:s}", "zone", e->zone, "owner", name));
	}
	req->result = out;
	return 0;
}

/* ct limit [--zone Z|OWNER [N|default]]: zones' limits, or one set. */
static int ct_limit_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	if (cts.t == NULL)
		return ctl_error(req, -ENOTCONN, "no connection tracker (mode ovn only)");
	int zone = -1;
	if (req->argc >= 1) {
		if (strcmp(req->argv[0], "--zone") || req->argc < 2)
			return ctl_error(req, -EINVAL,
			                 "usage: ct limit [--zone Z|OWNER [N|default]]");
		char *end;
		unsigned long z = strtoul(req->argv[1], &end, 10);
		zone = *end == '\0' && end != req->argv[1] && z <= ZONE_MAX
		               ? (int)z
		               : zone_by_name(req->argv[1]);
		if (zone < 0)
			return ctl_error(req, -ENOENT, "no zone '%s' (see ferryctl ct zones)",
			                 req->argv[1]);
	}
	if (req->argc == 3) {
		const char *v = req->argv[2];
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (!strcmp(v, "default"))
			n = CT_ZONE_LIMIT_DEFAULT;
		else if (*end != '\0' || end == v || n > (1ul << 24))
			return ctl_error(
			        req, -EINVAL,
			        "a limit is a number of connections up to %lu (0: none), or "
			        "default, not '%s'",
			        1ul << 24, v);
		ct_zone_limit_set(cts.t, (uint16_t)zone, (uint32_t)n);
	}
	json_t *out = json_array();
	ctl_printf(req, "%5s %-40s %10s %10s %10s\n", "ZONE", "OWNER", "CONNS", "LIMIT", "REFUSED");
	for (uint32_t z = 0; z <= ZONE_MAX; z++) {
		if ((zone >= 0 && (int)z != zone) || (zone < 0 && !zone_used((uint16_t)z)))
			continue;
		struct ct_zone_stats zs;
		char lim[16] = "none";
		ct_zone_stats(cts.t, (uint16_t)z, &zs);
		if (zs.limit)
			snprintf(lim, sizeof(lim), "%u%s", zs.limit, zs.dflt ? "*" : "");
		ctl_printf(req, "%5u %-40s %10u %10s %10llu\n", z, zone_name((uint16_t)z), zs.conns,
		           lim, (unsigned long long)zs.refusals);
		json_array_append_new(out,
		                      json_pack("{s:i, s:s, s:i, s:I, s:b, s:I}", "zone", z,
		                                "owner", zone_name((uint16_t)z), "conns", zs.conns,
		                                "limit", (json_int_t)zs.limit, "default", zs.dflt,
		                                "refused", (json_int_t)zs.refusals));
	}
	ctl_printf(req, "(* the default limit, conntrack.zone-limit)\n");
	req->result = out;
	return 0;
}

static const struct ctl_cmd ct_cmds[] = {
        {"ct limit", "[--zone Z|OWNER [N|default]]",
         "zones' connections, limits and refusals; or set one zone's limit (0: none)", 0, 3,
         ct_limit_cmd, NULL},
        {"ct list", "[--zone Z] [FILTER]",
         "connections, as dpctl/dump-conntrack (FILTER: a substring of the line)", 0, 3,
         ct_list_cmd, NULL},
        {"ct flush", "[--zone Z] [FILTER]",
         "forget connections: all, a zone's, or those whose line holds FILTER", 0, 3, ct_flush_cmd,
         NULL},
        {"ct stats", "", "connections by protocol, TCP state and zone; creations, refusals", 0, 0,
         ct_stats_cmd, NULL},
        {"ct zones", "", "conntrack zone numbers and what they belong to", 0, 0, ct_zones_cmd,
         NULL},
};

int pipeline_ct_start(struct event_base *base, const struct ferry_conf *conf)
{
	struct ct_config cfg = {.max_conns = conf->ct_max_conns,
	                        .hz = rte_get_tsc_hz(),
	                        .tcp_liberal = conf->ct_tcp_liberal};
	_Static_assert(sizeof(cfg.to) == sizeof(conf->ct_timeouts), "one key per timeout");
	memcpy(&cfg.to, &conf->ct_timeouts, sizeof(cfg.to));
	zones_init();
	if (conf->ct_zones_file != NULL) {
		cts.file = strdup(conf->ct_zones_file);
	} else {
		/* Beside the control socket. */
		const char *slash = strrchr(conf->socket, '/');
		size_t dir = slash ? (size_t)(slash - conf->socket) : 1;
		cts.file = malloc(dir + 10);
		if (cts.file != NULL)
			snprintf(cts.file, dir + 10, "%.*s/ct-zones", (int)dir,
			         slash ? conf->socket : ".");
	}
	if (cts.file == NULL)
		return -ENOMEM;
	zones_load(cts.file);
	cts.t = ct_create(&cfg);
	if (cts.t == NULL) {
		PL_LOG(ERR, "conntrack: cannot allocate a table of %u connections",
		       conf->ct_max_conns);
		return -ENOMEM;
	}
	ct_zone_limit_default(cts.t, conf->ct_zone_limit);
	cts.frags = ct_frags_create(conf->ct_fragments, conf->ct_timeouts_frag, cfg.hz);
	cts.aff = ct_aff_create(conf->ct_max_conns / 4, cfg.hz);
	if (cts.frags == NULL || cts.aff == NULL)
		return -ENOMEM;
	cts.tick = event_new(base, -1, EV_PERSIST, tick, NULL);
	struct timeval tv = {0, TICK_MS * 1000};
	if (cts.tick == NULL || event_add(cts.tick, &tv) < 0)
		return -ENOMEM;
	pl_set_conntrack(cts.t, cts.frags, cts.aff);
	for (size_t i = 0; i < sizeof(ct_cmds) / sizeof(ct_cmds[0]); i++)
		ctl_register(&ct_cmds[i]);
	PL_LOG(INFO, "conntrack: up to %u connections, zones in %s", conf->ct_max_conns, cts.file);
	return 0;
}

void pipeline_ct_stop(void)
{
	struct rte_rcu_qsbr *rcu = port_workers_rcu();
	pl_set_conntrack(NULL, NULL, NULL);
	if (rcu != NULL)
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	if (cts.tick != NULL)
		event_free(cts.tick);
	cts.tick = NULL;
	ct_destroy(cts.t);
	cts.t = NULL;
	ct_frags_destroy(cts.frags);
	cts.frags = NULL;
	ct_aff_destroy(cts.aff);
	cts.aff = NULL;
	cts.pending = false;
	free(cts.file);
	cts.file = NULL;
}
