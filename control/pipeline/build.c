/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building one snapshot (see pipeline.h). Everything a snapshot points to
 * lives in one arena owned by its struct pl_gen, so retiring a snapshot is
 * one arena_destroy() after the workers have moved on.
 */
#include "control/pipeline/pipeline_priv.h"

#include <arpa/inet.h>
#include <rte_cycles.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/compiler.h"
#include "control/pipeline/prepare.h"
#include "dataplane/pipeline/fields.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/meter.h"
#include "control/ovsdb/sb.h"

struct bctx {
	struct pl_gen *g;
	struct strmap peer_by_uuid; /* Chassis uuid -> peer index + 1 */
	struct ovsdb_idl *idl;
	const char *chassis;
	struct ovsdb_uuid self;
	bool have_self;
	struct strmap dp_by_uuid;   /* uuid -> index + 1 */
	struct strmap dp_by_key;    /* "%u" -> index + 1 */
	struct strmap flow_by_uuid; /* uuid -> index + 1 */
	struct pl_datapath *dps;
	uint32_t n_dps;
	/* Entries gathered per table before sorting. */
	struct pl_flow *flows;
	uint32_t n_flows, cap_flows;
	uint32_t n_entry_ids, n_miss_ids;
};

static void *az(struct pl_gen *g, size_t n)
{
	return arena_zalloc(&g->arena, n ? n : 1);
}

static const char *uuid_text(const struct ovsdb_uuid *u, char buf[OVSDB_UUID_LEN + 1])
{
	ovsdb_uuid_format(u, buf);
	return buf;
}

static uint32_t dp_index_of(struct bctx *b, const json_t *ref)
{
	struct ovsdb_uuid u;
	char t[OVSDB_UUID_LEN + 1];
	if (ovsdb_datum_uuid(ref, &u) < 0)
		return UINT32_MAX;
	uintptr_t v = (uintptr_t)strmap_get(&b->dp_by_uuid, uuid_text(&u, t));
	return v ? (uint32_t)(v - 1) : UINT32_MAX;
}

static int dp_cmp(const void *pa, const void *pb)
{
	const struct pl_datapath *a = pa, *b = pb;
	return a->key < b->key ? -1 : a->key > b->key;
}

static void build_datapaths(struct bctx *b)
{
	struct ovsdb_table *t = ovsdb_idl_table(b->idl, SB_T_DATAPATH);
	size_t n = ovsdb_table_count(t), i = 0;
	struct {
		uint32_t key;
		struct ovsdb_uuid u;
	} *tmp = calloc(n + 1, sizeof(*tmp));
	if (tmp == NULL)
		abort();
	b->dps = az(b->g, (n + 1) * sizeof(*b->dps));
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		struct pl_datapath *d = &b->dps[i];
		const json_t *ext = ovsdb_row_get(r, SB_DATAPATH_EXTERNAL_IDS);
		const char *name = ovsdb_map_get(ext, "name");
		d->key = (uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_DATAPATH_TUNNEL_KEY), 0);
		d->router = ovsdb_map_get(ext, "logical-router") != NULL;
		d->name = arena_strdup(&b->g->arena, name ? name : "");
		tmp[i].key = d->key;
		tmp[i].u = r->uuid;
		i++;
	}
	b->n_dps = (uint32_t)i;
	qsort(b->dps, i, sizeof(*b->dps), dp_cmp);
	for (size_t k = 0; k < i; k++) {
		char key[16], t2[OVSDB_UUID_LEN + 1];
		snprintf(key, sizeof(key), "%u", b->dps[k].key);
		strmap_put(&b->dp_by_key, key, (void *)(uintptr_t)(k + 1));
		/* Find the uuid of the datapath now at k. */
		for (size_t j = 0; j < i; j++)
			if (tmp[j].key == b->dps[k].key) {
				strmap_put(&b->dp_by_uuid, uuid_text(&tmp[j].u, t2),
				           (void *)(uintptr_t)(k + 1));
				/* Named as ovn-controller names them; a switch's
				 * SNAT zone holds its hairpinned connections. */
				char zn[OVSDB_UUID_LEN + 8];
				snprintf(zn, sizeof(zn), "%s_dnat", t2);
				b->dps[k].dnat_zone = pipeline_ct_zone(zn);
				snprintf(zn, sizeof(zn), "%s_snat", t2);
				b->dps[k].snat_zone = pipeline_ct_zone(zn);
			}
	}
	free(tmp);
}

static enum pl_port_type type_of(const char *type)
{
	static const struct {
		const char *name;
		enum pl_port_type t;
	} map[] = {
	        {"", PL_PORT_VIF},
	        {"virtual", PL_PORT_VIF},
	        {"patch", PL_PORT_PATCH},
	        {"l3gateway", PL_PORT_PATCH},
	        {"localport", PL_PORT_LOCALPORT},
	        {"localnet", PL_PORT_LOCALNET},
	        {"l2gateway", PL_PORT_L2GATEWAY},
	        {"external", PL_PORT_EXTERNAL},
	        {"chassisredirect", PL_PORT_CHASSISREDIRECT},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, type) == 0)
			return map[i].t;
	return PL_PORT_OTHER;
}

/* "MAC [ADDR[/LEN] ...]" into one entry; false when the MAC is bad. */
static bool parse_psec(struct pl_gen *g, const char *text, struct pl_psec *e)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", text);
	char *save = NULL, *tok = strtok_r(buf, " ", &save);
	unsigned m[6];
	if (tok == NULL ||
	    sscanf(tok, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		e->mac[i] = (uint8_t)m[i];
	struct lflow_u128 v4[32], m4[32], v6[32], m6[32];
	unsigned n4 = 0, n6 = 0;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *slash = strchr(tok, '/');
		int len = -1;
		if (slash) {
			*slash = '\0';
			len = atoi(slash + 1);
		}
		uint8_t a[16];
		if (inet_pton(AF_INET, tok, a) == 1 && n4 < 32) {
			uint32_t x = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
			             ((uint32_t)a[2] << 8) | a[3];
			if (len < 0 || len > 32)
				len = 32;
			uint32_t mk = len == 0 ? 0 : 0xffffffffu << (32 - len);
			v4[n4] = (struct lflow_u128){0, x};
			m4[n4++] = (struct lflow_u128){0, mk};
		} else if (inet_pton(AF_INET6, tok, a) == 1 && n6 < 32) {
			uint64_t hi = 0, lo = 0;
			for (int i = 0; i < 8; i++) {
				hi = (hi << 8) | a[i];
				lo = (lo << 8) | a[8 + i];
			}
			if (len < 0 || len > 128)
				len = 128;
			struct lflow_u128 mk = {
			        len >= 64 ? ~0ull : (len ? ~0ull << (64 - len) : 0),
			        len <= 64 ? 0 : (len == 128 ? ~0ull : ~0ull << (128 - len))};
			v6[n6] = (struct lflow_u128){hi, lo};
			m6[n6++] = mk;
		}
	}
	e->n4 = (uint16_t)n4;
	e->n6 = (uint16_t)n6;
	struct lflow_u128 *p = az(g, (size_t)(2 * n4 + 2 * n6) * sizeof(*p));
	memcpy(p, v4, n4 * sizeof(*p));
	memcpy(p + n4, m4, n4 * sizeof(*p));
	memcpy(p + 2 * n4, v6, n6 * sizeof(*p));
	memcpy(p + 2 * n4 + n6, m6, n6 * sizeof(*p));
	e->ip4 = p;
	e->ip4_mask = p + n4;
	e->ip6 = p + 2 * n4;
	e->ip6_mask = p + 2 * n4 + n6;
	return true;
}

static int lport_cmp(const void *pa, const void *pb)
{
	const struct pl_lport *a = pa, *b = pb;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* A Port_Binding's local DPDK port: its own iface, for a container port
 * its parent's (with the tag), for a virtual port its virtual parent's. */
static uint16_t local_dpdk(const struct ovsdb_row *r, uint16_t *tag)
{
	const char *name = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_LOGICAL_PORT));
	const char *parent = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_PARENT_PORT));
	*tag = 0;
	if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_PB_TYPE)), "virtual") == 0) {
		const char *vp = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_VIRTUAL_PARENT));
		return vp[0] ? pipeline_local_port(vp) : DP_PORT_NONE;
	}
	if (parent[0] != '\0') {
		int64_t t = ovsdb_datum_int(ovsdb_row_get(r, SB_PB_TAG), 0);
		if (t <= 0 || t > 4095)
			return DP_PORT_NONE;
		*tag = (uint16_t)t;
		return pipeline_local_port(parent);
	}
	return pipeline_local_port(name);
}

/* The peer index of the chassis a Port_Binding is bound to. */
static uint16_t chassis_of(struct bctx *b, const struct ovsdb_row *r)
{
	struct ovsdb_uuid u;
	char t[OVSDB_UUID_LEN + 1];
	if (ovsdb_datum_uuid(ovsdb_row_get(r, SB_PB_CHASSIS), &u) < 0)
		return UINT16_MAX;
	uintptr_t v = (uintptr_t)strmap_get(&b->peer_by_uuid, uuid_text(&u, t));
	return v ? (uint16_t)(v - 1) : UINT16_MAX;
}

/* Every other chassis with a Geneve encap: a tunnel peer. */
static void build_peers(struct bctx *b)
{
	struct ovsdb_table *ct = ovsdb_idl_table(b->idl, SB_T_CHASSIS);
	struct ovsdb_table *et = ovsdb_idl_table(b->idl, SB_T_ENCAP);
	size_t n = ovsdb_table_count(ct);
	struct pl_peer *v = az(b->g, (n + 1) * sizeof(*v));
	uint16_t k = 0;
	for (const struct ovsdb_row *r = ovsdb_table_first(ct); r && k < UINT16_MAX - 1;
	     r = ovsdb_table_next(r)) {
		const char *name = ovsdb_datum_string(ovsdb_row_get(r, SB_CHASSIS_NAME));
		if (strcmp(name, b->chassis) == 0)
			continue;
		const struct ovsdb_row *enc = NULL;
		for (const struct ovsdb_row *e = ovsdb_table_first(et); e && !enc;
		     e = ovsdb_table_next(e))
			if (strcmp(ovsdb_datum_string(ovsdb_row_get(e, SB_ENCAP_CHASSIS_NAME)),
			           name) == 0 &&
			    strcmp(ovsdb_datum_string(ovsdb_row_get(e, SB_ENCAP_TYPE)), "geneve") ==
			            0)
				enc = e;
		if (enc == NULL)
			continue;
		struct pl_peer *p = &v[k];
		const char *ip = ovsdb_datum_string(ovsdb_row_get(enc, SB_ENCAP_IP));
		if (inet_pton(AF_INET, ip, p->ip) == 1)
			p->ip6 = false;
		else if (inet_pton(AF_INET6, ip, p->ip) == 1)
			p->ip6 = true;
		else
			continue;
		const char *csum = ovsdb_map_get(ovsdb_row_get(enc, SB_ENCAP_OPTIONS), "csum");
		p->csum = csum == NULL || strcmp(csum, "false") != 0;
		p->chassis = arena_strdup(&b->g->arena, name);
		pipeline_underlay_next_hop(p->ip, p->ip6, p->nh);
		p->resolved = pipeline_underlay_neigh(p->nh, p->ip6, p->mac, &p->refresh);
		char t[OVSDB_UUID_LEN + 1];
		strmap_put(&b->peer_by_uuid, uuid_text(&r->uuid, t), (void *)(uintptr_t)(k + 1));
		k++;
	}
	b->g->s.peers = v;
	b->g->s.n_peers = k;
	b->g->s.underlay = pipeline_underlay();
	/* Each reachable peer's outer headers, prepared once for the workers. */
	const struct pl_underlay *u = &b->g->s.underlay;
	for (uint16_t i = 0; i < k; i++) {
		struct pl_peer *p = &v[i];
		if (!u->present || !p->resolved || p->ip6 != u->ip6)
			continue;
		struct geneve_path path = {
		        .ip6 = u->ip6, .ttl = 64, .csum = p->csum, .offload = u->tx_csum};
		memcpy(path.eth_dst, p->mac, 6);
		memcpy(path.eth_src, u->mac, 6);
		memcpy(path.src, u->ip, 16);
		memcpy(path.dst, p->ip, 16);
		geneve_tmpl_init(&p->tmpl, &path);
	}
}

static bool bound_here(struct bctx *b, const struct ovsdb_row *r)
{
	struct ovsdb_uuid u;
	if (ovsdb_datum_uuid(ovsdb_row_get(r, SB_PB_CHASSIS), &u) < 0)
		return false;
	return b->have_self && ovsdb_uuid_equals(&u, &b->self);
}

static bool bound_elsewhere(struct bctx *b, const struct ovsdb_row *r)
{
	struct ovsdb_uuid u;
	return ovsdb_datum_uuid(ovsdb_row_get(r, SB_PB_CHASSIS), &u) == 0 &&
	       !(b->have_self && ovsdb_uuid_equals(&u, &b->self));
}

static void build_ports(struct bctx *b)
{
	struct ovsdb_table *t = ovsdb_idl_table(b->idl, SB_T_PB);
	struct pl_gen *g = b->g;
	uint32_t *counts = calloc(b->n_dps + 1, sizeof(*counts));
	if (counts == NULL)
		abort();
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		uint32_t d = dp_index_of(b, ovsdb_row_get(r, SB_PB_DATAPATH));
		if (d != UINT32_MAX)
			counts[d]++;
	}
	struct pl_lport **ports = calloc(b->n_dps + 1, sizeof(*ports));
	if (ports == NULL)
		abort();
	for (uint32_t d = 0; d < b->n_dps; d++) {
		ports[d] = az(g, counts[d] * sizeof(**ports));
		b->dps[d].ports = ports[d];
	}
	memset(counts, 0, (b->n_dps + 1) * sizeof(*counts));
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		uint32_t d = dp_index_of(b, ovsdb_row_get(r, SB_PB_DATAPATH));
		if (d == UINT32_MAX)
			continue;
		struct pl_lport *p = &ports[d][counts[d]++];
		const char *type = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_TYPE));
		p->key = (uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_PB_TUNNEL_KEY), 0);
		p->name = arena_strdup(&g->arena,
		                       ovsdb_datum_string(ovsdb_row_get(r, SB_PB_LOGICAL_PORT)));
		p->type = (uint8_t)type_of(type);
		p->dpdk = DP_PORT_NONE;
		p->peer_dp = UINT32_MAX;
		p->chassis = UINT16_MAX;
		if (p->type == PL_PORT_VIF) {
			uint16_t tag, dpdk = local_dpdk(r, &tag);
			const char *parent =
			        ovsdb_datum_string(ovsdb_row_get(r, SB_PB_PARENT_PORT));
			/* A container port follows its parent's binding, unless
			 * another chassis holds it (requested elsewhere). */
			bool here = parent[0] ? dpdk != DP_PORT_NONE && !bound_elsewhere(b, r)
			                      : bound_here(b, r);
			if (here && dpdk != DP_PORT_NONE) {
				p->dpdk = dpdk;
				p->tag = tag;
			} else if (bound_elsewhere(b, r)) {
				p->type = PL_PORT_REMOTE;
				p->chassis = chassis_of(b, r);
			} else {
				p->type = PL_PORT_UNBOUND;
			}
		} else if (p->type == PL_PORT_LOCALPORT) {
			uint16_t tag;
			p->dpdk = local_dpdk(r, &tag);
		}
		const json_t *ps = ovsdb_row_get(r, SB_PB_PORT_SECURITY);
		size_t n = ovsdb_datum_n(ps);
		if (n > 0) {
			struct pl_psec *e = az(g, n * sizeof(*e));
			uint16_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (parse_psec(g, json_string_value(ovsdb_datum_at(ps, i)) ?: "",
				               &e[k]))
					k++;
				else
					g->n_psec_errors++;
			p->psec = e;
			p->n_psec = k;
		}
	}
	for (uint32_t d = 0; d < b->n_dps; d++) {
		b->dps[d].n_ports = counts[d];
		qsort(ports[d], counts[d], sizeof(**ports), lport_cmp);
		for (uint32_t i = 0; i < counts[d]; i++)
			ports[d][i].idx = g->s.n_lports++;
	}
	/* Patch peers, by name, now that every port has its place. */
	struct strmap by_name;
	strmap_init(&by_name);
	for (uint32_t d = 0; d < b->n_dps; d++)
		for (uint32_t i = 0; i < counts[d]; i++)
			strmap_put(&by_name, ports[d][i].name, &ports[d][i]);
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		const char *type = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_TYPE));
		if (type_of(type) != PL_PORT_PATCH)
			continue;
		const char *name = ovsdb_datum_string(ovsdb_row_get(r, SB_PB_LOGICAL_PORT));
		const char *peer = ovsdb_map_get(ovsdb_row_get(r, SB_PB_OPTIONS), "peer");
		struct pl_lport *p = strmap_get(&by_name, name);
		struct pl_lport *q = peer ? strmap_get(&by_name, peer) : NULL;
		if (p == NULL || q == NULL)
			continue;
		for (uint32_t d = 0; d < b->n_dps; d++)
			if (q >= ports[d] && q < ports[d] + counts[d])
				p->peer_dp = d;
		p->peer_key = q->key;
	}
	/* Table 0: local DPDK ports to logical ports. */
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++)
		g->s.vifs[i].self.dp = UINT32_MAX;
	for (uint32_t d = 0; d < b->n_dps; d++) {
		for (uint32_t i = 0; i < counts[d]; i++) {
			const struct pl_lport *p = &ports[d][i];
			if (p->dpdk == DP_PORT_NONE || p->dpdk >= RTE_MAX_ETHPORTS ||
			    (p->type != PL_PORT_VIF && p->type != PL_PORT_LOCALPORT))
				continue;
			struct pl_vif *v = &g->s.vifs[p->dpdk];
			if (p->tag == 0) {
				v->self = (struct pl_binding){d, p->key};
				continue;
			}
			uint16_t *tags = az(g, (v->n_tagged + 1u) * sizeof(*tags));
			struct pl_binding *tb = az(g, (v->n_tagged + 1u) * sizeof(*tb));
			if (v->n_tagged) {
				memcpy(tags, v->tags, v->n_tagged * sizeof(*tags));
				memcpy(tb, v->tagged, v->n_tagged * sizeof(*tb));
			}
			tags[v->n_tagged] = p->tag;
			tb[v->n_tagged] = (struct pl_binding){d, p->key};
			v->tags = tags;
			v->tagged = tb;
			v->n_tagged++;
		}
	}
	strmap_destroy(&by_name);
	free(ports);
	free(counts);
}

static int mcg_cmp(const void *pa, const void *pb)
{
	const struct pl_mcgroup *a = pa, *b = pb;
	return a->key < b->key ? -1 : a->key > b->key;
}

static void build_mcgroups(struct bctx *b)
{
	struct ovsdb_table *t = ovsdb_idl_table(b->idl, SB_T_MCGROUP);
	struct ovsdb_table *pbt = ovsdb_idl_table(b->idl, SB_T_PB);
	size_t n = ovsdb_table_count(t);
	struct pl_mcgroup *all = az(b->g, (n + 1) * sizeof(*all));
	uint32_t *owner = calloc(n + 1, sizeof(*owner));
	if (owner == NULL)
		abort();
	size_t k = 0;
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r)) {
		uint32_t d = dp_index_of(b, ovsdb_row_get(r, SB_MCGROUP_DATAPATH));
		if (d == UINT32_MAX)
			continue;
		struct pl_mcgroup *g = &all[k];
		const json_t *ports = ovsdb_row_get(r, SB_MCGROUP_PORTS);
		size_t np = ovsdb_datum_n(ports);
		uint32_t *keys = az(b->g, (np + 1) * sizeof(*keys));
		g->key = (uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_MCGROUP_TUNNEL_KEY), 0);
		g->name = arena_strdup(&b->g->arena,
		                       ovsdb_datum_string(ovsdb_row_get(r, SB_MCGROUP_NAME)));
		for (size_t i = 0; i < np; i++) {
			struct ovsdb_uuid u;
			const struct ovsdb_row *pb;
			if (ovsdb_datum_uuid(ovsdb_datum_at(ports, i), &u) < 0 ||
			    (pb = ovsdb_table_get(pbt, &u)) == NULL)
				continue;
			keys[g->n++] =
			        (uint32_t)ovsdb_datum_int(ovsdb_row_get(pb, SB_PB_TUNNEL_KEY), 0);
		}
		g->ports = keys;
		owner[k++] = d;
	}
	/* Group per datapath: sort by (owner, key) through an index. */
	for (uint32_t d = 0; d < b->n_dps; d++) {
		size_t c = 0;
		for (size_t i = 0; i < k; i++)
			c += owner[i] == d;
		struct pl_mcgroup *v = az(b->g, (c + 1) * sizeof(*v));
		c = 0;
		for (size_t i = 0; i < k; i++)
			if (owner[i] == d)
				v[c++] = all[i];
		qsort(v, c, sizeof(*v), mcg_cmp);
		b->dps[d].mcgroups = v;
		b->dps[d].n_mcgroups = (uint32_t)c;
	}
	free(owner);
}

static int neigh_cmp(const void *pa, const void *pb)
{
	const struct pl_neigh *a = pa, *b = pb;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->ip.hi != b->ip.hi)
		return a->ip.hi < b->ip.hi ? -1 : 1;
	return a->ip.lo < b->ip.lo ? -1 : a->ip.lo > b->ip.lo;
}

static int neigh_order(const void *pa, const void *pb)
{
	const struct pl_neigh *a = pa, *b = pb;
	int c = neigh_cmp(a, b);
	return c ? c : (int)b->is_static - (int)a->is_static;
}

static bool parse_ip(const char *text, struct lflow_u128 *ip)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, text, a) == 1) {
		*ip = (struct lflow_u128){0, ((uint64_t)a[0] << 24) | ((uint64_t)a[1] << 16) |
		                                     ((uint64_t)a[2] << 8) | a[3]};
		return true;
	}
	if (inet_pton(AF_INET6, text, a) == 1) {
		ip->hi = ip->lo = 0;
		for (int i = 0; i < 8; i++) {
			ip->hi = (ip->hi << 8) | a[i];
			ip->lo = (ip->lo << 8) | a[8 + i];
		}
		return true;
	}
	return false;
}

/* Neighbours of each datapath's ports, from Static_MAC_Binding and
 * MAC_Binding; for an address in both, the static one is kept. */
static void build_neighbours(struct bctx *b)
{
	static const struct {
		unsigned t, port, ip, mac;
	} src[] = {
	        {SB_T_STATIC_MAC_BINDING, SB_STATIC_MAC_BINDING_LOGICAL_PORT,
	         SB_STATIC_MAC_BINDING_IP, SB_STATIC_MAC_BINDING_MAC},
	        {SB_T_MAC_BINDING, SB_MAC_BINDING_LOGICAL_PORT, SB_MAC_BINDING_IP,
	         SB_MAC_BINDING_MAC},
	};
	for (uint32_t d = 0; d < b->n_dps; d++) {
		struct pl_datapath *dp = &b->dps[d];
		size_t cap = 0;
		for (size_t k = 0; k < 2; k++)
			if (ovsdb_idl_has_table(b->idl, src[k].t))
				cap += ovsdb_table_count(ovsdb_idl_table(b->idl, src[k].t));
		struct pl_neigh *v = az(b->g, (cap + 1) * sizeof(*v));
		size_t n = 0;
		for (size_t k = 0; k < 2; k++) {
			if (!ovsdb_idl_has_table(b->idl, src[k].t))
				continue;
			struct ovsdb_table *t = ovsdb_idl_table(b->idl, src[k].t);
			for (const struct ovsdb_row *r = ovsdb_table_first(t); r && n < cap;
			     r = ovsdb_table_next(r)) {
				const char *pn = ovsdb_datum_string(ovsdb_row_get(r, src[k].port));
				const struct pl_lport *p = NULL;
				for (uint32_t i = 0; i < dp->n_ports && p == NULL; i++)
					if (strcmp(dp->ports[i].name, pn) == 0)
						p = &dp->ports[i];
				unsigned m[6];
				struct pl_neigh *e = &v[n];
				if (p == NULL ||
				    !parse_ip(ovsdb_datum_string(ovsdb_row_get(r, src[k].ip)),
				              &e->ip) ||
				    sscanf(ovsdb_datum_string(ovsdb_row_get(r, src[k].mac)),
				           "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
				           &m[5]) != 6)
					continue;
				e->port = p->key;
				e->is_static = k == 0;
				for (int i = 0; i < 6; i++)
					e->mac[i] = (uint8_t)m[i];
				n++;
			}
		}
		/* Static bindings sort first among equal keys, and survive. */
		qsort(v, n, sizeof(*v), neigh_order);
		size_t o = 0;
		for (size_t i = 0; i < n; i++)
			if (o == 0 || neigh_cmp(&v[o - 1], &v[i]) != 0)
				v[o++] = v[i];
		dp->neigh = v;
		dp->n_neigh = (uint32_t)o;
	}
}

/* Priority first; among equal priorities an order that depends only on
 * content (not on UUIDs, which northd changes when it regroups flows), so
 * an unchanged table is the same table in every snapshot. */
static int fdb_cmp(const void *pa, const void *pb)
{
	const struct pl_fdb *a = pa, *b = pb;
	return a->mac < b->mac ? -1 : a->mac > b->mac;
}

/* Learned MACs per switch (FDB rows: dp_key, port_key, mac). */
static void build_fdb(struct bctx *b)
{
	if (!ovsdb_idl_has_table(b->idl, SB_T_FDB))
		return;
	struct ovsdb_table *t = ovsdb_idl_table(b->idl, SB_T_FDB);
	size_t n = ovsdb_table_count(t);
	for (uint32_t d = 0; d < b->n_dps; d++) {
		struct pl_datapath *dp = &b->dps[d];
		struct pl_fdb *v = az(b->g, (n + 1) * sizeof(*v));
		size_t k = 0;
		for (const struct ovsdb_row *r = ovsdb_table_first(t); r && k < n;
		     r = ovsdb_table_next(r)) {
			unsigned m[6];
			if ((uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_FDB_DP_KEY), 0) !=
			            dp->key ||
			    sscanf(ovsdb_datum_string(ovsdb_row_get(r, SB_FDB_MAC)),
			           "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
			           &m[5]) != 6)
				continue;
			uint64_t mac = 0;
			for (int i = 0; i < 6; i++)
				mac = (mac << 8) | (m[i] & 0xff);
			v[k].mac = mac;
			v[k].port = (uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_FDB_PORT_KEY), 0);
			k++;
		}
		qsort(v, k, sizeof(*v), fdb_cmp);
		dp->fdb = v;
		dp->n_fdb = (uint32_t)k;
	}
}

static uint32_t flow_index(struct bctx *b, const struct lflow_export_entry *x, unsigned pipeline,
                           unsigned table)
{
	uintptr_t v = (uintptr_t)strmap_get(&b->flow_by_uuid, x->uuid);
	if (v)
		return (uint32_t)(v - 1);
	if (b->n_flows == b->cap_flows) {
		b->cap_flows = b->cap_flows ? 2 * b->cap_flows : 256;
		b->flows = realloc(b->flows, b->cap_flows * sizeof(*b->flows));
		if (b->flows == NULL)
			abort();
	}
	struct pl_flow *f = &b->flows[b->n_flows];
	f->uuid = arena_strdup(&b->g->arena, x->uuid);
	f->stage = "";
	f->match = arena_strdup(&b->g->arena, x->match ? x->match : "");
	f->actions = arena_strdup(&b->g->arena, x->actions ? x->actions : "");
	f->pipeline = (uint8_t)pipeline;
	f->table = (uint16_t)table;
	strmap_put(&b->flow_by_uuid, x->uuid, (void *)(uintptr_t)(b->n_flows + 1));
	return b->n_flows++;
}

/* Each set_meter of entry @p e (logical flow @p uuid) to its policer: the
 * slot + 1 in the instruction's arg (meter.h). */
static void bind_meters(struct bctx *b, struct pl_entry *e, const char *uuid)
{
	uint64_t *prog = (uint64_t *)e->prog; /* this snapshot's copy */
	for (uint32_t i = 0; i < e->prog_len;) {
		struct lflow_insn in;
		memcpy(&in, &prog[i], sizeof(in));
		if (in.len == 0 || i + in.len > e->prog_len)
			break;
		if (in.op == LFLOW_OP_SET_METER && !(in.flags & LFLOW_INSN_PUNT) && in.len >= 3) {
			uint64_t rate = prog[i + 2], burst = in.len >= 4 ? prog[i + 3] : 0;
			uint32_t slot = pl_policer_bind(
			        uuid, i, rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate,
			        burst > UINT32_MAX ? UINT32_MAX : (uint32_t)burst,
			        rte_get_tsc_hz());
			if (slot == PL_POLICER_NONE) {
				b->g->n_meters_unbound++;
			} else {
				in.arg = slot + 1;
				memcpy(&prog[i], &in, sizeof(in));
			}
		}
		i += in.len;
	}
}

static void add_table(void *aux, const struct lflow_table_info *ti,
                      const struct lflow_export_entry *x, size_t n)
{
	struct bctx *b = aux;
	char key[16];
	snprintf(key, sizeof(key), "%u", ti->dp_key);
	uintptr_t d = (uintptr_t)strmap_get(&b->dp_by_key, key);
	if (d == 0 || ti->table >= PL_TABLES_MAX || ti->pipeline > 1) {
		b->g->n_tables_skipped++;
		return;
	}
	struct pl_table *t = &b->dps[d - 1].tables[ti->pipeline][ti->table];
	struct pl_entry *e = pl_prepare_entries(&b->g->arena, x, n);
	for (size_t i = 0; i < n; i++) {
		e[i].flow = flow_index(b, &x[i], ti->pipeline, ti->table);
		bind_meters(b, &e[i], x[i].uuid ? x[i].uuid : "");
	}
	pl_prepare_table(&b->g->arena, t, e, n, b->flows, &b->n_entry_ids, &b->n_miss_ids);
	b->g->n_indexed += t->index != NULL;
}

/* Every table gets a miss slot, empty ones too: a packet can miss there. */
static void number_empty_tables(struct bctx *b)
{
	for (uint32_t d = 0; d < b->n_dps; d++)
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++)
				if (b->dps[d].tables[p][t].n == 0)
					b->dps[d].tables[p][t].miss_id = b->n_miss_ids++;
}

static void build_sets(struct bctx *b, const struct lflow_compiler *c)
{
	uint32_t n = lflow_compiler_n_set_ids(c);
	struct pl_set *sets = az(b->g, (n + 1) * sizeof(*sets));
	for (uint32_t id = 0; id < n; id++) {
		size_t k;
		const struct lflow_u128 *v, *m;
		if (!lflow_compiler_set_values(c, id, &k, &v, &m))
			continue;
		struct lflow_u128 *vv = az(b->g, 2 * k * sizeof(*vv));
		memcpy(vv, v, k * sizeof(*vv));
		memcpy(vv + k, m, k * sizeof(*vv));
		sets[id] = (struct pl_set){(uint32_t)k, vv, vv + k};
	}
	b->g->s.sets = sets;
	b->g->s.n_sets = n;
}

static void find_self(struct bctx *b)
{
	struct ovsdb_table *t = ovsdb_idl_table(b->idl, SB_T_CHASSIS);
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r))
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_CHASSIS_NAME)), b->chassis) ==
		    0) {
			b->self = r->uuid;
			b->have_self = true;
		}
}

/* Conntrack zones for the ports whose pipelines run here: local vifs and
 * localports. Router ports have none, as with ovn-controller: a switch's
 * egress towards one tracks in its inport's zone (interp_ct.c). */
static void assign_zones(struct bctx *b)
{
	for (uint32_t d = 0; d < b->n_dps; d++) {
		struct pl_datapath *dp = &b->dps[d];
		for (uint32_t i = 0; i < dp->n_ports; i++) {
			struct pl_lport *p = (struct pl_lport *)&dp->ports[i];
			bool local = (p->type == PL_PORT_VIF && p->dpdk != DP_PORT_NONE) ||
			             p->type == PL_PORT_LOCALPORT;
			if (local && !dp->router)
				p->zone = pipeline_ct_zone(p->name);
		}
	}
}

struct pl_gen *pipeline_build(struct ovsdb_idl *idl, const struct lflow_compiler *c,
                              const char *chassis, unsigned n_workers, uint64_t generation)
{
	struct pl_gen *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	arena_init(&g->arena);
	struct bctx b = {.g = g, .idl = idl, .chassis = chassis};
	pl_policers_begin();
	strmap_init(&b.dp_by_uuid);
	strmap_init(&b.dp_by_key);
	strmap_init(&b.flow_by_uuid);
	strmap_init(&b.peer_by_uuid);
	find_self(&b);
	build_peers(&b);
	build_datapaths(&b);
	build_ports(&b);
	assign_zones(&b);
	build_mcgroups(&b);
	build_neighbours(&b);
	build_fdb(&b);
	if (c != NULL) {
		lflow_compiler_export(c, add_table, &b);
		build_sets(&b, c);
	}
	number_empty_tables(&b);
	struct pl_flow *flows = az(g, (b.n_flows + 1) * sizeof(*flows));
	if (b.n_flows)
		memcpy(flows, b.flows, b.n_flows * sizeof(*flows));
	free(b.flows);
	g->s.generation = generation;
	g->s.datapaths = b.dps;
	g->s.n_datapaths = b.n_dps;
	g->s.flows = flows;
	g->s.n_flows = b.n_flows;
	g->s.n_entry_ids = b.n_entry_ids;
	g->s.n_miss_ids = b.n_miss_ids;
	g->n_workers = n_workers;
	for (unsigned w = 0; w < n_workers && w < DP_WORKERS_MAX; w++) {
		g->s.counters[w].hits = calloc(b.n_entry_ids + 1, sizeof(uint64_t));
		g->s.counters[w].drops = calloc(b.n_entry_ids + b.n_miss_ids + 1, sizeof(uint64_t));
		g->s.counters[w].lport_rx = calloc(g->s.n_lports + 1, sizeof(uint64_t));
		g->s.counters[w].lport_tx = calloc(g->s.n_lports + 1, sizeof(uint64_t));
		g->s.counters[w].peer = calloc(g->s.n_peers + 1u, sizeof(struct pl_peer_stats));
		if (g->s.counters[w].hits == NULL || g->s.counters[w].drops == NULL ||
		    g->s.counters[w].peer == NULL || g->s.counters[w].lport_rx == NULL ||
		    g->s.counters[w].lport_tx == NULL)
			abort();
	}
	strmap_destroy(&b.dp_by_uuid);
	strmap_destroy(&b.dp_by_key);
	strmap_destroy(&b.flow_by_uuid);
	strmap_destroy(&b.peer_by_uuid);
	pipeline_build_deps(g);
	pipeline_ct_zones_done();
	return g;
}

void pipeline_gen_free(struct pl_gen *g)
{
	if (g == NULL)
		return;
	for (unsigned w = 0; w < DP_WORKERS_MAX; w++) {
		free(g->s.counters[w].hits);
		free(g->s.counters[w].drops);
		free(g->s.counters[w].lport_rx);
		free(g->s.counters[w].lport_tx);
		free(g->s.counters[w].peer);
	}
	arena_destroy(&g->arena);
	free(g->deps);
	free(g);
}
