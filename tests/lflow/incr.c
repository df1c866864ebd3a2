/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incremental recompilation and table shapes. Proves: after a sequence of
 * row changes (flows, address sets, port groups, ports, datapaths, chassis),
 * each committed on its own, the tables print exactly as a full compile of
 * the final rows; that a change recompiles only its dependents; that
 * unresolved names are counted errors which a later row fixes; and that a
 * routing table is LPM, an ACL-like table tuple and a port table exact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/compiler.h"

static int failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                        \
		}                                                                          \
	} while (0)

static char *dump(const struct lflow_compiler *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	lflow_compiler_dump(c, m);
	lflow_compiler_dump_shapes(c, m);
	fclose(m);
	return buf;
}

static const char *dps1[] = {"dp-sw"}, *dps2[] = {"dp-lr"}, *dps12[] = {"dp-sw", "dp-lr"};
static const char *as_v4[] = {"10.0.0.11", "10.0.0.12", "30.0.0.0/24"};
static const char *as_v4b[] = {"10.0.0.11", "40.0.0.0/24"};
static const char *pg1[] = {"vm1", "vm2"}, *pg1b[] = {"vm2", "vm3"};

static const struct lflow_in_datapath datapaths[] = {
        {"dp-sw", "sw0", 1},
        {"dp-lr", "lr0", 2},
};

#define F(U, DPS, P, T, PR, M, A)                                    \
	{                                                            \
		U, DPS, sizeof(DPS) / sizeof(DPS[0]), P, T, PR, M, A \
	}
static const struct lflow_in_flow flows[] = {
        F("f1", dps1, 0, 0, 100, "inport == \"vm1\"", "next;"),
        F("f2", dps1, 0, 0, 100, "inport == \"vm2\"", "next;"),
        F("f3", dps1, 0, 1, 1002, "inport == @pg1 && ip4.src == $as_v4 && tcp.dst == {80, 443}",
          "next;"),
        F("f4", dps1, 0, 1, 1001, "outport == @pg1 && ip4.dst == 10.0.0.0/255.0.255.0", "drop;"),
        F("f5", dps1, 0, 2, 50, "eth.dst == 00:00:00:00:00:01", "outport = \"vm1\"; output;"),
        F("f6", dps1, 0, 2, 0, "1", "outport = \"_MC_flood\"; output;"),
        F("r0", dps2, 0, 13, 10550, "nd_rs || nd_ra", "drop;"),
        F("r1", dps2, 0, 13, 74, "ip4.dst == 10.0.0.0/24", "outport = \"lr0-sw0\"; next;"),
        F("r2", dps2, 0, 13, 73, "reg7 == 0 && ip4.dst == 30.0.0.0/24", "next;"),
        F("r3", dps2, 0, 13, 1, "reg7 == 0 && ip4.dst == 0.0.0.0/0", "next;"),
        F("r4", dps2, 0, 13, 194, "ip6.dst == aef0::/64", "next;"),
        F("r5", dps2, 0, 13, 0, "1", "drop;"),
        F("g1", dps2, 0, 14, 100, "is_chassis_resident(\"cr-lr0\")", "next;"),
        F("s1", dps12, 1, 0, 0, "1", "next;"),
};

static void load_initial(struct lflow_compiler *c)
{
	const struct lflow_in_port ports[] = {
	        {"vm1", "dp-sw", "ch1", 1},
	        {"vm2", "dp-sw", NULL, 2},
	        {"lr0-sw0", "dp-lr", NULL, 1},
	        {"cr-lr0", "dp-lr", "ch2", 2},
	};
	const struct lflow_in_mcgroup mcg[] = {{"_MC_flood", "dp-sw", 32768}};
	const struct lflow_in_addrset as[] = {{"as_v4", as_v4, 3}};
	const struct lflow_in_portgroup pg[] = {{"1_pg1", pg1, 2}};
	struct lflow_input in = {datapaths, 2, ports, 4, mcg,   1,
	                         as,        1, pg,    1, flows, sizeof(flows) / sizeof(flows[0]),
	                         "ch1"};
	CHECK(lflow_compiler_load(c, &in) == 0);
}

/* The rows after every change below. */
static const struct lflow_in_flow flows_final_extra[] = {
        F("f7", dps1, 0, 1, 900, "outport == @pg1 && ip4.src == $as_v4 && udp", "drop;"),
        F("f8", dps1, 0, 0, 100, "inport == \"vm3\"", "next;"),
};

static void load_final(struct lflow_compiler *c)
{
	const struct lflow_in_port ports[] = {
	        {"vm1", "dp-sw", NULL, 1},     {"vm2", "dp-sw", NULL, 7},
	        {"vm3", "dp-sw", NULL, 3},     {"lr0-sw0", "dp-lr", NULL, 1},
	        {"cr-lr0", "dp-lr", "ch1", 2},
	};
	const struct lflow_in_mcgroup mcg[] = {{"_MC_flood", "dp-sw", 32768}};
	const struct lflow_in_addrset as[] = {{"as_v4", as_v4b, 2}};
	const struct lflow_in_portgroup pg[] = {{"1_pg1", pg1b, 2}};
	struct lflow_in_flow fl[32];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++)
		if (strcmp(flows[i].uuid, "f2") != 0)
			fl[n++] = flows[i];
	fl[n++] = flows_final_extra[0];
	fl[n++] = flows_final_extra[1];
	struct lflow_input in = {datapaths, 2, ports, 5, mcg, 1, as, 1, pg, 1, fl, n, "ch1"};
	CHECK(lflow_compiler_load(c, &in) == 0);
}

static void test_shapes(const char *d)
{
	CHECK(strstr(d, "table dp=2 ingress 13: lpm") != NULL);
	CHECK(strstr(d, "table dp=1 ingress 1: tuple") != NULL);
	CHECK(strstr(d, "table dp=1 ingress 0: exact") != NULL);
}

int main(void)
{
	struct lflow_compiler *c = lflow_compiler_create(false);
	struct lflow_stats st;
	load_initial(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.n_flows == 14 && st.n_parse_errors == 0 && st.n_unresolved == 0);
	char *d0 = dump(c);
	test_shapes(d0);
	CHECK(strstr(d0, "table dp=2 ingress 14") == NULL); /* cr-lr0 not here */
	free(d0);

	/* A flow naming a port that does not exist yet: counted error. */
	CHECK(lflow_compiler_set_flow(c, &flows_final_extra[1]) == 0);
	lflow_compiler_commit(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.n_unresolved == 1 && st.last_recompiled == 1);
	/* The port appears: only that flow recompiles. */
	CHECK(lflow_compiler_set_port(c, &(struct lflow_in_port){"vm3", "dp-sw", NULL, 3}) == 0);
	lflow_compiler_commit(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.n_unresolved == 0 && st.last_recompiled == 1 && st.last_tables_rebuilt == 1);

	/* Address set change: its two users only (f3 now, f7 after). */
	CHECK(lflow_compiler_set_flow(c, &flows_final_extra[0]) == 0);
	lflow_compiler_commit(c);
	CHECK(lflow_compiler_set_addrset(c, &(struct lflow_in_addrset){"as_v4", as_v4b, 2}) == 0);
	lflow_compiler_commit(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.last_recompiled == 2);
	/* Port group membership, a port's key, residency moves here. */
	CHECK(lflow_compiler_set_portgroup(c, &(struct lflow_in_portgroup){"1_pg1", pg1b, 2}) == 0);
	lflow_compiler_commit(c);
	CHECK(lflow_compiler_set_port(c, &(struct lflow_in_port){"vm2", "dp-sw", NULL, 7}) == 0);
	CHECK(lflow_compiler_set_port(c, &(struct lflow_in_port){"vm1", "dp-sw", NULL, 1}) == 0);
	lflow_compiler_commit(c);
	CHECK(lflow_compiler_set_port(c, &(struct lflow_in_port){"cr-lr0", "dp-lr", "ch1", 2}) ==
	      0);
	lflow_compiler_commit(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.last_recompiled == 1);
	CHECK(lflow_compiler_del_flow(c, "f2") == 0);
	CHECK(lflow_compiler_del_flow(c, "f2") == -ENOENT);
	lflow_compiler_commit(c);
	/* A datapath vanishing and coming back. */
	CHECK(lflow_compiler_del_datapath(c, "dp-lr") == 0);
	lflow_compiler_commit(c);
	lflow_compiler_stats(c, &st);
	CHECK(st.n_unresolved == 8); /* r0-r5, g1, and s1 on one of its two */
	CHECK(lflow_compiler_set_datapath(c, &datapaths[1]) == 0);
	lflow_compiler_commit(c);

	struct lflow_compiler *full = lflow_compiler_create(false);
	load_final(full);
	char *a = dump(c), *b = dump(full);
	CHECK(strcmp(a, b) == 0);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "incremental:\n%s\nfull:\n%s\n", a, b);
	CHECK(strstr(a, "table dp=2 ingress 14") != NULL); /* cr-lr0 resident now */
	test_shapes(a);
	free(a);
	free(b);
	lflow_compiler_destroy(full);
	lflow_compiler_destroy(c);
	printf("incremental test: %d failures\n", failures);
	return failures ? 1 : 0;
}
