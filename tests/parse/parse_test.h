/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the parser test files: one runner per file, one parse helper. */
#ifndef FERRY_TESTS_PARSE_TEST_H
#define FERRY_TESTS_PARSE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dataplane/parse/parse.h"
#include "tests/parse/pkt_build.h"

/* Compare by name so that a failure says which reasons differ. */
#define assert_drop(got, want) assert_string_equal(drop_reason_name(got), drop_reason_name(want))

/*
 * Parse the first len bytes of b from a buffer of exactly len bytes, so
 * that AddressSanitizer reports any read past the end.
 */
enum drop_reason parse_exact(const struct pkt *b, uint32_t len, unsigned flags,
                             struct flow_key *key, struct flow_offsets *ofs,
                             struct flow_tunnel *tnl);

int run_l2_l4_tests(void);
int run_ip6_tests(void);
int run_geneve_tests(void);
int run_trunc_tests(void);

#endif
