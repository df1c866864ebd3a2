/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OVN Southbound tables and columns a chassis replicates, as one list
 * (ovn-sb(5)). The list is ferry's vocabulary, not a schema: what the
 * server actually has comes from get_schema at each connection, and a
 * column marked optional (1 = required) may be absent on older OVN. The
 * list generates the table enum (SB_T_*), one column enum per table
 * (SB_<TABLE>_<COLUMN>) and the IDL spec (sb_db_spec).
 */
#ifndef FERRY_OVSDB_SB_H
#define FERRY_OVSDB_SB_H

#include "control/ovsdb/idl.h"

/* X(ID, "Table", required, COLUMNS-MACRO) */
#define SB_TABLES(X)                                                                  \
	X(GLOBAL, "SB_Global", 1, SB_GLOBAL_COLUMNS)                                  \
	X(CHASSIS, "Chassis", 1, SB_CHASSIS_COLUMNS)                                  \
	X(CHASSIS_PRIVATE, "Chassis_Private", 0, SB_CHASSIS_PRIVATE_COLUMNS)          \
	X(ENCAP, "Encap", 1, SB_ENCAP_COLUMNS)                                        \
	X(DATAPATH, "Datapath_Binding", 1, SB_DATAPATH_COLUMNS)                       \
	X(PB, "Port_Binding", 1, SB_PB_COLUMNS)                                       \
	X(LFLOW, "Logical_Flow", 1, SB_LFLOW_COLUMNS)                                 \
	X(DPG, "Logical_DP_Group", 0, SB_DPG_COLUMNS)                                 \
	X(MCGROUP, "Multicast_Group", 0, SB_MCGROUP_COLUMNS)                          \
	X(MAC_BINDING, "MAC_Binding", 0, SB_MAC_BINDING_COLUMNS)                      \
	X(STATIC_MAC_BINDING, "Static_MAC_Binding", 0, SB_STATIC_MAC_BINDING_COLUMNS) \
	X(ADDRESS_SET, "Address_Set", 0, SB_ADDRESS_SET_COLUMNS)                      \
	X(PORT_GROUP, "Port_Group", 0, SB_PORT_GROUP_COLUMNS)                         \
	X(LB, "Load_Balancer", 0, SB_LB_COLUMNS)                                      \
	X(DHCP_OPTIONS, "DHCP_Options", 0, SB_DHCP_OPTIONS_COLUMNS)                   \
	X(DHCPV6_OPTIONS, "DHCPv6_Options", 0, SB_DHCPV6_OPTIONS_COLUMNS)             \
	X(DNS, "DNS", 0, SB_DNS_COLUMNS)                                              \
	X(HA_CHASSIS_GROUP, "HA_Chassis_Group", 0, SB_HA_CHASSIS_GROUP_COLUMNS)       \
	X(HA_CHASSIS, "HA_Chassis", 0, SB_HA_CHASSIS_COLUMNS)                         \
	X(GATEWAY_CHASSIS, "Gateway_Chassis", 0, SB_GATEWAY_CHASSIS_COLUMNS)          \
	X(BFD, "BFD", 0, SB_BFD_COLUMNS)                                              \
	X(FDB, "FDB", 0, SB_FDB_COLUMNS)                                              \
	X(METER, "Meter", 0, SB_METER_COLUMNS)                                        \
	X(METER_BAND, "Meter_Band", 0, SB_METER_BAND_COLUMNS)                         \
	X(SERVICE_MONITOR, "Service_Monitor", 0, SB_SERVICE_MONITOR_COLUMNS)          \
	X(IP_MULTICAST, "IP_Multicast", 0, SB_IP_MULTICAST_COLUMNS)                   \
	X(IGMP_GROUP, "IGMP_Group", 0, SB_IGMP_GROUP_COLUMNS)                         \
	X(CONTROLLER_EVENT, "Controller_Event", 0, SB_CONTROLLER_EVENT_COLUMNS)       \
	X(MIRROR, "Mirror", 0, SB_MIRROR_COLUMNS)                                     \
	X(TEMPLATE_VAR, "Chassis_Template_Var", 0, SB_TEMPLATE_VAR_COLUMNS)

#define SB_GLOBAL_COLUMNS(C)                       \
	C(GLOBAL, NB_CFG, "nb_cfg", 1)             \
	C(GLOBAL, EXTERNAL_IDS, "external_ids", 0) \
	C(GLOBAL, CONNECTIONS, "connections", 0)   \
	C(GLOBAL, SSL, "ssl", 0)                   \
	C(GLOBAL, OPTIONS, "options", 0)           \
	C(GLOBAL, IPSEC, "ipsec", 0)

#define SB_CHASSIS_COLUMNS(C)                                         \
	C(CHASSIS, NAME, "name", 1)                                   \
	C(CHASSIS, HOSTNAME, "hostname", 1)                           \
	C(CHASSIS, ENCAPS, "encaps", 1)                               \
	C(CHASSIS, VTEP_LOGICAL_SWITCHES, "vtep_logical_switches", 0) \
	C(CHASSIS, NB_CFG, "nb_cfg", 0)                               \
	C(CHASSIS, EXTERNAL_IDS, "external_ids", 1)                   \
	C(CHASSIS, OTHER_CONFIG, "other_config", 1)                   \
	C(CHASSIS, TRANSPORT_ZONES, "transport_zones", 0)

#define SB_CHASSIS_PRIVATE_COLUMNS(C)                               \
	C(CHASSIS_PRIVATE, NAME, "name", 1)                         \
	C(CHASSIS_PRIVATE, CHASSIS, "chassis", 1)                   \
	C(CHASSIS_PRIVATE, NB_CFG, "nb_cfg", 1)                     \
	C(CHASSIS_PRIVATE, NB_CFG_TIMESTAMP, "nb_cfg_timestamp", 0) \
	C(CHASSIS_PRIVATE, EXTERNAL_IDS, "external_ids", 0)

#define SB_ENCAP_COLUMNS(C)             \
	C(ENCAP, TYPE, "type", 1)       \
	C(ENCAP, OPTIONS, "options", 1) \
	C(ENCAP, IP, "ip", 1)           \
	C(ENCAP, CHASSIS_NAME, "chassis_name", 1)

#define SB_DATAPATH_COLUMNS(C)                           \
	C(DATAPATH, TUNNEL_KEY, "tunnel_key", 1)         \
	C(DATAPATH, LOAD_BALANCERS, "load_balancers", 0) \
	C(DATAPATH, EXTERNAL_IDS, "external_ids", 1)

#define SB_PB_COLUMNS(C)                                   \
	C(PB, LOGICAL_PORT, "logical_port", 1)             \
	C(PB, TYPE, "type", 1)                             \
	C(PB, GATEWAY_CHASSIS, "gateway_chassis", 0)       \
	C(PB, HA_CHASSIS_GROUP, "ha_chassis_group", 0)     \
	C(PB, OPTIONS, "options", 1)                       \
	C(PB, DATAPATH, "datapath", 1)                     \
	C(PB, TUNNEL_KEY, "tunnel_key", 1)                 \
	C(PB, PARENT_PORT, "parent_port", 0)               \
	C(PB, TAG, "tag", 0)                               \
	C(PB, VIRTUAL_PARENT, "virtual_parent", 0)         \
	C(PB, CHASSIS, "chassis", 1)                       \
	C(PB, ADDITIONAL_CHASSIS, "additional_chassis", 0) \
	C(PB, ENCAP, "encap", 0)                           \
	C(PB, ADDITIONAL_ENCAP, "additional_encap", 0)     \
	C(PB, MIRROR_RULES, "mirror_rules", 0)             \
	C(PB, MAC, "mac", 1)                               \
	C(PB, PORT_SECURITY, "port_security", 0)           \
	C(PB, NAT_ADDRESSES, "nat_addresses", 0)           \
	C(PB, UP, "up", 0)                                 \
	C(PB, EXTERNAL_IDS, "external_ids", 0)             \
	C(PB, REQUESTED_CHASSIS, "requested_chassis", 0)   \
	C(PB, REQUESTED_ADDITIONAL_CHASSIS, "requested_additional_chassis", 0)

/*
 * Not external_ids (northd's source line and stage names, for people) nor
 * tags (ovn-controller's incremental processing): a fifth of a large
 * database's bytes, which the server would serialize and we would parse
 * and keep for no use.
 */
#define SB_LFLOW_COLUMNS(C)                               \
	C(LFLOW, LOGICAL_DATAPATH, "logical_datapath", 1) \
	C(LFLOW, LOGICAL_DP_GROUP, "logical_dp_group", 0) \
	C(LFLOW, PIPELINE, "pipeline", 1)                 \
	C(LFLOW, TABLE_ID, "table_id", 1)                 \
	C(LFLOW, PRIORITY, "priority", 1)                 \
	C(LFLOW, MATCH, "match", 1)                       \
	C(LFLOW, ACTIONS, "actions", 1)                   \
	C(LFLOW, CONTROLLER_METER, "controller_meter", 0)

#define SB_DPG_COLUMNS(C) C(DPG, DATAPATHS, "datapaths", 0)

#define SB_MCGROUP_COLUMNS(C)                   \
	C(MCGROUP, DATAPATH, "datapath", 0)     \
	C(MCGROUP, NAME, "name", 0)             \
	C(MCGROUP, TUNNEL_KEY, "tunnel_key", 0) \
	C(MCGROUP, PORTS, "ports", 0)

#define SB_MAC_BINDING_COLUMNS(C)                       \
	C(MAC_BINDING, LOGICAL_PORT, "logical_port", 0) \
	C(MAC_BINDING, IP, "ip", 0)                     \
	C(MAC_BINDING, MAC, "mac", 0)                   \
	C(MAC_BINDING, TIMESTAMP, "timestamp", 0)       \
	C(MAC_BINDING, DATAPATH, "datapath", 0)

#define SB_STATIC_MAC_BINDING_COLUMNS(C)                                       \
	C(STATIC_MAC_BINDING, LOGICAL_PORT, "logical_port", 0)                 \
	C(STATIC_MAC_BINDING, IP, "ip", 0)                                     \
	C(STATIC_MAC_BINDING, MAC, "mac", 0)                                   \
	C(STATIC_MAC_BINDING, OVERRIDE_DYNAMIC_MAC, "override_dynamic_mac", 0) \
	C(STATIC_MAC_BINDING, DATAPATH, "datapath", 0)

#define SB_ADDRESS_SET_COLUMNS(C)       \
	C(ADDRESS_SET, NAME, "name", 0) \
	C(ADDRESS_SET, ADDRESSES, "addresses", 0)

#define SB_PORT_GROUP_COLUMNS(C)       \
	C(PORT_GROUP, NAME, "name", 0) \
	C(PORT_GROUP, PORTS, "ports", 0)

#define SB_LB_COLUMNS(C)                           \
	C(LB, NAME, "name", 0)                     \
	C(LB, VIPS, "vips", 0)                     \
	C(LB, PROTOCOL, "protocol", 0)             \
	C(LB, DATAPATHS, "datapaths", 0)           \
	C(LB, DATAPATH_GROUP, "datapath_group", 0) \
	C(LB, OPTIONS, "options", 0)               \
	C(LB, EXTERNAL_IDS, "external_ids", 0)

#define SB_DHCP_OPTIONS_COLUMNS(C)       \
	C(DHCP_OPTIONS, NAME, "name", 0) \
	C(DHCP_OPTIONS, CODE, "code", 0) \
	C(DHCP_OPTIONS, TYPE, "type", 0)

#define SB_DHCPV6_OPTIONS_COLUMNS(C)       \
	C(DHCPV6_OPTIONS, NAME, "name", 0) \
	C(DHCPV6_OPTIONS, CODE, "code", 0) \
	C(DHCPV6_OPTIONS, TYPE, "type", 0)

#define SB_DNS_COLUMNS(C)                 \
	C(DNS, RECORDS, "records", 0)     \
	C(DNS, DATAPATHS, "datapaths", 0) \
	C(DNS, EXTERNAL_IDS, "external_ids", 0)

#define SB_HA_CHASSIS_GROUP_COLUMNS(C)                     \
	C(HA_CHASSIS_GROUP, NAME, "name", 0)               \
	C(HA_CHASSIS_GROUP, HA_CHASSIS, "ha_chassis", 0)   \
	C(HA_CHASSIS_GROUP, REF_CHASSIS, "ref_chassis", 0) \
	C(HA_CHASSIS_GROUP, EXTERNAL_IDS, "external_ids", 0)

#define SB_HA_CHASSIS_COLUMNS(C)               \
	C(HA_CHASSIS, CHASSIS, "chassis", 0)   \
	C(HA_CHASSIS, PRIORITY, "priority", 0) \
	C(HA_CHASSIS, EXTERNAL_IDS, "external_ids", 0)

#define SB_GATEWAY_CHASSIS_COLUMNS(C)                       \
	C(GATEWAY_CHASSIS, NAME, "name", 0)                 \
	C(GATEWAY_CHASSIS, CHASSIS, "chassis", 0)           \
	C(GATEWAY_CHASSIS, PRIORITY, "priority", 0)         \
	C(GATEWAY_CHASSIS, EXTERNAL_IDS, "external_ids", 0) \
	C(GATEWAY_CHASSIS, OPTIONS, "options", 0)

#define SB_BFD_COLUMNS(C)                       \
	C(BFD, SRC_PORT, "src_port", 0)         \
	C(BFD, DISC, "disc", 0)                 \
	C(BFD, LOGICAL_PORT, "logical_port", 0) \
	C(BFD, DST_IP, "dst_ip", 0)             \
	C(BFD, MIN_TX, "min_tx", 0)             \
	C(BFD, MIN_RX, "min_rx", 0)             \
	C(BFD, DETECT_MULT, "detect_mult", 0)   \
	C(BFD, STATUS, "status", 0)             \
	C(BFD, EXTERNAL_IDS, "external_ids", 0) \
	C(BFD, OPTIONS, "options", 0)

#define SB_FDB_COLUMNS(C)           \
	C(FDB, MAC, "mac", 0)       \
	C(FDB, DP_KEY, "dp_key", 0) \
	C(FDB, PORT_KEY, "port_key", 0)

#define SB_METER_COLUMNS(C)       \
	C(METER, NAME, "name", 0) \
	C(METER, UNIT, "unit", 0) \
	C(METER, BANDS, "bands", 0)

#define SB_METER_BAND_COLUMNS(C)           \
	C(METER_BAND, ACTION, "action", 0) \
	C(METER_BAND, RATE, "rate", 0)     \
	C(METER_BAND, BURST_SIZE, "burst_size", 0)

#define SB_SERVICE_MONITOR_COLUMNS(C)                       \
	C(SERVICE_MONITOR, IP, "ip", 0)                     \
	C(SERVICE_MONITOR, PROTOCOL, "protocol", 0)         \
	C(SERVICE_MONITOR, PORT, "port", 0)                 \
	C(SERVICE_MONITOR, LOGICAL_PORT, "logical_port", 0) \
	C(SERVICE_MONITOR, SRC_MAC, "src_mac", 0)           \
	C(SERVICE_MONITOR, SRC_IP, "src_ip", 0)             \
	C(SERVICE_MONITOR, STATUS, "status", 0)             \
	C(SERVICE_MONITOR, OPTIONS, "options", 0)           \
	C(SERVICE_MONITOR, EXTERNAL_IDS, "external_ids", 0)

#define SB_IP_MULTICAST_COLUMNS(C)                           \
	C(IP_MULTICAST, DATAPATH, "datapath", 0)             \
	C(IP_MULTICAST, ENABLED, "enabled", 0)               \
	C(IP_MULTICAST, QUERIER, "querier", 0)               \
	C(IP_MULTICAST, ETH_SRC, "eth_src", 0)               \
	C(IP_MULTICAST, IP4_SRC, "ip4_src", 0)               \
	C(IP_MULTICAST, IP6_SRC, "ip6_src", 0)               \
	C(IP_MULTICAST, TABLE_SIZE, "table_size", 0)         \
	C(IP_MULTICAST, IDLE_TIMEOUT, "idle_timeout", 0)     \
	C(IP_MULTICAST, QUERY_INTERVAL, "query_interval", 0) \
	C(IP_MULTICAST, QUERY_MAX_RESP, "query_max_resp", 0) \
	C(IP_MULTICAST, SEQ_NO, "seq_no", 0)

#define SB_IGMP_GROUP_COLUMNS(C)               \
	C(IGMP_GROUP, ADDRESS, "address", 0)   \
	C(IGMP_GROUP, DATAPATH, "datapath", 0) \
	C(IGMP_GROUP, CHASSIS, "chassis", 0)   \
	C(IGMP_GROUP, PORTS, "ports", 0)

#define SB_CONTROLLER_EVENT_COLUMNS(C)                   \
	C(CONTROLLER_EVENT, EVENT_TYPE, "event_type", 0) \
	C(CONTROLLER_EVENT, EVENT_INFO, "event_info", 0) \
	C(CONTROLLER_EVENT, CHASSIS, "chassis", 0)       \
	C(CONTROLLER_EVENT, SEQ_NUM, "seq_num", 0)

#define SB_MIRROR_COLUMNS(C)           \
	C(MIRROR, NAME, "name", 0)     \
	C(MIRROR, FILTER, "filter", 0) \
	C(MIRROR, SINK, "sink", 0)     \
	C(MIRROR, TYPE, "type", 0)     \
	C(MIRROR, INDEX, "index", 0)   \
	C(MIRROR, EXTERNAL_IDS, "external_ids", 0)

#define SB_TEMPLATE_VAR_COLUMNS(C)             \
	C(TEMPLATE_VAR, CHASSIS, "chassis", 0) \
	C(TEMPLATE_VAR, VARIABLES, "variables", 0)

#define SB_TABLE_ENUM_(ID, NAME, REQ, COLS) SB_T_##ID,
enum sb_table { SB_TABLES(SB_TABLE_ENUM_) SB_T__N };
#undef SB_TABLE_ENUM_

#define SB_COLUMN_ENUM_(T, ID, NAME, REQ)     SB_##T##_##ID,
#define SB_COLUMNS_ENUM_(ID, NAME, REQ, COLS) enum { COLS(SB_COLUMN_ENUM_) SB_##ID##__N };
SB_TABLES(SB_COLUMNS_ENUM_)
#undef SB_COLUMNS_ENUM_
#undef SB_COLUMN_ENUM_

/** The spec of every table above, for ovsdb_idl_create(). */
extern const struct ovsdb_db_spec sb_db_spec;

#endif
