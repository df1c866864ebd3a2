/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for parse_packet(). Beyond "no crash, no read past the end"
 * (the input is copied into a buffer of exactly its size, so AddressSanitizer
 * sees any overread), it checks what the parser promises:
 *   - the result never depends on what the key or offsets held before;
 *   - a drop reason is one of the parser's own;
 *   - on success, offsets are ordered and inside the frame, flags agree
 *     with each other, and tunnel fields fit their documented widths;
 *   - PARSE_F_TUNNEL changes nothing for a packet that is not Geneve;
 *   - parse_geneve4_fast(), where it answers, answers exactly as
 *     parse_packet(PARSE_F_TUNNEL) does (key, offsets, tunnel, result).
 * A broken promise aborts, which libFuzzer and the driver report as a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/parse/parse.h"
#include "tests/fuzz/fuzz_parse.h"

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

unsigned long fuzz_parse_results[DROP__MAX];
unsigned long fuzz_parse_tunnelled;
unsigned long fuzz_parse_fast;

struct result {
	enum drop_reason r;
	struct flow_key key;
	struct flow_offsets ofs;
	struct flow_tunnel tnl;
};

static void parse_twice(const uint8_t *buf, uint32_t len, unsigned flags, struct result *res)
{
	struct result other;

	memset(res, 0xa5, sizeof(*res));
	memset(&other, 0x5a, sizeof(other));
	res->r = parse_packet(buf, len, flags, &res->key, &res->ofs, &res->tnl);
	other.r = parse_packet(buf, len, flags, &other.key, NULL, &other.tnl);
	CHECK(res->r == other.r);
	CHECK(memcmp(&res->key, &other.key, sizeof(res->key)) == 0);
	if (res->r == DROP_NONE && (res->key.flags & FLOW_F_TUNNEL))
		CHECK(memcmp(&res->tnl, &other.tnl, sizeof(res->tnl)) == 0);
}

static void check_ok(const struct result *res, uint32_t len, unsigned flags)
{
	const struct flow_key *key = &res->key;
	const struct flow_offsets *ofs = &res->ofs;
	unsigned l3_kinds = key->flags & (FLOW_F_IP4 | FLOW_F_IP6 | FLOW_F_ARP);

	CHECK(key->in_port == 0);
	CHECK(key->n_vlans <= FLOW_VLAN_MAX);
	CHECK(l3_kinds == 0 || l3_kinds == FLOW_F_IP4 || l3_kinds == FLOW_F_IP6 ||
	      l3_kinds == FLOW_F_ARP);
	CHECK(l3_kinds ? ofs->l3 > ofs->l2 && ofs->l3 < len : ofs->l3 == 0);
	if (key->flags & FLOW_F_L4) {
		CHECK(key->flags & (FLOW_F_IP4 | FLOW_F_IP6));
		CHECK(!(key->nw_frag & FLOW_FRAG_LATER));
		CHECK(ofs->l4 > ofs->l3 && ofs->l7 > ofs->l4 && ofs->l7 <= len);
	} else {
		CHECK(ofs->l4 == 0 && ofs->l7 == 0);
		CHECK(key->tp_src == 0 && key->tp_dst == 0);
	}
	CHECK(!(key->nw_frag & FLOW_FRAG_LATER) || (key->nw_frag & FLOW_FRAG_ANY));
	CHECK(!(key->flags & FLOW_F_IP4_OPT) || (key->flags & FLOW_F_IP4));
	CHECK(!(key->flags & FLOW_F_ND) || (key->flags & FLOW_F_IP6));
	if (key->flags & FLOW_F_TUNNEL) {
		CHECK(flags & PARSE_F_TUNNEL);
		CHECK(ofs->l2 > 0 && ofs->l2 < len);
		CHECK(res->tnl.vni < 1u << 24);
		CHECK(res->tnl.ovn_in < 1u << 15);
		CHECK(res->tnl.opt_len % 4 == 0);
	} else {
		CHECK(ofs->l2 == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result plain, tnl;
	uint32_t len;
	uint8_t *buf;

	if (size > UINT16_MAX + 64)
		return 0;
	len = (uint32_t)size;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	parse_twice(buf, len, 0, &plain);
	parse_twice(buf, len, PARSE_F_TUNNEL, &tnl);
	CHECK((unsigned)tnl.r < DROP_NO_PEER && (unsigned)plain.r < DROP_NO_PEER);
	if (plain.r == DROP_NONE)
		check_ok(&plain, len, 0);
	else
		CHECK(tnl.r == plain.r); /* outer headers fail the same way */
	if (tnl.r == DROP_NONE)
		check_ok(&tnl, len, PARSE_F_TUNNEL);
	if (tnl.r == DROP_NONE && !(tnl.key.flags & FLOW_F_TUNNEL)) {
		CHECK(plain.r == DROP_NONE);
		CHECK(memcmp(&plain.key, &tnl.key, sizeof(plain.key)) == 0);
		CHECK(memcmp(&plain.ofs, &tnl.ofs, sizeof(plain.ofs)) == 0);
	}

	struct result fast;
	memset(&fast, 0x3c, sizeof(fast));
	if (parse_geneve4_fast(buf, len, &fast.key, &fast.ofs, &fast.tnl, &fast.r)) {
		fuzz_parse_fast++;
		CHECK(fast.r == tnl.r);
		CHECK(memcmp(&fast.key, &tnl.key, sizeof(fast.key)) == 0);
		CHECK(memcmp(&fast.ofs, &tnl.ofs, sizeof(fast.ofs)) == 0);
		CHECK(memcmp(&fast.tnl, &tnl.tnl, sizeof(fast.tnl)) == 0);
	}

	fuzz_parse_results[tnl.r]++;
	if (tnl.key.flags & FLOW_F_TUNNEL)
		fuzz_parse_tunnelled++;
	free(buf);
	return 0;
}
