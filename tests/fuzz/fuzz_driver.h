/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a fuzz target adds to the deterministic driver (fuzz_driver.c),
 * besides its LLVMFuzzerTestOneInput().
 */
#ifndef FERRY_TESTS_FUZZ_DRIVER_H
#define FERRY_TESTS_FUZZ_DRIVER_H

#include <stdint.h>

#include "tests/parse/pkt_build.h"

#define FUZZ_SEEDS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Valid inputs to mutate, into @p seeds (at most @p max). @return how many. */
unsigned fuzz_driver_seeds(struct pkt *seeds, unsigned max);

/**
 * Print what the target saw over @p inputs inputs, of which @p mutations
 * were mutated seeds. @return 0, or 1 when a full run missed what the
 * seeds should reach.
 */
int fuzz_driver_report(unsigned long inputs, unsigned long mutations);

#endif
