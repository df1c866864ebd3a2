/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection table's arrays (ct_mem.c): zeroed, every page present,
 * on transparent huge pages from 2 MiB up. Control thread only.
 */
#ifndef FERRY_CT_MEM_H
#define FERRY_CT_MEM_H

#include <stddef.h>

/** @p n bytes, zeroed, 64-byte aligned; NULL when out of memory. */
void *ct_mem_alloc(size_t n);
/** Give back what ct_mem_alloc(@p n) gave (NULL is nothing). */
void ct_mem_free(void *p, size_t n);

#endif
