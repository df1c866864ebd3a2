/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The punt ring: what workers learn and the control thread writes to the
 * Southbound database, as ovn-controller's pinctrl does: neighbours
 * (put_arp, put_nd: MAC_Binding) and MACs (put_fdb: FDB).
 *
 * Workers enqueue struct pl_punt requests (put_arp, put_nd, put_fdb) into
 * a bounded multi-producer ring, from a preallocated pool; a full ring or
 * pool is a drop counted as punt-full on the ingress port, never a wait.
 * The control thread drains the ring every PUNT_POLL_MS, skips what the
 * replica already holds or what it wrote in the last PUNT_REPEAT_MS (the
 * rate limit: a flood of ARPs from one host is one write), and writes the
 * rest in one transaction at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <rte_errno.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "control/ovsdb/sb.h"
#include "control/ovsdb/txn.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/pipeline/interp.h"
#include "dataplane/pipeline/process.h"

#define PUNT_RING_SIZE  1024
#define PUNT_POLL_MS    20
#define PUNT_REPEAT_MS  1000
#define PUNT_BATCH      64
#define PUNT_RECENT_MAX 4096

static struct {
	struct rte_ring *ring;
	struct rte_mempool *pool;
	struct event *ev;
	struct strmap recent; /* request text -> last write time (ms) as pointer */
	bool txn_in_flight;
	uint64_t n_received, n_written, n_skipped, n_failed,
	        n_fdb; /* n_fdb: FDB rows among the written */
} pu;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Whether @p key was written less than PUNT_REPEAT_MS ago (counted as
 * skipped); otherwise remember it now. The memory is bounded: past
 * PUNT_RECENT_MAX keys it starts afresh (at worst a repeated write). */
static bool repeated(const char *key)
{
	uint64_t now = now_ms();
	uintptr_t last = (uintptr_t)strmap_get(&pu.recent, key);
	if (last && now - last < PUNT_REPEAT_MS) {
		pu.n_skipped++;
		return true;
	}
	if (pu.recent.n >= PUNT_RECENT_MAX) {
		strmap_destroy(&pu.recent);
		strmap_init(&pu.recent);
	}
	strmap_put(&pu.recent, key, (void *)(uintptr_t)now);
	return false;
}

static void txn_done(void *arg, enum ovsdb_txn_status st, const char *err, json_t *result)
{
	(void)arg;
	(void)result;
	pu.txn_in_flight = false;
	if (st != OVSDB_TXN_OK) {
		pu.n_failed++;
		PL_LOG_RL(WARNING, "MAC_Binding write failed: %s (%s)", ovsdb_txn_status_name(st),
		          err ? err : "");
	}
}

static const struct pl_lport *find_port(const struct pl_snapshot *s, uint32_t dp, uint32_t key,
                                        const struct pl_datapath **dpo)
{
	*dpo = pl_datapath_find(s, dp);
	return *dpo ? pl_lport_find(*dpo, key) : NULL;
}

static const struct ovsdb_row *dp_row(uint32_t key)
{
	struct ovsdb_table *t = ovsdb_idl_table(pl_state.idl, SB_T_DATAPATH);
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r))
		if ((uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_DATAPATH_TUNNEL_KEY), 0) == key)
			return r;
	return NULL;
}

/* Add one MAC_Binding write to @p txn; @return whether it added one. */
static bool mac_binding(struct ovsdb_txn *txn, const struct pl_punt *p)
{
	const struct pl_datapath *dp = NULL;
	const struct pl_lport *lp =
	        pl_state.cur ? find_port(&pl_state.cur->s, p->dp_key, p->port_key, &dp) : NULL;
	const struct ovsdb_row *dpr = dp_row(p->dp_key);
	char ip[INET6_ADDRSTRLEN], mac[18], key[128];
	if (lp == NULL || dpr == NULL)
		return false;
	if (p->ip6) {
		uint8_t a[16];
		for (int i = 0; i < 8; i++) {
			a[i] = (uint8_t)(p->ip.hi >> (56 - 8 * i));
			a[8 + i] = (uint8_t)(p->ip.lo >> (56 - 8 * i));
		}
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
	} else {
		uint32_t v = htonl((uint32_t)p->ip.lo);
		inet_ntop(AF_INET, &v, ip, sizeof(ip));
	}
	pipeline_mac_text(p->mac, mac);
	snprintf(key, sizeof(key), "%s|%s|%s", lp->name, ip, mac);
	if (repeated(key))
		return false;
	/* Already there with this MAC: nothing to write. */
	struct ovsdb_table *t = ovsdb_idl_table(pl_state.idl, SB_T_MAC_BINDING);
	const struct ovsdb_row *found = NULL;
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r))
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_MAC_BINDING_LOGICAL_PORT)),
		           lp->name) == 0 &&
		    strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_MAC_BINDING_IP)), ip) == 0)
			found = r;
	if (found &&
	    strcmp(ovsdb_datum_string(ovsdb_row_get(found, SB_MAC_BINDING_MAC)), mac) == 0) {
		pu.n_skipped++;
		return false;
	}
	json_t *row = found ? ovsdb_txn_update(txn, SB_T_MAC_BINDING, &found->uuid)
	                    : ovsdb_txn_insert(txn, SB_T_MAC_BINDING, NULL);
	ovsdb_txn_set(txn, row, SB_T_MAC_BINDING, SB_MAC_BINDING_MAC, json_string(mac));
	if (!found) {
		ovsdb_txn_set(txn, row, SB_T_MAC_BINDING, SB_MAC_BINDING_LOGICAL_PORT,
		              json_string(lp->name));
		ovsdb_txn_set(txn, row, SB_T_MAC_BINDING, SB_MAC_BINDING_IP, json_string(ip));
		ovsdb_txn_set(txn, row, SB_T_MAC_BINDING, SB_MAC_BINDING_DATAPATH,
		              ovsdb_uuid_to_json(&dpr->uuid));
	}
	if (ovsdb_idl_has_column(pl_state.idl, SB_T_MAC_BINDING, SB_MAC_BINDING_TIMESTAMP)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ovsdb_txn_set(txn, row, SB_T_MAC_BINDING, SB_MAC_BINDING_TIMESTAMP,
		              json_integer((json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
	}
	return true;
}

/* Add one FDB write (mac on port_key of switch dp_key) to @p txn. */
static bool fdb_write(struct ovsdb_txn *txn, const struct pl_punt *p)
{
	char mac[18], key[64];
	if (!ovsdb_idl_has_table(pl_state.idl, SB_T_FDB))
		return false;
	pipeline_mac_text(p->mac, mac);
	snprintf(key, sizeof(key), "fdb|%u|%u|%s", p->dp_key, p->port_key, mac);
	if (repeated(key))
		return false;
	struct ovsdb_table *t = ovsdb_idl_table(pl_state.idl, SB_T_FDB);
	const struct ovsdb_row *found = NULL;
	for (const struct ovsdb_row *r = ovsdb_table_first(t); r; r = ovsdb_table_next(r))
		if ((uint32_t)ovsdb_datum_int(ovsdb_row_get(r, SB_FDB_DP_KEY), 0) == p->dp_key &&
		    strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_FDB_MAC)), mac) == 0)
			found = r;
	if (found &&
	    (uint32_t)ovsdb_datum_int(ovsdb_row_get(found, SB_FDB_PORT_KEY), 0) == p->port_key) {
		pu.n_skipped++;
		return false;
	}
	json_t *row = found ? ovsdb_txn_update(txn, SB_T_FDB, &found->uuid)
	                    : ovsdb_txn_insert(txn, SB_T_FDB, NULL);
	ovsdb_txn_set(txn, row, SB_T_FDB, SB_FDB_PORT_KEY, json_integer(p->port_key));
	if (!found) {
		ovsdb_txn_set(txn, row, SB_T_FDB, SB_FDB_MAC, json_string(mac));
		ovsdb_txn_set(txn, row, SB_T_FDB, SB_FDB_DP_KEY, json_integer(p->dp_key));
	}
	return true;
}

/* bind_vport: Port_Binding of the virtual port: chassis = us,
 * virtual_parent = the parent's name, as ovn-controller writes them. */
static bool bind_vport(struct ovsdb_txn *txn, const struct pl_punt *p)
{
	const struct pl_datapath *dp = NULL;
	const struct pl_lport *v =
	        pl_state.cur ? find_port(&pl_state.cur->s, p->dp_key, p->port_key, &dp) : NULL;
	const struct pl_lport *parent = dp ? pl_lport_find(dp, p->parent_key) : NULL;
	const struct ovsdb_row *self = NULL, *pb = NULL;
	char key[160];
	if (v == NULL || parent == NULL)
		return false;
	snprintf(key, sizeof(key), "vport|%s|%s", v->name, parent->name);
	if (repeated(key))
		return false;
	struct ovsdb_table *ct = ovsdb_idl_table(pl_state.idl, SB_T_CHASSIS);
	for (const struct ovsdb_row *r = ovsdb_table_first(ct); r; r = ovsdb_table_next(r))
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_CHASSIS_NAME)),
		           pl_state.chassis) == 0)
			self = r;
	struct ovsdb_table *pt = ovsdb_idl_table(pl_state.idl, SB_T_PB);
	for (const struct ovsdb_row *r = ovsdb_table_first(pt); r; r = ovsdb_table_next(r))
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, SB_PB_LOGICAL_PORT)), v->name) == 0)
			pb = r;
	if (self == NULL || pb == NULL)
		return false;
	struct ovsdb_uuid owner;
	bool ours = ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_CHASSIS), &owner) == 0 &&
	            ovsdb_uuid_equals(&owner, &self->uuid);
	if (ours && strcmp(ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_VIRTUAL_PARENT)),
	                   parent->name) == 0) {
		pu.n_skipped++;
		return false;
	}
	json_t *row = ovsdb_txn_update(txn, SB_T_PB, &pb->uuid);
	ovsdb_txn_set(txn, row, SB_T_PB, SB_PB_CHASSIS, ovsdb_uuid_to_json(&self->uuid));
	ovsdb_txn_set(txn, row, SB_T_PB, SB_PB_VIRTUAL_PARENT, json_string(parent->name));
	PL_LOG(INFO, "virtual port %s bound behind %s", v->name, parent->name);
	return true;
}

/* A request's address as 16 bytes (IPv4 in the first 4, the rest zero). */
static void punt_ip(const struct pl_punt *p, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (p->ip6) {
		for (int i = 0; i < 8; i++) {
			ip[i] = (uint8_t)(p->ip.hi >> (56 - 8 * i));
			ip[8 + i] = (uint8_t)(p->ip.lo >> (56 - 8 * i));
		}
	} else {
		uint32_t a4 = (uint32_t)p->ip.lo;
		ip[0] = (uint8_t)(a4 >> 24), ip[1] = (uint8_t)(a4 >> 16);
		ip[2] = (uint8_t)(a4 >> 8), ip[3] = (uint8_t)a4;
	}
}

static void drain(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	void *v[PUNT_BATCH];
	unsigned n = rte_ring_dequeue_burst(pu.ring, v, PUNT_BATCH, NULL);
	if (n == 0)
		return;
	struct ovsdb_txn *txn = pu.txn_in_flight ? NULL : ovsdb_txn_create(pl_state.idl);
	unsigned ops = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct pl_punt *p = v[i];
		pu.n_received++;
		if (p->kind == PL_PUNT_LOG) {
			pipeline_acl_log(p);
		} else if (p->kind == PL_PUNT_UNDERLAY_NEIGH || p->kind == PL_PUNT_UNDERLAY_PROBE) {
			uint8_t ip[16];
			punt_ip(p, ip);
			if (p->kind == PL_PUNT_UNDERLAY_NEIGH)
				pipeline_underlay_learn(ip, p->mac);
			else
				pipeline_underlay_probed(ip);
		} else if (txn == NULL)
			pu.n_skipped++;
		else if (p->kind == PL_PUNT_BIND_VPORT ? bind_vport(txn, p)
		         : p->kind == PL_PUNT_FDB      ? fdb_write(txn, p)
		                                       : mac_binding(txn, p))
			ops++, pu.n_fdb += p->kind == PL_PUNT_FDB;
	}
	rte_mempool_put_bulk(pu.pool, v, n);
	if (txn == NULL)
		return;
	if (ops == 0) {
		ovsdb_txn_abort(txn);
		return;
	}
	ovsdb_txn_comment(txn, "ferryd: learned neighbours and MACs");
	if (ovsdb_txn_commit(txn, txn_done, NULL) == 0) {
		pu.txn_in_flight = true;
		pu.n_written += ops;
	} else {
		pu.n_failed += ops;
	}
}

uint64_t pl_punt_counter(const char *name)
{
	if (strcmp(name, "received") == 0)
		return pu.n_received;
	if (strcmp(name, "written") == 0)
		return pu.n_written;
	if (strcmp(name, "skipped") == 0)
		return pu.n_skipped;
	if (strcmp(name, "failed") == 0)
		return pu.n_failed;
	if (strcmp(name, "fdb_written") == 0)
		return pu.n_fdb;
	return 0;
}

int pl_punt_start(struct event_base *base)
{
	strmap_init(&pu.recent);
	pu.ring = rte_ring_create("ferry_punt", PUNT_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	pu.pool = rte_mempool_create("ferry_punt", 2 * PUNT_RING_SIZE - 1, sizeof(struct pl_punt),
	                             0, 0, NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (pu.ring == NULL || pu.pool == NULL) {
		PL_LOG(ERR, "cannot create the punt ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	struct timeval tv = {0, PUNT_POLL_MS * 1000};
	pu.ev = event_new(base, -1, EV_PERSIST, drain, NULL);
	if (pu.ev == NULL)
		return -ENOMEM;
	event_add(pu.ev, &tv);
	pl_set_punt(pu.ring, pu.pool);
	return 0;
}

void pl_punt_stop(void)
{
	pl_set_punt(NULL, NULL);
	if (pu.ev)
		event_free(pu.ev);
	pu.ev = NULL;
	/* Workers may still hold a request in flight: the ring and pool are
	 * freed with the EAL, not here. */
	strmap_destroy(&pu.recent);
}
