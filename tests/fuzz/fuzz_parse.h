/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FERRY_TESTS_FUZZ_PARSE_H
#define FERRY_TESTS_FUZZ_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/api/drop.h"

/* Results seen by LLVMFuzzerTestOneInput, per drop reason (tunnel mode). */
extern unsigned long fuzz_parse_results[DROP__MAX];
/* Inputs that decoded a Geneve header and parsed the inner frame. */
extern unsigned long fuzz_parse_tunnelled;
/* Inputs parse_geneve4_fast() took (and agreed on). */
extern unsigned long fuzz_parse_fast;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
