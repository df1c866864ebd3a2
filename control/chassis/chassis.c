/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's lifecycle and its one decision loop.
 *
 * reconcile() compares what the chassis wants (configuration, local ports)
 * with the replica and commits the difference as one transaction. It runs
 * deferred (coalescing bursts of events) after a replica change, a port
 * event, or a retry timer. One transaction is in flight at a time. After a
 * commit the replica has not yet seen its own change, so the loop waits for
 * the next update (or SETTLE_MS) before deciding again; after a conflict or
 * an error it waits retry_ms, doubling from RETRY_MIN_MS to RETRY_MAX_MS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <rte_common.h>

#include "control/chassis/chassis.h"
#include "control/chassis/chassis_priv.h"
#include "control/conf/conf.h"
#include "control/port/port.h"

#define SETTLE_MS    500
#define RETRY_MIN_MS 50
#define RETRY_MAX_MS 2000
#define CLEANUP_MS   5000

int chassis_logtype = RTE_LOGTYPE_USER2;

RTE_INIT(chassis_log_init)
{
	int t = rte_log_register_type_and_pick_level("ferry.chassis", RTE_LOG_INFO);

	if (t >= 0)
		chassis_logtype = t;
}

static struct chassis *the_chassis;

struct chassis *chassis_get(void)
{
	return the_chassis;
}

struct ovsdb_idl *chassis_idl(void)
{
	return the_chassis ? the_chassis->idl : NULL;
}

void chassis_kick(struct chassis *c)
{
	if (c && !c->stopping)
		event_active(c->run_ev, 0, 0);
}

static void arm_retry(struct chassis *c, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	evtimer_add(c->retry_ev, &tv);
}

static void txn_done(void *arg, enum ovsdb_txn_status st, const char *err, json_t *result)
{
	struct chassis *c = arg;

	(void)result;
	c->txn_in_flight = false;
	switch (st) {
	case OVSDB_TXN_OK:
		c->n_txn_ok++;
		c->retry_ms = 0;
		/*
		 * A standalone server sends the update for our change before the
		 * reply; a cluster member may send it after. In the second case
		 * wait for it rather than decide on a replica that lacks it.
		 */
		if (ovsdb_idl_stats(c->idl)->n_updates == c->updates_at_commit) {
			c->awaiting_update = true;
			arm_retry(c, SETTLE_MS);
		} else {
			chassis_kick(c);
		}
		break;
	case OVSDB_TXN_CONFLICT:
	case OVSDB_TXN_ERROR:
		if (st == OVSDB_TXN_CONFLICT)
			c->n_txn_conflicts++;
		else
			c->n_txn_errors++;
		snprintf(c->last_error, sizeof(c->last_error), "%s", err);
		if (st == OVSDB_TXN_CONFLICT)
			CH_LOG_RL(INFO, "transaction conflict: %s; retrying", err);
		else
			CH_LOG_RL(WARNING, "transaction error: %s; retrying", err);
		c->retry_ms = c->retry_ms ? c->retry_ms * 2 : RETRY_MIN_MS;
		if (c->retry_ms > RETRY_MAX_MS)
			c->retry_ms = RETRY_MAX_MS;
		arm_retry(c, c->retry_ms);
		break;
	case OVSDB_TXN_DISCONNECTED:
		/* The next sync says what happened; it will kick us. */
		break;
	}
	if (c->stopping)
		c->cleanup_done = st == OVSDB_TXN_OK;
}

static bool bindings_settled(const struct chassis *c)
{
	const struct lport *p;

	for (p = c->ports; p; p = p->next)
		if (p->iface_id && strcmp(p->state, "claiming") == 0)
			return false;
	return true;
}

static void reconcile(struct chassis *c)
{
	struct ovsdb_txn *txn;
	unsigned n;

	if (c->stopping || c->txn_in_flight || c->awaiting_update ||
	    evtimer_pending(c->retry_ev, NULL) || !ovsdb_idl_is_synced(c->idl))
		return;
	txn = ovsdb_txn_create(c->idl);
	if (txn == NULL)
		return;
	n = record_reconcile(c, txn);
	n += binding_reconcile(c, txn);
	cond_update(c);
	if (n == 0) {
		ovsdb_txn_abort(txn);
		if (!c->ready_ms && c->have_self && bindings_settled(c) &&
		    ovsdb_idl_is_synced(c->idl)) {
			c->ready_ms = ferry_now_ms();
			CH_LOG(NOTICE, "chassis %s ready in %llu ms", c->name,
			       (unsigned long long)(c->ready_ms - c->started_ms));
		}
		return;
	}
	c->n_txns++;
	c->updates_at_commit = ovsdb_idl_stats(c->idl)->n_updates;
	if (ovsdb_txn_commit(txn, txn_done, c) == 0)
		c->txn_in_flight = true;
}

static void run_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	reconcile(arg);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct chassis *c = arg;

	(void)fd;
	(void)what;
	c->awaiting_update = false;
	reconcile(c);
}

static void idl_changed(struct ovsdb_idl *idl, void *arg)
{
	struct chassis *c = arg;
	const struct ovsdb_row *ch;

	if (c->awaiting_update) {
		c->awaiting_update = false;
		event_del(c->retry_ev);
	}
	/* Conditions follow the replica even while a transaction is pending. */
	ch = ovsdb_idl_is_synced(idl) || ovsdb_idl_stats(idl)->state == OVSDB_IDL_SYNCED
	             ? record_find_chassis(c)
	             : NULL;
	if (ch) {
		c->self = ch->uuid;
		c->have_self = true;
	}
	if (ovsdb_idl_stats(idl)->state == OVSDB_IDL_SYNCED)
		cond_update(c);
	/*
	 * Until ready, decide now rather than after the other subscribers (the
	 * flow compiler takes a while on a full replica): the registration is
	 * then on the wire while they work.
	 */
	if (!c->ready_ms)
		reconcile(c);
	chassis_kick(c);
}

static void lport_free(struct lport *p)
{
	free(p->name);
	free(p->iface_id);
	free(p);
}

static void port_event(enum port_event ev, const struct port_info *info, void *arg)
{
	struct chassis *c = arg;
	struct lport **pp, *p;

	(void)arg;
	c = the_chassis;
	if (c == NULL || c->stopping || info->role != PORT_ROLE_VIF || info->iface_id == NULL)
		return;
	for (pp = &c->ports; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->name, info->name) == 0)
			break;
	p = *pp;
	switch (ev) {
	case PORT_EV_ADDED:
		if (p == NULL) {
			p = calloc(1, sizeof(*p));
			if (p == NULL)
				return;
			p->name = strdup(info->name);
			p->iface_id = strdup(info->iface_id);
			p->state = "waiting for the Southbound database";
			if (p->name == NULL || p->iface_id == NULL) {
				lport_free(p);
				return;
			}
			p->next = c->ports;
			c->ports = p;
		}
		p->link_up = info->link_up;
		break;
	case PORT_EV_LINK:
		if (p)
			p->link_up = info->link_up;
		break;
	case PORT_EV_REMOVED:
		if (p) {
			*pp = p->next;
			lport_free(p);
		}
		break;
	}
	cond_update(c);
	chassis_kick(c);
}

static int split_encap_types(struct chassis *c, const char *types)
{
	static const char *const known[] = {"geneve", "vxlan"};
	const char *s = types && types[0] ? types : "geneve";
	unsigned i;

	c->n_encaps = 0;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *hit = strstr(s, known[i]);
		size_t len = strlen(known[i]);

		if (hit && (hit == s || hit[-1] == ',') && (hit[len] == '\0' || hit[len] == ','))
			c->encap_types[c->n_encaps++] = known[i];
	}
	if (c->n_encaps == 0) {
		CH_LOG(ERR, "ovn-encap-type '%s': ferry supports geneve and vxlan", s);
		return -EINVAL;
	}
	return 0;
}

int chassis_start(struct event_base *base, const struct ferry_conf *conf)
{
	struct ovsdb_session_cfg scfg = {
	        .remotes = conf->ovn_remote,
	        .probe_ms = conf->ovn_remote_probe_interval,
	        .ssl_private_key = conf->ssl_private_key,
	        .ssl_certificate = conf->ssl_certificate,
	        .ssl_ca_cert = conf->ssl_ca_cert,
	};
	struct chassis *c;
	char host[256], err[256];
	int rc;

	if (the_chassis)
		return -EALREADY;
	if (!conf->system_id || !conf->system_id[0] || !conf->ovn_encap_ip ||
	    !conf->ovn_encap_ip[0]) {
		CH_LOG(ERR, "ovn-remote is set: system-id and ovn-encap-ip are required too");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->base = base;
	c->started_ms = ferry_now_ms();
	if (conf->hostname && conf->hostname[0]) {
		c->hostname = strdup(conf->hostname);
	} else {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "%s", conf->system_id);
		host[sizeof(host) - 1] = '\0';
		c->hostname = strdup(host);
	}
	c->name = strdup(conf->system_id);
	c->encap_ip = strdup(conf->ovn_encap_ip);
	c->encap_csum = conf->ovn_encap_csum;
	c->bridge_mappings = conf->ovn_bridge_mappings;
	c->monitor_all = conf->ovn_monitor_all;
	c->nb_cfg_acked = -1;
	rc = split_encap_types(c, conf->ovn_encap_type);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	c->run_ev = event_new(base, -1, 0, run_cb, c);
	c->retry_ev = evtimer_new(base, retry_cb, c);
	if (!c->hostname || !c->name || !c->encap_ip || !c->run_ev || !c->retry_ev)
		goto fail;
	rc = ovsdb_idl_create(base, &sb_db_spec, &scfg, &c->idl, err, sizeof(err));
	if (rc < 0) {
		CH_LOG(ERR, "%s", err);
		goto fail;
	}
	ovsdb_idl_subscribe(c->idl, idl_changed, c);
	the_chassis = c;
	rc = port_subscribe(port_event, c);
	if (rc < 0) {
		CH_LOG(ERR, "cannot follow port events: %s", strerror(-rc));
		the_chassis = NULL;
		goto fail;
	}
	cond_update(c);
	chassis_ctl_register();
	CH_LOG(INFO, "chassis %s (%s): connecting to %s", c->name, c->hostname, conf->ovn_remote);
	return 0;
fail:
	ovsdb_idl_destroy(c->idl);
	if (c->run_ev)
		event_free(c->run_ev);
	if (c->retry_ev)
		event_free(c->retry_ev);
	free(c->hostname);
	free(c->name);
	free(c->encap_ip);
	free(c);
	return rc;
}

/* Release bindings, delete our rows; run the loop until done or CLEANUP_MS. */
static void cleanup(struct chassis *c)
{
	uint64_t deadline = ferry_now_ms() + CLEANUP_MS;
	struct ovsdb_txn *txn;

	while (ferry_now_ms() < deadline && !c->cleanup_done) {
		if (!c->txn_in_flight && ovsdb_idl_is_synced(c->idl)) {
			txn = ovsdb_txn_create(c->idl);
			if (txn == NULL)
				break;
			if (!c->have_self && record_find_chassis(c)) {
				c->self = record_find_chassis(c)->uuid;
				c->have_self = true;
			}
			binding_release_all(c, txn);
			record_cleanup(c, txn);
			if (ovsdb_txn_commit(txn, txn_done, c) == 0)
				c->txn_in_flight = true;
		}
		event_base_loop(c->base, EVLOOP_ONCE);
	}
	if (c->cleanup_done)
		CH_LOG(NOTICE, "chassis %s removed from the Southbound database", c->name);
	else
		CH_LOG(WARNING, "chassis %s: cleanup did not complete in %u ms", c->name,
		       CLEANUP_MS);
}

void chassis_stop(bool do_cleanup)
{
	struct chassis *c = the_chassis;

	if (c == NULL)
		return;
	c->stopping = true;
	event_del(c->run_ev);
	event_del(c->retry_ev);
	if (do_cleanup || c->cleanup_requested)
		cleanup(c);
	/* Destroying the IDL completes a pending transaction as DISCONNECTED. */
	ovsdb_idl_destroy(c->idl);
	c->idl = NULL;
	the_chassis = NULL;
	while (c->ports) {
		struct lport *p = c->ports;

		c->ports = p->next;
		lport_free(p);
	}
	event_free(c->run_ev);
	event_free(c->retry_ev);
	free(c->hostname);
	free(c->name);
	free(c->encap_ip);
	free(c);
}
