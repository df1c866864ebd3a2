/* SPDX-License-Identifier: Apache-2.0 */
/* The connection table's large arrays (ct_mem.h). */
#include "dataplane/conntrack/ct_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * The table's arrays, zeroed, on transparent huge pages where the kernel
 * gives them (THP "madvise" is Debian's default): with many connections
 * every lookup lands on another 4 KiB page, and a TLB miss per bucket and
 * per connection cost more than the lookup itself. 2 MiB aligned, so that
 * the whole array can be huge pages. Control thread only.
 */
#define BIG_ALIGN ((size_t)2 << 20)

void *ct_mem_alloc(size_t n)
{
	if (n < BIG_ALIGN) { /* a small table: its page walks are few */
		size_t r = (n + 63) & ~(size_t)63;
		void *p = aligned_alloc(64, r ? r : 64); /* buckets on cache lines */
		if (p != NULL)
			memset(p, 0, r);
		return p;
	}
	n = (n + BIG_ALIGN - 1) & ~(BIG_ALIGN - 1);
	uint8_t *p = mmap(NULL, n + BIG_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                  -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uint8_t *a = (uint8_t *)(((uintptr_t)p + BIG_ALIGN - 1) & ~(uintptr_t)(BIG_ALIGN - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + n < p + n + BIG_ALIGN)
		munmap(a + n, (size_t)(p + n + BIG_ALIGN - (a + n)));
#ifdef MADV_HUGEPAGE
	(void)madvise(a, n, MADV_HUGEPAGE); /* a hint: 4 KiB pages still work */
#endif
	/* Every page now, on the control thread: a worker's first write to a
	 * bucket must not fault (a huge page's fault zeroes 2 MiB, and may
	 * compact memory first: new connections ran at half speed). */
	memset(a, 0, n);
	return a;
}

void ct_mem_free(void *p, size_t n)
{
	if (p != NULL && n < BIG_ALIGN)
		free(p);
	else if (p != NULL)
		munmap(p, (n + BIG_ALIGN - 1) & ~(BIG_ALIGN - 1));
}
