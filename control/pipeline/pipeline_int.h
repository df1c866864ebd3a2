/* SPDX-License-Identifier: Apache-2.0 */
/* The pipeline module's state and its files' entry points. */
#ifndef FERRY_CONTROL_PIPELINE_INT_H
#define FERRY_CONTROL_PIPELINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ovsdb/log.h"
#include "control/pipeline/pipeline_priv.h"

extern int pipeline_logtype;
#define PL_LOG(lvl, fmt, ...)    FERRY_LOG(pipeline_logtype, lvl, "pipeline", fmt, ##__VA_ARGS__)
#define PL_LOG_RL(lvl, fmt, ...) FERRY_LOG_RL(pipeline_logtype, lvl, "pipeline", fmt, ##__VA_ARGS__)

struct event;
struct event_base;
struct local_port;
struct port_conf;

struct pipeline_state {
	bool running, stopping;
	struct ovsdb_idl *idl;
	char *chassis;
	struct event *rebuild_ev;
	struct local_port *locals;
	struct pl_gen *cur;     /* published now */
	struct pl_gen *retired; /* the one before, freed at the next publish */
	uint64_t generation, n_builds;
	uint64_t n_sync_waits;    /* rebuilds put off while a cache caught up */
	uint64_t n_sync_timeouts; /* ... given up on (a stuck worker) */
	double sync_wait_since;   /* now_ms() of the first put-off, 0 if none */
	double last_ms, max_ms;
};

extern struct pipeline_state pl_state;

/** Schedule a rebuild (coalesced). */
void pipeline_kick(void);

/* stats.c: counters of retired snapshots, by (flow UUID, datapath), by table, by port. */
void pl_stats_add_flow(const struct pl_flow *f, uint32_t dp_key, uint64_t hits, uint64_t drops);
void pl_stats_add_miss(uint32_t dp_key, int pipeline, int table, uint64_t drops);
/** Totals for a flow (retired + current snapshot). */
void pl_stats_flow(const char *uuid, uint32_t dp_key, uint64_t *hits, uint64_t *drops);
uint64_t pl_stats_miss(uint32_t dp_key, int pipeline, int table);
void pl_stats_add_lport(const char *name, uint64_t rx, uint64_t tx);
void pl_stats_lport(const char *name, uint64_t *rx, uint64_t *tx);
void pl_stats_add_peer(const char *chassis, const struct pl_peer_stats *d);
static inline void pl_peer_stats_add(struct pl_peer_stats *t, const struct pl_peer_stats *d)
{
	t->tx_packets += d->tx_packets;
	t->tx_bytes += d->tx_bytes;
	t->rx_packets += d->rx_packets;
	t->rx_bytes += d->rx_bytes;
	for (unsigned i = 0; i < PL_PD_N; i++)
		t->drops[i] += d->drops[i];
}
void pl_stats_peer(const char *chassis, struct pl_peer_stats *out);
void pl_stats_clear(void);

/* punt.c: learned neighbours and FDB entries from the workers. */
/** A punt counter: "received", "written", "skipped", "failed", "fdb_written". */
uint64_t pl_punt_counter(const char *name);
int pl_punt_start(struct event_base *base);
void pl_punt_stop(void);

/* trace.c, live.c */
struct ctl_req;
struct flow_key;
typedef struct json_t json_t;
/** Trace one packet through @p s, printing to @p req; @return its JSON. */
json_t *pipeline_trace_packet(struct ctl_req *req, const struct pl_snapshot *s,
                              const struct flow_key *k, uint32_t dp, uint32_t inport);
/** Parse a microflow or filter into header atoms and an optional inport. */
int pipeline_parse_filter(struct ctl_req *req, const struct pl_snapshot *s, const char *text,
                          struct lflow_atom *atoms, uint32_t max_atoms, uint32_t *n_atoms,
                          int32_t *inport_dp, uint32_t *inport_key);
int pipeline_live_start(struct ctl_req *req);
int pipeline_trace_cmd(struct ctl_req *req, void *arg);
/** Words @p from to @p to of a command, joined by spaces (malloc'd), or NULL. */
char *pipeline_join_words(const struct ctl_req *req, unsigned from, unsigned to);
int pipeline_live_poll(struct ctl_req *req);
void pipeline_live_stop(void);

/* underlay.c */
void pipeline_underlay_set_ip(const char *encap_ip);
/* The underlay port, the checksum offloads enabled on it, and its static
 * neighbours ("IP=MAC,...", validated). */
void pipeline_underlay_port(bool present, uint16_t port, uint64_t tx_offloads,
                            const char *neighbours);
/** The underlay port's keys: prefix-length (0: every peer on-link),
 *  gateway (an unusable one is logged and ignored), reachable-time. */
void pipeline_underlay_route(const struct port_conf *pc);
/** Next hop @p ip is at @p mac (an ARP or ND message from it). */
void pipeline_underlay_learn(const uint8_t ip[16], const uint8_t mac[6]);
/** A worker asked stale next hop @p ip to confirm itself. */
void pipeline_underlay_probed(const uint8_t ip[16]);
/** Age the next hops on @p base's clock; @return 0 or -1. */
int pipeline_underlay_start(struct event_base *base);
void pipeline_underlay_stop(void);
/** Single-NIC mode: the host exception interface's name, or NULL. */
const char *pipeline_underlay_exception(void);

/* conntrack.c: the tracker, its zones, ferryctl ct. */
struct pl_punt;
/* acl_log.c: log() lines in ferry's log, limited by the ACL's meter. */
void pipeline_acl_log(const struct pl_punt *p);
void pipeline_acl_log_counts(uint64_t *logged, uint64_t *limited);
void pipeline_acl_log_stop(void);
struct ferry_conf;
int pipeline_ct_start(struct event_base *base, const struct ferry_conf *conf);
void pipeline_ct_stop(void);

/** @p m as text, "02:00:00:00:00:01", into @p buf. */
void pipeline_mac_text(const uint8_t m[6], char buf[18]);

/** The live totals of tunnel peer @p i of the published snapshot. */
void pipeline_peer_totals(uint16_t i, struct pl_peer_stats *out);
void tunnel_ctl_register(void);
/* underlay.c: the next hops, static (configured) or learned, for ferryctl underlay. */
struct ul_neigh_info {
	uint8_t ip[16];
	uint8_t mac[6];
	const char *state; /* "reachable", "stale", "probe", "static" */
	uint64_t age_ms;   /* since last confirmed (0 for static) */
	uint64_t refreshes;
};
/** Up to @p max next hops into @p out; @p forgotten: how many were
 *  probed and did not answer. */
unsigned pipeline_underlay_neighbours(struct ul_neigh_info *out, unsigned max, uint64_t *forgotten);

/* ctl.c */
void pipeline_ctl_register(void);

#endif
