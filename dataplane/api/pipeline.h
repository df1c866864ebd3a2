/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The logical pipelines as the fast path runs them: one immutable snapshot,
 * built by the control thread (control/pipeline/) from the compiled logical
 * tables and the Southbound bindings, and published by pointer swap under
 * the same RCU scheme as struct dp_tables (see dp.h).
 *
 * A snapshot holds, per logical datapath (switch or router): its logical
 * tables, each a list of compiled entries in priority order; its logical
 * ports (type, where they are: a local DPDK port, a patch peer, elsewhere)
 * with their port security; and its multicast groups. Beside the
 * datapaths, a map from each local DPDK port (and VLAN tag, for container
 * ports) to the logical port it stands for: that is OpenFlow table 0.
 *
 * Workers only read a snapshot. The counters they write (hits per entry,
 * drops per entry or per table) are per worker, in arrays the snapshot
 * owns; when control replaces a snapshot it folds the old one's counters
 * into totals kept by logical flow UUID, so counts survive recompiles.
 */
#ifndef FERRY_DP_PIPELINE_H
#define FERRY_DP_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>

#include "dataplane/api/dp.h"
#include "dataplane/api/lflow_prog.h"
#include "dataplane/geneve/geneve.h"

#define PL_TABLES_MAX 64 /* logical tables per pipeline */
#define PL_INGRESS    0
#define PL_EGRESS     1

/* An atom prepared for the common case: a masked comparison on the raw
 * big-endian 8 bytes at a header field (PL_FA_KEY: mask and value already
 * shifted into place), or on a 32-bit metadata word (PL_FA_META); anything
 * else (sets, registers, 128-bit fields) goes the general way (PL_FA_ATOM,
 * `atom' is its index). */
enum { PL_FA_ATOM = 0, PL_FA_KEY, PL_FA_META, PL_FA_NEVER };
struct pl_fatom {
	uint8_t kind, ne; /* ne: `!=' */
	uint16_t off;     /* byte offset in the key, or in the metadata */
	uint32_t atom;
	uint64_t mask, value;
};

/* One compiled conjunction of one logical flow on one datapath. */
struct pl_entry {
	int32_t priority;
	uint32_t n_atoms;
	const struct lflow_atom *atoms;
	const struct pl_fatom *fatoms; /* [n_atoms], the same tests prepared */
	const uint64_t *prog;          /* action program (lflow_prog.h) */
	uint32_t prog_len;             /* words */
	uint32_t flow;                 /* index in pl_snapshot.flows */
	uint32_t id;                   /* index in the per-worker entry counters */
	int32_t next_only; /* the actions are just `next(...)': (pipeline << 8) | table; else -1 */
};

/*
 * A table's index, for tables large enough to be worth one: most of its
 * entries test one field with a full mask (eth.dst in the switch's L2
 * lookup, outport in ARP resolution...). Entries that do are hashed by
 * that value into buckets; the others are "wild". A lookup hashes the
 * packet's value and tries the bucket's entries and the wild ones merged
 * in priority order: an entry in neither list tests that field against
 * another value and cannot match.
 */
struct pl_index {
	uint16_t field;
	uint32_t mask;          /* buckets - 1, a power of two minus one */
	const uint32_t *bucket; /* [mask + 2]: start of bucket b in cand */
	const uint32_t *cand;   /* entry indices, ascending within a bucket */
	uint32_t n_wild;
	const uint32_t *wild; /* ascending */
};

struct pl_table {
	uint32_t n;
	const struct pl_entry *e;     /* by priority, highest first */
	uint32_t miss_id;             /* per-table counter slot for "no entry matched" */
	const struct pl_index *index; /* NULL: search all entries in order */
};

/** The bucket of value @p v in an index (shared by builder and lookup). */
static inline uint32_t pl_index_bucket(const struct pl_index *x, struct lflow_u128 v)
{
	uint64_t h = (v.hi * 0x9e3779b97f4a7c15ull) ^ (v.lo * 0xc2b2ae3d27d4eb4full);
	h ^= h >> 31;
	return (uint32_t)h & x->mask;
}

/* A compiled set (address set, port group, literal set): member values
 * with masks, tested as (field & mask) == value. */
struct pl_set {
	uint32_t n;
	const struct lflow_u128 *vals, *masks;
};

enum pl_port_type {
	PL_PORT_VIF,       /* "" or virtual bound here: a local DPDK port */
	PL_PORT_PATCH,     /* patch, l3gateway peer, router port: re-enters the peer */
	PL_PORT_LOCALPORT, /* exists on every chassis, local DPDK port if any */
	PL_PORT_REMOTE,    /* a vif bound on another chassis (next issue: tunnels) */
	PL_PORT_UNBOUND,   /* a vif bound nowhere, or bound here without a local port */
	PL_PORT_LOCALNET,
	PL_PORT_L2GATEWAY,
	PL_PORT_EXTERNAL,
	PL_PORT_CHASSISREDIRECT,
	PL_PORT_OTHER, /* vtep, and types this version does not know */
};

/* One port security entry: a MAC and the addresses allowed with it (none
 * of a family: any address of that family). */
struct pl_psec {
	uint8_t mac[6];
	uint16_t n4, n6;
	const struct lflow_u128 *ip4, *ip4_mask; /* [n4] */
	const struct lflow_u128 *ip6, *ip6_mask; /* [n6] */
};

/* Another chassis we tunnel to (Chassis and Encap rows). */
struct pl_peer {
	const char *chassis;
	bool ip6, csum;
	uint8_t ip[16]; /* its encap IP (IPv4 in the first 4 bytes) */
	uint8_t nh[16]; /* the next hop toward it: ip, or the underlay's gateway */
	bool resolved;  /* next-hop MAC known */
	bool refresh;   /* the next hop is stale: ask it again (unicast) */
	uint8_t mac[6]; /* the next hop's MAC on the underlay */
	struct geneve_tmpl tmpl; /* its outer headers, when resolved on our family */
};

/* The underlay: the port that carries our encap IP. */
struct pl_underlay {
	bool present;
	uint16_t dpdk;
	bool ip6;
	uint8_t ip[16]; /* our encap IP */
	uint8_t mac[6]; /* the port's MAC */
	uint16_t mtu;         /* the port's MTU */
	uint16_t overlay_mtu; /* the largest inner IP packet: mtu less the encapsulation */
	uint32_t max_inner;   /* the largest inner frame (overlay_mtu + 14), UINT32_MAX: any */
	bool tx_csum;         /* the port computes the outer checksums (IPv4 header, UDP) */
	uint8_t prefix_len;   /* of the encap IP's subnet; 0: every peer is on-link */
	bool have_gw;
	uint8_t gw[16]; /* the router to peers outside the subnet */
};

struct pl_lport {
	uint32_t key;      /* Port_Binding.tunnel_key */
	uint8_t type;      /* enum pl_port_type */
	uint16_t dpdk;     /* local DPDK port, DP_PORT_NONE when none */
	uint16_t tag;      /* container port: VLAN id on the parent, 0 none */
	uint16_t chassis;  /* remote: index in pl_snapshot.peers, UINT16_MAX when none */
	uint32_t peer_dp;  /* patch: index of the peer datapath in the snapshot */
	uint32_t peer_key; /* patch: the peer port's key */
	uint16_t n_psec;
	const struct pl_psec *psec;
	const char *name; /* logical_port */
	uint32_t idx;     /* index in the per-port counters, dense over the snapshot */
	uint16_t zone;    /* conntrack zone of a switch port (0: none given) */
};

struct pl_mcgroup {
	uint32_t key;
	uint32_t n;
	const uint32_t *ports; /* member port keys */
	const char *name;
};

/* A known neighbour (MAC_Binding, Static_MAC_Binding) of one logical port. */
struct pl_neigh {
	uint32_t port;        /* logical port key */
	struct lflow_u128 ip; /* IPv4 in the low 32 bits, or IPv6 */
	uint8_t mac[6];
	bool is_static; /* Static_MAC_Binding: wins over a learned one */
};

/* A learned MAC of a switch (Southbound FDB): where it lives. */
struct pl_fdb {
	uint64_t mac;  /* 48 bits */
	uint32_t port; /* logical port key */
};

struct pl_datapath {
	uint32_t key;
	bool router;
	uint16_t dnat_zone, snat_zone; /* its conntrack zones (switch: hairpin) */
	const char *name;
	struct pl_table tables[2][PL_TABLES_MAX];
	uint32_t n_ports;
	const struct pl_lport *ports; /* by key */
	uint32_t n_mcgroups;
	const struct pl_mcgroup *mcgroups; /* by key */
	uint32_t n_neigh;
	const struct pl_neigh *neigh; /* by (port, ip) */
	uint32_t n_fdb;
	const struct pl_fdb *fdb; /* by mac */
};

/* Where a local DPDK port's packets enter: the logical port it stands for,
 * and for container ports on it, one per VLAN tag. */
struct pl_binding {
	uint32_t dp;   /* index in datapaths, UINT32_MAX when the port binds nothing */
	uint32_t port; /* logical port key */
};

struct pl_vif {
	struct pl_binding self;
	uint16_t n_tagged;
	const uint16_t *tags;            /* [n_tagged] VLAN ids */
	const struct pl_binding *tagged; /* [n_tagged] */
};

/* A logical flow, for trace and drop reports. */
struct pl_flow {
	const char *uuid;
	const char *stage; /* external_ids:stage-name, or "" */
	const char *match, *actions;
	uint8_t pipeline;
	uint16_t table;
};

/* The drops charged to a tunnel peer: to it (unresolved, no headroom, too
 * big for the underlay) or from it (malformed, or naming what is not here). */
#define PL_PEER_DROPS(X)                                                                        \
	X(GENEVE_TRUNC)                                                                         \
	X(GENEVE_BAD_VERSION)                                                                   \
	X(GENEVE_BAD_OPT)                                                                       \
	X(GENEVE_BAD_OVN_OPT)                                                                   \
	X(GENEVE_NOT_ETH)                                                                       \
	X(TUN_NO_OPTION)                                                                        \
	X(TUN_UNKNOWN_DP)                                                                       \
	X(TUN_UNKNOWN_PORT)                                                                     \
	X(TUN_UNRESOLVED)                                                                       \
	X(TUN_NO_ROOM)                                                                          \
	X(TUN_TOO_BIG)

enum pl_peer_drop {
#define PL_PD_ENUM(r) PL_PD_##r,
	PL_PEER_DROPS(PL_PD_ENUM)
#undef PL_PD_ENUM
	        PL_PD_N
};

/** The drop reason of per-peer slot @p i. */
static inline enum drop_reason pl_peer_drop_reason(unsigned i)
{
	static const uint8_t r[PL_PD_N] = {
#define PL_PD_REASON(x) DROP_##x,
	        PL_PEER_DROPS(PL_PD_REASON)
#undef PL_PD_REASON
	};
	return (enum drop_reason)r[i];
}

/** The per-peer slot of drop reason @p r, or -1 when peers are not charged. */
static inline int pl_peer_drop_slot(enum drop_reason r)
{
	switch (r) {
#define PL_PD_CASE(x)                                                                           \
	case DROP_##x:                                                                          \
		return PL_PD_##x;
		PL_PEER_DROPS(PL_PD_CASE)
#undef PL_PD_CASE
	default:
		return -1;
	}
}

/* One worker's counts for one tunnel peer. */
struct pl_peer_stats {
	uint64_t tx_packets, tx_bytes; /* encapsulated to it */
	uint64_t rx_packets, rx_bytes; /* decapsulated from it */
	uint64_t drops[PL_PD_N];       /* by enum pl_peer_drop */
};

/* Per-worker counters a snapshot owns: [worker][id]. */
struct pl_counters {
	struct pl_peer_stats *peer; /* by peer index */
	uint64_t *hits;  /* entry hits, by pl_entry.id */
	uint64_t *drops; /* packets dropped by an entry's `drop;' (by id), then by table miss (by
	                    miss_id) */
	uint64_t *lport_rx,
	        *lport_tx; /* packets into / out of each logical port, by pl_lport.idx */
};

struct pl_snapshot {
	uint64_t generation;
	/* What changed since the snapshot before this one (generation
	 * prev_generation): stable dependency ids (PL_TID), sorted. The flow
	 * cache keeps entries that depend on none of them. */
	uint64_t prev_generation;
	uint32_t n_changed;
	const uint32_t *changed;
	uint32_t n_datapaths;
	const struct pl_datapath *datapaths; /* by key */
	uint32_t n_flows;
	const struct pl_flow *flows;
	uint32_t n_sets;
	const struct pl_set *sets; /* by set id */
	uint32_t n_entry_ids, n_miss_ids;
	uint32_t n_lports;                    /* every pl_lport.idx is below */
	struct pl_vif vifs[RTE_MAX_ETHPORTS]; /* by DPDK port id */
	uint16_t n_peers;
	const struct pl_peer *peers;
	struct pl_underlay underlay;
	struct pl_counters counters[DP_WORKERS_MAX];
};

/** The snapshot workers use now, or NULL (no logical pipelines). */
const struct pl_snapshot *pl_current(void);

/** Publish @p s (control only); @return the previous one, which the caller
 *  frees after rte_rcu_qsbr_synchronize() on @p rcu (done here). */
struct pl_snapshot *pl_publish(struct pl_snapshot *s, struct rte_rcu_qsbr *rcu);

#endif
