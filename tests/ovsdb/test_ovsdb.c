/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: datum readers and update2 diffs, the JSON-RPC framer, schema parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/ovsdb/datum.h"
#include "control/ovsdb/jsonrpc.h"
#include "control/ovsdb/schema.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	assert_non_null(j);
	return j;
}

static int chk(const char *text, const struct ovsdb_type *t)
{
	json_t *j = J(text);
	int rc = ovsdb_datum_check(j, t);

	json_decref(j);
	return rc;
}

static const struct ovsdb_type t_str = {OVSDB_T_STRING, OVSDB_T_VOID, 1, 1};
static const struct ovsdb_type t_optuuid = {OVSDB_T_UUID, OVSDB_T_VOID, 0, 1};
static const struct ovsdb_type t_strset = {OVSDB_T_STRING, OVSDB_T_VOID, 0, UINT32_MAX};
static const struct ovsdb_type t_smap = {OVSDB_T_STRING, OVSDB_T_STRING, 0, UINT32_MAX};

#define U1 "[\"uuid\",\"11111111-2222-3333-4444-555555555555\"]"
#define U2 "[\"uuid\",\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"]"

static void test_uuid(void **state)
{
	struct ovsdb_uuid u;
	char buf[OVSDB_UUID_LEN + 1];

	(void)state;
	assert_int_equal(ovsdb_uuid_parse(&u, "11111111-2222-3333-4444-555555555555"), 0);
	ovsdb_uuid_format(&u, buf);
	assert_string_equal(buf, "11111111-2222-3333-4444-555555555555");
	assert_int_equal(ovsdb_uuid_parse(&u, "11111111-2222-3333-4444-55555555555"), -EINVAL);
	assert_int_equal(ovsdb_uuid_parse(&u, "11111111x2222-3333-4444-555555555555"), -EINVAL);
	assert_int_equal(ovsdb_uuid_parse(&u, "g1111111-2222-3333-4444-555555555555"), -EINVAL);
	assert_int_equal(ovsdb_uuid_parse(&u, NULL), -EINVAL);
}

static void test_readers(void **state)
{
	json_t *a = J("\"x\""), *s = J("[\"set\",[\"y\"]]"), *e = J("[\"set\",[]]");
	json_t *m = J("[\"map\",[[\"k\",\"v\"],[\"k2\",\"v2\"]]]");

	(void)state;
	assert_string_equal(ovsdb_datum_string(a), "x");
	assert_string_equal(ovsdb_datum_string(s), "y");
	assert_string_equal(ovsdb_datum_string(e), "");
	assert_string_equal(ovsdb_datum_string(NULL), "");
	assert_int_equal(ovsdb_datum_n(m), 2);
	assert_string_equal(ovsdb_map_get(m, "k2"), "v2");
	assert_null(ovsdb_map_get(m, "nope"));
	assert_null(ovsdb_map_get(a, "k"));
	assert_int_equal(ovsdb_datum_int(NULL, 7), 7);
	assert_true(ovsdb_datum_bool(json_true(), false));
	json_decref(a);
	json_decref(s);
	json_decref(e);
	json_decref(m);
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(chk("\"x\"", &t_str), 0);
	assert_int_equal(chk("5", &t_str), -EINVAL);
	assert_int_equal(chk("[\"set\",[\"a\",\"b\"]]", &t_str), -EINVAL);
	assert_int_equal(chk("[\"set\",[\"a\",\"b\"]]", &t_strset), 0);
	assert_int_equal(chk("[\"set\",[\"a\",3]]", &t_strset), -EINVAL);
	assert_int_equal(chk(U1, &t_optuuid), 0);
	assert_int_equal(chk("[\"uuid\",\"zz\"]", &t_optuuid), -EINVAL);
	assert_int_equal(chk("[\"map\",[[\"a\",\"b\"]]]", &t_smap), 0);
	assert_int_equal(chk("[\"map\",[[\"a\"]]]", &t_smap), -EINVAL);
	assert_int_equal(chk("[\"set\",[]]", &t_smap), -EINVAL);
}

static void expect_diff(const char *old, const char *diff, const struct ovsdb_type *t,
                        const char *want)
{
	json_t *o = old ? J(old) : NULL, *d = J(diff), *w = want ? J(want) : NULL;
	json_t *n = ovsdb_datum_apply_diff(o, d, t);

	if (w == NULL) {
		assert_null(n);
	} else {
		assert_non_null(n);
		assert_true(ovsdb_datum_equals(n, w, t));
	}
	json_decref(o);
	json_decref(d);
	json_decref(w);
	json_decref(n);
}

static void test_diff(void **state)
{
	(void)state;
	/* A single value: the new value. */
	expect_diff("\"a\"", "\"b\"", &t_str, "\"b\"");
	/* Sets: symmetric difference. */
	expect_diff("[\"set\",[\"a\",\"b\"]]", "[\"set\",[\"b\",\"c\"]]", &t_strset,
	            "[\"set\",[\"a\",\"c\"]]");
	expect_diff(NULL, "\"a\"", &t_strset, "\"a\"");
	expect_diff("\"a\"", "\"a\"", &t_strset, "[\"set\",[]]");
	/* Maps: new keys added, same pair removed, changed value replaced. */
	expect_diff("[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]",
	            "[\"map\",[[\"a\",\"1\"],[\"b\",\"3\"],[\"c\",\"4\"]]]", &t_smap,
	            "[\"map\",[[\"b\",\"3\"],[\"c\",\"4\"]]]");
	/* Optional atom: both readings a server may use. */
	expect_diff(NULL, U1, &t_optuuid, U1);
	expect_diff(U1, U1, &t_optuuid, "[\"set\",[]]");
	expect_diff(U1, "[\"set\",[]]", &t_optuuid, "[\"set\",[]]");
	expect_diff(U1, "[\"set\",[" U1 "," U2 "]]", &t_optuuid, U2);
	expect_diff(U1, U2, &t_optuuid, U2);
	/* Diffs that do not fit the type. */
	expect_diff("\"a\"", "5", &t_str, NULL);
	expect_diff(NULL, "[\"set\",[" U1 "," U2 "]]", &t_optuuid, NULL);
	expect_diff(NULL, "[\"map\",[[1,\"x\"]]]", &t_smap, NULL);
}

static void test_diff_large(void **state)
{
	json_t *old = json_array(), *diff = json_array(), *o, *d, *n;
	char buf[32];
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "10.0.%d.%d", i / 256, i % 256);
		json_array_append_new(old, json_string(buf));
		if (i % 2 == 0)
			json_array_append_new(diff, json_string(buf));
	}
	o = json_pack("[so]", "set", old);
	d = json_pack("[so]", "set", diff);
	n = ovsdb_datum_apply_diff(o, d, &t_strset);
	assert_non_null(n);
	assert_int_equal(ovsdb_datum_n(n), 10000);
	json_decref(o);
	json_decref(d);
	json_decref(n);
}

static void framer_split(const char *stream, size_t cut, unsigned want_msgs)
{
	struct jsonrpc_framer f;
	size_t off = 0, used, len = strlen(stream);
	unsigned msgs = 0;

	jsonrpc_framer_reset(&f);
	while (off < len) {
		size_t n = len - off < cut ? len - off : cut;
		enum jsonrpc_frame_rc rc = jsonrpc_framer_feed(&f, stream + off, n, &used);

		assert_int_not_equal(rc, JSONRPC_FRAME_ERROR);
		off += used;
		if (rc == JSONRPC_FRAME_COMPLETE) {
			msgs++;
			jsonrpc_framer_reset(&f);
		}
	}
	assert_int_equal(msgs, want_msgs);
}

static void test_framer(void **state)
{
	const char *stream = "{\"id\":1,\"result\":[\"}\\\"{\"]} \n{\"a\":{\"b\":[1,2,{}]}}{}";
	struct jsonrpc_framer f;
	size_t cut, used;

	(void)state;
	for (cut = 1; cut <= strlen(stream); cut++)
		framer_split(stream, cut, 3);
	jsonrpc_framer_reset(&f);
	assert_int_equal(jsonrpc_framer_feed(&f, "[1]", 3, &used), JSONRPC_FRAME_ERROR);
	jsonrpc_framer_reset(&f);
	assert_int_equal(jsonrpc_framer_feed(&f, "{]]", 3, &used), JSONRPC_FRAME_COMPLETE);
	jsonrpc_framer_reset(&f);
	assert_int_equal(jsonrpc_framer_feed(&f, "{}}", 3, &used), JSONRPC_FRAME_COMPLETE);
	assert_int_equal(used, 2);
}

static void test_parse_msgs(void **state)
{
	struct jsonrpc_msg m;
	const char *why;
	char err[128];
	json_t *j;

	(void)state;
	j = jsonrpc_decode("{\"method\":\"update3\",\"params\":[1,2],\"id\":null}", 45, err,
	                   sizeof(err));
	assert_non_null(j);
	assert_int_equal(jsonrpc_parse(j, &m, &why), 0);
	assert_int_equal(m.kind, JSONRPC_NOTIFY);
	json_decref(j);
	j = J("{\"method\":3,\"params\":[]}");
	assert_int_equal(jsonrpc_parse(j, &m, &why), -EPROTO);
	json_decref(j);
	j = J("{\"result\":1}");
	assert_int_equal(jsonrpc_parse(j, &m, &why), -EPROTO);
	json_decref(j);
	j = J("{\"error\":\"x\",\"id\":4}");
	assert_int_equal(jsonrpc_parse(j, &m, &why), 0);
	assert_int_equal(m.kind, JSONRPC_ERROR);
	json_decref(j);
	assert_null(jsonrpc_decode("{\"a\":", 5, err, sizeof(err)));
	assert_null(jsonrpc_decode("[1]", 3, err, sizeof(err)));
}

static void test_schema(void **state)
{
	char err[256];
	json_t *j = J("{\"name\":\"DB\",\"version\":\"1.2.3\",\"tables\":{\"T\":{\"columns\":{"
	              "\"s\":{\"type\":\"string\"},"
	              "\"r\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"T\"},\"min\":0}},"
	              "\"m\":{\"type\":{\"key\":\"string\",\"value\":\"integer\",\"min\":0,"
	              "\"max\":\"unlimited\"}}}}}}");
	struct ovsdb_schema *s = ovsdb_schema_parse(j, err, sizeof(err));
	const struct ovsdb_schema_column *c;

	(void)state;
	assert_non_null(s);
	assert_string_equal(s->version, "1.2.3");
	c = ovsdb_schema_column(ovsdb_schema_table(s, "T"), "r");
	assert_non_null(c);
	assert_int_equal(c->type.key, OVSDB_T_UUID);
	assert_int_equal(c->type.min, 0);
	assert_int_equal(c->type.max, 1);
	c = ovsdb_schema_column(ovsdb_schema_table(s, "T"), "m");
	assert_int_equal(c->type.value, OVSDB_T_INTEGER);
	assert_int_equal(c->type.max, UINT32_MAX);
	assert_null(ovsdb_schema_table(s, "U"));
	ovsdb_schema_free(s);
	json_decref(j);
	j = J("{\"name\":\"DB\",\"tables\":{\"T\":{\"columns\":{\"s\":{\"type\":\"strin\"}}}}}");
	assert_null(ovsdb_schema_parse(j, err, sizeof(err)));
	assert_non_null(strstr(err, "T.s"));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uuid),       cmocka_unit_test(test_readers),
	        cmocka_unit_test(test_check),      cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_diff_large), cmocka_unit_test(test_framer),
	        cmocka_unit_test(test_parse_msgs), cmocka_unit_test(test_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
