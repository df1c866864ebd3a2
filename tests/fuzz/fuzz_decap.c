/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the decapsulation path: each input is one frame arriving
 * on the underlay port, handed to the worker's real entry point,
 * pl_process(), against the snapshot of decap_snapshot.c (its underlay has
 * encap IP 192.168.100.1; the peer chassis is 192.168.100.2). Every port
 * is a DPDK ring port (rte_eth_from_ring), so what the pipeline transmits
 * is counted by pl_txb_flush() as on a NIC, then read back and checked.
 *
 * Each input runs five times:
 *   A. on an empty flow cache: parse, the encap-IP and option checks, a
 *      tracked pipeline walk, a cache insert, emit and transmit;
 *   B. again: now a cache hit where A was cacheable (check mode runs the
 *      interpreter beside it), and a hit only then;
 *   C. on the cache as the seed frames (decap_seeds.c) left it, so that
 *      the input meets entries made by other packets;
 *   D. on an empty cache then again, with the mbuf pool all but empty,
 *      so that copies and generated packets fail (len % 3 mbufs left).
 * Beyond "no crash" (ASan, UBSan), it aborts when:
 *   - the underlay port's rx count did not grow by one frame, or a port's
 *     tx count differs from the frames its ring received;
 *   - a frame vanished: nothing sent, no drop counted, nothing handed to
 *     the control thread (except an ARP for our encap IP that is no request,
 *     which underlay.c consumes without a count; see the README);
 *   - more frames left than the pipeline allows for one input (PL_OUT_MAX);
 *   - a frame reached a logical port though it was not Geneve with the OVN
 *     option to our encap IP;
 *   - a frame sent is a broken mbuf, does not parse, or carries a bad IPv4
 *     header or L4 checksum where the input's inner one was good; a frame
 *     other than our ARP answer leaves by the underlay;
 *   - B or C sent other frames or counted other drops than A, or B missed
 *     the entry that A inserted; the second run of D differs from the first;
 *   - the cache reported a check mismatch;
 *   - an mbuf leaked (the pool's in-use count is not back where it was).
 */
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dataplane/api/dp.h"
#include "dataplane/cache/cache.h"
#include "dataplane/parse/parse.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/process.h"
#include "tests/fuzz/decap_seeds.h"
#include "tests/fuzz/fuzz_decap.h"

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#define FRAME_MAX  4096 /* larger inputs are cut */
#define SENT_MAX   (2 * PL_OUT_MAX)
#define POOL_MBUFS 255
#define RING_SLOTS 1024

struct fuzz_decap_stats fuzz_decap_stats;

static struct rte_mempool *pool, *punt_pool;
static struct rte_ring *rings[FUZZ_PORTS], *punt_ring;
static struct dp_tables tables;
static struct dp_worker worker;
static const struct pl_snapshot *snap;
static struct pkt seeds[DECAP_SEEDS_MAX];
static unsigned n_seeds;
static bool verbose; /* FUZZ_DECAP_VERBOSE set: print what each input did */

/* What one pass did. */
struct sent {
	uint16_t port;
	uint32_t len;
	uint8_t data[FRAME_MAX + 256];
};
struct pass {
	unsigned n_sent, punts;
	uint64_t drops[DROP__MAX], n_drops;
	struct sent sent[SENT_MAX];
};
static struct pass pass_a, pass_b, pass_d;

static void ring_port(unsigned i)
{
	static const struct rte_eth_conf conf;
	char name[32];
	snprintf(name, sizeof(name), "fuzz-port%u", i);
	rings[i] = rte_ring_create(name, RING_SLOTS, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	CHECK(rings[i] != NULL);
	int port = rte_eth_from_ring(rings[i]);
	CHECK(port == (int)i);
	CHECK(rte_eth_dev_configure(i, 1, 1, &conf) == 0);
	CHECK(rte_eth_rx_queue_setup(i, 0, RING_SLOTS, SOCKET_ID_ANY, NULL, pool) == 0);
	CHECK(rte_eth_tx_queue_setup(i, 0, RING_SLOTS, SOCKET_ID_ANY, NULL) == 0);
	CHECK(rte_eth_dev_start(i) == 0);

	struct dp_port *p = &tables.ports[i];
	p->stats = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*p->stats));
	CHECK(p->stats != NULL);
	memset(p->stats, 0, sizeof(*p->stats));
	p->port_id = (uint16_t)i;
	p->n_txq = 1;
	p->peer_id = DP_PORT_NONE;
	p->role = i == FUZZ_PORT_UNDERLAY ? DP_ROLE_UNDERLAY : DP_ROLE_VIF;
}

static void setup(void)
{
	/* No hugepages, no devices, no shared files: runs anywhere, beside
	 * other tests. Lcore 0 may run on any CPU this process may use:
	 * pinned to one, parallel tests would queue behind each other. */
	char lcores[512] = "--lcores=0@(";
	cpu_set_t cpus;
	CHECK(sched_getaffinity(0, sizeof(cpus), &cpus) == 0);
	for (int c = 0; c < CPU_SETSIZE && strlen(lcores) + 8 < sizeof(lcores); c++)
		if (CPU_ISSET(c, &cpus))
			snprintf(lcores + strlen(lcores), sizeof(lcores) - strlen(lcores), "%d,",
			         c);
	lcores[strlen(lcores) - 1] = ')';
	char *argv[] = {"fuzz-decap", "--no-shconf",         "--no-huge", "-m",
	                "128",        "--iova-mode=va",      "--no-pci",  "--no-telemetry",
	                lcores,       "--log-level=*:error", NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	optind = 1; /* the EAL parses with getopt, maybe after a caller did */
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "fuzz-decap: rte_eal_init: %s\n", rte_strerror(rte_errno));
		abort();
	}
	/* No per-lcore cache: the in-use count is exact. */
	pool = rte_pktmbuf_pool_create("fuzz-mbufs", POOL_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               SOCKET_ID_ANY);
	punt_pool = rte_mempool_create("fuzz-punts", 63, sizeof(struct pl_punt), 0, 0, NULL, NULL,
	                               NULL, NULL, SOCKET_ID_ANY, 0);
	punt_ring = rte_ring_create("fuzz-punt", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	CHECK(pool != NULL && punt_pool != NULL && punt_ring != NULL);
	pl_set_punt(punt_ring, punt_pool);
	tables.mode = DP_MODE_OVN;
	tables.burst = 32;
	for (unsigned i = 0; i < FUZZ_PORTS; i++)
		ring_port(i);
	worker.id = 0;
	worker.cache = fc_create(0, 64, true);
	CHECK(worker.cache != NULL);
	snap = fuzz_decap_snapshot();
	worker.cache->snap_gen = snap->generation;
	n_seeds = decap_seeds(seeds, DECAP_SEEDS_MAX);
	verbose = getenv("FUZZ_DECAP_VERBOSE") != NULL;
}

static bool ip4_cksum_ok(const uint8_t *l3, uint32_t avail)
{
	uint32_t hl = (l3[0] & 0xf) * 4u, sum = 0;
	if (hl < 20 || hl > avail)
		return false;
	for (uint32_t i = 0; i < hl; i += 2)
		sum += (uint32_t)l3[i] << 8 | l3[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Whether the L4 checksum of the frame in @p f is right, or cannot be
 * told (no L4 header, a fragment, a length that does not fit, a UDP
 * checksum not in use over IPv4). */
static bool l4_cksum_ok(const uint8_t *f, uint32_t len, const struct flow_key *k,
                        const struct flow_offsets *ofs)
{
	uint32_t at;
	int32_t sum = decap_l4_sum(f, len, k, ofs, &at);
	if (sum < 0 ||
	    (k->nw_proto == 17 && !(k->flags & FLOW_F_IP6) && f[at] == 0 && f[at + 1] == 0))
		return true;
	return sum == 0xffff;
}

/*
 * What the input is, by our own parse: whether it may be decapsulated at
 * all, whether its inner IPv4 and L4 checksums (if any) are right, and
 * whether it is an ARP for our encap IP.
 */
struct input_kind {
	bool for_us, inner_cksum_ok, inner_l4_cksum_ok, arp_for_us;
};

/* One frame sent on @p port: sound, parseable, its checksum kept. */
static void check_sent(struct pass *p, uint16_t port, struct rte_mbuf *m,
                       const struct input_kind *ik)
{
	const char *why = NULL;
	CHECK(rte_mbuf_check(m, 1, &why) == 0);
	CHECK(p->n_sent < SENT_MAX);
	struct sent *o = &p->sent[p->n_sent++];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	CHECK(len <= sizeof(o->data));
	const void *bytes = rte_pktmbuf_read(m, 0, len, o->data);
	CHECK(bytes != NULL);
	if (bytes != o->data)
		memcpy(o->data, bytes, len);
	o->port = port;
	o->len = len;

	struct flow_key k;
	struct flow_offsets ofs;
	const struct pl_underlay *u = &snap->underlay;
	const uint8_t *f = o->data;
	if (port == FUZZ_PORT_VM3 && len >= 18 && memcmp(f + 12, "\x81\x00\x00\x2a", 4) == 0) {
		/* For container port c1: the logical frame is under the tag
		 * pushed for it (and may hold as many as the parser takes). */
		static uint8_t untagged[sizeof(o->data)];
		memcpy(untagged, f, 12);
		memcpy(untagged + 12, f + 16, len - 16);
		f = untagged;
		len -= 4;
	}
	CHECK(parse_packet(f, len, 0, &k, &ofs, NULL) == DROP_NONE);
	if (port == FUZZ_PORT_UNDERLAY) {
		/* Nothing from a tunnel goes back into one: what leaves by the
		 * underlay is our answer to an ARP for our encap IP. */
		CHECK((k.flags & FLOW_F_ARP) && k.nw_proto == 2);
		CHECK(memcmp(k.eth_src, u->mac, 6) == 0 && memcmp(k.arp_sha, u->mac, 6) == 0);
		CHECK(memcmp(k.ip_src, u->ip, 4) == 0);
	} else {
		if ((k.flags & FLOW_F_IP4) && ik->inner_cksum_ok)
			CHECK(ip4_cksum_ok(f + ofs.l3, len - ofs.l3));
		if (ik->inner_l4_cksum_ok)
			CHECK(l4_cksum_ok(f, len, &k, &ofs));
	}
}

static struct input_kind classify(const uint8_t *data, uint32_t len)
{
	const struct pl_underlay *u = &snap->underlay;
	struct input_kind ik = {.inner_cksum_ok = true, .inner_l4_cksum_ok = true};
	struct flow_key k;
	struct flow_offsets ofs;
	struct flow_tunnel t;
	if (parse_packet(data, len, PARSE_F_TUNNEL, &k, &ofs, &t) != DROP_NONE)
		return ik;
	if (!(k.flags & FLOW_F_TUNNEL)) {
		ik.arp_for_us = (k.flags & FLOW_F_ARP) && memcmp(k.ip_dst, u->ip, 4) == 0;
		return ik;
	}
	ik.for_us = !(t.flags & FLOW_TNL_F_IP6) && (t.flags & FLOW_TNL_F_OVN_OPT) &&
	            memcmp(t.dst, u->ip, 4) == 0;
	if (k.flags & FLOW_F_IP4)
		ik.inner_cksum_ok = ip4_cksum_ok(data + ofs.l3, len - ofs.l3);
	ik.inner_l4_cksum_ok = l4_cksum_ok(data, len, &k, &ofs);
	return ik;
}

static struct rte_mbuf *to_mbuf(const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	CHECK(m != NULL);
	uint32_t first = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
	char *d = rte_pktmbuf_append(m, (uint16_t)first);
	CHECK(d != NULL || first == 0);
	if (first)
		memcpy(d, data, first);
	if (first < len) { /* a jumbo frame: the rest in a second segment */
		struct rte_mbuf *tail = rte_pktmbuf_alloc(pool);
		CHECK(tail != NULL);
		d = rte_pktmbuf_append(tail, (uint16_t)(len - first));
		CHECK(d != NULL);
		memcpy(d, data + first, len - first);
		CHECK(rte_pktmbuf_chain(m, tail) == 0);
	}
	return m;
}

static void sum_stats(struct dp_port_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < FUZZ_PORTS; i++) {
		const struct dp_port_stats *st = tables.ports[i].stats;
		sum->tx_packets += st->tx_packets;
		for (unsigned r = 0; r < DROP__MAX; r++)
			sum->drops[r] += st->drops[r];
	}
}

/* One frame through pl_process(), everything it sent read back. With
 * @p spare >= 0, the pool has only that many mbufs left while it runs. */
static void run(const uint8_t *data, uint32_t len, const struct input_kind *ik, struct pass *p,
                int spare)
{
	static struct rte_mbuf *hog[POOL_MBUFS];
	const struct dp_port_stats *ul = tables.ports[FUZZ_PORT_UNDERLAY].stats;
	uint64_t rx = ul->rx_packets, rx_bytes = ul->rx_bytes, tx_before[FUZZ_PORTS];
	struct dp_port_stats before, after;
	struct rte_mbuf *m = to_mbuf(data, len);
	unsigned n_hog = 0, avail = rte_mempool_avail_count(pool);

	if (spare >= 0 && avail > (unsigned)spare) {
		n_hog = avail - (unsigned)spare;
		CHECK(rte_pktmbuf_alloc_bulk(pool, hog, n_hog) == 0);
	}

	for (unsigned i = 0; i < FUZZ_PORTS; i++)
		tx_before[i] = tables.ports[i].stats->tx_packets;
	sum_stats(&before);
	pl_process(&tables, snap, &worker, FUZZ_PORT_UNDERLAY, &m, 1);
	sum_stats(&after);
	CHECK(ul->rx_packets == rx + 1 && ul->rx_bytes == rx_bytes + len);

	p->n_sent = 0;
	p->n_drops = 0;
	for (unsigned r = 0; r < DROP__MAX; r++) {
		p->drops[r] = after.drops[r] - before.drops[r];
		p->n_drops += p->drops[r];
	}
	for (uint16_t port = 0; port < FUZZ_PORTS; port++) {
		struct rte_mbuf *out[RING_SLOTS];
		unsigned n = rte_ring_dequeue_burst(rings[port], (void **)out, RING_SLOTS, NULL);
		CHECK(tables.ports[port].stats->tx_packets - tx_before[port] == n);
		for (unsigned i = 0; i < n; i++) {
			check_sent(p, port, out[i], ik);
			if (port != FUZZ_PORT_UNDERLAY)
				CHECK(ik->for_us);
			rte_pktmbuf_free(out[i]);
		}
	}
	void *punt;
	p->punts = 0;
	while (rte_ring_dequeue(punt_ring, &punt) == 0) {
		rte_mempool_put(punt_pool, punt);
		p->punts++;
	}
	CHECK(p->n_sent <= PL_OUT_MAX);
	CHECK(p->n_sent + p->n_drops + p->punts > 0 || ik->arp_for_us);
	CHECK(worker.cache->st.check_mismatches == 0);
	if (n_hog)
		rte_pktmbuf_free_bulk(hog, n_hog);
}

static void dump(const char *what, const struct pass *p)
{
	fprintf(stderr, "%s: %u sent, %u punts, %lu drops:", what, p->n_sent, p->punts,
	        (unsigned long)p->n_drops);
	for (unsigned r = 0; r < DROP__MAX; r++)
		if (p->drops[r])
			fprintf(stderr, " %s", drop_reason_name(r));
	fprintf(stderr, "\n");
	for (unsigned i = 0; i < p->n_sent; i++) {
		fprintf(stderr, "  port %u:", p->sent[i].port);
		for (uint32_t k = 0; k < p->sent[i].len; k++)
			fprintf(stderr, "%s%02x", k % 16 ? "" : "\n   ", p->sent[i].data[k]);
		fprintf(stderr, "\n");
	}
}

/* Pass @p b (@p what) did what @p a did. */
static void same(const struct pass *a, const struct pass *b, const char *what)
{
	bool ok = a->n_sent == b->n_sent && a->punts == b->punts &&
	          memcmp(a->drops, b->drops, sizeof(a->drops)) == 0;
	for (unsigned i = 0; ok && i < a->n_sent; i++)
		ok = a->sent[i].port == b->sent[i].port && a->sent[i].len == b->sent[i].len &&
		     memcmp(a->sent[i].data, b->sent[i].data, a->sent[i].len) == 0;
	if (!ok) {
		dump(a == &pass_a ? "pass A (empty cache)" : "pass D (short of mbufs)", a);
		dump(what, b);
	}
	CHECK(ok);
}

/*
 * The cache as the seeds leave it, made once and put back before pass C
 * (running the seeds each time would cost most of the run).
 */
static struct fc warm;
static struct fc_entry *warm_e;

static void warm_up(struct fc *fc)
{
	fc_flush(fc, snap);
	for (unsigned i = 0; i < n_seeds; i++) {
		struct input_kind sk = classify(seeds[i].buf, seeds[i].len);
		run(seeds[i].buf, seeds[i].len, &sk, &pass_b, -1);
	}
	CHECK(fc->n_entries > 0);
	warm = *fc;
	warm_e = malloc(fc->size * sizeof(*warm_e));
	CHECK(warm_e != NULL);
	memcpy(warm_e, fc->e, fc->size * sizeof(*warm_e));
}

static void warm_restore(struct fc *fc)
{
	struct fc_entry *e = fc->e;
	struct fc_stats st = fc->st;
	*fc = warm;
	fc->e = e;
	fc->st = st;
	memcpy(e, warm_e, fc->size * sizeof(*e));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fc *fc;
	if (!ready) {
		setup();
		warm_up(worker.cache);
		ready = true;
	}
	fc = worker.cache;
	uint32_t len = (uint32_t)RTE_MIN(size, (size_t)FRAME_MAX);
	unsigned in_use = rte_mempool_in_use_count(pool);
	struct input_kind ik = classify(data, len);
	struct fc_stats st0 = fc->st;

	fc_flush(fc, snap);
	run(data, len, &ik, &pass_a, -1);
	uint64_t decap = fc->st.misses - st0.misses, inserted = fc->st.inserts - st0.inserts;
	uint64_t hits = fc->st.decap_hits;
	run(data, len, &ik, &pass_b, -1);
	same(&pass_a, &pass_b, "pass B (again)");
	/* The entry A made matches the very frame it was made from. */
	CHECK(fc->st.decap_hits - hits == inserted);
	if (verbose)
		dump("input", &pass_a);

	warm_restore(fc);
	run(data, len, &ik, &pass_b, -1);
	same(&pass_a, &pass_b, "pass C (after the seeds)");

	/* D: with none, one or two mbufs left for copies and generated
	 * packets; the failures are counted drops, and nothing leaks. */
	fc_flush(fc, snap);
	run(data, len, &ik, &pass_d, (int)(len % 3));
	run(data, len, &ik, &pass_b, (int)(len % 3));
	same(&pass_d, &pass_b, "pass D again (short of mbufs)");
	CHECK(rte_mempool_in_use_count(pool) == in_use);
	fuzz_decap_stats.no_mbuf += pass_d.drops[DROP_PL_NO_MBUF];

	struct fuzz_decap_stats *s = &fuzz_decap_stats;
	s->inputs++;
	s->decapsulated += decap;
	for (unsigned r = 0; r < DROP__MAX; r++)
		s->drops[r] += pass_a.drops[r];
	for (unsigned i = 0; i < pass_a.n_sent; i++)
		s->sent[pass_a.sent[i].port]++;
	s->hits += fc->st.hits - st0.hits;
	s->decap_hits += fc->st.decap_hits - st0.decap_hits;
	s->misses += fc->st.misses - st0.misses;
	s->inserts += fc->st.inserts - st0.inserts;
	s->check_runs += fc->st.check_runs - st0.check_runs;
	return 0;
}
