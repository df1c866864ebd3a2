/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The snapshot fuzz_decap.c runs frames against: two logical switches
 * joined by a router, one other chassis, compiled from real logical flows
 * by the project's compiler and converted the way control/pipeline/build.c
 * converts them (entries sorted, prepared atoms, indexes for tables large
 * enough, a miss slot per table, counters sized from the ids). Building it
 * from a Southbound replica would need an OVSDB client; the compiler's
 * input structs (control/lflow/input.h) are what that replica feeds it.
 *
 *   sw0 (key 1): vm1 (1, DPDK port 1, port security), vm2 (2, DPDK port
 *       2), rvm (3, on the peer), sw0-lr0 (4, patch);
 *       _MC_flood 32768 = all, _MC_unknown 32769 = vm1, rvm
 *   lr0 (key 2): lr0-sw0 (1) 10.0.0.1, lr0-sw1 (2) 10.1.0.1; neighbours
 *   sw1 (key 3): vm3 (1, DPDK port 3), rvm2 (2, on the peer), sw1-lr0 (3),
 *       c1 (4, a container port on DPDK port 3, VLAN 42);
 *       _MC_flood 32768 = all
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/compiler.h"
#include "control/pipeline/prepare.h"
#include "dataplane/geneve/geneve.h"
#include "dataplane/pipeline/fields.h"
#include "dataplane/pipeline/interp.h"
#include "tests/fuzz/fuzz_decap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dp_sw0[] = {"dp-sw0"}, *const dp_lr0[] = {"dp-lr0"},
                         *const dp_sw1[] = {"dp-sw1"}, *const dp_sws[] = {"dp-sw0", "dp-sw1"};

#define F(U, DPS, P, T, PR, M, A)                       \
	{                                               \
		U, DPS, ARRAY_SIZE(DPS), P, T, PR, M, A \
	}
#define ROUTE(PORT, MAC, IP)                                                            \
	"ip.ttl--; reg0 = ip4.dst; reg1 = " IP "; eth.src = " MAC "; outport = \"" PORT \
	"\"; flags.loopback = 1; next;"
#define ARP_REPLY(MAC, IP)                                                                    \
	"eth.dst = eth.src; eth.src = " MAC "; arp.op = 2; arp.tha = arp.sha; arp.sha = " MAC \
	"; arp.tpa = arp.spa; arp.spa = " IP "; outport = inport; flags.loopback = 1; output;"

/*
 * Shaped on what ovn-northd writes (ls_out_*, lr_in_*, lr_out_*), cut to
 * the stages that decide something for a decapsulated frame.
 */
static const struct lflow_in_flow flows[] = {
        /* Switch egress: the pipeline a decapsulated frame runs. */
        F("e0a", dp_sws, 1, 0, 110, "eth.mcast", "next;"),
        F("e0b", dp_sw1, 1, 0, 100, "ip4 && ip.ttl == {0, 1}", "drop;"),
        F("e0c", dp_sws, 1, 0, 0, "1", "next;"),
        F("e1a", dp_sw0, 1, 1, 2001, "outport == \"vm1\" && ip4 && tcp.dst == 23", "drop;"),
        F("e1b", dp_sw0, 1, 1, 1001, "ip4.dst == 10.0.0.66", "ip4.dst = 10.0.0.11; next;"),
        F("e1c", dp_sw0, 1, 1, 1000, "outport == \"vm2\" && tcp.dst == 8080",
          "tcp.dst = 80; next;"),
        F("e1e", dp_sw0, 1, 1, 1001, "ip6.dst == fd00::66", "ip6.dst = fd00::c; next;"),
        F("e1d", dp_sws, 1, 1, 0, "1", "next;"),
        F("e2a", dp_sw0, 1, 2, 100, "outport == \"vm1\" && eth.dst == 00:00:00:00:01:01", "next;"),
        F("e2b", dp_sw0, 1, 2, 100, "outport == \"vm2\" && eth.dst == 00:00:00:00:01:02", "next;"),
        F("e2c", dp_sw0, 1, 2, 100, "outport == \"sw0-lr0\"", "next;"),
        F("e2d", dp_sw1, 1, 2, 100, "outport == \"vm3\" && eth.dst == 00:00:00:00:03:03", "next;"),
        F("e2e", dp_sw1, 1, 2, 100, "outport == \"sw1-lr0\"", "next;"),
        F("e2h", dp_sw1, 1, 2, 100, "outport == \"c1\" && eth.dst == 00:00:00:00:03:05", "next;"),
        F("e2f", dp_sws, 1, 2, 90, "eth.mcast", "next;"),
        F("e2g", dp_sws, 1, 2, 0, "1", "drop;"),
        F("e3a", dp_sws, 1, 3, 0, "1", "reg0[15] = check_out_port_sec(); next;"),
        F("e4a", dp_sws, 1, 4, 50, "reg0[15] == 1", "drop;"),
        F("e4b", dp_sws, 1, 4, 0, "1", "output;"),

        /* Switch ingress: what the router's output re-enters. */
        F("i0a", dp_sws, 0, 0, 100, "vlan.present", "drop;"),
        F("i0b", dp_sws, 0, 0, 0, "1", "next;"),
        F("i1a", dp_sws, 0, 1, 110, "eth.mcast", "outport = \"_MC_flood\"; output;"),
        F("i1b", dp_sw0, 0, 1, 50, "eth.dst == 00:00:00:00:01:01", "outport = \"vm1\"; output;"),
        F("i1c", dp_sw0, 0, 1, 50, "eth.dst == 00:00:00:00:01:02", "outport = \"vm2\"; output;"),
        F("i1d", dp_sw0, 0, 1, 50, "eth.dst == 00:00:00:00:01:03", "outport = \"rvm\"; output;"),
        F("i1e", dp_sw0, 0, 1, 50, "eth.dst == 00:00:00:00:ff:01",
          "outport = \"sw0-lr0\"; output;"),
        F("i1f", dp_sw0, 0, 1, 0, "1", "outport = \"_MC_unknown\"; output;"),
        F("i1g", dp_sw1, 0, 1, 50, "eth.dst == 00:00:00:00:03:03", "outport = \"vm3\"; output;"),
        F("i1h", dp_sw1, 0, 1, 50, "eth.dst == 00:00:00:00:03:04", "outport = \"rvm2\"; output;"),
        F("i1i", dp_sw1, 0, 1, 50, "eth.dst == 00:00:00:00:ff:02",
          "outport = \"sw1-lr0\"; output;"),
        F("i1k", dp_sw1, 0, 1, 50, "eth.dst == 00:00:00:00:03:05", "outport = \"c1\"; output;"),
        F("i1j", dp_sw1, 0, 1, 0, "1", "drop;"),

        /* Router ingress: admission, its own addresses, routing, next hop. */
        F("r0a", dp_lr0, 0, 0, 100, "vlan.present || eth.src[40]", "drop;"),
        F("r0b", dp_lr0, 0, 0, 50, "eth.mcast && inport == \"lr0-sw0\"", "next;"),
        F("r0c", dp_lr0, 0, 0, 50, "eth.dst == 00:00:00:00:ff:01 && inport == \"lr0-sw0\"",
          "next;"),
        F("r0d", dp_lr0, 0, 0, 50, "eth.mcast && inport == \"lr0-sw1\"", "next;"),
        F("r0e", dp_lr0, 0, 0, 50, "eth.dst == 00:00:00:00:ff:02 && inport == \"lr0-sw1\"",
          "next;"),
        F("r1a", dp_lr0, 0, 1, 90, "inport == \"lr0-sw0\" && arp.op == 1 && arp.tpa == 10.0.0.1",
          ARP_REPLY("00:00:00:00:ff:01", "10.0.0.1")),
        F("r1b", dp_lr0, 0, 1, 90, "inport == \"lr0-sw1\" && arp.op == 1 && arp.tpa == 10.1.0.1",
          ARP_REPLY("00:00:00:00:ff:02", "10.1.0.1")),
        F("r1c", dp_lr0, 0, 1, 90,
          "ip4.dst == {10.0.0.1, 10.1.0.1} && icmp4.type == 8 && icmp4.code == 0",
          "ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; flags.loopback = 1; next;"),
        F("r1d", dp_lr0, 0, 1, 40, "inport == \"lr0-sw0\" && ip4 && ip.ttl == {0, 1}",
          "icmp4 { eth.dst <-> eth.src; icmp4.type = 11; icmp4.code = 0; ip4.dst = ip4.src; "
          "ip4.src = 10.0.0.1; ip.ttl = 254; outport = \"lr0-sw0\"; flags.loopback = 1; "
          "output; };"),
        F("r1e", dp_lr0, 0, 1, 30, "ip4.dst == {10.0.0.1, 10.1.0.1}", "drop;"),
        F("r1f", dp_lr0, 0, 1, 0, "1", "next;"),
        F("r2a", dp_lr0, 0, 2, 74, "ip4.dst == 10.0.0.0/24",
          ROUTE("lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1")),
        F("r2b", dp_lr0, 0, 2, 74, "ip4.dst == 10.1.0.0/24",
          ROUTE("lr0-sw1", "00:00:00:00:ff:02", "10.1.0.1")),
        F("r3a", dp_lr0, 0, 3, 0, "ip4", "get_arp(outport, reg0); next;"),
        F("r4a", dp_lr0, 0, 4, 100, "eth.dst == 00:00:00:00:00:00 && ip4",
          "arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = reg1; arp.tpa = reg0; arp.op = 1; "
          "output; };"),
        F("r4b", dp_lr0, 0, 4, 0, "1", "output;"),

        /* Router egress: a source rewrite, then delivery. */
        F("o0a", dp_lr0, 1, 0, 100, "ip4.src == 10.0.0.11 && outport == \"lr0-sw1\"",
          "ip4.src = 172.16.0.11; next;"),
        F("o0b", dp_lr0, 1, 0, 0, "1", "next;"),
        F("o1a", dp_lr0, 1, 1, 100, "outport == \"lr0-sw0\"", "output;"),
        F("o1b", dp_lr0, 1, 1, 100, "outport == \"lr0-sw1\"", "output;"),
};

static const struct lflow_in_datapath datapaths[] = {
        {"dp-sw0", "sw0", 1},
        {"dp-lr0", "lr0", 2},
        {"dp-sw1", "sw1", 3},
};

static const struct lflow_in_port in_ports[] = {
        {"vm1", "dp-sw0", "ch1", 1},    {"vm2", "dp-sw0", "ch1", 2},
        {"rvm", "dp-sw0", "ch2", 3},    {"sw0-lr0", "dp-sw0", NULL, 4},
        {"lr0-sw0", "dp-lr0", NULL, 1}, {"lr0-sw1", "dp-lr0", NULL, 2},
        {"vm3", "dp-sw1", "ch1", 1},    {"rvm2", "dp-sw1", "ch2", 2},
        {"sw1-lr0", "dp-sw1", NULL, 3}, {"c1", "dp-sw1", "ch1", 4},
};

static const struct lflow_in_mcgroup in_mcgroups[] = {
        {"_MC_flood", "dp-sw0", 32768},
        {"_MC_unknown", "dp-sw0", 32769},
        {"_MC_flood", "dp-sw1", 32768},
};

/* --- The snapshot's own data, for the index that each datapath has in it. --- */

#define PORT(K, T, D, NAME)                                                                   \
	{                                                                                     \
		.key = K, .type = T, .dpdk = D, .chassis = UINT16_MAX, .peer_dp = UINT32_MAX, \
		.name = NAME                                                                  \
	}

static const struct lflow_u128 vm1_ip4 = {0, 0x0a00000b}, ip4_full = {0, 0xffffffff};
static const struct pl_psec vm1_psec = {
        .mac = {0, 0, 0, 0, 1, 1}, .n4 = 1, .ip4 = &vm1_ip4, .ip4_mask = &ip4_full};

static struct pl_lport sw0_ports[] = {
        PORT(1, PL_PORT_VIF, FUZZ_PORT_VM1, "vm1"),
        PORT(2, PL_PORT_VIF, FUZZ_PORT_VM2, "vm2"),
        PORT(3, PL_PORT_REMOTE, DP_PORT_NONE, "rvm"),
        PORT(4, PL_PORT_PATCH, DP_PORT_NONE, "sw0-lr0"),
};
static struct pl_lport lr0_ports[] = {
        PORT(1, PL_PORT_PATCH, DP_PORT_NONE, "lr0-sw0"),
        PORT(2, PL_PORT_PATCH, DP_PORT_NONE, "lr0-sw1"),
};
static struct pl_lport sw1_ports[] = {
        PORT(1, PL_PORT_VIF, FUZZ_PORT_VM3, "vm3"),
        PORT(2, PL_PORT_REMOTE, DP_PORT_NONE, "rvm2"),
        PORT(3, PL_PORT_PATCH, DP_PORT_NONE, "sw1-lr0"),
        PORT(4, PL_PORT_VIF, FUZZ_PORT_VM3, "c1"),
};

static const uint32_t sw0_flood[] = {1, 2, 3, 4}, sw0_unknown[] = {1, 3},
                      sw1_flood[] = {1, 2, 3, 4};
static const struct pl_mcgroup sw0_groups[] = {
        {32768, ARRAY_SIZE(sw0_flood), sw0_flood, "_MC_flood"},
        {32769, ARRAY_SIZE(sw0_unknown), sw0_unknown, "_MC_unknown"},
};
static const struct pl_mcgroup sw1_groups[] = {
        {32768, ARRAY_SIZE(sw1_flood), sw1_flood, "_MC_flood"},
};

/* By (port, ip): vm1 behind lr0-sw0, vm3 behind lr0-sw1. */
static const struct pl_neigh lr0_neigh[] = {
        {1, {0, 0x0a00000b}, {0, 0, 0, 0, 1, 1}, false},
        {2, {0, 0x0a01000d}, {0, 0, 0, 0, 3, 3}, true},
};

/* c1: a container port on vm3's DPDK port, VLAN 42 there. */
static const uint16_t c1_tag = 42;
static const struct pl_binding c1_binding = {2, 4};

static struct pl_datapath dps[3];
static struct pl_peer peer = {
        .chassis = "ch2",
        .csum = true,
        .ip = {192, 168, 100, 2},
        .resolved = true,
        .mac = {0x02, 0, 0, 0, 0, 0x0b},
};

struct conv {
	struct pl_snapshot *s;
	struct pl_flow *flows;
	uint32_t n_flows;
};

static void *zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

/* --- The conversion: control/pipeline/prepare.c, as build.c uses it. --- */

static struct arena arena;

static uint32_t flow_index(struct conv *v, const struct lflow_export_entry *x, unsigned pipeline,
                           unsigned table)
{
	for (uint32_t i = 0; i < v->n_flows; i++)
		if (strcmp(v->flows[i].uuid, x->uuid) == 0)
			return i;
	if (v->n_flows == ARRAY_SIZE(flows))
		abort(); /* one pl_flow per logical flow */
	struct pl_flow *f = &v->flows[v->n_flows];
	f->uuid = strdup(x->uuid);
	f->stage = "";
	f->match = strdup(x->match ? x->match : "");
	f->actions = strdup(x->actions ? x->actions : "");
	f->pipeline = (uint8_t)pipeline;
	f->table = (uint16_t)table;
	return v->n_flows++;
}

static void add_table(void *aux, const struct lflow_table_info *ti,
                      const struct lflow_export_entry *x, size_t n)
{
	struct conv *v = aux;
	struct pl_datapath *d = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(dps); i++)
		if (dps[i].key == ti->dp_key)
			d = &dps[i];
	if (d == NULL || ti->table >= PL_TABLES_MAX || ti->pipeline > 1)
		abort();
	struct pl_table *t = &d->tables[ti->pipeline][ti->table];
	struct pl_entry *e = pl_prepare_entries(&arena, x, n);
	for (size_t i = 0; i < n; i++)
		e[i].flow = flow_index(v, &x[i], (unsigned)ti->pipeline, ti->table);
	pl_prepare_table(&arena, t, e, n, v->flows, &v->s->n_entry_ids, &v->s->n_miss_ids);
}

static void print_error(void *aux, const char *uuid, const char *msg)
{
	(void)aux;
	fprintf(stderr, "fuzz-decap: flow %s: %s\n", uuid, msg);
}

static void compile(struct conv *v)
{
	const struct lflow_input in = {
	        .datapaths = datapaths,
	        .n_datapaths = ARRAY_SIZE(datapaths),
	        .ports = in_ports,
	        .n_ports = ARRAY_SIZE(in_ports),
	        .mcgroups = in_mcgroups,
	        .n_mcgroups = ARRAY_SIZE(in_mcgroups),
	        .flows = flows,
	        .n_flows = ARRAY_SIZE(flows),
	        .chassis = "ch1",
	};
	struct lflow_compiler *c = lflow_compiler_create(false);
	struct lflow_stats st;
	if (c == NULL || lflow_compiler_set_chassis(c, "ch1") < 0 ||
	    lflow_compiler_load(c, &in) < 0)
		abort();
	lflow_compiler_stats(c, &st);
	if (st.n_parse_errors || st.n_unresolved || st.n_punted ||
	    st.n_flows != ARRAY_SIZE(flows)) {
		lflow_compiler_errors(c, print_error, NULL);
		fprintf(stderr, "fuzz-decap: %zu flows, %zu errors, %zu unresolved, %zu punted\n",
		        st.n_flows, st.n_parse_errors, st.n_unresolved, st.n_punted);
		abort();
	}
	lflow_compiler_export(c, add_table, v);
	uint32_t n = lflow_compiler_n_set_ids(c);
	struct pl_set *sets = zalloc((n + 1) * sizeof(*sets));
	for (uint32_t id = 0; id < n; id++) {
		size_t k;
		const struct lflow_u128 *sv, *sm;
		if (!lflow_compiler_set_values(c, id, &k, &sv, &sm))
			continue;
		struct lflow_u128 *vv = zalloc(2 * k * sizeof(*vv));
		memcpy(vv, sv, k * sizeof(*vv));
		memcpy(vv + k, sm, k * sizeof(*vv));
		sets[id] = (struct pl_set){(uint32_t)k, vv, vv + k};
	}
	v->s->sets = sets;
	v->s->n_sets = n;
	lflow_compiler_destroy(c);
}

static void set_ports(struct pl_datapath *d, struct pl_lport *p, uint32_t n, uint32_t *idx)
{
	d->ports = p;
	d->n_ports = n;
	for (uint32_t i = 0; i < n; i++)
		p[i].idx = (*idx)++;
}

struct pl_snapshot *fuzz_decap_snapshot(void)
{
	struct pl_snapshot *s = zalloc(sizeof(*s));
	struct conv v = {.s = s, .flows = zalloc(ARRAY_SIZE(flows) * sizeof(*v.flows))};
	uint32_t idx = 0;

	dps[0] = (struct pl_datapath){.key = 1, .name = "sw0"};
	dps[1] = (struct pl_datapath){.key = 2, .name = "lr0", .router = true};
	dps[2] = (struct pl_datapath){.key = 3, .name = "sw1"};
	sw0_ports[0].n_psec = 1;
	sw0_ports[0].psec = &vm1_psec;
	sw0_ports[2].chassis = 0;
	sw1_ports[1].chassis = 0;
	sw1_ports[3].tag = c1_tag;
	sw0_ports[3].peer_dp = 1, sw0_ports[3].peer_key = 1;
	lr0_ports[0].peer_dp = 0, lr0_ports[0].peer_key = 4;
	lr0_ports[1].peer_dp = 2, lr0_ports[1].peer_key = 3;
	sw1_ports[2].peer_dp = 1, sw1_ports[2].peer_key = 2;
	set_ports(&dps[0], sw0_ports, ARRAY_SIZE(sw0_ports), &idx);
	set_ports(&dps[1], lr0_ports, ARRAY_SIZE(lr0_ports), &idx);
	set_ports(&dps[2], sw1_ports, ARRAY_SIZE(sw1_ports), &idx);
	dps[0].mcgroups = sw0_groups;
	dps[0].n_mcgroups = ARRAY_SIZE(sw0_groups);
	dps[2].mcgroups = sw1_groups;
	dps[2].n_mcgroups = ARRAY_SIZE(sw1_groups);
	dps[1].neigh = lr0_neigh;
	dps[1].n_neigh = ARRAY_SIZE(lr0_neigh);

	compile(&v);
	for (size_t d = 0; d < ARRAY_SIZE(dps); d++)
		for (int p = 0; p < 2; p++)
			for (int t = 0; t < PL_TABLES_MAX; t++)
				if (dps[d].tables[p][t].n == 0)
					dps[d].tables[p][t].miss_id = s->n_miss_ids++;

	s->generation = 1;
	s->datapaths = dps;
	s->n_datapaths = ARRAY_SIZE(dps);
	s->flows = v.flows;
	s->n_flows = v.n_flows;
	s->n_lports = idx;
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++)
		s->vifs[i].self.dp = UINT32_MAX;
	s->vifs[FUZZ_PORT_VM1].self = (struct pl_binding){0, 1};
	s->vifs[FUZZ_PORT_VM2].self = (struct pl_binding){0, 2};
	s->vifs[FUZZ_PORT_VM3].self = (struct pl_binding){2, 1};
	s->vifs[FUZZ_PORT_VM3].n_tagged = 1;
	s->vifs[FUZZ_PORT_VM3].tags = &c1_tag;
	s->vifs[FUZZ_PORT_VM3].tagged = &c1_binding;
	s->peers = &peer;
	s->n_peers = 1;
	s->underlay = (struct pl_underlay){
	        .present = true,
	        .dpdk = FUZZ_PORT_UNDERLAY,
	        .ip = {192, 168, 100, 1},
	        .mac = {0x02, 0, 0, 0, 0, 0x0a},
	        .mtu = 1500,
	        .overlay_mtu = 1442,
	        .max_inner = 1456,
	};
	/* The peer's outer headers, prepared as build.c prepares them. */
	struct geneve_path path = {.ttl = 64, .csum = peer.csum};
	memcpy(path.eth_dst, peer.mac, 6);
	memcpy(path.eth_src, s->underlay.mac, 6);
	memcpy(path.src, s->underlay.ip, 16);
	memcpy(path.dst, peer.ip, 16);
	geneve_tmpl_init(&peer.tmpl, &path);
	/* One worker, sized as build.c sizes them. */
	struct pl_counters *n = &s->counters[0];
	n->hits = zalloc((s->n_entry_ids + 1) * sizeof(uint64_t));
	n->drops = zalloc((s->n_entry_ids + s->n_miss_ids + 1) * sizeof(uint64_t));
	n->lport_rx = zalloc((s->n_lports + 1) * sizeof(uint64_t));
	n->lport_tx = zalloc((s->n_lports + 1) * sizeof(uint64_t));
	n->peer = zalloc((s->n_peers + 1u) * sizeof(struct pl_peer_stats));
	return s;
}
