/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "control/daemon/eal.h"
#include "control/log/log.h"

#define EAL_ARGS_MAX 64

unsigned long eal_hugepages_free_mb(void)
{
	const char *base = "/sys/kernel/mm/hugepages";
	unsigned long total_kb = 0;
	struct dirent *de;
	DIR *d = opendir(base);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long size_kb, n = 0;
		char path[512];
		FILE *f;

		if (sscanf(de->d_name, "hugepages-%lukB", &size_kb) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base, de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			total_kb += n * size_kb;
		fclose(f);
	}
	closedir(d);
	return total_kb / 1024;
}

/* "0@(0-1),1@1": lcore 0 (control) floats over the allowed CPUs. */
/* Append to a fixed buffer; once something does not fit, nothing more is
 * written and the result is refused. */
struct strbuf {
	char *buf;
	size_t len, used;
	bool full;
};

static void strbuf_add(struct strbuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void strbuf_add(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->full = true;
	else
		b->used += n;
}

static int lcores_arg(const struct ferry_conf *c, char *buf, size_t len)
{
	struct strbuf b = {.buf = buf, .len = len};
	const char *sep = "";
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	/* CPUs as ranges ("0-383"), so the map stays short on large hosts. */
	strbuf_add(&b, "0@(");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		int last = cpu;

		if (!CPU_ISSET(cpu, &set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
			last++;
		if (last == cpu)
			strbuf_add(&b, "%s%d", sep, cpu);
		else
			strbuf_add(&b, "%s%d-%d", sep, cpu, last);
		sep = ",";
		cpu = last;
	}
	strbuf_add(&b, ")");
	for (unsigned i = 0; i < c->n_workers; i++)
		strbuf_add(&b, ",%u@%u", i + 1, c->worker_cpus[i]);
	return b.full ? -E2BIG : 0;
}

int eal_start(const struct ferry_conf *c, char *const *extra, int n_extra, struct eal_info *info,
              char *err, size_t errlen)
{
	static char lcores[1024], mem[32];
	char *argv[EAL_ARGS_MAX];
	unsigned long free_mb;
	double mbuf_mb;
	int argc = 0, rc;

	info->mbufs = conf_mbufs(c);
	const unsigned elt =
	        RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf) + RTE_CACHE_LINE_SIZE;
	mbuf_mb = info->mbufs * (double)elt / (1 << 20);
	info->memory_mb = c->memory_mb ? c->memory_mb : (unsigned)(mbuf_mb * 1.25) + 128;
	/* Without hugepages memory comes in 4 KiB pages, and DPDK places a
	 * pool's objects so that none crosses a page: a page holds
	 * 4096 / elt of them (one mbuf at the default size), the rest of it
	 * unused. Plan for that, or a large pool does not fit. */
	unsigned per_page = elt <= 4096 ? 4096 / elt : 0;
	double pages = per_page ? ((double)info->mbufs + per_page - 1) / per_page
	                        : (double)info->mbufs * ((elt + 4095) / 4096);
	unsigned nohuge_mb =
	        c->memory_mb ? c->memory_mb : (unsigned)(pages * 4096 / (1 << 20) * 1.25) + 128;

	rc = lcores_arg(c, lcores, sizeof(lcores));
	if (rc) {
		snprintf(err, errlen, "cannot build the lcore map: %s", strerror(-rc));
		return rc;
	}
	argv[argc++] = "ferryd";
	argv[argc++] = "--lcores";
	argv[argc++] = lcores;
	argv[argc++] = "--log-level=lib.*:notice";
	argv[argc++] = "--log-level=pmd.*:notice";

	free_mb = eal_hugepages_free_mb();
	switch (c->hugepages) {
	case CONF_HUGE_ON:
		if (free_mb < info->memory_mb) {
			snprintf(err, errlen,
			         "hugepages=on but only %lu MiB of hugepages are free, %u needed",
			         free_mb, info->memory_mb);
			return -ENOMEM;
		}
		info->hugepages = true;
		break;
	case CONF_HUGE_AUTO:
		info->hugepages = free_mb >= info->memory_mb;
		if (!info->hugepages)
			LOG(WARNING, MAIN,
			    "%lu MiB of hugepages free, %u MiB wanted: running without hugepages "
			    "(slower; reserve some with: echo N > "
			    "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)",
			    free_mb, info->memory_mb);
		break;
	case CONF_HUGE_OFF:
		info->hugepages = false;
		break;
	}
	/* No shared files, so several ferryd (and tests) can run side by side. */
	if (info->hugepages) {
		argv[argc++] = "--in-memory";
	} else {
		info->memory_mb = nohuge_mb;
		snprintf(mem, sizeof(mem), "%u", info->memory_mb);
		argv[argc++] = "--no-shconf";
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = mem;
		argv[argc++] = "--iova-mode=va";
	}
	if (n_extra > EAL_ARGS_MAX - argc - 1) {
		snprintf(err, errlen, "too many EAL arguments");
		return -E2BIG;
	}
	for (int i = 0; i < n_extra; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;

	if (rte_eal_init(argc, argv) < 0) {
		rc = -rte_errno;
		snprintf(err, errlen, "DPDK EAL failed to start: %s", rte_strerror(rte_errno));
		return rc ? rc : -EIO;
	}
	LOG(INFO, MAIN, "memory: %s, %u MiB%s; %u mbufs planned (%.1f MiB)",
	    info->hugepages ? "hugepages" : "no hugepages", info->memory_mb,
	    info->hugepages ? " needed" : " reserved", info->mbufs, mbuf_mb);
	return 0;
}
