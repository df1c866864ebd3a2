/* SPDX-License-Identifier: Apache-2.0 */
/* The tracker's spinlocks (the lock order is in ct.h): C11 atomics, no
 * EAL, a worker never sleeps. */
#ifndef FERRY_DP_CT_LOCK_H
#define FERRY_DP_CT_LOCK_H

#include <stdint.h>

static inline void ct_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void ct_spin_lock(uint32_t *w)
{
	while (__atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			ct_cpu_relax();
}

static inline void ct_spin_unlock(uint32_t *w)
{
	__atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

#endif
