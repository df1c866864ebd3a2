/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting DPDK's EAL with defaults that fit a small, shared machine: the
 * control thread may float over every allowed CPU, each worker is pinned
 * to its own; no files in /var/run (several ferryd can run side by side);
 * hugepages when enough are free, otherwise plain memory with a warning.
 */
#ifndef FERRY_EAL_H
#define FERRY_EAL_H

#include <stdbool.h>
#include <stddef.h>

#include "control/conf/conf.h"

struct eal_info {
	bool hugepages;     /* running on hugepages */
	unsigned memory_mb; /* memory reserved up front without hugepages, or needed */
	unsigned mbufs;     /* packet buffers the pool will hold */
};

/**
 * Start the EAL for @p conf; @p extra are user EAL arguments appended last.
 * @return 0 or -errno with @p err set
 */
int eal_start(const struct ferry_conf *conf, char *const *extra, int n_extra, struct eal_info *info,
              char *err, size_t errlen);

/** Free hugepage memory in MiB, over every page size. */
unsigned long eal_hugepages_free_mb(void);

#endif
