/* SPDX-License-Identifier: Apache-2.0 */
/*
 * This chassis's own rows: Chassis (with its Encap rows) and
 * Chassis_Private. The desired content is recomputed from the
 * configuration each time and compared with the replica; only differences
 * are written, each guarded by a verify of the value it replaces.
 */
#include <string.h>

#include "control/chassis/chassis_priv.h"

static const struct ovsdb_type smap_type = {OVSDB_T_STRING, OVSDB_T_STRING, 0, UINT32_MAX};

/*
 * other_config keys ferry publishes, as ovn-controller does. The feature
 * flags tell ovn-northd which logical flow forms this chassis understands;
 * northd uses a feature only when every chassis has it, so a chassis that
 * claims fewer would downgrade the whole cluster's flows.
 */
static const char *const oc_static[][2] = {
        {"datapath-type", "netdev"},
        {"iface-types", "afxdp,dpdk,dpdkvhostuser,dpdkvhostuserclient,geneve,tap,vxlan"},
        {"is-interconn", "false"},
        {"ovn-chassis-mac-mappings", ""},
        {"ovn-cms-options", ""},
        {"port-up-notif", "true"},
        {"ct-no-masked-label", "true"},
        {"mac-binding-timestamp", "true"},
        {"ovn-ct-lb-related", "true"},
        {"fdb-timestamp", "true"},
        {"ls-dpg-column", "true"},
};

static bool our_key(const char *k)
{
	size_t i;

	if (strcmp(k, "ovn-bridge-mappings") == 0 || strcmp(k, "ovn-monitor-all") == 0)
		return true;
	for (i = 0; i < sizeof(oc_static) / sizeof(oc_static[0]); i++)
		if (strcmp(k, oc_static[i][0]) == 0)
			return true;
	return false;
}

/* Keys others set are kept; ours are overwritten. */
static json_t *desired_other_config(const struct chassis *c, const json_t *cur)
{
	json_t *pairs = json_array();
	size_t i, n = ovsdb_datum_n(cur);

	for (i = 0; i < n; i++) {
		const json_t *p = ovsdb_datum_at(cur, i);

		if (json_is_string(json_array_get(p, 0)) &&
		    !our_key(json_string_value(json_array_get(p, 0))))
			json_array_append(pairs, (json_t *)p);
	}
	for (i = 0; i < sizeof(oc_static) / sizeof(oc_static[0]); i++)
		json_array_append_new(pairs, json_pack("[ss]", oc_static[i][0], oc_static[i][1]));
	json_array_append_new(pairs, json_pack("[ss]", "ovn-bridge-mappings",
	                                       c->bridge_mappings ? c->bridge_mappings : ""));
	json_array_append_new(
	        pairs, json_pack("[ss]", "ovn-monitor-all", c->monitor_all ? "true" : "false"));
	return json_pack("[so]", "map", pairs);
}

static json_t *encap_options(const struct chassis *c)
{
	const char *k[] = {"csum"}, *v[] = {c->encap_csum ? "true" : "false"};

	return ovsdb_map_strings(k, v, 1);
}

const struct ovsdb_row *sb_find_by_string(struct ovsdb_idl *idl, unsigned t, unsigned col,
                                          const char *value)
{
	const struct ovsdb_row *r;

	for (r = ovsdb_table_first(ovsdb_idl_table(idl, t)); r; r = ovsdb_table_next(r))
		if (strcmp(ovsdb_datum_string(ovsdb_row_get(r, col)), value) == 0)
			return r;
	return NULL;
}

const struct ovsdb_row *record_find_chassis(struct chassis *c)
{
	return sb_find_by_string(c->idl, SB_T_CHASSIS, SB_CHASSIS_NAME, c->name);
}

const struct ovsdb_row *record_find_private(struct chassis *c)
{
	if (!ovsdb_idl_has_table(c->idl, SB_T_CHASSIS_PRIVATE))
		return NULL;
	return sb_find_by_string(c->idl, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_NAME, c->name);
}

/* Do the chassis's Encap rows match the configuration exactly? */
static bool encaps_match(struct chassis *c, const struct ovsdb_row *ch)
{
	const json_t *encaps = ovsdb_row_get(ch, SB_CHASSIS_ENCAPS);
	json_t *opts = encap_options(c);
	unsigned i, matched = 0;
	size_t k, n = ovsdb_datum_n(encaps);
	bool ok = n == c->n_encaps;

	for (k = 0; ok && k < n; k++) {
		struct ovsdb_uuid u;
		const struct ovsdb_row *e;

		if (ovsdb_uuid_from_json(&u, ovsdb_datum_at(encaps, k)) < 0 ||
		    !(e = ovsdb_table_get(ovsdb_idl_table(c->idl, SB_T_ENCAP), &u))) {
			ok = false;
			break;
		}
		for (i = 0; i < c->n_encaps; i++) {
			if (strcmp(ovsdb_datum_string(ovsdb_row_get(e, SB_ENCAP_TYPE)),
			           c->encap_types[i]) == 0 &&
			    strcmp(ovsdb_datum_string(ovsdb_row_get(e, SB_ENCAP_IP)),
			           c->encap_ip) == 0 &&
			    strcmp(ovsdb_datum_string(ovsdb_row_get(e, SB_ENCAP_CHASSIS_NAME)),
			           c->name) == 0 &&
			    ovsdb_datum_equals(ovsdb_row_get(e, SB_ENCAP_OPTIONS), opts,
			                       &smap_type)) {
				matched++;
				break;
			}
		}
	}
	json_decref(opts);
	return ok && matched == c->n_encaps;
}

/* Insert fresh Encap rows; @return the set of references for Chassis.encaps. */
static json_t *insert_encaps(struct chassis *c, struct ovsdb_txn *txn)
{
	json_t *refs = json_array();
	unsigned i;

	for (i = 0; i < c->n_encaps; i++) {
		char name[16];
		json_t *row;

		snprintf(name, sizeof(name), "encap%u", i);
		row = ovsdb_txn_insert(txn, SB_T_ENCAP, name);
		ovsdb_txn_set(txn, row, SB_T_ENCAP, SB_ENCAP_TYPE, json_string(c->encap_types[i]));
		ovsdb_txn_set(txn, row, SB_T_ENCAP, SB_ENCAP_IP, json_string(c->encap_ip));
		ovsdb_txn_set(txn, row, SB_T_ENCAP, SB_ENCAP_CHASSIS_NAME, json_string(c->name));
		ovsdb_txn_set(txn, row, SB_T_ENCAP, SB_ENCAP_OPTIONS, encap_options(c));
		json_array_append_new(refs, ovsdb_named_uuid(name));
	}
	return json_pack("[so]", "set", refs);
}

/* Delete the Encap rows @p ch references (they are replaced in the same transaction). */
static void delete_encaps(struct chassis *c, struct ovsdb_txn *txn, const struct ovsdb_row *ch)
{
	const json_t *encaps = ovsdb_row_get(ch, SB_CHASSIS_ENCAPS);
	size_t k;

	for (k = 0; k < ovsdb_datum_n(encaps); k++) {
		struct ovsdb_uuid u;

		if (ovsdb_uuid_from_json(&u, ovsdb_datum_at(encaps, k)) == 0 &&
		    ovsdb_table_get(ovsdb_idl_table(c->idl, SB_T_ENCAP), &u))
			ovsdb_txn_delete(txn, SB_T_ENCAP, &u);
	}
}

/* Chassis_Private: our name, a reference to our Chassis (@p self, or the
 * row named "self" inserted in this transaction), and the nb_cfg ack. */
static unsigned reconcile_private(struct chassis *c, struct ovsdb_txn *txn,
                                  const struct ovsdb_uuid *self)
{
	const struct ovsdb_row *p = record_find_private(c);
	const struct ovsdb_row *g = ovsdb_table_first(ovsdb_idl_table(c->idl, SB_T_GLOBAL));
	int64_t nb_cfg = g ? ovsdb_datum_int(ovsdb_row_get(g, SB_GLOBAL_NB_CFG), 0) : 0;
	json_t *ref = self ? ovsdb_uuid_to_json(self) : ovsdb_named_uuid("self");
	struct ovsdb_uuid cur;
	unsigned n = 0;
	json_t *row = NULL;

	if (!ovsdb_idl_has_table(c->idl, SB_T_CHASSIS_PRIVATE)) {
		json_decref(ref);
		return 0;
	}
	if (p == NULL) {
		ovsdb_txn_wait_absent(txn, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_NAME,
		                      json_string(c->name));
		row = ovsdb_txn_insert(txn, SB_T_CHASSIS_PRIVATE, NULL);
		ovsdb_txn_set(txn, row, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_NAME,
		              json_string(c->name));
		ovsdb_txn_set(txn, row, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_CHASSIS, ref);
		n++;
	} else {
		if (self == NULL ||
		    ovsdb_datum_uuid(ovsdb_row_get(p, SB_CHASSIS_PRIVATE_CHASSIS), &cur) < 0 ||
		    !ovsdb_uuid_equals(&cur, self)) {
			row = ovsdb_txn_update(txn, SB_T_CHASSIS_PRIVATE, &p->uuid);
			ovsdb_txn_set(txn, row, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_CHASSIS,
			              ref);
			n++;
		} else {
			json_decref(ref);
		}
		if (ovsdb_datum_int(ovsdb_row_get(p, SB_CHASSIS_PRIVATE_NB_CFG), 0) == nb_cfg) {
			c->nb_cfg_acked = nb_cfg;
			return n;
		}
		if (row == NULL)
			row = ovsdb_txn_update(txn, SB_T_CHASSIS_PRIVATE, &p->uuid);
		n++;
	}
	ovsdb_txn_set(txn, row, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_NB_CFG,
	              json_integer(nb_cfg));
	ovsdb_txn_set(txn, row, SB_T_CHASSIS_PRIVATE, SB_CHASSIS_PRIVATE_NB_CFG_TIMESTAMP,
	              json_integer((json_int_t)ferry_wall_ms()));
	c->nb_cfg_acked = nb_cfg;
	return n;
}

unsigned record_reconcile(struct chassis *c, struct ovsdb_txn *txn)
{
	const struct ovsdb_row *ch = record_find_chassis(c);
	json_t *row, *oc;
	unsigned n = 0;

	c->self_inserting = ch == NULL;
	if (ch == NULL) {
		c->have_self = false;
		ovsdb_txn_wait_absent(txn, SB_T_CHASSIS, SB_CHASSIS_NAME, json_string(c->name));
		row = ovsdb_txn_insert(txn, SB_T_CHASSIS, "self");
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_NAME, json_string(c->name));
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_HOSTNAME,
		              json_string(c->hostname));
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_ENCAPS, insert_encaps(c, txn));
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_OTHER_CONFIG,
		              desired_other_config(c, NULL));
		ovsdb_txn_comment(txn, "ferry: registering chassis");
		return 1 + reconcile_private(c, txn, NULL);
	}
	c->self = ch->uuid;
	c->have_self = true;
	row = NULL;
	if (strcmp(ovsdb_datum_string(ovsdb_row_get(ch, SB_CHASSIS_HOSTNAME)), c->hostname) != 0) {
		row = ovsdb_txn_update(txn, SB_T_CHASSIS, &ch->uuid);
		ovsdb_txn_verify(txn, ch, SB_CHASSIS_HOSTNAME);
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_HOSTNAME,
		              json_string(c->hostname));
		n++;
	}
	oc = desired_other_config(c, ovsdb_row_get(ch, SB_CHASSIS_OTHER_CONFIG));
	if (!ovsdb_datum_equals(ovsdb_row_get(ch, SB_CHASSIS_OTHER_CONFIG), oc, &smap_type)) {
		if (row == NULL)
			row = ovsdb_txn_update(txn, SB_T_CHASSIS, &ch->uuid);
		ovsdb_txn_verify(txn, ch, SB_CHASSIS_OTHER_CONFIG);
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_OTHER_CONFIG, oc);
		n++;
	} else {
		json_decref(oc);
	}
	if (!encaps_match(c, ch)) {
		if (row == NULL)
			row = ovsdb_txn_update(txn, SB_T_CHASSIS, &ch->uuid);
		ovsdb_txn_verify(txn, ch, SB_CHASSIS_ENCAPS);
		delete_encaps(c, txn, ch);
		ovsdb_txn_set(txn, row, SB_T_CHASSIS, SB_CHASSIS_ENCAPS, insert_encaps(c, txn));
		n++;
	}
	return n + reconcile_private(c, txn, &ch->uuid);
}

void record_cleanup(struct chassis *c, struct ovsdb_txn *txn)
{
	const struct ovsdb_row *ch = record_find_chassis(c), *p = record_find_private(c);

	if (p)
		ovsdb_txn_delete(txn, SB_T_CHASSIS_PRIVATE, &p->uuid);
	if (ch) {
		delete_encaps(c, txn, ch);
		ovsdb_txn_delete(txn, SB_T_CHASSIS, &ch->uuid);
	}
	ovsdb_txn_comment(txn, "ferry: chassis leaving (cleanup)");
}
