/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ACL logging: what log() punts, written to ferry's log one line per
 * packet, as ovn-controller's acl_log module writes it, and limited by the
 * ACL's meter (Southbound Meter: its first band's rate and burst, in
 * packets per second whatever the unit, as ovn-northd sizes ACL log
 * meters). A packet over the rate is counted, not logged.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/ovsdb/sb.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/pipeline/interp.h"

struct bucket {
	double tokens, rate, burst;
	uint64_t last_ms;
	uint64_t checked_ms; /* when the meter's row was last read */
};

static struct {
	struct strmap meters; /* name -> struct bucket */
	bool ready;
	uint64_t logged, limited;
	uint64_t sec, in_sec;
} al;

#define LOG_MAX_PER_SEC 1000

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The first band of meter @p name: rate and burst, 0 when there is none. */
static void meter_band(const char *name, double *rate, double *burst)
{
	*rate = *burst = 0;
	if (pl_state.idl == NULL || !ovsdb_idl_has_table(pl_state.idl, SB_T_METER))
		return;
	struct ovsdb_table *t = ovsdb_idl_table(pl_state.idl, SB_T_METER);
	struct ovsdb_table *bt = ovsdb_idl_table(pl_state.idl, SB_T_METER_BAND);
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_METER_NAME)), name))
			continue;
		const json_t *bands = ovsdb_row_get(r, SB_METER_BANDS);
		struct ovsdb_uuid u;
		if (ovsdb_datum_n(bands) == 0 || ovsdb_datum_uuid(ovsdb_datum_at(bands, 0), &u))
			return;
		const struct ovsdb_row *b = ovsdb_table_get(bt, &u);
		if (b == NULL)
			return;
		*rate = (double)ovsdb_datum_int(ovsdb_row_get(b, SB_METER_BAND_RATE), 0);
		*burst = (double)ovsdb_datum_int(ovsdb_row_get(b, SB_METER_BAND_BURST_SIZE), 0);
		if (*burst < 1)
			*burst = *rate > 1 ? *rate : 1;
		return;
	}
}

/* Whether meter @p name lets one more packet through now. */
static bool meter_allows(const char *name)
{
	if (name[0] == '\0')
		return true;
	if (!al.ready) {
		strmap_init(&al.meters);
		al.ready = true;
	}
	uint64_t now = now_ms();
	struct bucket *b = strmap_get(&al.meters, name);
	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL)
			return true;
		strmap_put(&al.meters, name, b);
		b->checked_ms = now - 1001;
		b->last_ms = now;
	}
	if (now - b->checked_ms > 1000) {
		/* The row may change: read it again once a second. */
		double burst = b->burst;
		meter_band(name, &b->rate, &b->burst);
		if (b->burst != burst)
			b->tokens = b->burst;
		b->checked_ms = now;
	}
	if (b->rate <= 0)
		return true; /* no such meter: unlimited, as without one */
	b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last_ms = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

static const char *port_of(uint32_t dp_key, uint32_t key)
{
	if (pl_state.cur == NULL)
		return "?";
	const struct pl_datapath *dp = pl_datapath_find(&pl_state.cur->s, dp_key);
	const struct pl_lport *p = dp ? pl_lport_find(dp, key) : NULL;
	return p ? p->name : "?";
}

void pipeline_acl_log(const struct pl_punt *p)
{
	static const char *const verdicts[] = {"allow", "drop", "reject"};
	static const char *const severities[] = {"alert", "warning", "notice", "info", "debug"};
	/* Besides the meter, a ceiling for the log itself. */
	uint64_t sec = now_ms() / 1000;
	if (sec != al.sec) {
		al.sec = sec;
		al.in_sec = 0;
	}
	if (!meter_allows(p->log_meter) || ++al.in_sec > LOG_MAX_PER_SEC) {
		al.limited++;
		return;
	}
	al.logged++;
	const struct flow_key *k = &p->key;
	bool v6 = (k->flags & FLOW_F_IP6) != 0;
	char s[INET6_ADDRSTRLEN] = "", d[INET6_ADDRSTRLEN] = "", l4[64] = "";
	char m1[18], m2[18];
	inet_ntop(v6 ? AF_INET6 : AF_INET, k->ip_src, s, sizeof(s));
	inet_ntop(v6 ? AF_INET6 : AF_INET, k->ip_dst, d, sizeof(d));
	pipeline_mac_text(k->eth_src, m1);
	pipeline_mac_text(k->eth_dst, m2);
	const char *proto = v6 ? "ipv6" : "ip";
	if (k->flags & FLOW_F_L4) {
		unsigned a = ntohs(k->tp_src), b = ntohs(k->tp_dst);
		switch (k->nw_proto) {
		case 6:
			proto = v6 ? "tcp6" : "tcp";
			snprintf(l4, sizeof(l4), ",tp_src=%u,tp_dst=%u", a, b);
			break;
		case 17:
			proto = v6 ? "udp6" : "udp";
			snprintf(l4, sizeof(l4), ",tp_src=%u,tp_dst=%u", a, b);
			break;
		case 132:
			proto = v6 ? "sctp6" : "sctp";
			snprintf(l4, sizeof(l4), ",tp_src=%u,tp_dst=%u", a, b);
			break;
		case 1:
		case 58:
			proto = v6 ? "icmp6" : "icmp";
			snprintf(l4, sizeof(l4), ",%s_type=%u,%s_code=%u", proto, a, proto, b);
			break;
		}
	}
	PL_LOG(INFO,
	       "acl_log: name=\"%s\", verdict=%s, severity=%s, direction=%s, port=%s: "
	       "%s,dl_src=%s,dl_dst=%s,nw_src=%s,nw_dst=%s,nw_ttl=%u%s",
	       p->log_name[0] ? p->log_name : "<unnamed>",
	       p->log_verdict < 3 ? verdicts[p->log_verdict] : "?",
	       p->log_severity < 5 ? severities[p->log_severity] : "?",
	       p->log_pipeline ? "to-lport" : "from-lport",
	       port_of(p->dp_key, p->log_pipeline ? p->parent_key : p->port_key), proto, m1, m2, s,
	       d, k->nw_ttl, l4);
}

void pipeline_acl_log_counts(uint64_t *logged, uint64_t *limited)
{
	*logged = al.logged;
	*limited = al.limited;
}

void pipeline_acl_log_stop(void)
{
	if (!al.ready)
		return;
	size_t i = 0;
	const char *name;
	struct bucket *b;
	while ((b = strmap_next(&al.meters, &i, &name)) != NULL)
		free(b);
	strmap_destroy(&al.meters);
	al.ready = false;
}
