/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for what a server sends: the JSON-RPC stream (framing,
 * decoding, envelope) and the updates applied to an IDL replica (monitor,
 * monitor_cond and monitor_cond_since replies; update, update2, update3
 * notifications), over a schema with every column type. After each
 * message every stored value is read back through the datum readers.
 *
 * Input: byte 0 picks the monitor method a reply answers and the chunk
 * size the stream is cut into; the rest is the stream.
 *
 * Built with -DOVSDB_LIBFUZZER it is a libFuzzer target (-Dfuzz=true);
 * otherwise main() runs it deterministically over built-in seeds and
 * mutations of them (a fixed PRNG), as a unit test under the sanitizers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "control/ovsdb/idl.h"
#include "control/ovsdb/jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ovsdb_col_spec t_cols[] = {
        {"s", true},  {"i", false},   {"r", false}, {"b", false},
        {"u", false}, {"set", false}, {"m", false}, {"missing", false},
};
static const struct ovsdb_col_spec g_cols[] = {{"n", true}};
static const struct ovsdb_table_spec tables[] = {
        {"T", true, t_cols, sizeof(t_cols) / sizeof(t_cols[0])},
        {"G", true, g_cols, 1},
        {"Absent", false, g_cols, 1},
};
static const struct ovsdb_db_spec spec = {"DB", tables, 3};

static const char schema_text[] =
        "{\"name\":\"DB\",\"version\":\"1.0.0\",\"tables\":{"
        "\"T\":{\"columns\":{\"s\":{\"type\":\"string\"},\"i\":{\"type\":\"integer\"},"
        "\"r\":{\"type\":\"real\"},\"b\":{\"type\":\"boolean\"},"
        "\"u\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"G\"},\"min\":0,\"max\":1}},"
        "\"set\":{\"type\":{\"key\":\"string\",\"min\":0,\"max\":\"unlimited\"}},"
        "\"m\":{\"type\":{\"key\":\"string\",\"value\":\"string\",\"min\":0,\"max\":\"unlimited\"}}"
        ","
        "\"extra\":{\"type\":\"string\"}}},"
        "\"G\":{\"columns\":{\"n\":{\"type\":\"integer\"}}}}}";

static void read_all(struct ovsdb_idl *idl)
{
	unsigned t, c;

	for (t = 0; t < spec.n_tables; t++) {
		const struct ovsdb_row *r;

		for (r = ovsdb_table_first(ovsdb_idl_table(idl, t)); r; r = ovsdb_table_next(r)) {
			for (c = 0; c < tables[t].n_cols; c++) {
				const json_t *v = ovsdb_row_get(r, c);
				size_t k, n = ovsdb_datum_n(v);
				struct ovsdb_uuid u;

				(void)ovsdb_datum_string(v);
				(void)ovsdb_datum_int(v, 0);
				(void)ovsdb_datum_bool(v, false);
				(void)ovsdb_datum_uuid(v, &u);
				(void)ovsdb_map_get(v, "k");
				for (k = 0; k < n; k++)
					(void)ovsdb_datum_at(v, k);
			}
		}
	}
}

static void count_changes(struct ovsdb_idl *idl, void *arg)
{
	unsigned t;

	for (t = 0; t < spec.n_tables; t++) {
		const struct ovsdb_row *r;

		for (r = ovsdb_table_tracked(ovsdb_idl_table(idl, t)); r; r = r->tnext)
			(*(unsigned long *)arg) += r->change;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *schema;
	struct jsonrpc_framer f;
	struct ovsdb_idl *idl;
	unsigned long changes = 0;
	size_t off = 1, start = 1, chunk, used;
	char err[256];

	if (size < 1)
		return 0;
	if (schema == NULL)
		schema = json_loads(schema_text, 0, NULL);
	if (ovsdb_idl_create_detached(&spec, schema, &idl, err, sizeof(err)) < 0)
		abort(); /* the built-in schema is valid */
	ovsdb_idl_subscribe(idl, count_changes, &changes);
	chunk = 1 + (data[0] >> 2);
	jsonrpc_framer_reset(&f);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		enum jsonrpc_frame_rc rc =
		        jsonrpc_framer_feed(&f, (const char *)data + off, n, &used);
		json_t *msg;

		off += used;
		if (rc == JSONRPC_FRAME_ERROR)
			break;
		if (rc == JSONRPC_FRAME_MORE)
			continue;
		msg = jsonrpc_decode((const char *)data + off - f.len, f.len, err, sizeof(err));
		(void)start;
		jsonrpc_framer_reset(&f);
		if (msg == NULL)
			break;
		ovsdb_idl_receive(idl, msg, (enum ovsdb_monitor_method)(data[0] % 3));
		json_decref(msg);
		read_all(idl);
	}
	ovsdb_idl_destroy(idl);
	return 0;
}

#ifndef OVSDB_LIBFUZZER
#define U1 "\"11111111-2222-3333-4444-555555555555\""
#define U2 "\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\""
#define G1 "\"99999999-2222-3333-4444-555555555555\""

/* Byte 0, then a stream. Byte 0 = 0: replies answer monitor_cond_since. */
static const char *const seeds[] = {
        "\x10{\"id\":1,\"result\":[false,\"00000000-0000-0000-0000-000000000001\",{\"T\":{" U1
        ":{\"initial\":{\"s\":\"a\",\"i\":3,\"r\":1.5,\"b\":true,\"u\":[\"uuid\"," G1 "],"
        "\"set\":[\"set\",[\"x\",\"y\"]],\"m\":[\"map\",[[\"k\",\"v\"]]],\"extra\":\"z\"}}},"
        "\"G\":{" G1 ":{\"initial\":{\"n\":1}}}}],\"error\":null}"
        "{\"method\":\"update3\",\"params\":[\"ferry\",\"00000000-0000-0000-0000-000000000002\","
        "{\"T\":{" U1 ":{\"modify\":{\"set\":[\"set\",[\"y\",\"w\"]],\"m\":[\"map\",[[\"k\",\"v\"],"
        "[\"k2\",\"v2\"]]],\"u\":[\"uuid\"," G1 "]}}," U2 ":{\"insert\":{\"s\":\"b\"}}}}],"
        "\"id\":null}"
        "{\"method\":\"update3\",\"params\":[\"ferry\",\"00000000-0000-0000-0000-000000000003\","
        "{\"T\":{" U2 ":{\"delete\":null}}}],\"id\":null}",
        "\x01{\"id\":1,\"result\":{\"T\":{" U1 ":{\"initial\":{\"s\":\"a\",\"m\":[\"map\",[]]}}}},"
        "\"error\":null}{\"method\":\"update2\",\"params\":[\"ferry\",{\"T\":{" U1
        ":{\"modify\":{\"s\":\"c\",\"i\":7}}}}],\"id\":null}",
        "\x22{\"id\":1,\"result\":{\"T\":{" U1 ":{\"new\":{\"s\":\"a\",\"b\":false}}}},"
        "\"error\":null}{\"method\":\"update\",\"params\":[\"ferry\",{\"T\":{" U1
        ":{\"old\":{\"b\":false},\"new\":{\"s\":\"a\",\"b\":true}}," U2
        ":{\"new\":{\"s\":\"q\"}}}}],"
        "\"id\":null}{\"method\":\"update\",\"params\":[\"ferry\",{\"T\":{" U1
        ":{\"old\":{\"s\":\"a\"}}}}],\"id\":null}",
        "\x00{\"id\":1,\"result\":null,\"error\":\"unknown method\"}"
        "{\"method\":\"echo\",\"params\":[],\"id\":\"e\"}{\"method\":\"x\",\"params\":[],\"id\":7}",
        "\x05{\"method\":\"update3\",\"params\":[\"ferry\",\"x\",{\"T\":{\"bad-uuid\":{}}}],"
        "\"id\":null}{\"method\":\"update2\",\"params\":[\"other\",{}],\"id\":null}",
};

static uint64_t prng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	prng ^= prng << 13;
	prng ^= prng >> 7;
	prng ^= prng << 17;
	return prng;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	static const char tokens[] = "{}[]\",:0123456789-.eEtrufalsnu\\";
	unsigned k, n = 1 + next() % 4;

	for (k = 0; k < n && len > 1; k++) {
		size_t pos = 1 + next() % (len - 1), span = 1 + next() % 8;

		switch (next() % 5) {
		case 0: /* overwrite with a JSON-significant byte */
			buf[pos] = (uint8_t)tokens[next() % (sizeof(tokens) - 1)];
			break;
		case 1: /* random byte */
			buf[pos] = (uint8_t)next();
			break;
		case 2: /* delete a span */
			if (pos + span > len)
				span = len - pos;
			memmove(buf + pos, buf + pos + span, len - pos - span);
			len -= span;
			break;
		case 3: /* duplicate a span */
			if (pos + span > len)
				span = len - pos;
			if (len + span <= cap) {
				memmove(buf + pos + span, buf + pos, len - pos);
				len += span;
			}
			break;
		default: /* truncate */
			len = pos;
			break;
		}
	}
	buf[0] = (uint8_t)next();
	return len;
}

int main(int argc, char **argv)
{
	unsigned i, iters = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
	uint8_t buf[4096];
	size_t s;

	rte_log_set_global_level(RTE_LOG_EMERG); /* errors are expected here, by the thousand */
	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[s], strlen(seeds[s] + 1) + 1);
	for (i = 0; i < iters; i++) {
		const char *seed = seeds[next() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(seed + 1) + 1;

		memcpy(buf, seed, len);
		len = mutate(buf, len, sizeof(buf));
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz-ovsdb: %zu seeds, %u mutated inputs, no crash\n", s, iters);
	return 0;
}
#endif
