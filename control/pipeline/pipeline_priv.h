/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the pipeline module's files. */
#ifndef FERRY_CONTROL_PIPELINE_PRIV_H
#define FERRY_CONTROL_PIPELINE_PRIV_H

#include <stdint.h>

#include "control/lflow/arena.h"
#include "control/lflow/strmap.h"
#include "control/ovsdb/idl.h"
#include "control/pipeline/pipeline.h"
#include "dataplane/api/pipeline.h"

struct lflow_compiler;

/* One snapshot and the arena behind it; s first, so a published
 * struct pl_snapshot * is also its struct pl_gen *. */
/* A dependency's content hash: the flow cache keeps an entry across a
 * rebuild when every id it depends on hashes the same. */
struct pl_dep {
	uint32_t tid; /* PL_TID */
	uint64_t hash;
};

struct pl_gen {
	struct pl_snapshot s;
	struct pl_dep *deps; /* sorted by tid */
	size_t n_deps;
	struct arena arena;
	unsigned n_workers;
	uint64_t n_psec_errors;    /* port_security entries that did not parse */
	uint64_t n_tables_skipped; /* tables of unknown datapaths or past PL_TABLES_MAX */
	uint64_t n_indexed;        /* tables with an index (struct pl_index) */
	uint64_t n_meters_unbound; /* set_meters left without a policer: none was free */
};

/* build.c */
struct pl_gen *pipeline_build(struct ovsdb_idl *idl, const struct lflow_compiler *c,
                              const char *chassis, unsigned n_workers, uint64_t generation);
void pipeline_gen_free(struct pl_gen *g);
/* deps.c */
/** Hash every dependency of @p g's snapshot (g->deps). */
void pipeline_build_deps(struct pl_gen *g);

/* conntrack.c */
/** The conntrack zone of @p name (a logical port, or "<router uuid>_dnat"
 *  or "_snat"), allocated on first use; a build ends with
 *  pipeline_ct_zones_done(), which forgets the zones it did not ask for. */
uint16_t pipeline_ct_zone(const char *name);
void pipeline_ct_zones_done(void);
/** Set @p g's changed list against @p prev (NULL: everything changed). */
void pipeline_diff(struct pl_gen *g, const struct pl_gen *prev);

/* pipeline.c: the DPDK port of a local vif port named @p iface_id. */
uint16_t pipeline_local_port(const char *iface_id);
/* underlay.c: the underlay as the snapshot shows it; a next hop's MAC. */
struct pl_underlay pipeline_underlay(void);
/** Whether next hop @p ip is known: then its MAC, and whether it is stale. */
bool pipeline_underlay_neigh(const uint8_t ip[16], bool ip6, uint8_t mac[6], bool *stale);
/** The next hop toward encap IP @p peer: the peer itself when on-link, else
 *  the gateway. */
void pipeline_underlay_next_hop(const uint8_t peer[16], bool ip6, uint8_t nh[16]);

#endif
