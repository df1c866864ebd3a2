/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Malformed Southbound dumps for ferry-lflow-check's reader (sbjson.c),
 * and a fuzz target for it. Whatever the bytes, the reader must either
 * refuse them (malformed JSON) or produce an input the compiler can load
 * without crashing: values of the wrong type read as empty, references to
 * rows that are absent resolve to nothing, unknown objects are skipped.
 *
 * Without -DLFLOW_LIBFUZZER, main() runs the named cases below with their
 * expected outcome, then deterministic mutations of a small valid dump
 * (under ASan/UBSan as a unit test). With libFuzzer (-Dfuzz=true), the
 * target also loads each input into a compiler and applies it as an
 * update to the previous one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/compiler.h"
#include "control/lflow/sbdiff.h"
#include "control/lflow/sbjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sb_dump *previous;

/* Parse, full compile, then the difference from the previous input applied
 * incrementally. @return the number of flows, or -1 when refused. */
static long one(const char *buf, size_t len)
{
	struct sb_dump *d = sb_dump_parse(buf, len, "input");
	if (d == NULL)
		return -1;
	const struct lflow_input *in = sb_dump_input(d);
	struct lflow_compiler *c = lflow_compiler_create(false);
	if (c == NULL)
		abort();
	lflow_compiler_load(c, in);
	struct lflow_stats st;
	lflow_compiler_stats(c, &st);
	FILE *null = fopen("/dev/null", "w");
	if (null != NULL) {
		lflow_compiler_dump(c, null);
		lflow_compiler_dump_shapes(c, null);
		fclose(null);
	}
	if (previous != NULL) {
		struct lflow_compiler *p = lflow_compiler_create(false);
		if (p == NULL)
			abort();
		lflow_compiler_load(p, sb_dump_input(previous));
		sb_diff_apply(p, sb_dump_input(previous), in);
		lflow_compiler_commit(p);
		lflow_compiler_destroy(p);
	}
	lflow_compiler_destroy(c);
	sb_dump_free(previous);
	previous = d;
	return (long)st.n_flows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one((const char *)data, size);
	return 0;
}

#ifndef LFLOW_LIBFUZZER
/* A small valid dump in `ovsdb-client dump -f json' form. */
static const char seed[] =
        "{\"caption\":\"Datapath_Binding table\",\"headings\":[\"_uuid\",\"external_ids\","
        "\"tunnel_key\"],\"data\":[[[\"uuid\",\"d1\"],[\"map\",[[\"name\",\"sw0\"]]],1],"
        "[[\"uuid\",\"d2\"],[\"map\",[[\"name\",\"lr0\"]]],2]]}\n"
        "{\"caption\":\"Chassis table\",\"headings\":[\"_uuid\",\"encaps\",\"hostname\",\"name\"],"
        "\"data\":[[[\"uuid\",\"c1\"],[\"set\",[]],\"h\",\"hv1\"]]}\n"
        "{\"caption\":\"Port_Binding table\",\"headings\":[\"_uuid\",\"chassis\",\"datapath\","
        "\"logical_port\",\"tunnel_key\"],\"data\":[[[\"uuid\",\"p1\"],[\"uuid\",\"c1\"],"
        "[\"uuid\",\"d1\"],\"vm1\",1],[[\"uuid\",\"p2\"],[\"set\",[]],[\"uuid\",\"d1\"],"
        "\"vm2\",2]]}\n"
        "{\"caption\":\"Multicast_Group table\",\"headings\":[\"_uuid\",\"datapath\",\"name\","
        "\"ports\",\"tunnel_key\"],\"data\":[[[\"uuid\",\"m1\"],[\"uuid\",\"d1\"],\"_MC_flood\","
        "[\"set\",[]],32768]]}\n"
        "{\"caption\":\"Address_Set table\",\"headings\":[\"_uuid\",\"addresses\",\"name\"],"
        "\"data\":[[[\"uuid\",\"a1\"],[\"set\",[\"10.0.0.1\",\"10.1.0.0/16\"]],\"as1\"]]}\n"
        "{\"caption\":\"Port_Group table\",\"headings\":[\"_uuid\",\"name\",\"ports\"],"
        "\"data\":[[[\"uuid\",\"g1\"],\"1_pg1\",[\"set\",[\"vm1\",\"vm2\"]]]]}\n"
        "{\"caption\":\"Logical_DP_Group table\",\"headings\":[\"_uuid\",\"datapaths\"],"
        "\"data\":[[[\"uuid\",\"x1\"],[\"set\",[[\"uuid\",\"d1\"],[\"uuid\",\"d2\"]]]]]}\n"
        "{\"caption\":\"Logical_Flow table\",\"headings\":[\"_uuid\",\"actions\","
        "\"logical_datapath\",\"logical_dp_group\",\"match\",\"pipeline\",\"priority\","
        "\"table_id\"],\"data\":["
        "[[\"uuid\",\"f1\"],\"next;\",[\"uuid\",\"d1\"],[\"set\",[]],"
        "\"inport == \\\"vm1\\\" && ip4.src == $as1\",\"ingress\",100,0],"
        "[[\"uuid\",\"f2\"],\"outport = \\\"_MC_flood\\\"; output;\",[\"set\",[]],"
        "[\"uuid\",\"x1\"],\"is_chassis_resident(\\\"vm1\\\") && outport == @pg1\","
        "\"egress\",50,3],"
        "[[\"uuid\",\"f3\"],\"ct_commit; next;\",[\"uuid\",\"d2\"],[\"set\",[]],"
        "\"ip4.dst == 10.0.0.0/8\",\"ingress\",10,13]]}\n";

struct named_case {
	const char *name;
	const char *text;
	long want; /* flows, or -1: refused */
};

static const struct named_case cases[] = {
        {"empty", "", 0},
        {"blank", " \n\t\r ", 0},
        {"truncated object", "{\"headings\":[\"_uuid\"", -1},
        {"garbage after an object", "{}}", -1},
        {"not JSON", "Datapath: \"sw0\"", -1},
        {"bare array", "[1, 2, 3]", 0},
        {"bare string", "\"x\"", -1},
        {"headings not an array", "{\"headings\": 5, \"data\": []}", 0},
        {"data not an array", "{\"headings\": [\"match\", \"actions\"], \"data\": {}}", 0},
        /* three rows without a uuid: one flow, the last */
        {"rows not arrays", "{\"headings\": [\"match\", \"actions\"], \"data\": [1, \"x\", null]}",
         1},
        {"cells of the wrong type",
         "{\"headings\": [\"_uuid\", \"match\", \"actions\", \"priority\", \"table_id\", "
         "\"pipeline\", \"logical_datapath\"], \"data\": [[7, [\"map\", 1], {\"a\": 1}, "
         "\"high\", -99999999999999, [\"set\", [\"egress\", \"ingress\"]], [\"uuid\"]]]}",
         1},
        {"unknown caption", "{\"caption\": \"Nothing table\", \"headings\": [], \"data\": []}", 0},
        {"flow in a missing group",
         "{\"caption\": \"Logical_Flow table\", \"headings\": [\"_uuid\", \"match\", \"actions\", "
         "\"logical_dp_group\"], \"data\": [[[\"uuid\", \"f\"], \"1\", \"next;\", [\"uuid\", "
         "\"nope\"]]]}",
         1},
        {"port bound to a missing chassis",
         "{\"caption\": \"Port_Binding table\", \"headings\": [\"_uuid\", \"logical_port\", "
         "\"tunnel_key\", \"chassis\", \"datapath\"], \"data\": [[[\"uuid\", \"p\"], \"vm\", 1, "
         "[\"uuid\", \"gone\"], [\"uuid\", \"gone\"]]]}",
         0},
        {"duplicate flow uuids",
         "{\"headings\": [\"_uuid\", \"match\", \"actions\"], \"data\": [[[\"uuid\", \"f\"], "
         "\"1\", "
         "\"next;\"], [[\"uuid\", \"f\"], \"ip4\", \"drop;\"]]}",
         1},
        {"set of sets",
         "{\"headings\": [\"_uuid\", \"addresses\", \"name\"], \"data\": [[[\"uuid\", \"a\"], "
         "[\"set\", [[\"set\", [\"1.2.3.4\"]], 5, null]], \"as\"]]}",
         0},
        {"bad escapes", "{\"headings\": [\"\\ud800\"], \"data\": []}", -1},
        {"seed", seed, 3},
};

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Mutations that keep much of the JSON shape, so the reader gets past
 * the parser: swap a byte for a JSON-significant one, cut, duplicate. */
static size_t mutate(char *b, size_t n, size_t cap, uint32_t *s)
{
	static const char sig[] = "{}[]\",:0-9 \\\"uuid\"set\"map";
	unsigned k = 1 + rnd(s) % 4;
	for (unsigned i = 0; i < k && n > 0; i++) {
		size_t at = rnd(s) % n;
		switch (rnd(s) % 4) {
		case 0:
			b[at] = sig[rnd(s) % (sizeof(sig) - 1)];
			break;
		case 1:
			n = at;
			break;
		case 2: {
			size_t len = 1 + rnd(s) % 16;
			if (n + len <= cap && at + len <= n) {
				memmove(b + at + len, b + at, n - at);
				n += len;
			}
			break;
		}
		default:
			b[at] = (char)rnd(s);
		}
	}
	return n;
}

int main(void)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = one(cases[i].text, strlen(cases[i].text));
		if (got != cases[i].want) {
			fprintf(stderr, "FAIL %s: got %ld, want %ld\n", cases[i].name, got,
			        cases[i].want);
			failures++;
		}
	}
	/* Deep nesting is refused, not recursed into without bound. */
	size_t deep = 100000;
	char *b = malloc(2 * deep + 1);
	if (b == NULL)
		return 1;
	memset(b, '[', deep);
	memset(b + deep, ']', deep);
	if (one(b, 2 * deep) != -1) {
		fprintf(stderr, "FAIL deep nesting accepted\n");
		failures++;
	}
	free(b);

	size_t cap = 2 * sizeof(seed);
	b = malloc(cap);
	if (b == NULL)
		return 1;
	/* The reader explains each refusal on stderr: not here, 20000 times. */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	uint32_t s = 2463534242u;
	unsigned accepted = 0, runs = 20000;
	for (unsigned r = 0; r < runs; r++) {
		memcpy(b, seed, sizeof(seed) - 1);
		size_t n = mutate(b, sizeof(seed) - 1, cap, &s);
		accepted += one(b, n) >= 0;
	}
	free(b);
	sb_dump_free(previous);
	printf("%zu named cases, %u mutations (%u accepted): %d failures\n",
	       sizeof(cases) / sizeof(cases[0]), runs, accepted, failures);
	return failures ? 1 : 0;
}
#endif
