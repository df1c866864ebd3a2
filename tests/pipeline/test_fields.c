/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field access, the interpreter's and the flow cache's footing:
 *  - the inline fast path (pl_field_load) reads exactly what the general
 *    one (pl_field_get) reads, for every field, on random headers;
 *  - pl_field_set writes only the field's bits: a write and a read give
 *    back the value, and no other field changes unless it shares storage;
 *  - pl_field_mark marks exactly the bits a field lives in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/pipeline/fields.h"

static const unsigned widths[LFLOW_F_N] = {
#define W(E, N, Wd, F) [LFLOW_F_##E] = (Wd),
        LFLOW_FIELDS(W)
#undef W
};

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void randomize(struct pl_hdrs *h)
{
	uint8_t *p = (uint8_t *)h;
	for (size_t i = 0; i < sizeof(*h); i++)
		p[i] = (uint8_t)next();
	h->k.n_vlans = (uint8_t)(next() % 3);
}

static void test_load_equals_get(void **state)
{
	(void)state;
	for (int round = 0; round < 20000; round++) {
		struct pl_hdrs h;
		randomize(&h);
		for (unsigned f = 0; f < LFLOW_F_N; f++) {
			pl_u128 a = pl_field_load(&h, f), b = pl_field_get(&h, f);
			if (a != b)
				fail_msg("field %u: load %llx, get %llx", f, (unsigned long long)a,
				         (unsigned long long)b);
		}
	}
}

static void test_set_then_get(void **state)
{
	(void)state;
	for (int round = 0; round < 5000; round++) {
		for (unsigned f = 0; f < LFLOW_F_N; f++) {
			if (f == LFLOW_F_VLAN_TCI)
				continue; /* bit 12 is presence, not storage: its own test */
			struct pl_hdrs h;
			randomize(&h);
			pl_u128 full = pl_low_mask(widths[f]);
			/* Registers overlay: REGn reaches down to REGn-3. */
			if (f >= LFLOW_F_REG0 && f <= LFLOW_F_REG9)
				full = pl_low_mask(32);
			/* arp.op lives in the key's 8-bit nw_proto (flow_key.h). */
			if (f == LFLOW_F_ARP_OP)
				full = pl_low_mask(8);
			pl_u128 v = (((pl_u128)next() << 64) | next()) & full;
			pl_field_set(&h, f, v, full);
			if ((pl_field_get(&h, f) & full) != v)
				fail_msg("set/get field %u", f);
		}
	}
}

static void test_vlan_presence(void **state)
{
	(void)state;
	struct pl_hdrs h;
	memset(&h, 0, sizeof(h));
	assert_true(pl_field_get(&h, LFLOW_F_VLAN_TCI) == 0);
	pl_field_set(&h, LFLOW_F_VLAN_TCI, 0x1000 | 42, 0xffff);
	assert_int_equal(h.k.n_vlans, 1);
	assert_true(pl_field_get(&h, LFLOW_F_VLAN_TCI) == (0x1000 | 42));
	pl_field_set(&h, LFLOW_F_VLAN_TCI, 0, 0xffff);
	assert_int_equal(h.k.n_vlans, 0);
}

static void test_mark(void **state)
{
	(void)state;
	for (unsigned f = LFLOW_F_ETH_SRC; f < LFLOW_F_N; f++) {
		if (f == LFLOW_F_VLAN_TCI || f == LFLOW_F_ICMP4_FRAG_MTU ||
		    f == LFLOW_F_ICMP6_FRAG_MTU)
			continue;
		struct pl_hdrs h;
		memset(&h, 0, sizeof(h));
		pl_u128 full = pl_low_mask(f == LFLOW_F_ARP_OP ? 8 : widths[f]);
		pl_field_mark(&h.k, f, full);
		/* Reading the marked key back gives all ones in the field. */
		if (pl_field_get(&h, f) != full)
			fail_msg("mark field %u: %llx", f, (unsigned long long)pl_field_get(&h, f));
		/* And a mark of nothing marks nothing. */
		struct flow_key z;
		memset(&z, 0, sizeof(z));
		pl_field_mark(&z, f, 0);
		static const struct flow_key zero;
		assert_memory_equal(&z, &zero, sizeof(z));
	}
	/* Metadata is never part of a key. */
	struct flow_key z;
	memset(&z, 0, sizeof(z));
	pl_field_mark(&z, LFLOW_F_REG0, pl_low_mask(32));
	pl_field_mark(&z, LFLOW_F_INPORT, pl_low_mask(32));
	static const struct flow_key zero;
	assert_memory_equal(&z, &zero, sizeof(z));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_load_equals_get),
	        cmocka_unit_test(test_set_then_get),
	        cmocka_unit_test(test_vlan_presence),
	        cmocka_unit_test(test_mark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
