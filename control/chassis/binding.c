/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port_Binding claims.
 *
 * A local VIF port names a logical port by its iface-id. Rules, per
 * Port_Binding row:
 *   - ours (chassis = us) and still local: keep it; up = port started;
 *   - ours but no longer local: release (chassis = [], up = false);
 *   - free and local: claim (chassis = us, up = port started), unless
 *     requested-chassis names another chassis;
 *   - held by another chassis and local: leave it, unless requested-chassis
 *     names us. Two chassis with the same iface-id therefore settle on
 *     whoever claimed first instead of taking the port from each other in
 *     turn; the conflict is logged and counted. A chassis that disappears
 *     clears the (weak) reference, which makes the port free again.
 * A container port (a VIF Port_Binding with a parent_port, its traffic
 * carried on the parent's interface under a VLAN tag) has no interface of
 * its own: it follows its parent. It is claimed when the parent is ours or
 * being claimed in the same transaction, with up = the parent's link, and
 * released when the parent is not, as ovn-controller does; its own
 * requested-chassis and another chassis's hold on it count as above.
 * Parents are decided first so that a fresh chassis claims both at once.
 * Every write verifies the chassis column it read, so a claim racing with
 * another chassis's claim fails as a conflict and is decided again on the
 * fresh replica.
 */
#include <string.h>

#include "control/chassis/chassis_priv.h"

static struct lport *lport_find(struct chassis *c, const char *iface_id)
{
	struct lport *p;

	for (p = c->ports; p; p = p->next)
		if (p->iface_id && strcmp(p->iface_id, iface_id) == 0)
			return p;
	return NULL;
}

/* requested-chassis: the column (newer OVN) or options:requested-chassis. */
static bool requested_elsewhere(struct chassis *c, const struct ovsdb_row *pb, bool *for_us)
{
	const char *req = ovsdb_map_get(ovsdb_row_get(pb, SB_PB_OPTIONS), "requested-chassis");
	struct ovsdb_uuid u;

	*for_us = false;
	if (ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_REQUESTED_CHASSIS), &u) == 0) {
		*for_us = c->have_self && ovsdb_uuid_equals(&u, &c->self);
		return !*for_us;
	}
	if (req == NULL || req[0] == '\0')
		return false;
	/* A list "a,b" is a migration: the first is the main chassis. */
	*for_us = strncmp(req, c->name, strlen(c->name)) == 0 ||
	          strncmp(req, c->hostname, strlen(c->hostname)) == 0;
	return !*for_us;
}

static bool is_virtual(const struct ovsdb_row *pb)
{
	return strcmp(ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_TYPE)), "virtual") == 0;
}

static bool is_vif(const struct ovsdb_row *pb)
{
	const char *type = ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_TYPE));

	return type[0] == '\0' || strcmp(type, "virtual") == 0;
}

static bool is_container(const struct ovsdb_row *pb)
{
	return ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_TYPE))[0] == '\0' &&
	       ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_PARENT_PORT))[0] != '\0';
}

static void set_binding(struct chassis *c, struct ovsdb_txn *txn, const struct ovsdb_row *pb,
                        bool claim, bool up)
{
	json_t *row = ovsdb_txn_update(txn, SB_T_PB, &pb->uuid);
	json_t *owner = !claim         ? ovsdb_set_empty()
	                : c->have_self ? ovsdb_uuid_to_json(&c->self)
	                               : ovsdb_named_uuid("self");

	ovsdb_txn_verify(txn, pb, SB_PB_CHASSIS);
	ovsdb_txn_set(txn, row, SB_T_PB, SB_PB_CHASSIS, owner);
	ovsdb_txn_set(txn, row, SB_T_PB, SB_PB_UP, json_pack("[s[b]]", "set", up));
}

static const char *chassis_name_of(struct chassis *c, const struct ovsdb_uuid *u)
{
	const struct ovsdb_row *r = ovsdb_table_get(ovsdb_idl_table(c->idl, SB_T_CHASSIS), u);

	return r ? ovsdb_datum_string(ovsdb_row_get(r, SB_CHASSIS_NAME)) : "?";
}

/* A container port: runs after the VIFs, which decide their hosts flag. */
static unsigned container_reconcile(struct chassis *c, struct ovsdb_txn *txn,
                                    const struct ovsdb_row *pb)
{
	const char *name = ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_LOGICAL_PORT));
	const char *parent_name = ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_PARENT_PORT));
	struct lport *parent = lport_find(c, parent_name), *p = lport_find(c, name);
	bool has_owner, ours, up = ovsdb_datum_bool(ovsdb_row_get(pb, SB_PB_UP), false);
	bool hosted = parent && parent->hosts, for_us, elsewhere;
	struct ovsdb_uuid owner;

	if (p)
		p->state = "a container port: bound through its parent";
	has_owner = ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_CHASSIS), &owner) == 0;
	ours = has_owner && ovsdb_uuid_equals(&owner, &c->self);
	elsewhere = requested_elsewhere(c, pb, &for_us);
	if (ours && (!hosted || elsewhere)) {
		set_binding(c, txn, pb, false, false);
		c->n_releases++;
		CH_LOG(INFO, "releasing container port %s: parent %s not bound here", name,
		       parent_name);
		return 1;
	}
	if (ours) {
		if (up == parent->link_up)
			return 0;
		set_binding(c, txn, pb, true, parent->link_up);
		c->n_up_changes++;
		return 1;
	}
	if (!hosted || elsewhere)
		return 0;
	if (has_owner && !for_us) {
		CH_LOG_RL(WARNING, "container port %s is bound to chassis %s; leaving it there",
		          name, chassis_name_of(c, &owner));
		return 0;
	}
	set_binding(c, txn, pb, true, parent->link_up);
	CH_LOG(INFO, "claiming container port %s (parent %s, port %s)", name, parent_name,
	       parent->name);
	c->n_claims++;
	return 1;
}

/*
 * Runs after record_reconcile(): when that registers the chassis, claims go
 * in the same transaction (naming the new row), so a fresh chassis gets its
 * ports with one round trip instead of two.
 */
unsigned binding_reconcile(struct chassis *c, struct ovsdb_txn *txn)
{
	const struct ovsdb_row *pb;
	struct lport *p;
	unsigned n = 0;

	if (!c->have_self && !c->self_inserting)
		return 0;
	for (p = c->ports; p; p = p->next) {
		p->was_bound = p->bound;
		p->bound = false;
		p->state = "waiting for its Port_Binding";
		p->other[0] = '\0';
		p->hosts = false;
	}
	for (pb = ovsdb_table_first(ovsdb_idl_table(c->idl, SB_T_PB)); pb;
	     pb = ovsdb_table_next(pb)) {
		const char *name = ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_LOGICAL_PORT));
		bool has_owner, ours, up = ovsdb_datum_bool(ovsdb_row_get(pb, SB_PB_UP), false);
		bool for_us, elsewhere;
		struct ovsdb_uuid owner;

		if (is_container(pb))
			continue;
		has_owner = ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_CHASSIS), &owner) == 0;
		ours = has_owner && ovsdb_uuid_equals(&owner, &c->self);
		p = lport_find(c, name);
		if (p == NULL && is_virtual(pb)) {
			/* A virtual port has no interface of its own: the fast
			 * path binds it behind the parent that claims its address
			 * (bind_vport); it is released here when that parent is
			 * no longer a local port. */
			const char *vp =
			        ovsdb_datum_string(ovsdb_row_get(pb, SB_PB_VIRTUAL_PARENT));
			if (ours && (vp[0] == '\0' || lport_find(c, vp) == NULL)) {
				set_binding(c, txn, pb, false, false);
				c->n_releases++;
				n++;
				CH_LOG(INFO, "releasing virtual port %s: parent %s not local", name,
				       vp[0] ? vp : "(none)");
			}
			continue;
		}
		if (p == NULL || !is_vif(pb)) {
			if (ours && (p != NULL || is_vif(pb))) {
				set_binding(c, txn, pb, false, false);
				c->n_releases++;
				n++;
				CH_LOG(INFO, "releasing %s: no local port", name);
			}
			if (p)
				p->state = "not a VIF logical port";
			continue;
		}
		elsewhere = requested_elsewhere(c, pb, &for_us);
		if (ours) {
			p->bound = true;
			p->state = "bound";
			if (elsewhere) {
				/* requested-chassis moved it away: hand it over. */
				set_binding(c, txn, pb, false, false);
				c->n_releases++;
				n++;
				p->state = "released: requested on another chassis";
				continue;
			}
			p->hosts = true;
			if (up != p->link_up) {
				set_binding(c, txn, pb, true, p->link_up);
				c->n_up_changes++;
				n++;
			}
			continue;
		}
		if (elsewhere) {
			p->state = "requested on another chassis";
			continue;
		}
		if (has_owner && !for_us) {
			snprintf(p->other, sizeof(p->other), "%s", chassis_name_of(c, &owner));
			p->state = "bound to another chassis";
			if (p->was_bound) {
				c->n_bind_conflicts++;
				CH_LOG_RL(WARNING,
				          "logical port %s taken by chassis %s; not taking it back",
				          name, p->other);
			} else {
				CH_LOG_RL(
				        WARNING,
				        "logical port %s is bound to chassis %s; leaving it there",
				        name, p->other);
			}
			continue;
		}
		set_binding(c, txn, pb, true, p->link_up);
		CH_LOG(INFO, "claiming logical port %s for port %s", name, p->name);
		c->n_claims++;
		p->state = "claiming";
		p->hosts = true;
		n++;
	}
	for (pb = ovsdb_table_first(ovsdb_idl_table(c->idl, SB_T_PB)); pb;
	     pb = ovsdb_table_next(pb))
		if (is_container(pb))
			n += container_reconcile(c, txn, pb);
	return n;
}

void binding_release_all(struct chassis *c, struct ovsdb_txn *txn)
{
	const struct ovsdb_row *pb;
	struct ovsdb_uuid owner;

	if (!c->have_self)
		return;
	for (pb = ovsdb_table_first(ovsdb_idl_table(c->idl, SB_T_PB)); pb;
	     pb = ovsdb_table_next(pb))
		if (ovsdb_datum_uuid(ovsdb_row_get(pb, SB_PB_CHASSIS), &owner) == 0 &&
		    ovsdb_uuid_equals(&owner, &c->self))
			set_binding(c, txn, pb, false, false);
}
