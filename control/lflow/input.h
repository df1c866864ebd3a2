/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the logical flow compiler reads: plain structs that the Southbound
 * agent (control/ovsdb/) fills from the database, and that the check tool
 * and the tests fill from a JSON dump or by hand. Strings are borrowed: the
 * compiler copies what it keeps.
 *
 * Rows refer to each other the way the database does: a port's or a
 * multicast group's datapath by the Datapath_Binding UUID, a port's chassis
 * by Chassis name (the agent follows the reference), a port group's members
 * by logical port name. Southbound port groups are per datapath
 * ("<datapath tunnel key>_<name>"); the compiler tries that name first and
 * then the plain one.
 */
#ifndef FERRY_LFLOW_INPUT_H
#define FERRY_LFLOW_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct lflow_in_datapath {
	const char *uuid;
	const char *name; /* external_ids:name, may be NULL */
	uint32_t tunnel_key;
};

struct lflow_in_port {
	const char *name;     /* logical_port */
	const char *datapath; /* Datapath_Binding UUID */
	const char *chassis;  /* Chassis name it is bound to, or NULL */
	uint32_t tunnel_key;
};

struct lflow_in_mcgroup {
	const char *name;
	const char *datapath; /* Datapath_Binding UUID */
	uint32_t tunnel_key;
};

struct lflow_in_addrset {
	const char *name;
	const char *const *addrs; /* "10.0.0.1", "10.0.0.0/24", "aef0::1", MACs */
	size_t n_addrs;
};

struct lflow_in_portgroup {
	const char *name;
	const char *const *ports; /* logical port names */
	size_t n_ports;
};

struct lflow_in_flow {
	const char *uuid;
	const char *const *datapaths; /* logical_datapath, or the dp group's */
	size_t n_datapaths;
	int pipeline; /* 0 ingress, 1 egress */
	unsigned table;
	int priority;
	const char *match, *actions;
};

struct lflow_input {
	const struct lflow_in_datapath *datapaths;
	size_t n_datapaths;
	const struct lflow_in_port *ports;
	size_t n_ports;
	const struct lflow_in_mcgroup *mcgroups;
	size_t n_mcgroups;
	const struct lflow_in_addrset *addrsets;
	size_t n_addrsets;
	const struct lflow_in_portgroup *portgroups;
	size_t n_portgroups;
	const struct lflow_in_flow *flows;
	size_t n_flows;
	const char *chassis; /* this chassis's name, for is_chassis_resident() */
};

#endif
