/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryd configuration: an INI file, overridden key by key from the command
 * line.
 *
 *   [chassis]        ovn-controller's own key names (ovn-controller(8))
 *   [dataplane]      workers, memory, queues, mode
 *   [control]        control socket, log levels
 *   [port NAME]      one DPDK port: devargs, role and what the role needs
 *
 * Every key is described once in a table (conf.c); that table drives the
 * parser, the command-line options, `ferryd --help-config` and validation,
 * so a key cannot be accepted in one place and refused in another. An
 * unknown key, a bad value or a missing requirement is an error naming the
 * file, line and key, and ferryd refuses to start rather than guess.
 */
#ifndef FERRY_CONF_H
#define FERRY_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_PORT_NAME_MAX 32
#define CONF_WORKERS_MAX   64
#define CONF_PORTS_MAX     32
#define CONF_NEIGH_MAX     64 /* static underlay neighbours */

enum conf_mode {
	CONF_MODE_CROSS_CONNECT, /* port pairs forwarded unchanged */
	CONF_MODE_OVN,           /* logical pipelines (later issues) */
};

enum conf_hugepages {
	CONF_HUGE_AUTO, /* use hugepages when enough are free, else warn and go without */
	CONF_HUGE_ON,   /* refuse to start without them */
	CONF_HUGE_OFF,  /* never use them */
};

enum port_role {
	PORT_ROLE_VIF,      /* an instance: bound to a logical port (iface-id) */
	PORT_ROLE_UNDERLAY, /* the tunnel NIC carrying ovn-encap-ip */
	PORT_ROLE_UPLINK,   /* a physical network of ovn-bridge-mappings */
	PORT_ROLE_HOST,     /* an underlay's host exception interface, made by ferryd */
};

struct port_conf {
	char name[CONF_PORT_NAME_MAX];
	char *devargs; /* "net_af_packet0,iface=veth0", "0000:03:00.0", ... */
	enum port_role role;
	char *iface_id;          /* vif: the OVN logical port name */
	char *network;           /* uplink: physical network name */
	char *peer;              /* cross-connect: port to forward to */
	char *neighbours;        /* underlay: static next hops "IP=MAC[,IP=MAC...]" */
	unsigned prefix_len;     /* underlay: the encap IP's prefix length, 0 when not set */
	char *gateway;           /* underlay: the router to peers outside that prefix */
	unsigned reachable_time; /* underlay: seconds a next hop is trusted, 0: default */
	char *exception;         /* underlay: the host interface for what is not ours */
	unsigned rxqs;           /* rx queues (and RSS spread) */
	unsigned mtu;            /* 0: the device's own */
	unsigned txqs;           /* tx queues; 0: one per worker */
	unsigned line;           /* where it was defined, for messages; 0 = command line */
};

struct ferry_conf {
	char *path; /* file read, or NULL */

	/* [chassis] */
	char *system_id;
	char *hostname;
	char *ovn_remote;
	char *ovn_encap_type;
	char *ovn_encap_ip;
	bool ovn_encap_csum;
	char *ovn_bridge_mappings;
	unsigned ovn_remote_probe_interval; /* ms, 0 disables */
	bool ovn_monitor_all;
	char *ssl_private_key;
	char *ssl_certificate;
	char *ssl_ca_cert;

	/* [dataplane] */
	char *workers; /* CPU list as written ("auto", "1", "2-3,6") */
	unsigned worker_cpus[CONF_WORKERS_MAX];
	unsigned n_workers;
	enum conf_mode mode;
	unsigned mbufs; /* 0 = sized from ports and workers */
	unsigned mbuf_cache;
	unsigned rx_desc;
	unsigned tx_desc;
	unsigned burst;
	unsigned idle_sleep_us; /* longest sleep of an idle worker */
	enum conf_hugepages hugepages;
	unsigned memory_mb; /* 0 = sized from mbufs */
	bool xc_parse;      /* cross-connect parses (and drops malformed) packets */
	unsigned cache_entries; /* flow cache entries per worker, 0: none */
	bool cache_check;       /* compare every cache hit with the pipeline */

	/* [conntrack] */
	unsigned ct_max_conns;
	bool ct_tcp_liberal;
	char *ct_zones_file; /* NULL: ct-zones beside the control socket */
	unsigned ct_zone_limit;    /* connections per zone, 0: no limit */
	unsigned ct_fragments;     /* fragmented datagrams followed at once */
	unsigned ct_timeouts_frag; /* seconds a first fragment's result is kept */
	struct {
		unsigned tcp_syn, tcp_established, tcp_closing, tcp_fin_wait, tcp_closed;
		unsigned udp_first, udp_multiple, udp_replied;
		unsigned icmp_first, icmp_reply;
		unsigned other_first, other_replied;
		unsigned sctp_closed, sctp_cookie_wait, sctp_cookie_echoed, sctp_established;
		unsigned sctp_shutdown_sent, sctp_shutdown_recd, sctp_shutdown_ack_sent;
	} ct_timeouts; /* seconds, in struct ct_timeouts' order */

	/* [control] */
	char *socket;
	char *log_level; /* "info" or "ferry.port:debug,ferry.ctl:info" */

	struct port_conf ports[CONF_PORTS_MAX];
	unsigned n_ports;
};

/** Fill @p c with defaults. */
void conf_init(struct ferry_conf *c);

/** Free what @p c owns (accepts NULL); @p c may be reused after conf_init(). */
void conf_fini(struct ferry_conf *c);

/**
 * Read @p path into @p c, on top of what it holds.
 * @param err  receives a message "path:line: ..." on failure
 * @return 0, or -EINVAL / -errno; @p c is then partially updated
 */
int conf_load_file(struct ferry_conf *c, const char *path, char *err, size_t errlen);

/** Same as conf_load_file() for text in memory; @p name stands for the path. */
int conf_load_string(struct ferry_conf *c, const char *text, const char *name, char *err,
                     size_t errlen);

/**
 * Apply one override "section.key=value" or "port.NAME.key=value".
 * @return 0 or -EINVAL with @p err set
 */
int conf_set(struct ferry_conf *c, const char *assignment, char *err, size_t errlen);

/**
 * Check cross-key rules once everything is loaded (peers exist, roles have
 * what they need, worker CPUs exist) and resolve "auto" values.
 * @return 0 or -EINVAL with @p err set
 */
int conf_validate(struct ferry_conf *c, char *err, size_t errlen);

/** Parse a port's key=value list ("role=vif,iface-id=lsp1") as given to `ferryctl port add`. */
int conf_port_parse(struct port_conf *p, const char *name, const char *devargs,
                    const char *const *kv, unsigned n_kv, char *err, size_t errlen);

/** Free what @p p owns. */
void conf_port_fini(struct port_conf *p);

/** A static underlay neighbour: a next hop and its MAC. */
struct conf_neigh {
	uint8_t ip[16]; /* IPv4 in the first 4 bytes, the rest zero */
	bool ip6;
	uint8_t mac[6];
};

/**
 * Parse an underlay port's neighbours key, "IP=MAC[,IP=MAC...]": IPv4 or
 * IPv6 addresses (conf_validate() checks them against ovn-encap-ip's
 * family), each once, with unicast, non-zero MACs.
 * @param out  receives up to @p max entries (may be NULL to only check)
 * @return the number of entries, or -EINVAL with @p err set
 */
int conf_neighbours_parse(const char *s, struct conf_neigh *out, unsigned max, char *err,
                          size_t errlen);

/** @return "vif", "underlay", "uplink" or "host". */
const char *conf_port_role_name(enum port_role r);

/**
 * Packet buffers to allocate: the mbufs key, or when it is 0 enough for the
 * configured ports plus four added at runtime (full rx rings, a tx ring per
 * worker), every worker's cache and bursts in flight, rounded to 2^n - 1
 * (the mempool's best size).
 */
unsigned conf_mbufs(const struct ferry_conf *c);

/** Print every key with its section, default and help. */
void conf_print_help(FILE *f);

/**
 * The command-line spelling of every non-port key ("system-id", ...), so
 * ferryd can offer --KEY VALUE for each. Returns the table's length and
 * sets *names to a static array of "section.key" strings.
 */
unsigned conf_cli_keys(const char *const **names);

#endif
